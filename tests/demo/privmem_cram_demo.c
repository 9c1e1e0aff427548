// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_cram_demo /dev/privmemN
 *
 * A readable tour of a compressed node for `make demo`: cold memory of
 * node 1 demoted in by reclaim, the compression ratio of what it holds,
 * a read that stays and a write that promotes, then pressure rising past
 * the high watermark (demotion refused) and falling below the low one.
 * Every report shows the node's free pages as the mm core sees them: the
 * balloon takes away what the device could not store at the ratio of the
 * data it holds, so random data makes the free count follow the device.
 *
 * Runs as root in the guest; uses a memory cgroup (privmem-demo, no swap,
 * so that only this program decides what leaves the node) and
 * /sys/kernel/mm/numa/demotion_enabled, both put back at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/privmem.h>

#define PAGE	4096UL
#define MIB	(1024UL * 1024)
#define CG	"/sys/fs/cgroup/privmem-demo"

static int fd, nid;

static void die(const char *what)
{
	fprintf(stderr, "privmem_cram_demo: %s: %s\n", what, strerror(errno));
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

static void pressure(struct privmem_pressure *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	if (ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, p))
		die("GET_PRESSURE");
}

static void report(const char *what)
{
	static const char *const state[] = { "normal", "elevated", "HIGH" };
	struct privmem_pressure p;

	pressure(&p);
	printf("  %s\n", what);
	printf("    physical %6.2f of %.0f MiB, %6llu pages, ratio %u.%03u:1\n",
	       (double)p.physical_used / MIB, (double)p.physical_capacity / MIB,
	       (unsigned long long)p.stored_pages, p.compression_ratio / 1000,
	       p.compression_ratio % 1000);
	printf("    pressure %4u (low %u, high %u, %s%s), in %llu, refused %llu, promoted %llu\n",
	       p.level, p.low, p.high, state[p.state % 3],
	       p.flags & PRIVMEM_PRESSURE_BLOCKED ? ", blocked" : "",
	       (unsigned long long)p.demotions_in,
	       (unsigned long long)p.demotions_refused,
	       (unsigned long long)p.promotions);
	printf("    node     %6.1f MiB used, %6.1f MiB free, balloon %6.1f MiB",
	       (double)p.logical_used / MIB, (double)p.logical_free / MIB,
	       (double)p.balloon / MIB);
	printf(" (free space at ratio %u.%03u:1)\n", p.ratio_estimate / 1000,
	       p.ratio_estimate % 1000);
}

static long on_node(void *addr, size_t len, int node)
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

static char *anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static void text(char *p, size_t len)
{
	static const char *const w[] = {
		"compressed", "memory", "is", "read-only", "until", "a",
		"write", "promotes", "the", "page", "to", "DRAM", "node",
	};
	unsigned int seed = 1;
	size_t o = 0;

	while (o < len) {
		const char *s = w[rand_r(&seed) % 13];

		while (*s && o < len)
			p[o++] = *s++;
		if (o < len)
			p[o++] = ' ';
	}
}

static void randomize(char *p, size_t len)
{
	unsigned long long *q = (unsigned long long *)p;
	unsigned long long x = 88172645463325252ULL;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		q[i] = x;
	}
}

