// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: PRIVMEM_IOC_MIGRATE, moving a range of the caller's or another
 * process's address space to or from the private node.
 *
 * The permission rules are move_pages(2)'s (private_node_get_mm()); the
 * migration itself is private_node_migrate_range(), which isolates the
 * range in batches and moves each batch with one migrate_pages() call.
 * Pages mapped by several processes stay, except those of the shared
 * object of the file the call is made on: they move for every sharer.
 */
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/uaccess.h>
#include "privmem.h"

long privmem_ioctl_migrate(struct privmem_file *pf, void __user *arg)
{
	struct privmem_dev *pm = pf->pm;
	struct private_node_migrate_stats st;
	enum migrate_reason reason = MR_SYSCALL;
	struct privmem_migrate m;
	int nid, from = NUMA_NO_NODE;
	struct mm_struct *mm;
	unsigned int dir;
	long ret;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.size != sizeof(m))
		return -EINVAL;
	if ((m.flags & ~PRIVMEM_MIGRATE_FLAGS) ||
	    memchr_inv(m.reserved, 0, sizeof(m.reserved)) ||
	    m.moved || m.failed || m.already || m.absent)
		return -EINVAL;
	dir = m.flags & (PRIVMEM_MIGRATE_TO_NODE | PRIVMEM_MIGRATE_FROM_NODE);
	if (dir != PRIVMEM_MIGRATE_TO_NODE && dir != PRIVMEM_MIGRATE_FROM_NODE)
		return -EINVAL;
	if (!m.length || !PAGE_ALIGNED(m.addr) || !PAGE_ALIGNED(m.length) ||
	    m.addr + m.length < m.addr || m.addr + m.length > TASK_SIZE)
		return -EINVAL;

	if (dir == PRIVMEM_MIGRATE_TO_NODE) {
		if (m.target_node != NUMA_NO_NODE && m.target_node != pm->nid)
			return -EINVAL;
		nid = pm->nid;
		/* A compressed node only takes folios as demotion. */
		if (pm->set.type == PRIVMEM_TYPE_COMPRESSED)
			reason = MR_DEMOTION;
		if (private_node_blocked(pm->nid)) {
			atomic64_add(m.length >> PAGE_SHIFT,
				     &pm->cnt.demotions_refused);
			return -ENOSPC;
		}
		/* Cpusets govern private nodes: the caller's and the target's. */
		ret = private_node_cpuset_check(m.pid, nid);
		if (ret)
			return ret;
	} else {
		nid = m.target_node;
		if (nid == NUMA_NO_NODE)
			nid = private_node_nearest_normal(pm->nid);
		if (nid < 0 || nid >= MAX_NUMNODES || !node_state(nid, N_MEMORY))
			return -EINVAL;
		from = pm->nid;
	}

	mm = private_node_get_mm(m.pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = private_node_migrate_range(mm, m.addr, m.length >> PAGE_SHIFT,
					 nid, from, reason,
					 (m.flags & PRIVMEM_MIGRATE_ASYNC) ?
					 MIGRATE_ASYNC : MIGRATE_SYNC,
					 privmem_shared_mapping(pf), &st);
	mmput(mm);
	/*
	 * Folios that arrived sit in per-CPU LRU batches: drain them, so
	 * that a promotion fault can isolate them and a free uncharges them
	 * at once (the batches hold a reference).
	 */
	if (dir == PRIVMEM_MIGRATE_TO_NODE && pm->cram)
		cram_migration_done(&pm->cram->cn);
	/* The node blocked mid-way (its device hit the high watermark). */
	if (dir == PRIVMEM_MIGRATE_TO_NODE && private_node_blocked(pm->nid)) {
		if (st.failed)
			atomic64_add(st.failed, &pm->cnt.demotions_refused);
		/* No target page could be had on the blocked node. */
		if (ret == -ENOMEM)
			ret = -ENOSPC;
	}
	if (ret)
		return ret;

	m.moved = st.moved;
	m.failed = st.failed;
	m.already = st.already;
	m.absent = st.absent;
	m.target_node = nid;
	if (copy_to_user(arg, &m, sizeof(m)))
		return -EFAULT;
	return 0;
}
