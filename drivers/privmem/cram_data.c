// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the data path of a compressed node's device: pages arriving
 * on the node are compressed and charged to the device model
 * (cram_model.c), pages leaving it are checked and uncharged.
 *
 *  - Every base page that lands on the node (folio_migrate callback,
 *    after the data was copied) is compressed with the kernel's lz4, in a
 *    per-CPU buffer with preemption disabled, to learn what the device
 *    would store; its cost and checksum are charged to its frame.
 *  - A page is uncharged when its folio migrates off the node (promotion,
 *    swap-out by reclaim, hot-remove; the data is already copied, the
 *    source is intact) or is freed (the callback runs before the page
 *    goes back to the buddy allocator), and its checksum is checked
 *    then, while its data is still there.
 *  - A mismatch is an in-place write: counted per device
 *    (counters/inplace_writes) and module-wide (the read-only parameter
 *    /sys/module/privmem/parameters/inplace_writes, which outlives the
 *    devices), logged once per device with its PFN (no WARN: it is the
 *    mm core that broke the promise, not the driver), and summed up when
 *    the device goes away (privmem_cram_stop()).
 *
 * Every charge and uncharge re-evaluates the device's interrupts
 * (privmem_cram_check(), cram_pressure.c), so that the node is blocked
 * the moment the device fills, mid-way through a demotion batch.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include "privmem.h"

/* In-place writes detected on every device since the module was loaded. */
static atomic64_t privmem_inplace_total = ATOMIC64_INIT(0);

static int inplace_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&privmem_inplace_total));
}

static const struct kernel_param_ops inplace_param_ops = {
	.get = inplace_param_get,
};
module_param_cb(inplace_writes, &inplace_param_ops, NULL, 0444);
MODULE_PARM_DESC(inplace_writes,
		 "in-place writes detected on all compressed nodes since the module was loaded (read-only)");

/* The data of a frame changed while it was stored: count and report it. */
static void privmem_cram_inplace(struct privmem_dev *pm, unsigned long pfn,
				 const struct privmem_cram_inplace *w)
{
	atomic64_inc(&privmem_inplace_total);
	if (w->nr == 1)
		pr_warn("privmem%d: in-place write: pfn %#lx on compressed node %d changed while stored (checksum %08x, now %08x); later ones are only counted\n",
			pm->id, pfn, pm->nid, w->want, w->got);
}

/* Compress one page that arrived and charge its cost. */
static void privmem_cram_page_in(struct privmem_dev *pm, struct page *page)
{
	struct privmem_cram *c = pm->cram;
	void *src = kmap_local_page(page);
	unsigned int cost;
	u32 csum = 0;

	cost = privmem_cram_page_cost(src, *get_cpu_ptr(c->scratch));
	put_cpu_ptr(c->scratch);
	if (c->model.verify)
		csum = privmem_cram_page_csum(src);
	kunmap_local(src);
	if (privmem_cram_model_charge(&c->model, page_to_pfn(page), cost, csum))
		privmem_cram_check(pm);
}

/* Check one page that leaves (its data still intact) and uncharge it. */
static void privmem_cram_page_out(struct privmem_dev *pm, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct privmem_cram_inplace w;
	void *src = kmap_local_page(page);
	bool was_charged;

	was_charged = privmem_cram_model_uncharge(&pm->cram->model, pfn, src,
						  &w);
	kunmap_local(src);
	if (w.nr)
		privmem_cram_inplace(pm, pfn, &w);
	if (was_charged)
		privmem_cram_check(pm);
}

/**
 * privmem_cram_folio_in() - the device stores a folio that arrived
 * @pm: the node
 * @folio: a folio of the node, its data in place
 *
 * Compresses each page and charges its cost. Nothing on a plain node.
 *
 * Context: any context (migration entries still in place).
 */
void privmem_cram_folio_in(struct privmem_dev *pm, struct folio *folio)
{
	long i;

	if (pm->cram)
		for (i = 0; i < folio_nr_pages(folio); i++)
			privmem_cram_page_in(pm, folio_page(folio, i));
}

/**
 * privmem_cram_folio_out() - the device drops a folio
 * @pm: the node
 * @folio: a folio leaving the node (its data copied, the source intact)
 *	or about to be freed
 *
 * Checks and uncharges each page. Nothing on a plain node.
 *
 * Context: any context.
 */
void privmem_cram_folio_out(struct privmem_dev *pm, struct folio *folio)
{
	long i;

	if (pm->cram)
		for (i = 0; i < folio_nr_pages(folio); i++)
			privmem_cram_page_out(pm, folio_page(folio, i));
}
