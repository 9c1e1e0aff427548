/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: the mm-core checks of the NUMA balancing and
 * compaction services, the nodes a private policy may use at allocation
 * time (and its fallback when none is left), and the exhaustion rule of
 * the OOM killer.
 *
 * These live apart from include/linux/private_node.h, which mm.h includes,
 * so that only the files calling them (mm/mprotect.c, mm/huge_memory.c,
 * mm/memory.c, mm/migrate.c, mm/compaction.c, mm/mempolicy.c,
 * mm/oom_kill.c) include
 * this header. The fast path of each check is the private_nodes_present
 * static key; all checks are lockless reads of the node's caps, which are
 * fixed while the node has an owner (see private_node.h).
 */
#ifndef _LINUX_PRIVATE_NODE_SERVICES_H
#define _LINUX_PRIVATE_NODE_SERVICES_H

#include <linux/nodemask.h>
#include <linux/private_node.h>

struct folio;

#ifdef CONFIG_PRIVATE_NODE

bool __private_node_numa_scan(int nid);
bool __private_node_numa_may_leave(int nid);
bool __private_node_compact_allowed(int nid);
bool private_node_damon_target(int nid);
bool __private_node_policy_usable(const nodemask_t *nodes);
int __private_node_policy_nodes(const nodemask_t *nodes, bool owner,
				nodemask_t *usable);
bool __private_node_policy_intact(const nodemask_t *nodes, bool owner);
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

#endif /* _LINUX_PRIVATE_NODE_SERVICES_H */
