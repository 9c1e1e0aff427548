// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the node owner's side of the mm core, the capabilities of each
 * node type and the callbacks the core makes into the driver.
 *
 * The callbacks count, and on a compressed node feed the emulated device
 * (cram_data.c): folio_migrate charges the pages that arrive (their data
 * is already copied) and uncharges those that leave, folio_free uncharges.
 * write_fault is the CRAM service's promotion fault (mm/cram.c).
 * folio_migrate runs with migration entries in place and may not sleep;
 * it tells demotions from other migrations by the reclaim context
 * (PF_MEMALLOC) demotion runs in.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/topology.h>
#include "privmem.h"

/**
 * privmem_settings_caps() - the node capabilities a device's settings ask for
 * @set: the device's settings
 *
 * NUMA balancing on a compressed (write-protected) node only scans:
 * hinting faults keep its PTEs read-only and never migrate (see
 * mm/private_node.c). Compaction needs migration, so a compressed node
 * ignores it.
 *
 * Return: PRIVATE_NODE_CAP_* for private_node_register().
 */
unsigned long privmem_settings_caps(const struct privmem_settings *set)
{
	unsigned long caps;

	switch (set->type) {
	case PRIVMEM_TYPE_COMPRESSED:
		/* Demotion is switched on by private_node_set_demotion(). */
		caps = PRIVATE_NODE_CAP_PROTECT_WRITE | PRIVATE_NODE_CAP_RECLAIM;
		break;
	case PRIVMEM_TYPE_PLAIN:
	default:
		caps = PRIVATE_NODE_CAP_MIGRATION | PRIVATE_NODE_CAP_MEMPOLICY;
		if (set->compaction)
			caps |= PRIVATE_NODE_CAP_COMPACTION;
		break;
	}
	if (set->numa_balancing)
		caps |= PRIVATE_NODE_CAP_NUMA_BALANCING;
	return caps;
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
		privmem_cram_folio_in(pm, dst);
	} else if (snid == pm->nid && dnid != pm->nid) {
		atomic64_add(nr, &pm->cnt.migrations_out);
		privmem_cram_folio_out(pm, src);
	}
}

static void privmem_folio_free(struct folio *folio, void *owner)
{
	privmem_cram_folio_out(owner, folio);
}

/*
 * A write hit a folio of a write-protected (compressed) node: the CRAM
 * service's promotion fault moves it to DRAM and the fault is retried;
 * it never refuses the write with SIGBUS (see cram_promote_fault()).
 */
static vm_fault_t privmem_write_fault(struct vm_fault *vmf,
				      struct folio *folio, void *owner)
{
	struct privmem_dev *pm = owner;
	long nr = folio_nr_pages(folio);
	enum cram_promote_outcome outcome;
	vm_fault_t ret;

	ret = cram_promote_fault(vmf, folio, &outcome);
	/* A copy is a promotion of the written page for its writer. */
	if (outcome == CRAM_PROMOTED)
		atomic64_add(nr, &pm->cnt.promotions);
	else if (outcome == CRAM_COPIED)
		atomic64_inc(&pm->cnt.promotions);
	else if (outcome == CRAM_FAILED)
		atomic64_inc(&pm->cnt.promotion_failures);
	return ret;
}

const struct private_node_ops privmem_node_ops = {
	.folio_free = privmem_folio_free,
	.folio_migrate = privmem_folio_migrate,
	.write_fault = privmem_write_fault,
};
