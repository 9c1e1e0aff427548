// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: a compressed node made from dax0.0, with a 64 MiB emulated
 * physical capacity (module parameter physical_size at bind time).
 *
 *  - read_only_after_migrate: pages migrated in read back intact and stay
 *    on the node across reads;
 *  - promote_one_page / promote_huge_folio: a write promotes exactly the
 *    written folio (a THP promotes whole, 512 pages) and the counters
 *    agree;
 *  - concurrent_writers: 8 threads write random pages of a 128 MiB
 *    compressed region for 30 s and lose no write, with no kernel warning;
 *  - mprotect_keeps_read_only: mprotect(PROT_WRITE) does not make the
 *    PTEs writable: every write still promotes;
 *  - compression_ratio: zero, random, text and 2:1 data report the ratio
 *    and physical use that userspace liblz4 computes, within 2%;
 *  - backpressure: filling past the high watermark raises the maximum
 *    (a poller sees it), MIGRATE is refused and reclaim on node 1 swaps
 *    instead of demoting (both counted); freeing below the low watermark
 *    clears it (the poller sees it) and reclaim demotes again;
 *  - demotion_end_to_end: reclaim of node 1 memory lands cold pages on
 *    the node; reading them does not promote, writing does.
 *
 * The promotion, demotion and backpressure tests run with the multi-gen
 * LRU on (as distributions boot) and off (fixture cram_lru). The guest has
 * zram swap (scripts/guest/guest-init).
 */
#define _GNU_SOURCE
#include <lz4.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define PHYS_SIZE	(64UL << 20)
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_FILL		CG_ROOT "/privmem-cram-fill"
#define CG_N1		CG_ROOT "/privmem-cram-n1"

static struct pm_binding B;

FIXTURE(cram) {
	int fd;
};

FIXTURE_SETUP(cram)
{
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(cram)
{
	pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR);
	close(self->fd);
}

/*
 * The tests that go through the LRU (promotion isolates the folio,
 * demotion and the blocked node's swap-out are reclaim) run twice: with
 * the multi-gen LRU on, as distributions boot, and with the classic LRU.
 */
FIXTURE(cram_lru) {
	int fd;
	char lru_gen[16];
};

FIXTURE_VARIANT(cram_lru) {
	int lru_gen;
};

FIXTURE_VARIANT_ADD(cram_lru, lru_gen_on) { .lru_gen = 1 };
FIXTURE_VARIANT_ADD(cram_lru, lru_gen_off) { .lru_gen = 0 };

FIXTURE_SETUP(cram_lru)
{
	pm_lru_fixture_setup(_metadata, &B, &self->fd, variant->lru_gen,
			     self->lru_gen, sizeof(self->lru_gen));
}

FIXTURE_TEARDOWN(cram_lru)
{
	pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR);
	close(self->fd);
	pm_lru_gen_restore(self->lru_gen);
}

static long long cram_sys(const char *attr)
{
	char path[64];

	snprintf(path, sizeof(path), "cram/%s", attr);
	return pm_sys_long(&B, path);
}

/* Wait up to 2 s for the node to hold @want pages (frees may lag). */
static int wait_stored(int fd, __u64 want, struct privmem_pressure *p)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (pm_pressure(fd, p))
			return 0;
		if (p->stored_pages == want)
			return 1;
		usleep(20000);
	}
	return 0;
}

