// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: page allocations fail (fail_page_alloc) in the fault,
 * migration and promotion paths. Every operation must succeed or return
 * an error: faults are retried or the data is still written in full,
 * MIGRATE returns 0 (pages that could not move counted as failed) or an
 * errno, a promotion fault is retried. The data is checked after every
 * round (checksums), the private node's free pages (counted by a walk of
 * the node, tests/modules/privmem_nodewalk.c) return to their number
 * before the test once everything is unmapped (no leak), and the kernel
 * log gains no warning.
 *
 * Needs CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS: it
 * runs under make check-debug and skips (reported as a skip) on the
 * ordinary kernel. Failures are injected only into this process
 * (task-filter, /proc/self/make-it-fail), only while it does the
 * operation under test, with probabilities of 1, 10 and 50 percent. The
 * number of failures injected is printed ("faults injected: N").
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_nodewalk.h"

#define FPA	"/sys/kernel/debug/fail_page_alloc/"
#define TIMES	1000000000L
#define ROUNDS	8
#define LEN	(16UL << 20)

static int fpa_set(const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FPA "%s", attr);
	return pm_write_str(path, val);
}

static long fpa_times(void)
{
	return pm_read_long(FPA "times");
}

static int fpa_setup(void)
{
	char times[32];

	snprintf(times, sizeof(times), "%ld", TIMES);
	return fpa_set("task-filter", "Y") || fpa_set("min-order", "0") ||
	       fpa_set("ignore-gfp-wait", "N") ||
	       fpa_set("ignore-gfp-highmem", "N") ||
	       fpa_set("verbose", "0") || fpa_set("interval", "1") ||
	       fpa_set("space", "0") || fpa_set("times", times) ||
	       fpa_set("probability", "0");
}

#define SPLATS	"WARNING:|BUG:|Oops|KASAN|unreferenced object|circular locking"

/*
 * The node's free pages by a walk of the node (privmem_nodewalk), which
 * counts a page on a per-CPU free list as free: MemFree does not, and on
 * a node without CPUs a freed THP can wait on another CPU's list until
 * the next drain, which nothing guarantees. Walks until the count is
 * @want (at most 30 s); otherwise the last count, and what the walk found
 * allocated is logged.
 */
static long walk_free_back_to(struct __test_metadata *_metadata, int nid,
			      long want)
{
	struct pm_walk w = { .free = -1 };
	int i;

	for (i = 0; i < 30; i++) {
		if (pm_walk_node(nid, &w))
			return -1;
		if (w.free == want)
			return w.free;
		sleep(1);
	}
	TH_LOG("node %d: free %ld/%ld (want %ld): anon %ld file %ld slab %ld pt %ld other %ld",
	       nid, w.free, w.spanned, want, w.anon, w.file, w.slab,
	       w.pagetable, w.other);
	TH_LOG("node %d: MemFree %ld kB", nid, pm_node_meminfo(nid, "MemFree"));
	return w.free;
}

static int splats(void)
{
	return system("dmesg | grep -qE '" SPLATS "'") == 0;
}

FIXTURE(fi) {
	struct pm_binding b;
	int fd;
	int fail_fd;	/* /proc/self/make-it-fail, opened in advance */
	long free_pages;	/* the node's free pages (walk) after binding */
};

FIXTURE_VARIANT(fi) {
	const char *type;
};

