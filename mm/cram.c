// SPDX-License-Identifier: GPL-2.0
/*
 * CRAM: the compressed-RAM service of private memory nodes: promotion
 * faults, kswapd pushed by device pressure, and counting refused
 * demotions. See include/linux/private_node.h.
 *
 * It lives in mm/ rather than in a driver because each of its parts needs
 * mm internals that are not (and should not be) exported to modules:
 * starting kswapd for a node (kswapd_run()), moving a zone's watermarks
 * under zone->lock and waking kswapd without the cpuset filter, and a hook
 * in shrink_folio_list(). It is also device-independent: any compressed
 * memory driver (the privmem emulation, a CXL compressed-memory device)
 * registers its node and gets the same behaviour.
 */
#include <linux/export.h>
#include <linux/memory-tiers.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mutex.h>
#include <linux/private_node.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/topology.h>
#include <linux/vmstat.h>

#include "internal.h"
#include "private_node.h"

/*
 * How hard kswapd is pushed: at pressure p between the low watermark and
 * the maximum, each cram_set_pressure() call (the owner calls it a few
 * times a second) asks kswapd to free 1/CRAM_PUSH_DIV of the node's used
 * pages, scaled by (p - low) / (max - low), beyond what is free now.
 */
#define CRAM_PUSH_DIV	16

static struct cram_node __rcu *cram_nodes[MAX_NUMNODES];
static DEFINE_MUTEX(cram_mutex);

/**
 * cram_register() - register a compressed node with the CRAM service
 * @cn: the owner's description, zeroed or freshly initialised
 * @nid: a private node with write protection; its memory should be online
 *
 * Starts kswapd for the node (private nodes do not get one at onlining);
 * memory hot-remove stops it when the node's last memory goes offline.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL if @nid is not a write-protected private node,
 * -EBUSY if it is already registered.
 */
