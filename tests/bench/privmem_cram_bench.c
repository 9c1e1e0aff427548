// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_cram_bench /dev/privmemN [repeats]
 *
 * Compressed-node benchmarks for `make bench`, on a compressed node, in
 * one guest run (only the ratios mean something under TCG):
 *
 *   demotion: 64 MiB of text-like data on node 1 reclaimed by its memory
 *   cgroup (memory.reclaim) with the node as demotion target (the pages
 *   are migrated in and compressed by the emulated device) vs the same
 *   with demotion disabled and zswap (lz4, zsmalloc) enabled, so that
 *   reclaim stores the same data in zswap. zswap is off at boot; it is
 *   switched on only for the baseline and its parameters are restored.
 *   Throughput is MiB/s of data stored; the capacity figure is the
 *   logical bytes held per physical byte used: the node's own
 *   compression_ratio (the emulated device charges each page's lz4 size)
 *   vs zswap's stored_pages * page size / pool_total_size (debugfs).
 *
 *   promotion fault: a write to one page on the node (one promotion fault)
 *   vs move_pages(2) of one already-faulted page from node 0 to node 1;
 *   each operation is timed alone and the figure is the median over 1024
 *   pages, so both include one kernel entry per page. For reference, the
 *   same 1024 pages moved back by one move_pages(2) call, per page.
 *
 *   balloon step: the node's balloon (cram/balloon_target) set to 256 MiB
 *   on the empty node, timed until cram/balloon reaches it (pages taken
 *   off the node per ms), then set back to "auto", timed until the
 *   balloon is empty again (pages given back per ms). Both include the
 *   wait for the work item and the polling of sysfs (every 100 us).
 *
 * Every repeat is printed as a "sample" line (bench_lib.h) for
 * scripts/host/bench-report.py, with a human summary at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/privmem.h>
#include "bench_lib.h"

#define PAGE	4096UL
#define MIB	(1024UL * 1024)
#define CG	"/sys/fs/cgroup/privmem-bench"
#define MAXREP	15
#define ZSWAP	"/sys/module/zswap/parameters/"
#define ZSWAPD	"/sys/kernel/debug/zswap/"

static int fd, nid, repeats = 3;

static void die(const char *what)
{
	fprintf(stderr, "privmem_cram_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int put(const char *path, const char *s)
{
	int f = open(path, O_WRONLY), ret = 0;

	if (f < 0)
		return -1;
	if (write(f, s, strlen(s)) < 0)
		ret = -1;
	close(f);
	return ret;
}

static char *anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static void text(char *p, size_t len, unsigned int seed)
{
	static const char *const w[] = {
		"compressed", "memory", "is", "read-only", "until", "a",
		"write", "promotes", "the", "page", "to", "DRAM", "node",
		"reclaim", "demotes", "cold", "pages", "into", "it",
	};
	size_t o = 0;

	while (o < len) {
		const char *s = w[rand_r(&seed) % 19];

		while (*s && o < len)
			p[o++] = *s++;
		if (o < len)
			p[o++] = rand_r(&seed) % 9 ? ' ' : '\n';
	}
}

static long count_on(void *addr, size_t len, int node)
{
	unsigned long n = len / PAGE, i;
	void **pages = calloc(n, sizeof(*pages));
	int *st = calloc(n, sizeof(*st));
	long c = 0;

	if (!pages || !st)
		die("calloc");
	for (i = 0; i < n; i++)
		pages[i] = (char *)addr + i * PAGE;
	if (move_pages(0, n, pages, NULL, st, 0))
		die("move_pages");
	for (i = 0; i < n; i++)
		c += st[i] == node;
	free(pages);
	free(st);
	return c;
}

static int set_demotion(int enable)
{
	struct privmem_demotion d = {
		.size = sizeof(d),
		.flags = PRIVMEM_DEMOTION_ALL_SOURCES |
			 (enable ? PRIVMEM_DEMOTION_ENABLE : 0),
	};

	return ioctl(fd, PRIVMEM_IOC_SET_DEMOTION, &d);
}

static unsigned long long get_u64(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f || fscanf(f, "%llu", &v) != 1)
		die(path);
	fclose(f);
	return v;
}

static void get_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, len, f))
		die(path);
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* zswap's parameters as found, restored by zswap_restore(). */
static char zs_enabled[16], zs_comp[32], zs_zpool[32], zs_pool_pct[16];