FIXTURE_VARIANT_ADD(fi, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(fi, compressed) { .type = "compressed" };

FIXTURE_SETUP(fi)
{
	struct pm_walk w;

	if (access(FPA "probability", W_OK))
		SKIP(return, "no fail_page_alloc in this kernel (make check-debug runs it)");
	ASSERT_EQ(0, fpa_setup());
	self->fd = pm_bind_open(&self->b, variant->type);
	ASSERT_GE(self->fd, 0);
	/* Leaks are counted in free pages: no balloon moving under them. */
	ASSERT_EQ(0, pm_balloon_off(&self->b));
	self->fail_fd = open("/proc/self/make-it-fail", O_WRONLY);
	ASSERT_GE(self->fail_fd, 0);
	ASSERT_EQ(0, pm_walk_load());
	ASSERT_EQ(0, pm_walk_node(self->b.nid, &w));
	self->free_pages = w.free;
	ASSERT_LT(0, self->free_pages);
}

FIXTURE_TEARDOWN(fi)
{
	if (access(FPA "probability", W_OK))
		return;
	fpa_set("probability", "0");
	if (self->fail_fd >= 0)
		close(self->fail_fd);
	close(self->fd);
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

/* Injection on for this task: the probability in percent, 0 for off. */
static void inject(int fail_fd, int percent)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%d", percent);
	fpa_set("probability", buf);
	if (pwrite(fail_fd, percent ? "1" : "0", 1, 0) != 1)
		_exit(99);
}

static const int percents[] = { 1, 10, 50 };

/* Page faults of a /dev/privmemN mapping (plain) or of DRAM (compressed). */
TEST_F_TIMEOUT(fi, faults, 600)
{
	long before = fpa_times(), n;
	__u64 sum;
	char *p;
	int r;

	ASSERT_FALSE(splats());
	for (r = 0; r < ROUNDS; r++) {
		p = !strcmp(variant->type, "plain") ? pm_map(self->fd, LEN, 0) :
						      pm_anon(LEN, r % 2);
		ASSERT_NE(NULL, p);
		inject(self->fail_fd, percents[r % 3]);
		pm_fill(p, LEN, r);
		inject(self->fail_fd, 0);
		sum = pm_checksum(p, LEN);
		pm_fill(p, LEN, r);
		EXPECT_EQ(sum, pm_checksum(p, LEN));
		ASSERT_EQ(0, munmap(p, LEN));
	}
	n = before - fpa_times();
	TH_LOG("faults injected: %ld (fault path)", n);
	EXPECT_LT(0, n);
	EXPECT_EQ(self->free_pages,
		  walk_free_back_to(_metadata, self->b.nid, self->free_pages));
	EXPECT_FALSE(splats());
}

/* MIGRATE into the node and out again, with allocations failing. */
TEST_F_TIMEOUT(fi, migrate, 600)
{
	long before = fpa_times(), n, errs = 0, partial = 0;
	struct privmem_migrate m;
	__u64 sum;
	char *p;
	int r, ret, dir;

	ASSERT_FALSE(splats());
	for (r = 0; r < ROUNDS; r++) {
		p = pm_anon(LEN, r % 2);
		ASSERT_NE(NULL, p);
		pm_fill(p, LEN, 100 + r);
		sum = pm_checksum(p, LEN);
		for (dir = 0; dir < 2; dir++) {
			inject(self->fail_fd, percents[r % 3]);
			ret = pm_migrate(self->fd, &m, 0, p, LEN,
					 dir ? PRIVMEM_MIGRATE_FROM_NODE :
					       PRIVMEM_MIGRATE_TO_NODE, -1);
			inject(self->fail_fd, 0);
			if (ret) {
				errs++;
				EXPECT_TRUE(errno == ENOMEM || errno == ENOSPC ||
					    errno == EAGAIN || errno == EBUSY)
					TH_LOG("MIGRATE: %s", strerror(errno));
			} else {
				EXPECT_EQ(LEN / PM_PAGE, m.moved + m.failed +
					  m.already + m.absent);
				partial += m.failed != 0;
			}
			EXPECT_EQ(sum, pm_checksum(p, LEN));
		}
		/* Whatever stayed on the node goes back before the unmap. */
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, LEN,
					PRIVMEM_MIGRATE_FROM_NODE, -1));
		EXPECT_EQ(sum, pm_checksum(p, LEN));
		ASSERT_EQ(0, munmap(p, LEN));
	}
	n = before - fpa_times();
	TH_LOG("faults injected: %ld (migration), %ld MIGRATE errors, %ld partial",
	       n, errs, partial);
	EXPECT_LT(0, n);
	EXPECT_EQ(self->free_pages,
		  walk_free_back_to(_metadata, self->b.nid, self->free_pages));
	EXPECT_FALSE(splats());
}

/* Promotion: a write to a folio on the compressed node moves it to DRAM. */
TEST_F_TIMEOUT(fi, promotion, 600)
{
	long before = fpa_times(), n;
	struct privmem_migrate m;
	__u64 sum;
	char *p;
	size_t i;
	int r;

	if (strcmp(variant->type, "compressed"))
		SKIP(return, "promotion is a service of compressed nodes");
	ASSERT_FALSE(splats());
	for (r = 0; r < ROUNDS; r++) {
		p = pm_anon(LEN, r % 2);
		ASSERT_NE(NULL, p);
		pm_fill(p, LEN, 200 + r);
		sum = pm_checksum(p, LEN);
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, LEN,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		ASSERT_LT(0, m.moved);
		inject(self->fail_fd, percents[r % 3]);
		/* One write per page: each is a promotion fault. */
		for (i = 0; i < LEN; i += PM_PAGE)
			p[i + 8] ^= 0x55;
		inject(self->fail_fd, 0);
		for (i = 0; i < LEN; i += PM_PAGE)
			p[i + 8] ^= 0x55;
		EXPECT_EQ(sum, pm_checksum(p, LEN));
		/* Written folios left a compressed node (promoted). */
		if (!strcmp(variant->type, "compressed"))
			EXPECT_EQ(0, pm_count_on_node(p, LEN / PM_PAGE,
						      self->b.nid));
		ASSERT_EQ(0, munmap(p, LEN));
	}
	n = before - fpa_times();
	TH_LOG("faults injected: %ld (promotion)", n);
	EXPECT_LT(0, n);
	EXPECT_EQ(self->free_pages,
		  walk_free_back_to(_metadata, self->b.nid, self->free_pages));
	EXPECT_FALSE(splats());
}

/*
 * The control of the no-leak checks: pages held on the node are not
 * counted free by the walk, and come back when they are freed.
 */
TEST_F(fi, leak_check_sees_held_pages)
{
	size_t len = 4UL << 20;
	struct privmem_migrate m;
	struct pm_walk w;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 300);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ(len / PM_PAGE, m.moved);
	ASSERT_EQ(0, pm_walk_node(self->b.nid, &w));
	TH_LOG("holding %zu pages: walk free %ld of %ld at the start, anon %ld",
	       len / PM_PAGE, w.free, self->free_pages, w.anon);
	EXPECT_LE(w.free, self->free_pages - (long)(len / PM_PAGE));
	EXPECT_LE((long)(len / PM_PAGE), w.anon);
	ASSERT_EQ(0, munmap(p, len));
	EXPECT_EQ(self->free_pages,
		  walk_free_back_to(_metadata, self->b.nid, self->free_pages));
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
