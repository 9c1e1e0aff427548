// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_bench /dev/privmemN /dev/daxX.Y [repeats]
 *
 * Benchmarks for `make bench`, all in one guest run so that only ratios
 * matter (absolute numbers under TCG mean nothing):
 *
 *   fault-in of 256 MiB, 4K pages and THP: a /dev/privmemN mapping vs
 *   anonymous memory bound to node 1 vs a /dev/dax mapping (2M only);
 *
 *   migration of 64 MiB of 4K pages and 256 MiB of THPs (a THP move of
 *   64 MiB takes ~0.1 s under TCG, too short against host scheduling
 *   noise): PRIVMEM_IOC_MIGRATE node 0 ->
 *   private node and back vs move_pages(2) node 0 -> node 1 and back (the
 *   DRAM baseline), and vs move_pages(2) node 0 -> private node and back
 *   (the same nodes: a plain node takes move_pages).
 *
 * Each figure is the median of the repeats, in MiB/s. Every repeat is
 * also printed as a "sample" line (bench_lib.h) for scripts/host/bench-report.py.
 *
 * privmem_bench /dev/privmemN /dev/daxX.Y repeats SIZES (SIZES in MiB, e.g.
 * 16,64,256,768) measures the cost curves instead: the fault-in and
 * MIGRATE rows (and their anonymous and move_pages(2) 0<->1 baselines,
 * without the /dev/dax and same-node references) at each size, THP from
 * 64 MiB; samples "curve.KEY.SIZE".
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
#include <time.h>
#include <unistd.h>
#include <linux/privmem.h>
#include "bench_lib.h"

#define PAGE	4096UL
#define HPAGE	(2 * 1024UL * 1024)
#define MIB	(1024UL * 1024)
#define MAXREP	15

static int repeats = 5;
static size_t curve_mib;	/* 0, or the size of this curve point */

/* A sample of the fixed-size rows, or of the curve point being measured. */
static void sample(const char *key, int round, double value)
{
	char k[80];

	if (!curve_mib) {
		bench_sample(key, round, value);
		return;
	}
	snprintf(k, sizeof(k), "curve.%s.%zu", key, curve_mib);
	bench_sample(k, round, value);
}

static void die(const char *what)
{
	fprintf(stderr, "privmem_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* 2M-aligned anonymous memory. */
static char *anon(size_t len)
{
	char *raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + len, raw + HPAGE - p);
	return p;
}

static double touch(char *p, size_t len)
{
	double t = bench_now();
	size_t i;

	for (i = 0; i < len; i += PAGE)
		p[i] = 1;
	return bench_now() - t;
}

enum src { PRIVMEM, ANON_NODE1, DEVDAX };

static double fault_once(enum src s, int fd, size_t len, int thp)
{
	unsigned long node1 = 2;
	double t;
	char *p;

	if (s == ANON_NODE1) {
		p = anon(len);
		if (mbind(p, len, MPOL_BIND, &node1, 64, 0))
			die("mbind");
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 s == DEVDAX ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			die("mmap device");
	}
	if (s != DEVDAX)
		madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	t = touch(p, len);
	munmap(p, len);
	return len / MIB / t;
}

/*
 * The three sources are measured in turn within each repeat, so that a
 * change of host load hits them alike, and the first of a repeat rotates;
 * @out gets the three medians.
 */
static void fault(int fd, int dax, size_t len, int thp, double *out)
{
	int nsrc = curve_mib ? 2 : 3;	/* the curves leave /dev/dax out */
	double v[3][MAXREP] = { };
	int r, s, i;

	for (s = PRIVMEM; s < nsrc; s++)	/* warm up */
		fault_once(s, s == PRIVMEM ? fd : dax, len, thp);
	for (r = 0; r < repeats; r++)
		for (i = 0; i < nsrc; i++) {
			static const char *const key[2][3] = {
				{ "fault4k.privmem", "fault4k.anon1",
				  "fault4k.devdax" },
				{ "faultthp.privmem", "faultthp.anon1",
				  "faultthp.devdax" },
			};

			s = (r + i) % nsrc;	/* each source leads a round in turn */
			v[s][r] = fault_once(s, s == PRIVMEM ? fd : dax, len,
					     thp);
			sample(key[thp][s], r, v[s][r]);
		}
	for (s = PRIVMEM; s <= DEVDAX; s++)
		out[s] = s < nsrc ? bench_median(v[s], repeats) : 0;
}

static double mig_privmem(int fd, char *p, size_t len, unsigned int dir,
			  int target)
{
	struct privmem_migrate m = {
		.size = sizeof(m), .flags = dir, .target_node = target,
		.addr = (uintptr_t)p, .length = len,
	};
	double t = bench_now();

	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m))
		die("PRIVMEM_IOC_MIGRATE");
	t = bench_now() - t;
	if (m.moved != len / PAGE)
		fprintf(stderr, "privmem_bench: MIGRATE moved %llu of %lu pages\n",
			(unsigned long long)m.moved, len / PAGE);
	return len / MIB / t;
}

