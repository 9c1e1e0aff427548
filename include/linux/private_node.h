/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: device memory onlined as an isolated NUMA node.
 *
 * A private node is a NUMA node whose memory is managed by the buddy
 * allocator but which no allocation can reach unless it asks for it.
 *
 * Node state
 *   Memory hot-added with add_private_memory_driver_managed() makes its
 *   node private: the node is put in N_MEMORY_PRIVATE, never in N_MEMORY
 *   (nor N_NORMAL_MEMORY), so every for_each_node_state(N_MEMORY) walk,
 *   cpuset effective_mems, has_memory in sysfs and the zonelists of the
 *   normal nodes ignore it. Onlining does not start kswapd or kcompactd for
 *   it. Offlining its last memory block clears the state. Boot memory is
 *   never private. /sys/devices/system/node/has_private_memory lists the
 *   private nodes. We deliberately do NOT list mempolicy-capable private
 *   nodes in has_memory: tools that read has_memory keep seeing only the
 *   memory every task may use.
 *
 * Allocation gate
 *   No gfp flag: an allocation reaches private zones only through the
 *   mm-internal private folio entry point (__folio_alloc_private(),
 *   __alloc_pages_private_noprof()), whose callers state the intent: a
 *   policy that names private nodes (MPOL_F_PRIVATE), a migration whose
 *   reason the node accepts (private_node_migration_allowed()), or the
 *   owner itself (private_node_alloc_folio()). The page allocator checks
 *   one predicate wherever it walks a zonelist (fast path, slow path,
 *   reclaim retry, compaction, direct reclaim and the bulk allocator): a
 *   private zone is usable only if the allocation context is
 *   "private-ok", which only that entry point sets. Whether a private policy may still use a
 *   node (its services, blocked state and the task's cpuset now) is
 *   decided when the folio is allocated, by the policy code
 *   (private_node_policy_nodes()).
 *
 * Cpusets
 *   Private nodes are never in a cpuset's effective mems (ordinary
 *   allocations never spread onto them), but cpusets govern who may place
 *   memory on them: a task may name a private node in a policy, migrate
 *   to it or fault onto it only if its cpuset allows the node, i.e. the
 *   task is in the root cpuset or every cpuset above it whose cpuset.mems
 *   is set lists the node (private_node_cpuset_allows()).
 *
 *   Only user folios belong on a private node. __folio_alloc(),
 *   alloc_pages(), __alloc_pages(), alloc_pages_node(), the bulk
 *   allocator, slab, page tables and every other user of the plain entry
 *   points get no private page, even with __GFP_THISNODE. Interrupt
 *   context never gets one. The intent is an argument, not task state,
 *   so nested allocations do not inherit it.
 *
 *   Zonelists follow from the node state: a normal node's fallback list
 *   only walks N_MEMORY nodes; a private node's fallback list is itself
 *   then the N_MEMORY nodes (so kernel objects asked for it spill to
 *   DRAM); its __GFP_THISNODE list is itself alone.
 *
 * Removal
 *   remove_private_memory_driver_managed() keeps new folios off the node,
 *   migrates its folios to normal memory while offlining, and fails with
 *   -EBUSY (everything rolled back, nothing lost) if some cannot move
 *   after a bounded number of passes. The owner is unregistered when the
 *   node's last memory goes.
 *
 *   Private memory is usually onlined ZONE_MOVABLE, so the owner's own
 *   allocations (private_node_alloc_folio()) should use
 *   GFP_HIGHUSER_MOVABLE.
 *
 * Ownership
 *   Every private node has exactly one owner, described by a struct
 *   private_node that the owner allocates and keeps alive from
 *   private_node_register() until private_node_unregister() returns.
 *   The core publishes it through an RCU pointer; a callback runs with a
 *   reference on it. Unregistration unpublishes the owner, waits for an
 *   RCU grace period, drops the initial reference and waits on a
 *   completion until every callback in flight has returned: after it
 *   returns no callback is running or will run.
 *
 * Services
 *   Every mm service that would touch the node is an opt-in capability
 *   (PRIVATE_NODE_CAP_*). Without the flag the service leaves the node
 *   and its folios alone.
 *
 * Locking
 *   private_node_register()/private_node_unregister() take a private mutex
 *   and must be called from process context; they may sleep. The caps are
 *   fixed at registration. private_node_set_blocked() may be called from
 *   any context. The predicates in this header are lockless.
 */
#ifndef _LINUX_PRIVATE_NODE_H
#define _LINUX_PRIVATE_NODE_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/nodemask.h>
#include <linux/jump_label.h>
#include <linux/refcount.h>
#include <linux/completion.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
#include <linux/numa.h>
#include <linux/migrate_mode.h>
#include <linux/atomic.h>