/* @len bytes of 4K pages, on DRAM, @fill'ed, then migrated to the node. */
static char *cram_buffer(struct __test_metadata *_metadata, int fd,
			 size_t len, int thp, unsigned int seed)
{
	struct privmem_migrate m;
	char *p = pm_anon(len, thp);

	EXPECT_NE(NULL, p);
	if (!p)
		return NULL;
	pm_fill(p, len, seed);
	EXPECT_EQ(0, pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(len / PM_PAGE, m.moved);
	return p;
}

TEST_F(cram, node_is_compressed)
{
	struct privmem_pressure p;
	struct privmem_info info;

	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ(PRIVMEM_TYPE_COMPRESSED, info.type);
	EXPECT_TRUE(info.caps & PRIVMEM_CAP_PROTECT_WRITE);
	EXPECT_TRUE(info.caps & PRIVMEM_CAP_DEMOTION);
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_EQ(PHYS_SIZE, p.physical_capacity);
	EXPECT_EQ(PHYS_SIZE, cram_sys("physical_capacity"));
	EXPECT_EQ(p.physical_used, p.bytes_charged - p.bytes_uncharged);
}

TEST_F(cram, read_only_after_migrate)
{
	size_t len = 4 << 20, n = len / PM_PAGE;
	struct privmem_pressure p0, p1;
	__u64 sum;
	char *buf;
	int i;

	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	buf = cram_buffer(_metadata, self->fd, len, 0, 7);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ((long)n, pm_count_on_node(buf, n, B.nid));
	for (i = 0; i < 3; i++) {
		/* Recompute the expected data in a scratch buffer. */
		char *want = malloc(len);

		ASSERT_NE(NULL, want);
		pm_fill(want, len, 7);
		sum = pm_checksum(want, len);
		free(want);
		EXPECT_EQ(sum, pm_checksum(buf, len));
		EXPECT_EQ((long)n, pm_count_on_node(buf, n, B.nid));
	}
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_EQ(p0.promotions, p1.promotions);
	EXPECT_EQ(p0.stored_pages + n, p1.stored_pages);
	EXPECT_GT(p1.physical_used, p0.physical_used);
	munmap(buf, len);
	EXPECT_TRUE(wait_stored(self->fd, p0.stored_pages, &p1));
	EXPECT_EQ(p0.physical_used, p1.physical_used);
}

TEST_F(cram_lru, promote_one_page)
{
	size_t len = 64 * PM_PAGE, n = len / PM_PAGE;
	struct privmem_pressure p0, p1;
	char *buf;
	int status = -1;
	void *pg;

	buf = cram_buffer(_metadata, self->fd, len, 0, 9);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	buf[10 * PM_PAGE + 5] = 0x5a;
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_EQ(0x5a, buf[10 * PM_PAGE + 5]);
	EXPECT_EQ(p0.promotions + 1, p1.promotions);
	EXPECT_EQ(p0.promotion_failures, p1.promotion_failures);
	EXPECT_EQ(p0.stored_pages - 1, p1.stored_pages);
	EXPECT_LT(p1.physical_used, p0.physical_used);
	EXPECT_EQ((long)n - 1, pm_count_on_node(buf, n, B.nid));
	pg = buf + 10 * PM_PAGE;
	ASSERT_EQ(0, move_pages(0, 1, &pg, NULL, &status, 0));
	EXPECT_TRUE(status == 0 || status == 1) TH_LOG("page on node %d", status);
	/* A second write to it is an ordinary one. */
	buf[10 * PM_PAGE + 6] = 0x5b;
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	EXPECT_EQ(p1.promotions, p0.promotions);
	munmap(buf, len);
}

/* Documented behaviour: a THP promotes whole, all 512 pages. */
TEST_F(cram_lru, promote_huge_folio)
{
	size_t len = 2 * PM_HPAGE, n = len / PM_PAGE;
	struct privmem_pressure p0, p1;
	long huge0, huge;
	char *buf;

	huge0 = pm_anon_huge_kb();
	buf = cram_buffer(_metadata, self->fd, len, 1, 11);
	ASSERT_NE(NULL, buf);
	huge = pm_anon_huge_kb() - huge0;
	TH_LOG("AnonHugePages +%ld kB after migrating in", huge);
	if (huge < 4096) {
		munmap(buf, len);
		SKIP(return, "no THPs on the compressed node");
	}
	EXPECT_EQ((long)n, pm_count_on_node(buf, n, B.nid));
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	buf[PM_HPAGE + 100 * PM_PAGE] = 1;
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_EQ(p0.promotions + 512, p1.promotions);
	EXPECT_EQ(p0.stored_pages - 512, p1.stored_pages);
	EXPECT_EQ(512, pm_count_on_node(buf, 512, B.nid));
	EXPECT_EQ(0, pm_count_on_node(buf + PM_HPAGE, 512, B.nid));
	EXPECT_EQ(1, buf[PM_HPAGE + 100 * PM_PAGE]);
	munmap(buf, len);
}

TEST_F(cram, mprotect_keeps_read_only)
{
	size_t len = 32 * PM_PAGE, n = len / PM_PAGE;
	struct privmem_pressure p0, p1;
	char *buf;
	int i;

	buf = cram_buffer(_metadata, self->fd, len, 0, 13);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, mprotect(buf, len, PROT_READ));
	ASSERT_EQ(0, mprotect(buf, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ((long)n, pm_count_on_node(buf, n, B.nid));
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	for (i = 0; i < 3; i++)
		buf[i * 5 * PM_PAGE] = 0x11;
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	/* Writable PTEs would have let the writes through unpromoted. */
	EXPECT_EQ(p0.promotions + 3, p1.promotions);
	EXPECT_EQ((long)n - 3, pm_count_on_node(buf, n, B.nid));
	munmap(buf, len);
}

/* --- concurrency ------------------------------------------------------ */

#define CW_THREADS	8
#define CW_LEN		(128UL << 20)
#define CW_PAGES	(CW_LEN / PM_PAGE)

struct cw {
	__u64 *base;
	__u32 *last;		/* [thread][page] last value written */
	int tid;
	int seconds;
	long writes;
};

static void *cw_thread(void *arg)
{
	struct cw *w = arg;
	unsigned int seed = 0x1234 + w->tid;
	__u32 *last = w->last + (size_t)w->tid * CW_PAGES;
	time_t end = time(NULL) + w->seconds;
	__u32 v = 0;

	while (time(NULL) < end) {
		int k;

		for (k = 0; k < 256; k++) {
			size_t pg = rand_r(&seed) % CW_PAGES;

			v++;
			/* Word tid+1 of the page is this thread's. */
			w->base[pg * (PM_PAGE / 8) + w->tid + 1] = v;
			last[pg] = v;
			w->writes++;
		}
	}
	return NULL;
}

static int count_kernel_warnings(void)
{
	FILE *f = popen("dmesg | grep -cE 'WARNING:|BUG:|Oops|cut here'", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

TEST_F_TIMEOUT(cram, concurrent_writers, 240)
{
	struct cw w[CW_THREADS];
	pthread_t th[CW_THREADS];
	struct privmem_pressure p0, p1;
	struct privmem_migrate m;
	__u32 *last;
	__u64 *base;
	long lost = 0, writes = 0;
	size_t pg;
	int t, warn0;

	warn0 = count_kernel_warnings();
	base = (__u64 *)pm_anon(CW_LEN, 0);
	ASSERT_NE(NULL, base);
	last = calloc((size_t)CW_THREADS * CW_PAGES, sizeof(*last));
	ASSERT_NE(NULL, last);
	memset(base, 0, CW_LEN);
	for (pg = 0; pg < CW_PAGES; pg++)
		base[pg * (PM_PAGE / 8)] = pg;
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, base, CW_LEN,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(CW_PAGES, m.moved);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));

	for (t = 0; t < CW_THREADS; t++) {
		w[t] = (struct cw){ .base = base, .last = last, .tid = t,
				    .seconds = 30 };
		ASSERT_EQ(0, pthread_create(&th[t], NULL, cw_thread, &w[t]));
	}
	for (t = 0; t < CW_THREADS; t++) {
		pthread_join(th[t], NULL);
		writes += w[t].writes;
	}
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));

	for (pg = 0; pg < CW_PAGES; pg++) {
		__u64 *page = base + pg * (PM_PAGE / 8);

		if (page[0] != pg)
			lost++;
		for (t = 0; t < CW_THREADS; t++)
			if (page[t + 1] != last[(size_t)t * CW_PAGES + pg])
				lost++;
	}
	TH_LOG("%ld writes, %llu promotions, %llu failures, %llu pages left on the node",
	       writes, (unsigned long long)(p1.promotions - p0.promotions),
	       (unsigned long long)(p1.promotion_failures -
				    p0.promotion_failures),
	       (unsigned long long)p1.stored_pages);
	EXPECT_EQ(0, lost);
	EXPECT_GT(p1.promotions, p0.promotions);
	/* Every promoted page left the device. */
	EXPECT_EQ(pm_count_on_node(base, CW_PAGES, B.nid),
		  (long)p1.stored_pages);
	EXPECT_EQ(warn0, count_kernel_warnings());
	free(last);
	munmap(base, CW_LEN);
}