static double mig_move_pages(char *p, size_t len, int node, void **pages,
			     int *nodes, int *status)
{
	unsigned long i, n = len / PAGE;
	double t;

	for (i = 0; i < n; i++) {
		pages[i] = p + i * PAGE;
		nodes[i] = node;
	}
	t = bench_now();
	if (move_pages(0, n, pages, nodes, status, MPOL_MF_MOVE) < 0)
		die("move_pages");
	t = bench_now() - t;
	/* Tail pages of a THP report -EBUSY although the THP moved: ask. */
	if (move_pages(0, n, pages, NULL, status, 0) < 0)
		die("move_pages query");
	for (i = 0; i < n; i++)
		if (status[i] != node) {
			fprintf(stderr, "privmem_bench: move_pages left page %lu on %d\n",
				i, status[i]);
			break;
		}
	return len / MIB / t;
}

static void migration(int fd, size_t len, int thp, int nid)
{
	double in[MAXREP], out[MAXREP], to1[MAXREP], to0[MAXREP];
	double pin[MAXREP] = { }, pout[MAXREP] = { };
	unsigned long node0 = 1, n = len / PAGE;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(int)), *status = calloc(n, sizeof(int));
	char *p = anon(len);
	int r;

	if (!pages || !nodes || !status)
		die("calloc");
	madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (mbind(p, len, MPOL_BIND, &node0, 64, 0))
		die("mbind");
	memset(p, 0x33, len);
	for (r = 0; r < repeats; r++) {
		/*
		 * Every pair starts and ends with the range on node 0. The
		 * order alternates (MIGRATE first in even rounds, last in odd
		 * ones), so that whatever the previous pair leaves behind
		 * (per-CPU lists, LRU batches) falls on each method alike.
		 */
		if (r % 2 == 0) {
			in[r] = mig_privmem(fd, p, len, PRIVMEM_MIGRATE_TO_NODE, -1);
			out[r] = mig_privmem(fd, p, len, PRIVMEM_MIGRATE_FROM_NODE, 0);
		}
		to1[r] = mig_move_pages(p, len, 1, pages, nodes, status);
		to0[r] = mig_move_pages(p, len, 0, pages, nodes, status);
		/* move_pages(2) to and from the (plain) private node too. */
		if (!curve_mib) {
			pin[r] = mig_move_pages(p, len, nid, pages, nodes,
						status);
			pout[r] = mig_move_pages(p, len, 0, pages, nodes,
						 status);
		}
		if (r % 2 == 1) {
			in[r] = mig_privmem(fd, p, len, PRIVMEM_MIGRATE_TO_NODE, -1);
			out[r] = mig_privmem(fd, p, len, PRIVMEM_MIGRATE_FROM_NODE, 0);
		}
		sample(thp ? "migthp.in" : "mig4k.in", r, in[r]);
		sample(thp ? "migthp.out" : "mig4k.out", r, out[r]);
		sample(thp ? "migthp.mp01" : "mig4k.mp01", r, to1[r]);
		sample(thp ? "migthp.mp10" : "mig4k.mp10", r, to0[r]);
		if (curve_mib)
			continue;
		sample(thp ? "migthp.mp0p" : "mig4k.mp0p", r, pin[r]);
		sample(thp ? "migthp.mpp0" : "mig4k.mpp0", r, pout[r]);
	}
	printf("migrate %-3s %3zu MiB: MIGRATE 0->%d %7.1f, %d->0 %7.1f MiB/s",
	       thp ? "THP" : "4K", len / MIB, nid, bench_median(in, repeats), nid,
	       bench_median(out, repeats));
	printf(" | move_pages 0->1 %7.1f, 1->0 %7.1f MiB/s\n",
	       bench_median(to1, repeats), bench_median(to0, repeats));
	printf("migrate %-3s ratios: MIGRATE/move_pages(0<->1) in %.2fx out %.2fx\n",
	       thp ? "THP" : "4K", bench_median(in, repeats) / bench_median(to1, repeats),
	       bench_median(out, repeats) / bench_median(to0, repeats));
	if (!curve_mib)
		printf("migrate %-3s same nodes: move_pages 0->%d %7.1f, %d->0 %7.1f MiB/s;"
		       " MIGRATE/move_pages in %.2fx out %.2fx\n",
		       thp ? "THP" : "4K", nid, bench_median(pin, repeats),
		       nid, bench_median(pout, repeats),
		       bench_median(in, repeats) / bench_median(pin, repeats),
		       bench_median(out, repeats) / bench_median(pout, repeats));
	munmap(p, len);
	free(pages);
	free(nodes);
	free(status);
}