struct address_space;
struct folio;
struct mm_struct;
struct vm_area_struct;
struct task_struct;
struct vm_fault;
struct zone;

/* Capability flags: the mm services the owner opts into. */
/* move_pages(2), migrate_pages(2), mbind and drivers may migrate in */
#define PRIVATE_NODE_CAP_MIGRATION	BIT(0)
/* mbind/set_mempolicy may name the node (needs MIGRATION, no WP) */
#define PRIVATE_NODE_CAP_MEMPOLICY	BIT(1)
/* the node is a demotion target of the memory tiers */
#define PRIVATE_NODE_CAP_DEMOTION	BIT(2)
/* mappings of its folios stay read-only, writes go to ops->write_fault */
#define PRIVATE_NODE_CAP_PROTECT_WRITE	BIT(3)
/* direct reclaim by gated allocations may reclaim from the node */
#define PRIVATE_NODE_CAP_RECLAIM	BIT(4)
/* NUMA balancing scans the node (needs MIGRATION or PROTECT_WRITE) */
#define PRIVATE_NODE_CAP_NUMA_BALANCING	BIT(5)
/* compaction may run on the node (needs MIGRATION) */
#define PRIVATE_NODE_CAP_COMPACTION	BIT(6)
/* folios on the node may be pinned with FOLL_LONGTERM (even ZONE_MOVABLE) */
#define PRIVATE_NODE_CAP_LONGTERM_PIN	BIT(7)
#define PRIVATE_NODE_CAP_ALL		GENMASK(7, 0)

/* Core-internal per-node state bits, kept beside the caps. */
#define PRIVATE_NODE_F_REGISTERED	BIT(16)	/* node has an owner */
#define PRIVATE_NODE_F_BLOCKED		BIT(17)	/* refuses demotion/migration in */
#define PRIVATE_NODE_F_DRAINING		BIT(18)	/* being removed: no new folios */

/**
 * struct private_node_ops - callbacks from the mm core to a node's owner
 * @folio_free: a folio on the node is being freed; it goes back to the
 *	buddy allocator afterwards. Any context, possibly with a spinlock
 *	held or in interrupt context: must not sleep.
 * @folio_migrate: @src is being migrated to @dst, one of them being on the
 *	node; called before the migration entries are replaced (may not
 *	sleep).
 * @write_fault: a write hit a write-protected mapping of @folio
 *	(PROTECT_WRITE nodes only). Called without the page-table lock but
 *	with the mmap or VMA lock held; may sleep. The callback owns a
 *	reference on @folio and must drop it before returning.
 *	Returning 0 retries the fault, so the owner must have made progress
 *	(typically migrated the folio off the node); VM_FAULT_FALLBACK has
 *	the writer copy the page instead (a private mapping gets a copy in
 *	DRAM, which only reads the folio: for a folio that cannot move);
 *	VM_FAULT_SIGBUS refuses the write.
 *
 * Every callback is optional except @write_fault for PROTECT_WRITE nodes.
 * Each gets the owner cookie of the struct private_node.
 */
struct private_node_ops {
	void (*folio_free)(struct folio *folio, void *owner);
	void (*folio_migrate)(struct folio *src, struct folio *dst, void *owner);
	vm_fault_t (*write_fault)(struct vm_fault *vmf, struct folio *folio,
				  void *owner);
};

/**
 * struct private_node - the owner of a private node
 * @owner: opaque owner cookie handed to every callback.
 * @caps: PRIVATE_NODE_CAP_* services the owner opts into.
 * @ops: callbacks, may be NULL when no cap needs one.
 * @nid: node id, set by private_node_register().
 * @ref: references held by running callbacks plus one for registration.
 * @released: completed when @ref drops to zero after unregistration.
 *
 * The owner fills @owner, @caps and @ops and keeps the structure alive
 * until private_node_unregister() has returned. The other fields belong to
 * the core.
 */
struct private_node {
	void *owner;
	unsigned long caps;
	const struct private_node_ops *ops;
	int nid;
	refcount_t ref;
	struct completion released;
};

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

/*
 * Compressed nodes (mm/cram.c)
 *
 * A compressed node is a private node with
 * PRIVATE_NODE_CAP_PROTECT_WRITE and PRIVATE_NODE_CAP_DEMOTION whose
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

DECLARE_STATIC_KEY_FALSE(private_nodes_present);
extern unsigned long private_node_flags[MAX_NUMNODES];

/* Cheap lockless predicates. */
static inline bool private_nodes_enabled(void)
{
	return static_branch_unlikely(&private_nodes_present);
}

