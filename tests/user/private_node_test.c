// SPDX-License-Identifier: GPL-2.0
/*
 * The private node mm core seen from userspace: isolation under memory
 * pressure, explicit placement with mbind(2) and move_pages(2) only when the
 * node's owner opted in, and hot-removal with resident folios.
 *
 * A node that opted into reclaim is reclaimed by the direct reclaim of a
 * gated allocation, whether or not cpusets are in use: a task bound to the
 * node alone faults in 5/4 of the node; the node has no kswapd, so only
 * direct reclaim (swapping the task's own pages out) makes room. The task
 * must survive with its data intact. Seen to fail while shrink_zones()
 * applied the cpuset check to private zones: with a child cpuset the
 * private zone was skipped (no cpuset lists a private node) and the task
 * was OOM-killed once the node was full.
 *
 * The node is made by the test-only module private_node_testdrv from the
 * range of dax1.0 (node 3), which is unbound from device_dax for the test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "private_node_testdrv.h"

/* PRIVATE_NODE_CAP_* of include/linux/private_node.h */
#define CAP_MIGRATION	0x1UL
#define CAP_MEMPOLICY	0x2UL
#define CAP_RECLAIM	0x10UL

#define PAGE		4096UL
#define NPAGES		64

FIXTURE(privnode) {
	struct pn_range r;
};

FIXTURE_SETUP(privnode)
{
	int ret = pn_take_dax(&self->r);

	if (ret > 0)
		SKIP(return, "no %s or no private_node_testdrv", DAX);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(privnode)
{
	pn_put_back(&self->r);
}

static int node_remove(struct _test_data_privnode *self)
{
	int ret = pm_write_str(CONTROL, "remove");

	if (!ret)
		self->r.added = 0;
	return ret;
}

/*
 * Fill node 0 and node 1 almost completely with anonymous and tmpfs memory:
 * not one page may land on the private node.
 */
TEST_F_TIMEOUT(privnode, isolation_under_pressure, 600)
{
	long used_before, used_after, free0, free1, target;
	size_t anon_len, shm_len;
	char *anon, *shm;
	int fd;

	ASSERT_EQ(0, pn_add(&self->r, CAP_MIGRATION | CAP_MEMPOLICY));
	ASSERT_EQ(1, pm_node_listed("has_private_memory", self->r.nid));
	ASSERT_EQ(0, pm_node_listed("has_memory", self->r.nid));
	used_before = pm_node_meminfo(self->r.nid, "MemUsed");
	ASSERT_GE(used_before, 0);

	free0 = pm_node_meminfo(0, "MemFree");
	free1 = pm_node_meminfo(1, "MemFree");
	ASSERT_GT(free0, 0);
	ASSERT_GT(free1, 0);
	/* Leave 96M per node so that nothing gets OOM-killed. */
	target = (free0 + free1 - 2 * 96 * 1024) * 1024;
	ASSERT_GT(target, 64L << 20);
	anon_len = (target * 3 / 5) & ~(PAGE - 1);
	shm_len = (target - anon_len) & ~(PAGE - 1);

	anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 0xa5, anon_len);

	fd = open("/dev/shm/private_node_test", O_RDWR | O_CREAT | O_TRUNC,
		  0600);
	ASSERT_GE(fd, 0);
	unlink("/dev/shm/private_node_test");
	ASSERT_EQ(0, ftruncate(fd, shm_len));
	shm = mmap(NULL, shm_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, shm);
	memset(shm, 0x5a, shm_len);

	TH_LOG("filled %zu MiB anonymous + %zu MiB tmpfs; node0 free %ld kB, node1 free %ld kB",
	       anon_len >> 20, shm_len >> 20, pm_node_meminfo(0, "MemFree"),
	       pm_node_meminfo(1, "MemFree"));
	EXPECT_EQ(0L, pm_count_on_node(anon, anon_len / PAGE, self->r.nid));
	EXPECT_EQ(0L, pm_count_on_node(shm, shm_len / PAGE, self->r.nid));

	used_after = pm_node_meminfo(self->r.nid, "MemUsed");
	TH_LOG("private node %d MemUsed %ld kB -> %ld kB", self->r.nid,
	       used_before, used_after);
	EXPECT_LE(used_after, used_before + 1024);
	EXPECT_EQ(0, pm_node_listed("has_memory", self->r.nid));

	munmap(anon, anon_len);
	munmap(shm, shm_len);
	close(fd);
	EXPECT_EQ(0, node_remove(self));
}

