// SPDX-License-Identifier: GPL-2.0
/*
 * The opt-in mm services of a private node, seen from userspace, each with
 * and without its capability, on dax0.0 bound to privmem with the driver's
 * device settings (type, numa_balancing, compaction):
 *
 *  - numa_balancing_off / numa_balancing_on (plain node): with
 *    kernel.numa_balancing=1, a task on node 0 reading pages on node 1
 *    (the control: NUMA balancing is running) and on the private node;
 *    without the cap the private pages take no hinting fault and stay,
 *    with it they are migrated to node 0 like the control;
 *  - cram_numa_keeps_read_only (compressed node with the cap, where NUMA
 *    balancing only scans): hinting faults on the node's pages (counted in
 *    /proc/vmstat) restore their PTEs read-only and migrate nothing; each
 *    later write promotes exactly one page and no data is lost;
 *  - cram_kswapd_push, once with the multi-gen LRU on (as Debian boots)
 *    and once with the classic LRU: a MIGRATE into the node leaves no
 *    page counted as isolated; with physical use between the watermarks
 *    kswapd evicts the node's pages to swap until the level falls to the
 *    low watermark, so the amount evicted follows (level - low); at or
 *    below the low watermark nothing is evicted;
 *  - policy_after_removal: a task bound (MPOL_BIND) to the private node
 *    alone keeps running when the node is removed: its folios are
 *    migrated out intact and new faults fall back to normal memory;
 *  - compaction_off / compaction_on (plain node): compaction asked for
 *    through /sys/devices/system/node/nodeN/compact leaves a fragmented
 *    private node alone (no page changes its pfn) unless the node has
 *    the cap (then it scans the node).
 *
 * Every test puts kernel.numa_balancing and the driver parameters back.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define NB_SYSCTL	"/proc/sys/kernel/numa_balancing"

static struct pm_binding B;

/* Unbind dax0.0 from privmem if it is bound there, keep it off device_dax. */
static int release_dax(void)
{
	if (!access(PM_DRV "/" PM_DAX, F_OK) &&
	    pm_write_str(PM_DRV "/unbind", PM_DAX))
		return -EBUSY;
	pm_write_str(PM_DRV "/remove_id", PM_DAX);
	return 0;
}

/*
 * Bind dax0.0 as a @type node with the given services and, for a
 * compressed node, physical size (NULL: the default).
 */
static int bind_node(const char *type, int numa_balancing, int compaction,
		     const char *physical_size)
{
	int ret;

	if (release_dax())
		return -EBUSY;
	ret = pm_bind_offline(&B);
	if (!ret)
		ret = pm_set(&B, "type", type);
	if (!ret)
		ret = pm_set(&B, "numa_balancing", numa_balancing ? "1" : "0");
	if (!ret)
		ret = pm_set(&B, "compaction", compaction ? "1" : "0");
	if (!ret && physical_size)
		ret = pm_set(&B, "physical_size", physical_size);
	if (!ret)
		ret = pm_online(&B);
	return ret;
}

/* @len bytes of 4K pages filled with @seed and moved to node @nid. */
static char *pages_on(size_t len, unsigned int seed, int nid)
{
	unsigned long i, n = len / PM_PAGE;
	char *p = pm_anon(len, 0);
	void **pages;
	int *nodes, *status;

	if (!p)
		return NULL;
	pm_fill(p, len, seed);
	pages = calloc(n, sizeof(*pages));
	nodes = calloc(n, sizeof(*nodes));
	status = calloc(n, sizeof(*status));
	if (!pages || !nodes || !status)
		goto fail;
	for (i = 0; i < n; i++) {
		pages[i] = p + i * PM_PAGE;
		nodes[i] = nid;
	}
	if (move_pages(0, n, pages, nodes, status, MPOL_MF_MOVE))
		goto fail;
	free(pages);
	free(nodes);
	free(status);
	return p;
fail:
	free(pages);
	free(nodes);
	free(status);
	munmap(p, len);
	return NULL;
}

static unsigned long sink;

