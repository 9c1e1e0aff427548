/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: the mm-core checks of the NUMA balancing and
 * compaction services, and the mempolicy fallback when a policy's private
 * nodes are gone.
 *
 * These live apart from include/linux/private_node.h, which mm.h includes,
 * so that only the files calling them (mm/mprotect.c, mm/huge_memory.c,
 * mm/memory.c, mm/migrate.c, mm/compaction.c, mm/mempolicy.c) include
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
bool __private_node_policy_usable(const nodemask_t *nodes);

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

#endif /* CONFIG_PRIVATE_NODE */

#endif /* _LINUX_PRIVATE_NODE_SERVICES_H */
