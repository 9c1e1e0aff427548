// SPDX-License-Identifier: GPL-2.0
/*
 * The guest that every privmem test runs in, seen from userspace: NUMA node
 * masks, the devdax devices made from the emulated NVDIMMs, a mapping of one
 * of them, and page placement on the CPU-less DRAM node checked with
 * move_pages(2) in query mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "privmem_lib.h"

#define SZ_2M (2UL << 20)

TEST(node_masks)
{
	char buf[64];

	ASSERT_EQ(0, pm_read_str("/sys/devices/system/node/has_cpu", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, pm_read_str("/sys/devices/system/node/has_memory", buf, sizeof(buf)));
	EXPECT_STREQ("0-1", buf);
	ASSERT_EQ(0, pm_read_str("/sys/devices/system/node/possible", buf, sizeof(buf)));
	EXPECT_STREQ("0-3", buf);
}

TEST(dax_devices_on_nvdimm_nodes)
{
	static const struct { const char *dev; const char *node; } want[] = {
		{ "dax0.0", "2" }, { "dax1.0", "3" },
	};
	char path[128], buf[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/target_node",
			 want[i].dev);
		ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf))) TH_LOG("%s", path);
		EXPECT_STREQ(want[i].node, buf);
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size",
			 want[i].dev);
		ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
		/* 1026M backend, less labels and metadata, 2M aligned. */
		EXPECT_GE(strtoull(buf, NULL, 0), 900ULL << 20);
		EXPECT_EQ(0ULL, strtoull(buf, NULL, 0) % SZ_2M);
	}
}

/* A /dev/dax mapping needs a 2M-aligned address; data round-trips. */
TEST(dax_mmap_roundtrip)
{
	size_t len = 4 * SZ_2M, i;
	unsigned long long *p;
	int fd;

	fd = open("/dev/dax1.0", O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0UL, (uintptr_t)p % SZ_2M);
	for (i = 0; i < len / sizeof(*p); i++)
		p[i] = i * 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < len / sizeof(*p); i++)
		if (p[i] != i * 0x9e3779b97f4a7c15ULL)
			break;
	EXPECT_EQ(len / sizeof(*p), i);
	munmap(p, len);
	close(fd);
}

/* Anonymous memory bound to the CPU-less DRAM node lands there. */
TEST(anon_on_cpuless_node)
{
	size_t npages = 256, psz = getpagesize(), i;
	unsigned long mask = 1UL << 1;
	void **pages;
	int *status;
	char *p;

	p = mmap(NULL, npages * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mbind(p, npages * psz, MPOL_BIND, &mask, 8 * sizeof(mask), 0));
	memset(p, 0x5a, npages * psz);

	pages = calloc(npages, sizeof(*pages));
	status = calloc(npages, sizeof(*status));
	ASSERT_NE(NULL, pages);
	ASSERT_NE(NULL, status);
	for (i = 0; i < npages; i++)
		pages[i] = p + i * psz;
	ASSERT_EQ(0, move_pages(0, npages, pages, NULL, status, 0));
	for (i = 0; i < npages; i++)
		if (status[i] != 1)
			break;
	EXPECT_EQ(npages, i) TH_LOG("page %zu is on node %d", i, status[i]);
	free(pages);
	free(status);
	munmap(p, npages * psz);
}

TEST_HARNESS_MAIN
