// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: a compressed node's balloon keeps its free pages honest
 * (issue 16, drivers/privmem/cram_balloon.c).
 *
 * Each test binds dax0.0 as a compressed node whose emulated device has a
 * physical capacity of PHYS (64 MiB) behind a logical size of ~900 MiB,
 * so the node is sized for a ratio of ~14.
 *
 *  - incompressible_fills_device: random data MIGRATEd onto the node until
 *    the device refuses more: the node's MemFree falls to about what the
 *    device can still store while the logical size is far from used; the
 *    data is intact, no OOM kill, the pressure event arrived. The data
 *    freed, the balloon gives everything back within two seconds and
 *    MemFree, INFO and `privctl info` show the empty node again.
 *  - compressible_uses_whole_node: highly compressible data fills the
 *    whole logical size with the balloon at 0 throughout.
 *  - resize_online: the physical capacity shrunk below the free space
 *    makes the balloon grow by as much within a tick; below the bytes
 *    stored it is EBUSY and nothing changes; garbage, 0, negative and
 *    above the logical size are EINVAL.
 *  - manual_target: an explicit target above the free pages takes every
 *    free page (marked offline in the walk, MemFree about 0); cleared, the
 *    walk finds exactly the free pages of the start, none lost.
 *  - unbind_with_balloon_held: unbinding a node whose balloon holds pages
 *    succeeds (under make check-debug kmemleak then finds nothing).
 *  - stress_with_balloon_moving: the target jumps every 50 ms while data
 *    migrates in and out and children write (promote) pages of the node:
 *    no kernel page on the node, no anonymous page beyond ours, every
 *    checksum right and no in-place write.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_nodewalk.h"

#define PHYS		(64UL << 20)
#define CHUNK		(4UL << 20)
#define MAX_CHUNKS	64
/* The balloon's hysteresis (1 MiB) and one MIGRATE chunk, in kB. */
#define SLACK_KB	((1UL << 10) + (CHUNK >> 10))

static struct pm_binding B;

static long balloon_bytes(void)
{
	return pm_sys_long(&B, "cram/balloon");
}

/*
 * kB a node's free count may still lack right after its pages were
 * unmapped: pages in a per-CPU LRU batch (a folio batch of 31 per CPU) are
 * freed when the batch drains (see the design document, Accounting).
 */
static long lru_batch_kb(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) * 31 * (PM_PAGE / 1024);
}

static long node_free_kb(void)
{
	return pm_node_meminfo(B.nid, "MemFree");
}

/*
 * kB the balloon leaves free whatever its target: the high watermarks of
 * the node's zones (/proc/zoneinfo "high", which includes any boost).
 */
static long reserve_kb(int nid)
{
	char line[256];
	long kb = 0, v;
	int n, in_node = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone", &n) == 1)
			in_node = n == nid;
		else if (in_node && sscanf(line, " high %ld", &v) == 1)
			kb += v * (PM_PAGE / 1024);
	}
	fclose(f);
	return kb;
}

static int cram_write(const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/cram/%s", B.syspath, attr);
	return pm_write_str(path, val);
}

/* Wait (at most @ms) until the balloon holds no more than @max bytes. */
static long balloon_at_most(long max, int ms)
{
	long b = balloon_bytes();

	while (b > max && ms > 0) {
		usleep(20 * 1000);
		ms -= 20;
		b = balloon_bytes();
	}
	return b;
}

/* Wait (at most @ms) until the balloon holds at least @min bytes. */
static long balloon_at_least(long min, int ms)
{
	long b = balloon_bytes();

	while (b < min && ms > 0) {
		usleep(20 * 1000);
		ms -= 20;
		b = balloon_bytes();
	}
	return b;
}

/* Wait until the balloon stops moving (two readings a tick apart agree). */
static long balloon_settled(void)
{
	long b = balloon_bytes(), now;
	int i;

	for (i = 0; i < 40; i++) {
		usleep(300 * 1000);
		now = balloon_bytes();
		if (now == b)
			break;
		b = now;
	}
	return b;
}

/*
 * A page of "text" that lz4 shrinks ~100 times: a distinct header, then
 * one 16-byte pattern.
 */
static void fill_compressible(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += PM_PAGE) {
		memset(p + i, 0, PM_PAGE);
		snprintf(p + i, 64, "{\"id\":%zu,\"seed\":%u}", i / PM_PAGE, seed);
		memset(p + i + 64, 'a' + seed % 16, PM_PAGE - 64);
	}
}

