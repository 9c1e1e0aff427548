// SPDX-License-Identifier: GPL-2.0
/*
 * Private memory nodes: services for the owner driver.
 *
 * - private_node_migrate_range(): batched migration of a user address
 *   range to or from a node, with per-page accounting, for the owner's
 *   explicit MIGRATE requests (large folios move whole);
 * - private_node_set_demotion()/private_node_get_demotion(): the one
 *   runtime-mutable service, whether the node is a demotion target and for
 *   which source nodes, wired into the memory tiers.
 *
 * See include/linux/private_node.h for the design.
 */
#include <linux/mm.h>
#include <linux/export.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/memory-tiers.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm_inline.h>
#include <linux/mutex.h>
#include <linux/pagewalk.h>
#include <linux/private_node.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/swap.h>

#include "internal.h"
#include "private_node.h"

/* Base pages isolated per migrate_pages() batch (16 MiB of 4K pages). */
#define PRIVATE_NODE_MIGRATE_BATCH	4096

/*
 * Demotion sources of each private node. A node whose mask was never set
 * takes demotion from every node. Written under demotion_mutex; read
 * locklessly by the memory tiers (a racing reader sees the old or the new
 * mask of a node, the tiers are re-established after every change).
 */
static nodemask_t demotion_sources[MAX_NUMNODES];
static DECLARE_BITMAP(demotion_sources_set, MAX_NUMNODES);
static DEFINE_MUTEX(demotion_mutex);

/**
 * private_node_demotion_source() - may @source demote into @target?
 * @target: demotion target node
 * @source: node folios are demoted from
 *
 * Return: false only if @target is a private node whose owner restricted
 * its demotion sources and @source is not one of them.
 */
bool private_node_demotion_source(int target, int source)
{
	if (!node_is_private(target))
		return true;
	if (!test_bit(target, demotion_sources_set))
		return true;
	return node_isset(source, demotion_sources[target]);
}

/**
 * private_node_demotion_filter_src() - drop targets closed to a source
 * @source: node folios are demoted from
 * @targets: candidate demotion targets, filtered in place
 */
void private_node_demotion_filter_src(int source, nodemask_t *targets)
{
	int nid;

	if (!private_nodes_enabled())
		return;
	for_each_node_mask(nid, *targets)
		if (!private_node_demotion_source(nid, source))
			node_clear(nid, *targets);
}

/**
 * private_node_set_demotion() - open or close a private node to demotion
 * @nid: private node
 * @enable: true to make the node a demotion target
 * @sources: nodes allowed to demote into @nid, NULL for every node
 *
 * Sets or clears PRIVATE_NODE_CAP_DEMOTION, the only service that may
 * change after registration, records the allowed sources and rebuilds the
 * memory tiers and demotion targets (which the kernel prints).
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL if @nid is not a private node or @sources has no
 * memory node, -EBUSY while the node is write-protected without reclaim
 * (demoted folios could then never leave).
 */