/* --- compression ratio ------------------------------------------------- */

static unsigned int lz4_cost(const char *page)
{
	char dst[LZ4_COMPRESSBOUND(4096)];
	int n = LZ4_compress_default(page, dst, PM_PAGE, sizeof(dst));

	return n <= 0 || n >= (int)PM_PAGE ? PM_PAGE : (unsigned int)n;
}

static const char *const words[] = {
	"the", "memory", "node", "private", "compressed", "page", "kernel",
	"device", "write", "fault", "promotion", "of", "and", "a", "to",
	"reclaim", "demotion", "pressure", "is", "in", "swap", "folio",
};

static void fill_kind(char *p, size_t len, int kind)
{
	size_t i;

	switch (kind) {
	case 0:		/* zero pages (real ones, not the zero page) */
		memset(p, 1, len);
		memset(p, 0, len);
		break;
	case 1:		/* random */
		pm_fill(p, len, 17);
		break;
	case 2: {	/* text */
		unsigned int seed = 5;
		size_t o = 0;

		while (o < len) {
			const char *w = words[rand_r(&seed) % ARRAY_SIZE(words)];
			size_t l = strlen(w);

			for (i = 0; i < l && o < len; i++)
				p[o++] = w[i];
			if (o < len)
				p[o++] = rand_r(&seed) % 11 ? ' ' : '\n';
		}
		break;
	}
	default:	/* 2:1: 64 random bytes, 64 zero bytes */
		pm_fill(p, len, 23);
		for (i = 0; i < len; i += 128)
			memset(p + i + 64, 0, 64);
		break;
	}
}