FIXTURE(balloon) {
	int fd;
	long capacity;
};

FIXTURE_SETUP(balloon)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", PHYS);
	ASSERT_EQ(0, pm_rebind_offline(&B));
	ASSERT_EQ(0, pm_set(&B, "type", "compressed"));
	ASSERT_EQ(0, pm_set(&B, "physical_size", buf));
	ASSERT_EQ(0, pm_online(&B));
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	self->capacity = pm_sys_long(&B, "capacity");
	ASSERT_GT(self->capacity, (long)(8 * PHYS));
	ASSERT_EQ((long)PHYS, pm_sys_long(&B, "cram/physical_capacity"));
	/* An empty device: the node's nominal ratio, no balloon. */
	ASSERT_EQ(0, balloon_at_most(0, 2000));
}

FIXTURE_TEARDOWN(balloon)
{
	close(self->fd);
}

TEST_F_TIMEOUT(balloon, incompressible_fills_device, 300)
{
	struct privmem_watermarks wm = { 0 };
	struct privmem_pressure p0, p1;
	struct privmem_migrate m;
	struct privmem_info info;
	__u64 sums[MAX_CHUNKS];
	char *chunk[MAX_CHUNKS], cmd[256], out[4096];
	long free0_kb, free_kb, oom0, b, phys_free;
	int i, n = 0, waited;
	size_t got;
	FILE *f;

	/*
	 * Watermarks 980/990: the CRAM service pushes kswapd (swapping the
	 * node's data out) only above 980, so the device really fills rather
	 * than race the push.
	 */
	wm.size = sizeof(wm);
	wm.low = 980;
	wm.high = 990;
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &wm));
	free0_kb = node_free_kb();
	oom0 = pm_vmstat("oom_kill");
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	for (i = 0; i < MAX_CHUNKS; i++) {
		chunk[i] = pm_anon(CHUNK, 0);
		ASSERT_NE(NULL, chunk[i]);
		pm_fill(chunk[i], CHUNK, 1600 + i);
		sums[i] = pm_checksum(chunk[i], CHUNK);
		n++;
		/* ENOSPC: the device is at its high watermark (blocked). */
		if (pm_migrate(self->fd, &m, 0, chunk[i], CHUNK,
			       PRIVMEM_MIGRATE_TO_NODE, -1)) {
			ASSERT_EQ(ENOSPC, errno);
			break;
		}
		if (m.moved < CHUNK / PM_PAGE)
			break;
	}
	ASSERT_LT(i, MAX_CHUNKS) TH_LOG("the device never refused a page");
	b = balloon_settled();
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	phys_free = p1.physical_capacity - p1.physical_used;
	free_kb = node_free_kb();
	TH_LOG("%d chunks, physical %llu of %llu used, balloon %ld MiB",
	       n, p1.physical_used, p1.physical_capacity, b >> 20);
	TH_LOG("node free %ld kB (was %ld), ratio estimate %u", free_kb,
	       free0_kb, p1.ratio_estimate);
	/*
	 * Free pages: what the device can still store (ratio 1) and the
	 * zones' high watermarks, no more. (The CRAM service's kswapd push
	 * may have swapped some of the data out meanwhile.)
	 */
	TH_LOG("zone high watermarks: %ld kB", reserve_kb(B.nid));
	EXPECT_LE(free_kb, phys_free / 1024 + reserve_kb(B.nid) +
		  (long)SLACK_KB);
	EXPECT_LT(free_kb, self->capacity / 1024 / 16);
	EXPECT_EQ(1000, p1.ratio_estimate);
	EXPECT_EQ(b, (long)p1.balloon);
	/* ... while the logical size is far from used up. */
	EXPECT_LT(p1.logical_used, (__u64)self->capacity / 4);
	EXPECT_GT(b, self->capacity / 2);
	EXPECT_EQ(p1.logical_used + p1.logical_free + p1.balloon,
		  (__u64)self->capacity);
	EXPECT_GT(p1.events, p0.events);
	for (i = 0; i < n; i++)
		EXPECT_EQ(sums[i], pm_checksum(chunk[i], CHUNK)) TH_LOG("chunk %d", i);
	EXPECT_EQ(oom0, pm_vmstat("oom_kill"));

	/* The data freed: everything comes back within two seconds. */
	for (i = 0; i < n; i++)
		munmap(chunk[i], CHUNK);
	for (waited = 0; waited < 2000; waited += 20) {
		if (!balloon_bytes() && node_free_kb() >= free0_kb)
			break;
		usleep(20 * 1000);
	}
	TH_LOG("balloon empty and MemFree back after %d ms (%ld kB short)",
	       waited, free0_kb - node_free_kb());
	EXPECT_EQ(0, balloon_bytes());
	EXPECT_GE(node_free_kb(), free0_kb - lru_batch_kb());
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ(0, info.balloon);
	EXPECT_GE((long)(info.free >> 10), free0_kb - lru_batch_kb());
	snprintf(cmd, sizeof(cmd), "%s/privctl/privctl info %s --json",
		 getenv("PRIVMEM_BUILD") ?: "build", strrchr(B.devpath, '/') + 1);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	got = fread(out, 1, sizeof(out) - 1, f);
	out[got] = '\0';
	EXPECT_EQ(0, pclose(f)) TH_LOG("%s", cmd);
	EXPECT_NE(NULL, strstr(out, "\"balloon\": 0")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "\"free\": ")) TH_LOG("%s", out);
	EXPECT_GE(atol(strstr(out, "\"free\": ") + 8) >> 10,
		  free0_kb - lru_batch_kb()) TH_LOG("%s", out);
}

