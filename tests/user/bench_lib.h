/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing helpers shared by the benchmark programs in tests/user: a
 * monotonic clock in seconds, the median and mean of a set of repeats, the
 * "sample" lines that scripts/bench-report.py turns into the table.
 */
#ifndef PRIVMEM_BENCH_LIB_H
#define PRIVMEM_BENCH_LIB_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v in place. */
static inline double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline double bench_mean(const double *v, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return n ? sum / n : 0;
}

/*
 * One measurement, for scripts/bench-report.py: "sample KEY ROUND VALUE".
 * KEY names the series (e.g. fault4k.privmem), ROUND the repeat it belongs
 * to: a figure and its baseline measured in the same round form a pair.
 */
static inline void bench_sample(const char *key, int round, double value)
{
	printf("sample %s %d %.6g\n", key, round, value);
	fflush(stdout);
}

#endif
