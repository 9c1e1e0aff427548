// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_demo /dev/privmemN
 *
 * A short, readable tour of a private node for `make demo`: what the device
 * says about itself, where the pages of a mapping of it land, a migration
 * of ordinary memory into the node and back with its counts, and the
 * pressure report. Uses only <linux/privmem.h> and move_pages(2).
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
#include <unistd.h>
#include <linux/privmem.h>

#define PAGE	4096UL
#define MIB	(1024UL * 1024)

static void die(const char *what)
{
	fprintf(stderr, "privmem_demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Print how many pages of [addr, addr+len) are on each node. */
static void where(const char *what, void *addr, size_t len)
{
	unsigned long n = len / PAGE, i, count[8] = { 0 }, other = 0;
	void **pages = calloc(n, sizeof(*pages));
	int *status = calloc(n, sizeof(*status));
	int first = 1;

	if (!pages || !status)
		die("calloc");
	for (i = 0; i < n; i++)
		pages[i] = (char *)addr + i * PAGE;
	if (move_pages(0, n, pages, NULL, status, 0))
		die("move_pages");
	for (i = 0; i < n; i++) {
		if (status[i] >= 0 && status[i] < 8)
			count[status[i]]++;
		else
			other++;
	}
	printf("  %-34s", what);
	for (i = 0; i < 8; i++) {
		if (!count[i])
			continue;
		printf("%s%lu pages on node %lu", first ? "" : ", ", count[i], i);
		first = 0;
	}
	if (other)
		printf("%s%lu not present", first ? "" : ", ", other);
	printf("\n");
	free(pages);
	free(status);
}

static const char *type_name(unsigned int type)
{
	return type == PRIVMEM_TYPE_PLAIN ? "plain" :
	       type == PRIVMEM_TYPE_COMPRESSED ? "compressed" : "?";
}

static void migrate(int fd, void *addr, size_t len, unsigned int dir,
		    int target)
{
	struct privmem_migrate m = {
		.size = sizeof(m), .flags = dir, .target_node = target,
		.addr = (uintptr_t)addr, .length = len,
	};

	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m))
		die("PRIVMEM_IOC_MIGRATE");
	printf("  MIGRATE %s node %d: moved %llu, failed %llu,",
	       dir == PRIVMEM_MIGRATE_TO_NODE ? "to private" : "out to",
	       m.target_node, (unsigned long long)m.moved,
	       (unsigned long long)m.failed);
	printf(" already there %llu, not present %llu (pages)\n",
	       (unsigned long long)m.already, (unsigned long long)m.absent);
}

int main(int argc, char **argv)
{
	struct privmem_info info = { .size = sizeof(info) };
	struct privmem_pressure p = { .size = sizeof(p) };
	size_t len = 64 * MIB, i;
	unsigned long node0 = 1;
	char *map, *anon;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: privmem_demo /dev/privmemN\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);

	if (ioctl(fd, PRIVMEM_IOC_INFO, &info))
		die("PRIVMEM_IOC_INFO");
	printf("%s is private node %d, type %s, made from dax%u.%u\n",
	       argv[1], info.node, type_name(info.type), info.dax_region,
	       info.dax_id);
	printf("  capacity %llu MiB, free %llu MiB, page sizes:%s%s\n",
	       (unsigned long long)info.capacity / MIB,
	       (unsigned long long)info.free / MIB,
	       info.page_sizes & PAGE ? " 4K" : "",
	       info.page_sizes & (2 * MIB) ? " 2M" : "");

	printf("\n1. Map 64 MiB of %s and write to it: every page comes from the private node\n",
	       argv[1]);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	memset(map, 0x42, len);
	where("the /dev/privmem mapping:", map, len);

	printf("\n2. Ordinary memory stays in DRAM; MIGRATE moves it into the node and back\n");
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap");
	if (mbind(anon, len, MPOL_BIND, &node0, 64, 0))
		die("mbind");
	for (i = 0; i < len; i += PAGE)
		anon[i] = (char)i;
	where("64 MiB of malloc-like memory:", anon, len);
	migrate(fd, anon, len, PRIVMEM_MIGRATE_TO_NODE, -1);
	where("after MIGRATE to the node:", anon, len);
	migrate(fd, anon, len, PRIVMEM_MIGRATE_FROM_NODE, 0);
	where("after MIGRATE back:", anon, len);
	for (i = 0; i < len; i += PAGE)
		if (anon[i] != (char)i) {
			printf("  data damaged at offset %zu!\n", i);
			return 1;
		}
	printf("  contents verified after the round trip\n");

	printf("\n3. The pressure report (PRIVMEM_IOC_GET_PRESSURE)\n");
	if (ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, &p))
		die("PRIVMEM_IOC_GET_PRESSURE");
	printf("  level %u of 1000 (%s), watermarks low %u high %u%s\n",
	       p.level, p.state == PRIVMEM_STATE_HIGH ? "high" :
	       p.state == PRIVMEM_STATE_ELEVATED ? "elevated" : "normal",
	       p.low, p.high,
	       p.flags & PRIVMEM_PRESSURE_INJECTED ? ", injected" : "");
	printf("  logical: %llu MiB used, %llu MiB free of %llu MiB\n",
	       (unsigned long long)p.logical_used / MIB,
	       (unsigned long long)p.logical_free / MIB,
	       (unsigned long long)p.logical_capacity / MIB);
	printf("  physical: %llu of %llu MiB, ratio %u.%03u (compressed nodes only)\n",
	       (unsigned long long)p.physical_used / MIB,
	       (unsigned long long)p.physical_capacity / MIB,
	       p.compression_ratio / 1000, p.compression_ratio % 1000);
	printf("  counters (pages): migrations in %llu, out %llu;",
	       (unsigned long long)p.migrations_in,
	       (unsigned long long)p.migrations_out);
	printf(" demotions in %llu, refused %llu; promotions %llu\n",
	       (unsigned long long)p.demotions_in,
	       (unsigned long long)p.demotions_refused,
	       (unsigned long long)p.promotions);

	munmap(map, len);
	munmap(anon, len);
	close(fd);
	return 0;
}