TEST_F_TIMEOUT(balloon, compressible_uses_whole_node, 600)
{
	size_t len = 16UL << 20, total = 0;
	struct privmem_migrate m;
	struct privmem_pressure p;
	long worst = 0, b;
	char *c, *ref;
	int i;

	ref = malloc(len);
	ASSERT_NE(NULL, ref);
	for (i = 0; total + len <= (size_t)self->capacity; i++) {
		c = pm_anon(len, 0);
		ASSERT_NE(NULL, c);
		fill_compressible(c, len, i);
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, c, len,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		total += m.moved * PM_PAGE;
		b = balloon_bytes();
		worst = b > worst ? b : worst;
		/* Spot-check the data of every chunk on the node. */
		fill_compressible(ref, len, i);
		EXPECT_EQ(0, memcmp(ref, c, len)) TH_LOG("chunk %d", i);
		if (m.moved < len / PM_PAGE)
			break;
	}
	usleep(600 * 1000);
	b = balloon_bytes();
	worst = b > worst ? b : worst;
	ASSERT_EQ(0, pm_pressure(self->fd, &p));
	TH_LOG("%zu MiB of %ld MiB placed, physical %llu kB, ratio %u",
	       total >> 20, self->capacity >> 20, p.physical_used >> 10,
	       p.compression_ratio);
	TH_LOG("ratio estimate %u, largest balloon %ld", p.ratio_estimate,
	       worst);
	EXPECT_EQ(0, worst);
	EXPECT_GE(total, (size_t)self->capacity - (32UL << 20));
	free(ref);
}

TEST_F_TIMEOUT(balloon, resize_online, 240)
{
	static const char * const bad[] = {
		"abc", "12x", "0", "-1", "-64M", "64M 1", "+1M", NULL,
	};
	struct privmem_migrate m;
	char buf[64], *data;
	long b1, b2, b3;
	size_t i;

	/* 16 MiB stored at ratio 1: 48 MiB left, the rest ballooned. */
	data = pm_anon(16UL << 20, 0);
	ASSERT_NE(NULL, data);
	pm_fill(data, 16UL << 20, 1700);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, data, 16UL << 20,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ((16UL << 20) / PM_PAGE, m.moved);
	b1 = balloon_settled();
	ASSERT_GT(b1, 0);

	/* Shrunk below the free space: the balloon takes 32 MiB more. */
	ASSERT_EQ(0, cram_write("physical_capacity", "32M"));
	EXPECT_EQ(32L << 20, pm_sys_long(&B, "cram/physical_capacity"));
	b2 = balloon_at_least(b1 + (31L << 20), 1000);
	TH_LOG("balloon %ld MiB, at 32M %ld MiB", b1 >> 20, b2 >> 20);
	EXPECT_GE(b2, b1 + (31L << 20));
	EXPECT_LE(b2, b1 + (33L << 20));

	/* Below what is stored: EBUSY, nothing changed. */
	EXPECT_EQ(-EBUSY, cram_write("physical_capacity", "8M"));
	EXPECT_EQ(32L << 20, pm_sys_long(&B, "cram/physical_capacity"));
	for (i = 0; bad[i]; i++) {
		TH_LOG("physical_capacity '%s'", bad[i]);
		EXPECT_EQ(-EINVAL, cram_write("physical_capacity", bad[i]));
	}
	snprintf(buf, sizeof(buf), "%ld", self->capacity + 4096);
	EXPECT_EQ(-EINVAL, cram_write("physical_capacity", buf));
	EXPECT_EQ(32L << 20, pm_sys_long(&B, "cram/physical_capacity"));

	/* Grown back: so does the free space. */
	ASSERT_EQ(0, cram_write("physical_capacity", "64M"));
	b3 = balloon_at_most(b1 + (1L << 20), 1000);
	EXPECT_LE(b3, b1 + (1L << 20));
	EXPECT_EQ(pm_checksum(data, 16UL << 20), pm_checksum(data, 16UL << 20));
	munmap(data, 16UL << 20);
	EXPECT_EQ(0, balloon_at_most(0, 2000));
}

