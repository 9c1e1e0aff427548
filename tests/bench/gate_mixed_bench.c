// SPDX-License-Identifier: GPL-2.0
/*
 * gate_mixed_bench DIR [ITERATIONS] [REPEATS]
 *
 * A kernel-build-like mixed workload for scripts/host/bench-gate.sh: each
 * iteration forks and execs this program again (from a tmpfs copy, so no
 * 9p I/O is timed), and the child, like a compiler run, creates 8 files of
 * 32 KiB in DIR (a tmpfs: page cache), reads them back, checks them,
 * unlinks them and touches 1 MiB of anonymous memory. The allocations are
 * page cache, anonymous, page table, slab (inodes, dentries) and the
 * fork/exec paths: the ordinary allocations the isolation gate sits on.
 * Prints one line per repeat and "median_iters_per_sec N". Build it
 * static so that exec does not load a shared libc from the 9p root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_lib.h"

#define NFILES	8
#define FSIZE	(32 * 1024)
#define ANON	(1024 * 1024)

static char wbuf[FSIZE], rbuf[FSIZE];

/* The child's work; returns the exit status. */
static int child(const char *dir)
{
	char path[4096];
	char *p;
	int i, fd;
	size_t o;

	for (i = 0; i < FSIZE; i++)
		wbuf[i] = (char)(i * 7 + getpid());
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/f%d.%d", dir, getpid(), i);
		fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
		if (fd < 0 || write(fd, wbuf, FSIZE) != FSIZE)
			return 1;
		if (pread(fd, rbuf, FSIZE, 0) != FSIZE ||
		    memcmp(wbuf, rbuf, FSIZE))
			return 1;
		close(fd);
		if (unlink(path))
			return 1;
	}
	p = mmap(NULL, ANON, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (o = 0; o < ANON; o += 4096)
		p[o] = 1;
	return 0;
}

int main(int argc, char **argv)
{
	int iters, repeats, r, i, status;
	double *rate, t;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--child"))
		return child(argv[2]);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [ITERATIONS] [REPEATS]\n", argv[0]);
		return 2;
	}
	iters = argc > 2 ? atoi(argv[2]) : 200;
	repeats = argc > 3 ? atoi(argv[3]) : 9;
	if (iters < 1 || repeats < 1) {
		fprintf(stderr, "%s: ITERATIONS and REPEATS must be positive\n", argv[0]);
		return 2;
	}
	rate = calloc(repeats, sizeof(*rate));
	if (!rate)
		return 1;
	for (r = 0; r < repeats; r++) {
		t = bench_now();
		for (i = 0; i < iters; i++) {
			pid = fork();
			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (!pid) {
				execl("/proc/self/exe", argv[0], "--child",
				      argv[1], (char *)NULL);
				_exit(127);
			}
			if (waitpid(pid, &status, 0) != pid ||
			    !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "%s: child failed (status %#x)\n",
					argv[0], status);
				return 1;
			}
		}
		t = bench_now() - t;
		rate[r] = iters / t;
		printf("repeat %d iterations %d seconds %.6f iters_per_sec %.3f\n",
		       r, iters, t, rate[r]);
	}
	printf("median_iters_per_sec %.3f\n", bench_median(rate, repeats));
	free(rate);
	return 0;
}