TEST_F(cram, compression_ratio)
{
	static const char *const names[] = { "zero", "random", "text", "2:1" };
	size_t len = 2 << 20, n = len / PM_PAGE, i;
	int kind;

	for (kind = 0; kind < 4; kind++) {
		struct privmem_pressure p0, p1;
		struct privmem_migrate m;
		unsigned long long sum = 0;
		double want, got, used;
		char *buf = pm_anon(len, 0);

		ASSERT_NE(NULL, buf);
		fill_kind(buf, len, kind);
		for (i = 0; i < n; i++)
			sum += lz4_cost(buf + i * PM_PAGE);
		ASSERT_TRUE(wait_stored(self->fd, 0, &p0))
			TH_LOG("node not empty: %llu pages",
			       (unsigned long long)p0.stored_pages);
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, buf, len,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		ASSERT_EQ(n, m.moved);
		ASSERT_EQ(0, pm_pressure(self->fd, &p1));
		want = (double)n * PM_PAGE * 1000 / sum;
		got = p1.compression_ratio;
		used = p1.physical_used;
		TH_LOG("%-6s liblz4 %llu bytes ratio %.0f; node %llu bytes ratio %u",
		       names[kind], sum, want,
		       (unsigned long long)p1.physical_used,
		       p1.compression_ratio);
		EXPECT_EQ(n, p1.stored_pages);
		EXPECT_LE(fabs(got - want), want * 0.02);
		EXPECT_LE(fabs(used - sum), sum * 0.02);
		EXPECT_EQ(p1.compression_ratio, cram_sys("compression_ratio"));
		EXPECT_EQ((long long)p1.physical_used, cram_sys("physical_used"));
		munmap(buf, len);
		EXPECT_TRUE(wait_stored(self->fd, 0, &p1));
		EXPECT_EQ(0ULL, p1.physical_used);
	}
}

/* --- reclaim of node 1 memory ------------------------------------------- */

/*
 * A child in CG_N1 fills @len bytes bound to node 1; the parent asks the
 * cgroup to reclaim them; the child then reports through @res how many of
 * its pages are on the compressed node, reads them all (checksum) and
 * counts again, then writes one page that is on the node and counts.
 */
struct reclaim_result {
	long on_node, after_read, after_write, swapped;
	int intact, write_ok;
};