TEST_F_TIMEOUT(balloon, manual_target, 240)
{
	static const char * const bad[] = { "abc", "-5", "1G+", "auto2", NULL };
	struct pm_walk w0, w1, w2;
	char buf[64];
	long b;
	size_t i;

	ASSERT_EQ(0, pm_walk_load());
	ASSERT_EQ(0, pm_walk_node(B.nid, &w0));
	EXPECT_EQ(0, w0.offline);
	for (i = 0; bad[i]; i++) {
		TH_LOG("balloon_target '%s'", bad[i]);
		EXPECT_EQ(-EINVAL, cram_write("balloon_target", bad[i]));
	}
	snprintf(buf, sizeof(buf), "%ld", self->capacity + 4096);
	EXPECT_EQ(-EINVAL, cram_write("balloon_target", buf));

	/* Above the free pages: it takes all it can. */
	snprintf(buf, sizeof(buf), "%ld", self->capacity);
	ASSERT_EQ(0, cram_write("balloon_target", buf));
	b = balloon_settled();
	ASSERT_EQ(0, pm_walk_node(B.nid, &w1));
	TH_LOG("target %ld MiB: balloon %ld MiB, node free %ld kB, walk offline %ld free %ld",
	       self->capacity >> 20, b >> 20, node_free_kb(), w1.offline,
	       w1.free);
	EXPECT_EQ(b / (long)PM_PAGE, w1.offline);
	EXPECT_LE(node_free_kb(), reserve_kb(B.nid) + (long)SLACK_KB);
	EXPECT_EQ(w0.free, w1.free + w1.offline);
	EXPECT_EQ(0, pm_walk_kernel_pages(&w1));

	ASSERT_EQ(0, cram_write("balloon_target", "auto"));
	EXPECT_EQ(0, balloon_at_most(0, 2000));
	ASSERT_EQ(0, pm_walk_node(B.nid, &w2));
	EXPECT_EQ(w0.free, w2.free);
	EXPECT_EQ(0, w2.offline);
}

TEST_F_TIMEOUT(balloon, unbind_with_balloon_held, 240)
{
	long b;

	ASSERT_EQ(0, cram_write("balloon_target", "256M"));
	b = balloon_at_least(256L << 20, 3000);
	EXPECT_EQ(256L << 20, b);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, pm_write_str(PM_DRV "/unbind", PM_DAX));
	EXPECT_NE(0, access(PM_DRV "/" PM_DAX, F_OK));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", B.nid));
}

/* Moves the balloon's target around until told to stop. */
static int stop_toggler, hold_toggler, toggler_held;

#define GET(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define SET(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

static void *toggler(void *arg)
{
	long capacity = *(long *)arg;
	unsigned int seed = 42;
	char buf[64];

	while (!GET(stop_toggler)) {
		SET(toggler_held, GET(hold_toggler));
		if (GET(toggler_held)) {
			usleep(10 * 1000);
			continue;
		}
		if (rand_r(&seed) % 4 == 0)
			snprintf(buf, sizeof(buf), "auto");
		else
			snprintf(buf, sizeof(buf), "%ld",
				 (long)(rand_r(&seed) % (capacity >> 20)) << 20);
		cram_write("balloon_target", buf);
		usleep(50 * 1000);
	}
	cram_write("balloon_target", "auto");
	return NULL;
}