int private_node_set_demotion(int nid, bool enable, const nodemask_t *sources)
{
	unsigned long bit = __ffs(PRIVATE_NODE_CAP_DEMOTION);

	if (nid < 0 || nid >= MAX_NUMNODES || !node_is_private(nid))
		return -EINVAL;

	mutex_lock(&demotion_mutex);
	if (sources) {
		demotion_sources[nid] = *sources;
		set_bit(nid, demotion_sources_set);
	} else {
		nodes_clear(demotion_sources[nid]);
		clear_bit(nid, demotion_sources_set);
	}
	if (enable)
		set_bit(bit, &private_node_flags[nid]);
	else
		clear_bit(bit, &private_node_flags[nid]);
	memory_tier_private_node_changed(nid);
	mutex_unlock(&demotion_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(private_node_set_demotion);

/**
 * private_node_get_demotion() - read a private node's demotion settings
 * @nid: private node
 * @enabled: set to whether the node takes demotion
 * @sources: set to the nodes allowed to demote into it (all possible
 *	nodes when unrestricted)
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL if @nid is not a private node.
 */
int private_node_get_demotion(int nid, bool *enabled, nodemask_t *sources)
{
	if (nid < 0 || nid >= MAX_NUMNODES || !node_is_private(nid))
		return -EINVAL;
	mutex_lock(&demotion_mutex);
	*enabled = private_node_has(nid, PRIVATE_NODE_CAP_DEMOTION);
	if (test_bit(nid, demotion_sources_set))
		*sources = demotion_sources[nid];
	else
		*sources = node_possible_map;
	mutex_unlock(&demotion_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(private_node_get_demotion);

struct range_migration {
	struct mm_struct *mm;
	int nid;
	int from_nid;
	enum migrate_reason reason;
	enum migrate_mode mode;
	struct private_node_migrate_stats *st;
	const struct address_space *shared;
	struct list_head folios;
	unsigned long isolated;		/* base pages on @folios */
	unsigned long in_range;		/* of which in the range */
	struct folio *last;		/* last folio seen, for large folios */
	int last_state;			/* what happened to @last */
};

enum { RM_NONE, RM_QUEUED, RM_ALREADY, RM_FAILED, RM_ABSENT };

static void rm_account(struct range_migration *rm, int state,
		       unsigned long nr)
{
	switch (state) {
	case RM_QUEUED:
		rm->in_range += nr;	/* accounted when migrated */
		break;
	case RM_ALREADY:
		rm->st->already += nr;
		break;
	case RM_ABSENT:
		rm->st->absent += nr;
		break;
	default:
		rm->st->failed += nr;
		break;
	}
}

/* Classify and maybe isolate the folio mapped at @addr. */
static int rm_queue_folio(struct range_migration *rm, struct folio *folio)
{
	if (is_zero_folio(folio) || is_huge_zero_folio(folio))
		return RM_ABSENT;
	if (folio_is_zone_device(folio) || folio_test_hugetlb(folio))
		return RM_FAILED;
	if (folio_nid(folio) == rm->nid)
		return RM_ALREADY;
	if (rm->from_nid != NUMA_NO_NODE && folio_nid(folio) != rm->from_nid)
		return RM_ALREADY;
	/*
	 * As move_pages(2) without MPOL_MF_MOVE_ALL: not others' folios,
	 * unless they belong to the object the caller shares with them.
	 */
	if (folio_likely_mapped_shared(folio) &&
	    (!rm->shared || folio_mapping(folio) != rm->shared))
		return RM_FAILED;
	if (!private_node_isolate_folio(folio, &rm->folios))
		return RM_FAILED;
	rm->isolated += folio_nr_pages(folio);
	return RM_QUEUED;
}

static void isolated_mod(struct folio *folio, int sign)
{
	node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio),
			    sign * folio_nr_pages(folio));
}

static void isolated_mod_list(struct list_head *folios, int sign)
{
	struct folio *folio;

	list_for_each_entry(folio, folios, lru)
		isolated_mod(folio, sign);
}

/**
 * private_node_isolate_folio() - take a folio off the LRU for migration
 * @folio: folio to isolate; the caller holds a reference
 * @list: where the isolated folio goes (on its ->lru)
 *
 * folio_isolate_lru() plus the NR_ISOLATED_* accounting migrate_pages()
 * and putback_movable_pages() expect: the one place the private-node code
 * isolates a folio.
 *
 * Return: true if the folio was isolated and added to @list.
 */
bool private_node_isolate_folio(struct folio *folio, struct list_head *list)
{
	if (!folio_isolate_lru(folio))
		return false;
	list_add_tail(&folio->lru, list);
	isolated_mod(folio, 1);
	return true;
}

/*
 * Migrate folios isolated by the caller.
 * @folios: folios isolated from the LRU, each counted in NR_ISOLATED_*
 *	of its node; the ones that do not move are put back
 * @mtc: migration target; @mtc->reason is the migration reason
 * @mode: migration mode
 * @done: set to the number of base pages migrated
 *
 * migrate_pages() does not undo the NR_ISOLATED_* accounting of folios
 * it migrates for MR_DEMOTION: reclaim, which isolated them, undoes it in
 * bulk. Folios isolated here for a demotion-like move into a private node
 * (the MIGRATE ioctl of a compressed node) would otherwise stay counted
 * as isolated on their source node for ever, and too_many_isolated() would
 * end up throttling reclaim and compaction on that node indefinitely. So
 * for MR_DEMOTION the accounting is undone before migrating, and redone
 * for the folios that come back, which putback_movable_pages() undoes.
 *
 * Context: process context, may sleep.
 * Return: as migrate_pages().
 */
static int migrate_isolated(struct list_head *folios,
			    struct migration_target_control *mtc,
			    enum migrate_mode mode, unsigned int *done)
{
	bool demotion = mtc->reason == MR_DEMOTION;
	int ret;

	if (demotion)
		isolated_mod_list(folios, -1);
	ret = migrate_pages(folios, alloc_migration_target, NULL,
			    (unsigned long)mtc, mode, mtc->reason, done);
	if (ret) {
		if (demotion)
			isolated_mod_list(folios, 1);
		putback_movable_pages(folios);
	}
	return ret;
}

static int rm_flush(struct range_migration *rm)
{
	struct migration_target_control mtc = {
		.nid = rm->nid,
		.gfp_mask = PRIVATE_NODE_MIGRATE_GFP,
		.reason = rm->reason,
	};
	unsigned int done = 0;
	int ret;

	if (list_empty(&rm->folios))
		return 0;
	ret = migrate_isolated(&rm->folios, &mtc, rm->mode, &done);
	/*
	 * Large folios move whole but only their pages in the range count:
	 * exact when the whole batch moved or none of it did.
	 */
	if (!ret)
		done = rm->in_range;
	done = min_t(unsigned long, done, rm->in_range);
	rm->st->moved += done;
	rm->st->failed += rm->in_range - done;
	rm->isolated = 0;
	rm->in_range = 0;
	return ret < 0 ? ret : 0;
}

/*
 * Walk [start, end) under the mmap lock, queueing folios until a batch is
 * full. Returns the address to continue from, or a negative errno.
 */
static long rm_walk(struct range_migration *rm, unsigned long start,
		    unsigned long end)
{
	unsigned long addr = start;
	struct vm_area_struct *vma;

	while (addr < end && rm->isolated < PRIVATE_NODE_MIGRATE_BATCH) {
		unsigned long step = 1, vend;
		struct folio_walk fw;
		struct folio *folio;
		int state;

		vma = vma_lookup(rm->mm, addr);
		if (!vma)
			return -EFAULT;
		vend = min(end, vma->vm_end);
		if (!vma_migratable(vma)) {
			rm->st->failed += (vend - addr) >> PAGE_SHIFT;
			addr = vend;
			continue;
		}
		folio = folio_walk_start(&fw, vma, addr, FW_ZEROPAGE);
		if (!folio) {
			rm->st->absent++;
			addr += PAGE_SIZE;
			continue;
		}
		if (fw.level == FW_LEVEL_PMD)
			step = (ALIGN(addr + 1, HPAGE_PMD_SIZE) - addr) >>
				PAGE_SHIFT;
		step = min(step, (vend - addr) >> PAGE_SHIFT);
		if (folio == rm->last) {
			state = rm->last_state;
		} else {
			state = rm_queue_folio(rm, folio);
			rm->last = folio;
			rm->last_state = state;
		}
		folio_walk_end(&fw, vma);
		rm_account(rm, state, step);
		addr += step << PAGE_SHIFT;
	}
	return addr;
}

/**
 * private_node_migrate_range() - migrate a user address range to a node
 * @mm: address space, with a reference held by the caller
 * @start: page-aligned start address
 * @nr_pages: length of the range in pages
 * @nid: target node, private (with the service matching @reason) or not
 * @from_nid: only move folios on this node, NUMA_NO_NODE for any
 * @reason: MR_SYSCALL for explicit moves, MR_DEMOTION for demotion-like
 *	placement on nodes that only take demotion
 * @mode: MIGRATE_SYNC or MIGRATE_ASYNC
 * @shared: folios of this mapping move even when other processes map
 *	them (the caller's shared object), or NULL
 * @st: outcome, zeroed first; every page of the range lands in exactly one
 *	of its counters (large folios move whole and count their pages in
 *	the range)
 *
 * Folios are isolated in batches of up to PRIVATE_NODE_MIGRATE_BATCH base
 * pages, each moved by a single migrate_pages() call, with the mmap lock
 * dropped while migrating. Folios mapped by more than one process are
 * left alone, as move_pages(2) does without MPOL_MF_MOVE_ALL, except
 * those of @shared: they move for every process that maps them.
 *
 * Context: process context, may sleep. Takes the mmap lock of @mm.
 * Return: 0, -EINVAL for a bad argument, -EFAULT if part of the range is
 * not mapped (then nothing was migrated), -EINTR on a fatal signal, or
 * another negative errno.
 */
long private_node_migrate_range(struct mm_struct *mm, unsigned long start,
				unsigned long nr_pages, int nid, int from_nid,
				enum migrate_reason reason,
				enum migrate_mode mode,
				const struct address_space *shared,
				struct private_node_migrate_stats *st)
{
	struct range_migration rm = {
		.mm = mm, .nid = nid, .from_nid = from_nid, .reason = reason,
		.mode = mode, .shared = shared, .st = st,
	};
	unsigned long end, addr;
	long ret = 0;

	memset(st, 0, sizeof(*st));
	if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
		return -EINVAL;
	if (from_nid != NUMA_NO_NODE && (from_nid < 0 || from_nid >= MAX_NUMNODES))
		return -EINVAL;
	if (!PAGE_ALIGNED(start) || !nr_pages ||
	    nr_pages > (TASK_SIZE_MAX >> PAGE_SHIFT) ||
	    start > TASK_SIZE_MAX - (nr_pages << PAGE_SHIFT))
		return -EINVAL;
	end = start + (nr_pages << PAGE_SHIFT);
	INIT_LIST_HEAD(&rm.folios);

	/* The whole range must be mapped: check before moving anything. */
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (addr = start; addr < end; ) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (!vma) {
			mmap_read_unlock(mm);
			return -EFAULT;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);

	lru_add_drain_all();
	addr = start;
	while (addr < end) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		ret = rm_walk(&rm, addr, end);
		mmap_read_unlock(mm);
		if (ret < 0)
			break;
		addr = ret;
		ret = rm_flush(&rm);
		if (ret)
			break;
		rm.last = NULL;
		cond_resched();
	}
	if (ret)
		rm_flush(&rm);
	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_GPL(private_node_migrate_range);

/**
 * private_node_get_mm() - the address space a MIGRATE request may touch
 * @pid: 0 for the caller, else a pid in the caller's pid namespace
 *
 * For another process the caller needs what move_pages(2) asks for: ptrace
 * read access (PTRACE_MODE_READ_REALCREDS) and the LSM's movememory
 * permission, plus CAP_SYS_NICE.
 *
 * Context: process context.
 * Return: the mm with a reference (drop it with mmput()), or
 * ERR_PTR(-ESRCH) if there is no such process, ERR_PTR(-EPERM) if the
 * caller may not touch it, ERR_PTR(-EINVAL) if it has no mm (kernel thread
 * or exiting).
 */
struct mm_struct *private_node_get_mm(pid_t pid)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int err;

	if (pid < 0)
		return ERR_PTR(-ESRCH);
	if (!pid || pid == task_tgid_vnr(current)) {
		mm = get_task_mm(current);
		return mm ? mm : ERR_PTR(-EINVAL);
	}
	task = find_get_task_by_vpid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	if (!ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS) ||
	    !capable(CAP_SYS_NICE)) {
		mm = ERR_PTR(-EPERM);
		goto out;
	}
	err = security_task_movememory(task);
	if (err) {
		mm = ERR_PTR(err);
		goto out;
	}
	mm = get_task_mm(task);
	if (!mm)
		mm = ERR_PTR(-EINVAL);
out:
	put_task_struct(task);
	return mm;
}
EXPORT_SYMBOL_GPL(private_node_get_mm);