int cram_register(struct cram_node *cn, int nid)
{
	int ret = 0;

	if (nid < 0 || nid >= MAX_NUMNODES || !private_node_write_protected(nid))
		return -EINVAL;
	mutex_lock(&cram_mutex);
	if (rcu_access_pointer(cram_nodes[nid])) {
		ret = -EBUSY;
		goto out;
	}
	cn->nid = nid;
	atomic64_set(&cn->demotions_refused, 0);
	memset(cn->pushed, 0, sizeof(cn->pushed));
	if (node_state(nid, N_MEMORY_PRIVATE))
		kswapd_run(nid);
	rcu_assign_pointer(cram_nodes[nid], cn);
out:
	mutex_unlock(&cram_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(cram_register);

/**
 * cram_unregister() - take a compressed node off the CRAM service
 * @cn: as given to cram_register()
 *
 * Drops any push on kswapd and waits until no reclaim hook uses @cn.
 *
 * Context: process context, may sleep.
 */
void cram_unregister(struct cram_node *cn)
{
	mutex_lock(&cram_mutex);
	if (rcu_access_pointer(cram_nodes[cn->nid]) != cn) {
		mutex_unlock(&cram_mutex);
		return;
	}
	cram_set_pressure(cn, 0, 1, 2);
	RCU_INIT_POINTER(cram_nodes[cn->nid], NULL);
	mutex_unlock(&cram_mutex);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(cram_unregister);

/**
 * cram_migration_done() - folios were migrated onto a compressed node
 * @cn: registered node
 *
 * Migration leaves the new folios in per-CPU LRU batches, which hold a
 * reference: until they are drained, a promotion fault cannot isolate
 * them and freeing them does not reach the owner. The owner calls this
 * after an explicit migration batch onto the node.
 *
 * Context: process context, may sleep.
 */
void cram_migration_done(struct cram_node *cn)
{
	lru_add_drain_all();
}
EXPORT_SYMBOL_GPL(cram_migration_done);

/* The faulting CPU's node if it has normal memory, else the nearest one. */
static int cram_promotion_node(void)
{
	int nid = numa_node_id();

	return node_state(nid, N_MEMORY) ? nid :
	       private_node_nearest_normal(nid);
}

/*
 * Migrate an isolated folio to normal memory. The target is allocated as
 * an anonymous fault would be (GFP_HIGHUSER_MOVABLE: reclaim and, for a
 * base page, the OOM killer), starting on @nid and falling back along its
 * zonelist, which never contains a private node. A THP that finds no huge
 * page is split by migrate_pages() and moves as base pages.
 */
static int cram_migrate_out(struct list_head *folios, int nid)
{
	struct migration_target_control mtc = {
		.nid = nid,
		.gfp_mask = GFP_HIGHUSER_MOVABLE,
		.reason = MR_SYSCALL,
	};
	unsigned int done = 0;
	int ret;

	ret = migrate_pages(folios, alloc_migration_target, NULL,
			    (unsigned long)&mtc, MIGRATE_SYNC, MR_SYSCALL,
			    &done);
	if (ret)
		putback_movable_pages(folios);
	return ret;
}

/**
 * cram_promote_fault() - the promotion fault: a write to a compressed folio
 * @vmf: the write fault; the page-table lock is not held, the mmap or VMA
 *	lock is
 * @folio: the write-protected folio on the compressed node, with a
 *	reference taken by the caller that this function drops (migration
 *	fails while the folio has references beyond its mappings and the
 *	isolation)
 * @outcome: set to what happened, for the owner's counters
 *
 * The folio is isolated from the LRU, which serialises concurrent
 * faulters: only one isolates it and migrates it (whole) to DRAM, the
 * others see isolation fail and refault, and by then find either the
 * migration entry (and wait on it) or the DRAM copy. The winner returns 0
 * as well: the retried fault finds the folio in DRAM, read-only, and the
 * ordinary write fault makes it writable. The PTE is never made writable
 * on the compressed node.
 *
 * If migration fails because no DRAM page could be had even after reclaim
 * and the OOM killer, the fault fails with VM_FAULT_OOM, as an anonymous
 * fault that cannot allocate does. Any other failure (the folio has extra
 * references, is under writeback or locked) returns VM_FAULT_FALLBACK:
 * the write fault then gives the writer a copy of the page in DRAM, which
 * only reads the folio. Nothing here raises SIGBUS.
 *
 * Context: process context, may sleep; mmap or VMA lock held.
 * Return: 0, VM_FAULT_OOM or VM_FAULT_FALLBACK.
 */
vm_fault_t cram_promote_fault(struct vm_fault *vmf, struct folio *folio,
			      enum cram_promote_outcome *outcome)
{
	LIST_HEAD(folios);
	int nid, ret;

	nid = cram_promotion_node();
	if (nid == NUMA_NO_NODE) {
		folio_put(folio);
		*outcome = CRAM_FAILED;
		return VM_FAULT_OOM;
	}
	if (!private_node_isolate_folio(folio, &folios)) {
		/*
		 * Someone else isolated it (a concurrent promotion, reclaim)
		 * or it just arrived and still sits in a per-CPU LRU batch,
		 * maybe another CPU's: flush the batches and refault.
		 */
		bool batched = !folio_test_lru(folio);

		folio_put(folio);
		*outcome = CRAM_RACED;
		if (batched)
			lru_add_drain_all();
		cond_resched();
		return 0;
	}
	/* The isolation holds the folio now: migration wants no other ref. */
	folio_put(folio);
	ret = cram_migrate_out(&folios, nid);
	if (!ret) {
		*outcome = CRAM_PROMOTED;
		return 0;
	}
	if (ret == -ENOMEM) {
		*outcome = CRAM_FAILED;
		return VM_FAULT_OOM;
	}
	/*
	 * It would not move: references beyond its mappings (a pipe holds
	 * it after vmsplice(), a short-term GUP pin), writeback, a lock.
	 * Refaulting would spin as long as that lasts; the writer gets a
	 * copy in DRAM instead (do_wp_page()'s copy only reads the folio),
	 * and the folio stays on the node until its last user lets go.
	 */
	*outcome = CRAM_COPIED;
	return VM_FAULT_FALLBACK;
}
EXPORT_SYMBOL_GPL(cram_promote_fault);

/**
 * cram_set_pressure() - push kswapd on a compressed node
 * @cn: registered node
 * @level: the device's pressure level, 0..@max
 * @low: low watermark: below or at it kswapd is not pushed
 * @max: maximum level
 *
 * Above @low, raises the high watermark of each populated zone of the
 * node so that kswapd has to free a share of the used pages proportional
 * to (@level - @low) / (@max - @low) beyond what is free now, and wakes
 * kswapd; at or below @low the watermarks are put back. Reclaim on a
 * private node evicts its anonymous folios to swap (it demotes nowhere),
 * which uncharges them from the device. The owner calls this periodically
 * while the level is above @low.
 *
 * The push is recorded in @cn->pushed and taken back out of the zone's
 * watermark on the next call, under zone->lock like
 * setup_per_zone_wmarks(); if that recomputed the watermarks meanwhile,
 * the push is simply lost until the next call.
 *
 * Context: process context.
 */
void cram_set_pressure(struct cram_node *cn, unsigned int level,
		       unsigned int low, unsigned int max)
{
	pg_data_t *pgdat = NODE_DATA(cn->nid);
	bool wake = false;
	int z, top = 0;

	if (!pgdat || low >= max)
		return;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		unsigned long managed, free, used, push = 0, base, flags;

		managed = zone_managed_pages(zone);
		if (!managed && !cn->pushed[z])
			continue;
		free = zone_page_state(zone, NR_FREE_PAGES);
		used = managed > free ? managed - free : 0;
		if (level > low)
			push = div_u64((u64)used * (min(level, max) - low),
				       (u64)(max - low) * CRAM_PUSH_DIV);

		spin_lock_irqsave(&zone->lock, flags);
		base = zone->_watermark[WMARK_HIGH];
		base = base > cn->pushed[z] ? base - cn->pushed[z] : base;
		cn->pushed[z] = push && free + push > base ?
				free + push - base : 0;
		zone->_watermark[WMARK_HIGH] = base + cn->pushed[z];
		spin_unlock_irqrestore(&zone->lock, flags);
		if (cn->pushed[z]) {
			wake = true;
			top = z;
		}
	}
	/*
	 * A new episode of pressure gives kswapd a new chance on the node:
	 * only kswapd reclaims it, so nothing else would reset its failures.
	 */
	if (level <= low)
		WRITE_ONCE(pgdat->kswapd_failures, 0);
	/*
	 * As wakeup_kswapd(), without its cpuset check (kswapd of a private
	 * node serves no task): a kswapd that is not asleep will re-check,
	 * and one that keeps failing is left alone.
	 */
	if (wake && waitqueue_active(&pgdat->kswapd_wait) &&
	    READ_ONCE(pgdat->kswapd_failures) < MAX_RECLAIM_RETRIES) {
		int cur = READ_ONCE(pgdat->kswapd_highest_zoneidx);

		if (cur == MAX_NR_ZONES || cur < top)
			WRITE_ONCE(pgdat->kswapd_highest_zoneidx, top);
		wake_up_interruptible(&pgdat->kswapd_wait);
	}
}
EXPORT_SYMBOL_GPL(cram_set_pressure);

/* Would @cn take demotion from @source_nid were it not blocked? */
static bool cram_refuses(struct cram_node *cn, int source_nid)
{
	int nid = cn->nid;

	return private_node_has(nid, PRIVATE_NODE_CAP_DEMOTION) &&
		private_node_blocked(nid) &&
		private_node_demotion_source(nid, source_nid);
}

/**
 * cram_demotion_blocked() - does a blocked compressed node refuse demotion?
 * @source_nid: node being reclaimed
 *
 * Called by shrink_folio_list() when it found no demotion target: true if
 * a compressed node that takes demotion from @source_nid is only missing
 * because it is blocked at maximum pressure.
 *
 * Context: any context that may take rcu_read_lock().
 */
bool cram_demotion_blocked(int source_nid)
{
	bool blocked = false;
	int nid;

	if (!private_nodes_enabled() || !numa_demotion_enabled)
		return false;
	rcu_read_lock();
	for (nid = 0; nid < MAX_NUMNODES && !blocked; nid++) {
		struct cram_node *cn = rcu_dereference(cram_nodes[nid]);

		blocked = cn && cram_refuses(cn, source_nid);
	}
	rcu_read_unlock();
	return blocked;
}

/**
 * cram_demotion_refused() - count demotions that a blocked node refused
 * @source_nid: node being reclaimed
 * @nr_pages: base pages reclaim reclaimed otherwise (or kept) instead
 *
 * Each blocked compressed node that would have taken them counts them.
 */
void cram_demotion_refused(int source_nid, unsigned long nr_pages)
{
	int nid;

	rcu_read_lock();
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		struct cram_node *cn = rcu_dereference(cram_nodes[nid]);

		if (cn && cram_refuses(cn, source_nid))
			atomic64_add(nr_pages, &cn->demotions_refused);
	}
	rcu_read_unlock();
}
