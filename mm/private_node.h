/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: the hooks the mm core calls, for mm/ only (the
 * owner API is <linux/private_node.h>; the design is
 * Documentation/mm/private-nodes.rst).
 *
 * - the page allocator's zone filter (the gate) and its nodemask rule;
 * - the checks of the opt-in services (NUMA balancing, compaction, DAMON,
 *   mempolicy, migration, demotion, the OOM rule), each with the
 *   private_nodes_present static key as its fast path;
 * - the owner callbacks (folio freed, folio migrated, write fault);
 * - the compressed service's reclaim hooks.
 *
 * Every check is a lockless read of the node's flags, which are fixed
 * while the node has an owner but for BLOCKED and the demotion service
 * (see <linux/private_node.h>).
 *
 * Include it before defining CREATE_TRACE_POINTS: it needs
 * <linux/cpuset.h>, which pulls in <trace/events/tlb.h>. It is not included
 * by internal.h for that reason (rmap.c, mmap.c and vmalloc.c define the
 * tracepoints before including internal.h).
 */
#ifndef _MM_PRIVATE_NODE_H
#define _MM_PRIVATE_NODE_H

#include <linux/cpuset.h>
#include <linux/gfp.h>
#include <linux/migrate_mode.h>
#include <linux/nodemask.h>
#include <linux/private_node.h>

#include "internal.h"

struct folio;
struct list_head;
struct task_struct;
struct vm_fault;

/*
 * The target allocation of a migration into or out of a private node asked
 * for by the owner: the node itself or nothing, without the OOM killer.
 */
#define PRIVATE_NODE_MIGRATE_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | \
					 __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

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

#ifdef CONFIG_PRIVATE_NODE

/* The owner, referenced (mm/private_node.c). */
struct private_node *private_node_get(int nid);
void private_node_put(struct private_node *np);

/* Migration into private nodes, and its owner callback. */
bool private_node_migration_allowed(const struct folio *src, int nid,
				    int reason);
struct folio *private_node_alloc_migration_target(struct folio *src, int nid,
						  enum migrate_reason reason,
						  gfp_t gfp);
void private_node_folio_migrate(struct folio *src, struct folio *dst);

/* Migration asked for by the owner (mm/private_node_driver.c). */
bool private_node_isolate_folio(struct folio *folio, struct list_head *list);

/* Policies naming private nodes. */
int private_node_mempolicy_nodes(const nodemask_t *nodes, nodemask_t *out);

/* Demotion: which private nodes the memory tiers may demote to. */
void private_node_demotion_filter(nodemask_t *targets);

/* Demotion sources of each node (mm/private_node_driver.c). */
bool private_node_demotion_source(int target, int source);
void private_node_demotion_filter_src(int source, nodemask_t *targets);
void memory_tier_private_node_changed(int nid);

/* Owner callback: a folio on the node is being freed. */
void private_node_folio_free(struct folio *folio);

/* Owner callback: a write to a write-protected folio. */
vm_fault_t private_node_write_fault(struct vm_fault *vmf, struct folio *folio);

/* Offlining gives up on folios that do not move. */
bool private_node_offline_give_up(int nid, unsigned int pass);

/* Cpusets govern who may place memory on a private node. */
bool private_node_cpuset_allows(struct task_struct *tsk, int nid);

/* The private nodes migrate_pages(2) and move_pages(2) may target. */
void private_node_cpuset_nodes(struct task_struct *tsk, nodemask_t *mask);

/* The compressed service's hooks for mm/vmscan.c (mm/cram.c). */
bool cram_demotion_blocked(int source_nid);
void cram_demotion_refused(int source_nid, unsigned long nr_pages);

/* The checks of NUMA balancing, compaction and private policies. */
bool __private_node_numa_scan(int nid);
bool __private_node_numa_may_leave(int nid);
bool __private_node_compact_allowed(int nid);
bool __private_node_policy_usable(const nodemask_t *nodes);
int __private_node_policy_nodes(const nodemask_t *nodes, bool owner,
				nodemask_t *usable);

/* May DAMON migrate to @nid? */
bool private_node_damon_target(int nid);

/* The fast path of private_node_policy_nodes(). */
bool __private_node_policy_intact(const nodemask_t *nodes, bool owner);

/* The OOM rule of private nodes. */
bool __private_node_oom_only(const nodemask_t *nodemask);
bool private_node_oom_kill_current(void);