/* Read one byte of every page (a hinting fault if the PTE is PROT_NONE). */
static void read_all(const char *p, size_t len)
{
	unsigned long s = 0;
	size_t off;

	for (off = 0; off < len; off += PM_PAGE)
		s += __atomic_load_n(p + off, __ATOMIC_RELAXED);
	sink += s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(svc) {
	char nb[16];
	int fd;
};

FIXTURE_SETUP(svc)
{
	self->fd = -1;
	ASSERT_EQ(0, pm_read_str(NB_SYSCTL, self->nb, sizeof(self->nb)));
}

FIXTURE_TEARDOWN(svc)
{
	pm_write_str(NB_SYSCTL, self->nb);
	if (self->fd >= 0)
		close(self->fd);
	release_dax();
}

/* --- NUMA balancing ---------------------------------------------------- */

#define NB_LEN		(16UL << 20)
#define NB_PAGES	(NB_LEN / PM_PAGE)
/*
 * How long NUMA balancing gets to move half of the control. Usually 10-15 s
 * under TCG; once (a clean-clone CI run, 2026-11-29) a child took no
 * hinting fault at all in 60 s, so the window is generous: a run that
 * works ends early anyway.
 */
#define NB_TIMEOUT	180.0

/*
 * Read @priv (@len bytes on the private node) and @ctl (NB_LEN on node 1)
 * with NUMA balancing on until half of @ctl has been migrated to node 0,
 * then as long again. Set @hints to the hinting faults taken meanwhile and
 * @ctl_moved to the control pages migrated. Return the number of pages of
 * @priv still on the private node, -1 if NUMA balancing never moved the
 * control.
 */
static long nb_run(struct __test_metadata *_metadata, char *priv, size_t len,
		   char *ctl, long *hints, long *ctl_moved)
{
	double t0 = now(), t_ctl = 0;
	long h0 = pm_vmstat("numa_hint_faults"), ctl_left = NB_PAGES;

	EXPECT_EQ(0, pm_write_str(NB_SYSCTL, "1"));
	while (now() - t0 < NB_TIMEOUT) {
		read_all(priv, len);
		read_all(ctl, NB_LEN);
		usleep(20000);
		if (!t_ctl) {
			ctl_left = pm_count_on_node(ctl, NB_PAGES, 1);
			if (ctl_left <= (long)NB_PAGES / 2)
				t_ctl = now();
		} else if (now() - t_ctl > t_ctl - t0 + 2) {
			break;
		}
	}
	EXPECT_EQ(0, pm_write_str(NB_SYSCTL, "0"));
	*hints = pm_vmstat("numa_hint_faults") - h0;
	*ctl_moved = (long)NB_PAGES - pm_count_on_node(ctl, NB_PAGES, 1);
	TH_LOG("control: %ld of %lu pages left node 1 (half after %.1f s); %ld hinting faults",
	       *ctl_moved, NB_PAGES, t_ctl ? t_ctl - t0 : -1.0, *hints);
	if (!t_ctl)
		return -1;
	return pm_count_on_node(priv, len / PM_PAGE, B.nid);
}

static void nb_plain(struct __test_metadata *_metadata, int cap)
{
	char *priv, *ctl;
	long left, hints, ctl_moved;
	__u64 sum;

	ASSERT_EQ(0, bind_node("plain", cap, 0, NULL));
	priv = pages_on(NB_LEN, 21, B.nid);
	ASSERT_NE(NULL, priv);
	ctl = pages_on(NB_LEN, 22, 1);
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ((long)NB_PAGES, pm_count_on_node(priv, NB_PAGES, B.nid));
	ASSERT_EQ((long)NB_PAGES, pm_count_on_node(ctl, NB_PAGES, 1));
	sum = pm_checksum(priv, NB_LEN);

	left = nb_run(_metadata, priv, NB_LEN, ctl, &hints, &ctl_moved);
	ASSERT_GE(left, 0) TH_LOG("NUMA balancing never migrated the control");
	TH_LOG("private node: %ld of %lu pages left it", (long)NB_PAGES - left,
	       NB_PAGES);
	if (cap) {
		/* Misplaced migration may leave the node. */
		EXPECT_LE(left, (long)NB_PAGES / 2);
		EXPECT_GT(pm_count_on_node(priv, NB_PAGES, 0), 0);
	} else {
		EXPECT_EQ((long)NB_PAGES, left);
		/* No hinting fault on them: only the control's were taken. */
		EXPECT_LT(hints - ctl_moved, (long)NB_PAGES / 2);
	}
	EXPECT_EQ(sum, pm_checksum(priv, NB_LEN));
	munmap(priv, NB_LEN);
	munmap(ctl, NB_LEN);
}

TEST_F_TIMEOUT(svc, numa_balancing_off, 300)
{
	nb_plain(_metadata, 0);
}

TEST_F_TIMEOUT(svc, numa_balancing_on, 300)
{
	nb_plain(_metadata, 1);
}

TEST_F_TIMEOUT(svc, cram_numa_keeps_read_only, 300)
{
	size_t len = 8UL << 20, n = len / PM_PAGE;
	struct privmem_pressure p0, p1, p2;
	struct privmem_migrate m;
	long left, hints, ctl_moved;
	char *buf, *ctl, *want;
	size_t i;

	ASSERT_EQ(0, bind_node("compressed", 1, 0, NULL));
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	buf = pm_anon(len, 0);
	ASSERT_NE(NULL, buf);
	pm_fill(buf, len, 31);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, buf, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ(n, m.moved);
	ctl = pages_on(NB_LEN, 32, 1);
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));

	left = nb_run(_metadata, buf, len, ctl, &hints, &ctl_moved);
	ASSERT_GE(left, 0) TH_LOG("NUMA balancing never migrated the control");
	/*
	 * Each control page that moved took one hinting fault; the rest
	 * were taken on the compressed pages (every page, at least once).
	 */
	EXPECT_GE(hints - ctl_moved, (long)n);
	/* Hinting faults never migrate off a write-protected node. */
	EXPECT_EQ((long)n, left);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_EQ(p0.promotions, p1.promotions);
	EXPECT_EQ(p0.stored_pages, p1.stored_pages);

	/* Read-only after the hinting restore: each write promotes one. */
	for (i = 0; i < 16; i++)
		buf[i * 37 * PM_PAGE + 8] ^= 0x5a;
	ASSERT_EQ(0, pm_pressure(self->fd, &p2));
	EXPECT_EQ(p1.promotions + 16, p2.promotions);
	EXPECT_EQ((long)n - 16, pm_count_on_node(buf, n, B.nid));
	want = malloc(len);
	ASSERT_NE(NULL, want);
	pm_fill(want, len, 31);
	for (i = 0; i < 16; i++)
		want[i * 37 * PM_PAGE + 8] ^= 0x5a;
	EXPECT_EQ(0, memcmp(want, buf, len));
	free(want);
	munmap(buf, len);
	munmap(ctl, NB_LEN);
}

