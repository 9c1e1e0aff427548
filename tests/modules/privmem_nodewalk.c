// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_nodewalk: classify every page of a NUMA node, for the isolation
 * tests (tests/user/privmem_isolation_test.c).
 *
 * Write a node id to /sys/kernel/debug/privmem_nodewalk/walk, then read it:
 * one line "node N spanned S free F anon A file P slab B pagetable T
 * reserved R other O offline L" in base pages. Every online PFN of the node is
 * counted exactly once:
 *
 *   free       in the buddy allocator or on a per-CPU list (refcount 0)
 *   anon       anonymous folios (what a /dev/privmemN mapping or
 *              PRIVMEM_IOC_MIGRATE puts on a private node)
 *   file       page cache, tmpfs and shmem folios
 *   slab       slab pages
 *   pagetable  page-table pages
 *   reserved   PageReserved, or the node's own struct pages where its
 *              memory was hot-added with memmap_on_memory (no
 *              allocation: nodewalk_self_hosted_memmap())
 *   offline    PageOffline: logically offline, held by a balloon (a
 *              compressed node's, drivers/privmem/cram_balloon.c)
 *   other      any other allocated page (kernel allocations)
 *
 * Locking: the walk holds no lock on the node. An allocated folio is
 * examined only after folio_try_get() succeeds and the page is still part
 * of it, so a page freed or split under the walk is never dereferenced as
 * a folio it no longer is; the counts are a snapshot that concurrent
 * allocations can make slightly stale. The node must not be hot-removed
 * during a walk (the test keeps it bound). walk_lock serialises walkers.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page-flags.h>
#include <linux/seq_file.h>

struct nodewalk_counts {
	unsigned long spanned, free, anon, file, slab, pagetable, reserved;
	unsigned long other, offline;
};

static DEFINE_MUTEX(walk_lock);
static int walk_nid = NUMA_NO_NODE;
static struct dentry *walk_dir;

/* Count the allocated folio that starts the walk at @page; pages it spans. */
static unsigned long nodewalk_folio(struct page *page,
				    struct nodewalk_counts *c)
{
	struct folio *folio = page_folio(page);
	unsigned long nr;

	if (!folio_try_get(folio))
		return 1;	/* freed meanwhile: count it free */
	if (page_folio(page) != folio) {
		folio_put(folio);
		c->other++;
		return 1;
	}
	/* Count from this page to the end of the folio, once. */
	nr = folio_nr_pages(folio) - folio_page_idx(folio, page);
	if (folio_test_slab(folio))
		c->slab += nr;
	else if (PageTable(page))
		c->pagetable += nr;
	else if (folio_test_anon(folio))
		c->anon += nr;
	else if (folio->mapping)
		c->file += nr;
	else if (PageReserved(page))
		c->reserved += nr;
	else
		c->other += nr;
	folio_put(folio);
	return nr;
}

/*
 * A page of the memmap that memory hot-add put at the start of the
 * memory block (memmap_on_memory). Its flag shares a bit with
 * PG_swapcache, so the page must also be where that memmap lives and be
 * neither on an LRU nor mapped: a folio there is not one.
 */
static bool nodewalk_self_hosted_memmap(struct page *page, unsigned long pfn)
{
	unsigned long block = memory_block_size_bytes() >> PAGE_SHIFT;
	unsigned long memmap = PHYS_PFN(block * sizeof(struct page));

	return PageVmemmapSelfHosted(page) && !PageLRU(page) &&
	       !READ_ONCE(page->mapping) && pfn % block < memmap;
}

static void nodewalk(int nid, struct nodewalk_counts *c)
{
	unsigned long pfn, end, order, nr;
	struct page *page;

	memset(c, 0, sizeof(*c));
	pfn = node_start_pfn(nid);
	end = node_end_pfn(nid);
	while (pfn < end) {
		page = pfn_to_online_page(pfn);
		if (!page || page_to_nid(page) != nid) {
			pfn++;
			continue;
		}
		c->spanned++;
		if (PageBuddy(page)) {
			/* Racy read of the order: bounded, and only a skip. */
			order = READ_ONCE(page->private);
			nr = order <= MAX_PAGE_ORDER ? 1UL << order : 1;
			nr = min(nr, end - pfn);
			c->free += nr;
			c->spanned += nr - 1;
			pfn += nr;
			cond_resched();
			continue;
		}
		if (!page_ref_count(page)) {
			c->free++;
			pfn++;
			continue;
		}
		if ((PageReserved(page) && !PageCompound(page)) ||
		    nodewalk_self_hosted_memmap(page, pfn)) {
			c->reserved++;
			pfn++;
			continue;
		}
		/* A page type: a racy read of one word, never a folio. */
		if (PageOffline(page)) {
			c->offline++;
			pfn++;
			continue;
		}
		nr = nodewalk_folio(page, c);
		nr = clamp(nr, 1UL, end - pfn);
		c->spanned += nr - 1;
		pfn += nr;
		if (!(pfn & 1023))
			cond_resched();
	}
}

static int walk_show(struct seq_file *m, void *v)
{
	struct nodewalk_counts c;
	int nid;

	mutex_lock(&walk_lock);
	nid = walk_nid;
	if (nid == NUMA_NO_NODE) {
		mutex_unlock(&walk_lock);
		return -ENODATA;
	}
	nodewalk(nid, &c);
	mutex_unlock(&walk_lock);
	seq_printf(m, "node %d spanned %lu free %lu anon %lu file %lu slab %lu pagetable %lu reserved %lu other %lu offline %lu\n",
		   nid, c.spanned, c.free, c.anon, c.file, c.slab, c.pagetable,
		   c.reserved, c.other, c.offline);
	return 0;
}

static int walk_open(struct inode *inode, struct file *file)
{
	return single_open(file, walk_show, NULL);
}

static ssize_t walk_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	int nid, ret;

	ret = kstrtoint_from_user(buf, len, 10, &nid);
	if (ret)
		return ret;
	if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
		return -EINVAL;
	mutex_lock(&walk_lock);
	walk_nid = nid;
	mutex_unlock(&walk_lock);
	return len;
}

static const struct file_operations walk_fops = {
	.owner = THIS_MODULE,
	.open = walk_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = walk_write,
};

static int __init nodewalk_init(void)
{
	walk_dir = debugfs_create_dir("privmem_nodewalk", NULL);
	if (IS_ERR(walk_dir))
		return PTR_ERR(walk_dir);
	debugfs_create_file("walk", 0600, walk_dir, NULL, &walk_fops);
	return 0;
}

static void __exit nodewalk_exit(void)
{
	debugfs_remove_recursive(walk_dir);
}

module_init(nodewalk_init);
module_exit(nodewalk_exit);
MODULE_DESCRIPTION("privmem tests: classify every page of a NUMA node");
MODULE_LICENSE("GPL");
