// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: hot-unplug under load. While one process faults on a
 * /dev/privmemN mapping (map, fill, verify, unmap, again) and another
 * migrates its anonymous memory into the node and out again, the node is
 * unbound every 100 ms. Each attempt must either fail with EBUSY (a
 * mapping is live, or folios are busy) or succeed, migrating everything
 * out. The data of both processes must be intact throughout and after;
 * while an unbind is under way their calls fail with ENXIO, once the node
 * is gone with ENODEV. If the faulting
 * process keeps the node busy for 20 s it is stopped and the unbind must
 * then succeed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>
#include <sys/prctl.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

/* Shared with the children; accessed with the SH_* atomics. */
#define SH_INC(x)	__atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)
#define SH_GET(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define SH_SET(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

struct shared {
	int stop_faulter;
	int unbound;			/* 1: unbind returned 0, 2: gave up */
	int faulter_rounds, migrator_rounds;
	int faulter_bad, migrator_bad;	/* checksum mismatches */
	int faulter_err, migrator_err;	/* unexpected errnos */
	int migrator_left;		/* pages on the node after unbind */
	int migrator_errno;		/* the last unexpected errno */
	int faulter_enodev, migrator_enodev;
};

FIXTURE(load) {
	struct pm_binding b;
	struct shared *sh;
};

FIXTURE_SETUP(load)
{
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
}

FIXTURE_TEARDOWN(load)
{
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

static void faulter(struct pm_binding *b, struct shared *sh)
{
	size_t len = 8 << 20;
	int fd = pm_open(b), r;
	__u64 sum;
	char *p;

	if (fd < 0)
		_exit(1);
	for (r = 0; !SH_GET(sh->stop_faulter); r++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		/* ENXIO: an unbind is under way, and may still fail. */
		if (p == MAP_FAILED && errno == ENXIO) {
			usleep(10000);
			continue;
		}
		if (p == MAP_FAILED) {
			if (errno == ENODEV) {
				SH_SET(sh->faulter_enodev, 1);
				break;
			}
			SH_INC(sh->faulter_err);
			break;
		}
		pm_fill(p, len, r);
		sum = pm_checksum(p, len);
		usleep(20000);
		pm_fill(p, len, r);
		if (sum != pm_checksum(p, len))
			SH_INC(sh->faulter_bad);
		munmap(p, len);
		SH_INC(sh->faulter_rounds);
	}
	_exit(0);
}

static void migrator(struct pm_binding *b, struct shared *sh)
{
	size_t len = 16 << 20;
	struct privmem_migrate m;
	int fd = pm_open(b), r, dir;
	__u64 sum;
	char *p = pm_anon(len, 1);

	if (fd < 0 || !p)
		_exit(1);
	pm_fill(p, len, 77);
	sum = pm_checksum(p, len);
	for (r = 0;; r++) {
		if (SH_GET(sh->unbound) == 2)
			break;
		dir = r % 2 ? PRIVMEM_MIGRATE_FROM_NODE : PRIVMEM_MIGRATE_TO_NODE;
		if (pm_migrate(fd, &m, 0, p, len, dir, -1)) {
			if (errno == ENODEV) {
				SH_SET(sh->migrator_enodev, 1);
				break;
			}
			if (errno != EBUSY && errno != ENOMEM &&
			    errno != EAGAIN && errno != ENXIO) {
				SH_INC(sh->migrator_err);
				SH_SET(sh->migrator_errno, errno);
			}
		}
		if (sum != pm_checksum(p, len))
			SH_INC(sh->migrator_bad);
		SH_INC(sh->migrator_rounds);
	}
	/*
	 * ENODEV comes as soon as the removal starts; the pages are moved
	 * out before the unbind returns. Check them after that.
	 */
	for (r = 0; r < 600 && !SH_GET(sh->unbound); r++)
		usleep(100000);
	/* The node is gone: every page is back in DRAM, data intact. */
	if (sum != pm_checksum(p, len))
		SH_INC(sh->migrator_bad);
	SH_SET(sh->migrator_left, pm_count_on_node(p, len / PM_PAGE, b->nid));
	_exit(0);
}

static pid_t spawn(void (*fn)(struct pm_binding *, struct shared *),
		   struct pm_binding *b, struct shared *sh)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(b, sh);
	}
	return pid;
}

TEST_F_TIMEOUT(load, unbind_while_faulting_and_migrating, 300)
{
	struct shared *sh = self->sh;
	int busy = 0, other = 0, ret = -1, status, round;
	time_t start;
	pid_t fp, mp;

	for (round = 0; round < 3; round++) {
		memset(sh, 0, sizeof(*sh));
		busy = 0;
		/* dax0.0 stays in privmem's new_id: bind it again. */
		if (round) {
			ASSERT_EQ(0, pm_write_str(PM_DRV "/bind", PM_DAX));
			self->b.bound = 1;
			ASSERT_EQ(0, pm_find_dev(&self->b));
			ASSERT_EQ(0, pm_online(&self->b));
		}
		fp = spawn(faulter, &self->b, sh);
		mp = spawn(migrator, &self->b, sh);
		ASSERT_LT(0, fp);
		ASSERT_LT(0, mp);
		while (SH_GET(sh->faulter_rounds) < 2 ||
		       SH_GET(sh->migrator_rounds) < 4)
			usleep(50000);
		start = time(NULL);
		for (;;) {
			ret = pm_unbind(&self->b);
			if (!ret)
				break;
			if (ret == -EBUSY)
				busy++;
			else
				other++;
			if (time(NULL) - start > 20)
				SH_SET(sh->stop_faulter, 1);
			if (time(NULL) - start > 60)
				break;
			usleep(100000);
		}
		EXPECT_EQ(0, ret) TH_LOG("unbind: %s", strerror(-ret));
		SH_SET(sh->stop_faulter, 1);
		SH_SET(sh->unbound, ret ? 2 : 1);
		ASSERT_EQ(fp, waitpid(fp, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(mp, waitpid(mp, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
		TH_LOG("round %d: %d fault rounds, %d migrations, unbind EBUSY %d times",
		       round, sh->faulter_rounds, sh->migrator_rounds, busy);
		EXPECT_EQ(0, sh->faulter_bad);
		EXPECT_EQ(0, sh->migrator_bad);
		EXPECT_EQ(0, sh->faulter_err);
		EXPECT_EQ(0, sh->migrator_err)
			TH_LOG("MIGRATE: %s", strerror(sh->migrator_errno));
		EXPECT_EQ(0, sh->migrator_left);
		EXPECT_EQ(1, sh->migrator_enodev);
		EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
		if (ret)
			break;
	}
	/* Only EBUSY is an acceptable refusal (any round). */
	EXPECT_EQ(0, other);
	EXPECT_FALSE(pm_dmesg_contains("WARNING:"));
	EXPECT_FALSE(pm_dmesg_contains("BUG:"));
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