/* --- kswapd push on a compressed node ----------------------------------- */

static int set_watermarks(int fd, unsigned int low, unsigned int high)
{
	struct privmem_watermarks w = {
		.size = sizeof(w), .low = low, .high = high,
	};

	return ioctl(fd, PRIVMEM_IOC_SET_WATERMARKS, &w) ? -errno : 0;
}

/* Pages counted as isolated from the LRU, per-cpu deltas folded in. */
static long isolated_pages(void)
{
	pm_write_str("/proc/sys/vm/stat_refresh", "1");
	return pm_vmstat("nr_isolated_anon") + pm_vmstat("nr_isolated_file");
}

/* Wait until stored_pages stops falling for 3 s (at most 60 s). */
static void wait_settled(int fd, struct privmem_pressure *p)
{
	__u64 last = ~0ULL;
	double t0 = now(), t_last = now();

	while (now() - t0 < 60) {
		if (pm_pressure(fd, p))
			return;
		if (p->stored_pages != last) {
			last = p->stored_pages;
			t_last = now();
		} else if (now() - t_last > 3) {
			return;
		}
		usleep(100000);
	}
}

/* @fd: the test's device file descriptor, opened here, closed by teardown. */
static void kswapd_push(struct __test_metadata *_metadata, int *fd)
{
	size_t len = 32UL << 20, n = len / PM_PAGE;
	struct privmem_pressure p0, p1, p2, p3;
	struct privmem_migrate m;
	long out0, out1, out2, exp1, exp2, cap_pages, iso0;
	char phys[32], *buf, *want;

	snprintf(phys, sizeof(phys), "%lu", 64UL << 20);
	ASSERT_EQ(0, bind_node("compressed", 0, 0, phys));
	*fd = pm_open(&B);
	ASSERT_GE(*fd, 0);
	ASSERT_EQ(0, set_watermarks(*fd, 600, 950));

	/* Random data: every page is charged 4096 bytes, level 500. */
	buf = pm_anon(len, 0);
	ASSERT_NE(NULL, buf);
	pm_fill(buf, len, 41);
	iso0 = isolated_pages();
	ASSERT_EQ(0, pm_migrate(*fd, &m, 0, buf, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ(n, m.moved);
	/* A MIGRATE into the node (a demotion) leaves nothing isolated. */
	EXPECT_LT(isolated_pages() - iso0, 512) TH_LOG("NR_ISOLATED leaked");
	ASSERT_EQ(0, pm_pressure(*fd, &p0));
	cap_pages = p0.physical_capacity / PM_PAGE;
	TH_LOG("level %u (low %u), %llu pages stored", p0.level, p0.low,
	       (unsigned long long)p0.stored_pages);
	ASSERT_GT(p0.level, 400U);
	ASSERT_LT(p0.level, 600U);

	/* Below the low watermark: no push, nothing leaves. */
	out0 = pm_vmstat("pswpout");
	sleep(3);
	ASSERT_EQ(0, pm_pressure(*fd, &p1));
	EXPECT_EQ(p0.stored_pages, p1.stored_pages);
	EXPECT_EQ((long)n, pm_count_on_node(buf, n, B.nid));
	TH_LOG("at level %u <= low: pswpout +%ld", p1.level,
	       pm_vmstat("pswpout") - out0);

	/* Low 250: kswapd evicts until the level is back at 250. */
	out1 = pm_vmstat("pswpout");
	ASSERT_EQ(0, set_watermarks(*fd, 250, 950));
	wait_settled(*fd, &p2);
	exp1 = (long)(p1.level - 250) * cap_pages / 1000;
	TH_LOG("low 250: level %u, %lld pages evicted (expected ~%ld), pswpout +%ld",
	       p2.level, (long long)(p1.stored_pages - p2.stored_pages), exp1,
	       pm_vmstat("pswpout") - out1);
	EXPECT_LE(p2.level, 260U);
	EXPECT_GE((long)(p1.stored_pages - p2.stored_pages), exp1 / 2);
	EXPECT_LE((long)(p1.stored_pages - p2.stored_pages), exp1 * 3 / 2);
	EXPECT_GE(pm_vmstat("pswpout") - out1,
		  (long)(p1.stored_pages - p2.stored_pages) / 2);

	/* Low 100: a further push in proportion to the new distance. */
	out2 = pm_vmstat("pswpout");
	ASSERT_EQ(0, set_watermarks(*fd, 100, 950));
	wait_settled(*fd, &p3);
	exp2 = (long)(p2.level - 100) * cap_pages / 1000;
	TH_LOG("low 100: level %u, %lld pages evicted (expected ~%ld), pswpout +%ld",
	       p3.level, (long long)(p2.stored_pages - p3.stored_pages), exp2,
	       pm_vmstat("pswpout") - out2);
	EXPECT_LE(p3.level, 110U);
	EXPECT_GE((long)(p2.stored_pages - p3.stored_pages), exp2 / 2);
	EXPECT_LE((long)(p2.stored_pages - p3.stored_pages), exp2 * 3 / 2);

	/* Evicted pages come back from swap intact. */
	want = malloc(len);
	ASSERT_NE(NULL, want);
	pm_fill(want, len, 41);
	EXPECT_EQ(0, memcmp(want, buf, len));
	free(want);
	munmap(buf, len);
}

/* The push, with the multi-gen LRU on (as Debian boots) and off. */
FIXTURE(svc_lru) {
	FIXTURE_DATA(svc) svc;
	char lru_gen[16];
};

FIXTURE_VARIANT(svc_lru) {
	int lru_gen;
};

FIXTURE_VARIANT_ADD(svc_lru, lru_gen_on) { .lru_gen = 1 };
FIXTURE_VARIANT_ADD(svc_lru, lru_gen_off) { .lru_gen = 0 };

FIXTURE_SETUP(svc_lru)
{
	svc_setup(_metadata, &self->svc, NULL);
	pm_lru_gen_setup(_metadata, variant->lru_gen, self->lru_gen,
			 sizeof(self->lru_gen));
}

FIXTURE_TEARDOWN(svc_lru)
{
	svc_teardown(_metadata, &self->svc, NULL);
	pm_lru_gen_restore(self->lru_gen);
}

TEST_F_TIMEOUT(svc_lru, cram_kswapd_push, 300)
{
	kswapd_push(_metadata, &self->svc.fd);
	/* It ran under the LRU the variant asked for. */
	EXPECT_EQ(variant->lru_gen, pm_lru_gen() & 1);
}

/* --- a policy bound to a removed node ----------------------------------- */

TEST_F_TIMEOUT(svc, policy_after_removal, 300)
{
	size_t len = 8UL << 20, n = len / PM_PAGE;
	int go[2], ready[2], status = 0;
	double t0;
	pid_t pid;
	char c;

	ASSERT_EQ(0, bind_node("plain", 0, 0, NULL));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		unsigned long mask = 1UL << B.nid;
		char *a, *b;
		__u64 sum;

		if (set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8))
			_exit(10);
		a = pm_anon(len, 0);
		if (!a)
			_exit(11);
		pm_fill(a, len, 51);
		if (pm_count_on_node(a, n, B.nid) != (long)n)
			_exit(12);
		sum = pm_checksum(a, len);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(13);
		/* The node is gone: old data moved, new faults fall back. */
		if (pm_checksum(a, len) != sum)
			_exit(14);
		if (pm_count_on_node(a, n, 0) + pm_count_on_node(a, n, 1) !=
		    (long)n)
			_exit(15);
		b = pm_anon(len, 0);
		if (!b)
			_exit(16);
		pm_fill(b, len, 52);
		if (pm_count_on_node(b, n, 0) + pm_count_on_node(b, n, 1) !=
		    (long)n)
			_exit(17);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* The device is not mapped: unbinding removes the node. */
	EXPECT_EQ(0, pm_unbind(&B));
	EXPECT_NE(0, access(PM_DRV "/" PM_DAX, F_OK));
	EXPECT_NE(1, pm_node_listed("/sys/devices/system/node/has_private_memory",
				    B.nid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	t0 = now();
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() - t0 > 60) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			TH_LOG("the bound task is stuck after the removal");
			break;
		}
		usleep(100000);
	}
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(go[1]);
	close(ready[0]);
}

