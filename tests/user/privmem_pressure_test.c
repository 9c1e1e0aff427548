// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: pressure on a plain node made from dax0.0.
 *
 * INJECT_PRESSURE across a watermark, in either direction, wakes a poller
 * with POLLPRI and GET_PRESSURE reports it; staying between the same
 * watermarks is no event; at the maximum level the node refuses folios;
 * SET_WATERMARKS moves the thresholds; unprivileged callers get EPERM.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

PM_DEV_FIXTURE

FIXTURE_TEARDOWN(pm)
{
	struct privmem_watermarks w = {
		.size = sizeof(w), .low = PRIVMEM_PRESSURE_LOW_DEFAULT,
		.high = PRIVMEM_PRESSURE_HIGH_DEFAULT,
	};

	pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR);
	ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w);
	close(self->fd);
}

/* POLLPRI pending on @fd within @ms milliseconds? */
static int pollpri(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLPRI };
	int n = poll(&pfd, 1, ms);

	return n == 1 && (pfd.revents & POLLPRI);
}

struct poller {
	int fd;
	int woke;
};

static void *poller_thread(void *arg)
{
	struct poller *p = arg;

	p->woke = pollpri(p->fd, 10000);
	return NULL;
}

TEST_F(pm, defaults)
{
	struct privmem_pressure p;

	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(sizeof(p), p.size);
	EXPECT_EQ(PRIVMEM_PRESSURE_LOW_DEFAULT, p.low);
	EXPECT_EQ(PRIVMEM_PRESSURE_HIGH_DEFAULT, p.high);
	EXPECT_EQ(0U, p.flags & PRIVMEM_PRESSURE_INJECTED);
	EXPECT_LE(p.level, 1000U);
	EXPECT_GT(p.logical_capacity, 0ULL);
	EXPECT_EQ(p.logical_capacity >= p.logical_used + p.logical_free, 1);
	/* Plain node: no physical accounting. */
	EXPECT_EQ(0ULL, p.physical_capacity);
	EXPECT_EQ(0ULL, p.physical_used);
	EXPECT_EQ(0U, p.compression_ratio);
	EXPECT_EQ((long)p.level, pm_sys_long(&B, "pressure/level"));
}

TEST_F(pm, occupancy_is_the_level)
{
	struct privmem_pressure p0, p1;
	size_t len = 128 << 20;
	char *m;

	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	m = pm_map(self->fd, len, 1);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	TH_LOG("level %u -> %u, used %llu -> %llu MiB", p0.level, p1.level,
	       (unsigned long long)p0.logical_used >> 20,
	       (unsigned long long)p1.logical_used >> 20);
	/* Per-cpu lists may serve a few THPs: not all of it shows. */
	EXPECT_GE(p1.logical_used - p0.logical_used, (__u64)(96 << 20));
	EXPECT_GE(p1.level, p0.level + 100);
	munmap(m, len);
}