TEST_F_TIMEOUT(balloon, stress_with_balloon_moving, 300)
{
	size_t legit_len = 32UL << 20;
	long inplace0, kernel = 0, foreign = 0, legit;
	int rounds = 0, walks = 0, rechecks = 0, status;
	struct privmem_migrate m;
	__u64 legit_sum, sum;
	char *legit_p, *c;
	pthread_t t;
	struct pm_walk w, worst = { 0 };
	time_t end;
	pid_t kid;

	ASSERT_EQ(0, pm_walk_load());
	inplace0 = pm_sys_long(&B, "counters/inplace_writes");
	legit_p = pm_anon(legit_len, 0);
	ASSERT_NE(NULL, legit_p);
	fill_compressible(legit_p, legit_len, 3);
	legit_sum = pm_checksum(legit_p, legit_len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, legit_p, legit_len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	legit = m.moved;

	SET(stop_toggler, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, toggler, &self->capacity));
	end = time(NULL) + 30;
	while (time(NULL) < end) {
		/* In and out again, random data, checked each way. */
		c = pm_anon(CHUNK, rounds % 2);
		ASSERT_NE(NULL, c);
		pm_fill(c, CHUNK, 1800 + rounds);
		sum = pm_checksum(c, CHUNK);
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, c, CHUNK,
					PRIVMEM_MIGRATE_TO_NODE, -1));
		EXPECT_EQ(sum, pm_checksum(c, CHUNK));
		/* A child writes half of it: promotion of its own copy. */
		kid = fork();
		ASSERT_GE(kid, 0);
		if (kid == 0) {
			pm_fill(c, CHUNK / 2, 1900 + rounds);
			_exit(pm_count_on_node(c, CHUNK / 2 / PM_PAGE, B.nid) ? 1 : 0);
		}
		ASSERT_EQ(kid, waitpid(kid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, c, CHUNK,
					PRIVMEM_MIGRATE_FROM_NODE, -1));
		EXPECT_EQ(sum, pm_checksum(c, CHUNK));
		EXPECT_EQ(0, pm_count_on_node(c, CHUNK / PM_PAGE, B.nid));
		munmap(c, CHUNK);
		ASSERT_EQ(0, pm_walk_node(B.nid, &w));
		walks++;
		/*
		 * A page the balloon is taking or giving back is, for a few
		 * instructions, allocated without its offline mark: the walk
		 * counts it as "other". Such a sighting is checked again with
		 * the balloon still; a real foreign page stays.
		 */
		if (pm_walk_kernel_pages(&w)) {
			SET(hold_toggler, 1);
			while (!GET(toggler_held))
				usleep(10 * 1000);
			balloon_settled();
			ASSERT_EQ(0, pm_walk_node(B.nid, &w));
			SET(hold_toggler, 0);
			rechecks++;
		}
		if (pm_walk_kernel_pages(&w) > kernel) {
			kernel = pm_walk_kernel_pages(&w);
			worst = w;
		}
		if (w.anon - legit > foreign)
			foreign = w.anon - legit;
		rounds++;
	}
	SET(stop_toggler, 1);
	pthread_join(t, NULL);
	TH_LOG("%d rounds, %d walks (%d checked again), balloon now %ld MiB",
	       rounds, walks, rechecks, balloon_bytes() >> 20);
	TH_LOG("worst walk: file %ld slab %ld pagetable %ld other %ld offline %ld",
	       worst.file, worst.slab, worst.pagetable, worst.other,
	       worst.offline);
	EXPECT_EQ(0, kernel);
	EXPECT_EQ(0, foreign);
	EXPECT_GT(rounds, 3);
	EXPECT_EQ(legit_sum, pm_checksum(legit_p, legit_len));
	EXPECT_EQ(legit, pm_count_on_node(legit_p, legit_len / PM_PAGE, B.nid));
	munmap(legit_p, legit_len);
	/* The debug kernel deflates hundreds of MiB slowly: up to 10 s. */
	EXPECT_EQ(0, balloon_at_most(0, 10000)) {
		TH_LOG("stored pages %ld, ratio estimate %ld",
		       pm_sys_long(&B, "cram/stored_pages"),
		       pm_sys_long(&B, "cram/ratio_estimate"));
	}
	EXPECT_EQ(inplace0, pm_sys_long(&B, "counters/inplace_writes"));
}

int main(int argc, char **argv)
{
	if (pm_rebind_restore_at_exit())
		return 1;
	return pm_test_harness_run(argc, argv);
}
