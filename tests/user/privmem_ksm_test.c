// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: KSM and private nodes, on a plain and on a compressed node made
 * from dax0.0 (fixture variants).
 *
 * Three mergeable (MADV_MERGEABLE) ranges of 4K pages, all in one process:
 *  - P: pages of content X migrated onto the private node (and, on a plain
 *    node, a /dev/privmemN mapping of content X);
 *  - D: pages of the same content X on DRAM node 0;
 *  - C: pages of content Y on DRAM node 0, the control.
 * KSM runs (run=1, merge_across_nodes=1, a short sleep, a large batch)
 * until full_scans has advanced by at least 3 and the control has merged.
 * Then the pages of P were not merged: each still maps the page frame it
 * had before KSM ran (all distinct, on the node); no page of D sits on
 * the private node or maps a frame of P (a DRAM page was not merged into
 * a private one); and the pages of C all map one frame: the control shows
 * KSM did run and merge, so the test can fail. Page frames come from
 * /proc/self/pagemap: 6.12's /proc/kpageflags reports KPF_KSM for every
 * anonymous page, so it cannot tell a merged page. KSM's settings are restored afterwards, with
 * run=2 first to unmerge everything.
 */
#define _GNU_SOURCE
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_distro.h"

#define KSM		"/sys/kernel/mm/ksm/"
#define NPAGES		64
#define LEN		(NPAGES * PM_PAGE)

static const char * const ksm_knobs[] = {
	"pages_to_scan", "sleep_millisecs", "merge_across_nodes", "run",
};

FIXTURE(ksm) {
	struct pm_binding b;
	int fd;
	char saved[4][32];
	int have_saved;
};

FIXTURE_VARIANT(ksm) {
	const char *type;
};

