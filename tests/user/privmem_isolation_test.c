// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: isolation under stress. dax0.0 is bound as a plain private
 * node; a process legitimately uses part of it (a /dev/privmemN mapping
 * and anonymous memory moved in with PRIVMEM_IOC_MIGRATE) while children
 * put every DRAM node under pressure for PRIVMEM_STRESS_SECONDS (default
 * 60): anonymous memory (4K and THP, MPOL_PREFERRED on each DRAM node so
 * that it spills over), page cache (buffered I/O on a zram block device),
 * tmpfs files, slab (many files, dentries and negative dentries) and
 * compaction. The test module privmem_nodewalk classifies every page of
 * the private node throughout: no page cache, tmpfs, slab, page-table or
 * other kernel page may appear there, and no anonymous page beyond the
 * legitimate ones. The legitimate data must be intact afterwards.
 *
 * walk_sees_a_foreign_page is the control: a process that explicitly
 * binds its memory policy to the private node writes a tmpfs file, and
 * the walk must count those file pages, so the stress test can fail.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <sys/prctl.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_nodewalk.h"

static struct pm_binding B;

static int stress_seconds(void)
{
	const char *s = getenv("PRIVMEM_STRESS_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 60;
}

static void prefer_node(int nid)
{
	unsigned long mask = 1UL << nid;

	set_mempolicy(MPOL_PREFERRED, &mask, 64);
}

/* Anonymous memory, 4K or THP, filled and freed again and again. */
static void stress_anon(int nid, size_t len, int thp)
{
	prefer_node(nid);
	for (;;) {
		char *p = pm_anon(len, thp);

		if (p) {
			memset(p, nid + 1, len);
			munmap(p, len);
		}
	}
}

/* Page cache: buffered writes and reads of a block device. */
static void stress_pagecache(const char *dev, int nid)
{
	static char buf[1 << 20];
	int fd, i;

	prefer_node(nid);
	memset(buf, 0x5a, sizeof(buf));
	for (;;) {
		fd = open(dev, O_RDWR);
		if (fd < 0)
			_exit(1);
		for (i = 0; i < 192; i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				break;
		lseek(fd, 0, SEEK_SET);
		for (i = 0; i < 192; i++)
			if (read(fd, buf, sizeof(buf)) <= 0)
				break;
		close(fd);
	}
}

/* tmpfs: large files written and deleted. */
static void stress_tmpfs(const char *dir, int nid)
{
	static char buf[1 << 20];
	char path[128];
	int fd, i, n = 0;

	prefer_node(nid);
	memset(buf, 0xa5, sizeof(buf));
	for (;;) {
		snprintf(path, sizeof(path), "%s/big%d", dir, n++ % 4);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd < 0)
			_exit(1);
		for (i = 0; i < 64; i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				break;
		close(fd);
		if (n % 4 == 0)
			for (i = 0; i < 4; i++) {
				snprintf(path, sizeof(path), "%s/big%d", dir, i);
				unlink(path);
			}
	}
}

/* Slab: many small files, their dentries and inodes, negative dentries. */
static void stress_slab(const char *dir, int nid)
{
	struct stat st;
	char path[160];
	int i, fd, round = 0;

	prefer_node(nid);
	for (;;) {
		for (i = 0; i < 5000; i++) {
			snprintf(path, sizeof(path), "%s/f%d", dir, i);
			fd = open(path, O_CREAT | O_WRONLY, 0600);
			if (fd >= 0) {
				if (write(fd, path, 16) < 0)
					_exit(1);
				close(fd);
			}
			snprintf(path, sizeof(path), "%s/missing%d.%d", dir,
				 round, i);
			stat(path, &st);
		}
		for (i = 0; i < 5000; i++) {
			snprintf(path, sizeof(path), "%s/f%d", dir, i);
			unlink(path);
		}
		round++;
	}
}

/* Compaction of every node, and the caches dropped now and then. */
static void stress_compact(void)
{
	int n = 0;

	for (;;) {
		pm_write_str("/proc/sys/vm/compact_memory", "1");
		if (++n % 4 == 0)
			pm_write_str("/proc/sys/vm/drop_caches", "3");
		sleep(2);
	}
}

static pid_t spawn(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pm_write_str("/proc/self/oom_score_adj", "1000");
		fn(arg);
		_exit(0);
	}
	return pid;
}

struct job {
	int kind, nid;
	const char *path;
};

static void run_job(void *arg)
{
	struct job *j = arg;

	switch (j->kind) {
	case 0:
		stress_anon(j->nid, 384 << 20, 0);
		break;
	case 1:
		stress_anon(j->nid, 256 << 20, 1);
		break;
	case 2:
		stress_pagecache(j->path, j->nid);
		break;
	case 3:
		stress_tmpfs(j->path, j->nid);
		break;
	case 4:
		stress_slab(j->path, j->nid);
		break;
	default:
		stress_compact();
	}
}

/* A zram block device for page cache, or NULL. */
static const char *zram_dev(char *dev, size_t len)
{
	char path[96];
	long id = -1;
	FILE *f = fopen("/sys/class/zram-control/hot_add", "r");

	if (!f)
		return NULL;
	if (fscanf(f, "%ld", &id) != 1)
		id = -1;
	fclose(f);
	if (id < 0)
		return NULL;
	snprintf(path, sizeof(path), "/sys/block/zram%ld/disksize", id);
	if (pm_write_str(path, "256M"))
		return NULL;
	snprintf(dev, len, "/dev/zram%ld", id);
	return dev;
}

static void zram_remove(const char *dev)
{
	char id[32];

	if (!dev)
		return;
	snprintf(id, sizeof(id), "%s", dev + strlen("/dev/zram"));
	pm_write_str("/sys/class/zram-control/hot_remove", id);
}

TEST(walk_sees_a_foreign_page)
{
	struct pm_walk before, during, after;
	unsigned long mask = 1UL << B.nid;
	char path[] = "/dev/shm/privmem-isolation-control";
	int status;
	pid_t pid;

	ASSERT_EQ(0, pm_walk_node(B.nid, &before));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		static char buf[1 << 20];
		int fd, i;

		/* Explicitly let this process's tmpfs pages in. */
		if (set_mempolicy(MPOL_BIND, &mask, 64))
			_exit(2);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd < 0)
			_exit(3);
		memset(buf, 1, sizeof(buf));
		for (i = 0; i < 4; i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				_exit(4);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, pm_walk_node(B.nid, &during));
	unlink(path);
	ASSERT_EQ(0, pm_walk_node(B.nid, &after));
	TH_LOG("file pages on node %d: %ld before, %ld with the bound tmpfs file, %ld after",
	       B.nid, before.file, during.file, after.file);
	/* 4 MiB of tmpfs on the node: 1024 pages counted as foreign. */
	EXPECT_LE(before.file + 1024, during.file);
	EXPECT_EQ(before.file, after.file);
	EXPECT_LT(pm_walk_kernel_pages(&before), pm_walk_kernel_pages(&during));
}