int main(int argc, char **argv)
{
	struct privmem_migrate m = { .size = sizeof(m) };
	struct privmem_info info = { .size = sizeof(info) };
	unsigned long node1 = 1UL << 1;
	size_t len = 16 * MIB, big;
	char buf[64], saved[16] = "false";
	struct pollfd pfd;
	struct privmem_pressure p;
	char *cold, *rnd;
	long sum = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: privmem_cram_demo /dev/privmemN\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);
	if (ioctl(fd, PRIVMEM_IOC_INFO, &info))
		die("INFO");
	nid = info.node;
	printf("%s: node %d, %llu MiB logical\n", argv[1], nid,
	       (unsigned long long)info.capacity / MIB);
	report("empty:");

	f = fopen("/sys/kernel/mm/numa/demotion_enabled", "r");
	if (f) {
		if (!fgets(saved, sizeof(saved), f))
			snprintf(saved, sizeof(saved), "false");
		fclose(f);
	}
	put("/sys/kernel/mm/numa/demotion_enabled", "true");
	put("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	put(CG "/memory.swap.max", "0");
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (put(CG "/cgroup.procs", buf))
		die("joining " CG);

	printf("\n1. 16 MiB of text on node 1, then the cgroup reclaims it:\n");
	cold = anon(len);
	if (mbind(cold, len, MPOL_BIND, &node1, 64, 0))
		die("mbind");
	text(cold, len);
	printf("  before reclaim: %ld pages on node 1, %ld on node %d\n",
	       on_node(cold, len, 1), on_node(cold, len, nid), nid);
	snprintf(buf, sizeof(buf), "%zu", len);
	put(CG "/memory.reclaim", buf);
	printf("  after reclaim:  %ld pages on node 1, %ld on node %d\n",
	       on_node(cold, len, 1), on_node(cold, len, nid), nid);
	report("demoted in, compressed by the emulated device (lz4):");

	printf("\n2. Reading all of it, then writing one byte of one page:\n");
	for (size_t i = 0; i < len; i += PAGE)
		sum += cold[i];
	printf("  after reading:  %ld pages on node %d (checksum %ld)\n",
	       on_node(cold, len, nid), nid, sum);
	cold[0] = 'C';
	printf("  after a write:  %ld pages on node %d (the written page was promoted)\n",
	       on_node(cold, len, nid), nid);
	report("");

	printf("\n3. Random (incompressible) data migrated in until the device fills:\n");
	pressure(&p);
	big = p.physical_capacity;
	rnd = anon(big);
	randomize(rnd, big);
	pfd = (struct pollfd){ .fd = fd, .events = POLLPRI };
	m.flags = PRIVMEM_MIGRATE_TO_NODE;
	m.target_node = -1;
	m.addr = (uintptr_t)rnd;
	m.length = big;
	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m))
		printf("  MIGRATE of %zu MiB: %s (the device crossed its high watermark mid-way)\n",
		       big / MIB, strerror(errno));
	else
		printf("  MIGRATE of %zu MiB: %llu pages moved, %llu refused\n",
		       big / MIB, (unsigned long long)m.moved,
		       (unsigned long long)m.failed);
	printf("  poll(POLLPRI): %s\n",
	       poll(&pfd, 1, 3000) == 1 ? "pressure crossing reported" : "nothing");
	sleep(1);
	report("pressure at the maximum; the free count followed the device:");
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.flags = PRIVMEM_MIGRATE_TO_NODE;
	m.target_node = -1;
	m.addr = (uintptr_t)cold;
	m.length = len;
	printf("  MIGRATE of the promoted page again: %s\n",
	       ioctl(fd, PRIVMEM_IOC_MIGRATE, &m) ? strerror(errno) : "accepted");
	report("");

	printf("\n4. Freeing the random data:\n");
	munmap(rnd, big);
	printf("  poll(POLLPRI): %s\n",
	       poll(&pfd, 1, 3000) == 1 ? "pressure crossing reported" : "nothing");
	sleep(1);
	report("below the low watermark, the maximum is cleared; the balloon keeps\n"
	       "  the free count at what the device can store at the worst recent ratio:");

	munmap(cold, len);
	put("/sys/fs/cgroup/cgroup.procs", "0");
	snprintf(buf, sizeof(buf), "%d", getpid());
	put("/sys/fs/cgroup/cgroup.procs", buf);
	rmdir(CG);
	put("/sys/kernel/mm/numa/demotion_enabled", saved);
	sleep(1);
	report("after freeing everything (an empty device: the balloon gave every page back):");
	close(fd);
	return 0;
}