FIXTURE_VARIANT_ADD(ksm, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(ksm, compressed) { .type = "compressed" };

static long ksm_long(const char *knob)
{
	char path[96];

	snprintf(path, sizeof(path), KSM "%s", knob);
	return pm_read_long(path);
}

static int ksm_set(const char *knob, const char *val)
{
	char path[96];

	snprintf(path, sizeof(path), KSM "%s", knob);
	return pm_write_str(path, val);
}

FIXTURE_SETUP(ksm)
{
	char path[96];
	int i;

	self->fd = -1;
	if (access(KSM "run", W_OK))
		SKIP(return, "no KSM in this kernel (CONFIG_KSM)");
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), KSM "%s", ksm_knobs[i]);
		ASSERT_EQ(0, pm_read_str(path, self->saved[i],
					 sizeof(self->saved[i])));
	}
	self->have_saved = 1;
	/* Start from nothing merged, so merge_across_nodes can be set. */
	ASSERT_EQ(0, ksm_set("run", "2"));
	ASSERT_EQ(0, ksm_set("merge_across_nodes", "1"));
	ASSERT_EQ(0, ksm_set("pages_to_scan", "10000"));
	ASSERT_EQ(0, ksm_set("sleep_millisecs", "10"));
	self->fd = pm_bind_open(&self->b, variant->type);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(ksm)
{
	int i;

	if (self->have_saved) {
		ksm_set("run", "2");
		for (i = 0; i < 4; i++)
			if (ksm_set(ksm_knobs[i], self->saved[i]))
				TH_LOG("could not restore ksm/%s to %s",
				       ksm_knobs[i], self->saved[i]);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

static void fill_same(char *p, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i += PM_PAGE) {
		memset(p + i, c, PM_PAGE);
		/* Not the zero page, and not all-one-byte either. */
		memcpy(p + i, "privmem-ksm", 11);
	}
}

static void pfns_of(char *p, int n, unsigned long *pfns)
{
	int i;

	for (i = 0; i < n; i++)
		pfns[i] = pm_pfn_of(p + i * PM_PAGE);
}

/* How many distinct page frames @n pages map (0 frames not counted). */
static int distinct(const unsigned long *pfns, int n)
{
	int i, j, d = 0;

	for (i = 0; i < n; i++) {
		if (!pfns[i])
			continue;
		for (j = 0; j < i && pfns[j] != pfns[i]; j++)
			;
		d += j == i;
	}
	return d;
}

/* How many of the @n frames @a are among the @m frames @b. */
static int common(const unsigned long *a, int n, const unsigned long *b,
		  int m)
{
	int i, j, c = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			if (a[i] && a[i] == b[j]) {
				c++;
				break;
			}
	return c;
}

/* Pages of @p mapping the same frame as before (@before). */
static int unchanged(char *p, int n, const unsigned long *before)
{
	unsigned long now[NPAGES];
	int i, same = 0;

	pfns_of(p, n, now);
	for (i = 0; i < n; i++)
		same += now[i] && now[i] == before[i];
	return same;
}

TEST_F_TIMEOUT(ksm, never_merges_private_pages, 300)
{
	unsigned long p0[NPAGES], dev0[NPAGES], pn[NPAGES], dn[NPAGES];
	unsigned long cn[NPAGES];
	struct privmem_migrate m;
	char *p, *d, *c, *dev = NULL;
	long scans0, scans;
	int i, ok = 0, check_nid = self->b.nid;

	p = pm_anon(LEN, 0);
	d = pm_anon(LEN, 0);
	c = pm_anon(LEN, 0);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, c);
	fill_same(p, LEN, 'X');
	fill_same(d, LEN, 'X');
	fill_same(c, LEN, 'Y');
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, LEN,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ(NPAGES, (int)m.moved);
	ASSERT_EQ(NPAGES, pm_count_on_node(p, NPAGES, check_nid));
	ASSERT_EQ(NPAGES, pm_count_on_node(d, NPAGES, 0));
	ASSERT_EQ(NPAGES, pm_count_on_node(c, NPAGES, 0));
	ASSERT_EQ(0, madvise(p, LEN, MADV_MERGEABLE));
	ASSERT_EQ(0, madvise(d, LEN, MADV_MERGEABLE));
	ASSERT_EQ(0, madvise(c, LEN, MADV_MERGEABLE));

	/* A plain node also backs /dev/privmemN mappings: same content X. */
	if (!strcmp(variant->type, "plain")) {
		dev = pm_map(self->fd, LEN, 1);
		ASSERT_NE(NULL, dev);
		fill_same(dev, LEN, 'X');
		ASSERT_EQ(NPAGES, pm_count_on_node(dev, NPAGES, check_nid));
		ASSERT_EQ(0, madvise(dev, LEN, MADV_MERGEABLE));
	}

	pfns_of(p, NPAGES, p0);
	ASSERT_EQ(NPAGES, distinct(p0, NPAGES));
	if (dev) {
		pfns_of(dev, NPAGES, dev0);
		ASSERT_EQ(NPAGES, distinct(dev0, NPAGES));
	}
	scans0 = ksm_long("full_scans");
	ASSERT_EQ(0, ksm_set("run", "1"));
	for (i = 0; i < 600; i++) {	/* at most 120 s */
		usleep(200 * 1000);
		scans = ksm_long("full_scans");
		pfns_of(c, NPAGES, cn);
		if (scans >= scans0 + 3 && distinct(cn, NPAGES) == 1) {
			ok = 1;
			break;
		}
	}
	TH_LOG("full_scans %ld -> %ld, pages_sharing %ld, pages_shared %ld",
	       scans0, ksm_long("full_scans"), ksm_long("pages_sharing"),
	       ksm_long("pages_shared"));
	/* The control: KSM ran and merged the DRAM pages of content Y. */
	ASSERT_TRUE(ok) {
		TH_LOG("control not merged: its %d pages map %d frames",
		       NPAGES, distinct(cn, NPAGES));
	}
	EXPECT_LE(NPAGES - 1, ksm_long("pages_sharing"));

	/* P: not merged (the same distinct frames), still on the node. */
	pfns_of(p, NPAGES, pn);
	EXPECT_EQ(NPAGES, unchanged(p, NPAGES, p0));
	EXPECT_EQ(NPAGES, distinct(pn, NPAGES));
	EXPECT_EQ(NPAGES, pm_count_on_node(p, NPAGES, check_nid));
	/* D: merged or not, never onto a page of the private node. */
	pfns_of(d, NPAGES, dn);
	EXPECT_EQ(0, pm_count_on_node(d, NPAGES, self->b.nid));
	EXPECT_EQ(0, common(dn, NPAGES, p0, NPAGES));
	TH_LOG("frames mapped: P %d, D %d, C %d", distinct(pn, NPAGES),
	       distinct(dn, NPAGES), distinct(cn, NPAGES));
	if (dev) {
		pfns_of(dev, NPAGES, pn);
		EXPECT_EQ(NPAGES, unchanged(dev, NPAGES, dev0));
		EXPECT_EQ(NPAGES, distinct(pn, NPAGES));
		EXPECT_EQ(NPAGES, pm_count_on_node(dev, NPAGES, check_nid));
		EXPECT_EQ(0, common(dn, NPAGES, dev0, NPAGES));
	}
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(0, memcmp(p + i * PM_PAGE, d + i * PM_PAGE, PM_PAGE));
		if (dev)
			EXPECT_EQ(0, memcmp(dev + i * PM_PAGE, d + i * PM_PAGE,
					    PM_PAGE));
	}

	ASSERT_EQ(0, ksm_set("run", "2"));
	if (dev)
		munmap(dev, LEN);
	munmap(p, LEN);
	munmap(d, LEN);
	munmap(c, LEN);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
