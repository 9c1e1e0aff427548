/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page allocator's zone filter, for mm/page_alloc.c and
 * mm/compaction.c (include after "internal.h": it needs struct
 * alloc_context and ALLOC_CPUSET).
 *
 * It is kept out of mm/internal.h because it needs <linux/cpuset.h>, which
 * pulls in <trace/events/tlb.h>: files that define CREATE_TRACE_POINTS
 * before including internal.h (rmap.c, mmap.c, vmalloc.c) would define
 * the tlb tracepoints twice on kernels with CONFIG_TRACEPOINTS.
 */
#ifndef _MM_PRIVATE_NODE_GATE_H
#define _MM_PRIVATE_NODE_GATE_H

#include <linux/cpuset.h>
#include <linux/private_node.h>

/*
 * The zone filter of every zonelist walk of the page allocator. Private
 * zones are decided by the gate alone (cpusets never list private nodes);
 * other zones by the cpuset when the allocation is cpuset-constrained.
 */
static inline bool zone_alloc_allowed(struct zone *zone, gfp_t gfp_mask,
				      unsigned int alloc_flags,
				      const struct alloc_context *ac)
{
	if (unlikely(private_zone(zone)))
		return private_zone_allowed(zone, ac->private_ok);
	if (cpusets_enabled() && (alloc_flags & ALLOC_CPUSET) &&
	    !__cpuset_zone_allowed(zone, gfp_mask))
		return false;
	return true;
}

#endif /* _MM_PRIVATE_NODE_GATE_H */
