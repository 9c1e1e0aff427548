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
 *   with demotion disabled, so that reclaim stores them in the guest's
 *   lz4 zram swap. The kernel has no zswap (CONFIG_ZSWAP is not in the
 *   guest config), so zram, the other in-memory lz4 store, is the baseline.
 *
 *   promotion fault: a write to each of 2048 pages on the node (one
 *   promotion fault each) vs move_pages(2) of one page at a time between
 *   node 0 and node 1.
 *
 * Each figure is the median of the repeats.
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
#define MAXREP	9

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

/* MiB/s of node-1 data that reclaim moved to @where (demote: the node). */
static double reclaim_once(size_t len, int demote, unsigned int seed)
{
	unsigned long node1 = 1UL << 1;
	char *p = anon(len), buf[32];
	long moved;
	double t;

	if (mbind(p, len, MPOL_BIND, &node1, 64, 0))
		die("mbind");
	text(p, len, seed);
	if (set_demotion(demote))
		die("SET_DEMOTION");
	snprintf(buf, sizeof(buf), "%zu", len);
	t = bench_now();
	put(CG "/memory.reclaim", buf);
	t = bench_now() - t;
	moved = demote ? count_on(p, len, nid) :
		(long)(len / PAGE) - count_on(p, len, 1);
	munmap(p, len);
	/* MIGRATE into a compressed node is a demotion: needs it enabled. */
	if (set_demotion(1))
		die("SET_DEMOTION");
	return (double)moved * PAGE / MIB / t;
}

/* Microseconds per promotion fault. */
static double promote_once(size_t n)
{
	struct privmem_migrate m = { .size = sizeof(m) };
	char *p = anon(n * PAGE);
	size_t i;
	double t;

	text(p, n * PAGE, 3);
	m.flags = PRIVMEM_MIGRATE_TO_NODE;
	m.target_node = -1;
	m.addr = (uintptr_t)p;
	m.length = n * PAGE;
	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m) || m.moved != n)
		die("MIGRATE to the compressed node");
	t = bench_now();
	for (i = 0; i < n; i++)
		p[i * PAGE] ^= 1;
	t = bench_now() - t;
	if (count_on(p, n * PAGE, nid))
		die("pages left on the node after writing");
	munmap(p, n * PAGE);
	return t * 1e6 / n;
}

/* Microseconds per one-page move_pages(2) between node 0 and node 1. */
static double move_once(size_t n)
{
	char *p = anon(n * PAGE);
	int node = 1, st;
	size_t i;
	double t;

	text(p, n * PAGE, 4);
	t = bench_now();
	for (i = 0; i < n; i++) {
		void *pg = p + i * PAGE;

		if (move_pages(0, 1, &pg, &node, &st, MPOL_MF_MOVE) || st != 1)
			die("move_pages");
	}
	t = bench_now() - t;
	munmap(p, n * PAGE);
	return t * 1e6 / n;
}

int main(int argc, char **argv)
{
	struct privmem_info info = { .size = sizeof(info) };
	double dem[MAXREP], swp[MAXREP], pro[MAXREP], mov[MAXREP];
	char buf[32], saved[16] = "false";
	size_t len = 64 * MIB, n = 2048;
	FILE *f;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: privmem_cram_bench /dev/privmemN [repeats]\n");
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

	for (r = 0; r < repeats; r++) {
		dem[r] = reclaim_once(len, 1, r + 1);
		swp[r] = reclaim_once(len, 0, r + 1);
		pro[r] = promote_once(n);
		mov[r] = move_once(n);
	}
	set_demotion(1);
	put("/sys/fs/cgroup/cgroup.procs", buf);
	rmdir(CG);
	put("/sys/kernel/mm/numa/demotion_enabled", saved);

	printf("compressed node %d, %d repeats, medians\n", nid, repeats);
	printf("reclaim of 64 MiB of text on node 1:\n");
	printf("  demotion into the compressed node   %8.1f MiB/s\n",
	       bench_median(dem, repeats));
	printf("  swap-out to zram (lz4), no demotion %8.1f MiB/s\n",
	       bench_median(swp, repeats));
	printf("  ratio demotion / zram                %7.2f\n",
	       bench_median(dem, repeats) / bench_median(swp, repeats));
	printf("write to a page on the node (%zu pages):\n", n);
	printf("  promotion fault                     %8.1f us/page\n",
	       bench_median(pro, repeats));
	printf("  move_pages(2) of one page, 0 -> 1   %8.1f us/page\n",
	       bench_median(mov, repeats));
	printf("  ratio promotion fault / move_pages   %7.2f\n",
	       bench_median(pro, repeats) / bench_median(mov, repeats));
	close(fd);
	return 0;
}
