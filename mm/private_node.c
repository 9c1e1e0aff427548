// SPDX-License-Identifier: GPL-2.0
/*
 * Private memory nodes: owner registration, hotplug entry points and the
 * policy behind the hooks the mm core calls. See include/linux/private_node.h
 * for the design, the lifetime rules and the locking.
 *
 * What each capability does, and where (patches/ in the privmem tree):
 *
 * MIGRATION       alloc_migration_target() adds the gate for MR_SYSCALL and
 *                 MR_MEMPOLICY_MBIND targets on the node (move_pages(2),
 *                 migrate_pages(2), mbind, private_node_migrate_*());
 *                 move_pages(2) otherwise fails with -ENODEV and
 *                 migrate_pages(2) with -EINVAL. Cpusets do not apply.
 * MEMPOLICY       mbind/set_mempolicy accept the node (else -EINVAL); the
 *                 policy's folios carry the gate (MPOL_F_PRIVATE).
 * DEMOTION        the node joins the memory tiers below DRAM and becomes a
 *                 demotion target of the N_MEMORY nodes; MR_DEMOTION
 *                 targets get the gate. private_node_set_blocked() takes it
 *                 out of next_demotion_node() and the fallback targets.
 * PROTECT_WRITE   PTEs/PMDs stay read-only (migration restore, mprotect,
 *                 NUMA hinting restore, file fault-in); writes reach
 *                 ops->write_fault.
 * RECLAIM         direct reclaim by a gated allocation, a memory cgroup's
 *                 limit reclaim and node_reclaim() (zone_reclaim_mode)
 *                 may shrink the node; without it none of them does.
 *                 kswapd is never started by the core (an owner service
 *                 such as mm/cram.c may start it: then kswapd reclaims the
 *                 node like any other, swapping its anonymous folios out).
 *                 Without it, only gated allocations' direct reclaim and
 *                 such an owner-started kswapd are missing: folios are
 *                 still freed by their users and migrated out on removal.
 * NUMA_BALANCING  task_numa_work() (change_prot_numa()) makes mappings of
 *                 the node's folios PROT_NONE only with it, so without it
 *                 the node's folios never take a hinting fault; a hinting
 *                 fault migrates a folio off the node only with it, and
 *                 MR_NUMA_MISPLACED targets on the node get the gate only
 *                 with it (alloc_misplaced_dst_folio()). On a
 *                 PROTECT_WRITE node NUMA balancing only scans: hinting
 *                 faults restore the PTE read-only and never migrate, since
 *                 folios leave such a node through the owner's write fault
 *                 (so there it does not need MIGRATION).
 * COMPACTION      compaction may run on the node only with it: direct
 *                 compaction by a gated allocation, /proc/sys/vm/
 *                 compact_memory and /sys/devices/system/node/nodeN/compact
 *                 (compact_node()). kcompactd is never started for a
 *                 private node, so there is no proactive compaction.
 * LONGTERM_PIN    folio_is_longterm_pinnable() is true on the node (even in
 *                 ZONE_MOVABLE); without it FOLL_LONGTERM migrates the
 *                 folio to normal memory first.
 *
 * Always: KSM, khugepaged/MADV_COLLAPSE and mlock leave private folios
 * alone; a node whose folios cannot be migrated out fails removal with
 * -EBUSY after a bounded number of offline passes, with nothing lost.
 */
#include <linux/cpuset.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/private_node.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "private_node.h"

/*
 * How many passes offline_pages() makes over a private range before it
 * gives up with -EBUSY instead of retrying forever: a private node may
 * hold folios that can never leave (pinned, or no room in DRAM), and its
 * removal must then fail cleanly.
 */
#define PRIVATE_NODE_OFFLINE_PASSES	32

DEFINE_STATIC_KEY_FALSE(private_nodes_present);
EXPORT_SYMBOL_GPL(private_nodes_present);

/* Caps and state bits per node; written under private_node_mutex. */
unsigned long private_node_flags[MAX_NUMNODES];
EXPORT_SYMBOL_GPL(private_node_flags);

static struct private_node __rcu *private_node_owner[MAX_NUMNODES];
static DEFINE_MUTEX(private_node_mutex);

/*
 * Ownership is by memory range, not by node id: private_node_ranges[nid]
 * lists the ranges the node's owner added with
 * add_private_memory_driver_managed(), and only memory inside them may go
 * online on the node (private_node_memory_callback()). Memory another
 * driver adds there (dax/kmem on a second dax device of the same target
 * node), blocks that were present but offline before registration, and a
 * manual online through sysfs are refused, so no folio the owner does not
 * know ever reaches its callbacks, and removing the owner's last range
 * always unregisters it.
 *
 * Locking: a list is changed with private_node_mutex and the memory
 * hotplug read lock (get_online_mems()) held, and read either with the
 * mutex or by the hotplug notifier, which runs with the hotplug write
 * lock held and so never takes the mutex (the mutex nests outside the
 * hotplug lock).
 */
struct private_node_range {
	struct list_head list;
	u64 start;
	u64 size;
};

static struct list_head private_node_ranges[MAX_NUMNODES];

/* The range of @nid's owner that contains [@start, @start + @size), or NULL. */
static struct private_node_range *private_node_find_range(int nid, u64 start,
							  u64 size)
{
	struct private_node_range *r;

	list_for_each_entry(r, &private_node_ranges[nid], list)
		if (start >= r->start && start + size <= r->start + r->size)
			return r;
	return NULL;
}