/* The fault-in and MIGRATE rows at one size (the fixed rows or a curve point). */
static void fault_rows(int fd, int dax, size_t len, int thp)
{
	double v[3];

	fault(fd, dax, len, thp, v);
	printf("fault-in %-3s %3zu MiB: privmem %8.1f | anon node 1 %8.1f",
	       thp ? "THP" : "4K", len / MIB, v[PRIVMEM], v[ANON_NODE1]);
	if (!curve_mib)
		printf(" | devdax (2M) %8.1f MiB/s | privmem/devdax %.2fx",
		       v[DEVDAX], v[PRIVMEM] / v[DEVDAX]);
	printf(" | privmem/anon %.2fx\n", v[PRIVMEM] / v[ANON_NODE1]);
}

/* Each size of @sizes ("16,64,256,768", MiB): one curve point. */
static void curves(int fd, int dax, const char *sizes, int nid)
{
	size_t mib[BENCH_MAX_SIZES];
	int i, n = bench_sizes("privmem_bench", sizes, mib), thp;

	for (i = 0; i < n; i++) {
		curve_mib = mib[i];
		for (thp = 0; thp <= 1; thp++) {
			/* A THP curve point needs room for a few THPs. */
			if (thp && curve_mib < 64)
				continue;
			fault_rows(fd, dax, curve_mib * MIB, thp);
			migration(fd, curve_mib * MIB, thp, nid);
		}
	}
	curve_mib = 0;
}

int main(int argc, char **argv)
{
	struct privmem_info info = { .size = sizeof(info) };
	size_t flen = 256 * MIB, mlen = 64 * MIB;
	int fd, dax, thp;

	if (argc < 3) {
		fprintf(stderr,
			"usage: privmem_bench /dev/privmemN /dev/daxX.Y [repeats [SIZES]]\n");
		return 2;
	}
	if (argc > 3)
		repeats = atoi(argv[3]);
	if (repeats < 1 || repeats > MAXREP)
		repeats = 5;
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);
	dax = open(argv[2], O_RDWR);
	if (dax < 0)
		die(argv[2]);
	if (ioctl(fd, PRIVMEM_IOC_INFO, &info))
		die("PRIVMEM_IOC_INFO");

	printf("privmem_bench: private node %d, %d repeats, medians in MiB/s\n",
	       info.node, repeats);
	if (argc > 4) {
		curves(fd, dax, argv[4], info.node);
	} else {
		for (thp = 0; thp <= 1; thp++)
			fault_rows(fd, dax, flen, thp);
		for (thp = 0; thp <= 1; thp++)
			migration(fd, thp ? 4 * mlen : mlen, thp, info.node);
	}
	close(dax);
	close(fd);
	return 0;
}
