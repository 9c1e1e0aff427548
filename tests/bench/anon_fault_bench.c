// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous page-fault microbenchmark for the cost of the private node gate
 * on the ordinary allocation path: map SIZE of anonymous memory, write one
 * byte per page, unmap; repeat and print the median cost per fault.
 *
 * Usage: anon_fault_bench [MiB] [repeats]     (default 256 MiB, 9 repeats)
 * Output: one line "anon_fault_ns_per_page <median>".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int reps = argc > 2 ? atoi(argv[2]) : 9;
	size_t len = mib << 20, psz = getpagesize(), i;
	double *res = calloc(reps, sizeof(*res));
	int r;

	if (!res || reps < 1)
		return 1;
	for (r = 0; r < reps; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double t;

		if (p == MAP_FAILED)
			return 1;
		/* 4K faults: the allocation path, not THP. */
		madvise(p, len, MADV_NOHUGEPAGE);
		t = now_ns();
		for (i = 0; i < len; i += psz)
			p[i] = 1;
		res[r] = (now_ns() - t) / (len / psz);
		munmap(p, len);
	}
	qsort(res, reps, sizeof(*res), cmp);
	printf("anon_fault_ns_per_page %.1f\n", res[reps / 2]);
	return 0;
}