/* Without the mempolicy service mbind fails; without migration, move_pages. */
TEST_F(privnode, explicit_access_refused_without_caps)
{
	unsigned long mask = 1UL << self->r.nid;
	void *pages[NPAGES];
	int status[NPAGES], nodes[NPAGES], i;
	char *buf;

	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, NPAGES * PAGE);
	for (i = 0; i < NPAGES; i++) {
		pages[i] = buf + i * PAGE;
		nodes[i] = self->r.nid;
	}

	/* No service at all. */
	ASSERT_EQ(0, pn_add(&self->r, 0));
	EXPECT_EQ(-1, mbind(buf, NPAGES * PAGE, MPOL_BIND, &mask,
			    sizeof(mask) * 8 + 1, MPOL_MF_MOVE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8 + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, move_pages(0, NPAGES, pages, nodes, status,
				 MPOL_MF_MOVE));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0L, pm_count_on_node(buf, NPAGES, self->r.nid));
	ASSERT_EQ(0, node_remove(self));

	/* Migration without mempolicy: move_pages works, mbind does not. */
	ASSERT_EQ(0, pn_add(&self->r, CAP_MIGRATION));
	EXPECT_EQ(-1, mbind(buf, NPAGES * PAGE, MPOL_BIND, &mask,
			    sizeof(mask) * 8 + 1, MPOL_MF_MOVE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, move_pages(0, NPAGES, pages, nodes, status,
				MPOL_MF_MOVE));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(buf, NPAGES, self->r.nid));
	ASSERT_EQ(0, node_remove(self));
	EXPECT_EQ(0L, pm_count_on_node(buf, NPAGES, self->r.nid));
	munmap(buf, NPAGES * PAGE);
}

/*
 * With the mempolicy service, mbind places pages on the node and move_pages
 * moves them out and back; removing the node with the pages resident
 * migrates them out with their contents intact.
 */
TEST_F(privnode, mbind_move_pages_and_removal)
{
	unsigned long mask = 1UL << self->r.nid;
	void *pages[NPAGES];
	int status[NPAGES], nodes[NPAGES], i;
	__u64 sum;
	char *buf;

	ASSERT_EQ(0, pn_add(&self->r, CAP_MIGRATION | CAP_MEMPOLICY));
	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mbind(buf, NPAGES * PAGE, MPOL_BIND, &mask,
			   sizeof(mask) * 8 + 1, 0));
	pm_fill(buf, NPAGES * PAGE, 7);
	sum = pm_checksum(buf, NPAGES * PAGE);
	EXPECT_EQ((long)NPAGES, pm_count_on_node(buf, NPAGES, self->r.nid));

	for (i = 0; i < NPAGES; i++) {
		pages[i] = buf + i * PAGE;
		nodes[i] = 0;
	}
	EXPECT_EQ(0, move_pages(0, NPAGES, pages, nodes, status,
				MPOL_MF_MOVE));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(buf, NPAGES, 0));
	for (i = 0; i < NPAGES; i++)
		nodes[i] = self->r.nid;
	EXPECT_EQ(0, move_pages(0, NPAGES, pages, nodes, status,
				MPOL_MF_MOVE));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(buf, NPAGES, self->r.nid));
	EXPECT_EQ(sum, pm_checksum(buf, NPAGES * PAGE));

	/* Hot-remove with the folios resident: they move out, intact. */
	ASSERT_EQ(0, node_remove(self));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->r.nid));
	EXPECT_EQ(0L, pm_count_on_node(buf, NPAGES, self->r.nid));
	EXPECT_EQ(sum, pm_checksum(buf, NPAGES * PAGE));
	munmap(buf, NPAGES * PAGE);
}