static void zswap_on(void)
{
	get_str(ZSWAP "enabled", zs_enabled, sizeof(zs_enabled));
	get_str(ZSWAP "compressor", zs_comp, sizeof(zs_comp));
	get_str(ZSWAP "zpool", zs_zpool, sizeof(zs_zpool));
	get_str(ZSWAP "max_pool_percent", zs_pool_pct, sizeof(zs_pool_pct));
	/* Room for the largest curve point (768 MiB of text, ~360 MiB). */
	if (put(ZSWAP "compressor", "lz4") || put(ZSWAP "zpool", "zsmalloc") ||
	    put(ZSWAP "max_pool_percent", "50") || put(ZSWAP "enabled", "Y"))
		die("enabling zswap (lz4, zsmalloc)");
}

static void zswap_restore(void)
{
	put(ZSWAP "enabled", zs_enabled);
	put(ZSWAP "compressor", zs_comp);
	put(ZSWAP "zpool", zs_zpool);
	put(ZSWAP "max_pool_percent", zs_pool_pct);
}

/*
 * Reclaims @len of text on node 1 into the compressed node (@demote) or
 * into zswap. Returns MiB/s of data stored there; *@gain gets the logical
 * bytes held per physical byte used.
 */
static double reclaim_once(size_t len, int demote, unsigned int seed,
			   double *gain)
{
	struct privmem_pressure pr = { .size = sizeof(pr) };
	unsigned long node1 = 1UL << 1;
	unsigned long long zs0 = 0, zs1, pool;
	char *p = anon(len), buf[32];
	long moved;
	double t;

	if (mbind(p, len, MPOL_BIND, &node1, 64, 0))
		die("mbind");
	text(p, len, seed);
	if (set_demotion(demote))
		die("SET_DEMOTION");
	if (!demote) {
		zswap_on();
		zs0 = get_u64(ZSWAPD "stored_pages");
	}
	snprintf(buf, sizeof(buf), "%zu", len);
	t = bench_now();
	put(CG "/memory.reclaim", buf);
	t = bench_now() - t;
	if (demote) {
		moved = count_on(p, len, nid);
		if (ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, &pr))
			die("GET_PRESSURE");
		*gain = pr.compression_ratio / 1000.0;
	} else {
		zs1 = get_u64(ZSWAPD "stored_pages");
		pool = get_u64(ZSWAPD "pool_total_size");
		moved = zs1 - zs0;
		*gain = pool ? (double)zs1 * PAGE / pool : 0;
	}
	munmap(p, len);
	if (!demote)
		zswap_restore();
	/* MIGRATE into a compressed node is a demotion: needs it enabled. */
	if (set_demotion(1))
		die("SET_DEMOTION");
	if (moved <= 0)
		return 0;
	return (double)moved * PAGE / MIB / t;
}

/*
 * Median microseconds of one promotion fault over @n pages; *@mean gets
 * the mean (the curves' per-page cost: it keeps the tail).
 */
static double promote_once(size_t n, double *mean)
{
	struct privmem_migrate m = { .size = sizeof(m) };
	char *p = anon(n * PAGE);
	double *us = calloc(n, sizeof(*us)), t, med;
	size_t i;

	if (!us)
		die("calloc");
	text(p, n * PAGE, 3);
	m.flags = PRIVMEM_MIGRATE_TO_NODE;
	m.target_node = -1;
	m.addr = (uintptr_t)p;
	m.length = n * PAGE;
	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m) || m.moved != n)
		die("MIGRATE to the compressed node");
	for (i = 0; i < n; i++) {
		t = bench_now();
		p[i * PAGE] ^= 1;
		us[i] = (bench_now() - t) * 1e6;
	}
	if (count_on(p, n * PAGE, nid))
		die("pages left on the node after writing");
	munmap(p, n * PAGE);
	*mean = bench_mean(us, n);
	med = bench_median(us, n);
	free(us);
	return med;
}

/*
 * Median microseconds of a move_pages(2) of one already-faulted page from
 * node 0 to node 1, over @n pages (*@mean gets the mean). *@batch gets the
 * microseconds per page of one move_pages(2) of all @n pages back to node 0.
 */
