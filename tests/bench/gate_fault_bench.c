// SPDX-License-Identifier: GPL-2.0
/*
 * gate_fault_bench [MIB] [REPEATS]
 *
 * Anonymous 4K page-fault throughput: map MIB MiB of anonymous memory with
 * THP off, write one byte per page, unmap; REPEATS times. Prints one line
 * per repeat and a final "median_pages_per_sec N" line. Used by
 * scripts/host/bench-gate.sh to compare the patched kernel (isolation gate in
 * the allocator) with the unpatched one on the same guest image.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench_lib.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int repeats = argc > 2 ? atoi(argv[2]) : 9;
	size_t psz = getpagesize(), len = mib << 20, npages = len / psz, i;
	double *rate;
	int r;

	if (!mib || repeats < 1) {
		fprintf(stderr, "usage: %s [MIB] [REPEATS]\n", argv[0]);
		return 2;
	}
	rate = calloc(repeats, sizeof(*rate));
	if (!rate)
		return 1;
	for (r = 0; r < repeats; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double t0, t1;

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		madvise(p, len, MADV_NOHUGEPAGE);
		t0 = bench_now();
		for (i = 0; i < npages; i++)
			p[i * psz] = 1;
		t1 = bench_now();
		munmap(p, len);
		rate[r] = npages / (t1 - t0);
		printf("repeat %d pages %zu seconds %.6f pages_per_sec %.0f\n",
		       r, npages, t1 - t0, rate[r]);
	}
	printf("median_pages_per_sec %.0f\n", bench_median(rate, repeats));
	free(rate);
	return 0;
}
