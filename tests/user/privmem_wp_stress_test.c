// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: writers, readers, the kswapd push, demotion, page-out and
 * migration racing on the same pages of a compressed node, for 60 s
 * (PRIVMEM_STRESS_SECONDS).
 *
 * dax0.0 is a compressed node. A 32 MiB buffer of incompressible data is
 * split into one slice per worker thread; a worker reads (and checks) or
 * rewrites random pages of its own slice, so it always knows what each
 * page must hold. Meanwhile other threads keep moving the same pages:
 * MIGRATE into the node, memory.reclaim of the test's cgroup (demotion
 * into the node), MADV_PAGEOUT (swap), and injected device pressure above
 * the low watermark (the node's kswapd evicts to swap). At the end every
 * page holds its last write, no check failed, and the device counted no
 * in-place write (counters/inplace_writes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define LEN		(32UL << 20)
#define NPAGES		(LEN / PM_PAGE)
#define WORKERS		4
#define SLICE		(NPAGES / WORKERS)
#define CG		"/sys/fs/cgroup/privmem-wp-stress"
#define INPLACE		"counters/inplace_writes"

static struct pm_binding B;

struct stress {
	char *buf;
	int fd;
	int stop;		/* __atomic */
	/* per page: the seed of its last write */
	unsigned int seed[NPAGES];
	long checks[WORKERS];
	long writes[WORKERS];
	long bad[WORKERS];
	long migrated, reclaims, pageouts, pushes;
};

struct worker {
	struct stress *s;
	int id;
};

static unsigned int next_rand(unsigned int *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	unsigned int x = 2463534242u + w->id, seq = 0;
	char page[PM_PAGE];

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		size_t i = w->id * SLICE + next_rand(&x) % SLICE;
		char *p = s->buf + i * PM_PAGE;

		if (next_rand(&x) & 1) {
			pm_fill(page, PM_PAGE, s->seed[i]);
			if (memcmp(p, page, PM_PAGE))
				s->bad[w->id]++;
			s->checks[w->id]++;
		} else {
			s->seed[i] = (w->id << 24) + ++seq;
			pm_fill(p, PM_PAGE, s->seed[i]);
			s->writes[w->id]++;
		}
	}
	return NULL;
}

/* Moves the pages: MIGRATE in, demotion, page-out, the kswapd push. */
static void *mover_thread(void *arg)
{
	struct stress *s = arg;
	struct privmem_migrate m;
	unsigned int x = 88172645u, round = 0;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		size_t off = (next_rand(&x) % (NPAGES / 512)) * 512 * PM_PAGE;

		switch (round++ % 4) {
		case 0:
			if (!pm_migrate(s->fd, &m, 0, s->buf + off, 512 * PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1))
				s->migrated += m.moved;
			break;
		case 1:
			if (!pm_write_str(CG "/memory.reclaim", "4M"))
				s->reclaims++;
			break;
		case 2:
			if (!madvise(s->buf + off, 512 * PM_PAGE, MADV_PAGEOUT))
				s->pageouts++;
			break;
		case 3:
			/* Above the low watermark: the node's kswapd evicts. */
			if (!pm_inject(s->fd, 800, 0))
				s->pushes++;
			usleep(50 * 1000);
			pm_inject(s->fd, 0, PRIVMEM_INJECT_CLEAR);
			break;
		}
		usleep(10 * 1000);
	}
	return NULL;
}

static int stress_seconds(void)
{
	const char *e = getenv("PRIVMEM_STRESS_SECONDS");

	return e && atoi(e) > 0 ? atoi(e) : 60;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, races_write_nothing_in_place, 600)
{
	struct worker w[WORKERS];
	pthread_t wt[WORKERS], mt;
	long inplace0, checks = 0, writes = 0, bad = 0, wrong = 0;
	char saved[16], pid[32];
	struct stress *s;
	size_t i;
	int t;

	s = calloc(1, sizeof(*s));
	ASSERT_NE(NULL, s);
	s->fd = pm_open(&B);
	ASSERT_GE(s->fd, 0);
	inplace0 = pm_sys_long(&B, INPLACE);
	ASSERT_GE(inplace0, 0) TH_LOG("no %s attribute", INPLACE);

	ASSERT_EQ(0, pm_read_str("/sys/kernel/mm/numa/demotion_enabled",
				 saved, sizeof(saved)));
	ASSERT_EQ(0, pm_write_str("/sys/kernel/mm/numa/demotion_enabled", "1"));
	pm_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, pm_write_str(CG "/cgroup.procs", pid));

	s->buf = pm_anon(LEN, 0);
	ASSERT_NE(NULL, s->buf);
	for (i = 0; i < NPAGES; i++) {
		s->seed[i] = 0x5000000 + i;
		pm_fill(s->buf + i * PM_PAGE, PM_PAGE, s->seed[i]);
	}

	for (t = 0; t < WORKERS; t++) {
		w[t].s = s;
		w[t].id = t;
		ASSERT_EQ(0, pthread_create(&wt[t], NULL, worker_thread, &w[t]));
	}
	ASSERT_EQ(0, pthread_create(&mt, NULL, mover_thread, s));
	sleep(stress_seconds());
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	for (t = 0; t < WORKERS; t++) {
		pthread_join(wt[t], NULL);
		checks += s->checks[t];
		writes += s->writes[t];
		bad += s->bad[t];
	}
	pthread_join(mt, NULL);
	pm_inject(s->fd, 0, PRIVMEM_INJECT_CLEAR);

	for (i = 0; i < NPAGES; i++) {
		char page[PM_PAGE];

		pm_fill(page, PM_PAGE, s->seed[i]);
		if (memcmp(s->buf + i * PM_PAGE, page, PM_PAGE))
			wrong++;
	}
	TH_LOG("%ld checks, %ld writes; %ld pages migrated in", checks, writes,
	       s->migrated);
	TH_LOG("%ld reclaims, %ld page-outs, %ld pushes; %ld pages on the node",
	       s->reclaims, s->pageouts, s->pushes,
	       pm_count_on_node(s->buf, NPAGES, B.nid));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, wrong);
	EXPECT_GT(checks, 0);
	EXPECT_GT(writes, 0);
	/* The movers really moved pages onto the node. */
	EXPECT_GT(s->migrated, 0);
	munmap(s->buf, LEN);
	usleep(500 * 1000);
	EXPECT_EQ(inplace0, pm_sys_long(&B, INPLACE));

	pm_write_str("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(CG);
	pm_write_str("/sys/kernel/mm/numa/demotion_enabled", saved);
	close(s->fd);
	free(s);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "compressed"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