static double move_once(size_t n, double *batch, double *mean)
{
	unsigned long node0 = 1;
	char *p = anon(n * PAGE);
	double *us = calloc(n, sizeof(*us)), t, med;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes)), *sts = calloc(n, sizeof(*sts));
	int node = 1, st;
	size_t i;

	if (!us || !pages || !nodes || !sts)
		die("calloc");
	if (mbind(p, n * PAGE, MPOL_BIND, &node0, 64, 0))
		die("mbind");
	text(p, n * PAGE, 4);
	for (i = 0; i < n; i++) {
		void *pg = p + i * PAGE;

		t = bench_now();
		if (move_pages(0, 1, &pg, &node, &st, MPOL_MF_MOVE) || st != 1)
			die("move_pages");
		us[i] = (bench_now() - t) * 1e6;
		pages[i] = pg;
	}
	t = bench_now();
	if (move_pages(0, n, pages, nodes, sts, MPOL_MF_MOVE))
		die("move_pages (batch)");
	*batch = (bench_now() - t) * 1e6 / n;
	for (i = 0; i < n; i++)
		if (sts[i] != 0)
			die("move_pages (batch) left a page behind");
	munmap(p, n * PAGE);
	*mean = bench_mean(us, n);
	med = bench_median(us, n);
	free(us);
	free(pages);
	free(nodes);
	free(sts);
	return med;
}

static char cram_dir[96];

static long long cram_get(const char *attr)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cram_dir, attr);
	return (long long)get_u64(path);
}

static int cram_put(const char *attr, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cram_dir, attr);
	return put(path, val);
}

/* Seconds until cram/balloon equals @want bytes (at most 30 s). */
static double balloon_wait(long long want)
{
	double t = bench_now();

	while (cram_get("balloon") != want) {
		if (bench_now() - t > 30)
			die("balloon step did not finish in 30 s");
		usleep(100);
	}
	return bench_now() - t;
}

/* One balloon step each way, in pages per ms. */
static void balloon_once(double *in, double *out)
{
	long long want = 256LL * MIB;
	char buf[32];

	if (balloon_wait(0) > 0.5)
		die("the balloon was not empty");
	snprintf(buf, sizeof(buf), "%lld", want);
	if (cram_put("balloon_target", buf))
		die("balloon_target");
	*in = want / PAGE / (balloon_wait(want) * 1e3);
	if (cram_put("balloon_target", "auto"))
		die("balloon_target auto");
	*out = want / PAGE / (balloon_wait(0) * 1e3);
}

/*
 * The cost curves: demotion (vs zswap stores) and promotion faults (vs
 * one-page move_pages(2) calls) at each size of @sizes ("16,64,...", MiB);
 * samples "curve.KEY.SIZE" (promotion: mean microseconds per page).
 */
static void curves(const char *sizes)
{
	double dem, swp, gain, pro, mov, bat, mean_pro, mean_mov;
	size_t mibs[BENCH_MAX_SIZES], mib;
	int i, n = bench_sizes("privmem_cram_bench", sizes, mibs), r;
	char key[64];

	for (i = 0; i < n; i++) {
		mib = mibs[i];
		for (r = 0; r < repeats; r++) {
			dem = reclaim_once(mib * MIB, 1, r + 1, &gain);
			swp = reclaim_once(mib * MIB, 0, r + 1, &gain);
			pro = promote_once(mib * MIB / PAGE, &mean_pro);
			mov = move_once(mib * MIB / PAGE, &bat, &mean_mov);
			snprintf(key, sizeof(key), "curve.demote.cram.%zu", mib);
			bench_sample(key, r, dem);
			snprintf(key, sizeof(key), "curve.demote.zswap.%zu", mib);
			bench_sample(key, r, swp);
			snprintf(key, sizeof(key), "curve.promote.fault.%zu", mib);
			bench_sample(key, r, mean_pro);
			snprintf(key, sizeof(key), "curve.promote.move_pages.%zu", mib);
			bench_sample(key, r, mean_mov);
			printf("curve %4zu MiB round %d: demotion %.1f MiB/s, zswap %.1f MiB/s;",
			       mib, r, dem, swp);
			printf(" promotion fault %.1f us/page (median %.1f),",
			       mean_pro, pro);
			printf(" 1-page move_pages %.1f us (median %.1f)\n",
			       mean_mov, mov);
		}
	}
}