static int reclaim_node1(struct __test_metadata *_metadata, size_t len,
			 struct reclaim_result *res, int do_write)
{
	int up[2], down[2], rp[2], status;
	char c, buf[64];
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, pipe(rp));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct reclaim_result r = { 0 };
		size_t n = len / PM_PAGE, i;
		__u64 sum;
		char *p;

		p = pm_child_node1_fill(CG_N1, len, 31);
		for (i = 0; i < len; i += 256)	/* compressible */
			memset(p + i + 32, 0, 224);
		sum = pm_checksum(p, len);
		if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(6);
		r.on_node = pm_count_on_node(p, n, B.nid);
		r.swapped = n - pm_count_on_node(p, n, 1) - r.on_node;
		r.intact = pm_checksum(p, len) == sum;
		r.after_read = pm_count_on_node(p, n, B.nid);
		r.after_write = r.after_read;
		if (do_write && r.after_read > 0) {
			int *st = calloc(n, sizeof(int));
			void **pages = calloc(n, sizeof(void *));

			for (i = 0; i < n; i++)
				pages[i] = p + i * PM_PAGE;
			move_pages(0, n, pages, NULL, st, 0);
			for (i = 0; i < n && st[i] != B.nid; i++)
				;
			/* Atomic: the two stores must not fold away. */
			__atomic_fetch_xor(p + i * PM_PAGE, 0xff, __ATOMIC_RELAXED);
			__atomic_fetch_xor(p + i * PM_PAGE, 0xff, __ATOMIC_RELAXED);
			r.write_ok = pm_checksum(p, len) == sum;
			r.after_write = pm_count_on_node(p, n, B.nid);
		}
		if (write(rp[1], &r, sizeof(r)) != sizeof(r))
			_exit(7);
		_exit(0);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	snprintf(buf, sizeof(buf), "%zu", len);
	/* May fail with EAGAIN when it cannot reclaim everything. */
	pm_write_str(CG_N1 "/memory.reclaim", buf);
	ASSERT_EQ(1, write(down[1], "c", 1));
	ASSERT_EQ(sizeof(*res), read(rp[0], res, sizeof(*res)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(rp[0]);
	close(rp[1]);
	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static char saved_demotion[16];

static void reclaim_setup(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, pm_read_str("/sys/kernel/mm/numa/demotion_enabled",
				 saved_demotion, sizeof(saved_demotion)));
	ASSERT_EQ(0, pm_write_str("/sys/kernel/mm/numa/demotion_enabled",
				  "true"));
	pm_write_str(CG_ROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG_N1);
	ASSERT_EQ(0, mkdir(CG_N1, 0755));
}

static void reclaim_teardown(void)
{
	rmdir(CG_N1);
	pm_write_str("/sys/kernel/mm/numa/demotion_enabled", saved_demotion);
}

TEST_F_TIMEOUT(cram_lru, demotion_end_to_end, 180)
{
	struct privmem_pressure p0, p1;
	struct reclaim_result r;

	reclaim_setup(_metadata);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	ASSERT_EQ(0, reclaim_node1(_metadata, 16 << 20, &r, 1));
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	TH_LOG("on node %ld, after reading %ld, after a write %ld, swapped %ld",
	       r.on_node, r.after_read, r.after_write, r.swapped);
	TH_LOG("demotions_in +%llu, promotions +%llu",
	       (unsigned long long)(p1.demotions_in - p0.demotions_in),
	       (unsigned long long)(p1.promotions - p0.promotions));
	EXPECT_GT(r.on_node, 0);
	EXPECT_TRUE(r.intact);
	EXPECT_EQ(r.on_node, r.after_read);
	EXPECT_EQ(r.after_read - 1, r.after_write);
	EXPECT_TRUE(r.write_ok);
	EXPECT_GE(p1.demotions_in - p0.demotions_in, (__u64)r.on_node);
	EXPECT_EQ(p0.promotions + 1, p1.promotions);
	/* Reclaim ran under the LRU the variant asked for. */
	EXPECT_EQ(variant->lru_gen, pm_lru_gen() & 1);
	reclaim_teardown();
}

/* --- backpressure ------------------------------------------------------- */

static int pollpri(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLPRI };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLPRI);
}

static long swap_free_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SwapFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * The filler: a child in CG_FILL (no swap, so kswapd cannot evict its
 * pages from the node) migrates @len bytes of random data to the node,
 * reports, and frees it when told to.
 */
