// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: PRIVMEM_IOC_MIGRATE on a plain node made from dax0.0.
 *
 * To and from the node, for 4K and 2M (THP) anonymous memory, for the
 * device's own mapping, and for another process with and without the
 * permission move_pages(2) asks for. The counts (moved, failed, already
 * there, absent) must be exact and the contents intact (checksums).
 * Integrity: 100 round trips of a 64 MiB buffer between node 0 and the
 * private node, verified every time.
 */
#define _GNU_SOURCE
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

PM_DEV_FIXTURE

FIXTURE_TEARDOWN(pm)
{
	close(self->fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define EXPECT_COUNTS(m, mv, fl, al, ab) do {			\
	const struct privmem_migrate *__m = &(m);		\
	EXPECT_EQ((__u64)(mv), __m->moved);			\
	EXPECT_EQ((__u64)(fl), __m->failed);			\
	EXPECT_EQ((__u64)(al), __m->already);			\
	EXPECT_EQ((__u64)(ab), __m->absent);			\
} while (0)

TEST_F(pm, anon_4k_round_trip)
{
	size_t len = 4 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	__u64 sum;
	char *p = pm_anon(len, 0);

	ASSERT_NE(NULL, p);
	pm_fill(p, len, 11);
	sum = pm_checksum(p, len);
	EXPECT_EQ(0, pm_count_on_node(p, np, B.nid));

	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_COUNTS(m, np, 0, 0, 0);
	EXPECT_EQ(B.nid, m.target_node);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, B.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));

	/* Again: everything is already there. */
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, B.nid));
	EXPECT_COUNTS(m, 0, 0, np, 0);

	/* Half of it out to node 1, then all of it out to node 0. */
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len / 2,
				PRIVMEM_MIGRATE_FROM_NODE, 1));
	EXPECT_COUNTS(m, np / 2, 0, 0, 0);
	EXPECT_EQ((long)np / 2, pm_count_on_node(p, np / 2, 1));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, 0));
	EXPECT_COUNTS(m, np / 2, 0, np / 2, 0);
	EXPECT_EQ((long)np / 2, pm_count_on_node(p + len / 2, np / 2, 0));
	EXPECT_EQ(0, pm_count_on_node(p, np, B.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
}

TEST_F(pm, anon_2m_round_trip)
{
	size_t len = 8 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	__u64 sum;
	char *p = pm_anon(len, 1);

	ASSERT_NE(NULL, p);
	pm_fill(p, len, 12);
	sum = pm_checksum(p, len);

	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_COUNTS(m, np, 0, 0, 0);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, B.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, 1));
	EXPECT_COUNTS(m, np, 0, 0, 0);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, 1));
	EXPECT_EQ(sum, pm_checksum(p, len));

	/* A range that starts and ends inside THPs moves them whole. */
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p + PM_HPAGE / 2, PM_HPAGE,
				PRIVMEM_MIGRATE_TO_NODE | PRIVMEM_MIGRATE_ASYNC,
				-1));
	EXPECT_EQ(PM_HPAGE / PM_PAGE,
		  m.moved + m.failed + m.already + m.absent);
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
}

TEST_F(pm, untouched_pages_are_absent)
{
	size_t len = 1 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	char *p = pm_anon(len, 0);

	ASSERT_NE(NULL, p);
	p[0] = 1;
	/* Read-only touch: the zero page, nothing to move either. */
	EXPECT_EQ(0, p[PM_PAGE]);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_COUNTS(m, 1, 0, 0, np - 1);
	munmap(p, len);
}

TEST_F(pm, device_mapping_out_and_back)
{
	size_t len = 4 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	__u64 sum;
	char *p = pm_map(self->fd, len, 0);

	ASSERT_NE(NULL, p);
	pm_fill(p, len, 13);
	sum = pm_checksum(p, len);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, B.nid));

	/* Out to the nearest DRAM node. */
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, -1));
	EXPECT_COUNTS(m, np, 0, 0, 0);
	EXPECT_TRUE(m.target_node == 0 || m.target_node == 1);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, m.target_node));
	EXPECT_EQ(sum, pm_checksum(p, len));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_COUNTS(m, np, 0, 0, 0);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, B.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
}

/*
 * A child holds a buffer and waits; the caller migrates it (or is refused)
 * and the child then reports where its pages are and whether they are
 * intact: exit 0 if on the node and intact, 1 if nowhere on the node and
 * intact, 2 if damaged.
 */
struct victim {
	pid_t pid;
	int go;		/* write end: tell the child to check */
	char *addr;
	size_t len;
};

