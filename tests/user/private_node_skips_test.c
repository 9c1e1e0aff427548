// SPDX-License-Identifier: GPL-2.0
/*
 * mm services that always leave private folios alone, and a THP split,
 * on a private node made by private_node_testdrv from dax1.0 with the
 * migration and mempolicy caps:
 *
 *  - deferred_split_stays: a 2M folio placed on the node by mbind,
 *    partially unmapped, is split by the deferred-split shrinker
 *    (drop_caches); the remaining data is intact and still on the node
 *    (owners are not told of splits: the folio_split callback went with
 *    issue 15, as nothing needed it);
 *  - mlock_skips_private: mlock() of pages on the node leaves them off the
 *    unevictable LRU (the node's Mlocked stays 0) while the same on node
 *    1 (the control) is counted;
 *  - collapse_skips_private: MADV_COLLAPSE of a 2M range holding some
 *    pages of the node fails and moves nothing, while the same range
 *    entirely on node 1 (the control) collapses to a THP.
 *
 * KSM and memory failure on private nodes are tested by their own
 * programs (the guest kernel has Debian's mm configuration).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "private_node_testdrv.h"
#define CAPS		0x3	/* PRIVATE_NODE_CAP_MIGRATION | _MEMPOLICY */

FIXTURE(skips) {
	struct pn_range r;
};

FIXTURE_SETUP(skips)
{
	ASSERT_EQ(0, pn_take_dax(&self->r));
	ASSERT_EQ(0, pn_add(&self->r, CAPS));
}

FIXTURE_TEARDOWN(skips)
{
	pn_put_back(&self->r);
}

static int move_range(char *p, unsigned long first, unsigned long nr, int nid)
{
	void **pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	int *status = calloc(nr, sizeof(*status));
	unsigned long i;
	int ret = -1;

	if (pages && nodes && status) {
		for (i = 0; i < nr; i++) {
			pages[i] = p + (first + i) * PM_PAGE;
			nodes[i] = nid;
		}
		ret = move_pages(0, nr, pages, nodes, status, MPOL_MF_MOVE);
	}
	free(pages);
	free(nodes);
	free(status);
	return ret;
}

TEST_F_TIMEOUT(skips, deferred_split_stays, 120)
{
	unsigned long mask = 1UL << self->r.nid;
	long huge0;
	char *p;
	__u64 sum;
	size_t i;

	huge0 = pm_anon_huge_kb();
	p = pm_anon(PM_HPAGE, 1);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mbind(p, PM_HPAGE, MPOL_BIND, &mask, sizeof(mask) * 8, 0));
	pm_fill(p, PM_HPAGE, 71);
	ASSERT_EQ(2048, pm_anon_huge_kb() - huge0)
		TH_LOG("no THP on the private node");
	ASSERT_EQ(512, pm_count_on_node(p, 512, self->r.nid));

	/* Unmap one page: the folio is queued for a deferred split. */
	ASSERT_EQ(0, munmap(p + 100 * PM_PAGE, PM_PAGE));
	sum = 0;
	for (i = 0; i < 512; i++)
		if (i != 100)
			sum += pm_checksum(p + i * PM_PAGE, PM_PAGE);
	ASSERT_EQ(0, pm_write_str("/proc/sys/vm/drop_caches", "2"));
	/* Split (no THP left), and every page still on the node. */
	EXPECT_EQ(0, pm_anon_huge_kb() - huge0);
	EXPECT_EQ(511, pm_count_on_node(p, 100, self->r.nid) +
		  pm_count_on_node(p + 101 * PM_PAGE, 411, self->r.nid));
	for (i = 0; i < 512; i++)
		if (i != 100)
			sum -= pm_checksum(p + i * PM_PAGE, PM_PAGE);
	EXPECT_EQ(0ULL, sum);
	munmap(p, 100 * PM_PAGE);
	munmap(p + 101 * PM_PAGE, 411 * PM_PAGE);
}