/* The range of @nid's owner that is exactly @start/@size, or NULL. */
static struct private_node_range *private_node_own_range(int nid, u64 start,
							 u64 size)
{
	struct private_node_range *r = private_node_find_range(nid, start, size);

	return r && r->start == start && r->size == size ? r : NULL;
}

static void private_node_free_ranges(int nid)
{
	struct private_node_range *r, *tmp;

	list_for_each_entry_safe(r, tmp, &private_node_ranges[nid], list) {
		list_del(&r->list);
		kfree(r);
	}
}

static int private_node_check_caps(const struct private_node *np)
{
	unsigned long caps = np->caps;

	if (caps & ~PRIVATE_NODE_CAP_ALL)
		return -EINVAL;
	/* Naming the node in a policy means migrating into it. */
	if ((caps & PRIVATE_NODE_CAP_MEMPOLICY) &&
	    !(caps & PRIVATE_NODE_CAP_MIGRATION))
		return -EINVAL;
	/* Policy-placed folios are written to; they cannot stay read-only. */
	if ((caps & PRIVATE_NODE_CAP_MEMPOLICY) &&
	    (caps & PRIVATE_NODE_CAP_PROTECT_WRITE))
		return -EINVAL;
	if ((caps & PRIVATE_NODE_CAP_COMPACTION) &&
	    !(caps & PRIVATE_NODE_CAP_MIGRATION))
		return -EINVAL;
	/* NUMA balancing migrates, except on a write-protected node. */
	if ((caps & PRIVATE_NODE_CAP_NUMA_BALANCING) &&
	    !(caps & (PRIVATE_NODE_CAP_MIGRATION |
		      PRIVATE_NODE_CAP_PROTECT_WRITE)))
		return -EINVAL;
	/* A write to a protected folio must reach somebody. */
	if ((caps & PRIVATE_NODE_CAP_PROTECT_WRITE) &&
	    (!np->ops || !np->ops->write_fault))
		return -EINVAL;
	return 0;
}

/**
 * private_node_register() - make @np the owner of private node @nid
 * @nid: node id; the node must be possible and have no normal memory
 * @np: owner description, with @np->owner, @np->caps and @np->ops filled in
 *
 * After this, memory onlined on @nid becomes private memory (N_MEMORY_PRIVATE)
 * and the services in @np->caps apply to it. @np must stay valid until
 * private_node_unregister() returns.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL for a bad node id or an incoherent set of
 * caps (unknown bits, MEMPOLICY without MIGRATION, MEMPOLICY with
 * PROTECT_WRITE, COMPACTION without MIGRATION, NUMA_BALANCING without
 * MIGRATION or PROTECT_WRITE,
 * PROTECT_WRITE without a write_fault callback), -EBUSY if the node already
 * has normal memory or another owner.
 */