int main(int argc, char **argv)
{
	struct privmem_info info = { .size = sizeof(info) };
	double dem[MAXREP], swp[MAXREP], pro[MAXREP], mov[MAXREP];
	double dgain[MAXREP], zgain[MAXREP], bat[MAXREP];
	double bin[MAXREP], bout[MAXREP], mean;
	char buf[32], saved[16] = "false";
	size_t len = 64 * MIB, n = 1024;
	FILE *f;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: privmem_cram_bench /dev/privmemN [repeats [SIZES]]\n");
		return 2;
	}
	if (argc > 2)
		repeats = atoi(argv[2]);
	if (repeats < 1 || repeats > MAXREP)
		repeats = 3;
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);
	if (ioctl(fd, PRIVMEM_IOC_INFO, &info))
		die("INFO");
	nid = info.node;
	snprintf(cram_dir, sizeof(cram_dir), "/sys/class/privmem/%s/cram",
		 strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1]);

	f = fopen("/sys/kernel/mm/numa/demotion_enabled", "r");
	if (f) {
		if (!fgets(saved, sizeof(saved), f))
			snprintf(saved, sizeof(saved), "false");
		fclose(f);
	}
	put("/sys/kernel/mm/numa/demotion_enabled", "true");
	put("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (put(CG "/cgroup.procs", buf))
		die("joining " CG);

	for (r = 0; r < repeats && argc <= 3; r++) {
		dem[r] = reclaim_once(len, 1, r + 1, &dgain[r]);
		swp[r] = reclaim_once(len, 0, r + 1, &zgain[r]);
		pro[r] = promote_once(n, &mean);
		mov[r] = move_once(n, &bat[r], &mean);
		balloon_once(&bin[r], &bout[r]);
		bench_sample("demote.cram", r, dem[r]);
		bench_sample("demote.zswap", r, swp[r]);
		bench_sample("capacity.cram", r, dgain[r]);
		bench_sample("capacity.zswap", r, zgain[r]);
		bench_sample("promote.fault", r, pro[r]);
		bench_sample("promote.move_pages", r, mov[r]);
		bench_sample("promote.move_pages_batch", r, bat[r]);
		bench_sample("balloon.inflate", r, bin[r]);
		bench_sample("balloon.deflate", r, bout[r]);
	}
	if (argc > 3)
		curves(argv[3]);
	set_demotion(1);
	put("/sys/fs/cgroup/cgroup.procs", buf);
	rmdir(CG);
	put("/sys/kernel/mm/numa/demotion_enabled", saved);
	if (argc > 3) {
		close(fd);
		return 0;
	}

	printf("compressed node %d, %d repeats, medians\n", nid, repeats);
	printf("reclaim of 64 MiB of text on node 1:\n");
	printf("  demotion into the compressed node   %8.1f MiB/s\n",
	       bench_median(dem, repeats));
	printf("  zswap stores (lz4, zsmalloc)        %8.1f MiB/s\n",
	       bench_median(swp, repeats));
	printf("  ratio demotion / zswap               %7.2f\n",
	       bench_median(dem, repeats) / bench_median(swp, repeats));
	printf("  logical/physical: node %.2f, zswap %.2f\n",
	       bench_median(dgain, repeats), bench_median(zgain, repeats));
	printf("write to a page on the node (%zu pages):\n", n);
	printf("  promotion fault (median)            %8.1f us/page\n",
	       bench_median(pro, repeats));
	printf("  move_pages(2) of one page (median)  %8.1f us/page\n",
	       bench_median(mov, repeats));
	printf("  move_pages(2) of %zu pages, per page   %8.1f us/page\n",
	       n, bench_median(bat, repeats));
	printf("  ratio promotion fault / move_pages   %7.2f\n",
	       bench_median(pro, repeats) / bench_median(mov, repeats));
	printf("balloon step of 256 MiB (median):\n");
	printf("  inflate                             %8.1f pages/ms\n",
	       bench_median(bin, repeats));
	printf("  deflate                             %8.1f pages/ms\n",
	       bench_median(bout, repeats));
	close(fd);
	return 0;
}