TEST_F(skips, mlock_skips_private)
{
	size_t len = 4UL << 20, n = len / PM_PAGE;
	long priv0, ctl0, priv, ctl;
	char *a, *b;
	int i;

	a = pm_anon(len, 0);
	b = pm_anon(len, 0);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	pm_fill(a, len, 72);
	pm_fill(b, len, 73);
	ASSERT_EQ(0, move_range(a, 0, n, self->r.nid));
	ASSERT_EQ(0, move_range(b, 0, n, 1));
	ASSERT_EQ((long)n, pm_count_on_node(a, n, self->r.nid));
	ASSERT_EQ((long)n, pm_count_on_node(b, n, 1));
	priv0 = pm_node_meminfo(self->r.nid, "Mlocked");
	ctl0 = pm_node_meminfo(1, "Mlocked");
	ASSERT_EQ(0, mlock(a, len));
	ASSERT_EQ(0, mlock(b, len));
	/* Per-cpu counter deltas are folded into the node's within ~1 s. */
	for (i = 0; i < 50; i++) {
		ctl = pm_node_meminfo(1, "Mlocked") - ctl0;
		if (ctl >= (long)(len >> 10))
			break;
		usleep(100000);
	}
	sleep(1);
	priv = pm_node_meminfo(self->r.nid, "Mlocked") - priv0;
	ctl = pm_node_meminfo(1, "Mlocked") - ctl0;
	TH_LOG("Mlocked: private node %+ld kB, node 1 %+ld kB", priv, ctl);
	EXPECT_EQ((long)(len >> 10), ctl);
	EXPECT_EQ(0, priv);
	/* Still there and readable; munlock works on them. */
	EXPECT_EQ((long)n, pm_count_on_node(a, n, self->r.nid));
	EXPECT_EQ(0, munlock(a, len));
	EXPECT_EQ(0, munlock(b, len));
	munmap(a, len);
	munmap(b, len);
}

TEST_F_TIMEOUT(skips, collapse_skips_private, 120)
{
	char *p, *q;

	/*
	 * Control: a 2M range of 4K pages on node 1 collapses (given a free
	 * 2M block on node 1: pm_collapse_range() compacts and retries).
	 */
	q = pm_anon(PM_HPAGE, 0);
	ASSERT_NE(NULL, q);
	pm_fill(q, PM_HPAGE, 74);
	ASSERT_EQ(0, move_range(q, 0, 512, 1));
	ASSERT_EQ(0, madvise(q, PM_HPAGE, MADV_HUGEPAGE));
	/*
	 * MADV_HUGEPAGE puts the mm on khugepaged's list, and khugepaged may
	 * collapse the range first (seen on the debug kernel, where reading
	 * smaps is slow): either way the control range ends up a THP.
	 */
	if (pm_vma_huge_kb(q) == 2048)
		TH_LOG("control: khugepaged collapsed the range first");
	else
		EXPECT_EQ(2048, pm_collapse_range(q, 1));

	/*
	 * Mostly node 1, some pages private: without the skip the collapse
	 * would copy them into a THP on node 1.
	 */
	p = pm_anon(PM_HPAGE, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, PM_HPAGE, 75);
	ASSERT_EQ(0, move_range(p, 0, 300, 1));
	ASSERT_EQ(0, move_range(p, 300, 212, self->r.nid));
	ASSERT_EQ(212, pm_count_on_node(p, 512, self->r.nid));
	ASSERT_EQ(0, madvise(p, PM_HPAGE, MADV_HUGEPAGE));
	EXPECT_EQ(-1, madvise(p, PM_HPAGE, MADV_COLLAPSE));
	TH_LOG("MADV_COLLAPSE with private pages: %s", strerror(errno));
	EXPECT_EQ(0, pm_vma_huge_kb(p));
	EXPECT_EQ(212, pm_count_on_node(p, 512, self->r.nid));
	EXPECT_EQ(300, pm_count_on_node(p, 512, 1));
	munmap(p, PM_HPAGE);
	munmap(q, PM_HPAGE);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
