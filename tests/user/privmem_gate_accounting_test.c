// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 7: exact accounting. Once every user of a node has freed
 * its pages, used and free (sysfs, PRIVMEM_IOC_INFO, GET_PRESSURE) are
 * back to their values before, within a second of the last free, without
 * anybody draining anything. Freed pages used to sit on the per-CPU free
 * lists of the CPU-less node and be counted as used.
 *
 * The test runs on one CPU: a folio just faulted in waits in that CPU's
 * LRU batch, holding a reference, and only the batch of the CPU that
 * unmaps is drained at unmap; such a folio is not freed yet, which is not
 * what this test is about.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define LEN	(96UL << 20)

static struct pm_binding B;

struct usage {
	long sys_used, sys_free;
	__u64 info_free, logical_used;
};

static int read_usage(int fd, struct usage *u)
{
	struct privmem_pressure pr;
	struct privmem_info info;

	u->sys_used = pm_sys_long(&B, "used");
	u->sys_free = pm_sys_long(&B, "free");
	if (pm_info(fd, &info) || pm_pressure(fd, &pr))
		return -1;
	u->info_free = info.free;
	u->logical_used = pr.logical_used;
	return 0;
}

FIXTURE(acct) {
	int fd;
};

FIXTURE_SETUP(acct)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	self->fd = pm_open(&B);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(acct)
{
	close(self->fd);
}

/* A process fills @len of the node (4K pages, then a THP part) and exits. */
static void use_node_and_exit(int fd, size_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			       fd, 0);
		size_t i;

		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, len / 2, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += PM_PAGE)
			p[i] = 1;
		/* Free half by munmap, the rest by exit. */
		munmap(p, len / 4);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(acct, used_is_exact_after_the_last_free, 120)
{
	struct usage before, during, after;
	long used_now;

	ASSERT_EQ(0, read_usage(self->fd, &before));
	TH_LOG("before: used %ld free %ld info.free %llu logical_used %llu",
	       before.sys_used, before.sys_free,
	       (unsigned long long)before.info_free,
	       (unsigned long long)before.logical_used);

	/* Check that the pages really went to the node. */
	{
		char *p = pm_map(self->fd, 16 << 20, 1);

		ASSERT_NE(NULL, p);
		used_now = pm_sys_long(&B, "used");
		EXPECT_LE(before.sys_used + (16L << 20), used_now);
		munmap(p, 16 << 20);
	}

	use_node_and_exit(self->fd, LEN);
	use_node_and_exit(self->fd, LEN / 3);
	/* Within a second of the last free. */
	usleep(900 * 1000);
	ASSERT_EQ(0, read_usage(self->fd, &after));
	TH_LOG("after:  used %ld free %ld info.free %llu logical_used %llu (+%ld MiB)",
	       after.sys_used, after.sys_free,
	       (unsigned long long)after.info_free,
	       (unsigned long long)after.logical_used,
	       (after.sys_used - before.sys_used) >> 20);
	EXPECT_EQ(before.sys_used, after.sys_used);
	EXPECT_EQ(before.sys_free, after.sys_free);
	EXPECT_EQ(before.info_free, after.info_free);
	EXPECT_EQ(before.logical_used, after.logical_used);
	(void)during;
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
