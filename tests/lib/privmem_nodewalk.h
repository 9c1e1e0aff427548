/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test module privmem_nodewalk (tests/modules/privmem_nodewalk.c)
 * from userspace: one walk of a node's pages, classified.
 */
#ifndef PRIVMEM_NODEWALK_H
#define PRIVMEM_NODEWALK_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "privmem_lib.h"

#define PM_WALK		"/sys/kernel/debug/privmem_nodewalk/walk"
#define PM_WALK_FMT	"node %d spanned %ld free %ld anon %ld file %ld " \
			"slab %ld pagetable %ld reserved %ld other %ld " \
			"offline %ld"

/*
 * Base pages of each kind; free counts buddy pages and pages waiting on
 * per-CPU free lists alike (MemFree misses the latter).
 */
struct pm_walk {
	long spanned, free, anon, file, slab, pagetable, reserved, other;
	long offline;	/* held by a compressed node's balloon */
};

/* Load the module: 0, or -1 if modprobe failed. */
static inline int pm_walk_load(void)
{
	return system("modprobe privmem_nodewalk") == 0 ? 0 : -1;
}

/* Walk node @nid into @w: 0, or -1 if the module could not walk it. */
static inline int pm_walk_node(int nid, struct pm_walk *w)
{
	char buf[32];
	FILE *f;
	int n, got;

	snprintf(buf, sizeof(buf), "%d", nid);
	if (pm_write_str(PM_WALK, buf))
		return -1;
	f = fopen(PM_WALK, "r");
	if (!f)
		return -1;
	got = fscanf(f, PM_WALK_FMT, &n, &w->spanned, &w->free, &w->anon, &w->file, &w->slab,
		     &w->pagetable, &w->reserved, &w->other, &w->offline);
	fclose(f);
	return got == 10 && n == nid ? 0 : -1;
}

/* Kernel pages of any kind (not user anonymous memory, not free). */
static inline long pm_walk_kernel_pages(const struct pm_walk *w)
{
	return w->file + w->slab + w->pagetable + w->other;
}

#endif /* PRIVMEM_NODEWALK_H */