/* --- compaction --------------------------------------------------------- */

#define CP_LEN		(64UL << 20)
#define CP_PAGES	(CP_LEN / PM_PAGE)

static unsigned long pfn_of(int pagemap, void *addr)
{
	__u64 e = 0;

	if (pread(pagemap, &e, sizeof(e),
		  (unsigned long)addr / PM_PAGE * sizeof(e)) != sizeof(e))
		return 0;
	return (e >> 63) ? (unsigned long)(e & ((1ULL << 55) - 1)) : 0;
}

/*
 * Fragment @CP_LEN of 4K pages on the private node (every other page
 * freed), ask for compaction through @knob (written "1"; NULL: the node's
 * own compact attribute), and count the remaining pages that changed pfn.
 */
static void compaction(struct __test_metadata *_metadata, int cap,
		       const char *knob)
{
	unsigned long *pfn, moved = 0, kept = 0, i;
	char node_knob[96];
	long scanned0, scanned, free0, free_scanned;
	double t0;
	int pagemap;
	__u64 sum;
	char *buf;

	ASSERT_EQ(0, bind_node("plain", 0, cap, NULL));
	if (!knob) {
		snprintf(node_knob, sizeof(node_knob),
			 "/sys/devices/system/node/node%d/compact", B.nid);
		knob = node_knob;
	}
	buf = pages_on(CP_LEN, 61, B.nid);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ((long)CP_PAGES, pm_count_on_node(buf, CP_PAGES, B.nid));
	/* Fragment the node: free every other page. */
	for (i = 1; i < CP_PAGES; i += 2)
		ASSERT_EQ(0, madvise(buf + i * PM_PAGE, PM_PAGE, MADV_DONTNEED));
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(pagemap, 0);
	pfn = calloc(CP_PAGES, sizeof(*pfn));
	ASSERT_NE(NULL, pfn);
	sum = 0;
	for (i = 0; i < CP_PAGES; i += 2) {
		pfn[i] = pfn_of(pagemap, buf + i * PM_PAGE);
		ASSERT_NE(0UL, pfn[i]);
		sum += pm_checksum(buf + i * PM_PAGE, PM_PAGE);
	}

	scanned0 = pm_vmstat("compact_migrate_scanned");
	free0 = pm_vmstat("compact_free_scanned");
	t0 = now();
	ASSERT_EQ(0, pm_write_str(knob, "1"));
	for (i = 0; i < CP_PAGES; i += 2) {
		if (pfn_of(pagemap, buf + i * PM_PAGE) == pfn[i])
			kept++;
		else
			moved++;
	}
	scanned = pm_vmstat("compact_migrate_scanned") - scanned0;
	free_scanned = pm_vmstat("compact_free_scanned") - free0;
	TH_LOG("cap %d, %s: %.1f s; %lu pages moved, %lu kept", cap, knob,
	       now() - t0, moved, kept);
	TH_LOG("compact_migrate_scanned +%ld, compact_free_scanned +%ld",
	       scanned, free_scanned);
	/*
	 * Without the cap nothing moves; with it, compaction ran on the
	 * node. Whether it moves pages depends on where the allocator put
	 * them: compaction moves pages from the bottom of the zone to free
	 * pages at its top, and pages already at the top stay (seen with the
	 * private zones' per-CPU lists off, where the buddy allocator hands
	 * out the top of the node first). Either scanner may then be the one
	 * that does the work (seen: 63 pages by the migration scanner and
	 * nothing moved), so "ran" is either scanner's count.
	 */
	EXPECT_TRUE(cap ? scanned + free_scanned > 0 : moved == 0);
	EXPECT_EQ((long)CP_PAGES / 2, pm_count_on_node(buf, CP_PAGES, B.nid));
	for (i = 0; i < CP_PAGES; i += 2)
		sum -= pm_checksum(buf + i * PM_PAGE, PM_PAGE);
	EXPECT_EQ(0ULL, sum);
	free(pfn);
	close(pagemap);
	munmap(buf, CP_LEN);
}