/*
 * May NUMA balancing make mappings of folios on @nid PROT_NONE (take
 * hinting faults on them)?
 */
static inline bool private_node_numa_scan(int nid)
{
	return !private_nodes_enabled() || __private_node_numa_scan(nid);
}

/* May a NUMA hinting fault migrate a folio off node @nid? */
static inline bool private_node_numa_may_leave(int nid)
{
	return !private_nodes_enabled() || __private_node_numa_may_leave(nid);
}

/* May compaction not asked for by a gated allocation run on @nid? */
static inline bool private_node_compact_allowed(int nid)
{
	return !private_nodes_enabled() || __private_node_compact_allowed(nid);
}

/* Does a policy with MPOL_F_PRIVATE still name a usable private node? */
static inline bool private_node_policy_usable(const nodemask_t *nodes)
{
	return private_nodes_enabled() && __private_node_policy_usable(nodes);
}

/*
 * The nodes of a policy with MPOL_F_PRIVATE that the allocation may use
 * now (see __private_node_policy_nodes()); returns the number of private
 * nodes among them.
 */
static inline int private_node_policy_nodes(const nodemask_t *nodes,
					    bool owner, nodemask_t *usable)
{
	if (!private_nodes_enabled()) {
		nodes_and(*usable, *nodes, node_states[N_MEMORY]);
		return 0;
	}
	return __private_node_policy_nodes(nodes, owner, usable);
}

/*
 * May a policy with MPOL_F_PRIVATE be used unchanged: does every node it
 * names take the allocation now, one of them private? The fast path of
 * private_node_policy_nodes().
 */
static inline bool private_node_policy_intact(const nodemask_t *nodes,
					      bool owner)
{
	return private_nodes_enabled() &&
	       __private_node_policy_intact(nodes, owner);
}

/* Could only private nodes serve the allocation that ran out of memory? */
static inline bool private_node_oom_only(const nodemask_t *nodemask)
{
	return private_nodes_enabled() && __private_node_oom_only(nodemask);
}

#else /* !CONFIG_PRIVATE_NODE */

static inline bool private_node_migration_allowed(const struct folio *src,
						  int nid, int reason)
{
	return false;
}

static inline void private_node_demotion_filter(nodemask_t *targets)
{
}

static inline void private_node_folio_free(struct folio *folio)
{
}

static inline void private_node_folio_migrate(struct folio *src,
					      struct folio *dst)
{
}

static inline int private_node_mempolicy_nodes(const nodemask_t *nodes,
					       nodemask_t *out)
{
	nodes_clear(*out);
	return 0;
}

static inline vm_fault_t private_node_write_fault(struct vm_fault *vmf,
						  struct folio *folio)
{
	return VM_FAULT_SIGBUS;
}

static inline bool private_node_offline_give_up(int nid, unsigned int pass)
{
	return false;
}

static inline bool private_node_cpuset_allows(struct task_struct *tsk,
					      int nid)
{
	return true;
}

static inline void private_node_cpuset_nodes(struct task_struct *tsk,
					     nodemask_t *mask)
{
}

static inline bool private_node_demotion_source(int target, int source)
{
	return true;
}

static inline void private_node_demotion_filter_src(int source,
						    nodemask_t *targets)
{
}

static inline bool cram_demotion_blocked(int source_nid)
{
	return false;
}

static inline void cram_demotion_refused(int source_nid,
					 unsigned long nr_pages)
{
}

static inline bool private_node_numa_scan(int nid)
{
	return true;
}

static inline bool private_node_numa_may_leave(int nid)
{
	return true;
}

static inline bool private_node_compact_allowed(int nid)
{
	return true;
}

static inline bool private_node_policy_usable(const nodemask_t *nodes)
{
	return false;
}

static inline int private_node_policy_nodes(const nodemask_t *nodes,
					    bool owner, nodemask_t *usable)
{
	*usable = *nodes;
	return 0;
}

static inline bool private_node_policy_intact(const nodemask_t *nodes,
					      bool owner)
{
	return false;
}

static inline bool private_node_oom_only(const nodemask_t *nodemask)
{
	return false;
}

static inline bool private_node_damon_target(int nid)
{
	return node_state(nid, N_MEMORY);
}

static inline bool private_node_oom_kill_current(void)
{
	return true;
}

#endif /* CONFIG_PRIVATE_NODE */

#endif /* _MM_PRIVATE_NODE_H */
