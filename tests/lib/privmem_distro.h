/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests of private nodes under the distribution kernel's mm
 * features (KSM, memory failure, hugetlb, memcg, auto-online): page frame
 * numbers from /proc/self/pagemap and page flags from /proc/kpageflags
 * (both need root), and a child process reporting through shared memory.
 */
#ifndef _PRIVMEM_DISTRO_H
#define _PRIVMEM_DISTRO_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/types.h>
#include "privmem_lib.h"

/* Bits of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
#define PM_KPF_BUDDY	10
#define PM_KPF_HWPOISON	19

/* The page frame mapped at @addr in this process, 0 if none. */
static inline unsigned long pm_pfn_of(const void *addr)
{
	__u64 e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (uintptr_t)addr / PM_PAGE * sizeof(e);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))	/* not present */
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* The /proc/kpageflags word of @pfn, or ~0 if it cannot be read. */
static inline __u64 pm_kpageflags(unsigned long pfn)
{
	__u64 f = ~0ULL;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return f;
	if (pread(fd, &f, sizeof(f), pfn * sizeof(f)) != sizeof(f))
		f = ~0ULL;
	close(fd);
	return f;
}

static inline int pm_page_flag(unsigned long pfn, int bit)
{
	__u64 f = pm_kpageflags(pfn);

	return f != ~0ULL && ((f >> bit) & 1);
}

/* /sys/devices/system/memory/block_size_bytes, or -1. */
static inline long pm_block_size(void)
{
	char buf[64];

	if (pm_read_str("/sys/devices/system/memory/block_size_bytes", buf,
			sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 16);
}

/*
 * A free page frame (on the buddy lists) in the middle of the highest
 * memory block of node @nid, or 0 if there is none.
 */
static inline unsigned long pm_node_free_pfn(int nid)
{
	unsigned long blk = 0, b, pfn, first, nr;
	long bsize = pm_block_size();
	char pat[96];
	glob_t g;
	size_t i;

	snprintf(pat, sizeof(pat), "/sys/devices/system/node/node%d/memory[0-9]*",
		 nid);
	if (bsize <= 0 || glob(pat, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		b = strtoul(strrchr(g.gl_pathv[i], '/') + 7, NULL, 10);
		if (b > blk)
			blk = b;
	}
	globfree(&g);
	if (!blk)
		return 0;
	nr = bsize / PM_PAGE;
	first = blk * nr;
	for (pfn = first + nr / 2; pfn < first + nr; pfn++)
		if (pm_page_flag(pfn, PM_KPF_BUDDY))
			return pfn;
	return 0;
}

/* A page of anonymous memory shared with forked children. */
static inline void *pm_shared_page(void)
{
	void *p = mmap(NULL, PM_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#endif /* _PRIVMEM_DISTRO_H */