static pid_t start_filler(struct __test_metadata *_metadata, size_t len,
			  int *ctl)
{
	int up[2], down[2];
	char c, buf[64];
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct privmem_migrate m;
		int fd = pm_open(&B);
		char *p;

		snprintf(buf, sizeof(buf), "%d", getpid());
		if (fd < 0 || pm_write_str(CG_FILL "/cgroup.procs", buf))
			_exit(3);
		p = pm_anon(len, 0);
		if (!p)
			_exit(4);
		pm_fill(p, len, 41);
		pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE, -1);
		if (write(up[1], "f", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(6);
		munmap(p, len);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_EQ(1, read(up[0], &c, 1));
	close(up[0]);
	*ctl = down[1];
	return pid;
}

TEST_F_TIMEOUT(cram_lru, backpressure, 240)
{
	struct privmem_pressure p0, p, p1;
	struct privmem_migrate m;
	struct reclaim_result r;
	long refused0, swap0;
	size_t small = 1 << 20;
	int ctl, status;
	char *buf;
	pid_t pid;

	reclaim_setup(_metadata);
	rmdir(CG_FILL);
	ASSERT_EQ(0, mkdir(CG_FILL, 0755));
	ASSERT_EQ(0, pm_write_str(CG_FILL "/memory.swap.max", "0"));
	swap0 = swap_free_kb();
	ASSERT_GT(swap0, 0) TH_LOG("the guest has no swap");

	ASSERT_EQ(0, pm_pressure(self->fd, &p0));	/* acknowledge */
	EXPECT_EQ(PRIVMEM_STATE_NORMAL, p0.state);
	/* 60 MiB of random data, past the 90% (57.6 MiB) watermark. */
	pid = start_filler(_metadata, 60 << 20, &ctl);
	EXPECT_TRUE(pollpri(self->fd, 5000));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	TH_LOG("filled: physical %llu of %llu, level %u, refused %llu",
	       (unsigned long long)p.physical_used,
	       (unsigned long long)p.physical_capacity, p.level,
	       (unsigned long long)p.demotions_refused);
	EXPECT_EQ(1000U, p.level);
	EXPECT_EQ(PRIVMEM_STATE_HIGH, p.state);
	EXPECT_TRUE(p.flags & PRIVMEM_PRESSURE_BLOCKED);
	EXPECT_GE(p.physical_used, PHYS_SIZE * 9 / 10);

	/* Explicit migration in is refused, and counted. */
	buf = pm_anon(small, 0);
	ASSERT_NE(NULL, buf);
	memset(buf, 3, small);
	EXPECT_EQ(-1, pm_migrate(self->fd, &m, 0, buf, small,
				 PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_GE(p1.demotions_refused, p.demotions_refused + small / PM_PAGE);

	/* Reclaim of node 1 cannot demote: it swaps, and the node counts. */
	refused0 = cram_sys("reclaim_demotions_refused");
	ASSERT_EQ(0, reclaim_node1(_metadata, 8 << 20, &r, 0));
	TH_LOG("blocked: on node %ld, swapped %ld, reclaim refused +%lld, swap used +%ld kB",
	       r.on_node, r.swapped,
	       cram_sys("reclaim_demotions_refused") - refused0,
	       swap0 - swap_free_kb());
	EXPECT_EQ(0, r.on_node);
	EXPECT_GT(r.swapped, 0);
	EXPECT_TRUE(r.intact);
	EXPECT_GT(cram_sys("reclaim_demotions_refused"), refused0);

	/* Free the filler: below the low watermark the maximum clears. */
	ASSERT_EQ(1, write(ctl, "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(ctl);
	EXPECT_TRUE(pollpri(self->fd, 5000));
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	EXPECT_LT(p.level, p.low);
	EXPECT_FALSE(p.flags & PRIVMEM_PRESSURE_BLOCKED);
	EXPECT_EQ(PRIVMEM_STATE_NORMAL, p.state);

	/* Demotion resumes. */
	ASSERT_EQ(0, reclaim_node1(_metadata, 8 << 20, &r, 0));
	TH_LOG("cleared: on node %ld, swapped %ld", r.on_node, r.swapped);
	EXPECT_GT(r.on_node, 0);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_GT(p1.demotions_in, p.demotions_in);
	munmap(buf, small);
	rmdir(CG_FILL);
	reclaim_teardown();
}

static int was_privmem;
static pid_t cram_pid;

/*
 * test_harness_run() exits: put dax0.0 back from an atexit handler (the
 * harness's test children leave with _exit() and do not run it).
 */
static void cram_restore(void)
{
	if (getpid() != cram_pid)
		return;
	if (pm_restore(&B)) {
		printf("# could not put %s back\n", PM_DAX);
		fflush(stdout);
		_exit(1);
	}
	/* As found: bound to privmem as a plain node. */
	if (was_privmem && !pm_bind(&B, "plain"))
		B.bound = 0;
}

int main(int argc, char **argv)
{
	char phys[32];
	int ret;

	snprintf(phys, sizeof(phys), "%lu", PHYS_SIZE);
	/* An earlier test may have left dax0.0 bound (plain): rebind it. */
	if (!access(PM_DRV "/" PM_DAX, F_OK)) {
		was_privmem = 1;
		if (pm_write_str(PM_DRV "/unbind", PM_DAX)) {
			printf("Bail out! %s is busy as a privmem node\n", PM_DAX);
			return 1;
		}
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
	}
	ret = pm_bind_offline(&B);
	if (!ret)
		ret = pm_set(&B, "type", "compressed");
	if (!ret)
		ret = pm_set(&B, "physical_size", phys);
	if (!ret)
		ret = pm_online(&B);
	cram_pid = getpid();
	atexit(cram_restore);
	if (ret) {
		printf("Bail out! cannot bind %s to privmem: %s\n", PM_DAX,
		       strerror(-ret));
		return 1;
	}
	return pm_test_harness_run(argc, argv);
}