TEST_F(pm, inject_across_watermarks_wakes_poller)
{
	struct poller pl = { .fd = self->fd };
	struct privmem_pressure p, p0;
	pthread_t th;

	ASSERT_EQ(0, pm_pressure(self->fd, &p0));	/* acknowledge */
	EXPECT_FALSE(pollpri(self->fd, 0));

	/* Up across both watermarks, while a thread sleeps in poll(). */
	ASSERT_EQ(0, pthread_create(&th, NULL, poller_thread, &pl));
	usleep(200000);
	ASSERT_EQ(0, pm_inject(self->fd, 950, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_TRUE(pl.woke);
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(950U, p.level);
	EXPECT_EQ(PRIVMEM_STATE_HIGH, p.state);
	EXPECT_TRUE(p.flags & PRIVMEM_PRESSURE_INJECTED);
	EXPECT_GT(p.events, p0.events);
	EXPECT_FALSE(pollpri(self->fd, 0));	/* acknowledged */
	EXPECT_EQ(950, pm_sys_long(&B, "pressure/level"));
	EXPECT_EQ(1, pm_sys_long(&B, "pressure/injected"));

	/* Within the same band: no event. */
	ASSERT_EQ(0, pm_inject(self->fd, 980, 0));
	EXPECT_FALSE(pollpri(self->fd, 100));

	/* Down across the high watermark. */
	ASSERT_EQ(0, pm_inject(self->fd, 700, 0));
	EXPECT_TRUE(pollpri(self->fd, 1000));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(PRIVMEM_STATE_ELEVATED, p.state);

	/* Down across the low watermark. */
	ASSERT_EQ(0, pm_inject(self->fd, 100, 0));
	EXPECT_TRUE(pollpri(self->fd, 1000));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(PRIVMEM_STATE_NORMAL, p.state);
	EXPECT_EQ(100U, p.level);

	/* Every open file gets its own event. */
	{
		int fd2 = pm_open(&B);

		ASSERT_GE(fd2, 0);
		ASSERT_EQ(0, pm_inject(self->fd, 650, 0));
		EXPECT_TRUE(pollpri(fd2, 1000));
		EXPECT_TRUE(pollpri(self->fd, 1000));
		close(fd2);
	}
}

TEST_F(pm, maximum_pressure_refuses_folios)
{
	struct privmem_pressure p;
	struct privmem_migrate m;
	size_t len = 1 << 20;
	char *buf = pm_anon(len, 0);

	ASSERT_NE(NULL, buf);
	memset(buf, 3, len);
	ASSERT_EQ(0, pm_inject(self->fd, 1000, 0));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_TRUE(p.flags & PRIVMEM_PRESSURE_BLOCKED);
	EXPECT_EQ(-1, pm_migrate(self->fd, &m, 0, buf, len,
				 PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_GE(p.demotions_refused, len / PM_PAGE);
	EXPECT_EQ(0, pm_count_on_node(buf, len / PM_PAGE, B.nid));

	/* Back to measured pressure: accepted again. */
	ASSERT_EQ(0, pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_FALSE(p.flags & (PRIVMEM_PRESSURE_BLOCKED |
				PRIVMEM_PRESSURE_INJECTED));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, buf, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(len / PM_PAGE, m.moved);
	munmap(buf, len);
}

TEST_F(pm, set_watermarks)
{
	struct privmem_watermarks w = { .size = sizeof(w) };
	struct privmem_pressure p;

	ASSERT_EQ(0, pm_inject(self->fd, 300, 0));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(PRIVMEM_STATE_NORMAL, p.state);
	/* Moving the watermarks under the level is a crossing too. */
	w.low = 100;
	w.high = 200;
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w));
	EXPECT_TRUE(pollpri(self->fd, 1000));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(100U, p.low);
	EXPECT_EQ(200U, p.high);
	EXPECT_EQ(PRIVMEM_STATE_HIGH, p.state);
	EXPECT_EQ(100, pm_sys_long(&B, "pressure/low"));
	EXPECT_EQ(200, pm_sys_long(&B, "pressure/high"));

	w.low = 200;
	EXPECT_EQ(-1, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w));
	EXPECT_EQ(EINVAL, errno);
	w.low = 10;
	w.high = 1001;
	EXPECT_EQ(-1, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pm, unprivileged_gets_eperm)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (!pid) {
		struct privmem_watermarks w = {
			.size = sizeof(w), .low = 1, .high = 2,
		};
		struct privmem_demotion d = {
			.size = sizeof(d), .flags = PRIVMEM_DEMOTION_ENABLE |
				PRIVMEM_DEMOTION_ALL_SOURCES,
		};
		struct privmem_pressure p;

		/* The file stays open: only the capability is gone. */
		if (pm_drop_caps())
			_exit(100);
		if (pm_inject(self->fd, 900, 0) != -1 || errno != EPERM)
			_exit(1);
		if (ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w) != -1 ||
		    errno != EPERM)
			_exit(2);
		if (ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d) != -1 ||
		    errno != EPERM)
			_exit(3);
		/* Reading is allowed to whoever holds the file. */
		if (pm_pressure(self->fd, &p))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Another user cannot even open the device (0600, root). */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setresuid(65534, 65534, 65534))
			_exit(101);
		if (open(B.devpath, O_RDWR) >= 0 || errno != EACCES)
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
