/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRAM: the compressed-RAM service of private memory nodes.
 *
 * A compressed node is a private node (see <linux/private_node.h>) with
 * NODE_PRIVATE_CAP_PROTECT_WRITE and NODE_PRIVATE_CAP_DEMOTION whose
 * device stores what it is given compressed, so its real capacity depends
 * on the data. The mm core keeps every mapping of its folios read-only
 * (migration restore, mprotect, NUMA-hinting restore); this service
 * supplies what the owner driver cannot do from a module:
 *
 *  - the promotion fault: a write to a compressed folio migrates the
 *    whole folio (a THP stays whole, or is split by migration only if no
 *    huge page is free in DRAM) to the faulting CPU's node, or the nearest
 *    node with room, and the fault is retried there, where the folio is an
 *    ordinary anonymous folio that the write fault makes writable;
 *  - reclaim under backpressure: kswapd runs for the node and is pushed
 *    to evict (swap) in proportion to the pressure the device reports;
 *  - counting the demotions that reclaim on a source node could not make
 *    because the node refused them (it was blocked at maximum pressure).
 *
 * The device model (how full the device is, the pressure level, when the
 * node is blocked) stays with the owner driver.
 *
 * Locking: cram_register()/cram_unregister() take cram_mutex and sleep.
 * The reclaim hooks run under rcu_read_lock() against unregistration.
 * cram_set_pressure() may sleep (it is called from the owner's work).
 */
#ifndef _LINUX_CRAM_H
#define _LINUX_CRAM_H

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/types.h>

struct folio;
struct vm_fault;

/**
 * struct cram_node - a compressed node registered with the service
 * @nid: the private node, set by cram_register()
 * @demotions_refused: base pages that reclaim on a source node wanted to
 *	demote while the node was blocked, so they went to swap (or the next
 *	demotion target) instead
 * @pushed: base pages kswapd was last asked to free beyond the node's own
 *	watermarks (per zone, the last value added to its high watermark)
 *
 * The owner allocates it and keeps it alive from cram_register() until
 * cram_unregister() returns.
 */
struct cram_node {
	int nid;
	atomic64_t demotions_refused;
	unsigned long pushed[MAX_NR_ZONES];
};

/* What a promotion fault did, for the owner's counters. */
enum cram_promote_outcome {
	CRAM_PROMOTED,		/* the folio moved to DRAM */
	CRAM_RACED,		/* someone else is moving or freeing it: refault */
	CRAM_FAILED,		/* no DRAM for it: OOM */
	CRAM_COPIED,		/* it could not move: the writer gets a copy */
};

#ifdef CONFIG_PRIVATE_NODE
int cram_register(struct cram_node *cn, int nid);
void cram_unregister(struct cram_node *cn);
void cram_migration_done(struct cram_node *cn);
vm_fault_t cram_promote_fault(struct vm_fault *vmf, struct folio *folio,
			      enum cram_promote_outcome *outcome);
void cram_set_pressure(struct cram_node *cn, unsigned int level,
		       unsigned int low, unsigned int max);

/* Hooks for mm/vmscan.c. */
bool cram_demotion_blocked(int source_nid);
void cram_demotion_refused(int source_nid, unsigned long nr_pages);
#else
static inline bool cram_demotion_blocked(int source_nid)
{
	return false;
}

static inline void cram_demotion_refused(int source_nid,
					 unsigned long nr_pages)
{
}
#endif

#endif /* _LINUX_CRAM_H */