FIXTURE(reclaim) {
	struct pn_range r;
	char cg[96];
};

FIXTURE_VARIANT(reclaim) {
	int cpusets;	/* a child cpuset exists: cpusets_enabled() */
};

FIXTURE_VARIANT_ADD(reclaim, no_cpusets) { .cpusets = 0 };
FIXTURE_VARIANT_ADD(reclaim, child_cpuset) { .cpusets = 1 };

FIXTURE_SETUP(reclaim)
{
	int ret = pn_take_dax(&self->r);

	self->cg[0] = '\0';
	if (ret > 0)
		SKIP(return, "no %s or no private_node_testdrv", DAX);
	ASSERT_EQ(0, ret);
	if (variant->cpusets)
		ASSERT_EQ(0, pm_cgroup_new(self->cg, sizeof(self->cg),
					   "pn-reclaim", "cpuset"));
}

FIXTURE_TEARDOWN(reclaim)
{
	if (self->cg[0])
		rmdir(self->cg);
	pn_put_back(&self->r);
}

/*
 * Child: fault @len bytes bound to @nid alone, then check every page: 0,
 * or 4 if some page is on DRAM, 3 if some page lost its data.
 */
static int fill_bound_and_check(size_t len, int nid)
{
	unsigned long mask = 1UL << nid, i, n = len / PAGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	if (mbind(p, len, MPOL_BIND, &mask, sizeof(mask) * 8, 0))
		return 2;
	for (i = 0; i < n; i++)
		*(unsigned long *)(p + i * PAGE) = i ^ 0x5a5aUL;
	/* Each page is on the node or in swap, none on DRAM (nodes 0, 1). */
	if (pm_count_on_node(p, n, 0) || pm_count_on_node(p, n, 1))
		return 4;
	for (i = 0; i < n; i++)
		if (*(unsigned long *)(p + i * PAGE) != (i ^ 0x5a5aUL))
			return 3;
	return 0;
}

TEST_F_TIMEOUT(reclaim, direct_reclaim_reaches_the_node, 600)
{
	long total_kb, swapped;
	size_t len;
	int status;
	pid_t pid;

	ASSERT_EQ(0, pn_add(&self->r, CAP_MIGRATION | CAP_MEMPOLICY |
			    CAP_RECLAIM));
	total_kb = pm_node_meminfo(self->r.nid, "MemTotal");
	ASSERT_GT(total_kb, 0);
	len = ((size_t)total_kb * 1024 / 4 * 5) & ~(PAGE - 1);
	swapped = pm_vmstat("pswpout");

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(fill_bound_and_check(len, self->r.nid));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	swapped = pm_vmstat("pswpout") - swapped;
	TH_LOG("%s: %zu MiB bound to node %d (%ld MiB): %s %d, %ld pages swapped out",
	       variant->cpusets ? "child cpuset" : "no cpuset", len >> 20,
	       self->r.nid, total_kb >> 10,
	       WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	       swapped);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("the bound task was killed");
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* At least the quarter over the node's size went to swap. */
	EXPECT_GE(swapped, (long)(len / PAGE / 5));
	EXPECT_EQ(0, pm_write_str(CONTROL, "remove"));
	self->r.added = 0;
}

/*
 * The machine as the other tests expect it: dax1.0 bound to device_dax and
 * no test node left, also after an earlier run was killed by a timeout.
 */
TEST(restore_dax_device)
{
	if (access(DAX_DIR, F_OK))
		SKIP(return, "no %s in this machine", DAX);
	if (!access(CONTROL, W_OK))
		pm_write_str(CONTROL, "remove");
	if (access(DAX_DRV "/" DAX, F_OK))
		pm_write_str(DAX_DRV "/bind", DAX);
	system("modprobe -r private_node_testdrv 2>/dev/null");
	EXPECT_EQ(0, access(DAX_DRV "/" DAX, F_OK));
	EXPECT_NE(0, access(CONTROL, F_OK));
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