static int victim_start(struct victim *v, size_t len)
{
	int up[2], down[2];

	if (pipe(up) || pipe(down))
		return -1;
	v->len = len;
	v->pid = fork();
	if (v->pid < 0)
		return -1;
	if (!v->pid) {
		char *p = pm_anon(len, 0);
		__u64 sum;
		long on;
		char c;

		close(up[0]);
		close(down[1]);
		if (!p)
			_exit(3);
		pm_fill(p, len, 21);
		sum = pm_checksum(p, len);
		if (write(up[1], &p, sizeof(p)) != sizeof(p))
			_exit(3);
		if (read(down[0], &c, 1) != 1)
			_exit(3);
		if (pm_checksum(p, len) != sum)
			_exit(2);
		on = pm_count_on_node(p, len / PM_PAGE, B.nid);
		_exit(on == (long)(len / PM_PAGE) ? 0 : on == 0 ? 1 : 4);
	}
	close(up[1]);
	close(down[0]);
	v->go = down[1];
	if (read(up[0], &v->addr, sizeof(v->addr)) != sizeof(v->addr))
		return -1;
	close(up[0]);
	return 0;
}

static int victim_finish(struct victim *v)
{
	int status;

	if (write(v->go, "x", 1) != 1)
		return -1;
	close(v->go);
	if (waitpid(v->pid, &status, 0) != v->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(pm, other_process_with_permission)
{
	struct privmem_migrate m;
	struct victim v;

	ASSERT_EQ(0, victim_start(&v, 2 << 20));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, v.pid, v.addr, v.len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_COUNTS(m, v.len / PM_PAGE, 0, 0, 0);
	EXPECT_EQ(0, victim_finish(&v));
}

/* Run MIGRATE of @v from a child made unprivileged by @how; its errno. */
static int migrate_as(int fd, struct victim *v, int how)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		struct privmem_migrate m;

		if (how == 0 && pm_drop_caps())
			_exit(200);
		if (how == 1 && setresuid(65534, 65534, 65534))
			_exit(201);
		if (!pm_migrate(fd, &m, v->pid, v->addr, v->len,
				PRIVMEM_MIGRATE_TO_NODE, -1))
			_exit(0);
		_exit(errno);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(pm, other_process_without_permission)
{
	struct privmem_migrate m;
	struct victim v;

	ASSERT_EQ(0, victim_start(&v, 1 << 20));
	/* Same uid but no CAP_SYS_NICE. */
	EXPECT_EQ(EPERM, migrate_as(self->fd, &v, 0));
	/* Another uid: no ptrace access either. */
	EXPECT_EQ(EPERM, migrate_as(self->fd, &v, 1));
	/* Nothing moved. */
	EXPECT_EQ(1, victim_finish(&v));

	/* No such process. */
	EXPECT_EQ(-1, pm_migrate(self->fd, &m, 0x3ffffff, v.addr, v.len,
				 PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F_TIMEOUT(pm, integrity_100_round_trips_64m, 900)
{
	size_t len = 64 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	double t0, t_mig = 0, t;
	__u64 sum;
	int i;
	char *p = pm_anon(len, 1);

	ASSERT_NE(NULL, p);
	pm_fill(p, len, 99);
	sum = pm_checksum(p, len);
	t0 = now();
	for (i = 0; i < 100; i++) {
		t = now();
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		t_mig += now() - t;
		ASSERT_EQ(np, m.moved);
		ASSERT_EQ((long)np, pm_count_on_node(p, np, B.nid));
		ASSERT_EQ(sum, pm_checksum(p, len)) TH_LOG("trip %d in", i);
		t = now();
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
					PRIVMEM_MIGRATE_FROM_NODE, 0));
		t_mig += now() - t;
		ASSERT_EQ(np, m.moved);
		ASSERT_EQ((long)np, pm_count_on_node(p, np, 0));
		ASSERT_EQ(sum, pm_checksum(p, len)) TH_LOG("trip %d out", i);
	}
	TH_LOG("100 round trips of 64 MiB: %.1f s (%.1f s migrating, %.0f MiB/s)",
	       now() - t0, t_mig, 2 * 100 * 64 / t_mig);
	munmap(p, len);
}

TEST_F_TIMEOUT(pm, integrity_4k_round_trips, 300)
{
	size_t len = 16 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	__u64 sum;
	int i;
	char *p = pm_anon(len, 0);

	ASSERT_NE(NULL, p);
	pm_fill(p, len, 98);
	sum = pm_checksum(p, len);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		ASSERT_EQ(np, m.moved);
		ASSERT_EQ(sum, pm_checksum(p, len));
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
					PRIVMEM_MIGRATE_FROM_NODE, 0));
		ASSERT_EQ(np, m.moved);
		ASSERT_EQ(sum, pm_checksum(p, len));
	}
	munmap(p, len);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