int private_node_register(int nid, struct private_node *np)
{
	int ret;

	if (!np || nid < 0 || nid >= MAX_NUMNODES || !node_possible(nid))
		return -EINVAL;
	ret = private_node_check_caps(np);
	if (ret)
		return ret;

	/* Before the hotplug lock: the key takes cpu_hotplug_lock. */
	static_branch_inc(&private_nodes_present);

	mutex_lock(&private_node_mutex);
	get_online_mems();
	if (rcu_access_pointer(private_node_owner[nid]) ||
	    node_state(nid, N_MEMORY) || node_state(nid, N_MEMORY_PRIVATE)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	np->nid = nid;
	refcount_set(&np->ref, 1);
	init_completion(&np->released);
	rcu_assign_pointer(private_node_owner[nid], np);
	WRITE_ONCE(private_node_flags[nid], np->caps | PRIVATE_NODE_F_REGISTERED);
out_unlock:
	put_online_mems();
	mutex_unlock(&private_node_mutex);
	if (ret)
		static_branch_dec(&private_nodes_present);
	return ret;
}
EXPORT_SYMBOL_GPL(private_node_register);

/**
 * private_node_unregister() - drop the owner of private node @nid
 * @nid: node id
 *
 * The node must have no online memory left. Waits until no callback into
 * the owner runs any more; when it returns the owner may free its
 * struct private_node.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL for a bad node id, -ENOENT if the node has
 * no owner, -EBUSY while the node still has private memory online.
 */
int private_node_unregister(int nid)
{
	struct private_node *np;

	if (nid < 0 || nid >= MAX_NUMNODES)
		return -EINVAL;

	mutex_lock(&private_node_mutex);
	get_online_mems();
	np = rcu_dereference_protected(private_node_owner[nid],
				       lockdep_is_held(&private_node_mutex));
	if (!np) {
		put_online_mems();
		mutex_unlock(&private_node_mutex);
		return -ENOENT;
	}
	if (node_state(nid, N_MEMORY_PRIVATE)) {
		put_online_mems();
		mutex_unlock(&private_node_mutex);
		return -EBUSY;
	}
	WRITE_ONCE(private_node_flags[nid], 0);
	RCU_INIT_POINTER(private_node_owner[nid], NULL);
	/* Ranges added but never onlined (MMOP_OFFLINE) are forgotten. */
	private_node_free_ranges(nid);
	put_online_mems();
	mutex_unlock(&private_node_mutex);

	/* No new reference can be taken after the grace period. */
	synchronize_rcu();
	private_node_put(np);
	wait_for_completion(&np->released);
	static_branch_dec(&private_nodes_present);
	return 0;
}
EXPORT_SYMBOL_GPL(private_node_unregister);

/**
 * private_node_get() - take a reference on the owner of a private node
 * @nid: node id
 *
 * Context: any context.
 * Return: the owner, or NULL if @nid is not a private node (or is being
 * unregistered). Drop the reference with private_node_put().
 */
struct private_node *private_node_get(int nid)
{
	struct private_node *np;

	if (!node_is_private(nid))
		return NULL;
	rcu_read_lock();
	np = rcu_dereference(private_node_owner[nid]);
	if (np && !refcount_inc_not_zero(&np->ref))
		np = NULL;
	rcu_read_unlock();
	return np;
}
EXPORT_SYMBOL_IF_KUNIT(private_node_get);

/**
 * private_node_put() - drop a reference taken with private_node_get()
 * @np: owner, may be NULL
 *
 * Context: any context.
 */
void private_node_put(struct private_node *np)
{
	if (np && refcount_dec_and_test(&np->ref))
		complete(&np->released);
}
EXPORT_SYMBOL_IF_KUNIT(private_node_put);

/**
 * private_node_alloc_folio() - the owner allocates a folio on its own node
 * @np: the owner's registration, as given to private_node_register()
 * @gfp: gfp mask, usually GFP_HIGHUSER_MOVABLE (private memory is onlined
 *	ZONE_MOVABLE), with or without reclaim
 * @order: folio order
 *
 * How an owner takes memory of its node for itself (privmem's balloon):
 * it states its intent by showing its registration, not with a gfp flag.
 * The folio comes from @np's node and nowhere else; the allocation gate
 * applies as for any private allocation (task context only).
 *
 * Context: process context; may sleep if @gfp allows.
 * Return: the folio, or NULL if the node has no room or @np is not (or no
 * longer) its node's owner.
 */
struct folio *private_node_alloc_folio(struct private_node *np, gfp_t gfp,
				       unsigned int order)
{
	struct private_node *cur = private_node_get(np->nid);
	struct folio *folio = NULL;

	if (cur == np)
		folio = __folio_alloc_private(gfp | __GFP_THISNODE, order,
					      np->nid, NULL);
	private_node_put(cur);
	return folio;
}
EXPORT_SYMBOL_GPL(private_node_alloc_folio);

/**
 * private_node_set_blocked() - refuse or accept new folios under pressure
 * @nid: private node id
 * @blocked: true to refuse demotion and migration into the node
 *
 * While blocked, the node is no demotion target and migration targets on
 * it are not allocated; gated allocations by the owner itself still work.
 *
 * Context: any context.
 */
void private_node_set_blocked(int nid, bool blocked)
{
	if (!node_is_private(nid))
		return;
	if (blocked)
		set_bit(__ffs(PRIVATE_NODE_F_BLOCKED), &private_node_flags[nid]);
	else
		clear_bit(__ffs(PRIVATE_NODE_F_BLOCKED), &private_node_flags[nid]);
}
EXPORT_SYMBOL_GPL(private_node_set_blocked);

static struct private_node *private_node_owned_by(int nid)
{
	return rcu_dereference_protected(private_node_owner[nid],
					 lockdep_is_held(&private_node_mutex));
}

/* Record a range of @nid's owner; see struct private_node_range. */
static int private_node_add_range(int nid, u64 start, u64 size)
{
	struct private_node_range *r = kmalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	r->start = start;
	r->size = size;
	mutex_lock(&private_node_mutex);
	get_online_mems();
	list_add_tail(&r->list, &private_node_ranges[nid]);
	put_online_mems();
	mutex_unlock(&private_node_mutex);
	return 0;
}

/* Forget a range of @nid's owner; true if it was the owner's last. */
static bool private_node_forget_range(int nid, u64 start, u64 size)
{
	struct private_node_range *r;
	bool last;

	mutex_lock(&private_node_mutex);
	get_online_mems();
	r = private_node_own_range(nid, start, size);
	if (r) {
		list_del(&r->list);
		kfree(r);
	}
	last = list_empty(&private_node_ranges[nid]);
	put_online_mems();
	mutex_unlock(&private_node_mutex);
	return last;
}

/**
 * add_private_memory_driver_managed() - hot-add device memory as a private node
 * @nid: node to add the memory to
 * @start: physical start, aligned to memory_block_size_bytes()
 * @size: size, a multiple of memory_block_size_bytes()
 * @resource_name: "System RAM ($DRIVER)", as for add_memory_driver_managed()
 * @mhp_flags: MHP_* flags (not MHP_NID_IS_MGID)
 * @online_type: MMOP_OFFLINE or MMOP_ONLINE_MOVABLE (private memory is only
 *		 ever in ZONE_MOVABLE)
 * @np: owner of the node
 *
 * Registers @np as the owner of @nid unless it already is, records the
 * range as @np's own (only an owner's ranges may go online on its node),
 * then hot-adds and onlines the range as add_memory_driver_managed() does.
 * The node becomes private (N_MEMORY_PRIVATE) when its first block goes
 * online. On failure nothing is left behind: the range is forgotten and
 * the owner is unregistered again if this call registered it.
 *
 * Context: process context, may sleep. Takes the device hotplug lock.
 * Return: 0 on success or a negative errno (see private_node_register()
 * and add_memory_driver_managed()); -ENOMEM if the range cannot be
 * recorded.
 */
int add_private_memory_driver_managed(int nid, u64 start, u64 size,
				      const char *resource_name,
				      mhp_t mhp_flags, int online_type,
				      struct private_node *np)
{
	bool registered = false;
	struct private_node *cur;
	int ret;

	if (nid < 0 || nid >= MAX_NUMNODES || !np || !size)
		return -EINVAL;
	/* Private memory is only ever ZONE_MOVABLE (see the notifier). */
	if (online_type != MMOP_OFFLINE && online_type != MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	/* @nid must be a node id, not a memory group id. */
	if (mhp_flags & MHP_NID_IS_MGID)
		return -EINVAL;

	mutex_lock(&private_node_mutex);
	cur = private_node_owned_by(nid);
	mutex_unlock(&private_node_mutex);
	if (cur && cur != np)
		return -EBUSY;
	if (!cur) {
		ret = private_node_register(nid, np);
		if (ret)
			return ret;
		registered = true;
	}

	ret = private_node_add_range(nid, start, size);
	if (ret)
		goto err_unregister;
	ret = __add_memory_driver_managed(nid, start, size, resource_name,
					  mhp_flags, online_type);
	if (ret)
		goto err_forget;
	return 0;

err_forget:
	private_node_forget_range(nid, start, size);
err_unregister:
	if (registered)
		WARN_ON_ONCE(private_node_unregister(nid));
	return ret;
}
EXPORT_SYMBOL_GPL(add_private_memory_driver_managed);

/**
 * remove_private_memory_driver_managed() - offline and remove private memory
 * @nid: private node the range belongs to
 * @start: physical start of a range added with
 *	add_private_memory_driver_managed()
 * @size: its size
 *
 * New folios are kept off the node while its folios are migrated out to
 * normal memory, then the range is offlined and removed. If some folio
 * cannot be migrated (pinned, or no room elsewhere) the removal fails and
 * everything is rolled back: the memory stays online and no data is lost.
 * When the owner's last range is gone the owner is unregistered, and the
 * owner may free its struct private_node once this returned 0.
 *
 * Context: process context, may sleep. Takes the device hotplug lock.
 * Return: 0 on success, -ENOENT if @nid has no owner, -EINVAL if the range
 * is not one the owner added, -EBUSY if folios could not be migrated out,
 * another negative errno from offline_and_remove_memory(), or the error
 * of private_node_unregister() (the owner is then still registered).
 */
int remove_private_memory_driver_managed(int nid, u64 start, u64 size)
{
	unsigned long bit = __ffs(PRIVATE_NODE_F_DRAINING);
	int ret = 0;

	if (nid < 0 || nid >= MAX_NUMNODES)
		return -EINVAL;
	if (!node_is_private(nid))
		return -ENOENT;

	mutex_lock(&private_node_mutex);
	if (!private_node_owned_by(nid))
		ret = -ENOENT;
	else if (!private_node_own_range(nid, start, size))
		ret = -EINVAL;
	mutex_unlock(&private_node_mutex);
	if (ret)
		return ret;

	set_bit(bit, &private_node_flags[nid]);
	ret = offline_and_remove_memory(start, size);
	if (node_is_private(nid))
		clear_bit(bit, &private_node_flags[nid]);
	if (ret == -EINTR)
		ret = -EBUSY;
	if (ret)
		return ret;

	if (!private_node_forget_range(nid, start, size))
		return 0;
	/* Only the owner's ranges can be online, and none is left. */
	ret = private_node_unregister(nid);
	WARN_ON_ONCE(ret);
	return ret;
}
EXPORT_SYMBOL_GPL(remove_private_memory_driver_managed);

/*
 * Only an owner's own ranges may go online on its node: memory another
 * driver (dax/kmem) or a sysfs write tries to online there is refused, so
 * that no folio the owner does not know reaches its callbacks. And only
 * into ZONE_MOVABLE: a private block root re-onlines "online_kernel"
 * would give the node a DMA32 or Normal zone, which the lowmem reserves
 * (min_free_kbytes, khugepaged's recommendation), the reclaim throttle
 * (allow_direct_reclaim()) and every kernel allocation's zone limits
 * count as ordinary memory. Runs with the memory hotplug write lock held,
 * which keeps the owner and its range list stable (both change under the
 * read lock).
 */
static int private_node_memory_callback(struct notifier_block *nb,
					unsigned long action, void *arg)
{
	struct memory_notify *mn = arg;
	struct private_node *np;
	u64 start, size;
	int nid, ret = NOTIFY_OK;

	if (action != MEM_GOING_ONLINE || !private_nodes_enabled())
		return NOTIFY_OK;
	/* move_pfn_range_to_zone() has set the pages' node already. */
	nid = pfn_to_nid(mn->start_pfn);
	start = PFN_PHYS(mn->start_pfn);
	size = PFN_PHYS(mn->nr_pages);
	rcu_read_lock();
	np = rcu_dereference(private_node_owner[nid]);
	if (np && !private_node_find_range(nid, start, size)) {
		pr_warn_ratelimited("private node %d: refusing to online memory %#llx-%#llx its owner did not add\n",
				    nid, start, start + size - 1);
		ret = notifier_from_errno(-EPERM);
	} else if (np && zone_idx(page_zone(pfn_to_page(mn->start_pfn))) !=
		   ZONE_MOVABLE) {
		pr_warn_ratelimited("private node %d: refusing to online memory %#llx-%#llx outside ZONE_MOVABLE\n",
				    nid, start, start + size - 1);
		ret = notifier_from_errno(-EPERM);
	}
	rcu_read_unlock();
	return ret;
}

static int __init private_node_init(void)
{
	int nid;

	for (nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&private_node_ranges[nid]);
	hotplug_memory_notifier(private_node_memory_callback,
				DEFAULT_CALLBACK_PRI);
	return 0;
}
subsys_initcall(private_node_init);

/**
 * private_node_offline_give_up() - bound the migration passes of offlining
 * @nid: node whose memory is being offlined
 * @pass: number of passes offline_pages() has made so far
 *
 * Return: true if offline_pages() should stop and fail with -EBUSY.
 */
bool private_node_offline_give_up(int nid, unsigned int pass)
{
	return node_is_private(nid) && pass > PRIVATE_NODE_OFFLINE_PASSES;
}

/**
 * private_node_migration_allowed() - may a migration land on a node
 * @src: the folio being migrated, or NULL when the caller has none (kunit)
 * @nid: target node
 * @reason: MR_* reason of the migration
 *
 * The migration target allocators (alloc_migration_target(),
 * alloc_misplaced_dst_folio()) ask this with the reason the caller gave
 * (struct migration_target_control.reason) and, if it allows, allocate
 * through the private folio entry point (__folio_alloc_private()).
 *
 * Migration into a private node needs the service matching @reason:
 * demotion for MR_DEMOTION, NUMA balancing (on a node that is not
 * write-protected) for MR_NUMA_MISPLACED and migration for explicit
 * requests (move_pages, migrate_pages, mbind, DAMOS migrate_hot and
 * migrate_cold, drivers). A blocked node accepts none. Other reasons
 * (hotplug, compaction, longterm pin, memory failure...) move folios off
 * a node and never get the gate.
 *
 * A write-protected node takes anonymous folios only. Every write to an
 * anonymous folio goes through a page table, where the write-protect
 * hooks send it to the owner first; page-cache and shmem folios are also
 * written without any mapping (write(2), fallocate, truncation, splice),
 * which no fault would see. Such a folio is not let in, so it is not
 * migrated onto the node (reclaim then handles it as if the node did not
 * exist).
 *
 * Return: true when @nid is a private node that accepts the migration.
 */
bool private_node_migration_allowed(const struct folio *src, int nid,
				    int reason)
{
	unsigned long need;

	if (!node_is_private(nid) || private_node_blocked(nid))
		return false;
	if (src && !folio_test_anon(src) && private_node_write_protected(nid))
		return false;

	switch (reason) {
	case MR_DEMOTION:
		need = PRIVATE_NODE_CAP_DEMOTION;
		break;
	case MR_NUMA_MISPLACED:
		/* On a write-protected node NUMA balancing only scans. */
		if (private_node_write_protected(nid))
			return false;
		need = PRIVATE_NODE_CAP_NUMA_BALANCING;
		break;
	case MR_SYSCALL:
	case MR_MEMPOLICY_MBIND:
	case MR_DAMON:
		need = PRIVATE_NODE_CAP_MIGRATION;
		break;
	default:
		return false;
	}
	return private_node_has(nid, need);
}
EXPORT_SYMBOL_IF_KUNIT(private_node_migration_allowed);

/**
 * __private_node_numa_scan() - may NUMA balancing scan a node's folios
 * @nid: node of the folio change_prot_numa() is about to make PROT_NONE
 *
 * Return: false for a private node without PRIVATE_NODE_CAP_NUMA_BALANCING.
 */
bool __private_node_numa_scan(int nid)
{
	return !node_is_private(nid) ||
		private_node_has(nid, PRIVATE_NODE_CAP_NUMA_BALANCING);
}

/**
 * __private_node_numa_may_leave() - may a hinting fault migrate a folio off
 * @nid: node of the folio that took the hinting fault
 *
 * Return: false for a private node without PRIVATE_NODE_CAP_NUMA_BALANCING
 * and for a write-protected one (its folios leave through the owner).
 */
bool __private_node_numa_may_leave(int nid)
{
	if (!node_is_private(nid))
		return true;
	return private_node_has(nid, PRIVATE_NODE_CAP_NUMA_BALANCING) &&
		!private_node_write_protected(nid);
}

/**
 * __private_node_compact_allowed() - may compaction run on a node
 * @nid: node compact_node() is asked to compact
 *
 * Return: false for a private node without PRIVATE_NODE_CAP_COMPACTION.
 */
bool __private_node_compact_allowed(int nid)
{
	return !node_is_private(nid) ||
		private_node_has(nid, PRIVATE_NODE_CAP_COMPACTION);
}

/**
 * private_node_damon_target() - may DAMON migrate folios onto a node
 * @nid: target node of a DAMOS migrate_hot or migrate_cold scheme
 *
 * A node with memory may be a target; so may a private node whose owner
 * opted into migration and that is not blocked (the migration then gets
 * the gate, see private_node_migration_allowed()). For any other private node
 * the scheme moves nothing, and the kernel says why (rate-limited).
 *
 * Return: true if the scheme may migrate to @nid.
 */
bool private_node_damon_target(int nid)
{
	if (node_state(nid, N_MEMORY))
		return true;
	if (!node_is_private(nid))
		return false;
	if (private_node_has(nid, PRIVATE_NODE_CAP_MIGRATION) &&
	    !private_node_blocked(nid))
		return true;
	pr_info_ratelimited("damon: private node %d refuses migration (not opted in, or blocked)\n",
			    nid);
	return false;
}

/*
 * The node of a policy's mask after @nid (-1: the first), or nr_node_ids.
 * A policy names possible nodes only, so the walk stops at nr_node_ids:
 * for_each_node_mask() scans MAX_NUMNODES bits (1024 with Debian's
 * NODES_SHIFT, sixteen words for a mask of one private node), and these
 * walks run on every fault of a private mapping.
 */
static inline int policy_node_next(const nodemask_t *nodes, int nid)
{
	return find_next_bit(nodes->bits, nr_node_ids, nid + 1);
}

/**
 * __private_node_policy_usable() - can a private policy still allocate
 * @nodes: nodemask of a policy with MPOL_F_PRIVATE
 *
 * A policy that named private nodes keeps naming them after their memory
 * was removed (nothing rebinds task or VMA policies on hot-remove). Bound
 * to them alone, its allocations would fail forever and the faulting task
 * would loop on VM_FAULT_OOM. Instead, once none of its private nodes
 * takes gated allocations any more (memory gone, or being removed), the
 * policy falls back to the default local allocation: the task goes on in
 * normal memory, where removal already migrated its folios.
 *
 * Return: true if a node of @nodes is a private node that has memory
 * online and is not being removed.
 */
bool __private_node_policy_usable(const nodemask_t *nodes)
{
	int nid;

	for (nid = policy_node_next(nodes, -1); nid < nr_node_ids;
	     nid = policy_node_next(nodes, nid))
		if (node_state(nid, N_MEMORY_PRIVATE) &&
		    !(__private_node_flags(nid) & PRIVATE_NODE_F_DRAINING))
			return true;
	return false;
}

/**
 * private_node_cpuset_allows() - does a task's cpuset let it use a private node
 * @tsk: task whose memory would be placed on @nid
 * @nid: private node
 *
 * Cpusets govern private nodes: with no cpuset besides the root, or for a
 * task of the root cpuset, every private node is allowed; otherwise every
 * cpuset from the task's up to the root whose cpuset.mems is set must list
 * @nid (cpuset_private_node_allowed()). Private nodes never enter a
 * cpuset's effective mems, so listing one changes nothing for ordinary
 * allocations.
 *
 * Context: any context; lockless (RCU).
 * Return: true if @tsk may place memory on @nid.
 */
bool private_node_cpuset_allows(struct task_struct *tsk, int nid)
{
	if (!cpusets_enabled())
		return true;
	return cpuset_private_node_allowed(tsk, nid);
}

/**
 * private_node_cpuset_nodes() - add the private nodes a task's cpuset allows
 * @tsk: task whose memory would be placed on the nodes
 * @mask: a cpuset's mems (cpuset_mems_allowed()), extended in place
 *
 * For the cpuset checks of migrate_pages(2) and move_pages(2): a private
 * node with memory is added to @mask if @tsk's cpuset allows it.
 *
 * Context: process context.
 */
void private_node_cpuset_nodes(struct task_struct *tsk, nodemask_t *mask)
{
	int nid;

	if (!private_nodes_enabled())
		return;
	for_each_node_state(nid, N_MEMORY_PRIVATE)
		if (private_node_cpuset_allows(tsk, nid))
			node_set(nid, *mask);
}

/**
 * private_node_cpuset_check() - may a MIGRATE request place memory on a node
 * @pid: 0 for the caller, else the process (in the caller's pid namespace)
 *	whose memory would move
 * @nid: private node
 *
 * Both the caller's cpuset and that of the process whose memory moves must
 * allow @nid (private_node_cpuset_allows()).
 *
 * Context: process context.
 * Return: 0, -EPERM if a cpuset does not allow @nid, -ESRCH if there is no
 * such process.
 */
int private_node_cpuset_check(pid_t pid, int nid)
{
	struct task_struct *task;
	bool ok;

	if (!private_node_cpuset_allows(current, nid))
		return -EPERM;
	if (!pid || pid == task_tgid_vnr(current))
		return 0;
	task = find_get_task_by_vpid(pid);
	if (!task)
		return -ESRCH;
	ok = private_node_cpuset_allows(task, nid);
	put_task_struct(task);
	return ok ? 0 : -EPERM;
}
EXPORT_SYMBOL_GPL(private_node_cpuset_check);

/**
 * private_node_mempolicy_nodes() - vet the private nodes of a policy nodemask
 * @nodes: nodemask passed to mbind() or set_mempolicy()
 * @out: set to the private nodes of @nodes that have memory online and that
 *	the calling task's cpuset allows
 *
 * A private node the task's cpuset does not allow is left out of @out,
 * as mbind() leaves out a normal node outside the cpuset: a policy that
 * names no node the task may use then fails with -EINVAL.
 *
 * Return: the number of nodes in @out, or -EINVAL if one of them did not
 * opt into PRIVATE_NODE_CAP_MEMPOLICY.
 */
int private_node_mempolicy_nodes(const nodemask_t *nodes, nodemask_t *out)
{
	int nid;

	nodes_clear(*out);
	if (!private_nodes_enabled())
		return 0;
	nodes_and(*out, *nodes, node_states[N_MEMORY_PRIVATE]);
	for_each_node_mask(nid, *out) {
		if (!private_node_has(nid, PRIVATE_NODE_CAP_MEMPOLICY))
			return -EINVAL;
		if (!private_node_cpuset_allows(current, nid))
			node_clear(nid, *out);
	}
	return nodes_weight(*out);
}

/*
 * May a folio of a private policy be allocated on private node @nid now?
 * A policy made by mbind()/set_mempolicy() needs the node's mempolicy
 * service and a node that is not blocked; a policy the owner installed
 * (vma_bind_private_node()) needs neither. Both need memory online that is
 * not being removed, and the allocating task's cpuset must allow the node.
 * No policy places folios on a write-protected node: a policy allocation
 * is a fault or a page-cache fill, written at once, and an owner policy
 * may outlive the node type it was made for (a shmem object's shared
 * policy, after the same node id came back compressed).
 */
static bool private_node_takes_policy(int nid, bool owner)
{
	unsigned long flags = __private_node_flags(nid);

	if (!node_state(nid, N_MEMORY_PRIVATE) ||
	    (flags & (PRIVATE_NODE_F_DRAINING | PRIVATE_NODE_CAP_PROTECT_WRITE)))
		return false;
	if (!owner && (!(flags & PRIVATE_NODE_CAP_MEMPOLICY) ||
		       (flags & PRIVATE_NODE_F_BLOCKED)))
		return false;
	return private_node_cpuset_allows(current, nid);
}

/**
 * __private_node_policy_nodes() - the nodes a private policy may use now
 * @nodes: nodemask of a policy with MPOL_F_PRIVATE
 * @owner: the owner installed the policy (MPOL_F_PRIVATE_OWNER)
 * @usable: set to @nodes without the nodes that refuse the allocation now
 *
 * The gate decides when the folio is allocated, with the node's current
 * services and state: a policy outlives the node state it was made with
 * (the node may have been removed and bound again by another type of
 * owner, or be blocked by its owner). Normal nodes with memory are kept;
 * a private node is kept if private_node_takes_policy(); every other node
 * is dropped.
 *
 * Context: task context (the allocating task's cpuset is read); lockless.
 * Return: the number of private nodes in @usable.
 */
int __private_node_policy_nodes(const nodemask_t *nodes, bool owner,
				nodemask_t *usable)
{
	int nid, nr = 0;

	nodes_clear(*usable);
	for (nid = policy_node_next(nodes, -1); nid < nr_node_ids;
	     nid = policy_node_next(nodes, nid)) {
		if (node_state(nid, N_MEMORY)) {
			node_set(nid, *usable);
		} else if (private_node_takes_policy(nid, owner)) {
			node_set(nid, *usable);
			nr++;
		}
	}
	return nr;
}

/**
 * __private_node_policy_intact() - may a private policy allocate as it is
 * @nodes: nodemask of a policy with MPOL_F_PRIVATE
 * @owner: the owner installed the policy (MPOL_F_PRIVATE_OWNER)
 *
 * The common case of __private_node_policy_nodes(), decided without
 * building a copy of the mask: every node of @nodes is kept and at least
 * one of them is private, so the policy can be used unchanged.
 *
 * Context: task context (the allocating task's cpuset is read); lockless.
 * Return: true if __private_node_policy_nodes() would return @nodes itself
 * and a positive count.
 */
bool __private_node_policy_intact(const nodemask_t *nodes, bool owner)
{
	bool private = false;
	int nid;

	for (nid = policy_node_next(nodes, -1); nid < nr_node_ids;
	     nid = policy_node_next(nodes, nid)) {
		if (node_state(nid, N_MEMORY))
			continue;
		if (!private_node_takes_policy(nid, owner))
			return false;
		private = true;
	}
	return private;
}

/**
 * __private_node_oom_only() - is an out-of-memory confined to private nodes
 * @nodemask: nodemask of the allocation that failed (CONSTRAINT_MEMORY_POLICY)
 *
 * Return: true if @nodemask names private nodes and no normal node with
 * memory: the allocation could only be served by private nodes.
 */
bool __private_node_oom_only(const nodemask_t *nodemask)
{
	if (!nodemask || nodes_intersects(*nodemask, node_states[N_MEMORY]))
		return false;
	return nodes_intersects(*nodemask, node_states[N_MEMORY_PRIVATE]);
}

/**
 * private_node_oom_kill_current() - the exhaustion rule of private nodes
 *
 * Called by out_of_memory() for an allocation that only private nodes
 * could serve (__private_node_oom_only()). A private node holds only what
 * its users placed there, so killing a task chosen by its total memory
 * frees nothing on it unless that task happens to be such a user; the
 * kernel cannot tell cheaply which tasks are. The rule is therefore that
 * of a fixed pool: the task that asked for memory on the full node pays,
 * nobody else. The OOM killer may choose the allocating task only.
 *
 * A task the OOM killer may not kill (oom_score_adj -1000, init, a kernel
 * thread) is not killed: the allocation fails. A user task then also gets
 * SIGBUS, so that a faulting task does not retry the fault for ever
 * (pagefault_out_of_memory() only retries); a system call that allocated
 * returns -ENOMEM first.
 *
 * Context: the allocating task, oom_lock held.
 * Return: true if the caller should OOM-kill current, false if the
 * allocation should fail.
 */
bool private_node_oom_kill_current(void)
{
	struct task_struct *tsk = current;

	if (tsk->flags & PF_KTHREAD || !tsk->mm || is_global_init(tsk))
		return false;
	if (tsk->signal->oom_score_adj != OOM_SCORE_ADJ_MIN)
		return true;
	pr_warn_ratelimited("private node full: %s[%d] is exempt from the OOM killer, SIGBUS\n",
			    tsk->comm, task_pid_nr(tsk));
	force_sig(SIGBUS);
	return false;
}

/**
 * private_node_demotion_filter() - drop private nodes not taking demotion
 * @targets: candidate demotion targets, filtered in place
 *
 * Removes the private nodes that did not opt into demotion or are blocked.
 */
void private_node_demotion_filter(nodemask_t *targets)
{
	int nid;

	if (!private_nodes_enabled())
		return;
	for_each_node_mask(nid, *targets)
		if (node_is_private(nid) &&
		    (!private_node_has(nid, PRIVATE_NODE_CAP_DEMOTION) ||
		     private_node_blocked(nid)))
			node_clear(nid, *targets);
}

/**
 * private_node_folio_free() - tell the owner that one of its folios is freed
 * @folio: folio about to go back to the buddy allocator
 */
void private_node_folio_free(struct folio *folio)
{
	struct private_node *np = private_node_get(folio_nid(folio));

	if (!np)
		return;
	if (np->ops && np->ops->folio_free)
		np->ops->folio_free(folio, np->owner);
	private_node_put(np);
}

static void private_node_notify_migrate(int nid, struct folio *src,
					struct folio *dst)
{
	struct private_node *np = private_node_get(nid);

	if (!np)
		return;
	if (np->ops && np->ops->folio_migrate)
		np->ops->folio_migrate(src, dst, np->owner);
	private_node_put(np);
}

/**
 * private_node_folio_migrate() - tell owners that a folio moves in or out
 * @src: source folio
 * @dst: destination folio
 *
 * Called once for the source node and once for the destination node when
 * either is private.
 */
void private_node_folio_migrate(struct folio *src, struct folio *dst)
{
	int snid = folio_nid(src), dnid = folio_nid(dst);

	if (!private_nodes_enabled())
		return;
	private_node_notify_migrate(snid, src, dst);
	if (dnid != snid)
		private_node_notify_migrate(dnid, src, dst);
}

/**
 * private_node_write_fault() - route a write fault on a protected folio
 * @vmf: fault description; the page-table lock is not held
 * @folio: the write-protected folio, with a reference taken by the caller
 *	that this function (or the owner's callback) drops
 *
 * The callback gets the reference and must drop it before returning; it
 * may drop it early: migrating the folio (a promotion) fails while anyone
 * holds a reference beyond the mappings and the isolation.
 *
 * Return: what the owner's write_fault callback returned (0 to refault,
 * VM_FAULT_FALLBACK to have the writer copy the folio instead of writing
 * it, or an error), VM_FAULT_SIGBUS if there is none.
 */
vm_fault_t private_node_write_fault(struct vm_fault *vmf, struct folio *folio)
{
	struct private_node *np = private_node_get(folio_nid(folio));
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (!np) {
		folio_put(folio);
		return 0;	/* the owner is gone: refault and map writable */
	}
	if (np->ops && np->ops->write_fault)
		ret = np->ops->write_fault(vmf, folio, np->owner);
	else
		folio_put(folio);
	private_node_put(np);
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * private_node_alloc_migration_target() - allocate a migration target folio
 * @src: folio to be migrated
 * @nid: target node
 * @reason: MR_* reason of the migration
 * @gfp: gfp mask of the target allocation
 *
 * alloc_migration_target() for tests, which cannot build its
 * migration_target_control.
 *
 * Return: the new folio or NULL.
 */
struct folio *private_node_alloc_migration_target(struct folio *src, int nid,
						  enum migrate_reason reason,
						  gfp_t gfp)
{
	struct migration_target_control mtc = {
		.nid = nid,
		.gfp_mask = gfp,
		.reason = reason,
	};

	return alloc_migration_target(src, (unsigned long)&mtc);
}
EXPORT_SYMBOL_IF_KUNIT(private_node_alloc_migration_target);
#endif

/**
 * private_node_nearest_normal() - the normal memory node nearest a node
 * @nid: node to measure from
 *
 * Return: the N_MEMORY node at the smallest distance from @nid (the lowest
 * id on a tie), or NUMA_NO_NODE if there is none.
 */
int private_node_nearest_normal(int nid)
{
	int n, best = NUMA_NO_NODE, best_dist = INT_MAX;

	for_each_node_state(n, N_MEMORY) {
		int d = node_distance(nid, n);

		if (d < best_dist) {
			best = n;
			best_dist = d;
		}
	}
	return best;
}
EXPORT_SYMBOL_GPL(private_node_nearest_normal);

/**
 * private_node_core_ready() - report whether the private-node core is built in
 *
 * Return: true when the kernel was built with CONFIG_PRIVATE_NODE.
 */
bool private_node_core_ready(void)
{
	return true;
}
EXPORT_SYMBOL_GPL(private_node_core_ready);