TEST_F_TIMEOUT(svc, compaction_off, 300)
{
	compaction(_metadata, 0, NULL);
}

TEST_F_TIMEOUT(svc, compaction_on, 300)
{
	compaction(_metadata, 1, NULL);
}

/* The global knob compacts every node but skips the private one. */
TEST_F_TIMEOUT(svc, compact_memory_off, 300)
{
	compaction(_metadata, 0, "/proc/sys/vm/compact_memory");
}

/* --- put dax0.0 back as it was found ------------------------------------ */

static int was_privmem;
static pid_t main_pid;

static void svc_restore(void)
{
	if (getpid() != main_pid)
		return;
	if (release_dax()) {
		printf("# could not put %s back\n", PM_DAX);
		fflush(stdout);
		_exit(1);
	}
	if (was_privmem) {
		if (!pm_bind(&B, "plain"))
			B.bound = 0;
	} else if (access(PM_DEVDAX_DRV "/" PM_DAX, F_OK)) {
		pm_write_str(PM_DEVDAX_DRV "/bind", PM_DAX);
	}
}

int main(int argc, char **argv)
{
	if (access(PM_DAX_DIR, F_OK)) {
		printf("Bail out! no %s in this guest\n", PM_DAX);
		return 1;
	}
	if (system("modprobe privmem") != 0) {
		printf("Bail out! cannot load privmem\n");
		return 1;
	}
	was_privmem = !access(PM_DRV "/" PM_DAX, F_OK);
	main_pid = getpid();
	atexit(svc_restore);
	return pm_test_harness_run(argc, argv);
}