FIXTURE(iso) {
	int fd;
};

FIXTURE_SETUP(iso)
{
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(iso)
{
	close(self->fd);
}

TEST_F_TIMEOUT(iso, stress_all_dram_nodes, 600)
{
	size_t map_len = 64 << 20, mig_len = 32 << 20;
	int secs = stress_seconds(), i, njobs = 0, restarts = 0, samples = 0;
	struct pm_walk base, w, worst = { 0 };
	char dev[32], dir[] = "/dev/shm/privmem-isolation", slabdir[64];
	struct privmem_migrate m;
	const char *zdev;
	struct job jobs[12];
	pid_t pids[12];
	__u64 sum_map, sum_mig;
	long legit, foreign_anon = 0, min_free[2] = { -1, -1 }, kb;
	char *map, *mig;
	time_t end;

	/* The stress children are the OOM killer's choice, not the test. */
	pm_write_str("/proc/self/oom_score_adj", "-1000");
	ASSERT_EQ(0, pm_walk_node(B.nid, &base));
	TH_LOG("node %d at start: %ld pages, %ld free, %ld reserved, kernel %ld, anon %ld",
	       B.nid, base.spanned, base.free, base.reserved,
	       pm_walk_kernel_pages(&base), base.anon);
	EXPECT_EQ(0, pm_walk_kernel_pages(&base));

	/* The legitimate user: a device mapping and migrated memory. */
	map = pm_map(self->fd, map_len, 0);
	ASSERT_NE(NULL, map);
	pm_fill(map, map_len, 7);
	sum_map = pm_checksum(map, map_len);
	mig = pm_anon(mig_len, 1);
	ASSERT_NE(NULL, mig);
	pm_fill(mig, mig_len, 8);
	sum_mig = pm_checksum(mig, mig_len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, mig, mig_len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(mig_len / PM_PAGE, m.moved);
	legit = map_len / PM_PAGE + m.moved;

	/* The pressure, on both DRAM nodes. */
	ASSERT_EQ(0, mkdir(dir, 0700) && errno != EEXIST ? -1 : 0);
	zdev = zram_dev(dev, sizeof(dev));
	ASSERT_NE(NULL, zdev) TH_LOG("no zram device for the page cache");
	for (i = 0; i < 2; i++) {
		jobs[njobs++] = (struct job){ .kind = 0, .nid = i };
		jobs[njobs++] = (struct job){ .kind = 1, .nid = i };
	}
	jobs[njobs++] = (struct job){ .kind = 2, .nid = 1, .path = zdev };
	jobs[njobs++] = (struct job){ .kind = 3, .nid = 0, .path = dir };
	for (i = 0; i < 2; i++) {
		snprintf(slabdir, sizeof(slabdir), "%s/slab%d", dir, i);
		mkdir(slabdir, 0700);
		jobs[njobs] = (struct job){ .kind = 4, .nid = i,
					    .path = strdup(slabdir) };
		njobs++;
	}
	jobs[njobs++] = (struct job){ .kind = 5 };
	for (i = 0; i < njobs; i++)
		pids[i] = spawn(run_job, &jobs[i]);

	end = time(NULL) + secs;
	while (time(NULL) < end) {
		int status;
		pid_t dead;

		sleep(3);
		/* A stress child the OOM killer took is started again. */
		while ((dead = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < njobs; i++)
				if (pids[i] == dead) {
					pids[i] = spawn(run_job, &jobs[i]);
					restarts++;
				}
		for (i = 0; i < 2; i++) {
			kb = pm_node_meminfo(i, "MemFree");
			if (min_free[i] < 0 || kb < min_free[i])
				min_free[i] = kb;
		}
		ASSERT_EQ(0, pm_walk_node(B.nid, &w));
		samples++;
		if (pm_walk_kernel_pages(&w) > pm_walk_kernel_pages(&worst))
			worst = w;
		if (w.anon - legit > foreign_anon)
			foreign_anon = w.anon - legit;
	}
	for (i = 0; i < njobs; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < njobs; i++)
		waitpid(pids[i], NULL, 0);
	ASSERT_EQ(0, pm_walk_node(B.nid, &w));
	if (pm_walk_kernel_pages(&w) > pm_walk_kernel_pages(&worst))
		worst = w;
	TH_LOG("%d s of stress, %d walks, %d stress restarts (OOM)", secs,
	       samples, restarts);
	TH_LOG("lowest MemFree seen: node 0 %ld kB, node 1 %ld kB",
	       min_free[0], min_free[1]);
	TH_LOG("foreign pages on node %d, worst walk: file %ld slab %ld pagetable %ld other %ld",
	       B.nid, worst.file, worst.slab, worst.pagetable, worst.other);
	TH_LOG("foreign anonymous pages (beyond the %ld legitimate): %ld",
	       legit, foreign_anon);
	EXPECT_EQ(0, pm_walk_kernel_pages(&worst));
	EXPECT_EQ(0, foreign_anon);
	/* Nothing moved the legitimate pages out either. */
	EXPECT_EQ(legit, w.anon);
	EXPECT_EQ(legit, pm_count_on_node(mig, mig_len / PM_PAGE, B.nid) +
		  map_len / PM_PAGE);
	EXPECT_EQ(sum_map, pm_checksum(map, map_len));
	EXPECT_EQ(sum_mig, pm_checksum(mig, mig_len));
	EXPECT_LT(secs / 6, samples);

	munmap(map, map_len);
	munmap(mig, mig_len);
	zram_remove(zdev);
	system("rm -rf /dev/shm/privmem-isolation");
}

int main(int argc, char **argv)
{
	if (pm_walk_load()) {
		printf("Bail out! cannot load privmem_nodewalk\n");
		return 1;
	}
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
