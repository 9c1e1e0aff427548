/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: services for the owner driver.
 *
 * Kept apart from <linux/private_node.h> (which mm.h includes) so that
 * the services can grow without rebuilding the kernel. Implemented in
 * mm/private_node_driver.c, plus vma_bind_private_node() in mm/mempolicy.c
 * and memory_tier_private_node_changed() in mm/memory-tiers.c.
 */
#ifndef _LINUX_PRIVATE_NODE_DRIVER_H
#define _LINUX_PRIVATE_NODE_DRIVER_H

#include <linux/migrate_mode.h>
#include <linux/nodemask.h>
#include <linux/private_node.h>
#include <linux/types.h>

struct folio;
struct list_head;
struct migration_target_control;
struct mm_struct;
struct vm_area_struct;

#ifdef CONFIG_PRIVATE_NODE

/**
 * struct private_node_migrate_stats - outcome of a range migration
 * @moved: pages that were migrated to the target node
 * @failed: pages that should have moved but could not (busy, shared with
 *	another process, hugetlb, not migratable, no room on the target)
 * @already: pages that needed no move (already on the target node, or
 *	not on the source node when one was given)
 * @absent: pages of the range with nothing mapped (never faulted in, or
 *	the shared zero page)
 */
struct private_node_migrate_stats {
	unsigned long moved;
	unsigned long failed;
	unsigned long already;
	unsigned long absent;
};

long private_node_migrate_range(struct mm_struct *mm, unsigned long start,
				unsigned long nr_pages, int nid, int from_nid,
				enum migrate_reason reason,
				enum migrate_mode mode,
				const struct address_space *shared,
				struct private_node_migrate_stats *st);
int node_private_set_demotion(int nid, bool enable, const nodemask_t *sources);
int node_private_get_demotion(int nid, bool *enabled, nodemask_t *sources);
bool private_node_demotion_source(int target, int source);
void private_node_demotion_filter_src(int source, nodemask_t *targets);
void memory_tier_private_node_changed(int nid);
int vma_bind_private_node(struct vm_area_struct *vma, int nid);
struct mm_struct *private_node_get_mm(pid_t pid);
int private_node_promote_folio(struct folio *folio, int nid);
int private_node_migrate_isolated(struct list_head *folios,
				  struct migration_target_control *mtc,
				  enum migrate_mode mode, unsigned int *done);

#else /* !CONFIG_PRIVATE_NODE */

static inline bool private_node_demotion_source(int target, int source)
{
	return true;
}

static inline void private_node_demotion_filter_src(int source,
						    nodemask_t *targets)
{
}

#endif /* CONFIG_PRIVATE_NODE */

#endif /* _LINUX_PRIVATE_NODE_DRIVER_H */
