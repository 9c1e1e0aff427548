// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the ioctls other than MIGRATE (migrate.c). Each one copies the
 * whole structure in, checks @size, @flags and the reserved fields, and
 * runs with the device's lock held for reading (chardev.c), so the node
 * cannot be removed underneath.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>
#include "privmem.h"

/* Copy a structure in and check its size field (its first member). */
static int privmem_copy_in(void *karg, size_t ksize, const void __user *arg)
{
	if (copy_from_user(karg, arg, ksize))
		return -EFAULT;
	if (*(u32 *)karg != ksize)
		return -EINVAL;
	return 0;
}

static bool privmem_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

u64 privmem_caps(struct privmem_dev *pm)
{
	return __private_node_flags(pm->nid) & PRIVATE_NODE_CAP_ALL;
}

static void privmem_node_pages(struct privmem_dev *pm, unsigned long *managed,
			       unsigned long *free)
{
	pg_data_t *pgdat = NODE_DATA(pm->nid);
	int z;

	*managed = 0;
	*free = 0;
	/* Offline, the node is not the device's (it may not even exist). */
	if (!pgdat || READ_ONCE(pm->state) != PRIVMEM_ONLINE)
		return;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		*managed += zone_managed_pages(zone);
		/*
		 * The snapshot adds the per-CPU counter deltas not yet folded
		 * in; a private zone keeps no pages on per-CPU free lists
		 * (patch 0004), so this is exact as soon as a folio is freed.
		 */
		*free += zone_page_state_snapshot(zone, NR_FREE_PAGES);
	}
}

u64 privmem_free_bytes(struct privmem_dev *pm)
{
	unsigned long managed, free;

	privmem_node_pages(pm, &managed, &free);
	return (u64)free << PAGE_SHIFT;
}

/*
 * Logical use of the node: managed pages that are neither free nor held
 * by a compressed node's balloon.
 */
u64 privmem_used_bytes(struct privmem_dev *pm)
{
	unsigned long managed, free;

	privmem_node_pages(pm, &managed, &free);
	free += privmem_balloon_pages(pm);
	return (u64)(managed > free ? managed - free : 0) << PAGE_SHIFT;
}

/*
 * Pages of the node that memory failure marked hardware-poisoned: the
 * kernel keeps no per-node count of them (memory_failure/total of the node
 * counts events, a page poisoned twice twice), so look at the page flags.
 * Free pages taken off the buddy lists and mapped pages that were unmapped
 * both keep PG_hwpoison until unpoisoned or the memory is removed. The
 * caller keeps removal out (privmem_enter()).
 */
unsigned long privmem_poisoned_pages(struct privmem_dev *pm)
{
	unsigned long pfn, end, nr = 0;
	struct page *page;
	int i;

	for (i = 0; i < pm->nr_ranges; i++) {
		if (!pm->ranges[i].added)
			continue;
		pfn = PHYS_PFN(pm->ranges[i].start);
		end = PHYS_PFN(pm->ranges[i].start + pm->ranges[i].size);
		for (; pfn < end; pfn++) {
			page = pfn_to_online_page(pfn);
			if (page && PageHWPoison(page))
				nr++;
			if (!(pfn & 4095))
				cond_resched();
		}
	}
	return nr;
}

u64 privmem_page_sizes(void)
{
	u64 sizes = PAGE_SIZE;

	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && has_transparent_hugepage())
		sizes |= HPAGE_PMD_SIZE;
	return sizes;
}

