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

/*
 * check_retry_cpuset() drops a nodemask that no node of the task's cpuset
 * is in, taking it for a policy that raced with a cpuset update. No
 * cpuset lists a private node, so a gated allocation bound to private
 * nodes alone would lose its mask there and fall back to ordinary memory.
 * Its private nodes were checked against the cpuset when the policy was
 * applied (private_node_policy_nodes()): the mask stays.
 */
static inline bool private_nodemask_allowed(const struct alloc_context *ac)
{
	return ac->private_ok && private_nodes_enabled() &&
	       nodes_intersects(*ac->nodemask,
				node_states[N_MEMORY_PRIVATE]);
}

#endif /* _MM_PRIVATE_NODE_GATE_H */
