// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the node owner's side of the mm core, the capabilities of each
 * node type and the callbacks the core makes into the driver.
 *
 * The callbacks only count, except write_fault, which promotes a folio off
 * a write-protected (compressed) node. folio_migrate runs with migration
 * entries in place and may not sleep; it tells demotions from other
 * migrations by the reclaim context (PF_MEMALLOC) demotion runs in.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/topology.h>
#include "privmem.h"

unsigned long privmem_type_caps(unsigned int type)
{
	switch (type) {
	case PRIVMEM_TYPE_COMPRESSED:
		/* Demotion is switched on by node_private_set_demotion(). */
		return NODE_PRIVATE_CAP_PROTECT_WRITE | NODE_PRIVATE_CAP_RECLAIM;
	case PRIVMEM_TYPE_PLAIN:
	default:
		return NODE_PRIVATE_CAP_MIGRATION | NODE_PRIVATE_CAP_MEMPOLICY;
	}
}

static void privmem_folio_migrate(struct folio *src, struct folio *dst,
				  void *owner)
{
	struct privmem_dev *pm = owner;
	long nr = folio_nr_pages(src);
	int snid = folio_nid(src), dnid = folio_nid(dst);

	if (dnid == pm->nid && snid != pm->nid) {
		atomic64_add(nr, &pm->cnt.migrations_in);
		if (current->flags & PF_MEMALLOC)
			atomic64_add(nr, &pm->cnt.demotions_in);
	} else if (snid == pm->nid && dnid != pm->nid) {
		atomic64_add(nr, &pm->cnt.migrations_out);
	}
}

/* A write hit a folio of a write-protected node: move it to DRAM. */
static vm_fault_t privmem_write_fault(struct vm_fault *vmf,
				      struct folio *folio, void *owner)
{
	struct privmem_dev *pm = owner;
	long nr = folio_nr_pages(folio);
	int target = numa_node_id();

	if (!node_state(target, N_MEMORY))
		target = privmem_nearest_dram_node(pm->nid);
	if (target == NUMA_NO_NODE)
		return VM_FAULT_SIGBUS;
	switch (private_node_promote_folio(folio, target)) {
	case 0:
		atomic64_add(nr, &pm->cnt.promotions);
		return 0;	/* the retried fault maps the DRAM copy */
	case -EBUSY:
		return 0;	/* someone else is moving it: retry */
	default:
		/*
		 * Refusing the write is better than retrying a fault that
		 * cannot make progress.
		 */
		pr_warn_ratelimited("privmem%d: write to node %d refused, promotion failed\n",
				    pm->id, pm->nid);
		return VM_FAULT_SIGBUS;
	}
}

static void privmem_memory_failure(unsigned long pfn, int flags, void *owner)
{
	struct privmem_dev *pm = owner;

	pr_warn_ratelimited("privmem%d: memory failure at pfn %#lx on node %d\n",
			    pm->id, pfn, pm->nid);
}

const struct node_private_ops privmem_node_ops = {
	.folio_migrate = privmem_folio_migrate,
	.write_fault = privmem_write_fault,
	.memory_failure = privmem_memory_failure,
};
