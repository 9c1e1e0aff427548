// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: permissions. /dev/privmemN is root's, mode 0600: an
 * unprivileged user cannot open it. Given the device node (chown), an
 * unprivileged user can use it for its own memory but cannot change the
 * node (SET_WATERMARKS, INJECT_PRESSURE, SET_DEMOTION: EPERM, nothing
 * changed) and cannot migrate another process's pages, another user's
 * or even its own user's other process (EPERM, as move_pages(2) without
 * CAP_SYS_NICE; nothing moved).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_user.h"

#define LEN	(4UL << 20)

static struct pm_binding B;

FIXTURE(perm) {
	int fd;
};

FIXTURE_SETUP(perm)
{
	self->fd = pm_open(&B);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(perm)
{
	pm_chown_dev(&B, 0);
	close(self->fd);
}

/* Run @fn in a child as @uid; its exit status (0 = all checks held). */
static int as_user(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (pm_drop_to(uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int open_fails(void *arg)
{
	errno = 0;
	if (open(B.devpath, O_RDWR) >= 0 || errno != EACCES)
		return 1;
	if (open(B.devpath, O_RDONLY) >= 0 || errno != EACCES)
		return 2;
	return 0;
}

TEST_F(perm, default_owner_and_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(B.devpath, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, as_user(PM_NOBODY, open_fails, NULL));
}

/* Each privileged command with valid arguments: EPERM. */
static int cannot_change(void *arg)
{
	struct privmem_watermarks w = { .size = sizeof(w), .low = 100,
					 .high = 200 };
	struct privmem_demotion d = { .size = sizeof(d),
		.flags = PRIVMEM_DEMOTION_ENABLE | PRIVMEM_DEMOTION_ALL_SOURCES };
	struct privmem_pressure p;
	struct privmem_migrate m;
	struct privmem_info info;
	int fd = pm_open(&B);
	char *buf;

	if (fd < 0)
		return 10;
	errno = 0;
	if (ioctl(fd, PRIVMEM_IOC_SET_WATERMARKS, &w) != -1 || errno != EPERM)
		return 11;
	errno = 0;
	if (pm_inject(fd, 950, 0) != -1 || errno != EPERM)
		return 12;
	errno = 0;
	if (pm_inject(fd, 0, PRIVMEM_INJECT_CLEAR) != -1 || errno != EPERM)
		return 13;
	errno = 0;
	if (ioctl(fd, PRIVMEM_IOC_SET_DEMOTION, &d) != -1 || errno != EPERM)
		return 14;
	/* What is not privileged works: reading, and its own memory. */
	if (pm_info(fd, &info) || pm_pressure(fd, &p))
		return 15;
	buf = pm_anon(LEN, 0);
	if (!buf)
		return 16;
	memset(buf, 3, LEN);
	if (pm_migrate(fd, &m, 0, buf, LEN, PRIVMEM_MIGRATE_TO_NODE, -1) ||
	    m.moved != LEN / PM_PAGE)
		return 17;
	return 0;
}

TEST_F(perm, unprivileged_cannot_change_the_node)
{
	struct privmem_pressure before, after;
	struct privmem_demotion d0 = { .size = sizeof(d0) };
	struct privmem_demotion d1 = { .size = sizeof(d1) };

	ASSERT_EQ(0, pm_pressure(self->fd, &before));
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d0));
	ASSERT_EQ(0, pm_chown_dev(&B, PM_NOBODY));
	EXPECT_EQ(0, as_user(PM_NOBODY, cannot_change, NULL));
	ASSERT_EQ(0, pm_chown_dev(&B, 0));
	ASSERT_EQ(0, pm_pressure(self->fd, &after));
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d1));
	EXPECT_EQ(before.low, after.low);
	EXPECT_EQ(before.high, after.high);
	EXPECT_EQ(0, after.flags & PRIVMEM_PRESSURE_INJECTED);
	EXPECT_EQ(d0.flags, d1.flags);
}

struct victim {
	pid_t pid;
	char *buf;
};

static int migrate_victim(void *arg)
{
	struct victim *v = arg;
	struct privmem_migrate m;
	int fd = pm_open(&B);

	if (fd < 0)
		return 20;
	errno = 0;
	if (pm_migrate(fd, &m, v->pid, v->buf, LEN, PRIVMEM_MIGRATE_TO_NODE,
		       -1) != -1 || errno != EPERM)
		return 21;
	return 0;
}

/* A process of @uid holding LEN bytes at a known address until killed. */
static pid_t start_victim(uid_t uid, struct victim *v, int *ready)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (uid && pm_drop_to(uid))
			_exit(1);
		memset(v->buf, 9, LEN);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	*ready = read(p[0], &c, 1) == 1;
	close(p[0]);
	v->pid = pid;
	return pid;
}

/* Is any page of the victim's buffer on the node (as seen by root)? */
static long victim_on_node(struct victim *v)
{
	char path[64], line[256];
	long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", v->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(path, sizeof(path), "%lx ", (unsigned long)v->buf);
	while (fgets(line, sizeof(line), f)) {
		char key[16], *s;

		if (strncmp(line, path, strlen(path)))
			continue;
		snprintf(key, sizeof(key), " N%d=", B.nid);
		s = strstr(line, key);
		if (s)
			n = atol(s + strlen(key));
	}
	fclose(f);
	return n;
}

TEST_F(perm, unprivileged_cannot_migrate_others_pages)
{
	static const uid_t owners[] = { 0, PM_OTHER_UID, PM_NOBODY };
	struct victim v;
	int i, ready;

	ASSERT_EQ(0, pm_chown_dev(&B, PM_NOBODY));
	for (i = 0; i < 3; i++) {
		v.buf = pm_anon(LEN, 0);
		ASSERT_NE(NULL, v.buf);
		ASSERT_LT(0, start_victim(owners[i], &v, &ready));
		ASSERT_TRUE(ready);
		/* root's, another user's, and nobody's own other process. */
		EXPECT_EQ(0, as_user(PM_NOBODY, migrate_victim, &v))
			TH_LOG("victim uid %u", owners[i]);
		EXPECT_EQ(0, victim_on_node(&v));
		kill(v.pid, SIGKILL);
		waitpid(v.pid, NULL, 0);
		munmap(v.buf, LEN);
	}
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
