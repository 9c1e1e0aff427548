// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 4: zone_reclaim_mode leaves a private node without the
 * reclaim service alone.
 *
 * With zone_reclaim_mode set (7: reclaim, write out, unmap), an allocation
 * whose zone is under its low watermark first reclaims that node
 * (node_reclaim()). A gated allocation reaches a private node's zone; a
 * plain node did not opt into reclaim, so nothing of it may be reclaimed.
 *
 * The test moves 32 MiB of a memfd (shmem: page cache node_reclaim counts
 * and may swap out) onto the plain node with move_pages(2), then faults a
 * /dev/privmemN mapping until the node's free pages sit between its min
 * and low watermarks, so that every further fault there fails the low
 * watermark. Afterwards every page of the memfd is still on the node, and
 * /proc/vmstat's zone_reclaim_success/zone_reclaim_failed (counted each
 * time node_reclaim() scans) did not move.
 *
 * Seen to fail before patch 0023: node_reclaim() scanned the node and
 * swapped memfd pages out.
 */
#define _GNU_SOURCE
#include <numaif.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MODE		"/proc/sys/vm/zone_reclaim_mode"
#define FILE_LEN	(32UL << 20)
#define FILE_PAGES	(FILE_LEN / PM_PAGE)

static struct pm_binding B;

/* The free/min/low pages of node @nid's populated zone (Movable). */
static int node_zone(int nid, long *free, long *min, long *low)
{
	char line[256], zone[16];
	int n = -1, in = 0;
	long v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -errno;
	*free = -1;
	*min = -1;
	*low = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %15s", &n, zone) == 2) {
			in = n == nid && !strcmp(zone, "Movable");
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			*free = v;
		else if (sscanf(line, " min %ld", &v) == 1 && *min < 0)
			*min = v;
		else if (sscanf(line, " low %ld", &v) == 1 && *low < 0)
			*low = v;
	}
	fclose(f);
	return *free >= 0 && *min > 0 && *low > *min ? 0 : -ENOENT;
}

/* How many of @n pages at @p move_pages(2) reports on node @nid. */
static long on_node(char *p, unsigned long n, int nid)
{
	void **pages = calloc(n, sizeof(*pages));
	int *status = calloc(n, sizeof(*status));
	unsigned long i;
	long c = -1;

	if (pages && status) {
		for (i = 0; i < n; i++)
			pages[i] = p + i * PM_PAGE;
		if (!move_pages(0, n, pages, NULL, status, 0))
			for (c = 0, i = 0; i < n; i++)
				c += status[i] == nid;
	}
	free(pages);
	free(status);
	return c;
}

FIXTURE(nr) {
	char saved[16];
	int fd, memfd;
	char *file, *fill;
	size_t fill_len;
};

FIXTURE_SETUP(nr)
{
	self->fd = -1;
	self->memfd = -1;
	self->file = MAP_FAILED;
	self->fill = MAP_FAILED;
	ASSERT_EQ(0, pm_read_str(MODE, self->saved, sizeof(self->saved)));
	self->fd = pm_open(&B);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(nr)
{
	if (self->fill != MAP_FAILED)
		munmap(self->fill, self->fill_len);
	if (self->file != MAP_FAILED)
		munmap(self->file, FILE_LEN);
	if (self->memfd >= 0)
		close(self->memfd);
	if (self->fd >= 0)
		close(self->fd);
	if (pm_write_str(MODE, self->saved))
		TH_LOG("could not restore %s to %s", MODE, self->saved);
}

TEST_F_TIMEOUT(nr, zone_reclaim_mode_spares_a_plain_node, 300)
{
	long nfree, min, low, target, ok0, fail0, ok1, fail1;
	void **pages;
	int *nodes, *status;
	unsigned long i;
	size_t len;

	/* 32 MiB of shmem page cache on the node. */
	self->memfd = memfd_create("privmem-node-reclaim", 0);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, FILE_LEN));
	self->file = mmap(NULL, FILE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->memfd, 0);
	ASSERT_NE(MAP_FAILED, self->file);
	pm_fill(self->file, FILE_LEN, 13);
	pages = calloc(FILE_PAGES, sizeof(*pages));
	nodes = calloc(FILE_PAGES, sizeof(*nodes));
	status = calloc(FILE_PAGES, sizeof(*status));
	ASSERT_TRUE(pages && nodes && status);
	for (i = 0; i < FILE_PAGES; i++) {
		pages[i] = self->file + i * PM_PAGE;
		nodes[i] = B.nid;
	}
	ASSERT_EQ(0, move_pages(0, FILE_PAGES, pages, nodes, status,
				MPOL_MF_MOVE));
	free(pages);
	free(nodes);
	free(status);
	ASSERT_EQ((long)FILE_PAGES, on_node(self->file, FILE_PAGES, B.nid));

	/* Fault the node down to between its min and low watermarks. */
	ASSERT_EQ(0, pm_write_str(MODE, "7"));
	ASSERT_EQ(0, node_zone(B.nid, &nfree, &min, &low));
	target = (min + low) / 2;
	TH_LOG("node %d: %ld free, min %ld, low %ld: faulting %ld pages", B.nid,
	       nfree, min, low, nfree - target);
	ASSERT_GT(nfree, low);
	len = (nfree - target) * PM_PAGE;
	self->fill = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			  self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->fill);
	self->fill_len = len;
	ASSERT_EQ(0, madvise(self->fill, len, MADV_NOHUGEPAGE));
	ok0 = pm_vmstat("zone_reclaim_success");
	fail0 = pm_vmstat("zone_reclaim_failed");
	for (i = 0; i < len; i += PM_PAGE)
		self->fill[i] = 1;
	ok1 = pm_vmstat("zone_reclaim_success");
	fail1 = pm_vmstat("zone_reclaim_failed");
	ASSERT_EQ(0, node_zone(B.nid, &nfree, &min, &low));
	TH_LOG("after: %ld free (min %ld, low %ld); zone_reclaim success +%ld, failed +%ld",
	       nfree, min, low, ok1 - ok0, fail1 - fail0);
	/* The node was under its low watermark: node_reclaim() was asked. */
	EXPECT_LT(nfree, low);
	EXPECT_EQ(ok0, ok1);
	EXPECT_EQ(fail0, fail1);
	EXPECT_EQ((long)FILE_PAGES, on_node(self->file, FILE_PAGES, B.nid));
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(self->fill, len / PM_PAGE, B.nid));
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return test_harness_run(argc, argv);
}