long privmem_ioctl_info(struct privmem_dev *pm, void __user *arg)
{
	struct privmem_info info;
	int ret;

	ret = privmem_copy_in(&info, sizeof(info), arg);
	if (ret)
		return ret;
	if (info.flags || info.reserved0 || info.balloon ||
	    !privmem_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.node = pm->nid;
	info.type = pm->set.type;
	info.caps = privmem_caps(pm);
	info.capacity = pm->capacity;
	info.free = privmem_free_bytes(pm);
	info.balloon = (u64)privmem_balloon_pages(pm) << PAGE_SHIFT;
	info.page_sizes = privmem_page_sizes();
	info.id = pm->id;
	info.dax_region = pm->dax_region;
	info.dax_id = pm->dax_id;
	if (copy_to_user(arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

long privmem_ioctl_get_demotion(struct privmem_dev *pm, void __user *arg)
{
	struct privmem_demotion d;
	nodemask_t sources;
	bool enabled;
	int ret, n;

	ret = privmem_copy_in(&d, sizeof(d), arg);
	if (ret)
		return ret;
	if (d.flags || d.reserved0 ||
	    !privmem_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	ret = private_node_get_demotion(pm->nid, &enabled, &sources);
	if (ret)
		return ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	if (enabled)
		d.flags |= PRIVMEM_DEMOTION_ENABLE;
	if (nodes_equal(sources, node_possible_map))
		d.flags |= PRIVMEM_DEMOTION_ALL_SOURCES;
	for_each_node_mask(n, sources)
		if (n < PRIVMEM_MAX_NODES)
			d.sources[n / 64] |= 1ULL << (n % 64);
	if (copy_to_user(arg, &d, sizeof(d)))
		return -EFAULT;
	return 0;
}

long privmem_ioctl_set_demotion(struct privmem_dev *pm, void __user *arg)
{
	struct privmem_demotion d;
	nodemask_t sources;
	int ret, n;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = privmem_copy_in(&d, sizeof(d), arg);
	if (ret)
		return ret;
	if ((d.flags & ~PRIVMEM_DEMOTION_FLAGS) || d.reserved0 ||
	    !privmem_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;

	if (d.flags & PRIVMEM_DEMOTION_ALL_SOURCES) {
		if (!privmem_zero(d.sources, sizeof(d.sources)))
			return -EINVAL;
		return private_node_set_demotion(pm->nid,
						 d.flags & PRIVMEM_DEMOTION_ENABLE,
						 NULL);
	}

	nodes_clear(sources);
	for (n = 0; n < PRIVMEM_MAX_NODES; n++) {
		if (!(d.sources[n / 64] & (1ULL << (n % 64))))
			continue;
		/* Only normal memory nodes demote. */
		if (n >= MAX_NUMNODES || !node_state(n, N_MEMORY))
			return -EINVAL;
		node_set(n, sources);
	}
	if (nodes_empty(sources))
		return -EINVAL;
	return private_node_set_demotion(pm->nid,
					 d.flags & PRIVMEM_DEMOTION_ENABLE,
					 &sources);
}

static_assert(offsetof(struct privmem_pressure, balloon) ==
	      PRIVMEM_PRESSURE_SIZE_VER0);

long privmem_ioctl_get_pressure(struct privmem_dev *pm, u64 *seen,
				void __user *arg)
{
	struct privmem_pressure p = { 0 };
	u32 size;

	/*
	 * The size of this version, or of the first one (no balloon): the
	 * first one's bytes must be readable either way.
	 */
	if (copy_from_user(&p, arg, PRIVMEM_PRESSURE_SIZE_VER0))
		return -EFAULT;
	size = p.size;
	if (size != sizeof(p) && size != PRIVMEM_PRESSURE_SIZE_VER0)
		return -EINVAL;
	if (size > PRIVMEM_PRESSURE_SIZE_VER0 &&
	    copy_from_user((char *)&p + PRIVMEM_PRESSURE_SIZE_VER0,
			   (char __user *)arg + PRIVMEM_PRESSURE_SIZE_VER0,
			   size - PRIVMEM_PRESSURE_SIZE_VER0))
		return -EFAULT;
	if (p.flags || p.reserved0 || p.promotion_failures || p.stored_pages ||
	    p.bytes_charged || p.bytes_uncharged || p.balloon ||
	    p.ratio_estimate || p.reserved1)
		return -EINVAL;

	memset(&p, 0, sizeof(p));
	p.size = size;
	privmem_pressure_update(pm);
	privmem_pressure_snapshot(pm, &p);
	p.logical_capacity = pm->capacity;
	p.logical_used = privmem_used_bytes(pm);
	p.logical_free = privmem_free_bytes(pm);
	p.demotions_in = atomic64_read(&pm->cnt.demotions_in);
	p.demotions_refused = atomic64_read(&pm->cnt.demotions_refused);
	p.promotions = atomic64_read(&pm->cnt.promotions);
	p.promotion_failures = atomic64_read(&pm->cnt.promotion_failures);
	p.migrations_in = atomic64_read(&pm->cnt.migrations_in);
	p.migrations_out = atomic64_read(&pm->cnt.migrations_out);
	/* Compressed nodes: the emulated device's physical accounting. */
	privmem_cram_pressure(pm, &p);
	*seen = p.events;
	if (copy_to_user(arg, &p, size))
		return -EFAULT;
	return 0;
}

long privmem_ioctl_set_watermarks(struct privmem_dev *pm, void __user *arg)
{
	struct privmem_watermarks w;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = privmem_copy_in(&w, sizeof(w), arg);
	if (ret)
		return ret;
	if (w.flags || !privmem_zero(w.reserved, sizeof(w.reserved)))
		return -EINVAL;
	return privmem_set_watermarks(pm, w.low, w.high);
}

long privmem_ioctl_inject(struct privmem_dev *pm, void __user *arg)
{
	struct privmem_inject in;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = privmem_copy_in(&in, sizeof(in), arg);
	if (ret)
		return ret;
	if ((in.flags & ~PRIVMEM_INJECT_FLAGS) || in.reserved0 ||
	    !privmem_zero(in.reserved, sizeof(in.reserved)))
		return -EINVAL;
	if (in.level > PRIVMEM_PRESSURE_MAX)
		return -EINVAL;
	if ((in.flags & PRIVMEM_INJECT_CLEAR) && in.level)
		return -EINVAL;
	privmem_inject(pm, in.flags & PRIVMEM_INJECT_CLEAR, in.level);
	return 0;
}
