// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 3: a full private node hurts no one else.
 *
 * dax0.0 is bound as a plain node (services migration and mempolicy). A
 * root process holds DRAM and nothing on the node, with oom_score_adj
 * 1000 so that an OOM killer choosing among all tasks takes it first. A
 * process running as nobody mbind()s twice the node's capacity to the
 * node and touches it. The documented rule (Documentation/mm/
 * private-nodes.rst, "Exhaustion"): the OOM killer may choose only the
 * allocating task. So the binder dies of SIGKILL once the node is full,
 * within a bounded time, and the DRAM process survives.
 */
#include <pwd.h>
#include <signal.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define HOG_LEN		(256UL << 20)
#define DEADLINE_S	240

static struct pm_binding B;

static pid_t start_hog(int *ready)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		char *p;

		close(pfd[0]);
		pm_write_str("/proc/self/oom_score_adj", "1000");
		p = mmap(NULL, HOG_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		memset(p, 7, HOG_LEN);
		if (write(pfd[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(pfd[1]);
	*ready = pfd[0];
	return pid;
}

FIXTURE(oom) {
	int unused;
};

FIXTURE_SETUP(oom)
{
}

FIXTURE_TEARDOWN(oom)
{
}

TEST_F_TIMEOUT(oom, full_node_kills_only_the_binder, DEADLINE_S + 60)
{
	long cap = pm_sys_long(&B, "capacity");
	struct timespec t0, t;
	int ready, status, nid = B.nid;
	pid_t hog, binder;
	char c;
	long secs;

	ASSERT_LT(0, cap);
	hog = start_hog(&ready);
	ASSERT_LT(0, hog);
	ASSERT_EQ(1, read(ready, &c, 1));
	close(ready);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	binder = fork();
	ASSERT_LE(0, binder);
	if (binder == 0) {
		size_t len = 2 * (size_t)cap, i;
		unsigned long mask = 1UL << nid;
		struct passwd *pw = getpwnam("nobody");
		char *p;

		if (!pw || setgid(pw->pw_gid) || setuid(pw->pw_uid))
			_exit(3);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(4);
		if (mbind(p, len, MPOL_BIND, &mask, sizeof(mask) * 8, 0))
			_exit(5);
		for (i = 0; i < len; i += PM_PAGE)
			p[i] = 1;
		_exit(0);	/* the node took twice its capacity? */
	}

	for (;;) {
		pid_t r = waitpid(binder, &status, WNOHANG);

		if (r == binder)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > DEADLINE_S) {
			kill(binder, SIGKILL);
			waitpid(binder, &status, 0);
			kill(hog, SIGKILL);
			waitpid(hog, NULL, 0);
			ASSERT_TRUE(0) TH_LOG("binder still running after %d s",
					      DEADLINE_S);
		}
		usleep(100 * 1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	secs = t.tv_sec - t0.tv_sec;

	/* The DRAM process must still be there. */
	EXPECT_EQ(0, waitpid(hog, NULL, WNOHANG));
	EXPECT_EQ(0, kill(hog, 0));
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);

	TH_LOG("binder: %s %d after %ld s",
	       WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	       secs);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	EXPECT_TRUE(pm_dmesg_contains("Out of memory (private node full)"));
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
