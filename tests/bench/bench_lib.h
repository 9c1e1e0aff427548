/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing helpers shared by the benchmark programs in tests/user: a
 * monotonic clock in seconds, the median and mean of a set of repeats, the
 * "sample" lines that scripts/host/bench-report.py turns into the table.
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

#define BENCH_MAX_SIZES	16

/*
 * The sizes of a cost curve: @list is "16,64,256,768" (MiB, each 1-1024),
 * parsed into @mib. Exits with status 2 on a bad list, naming @prog.
 * Returns the number of sizes.
 */
static inline int bench_sizes(const char *prog, const char *list, size_t *mib)
{
	const char *p = list;
	char *end;
	int n = 0;

	while (*p) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || !v || v > 1024 || n == BENCH_MAX_SIZES ||
		    (*end && *end != ',')) {
			fprintf(stderr, "%s: bad sizes '%s' (MiB, 1-1024, comma-separated)\n",
				prog, list);
			exit(2);
		}
		mib[n++] = v;
		p = *end ? end + 1 : end;
	}
	if (!n) {
		fprintf(stderr, "%s: no sizes\n", prog);
		exit(2);
	}
	return n;
}

/*
 * One measurement, for scripts/host/bench-report.py: "sample KEY ROUND VALUE".
 * KEY names the series (e.g. fault4k.privmem), ROUND the repeat it belongs
 * to: a figure and its baseline measured in the same round form a pair.
 */
static inline void bench_sample(const char *key, int round, double value)
{
	printf("sample %s %d %.6g\n", key, round, value);
	fflush(stdout);
}

#endif
