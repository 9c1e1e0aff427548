// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: what the node holds, as INFO, GET_PRESSURE and the sysfs views
 * report it: the services in effect, its logical use, the page sizes its
 * faults may use and the pages memory failure took out of use.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include "privmem.h"

/**
 * privmem_caps() - the services in effect on the node
 * @pm: an online node
 *
 * Return: PRIVATE_NODE_CAP_* of the node.
 */
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

/**
 * privmem_free_bytes() - free memory of the node
 * @pm: any node (0 while offline)
 *
 * Return: bytes free on the node's zones.
 */
u64 privmem_free_bytes(struct privmem_dev *pm)
{
	unsigned long managed, free;

	privmem_node_pages(pm, &managed, &free);
	return (u64)free << PAGE_SHIFT;
}

/**
 * privmem_used_bytes() - logical use of the node
 * @pm: any node (0 while offline)
 *
 * Return: bytes of managed pages that are neither free nor held by a
 * compressed node's balloon.
 */
u64 privmem_used_bytes(struct privmem_dev *pm)
{
	unsigned long managed, free;

	privmem_node_pages(pm, &managed, &free);
	free += privmem_balloon_pages(pm);
	return (u64)(managed > free ? managed - free : 0) << PAGE_SHIFT;
}

/**
 * privmem_poisoned_pages() - pages memory failure took out of use
 * @pm: an online node, removal kept out (privmem_enter())
 *
 * The kernel keeps no per-node count of hardware-poisoned pages
 * (memory_failure/total of the node counts events, a page poisoned twice
 * twice), so look at the page flags. Free pages taken off the buddy lists
 * and mapped pages that were unmapped both keep PG_hwpoison until
 * unpoisoned or the memory is removed.
 *
 * Return: pages of the node marked hardware-poisoned.
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

/**
 * privmem_page_sizes() - page sizes faults on a node may use
 *
 * Return: a mask of sizes in bytes: PAGE_SIZE, and the PMD size with THP.
 */
u64 privmem_page_sizes(void)
{
	u64 sizes = PAGE_SIZE;

	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && has_transparent_hugepage())
		sizes |= HPAGE_PMD_SIZE;
	return sizes;
}