static inline unsigned long __private_node_flags(int nid)
{
	if (nid < 0 || nid >= MAX_NUMNODES)
		return 0;
	return READ_ONCE(private_node_flags[nid]);
}

/* Is the node registered as private (it may have no memory yet)? */
static inline bool node_is_private(int nid)
{
	return private_nodes_enabled() &&
		(__private_node_flags(nid) & PRIVATE_NODE_F_REGISTERED);
}

/* Does the private node @nid opt into all of @caps? */
static inline bool private_node_has(int nid, unsigned long caps)
{
	return node_is_private(nid) &&
		(__private_node_flags(nid) & caps) == caps;
}

static inline bool private_node_blocked(int nid)
{
	return node_is_private(nid) &&
		(__private_node_flags(nid) & PRIVATE_NODE_F_BLOCKED);
}

/**
 * private_zone_allowed - the allocation gate for one zone
 * @zone: zone the allocator is about to use
 * @private_ok: the allocation context is a gated folio allocation
 *
 * Return: true if the zone is not private, or if it is and the gated folio
 * allocation may use it.
 */
static inline bool private_zone_allowed(struct zone *zone,
					bool private_ok)
{
	unsigned long flags;

	if (!private_nodes_enabled())
		return true;
	flags = __private_node_flags(zone_to_nid(zone));
	if (!(flags & PRIVATE_NODE_F_REGISTERED))
		return true;
	return private_ok && !(flags & PRIVATE_NODE_F_DRAINING);
}

static inline bool private_zone(struct zone *zone)
{
	return !private_zone_allowed(zone, false);
}

/* Does a mapping of a page on node @nid have to stay read-only? */
static inline bool private_node_write_protected(int nid)
{
	return private_node_has(nid, PRIVATE_NODE_CAP_PROTECT_WRITE);
}

/* The owner API: see Documentation/mm/private-nodes.rst. */
bool private_node_core_ready(void);
int private_node_register(int nid, struct private_node *np);
int private_node_unregister(int nid);
void private_node_set_blocked(int nid, bool blocked);
int add_private_memory_driver_managed(int nid, u64 start, u64 size,
				      const char *resource_name,
				      mhp_t mhp_flags, int online_type,
				      struct private_node *np);
int remove_private_memory_driver_managed(int nid, u64 start, u64 size);

/* The owner's own allocations, through the gate. */
struct folio *private_node_alloc_folio(struct private_node *np, gfp_t gfp,
				       unsigned int order);

/* Migration and demotion services (mm/private_node_driver.c). */
long private_node_migrate_range(struct mm_struct *mm, unsigned long start,
				unsigned long nr_pages, int nid, int from_nid,
				enum migrate_reason reason,
				enum migrate_mode mode,
				const struct address_space *shared,
				struct private_node_migrate_stats *st);
int private_node_set_demotion(int nid, bool enable, const nodemask_t *sources);
int private_node_get_demotion(int nid, bool *enabled, nodemask_t *sources);
int vma_bind_private_node(struct vm_area_struct *vma, int nid);
struct mm_struct *private_node_get_mm(pid_t pid);

/* May the task @pid place memory on @nid (its cpusets)? */
int private_node_cpuset_check(pid_t pid, int nid);

/* The compressed service. */
int private_node_nearest_normal(int nid);
int cram_register(struct cram_node *cn, int nid);
void cram_unregister(struct cram_node *cn);
void cram_migration_done(struct cram_node *cn);
vm_fault_t cram_promote_fault(struct vm_fault *vmf, struct folio *folio,
			      enum cram_promote_outcome *outcome);
void cram_set_pressure(struct cram_node *cn, unsigned int level,
		       unsigned int low, unsigned int max);

#else /* !CONFIG_PRIVATE_NODE */

static inline bool private_node_core_ready(void)
{
	return false;
}

static inline bool private_nodes_enabled(void)
{
	return false;
}

static inline bool node_is_private(int nid)
{
	return false;
}

static inline bool private_node_has(int nid, unsigned long caps)
{
	return false;
}

static inline bool private_node_blocked(int nid)
{
	return false;
}

static inline bool private_zone_allowed(struct zone *zone,
					bool private_ok)
{
	return true;
}

static inline bool private_zone(struct zone *zone)
{
	return false;
}

static inline bool private_node_write_protected(int nid)
{
	return false;
}

#endif /* CONFIG_PRIVATE_NODE */

#endif /* _LINUX_PRIVATE_NODE_H */
