// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the emulated compressed-memory device behind a compressed node.
 *
 * There is no hardware, so the driver models the device honestly:
 *
 *  - It has a physical capacity, smaller than the logical size hot-added:
 *    the device's physical_size setting when it goes online (bytes),
 *    by default half the logical size; cram/physical_capacity changes it
 *    while the node is online (privmem_cram_set_capacity()).
 *  - Every base page that lands on the node (folio_migrate callback, after
 *    the data was copied) is compressed with the kernel's lz4 to learn
 *    what the device would store. Its cost is the compressed size, or
 *    PAGE_SIZE when lz4 does not shrink the page (a device stores such a
 *    page raw). The cost is charged to the page frame; it is uncharged
 *    when the folio is freed or migrates off the node (promotion, swap-out
 *    by reclaim, hot-remove). The per-frame table makes charge and
 *    uncharge idempotent, so a folio that is both migrated out and then
 *    freed is uncharged once.
 *  - The physical level, used * 1000 / physical capacity, is what the
 *    device signals, with the thresholds behaving like the device's two
 *    interrupts: when used crosses the high watermark the device raises
 *    maximum pressure (1000: the node is blocked at once, so a demotion
 *    batch in flight is refused mid-way), and it stays at the maximum
 *    until used falls below the low watermark, which clears it (the
 *    level is the measured one again). Between the interrupts the level
 *    is the measured occupancy. The "interrupt" itself (waking pollers,
 *    counting the crossing) is a work item, as a threaded IRQ would be.
 *  - The compression ratio reported is (stored pages * PAGE_SIZE) * 1000 /
 *    physical used: exactly the ratio of the data stored now.
 *  - It notices in-place writes. A real device keeps a compressed copy of
 *    each page and cannot see a write that bypasses it, so a page changed
 *    on the node is silently corrupt. The model records a checksum of
 *    each page when it is charged (xxhash, truncated to 32 bits as KSM
 *    does in calc_checksum(): one u32 per frame of the node) and checks it
 *    when the page is uncharged, while its data is still there: when it
 *    migrates off the node (promotion, reclaim, hot-remove; the data is
 *    already copied, the source is intact) and when it is freed (the
 *    callback runs before the page goes back to the buddy allocator). A
 *    mismatch is an in-place write: counted per device
 *    (counters/inplace_writes) and module-wide (the read-only parameter
 *    /sys/module/privmem/parameters/inplace_writes, which outlives the
 *    devices), logged once per device with its PFN (no WARN: it is the
 *    mm core that broke the promise, not the driver), and summed up when
 *    the device goes away. The check costs one xxhash of the page on
 *    each side; the device's checksum setting (read when it goes online,
 *    on by default) turns it off, for measuring that cost.
 *
 * Between the low watermark and the maximum, each pressure tick asks the
 * CRAM service (mm/cram.c) to push kswapd on the node in proportion.
 *
 * Locking: the per-frame table is updated with atomic exchanges; the
 * totals are atomics; @lock (irq-safe spinlock, charge and uncharge may
 * run in any context) orders the latch of the maximum-pressure state.
 * Compression uses a per-CPU buffer with preemption disabled.
 *
 * The checksum of a frame is published by its cost: charge stores the
 * checksum, then sets the cost with atomic_xchg(); uncharge clears the
 * cost with atomic_xchg() and only then reads the checksum (a fully
 * ordered exchange on both sides, so the reader of a non-zero cost sees
 * the checksum stored before it). No lock is needed because one frame
 * holds one page's data at a time and the mm core orders its life: it is
 * charged once its data has arrived (migration entries still in place),
 * and uncharged when the data leaves or before the frame is freed, so a
 * charge and an uncharge of the same frame never overlap. Charge and
 * uncharge of different frames run concurrently, touching different
 * entries. Of two uncharges of one frame (migrated out, then freed) only
 * the one that takes the non-zero cost checks it.
 */
#include <linux/highmem.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include "privmem.h"

/* Per-CPU scratch: lz4 work memory, then the compressed output. */
#define CRAM_SCRATCH	(LZ4_MEM_COMPRESS + LZ4_COMPRESSBOUND(PAGE_SIZE))

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

/**
 * privmem_cram_page_cost() - bytes the device stores for one page
 * @src: the page's data, PAGE_SIZE bytes
 * @scratch: CRAM_SCRATCH bytes of work memory
 *
 * Return: the lz4 (LZ4_compress_default()) size of @src, or PAGE_SIZE if
 * lz4 does not make it smaller (the page is stored raw).
 */
unsigned int privmem_cram_page_cost(const void *src, void *scratch)
{
	char *dst = (char *)scratch + LZ4_MEM_COMPRESS;
	int n;

	n = LZ4_compress_default(src, dst, PAGE_SIZE,
				 LZ4_COMPRESSBOUND(PAGE_SIZE), scratch);
	if (n <= 0 || n >= PAGE_SIZE)
		return PAGE_SIZE;
	return n;
}
EXPORT_SYMBOL_GPL(privmem_cram_page_cost);

/**
 * privmem_cram_page_csum() - the checksum the device keeps for one page
 * @src: the page's data, PAGE_SIZE bytes
 *
 * Context: any context.
 * Return: xxhash() of @src truncated to 32 bits (as KSM's calc_checksum()).
 */
u32 privmem_cram_page_csum(const void *src)
{
	return (u32)xxhash(src, PAGE_SIZE, 0);
}
EXPORT_SYMBOL_GPL(privmem_cram_page_csum);

/**
 * privmem_cram_model_level() - the device's pressure level and latch
 * @used: physical bytes used
 * @capacity: physical capacity in bytes
 * @low: low watermark, 0..1000
 * @high: high watermark, @low < @high <= 1000
 * @latched: in/out: whether the device is at maximum pressure (its high
 *	interrupt fired and the low one has not yet)
 *
 * Return: PRIVMEM_PRESSURE_MAX while latched, else the measured level,
 * used * 1000 / capacity (capped at the maximum).
 */
unsigned int privmem_cram_model_level(u64 used, u64 capacity,
				      unsigned int low, unsigned int high,
				      bool *latched)
{
	unsigned int level = PRIVMEM_PRESSURE_MAX;

	if (capacity)
		level = min_t(u64, div64_u64(used * PRIVMEM_PRESSURE_MAX,
					     capacity), PRIVMEM_PRESSURE_MAX);
	if (!*latched && level >= high)
		*latched = true;
	else if (*latched && level < low)
		*latched = false;
	return *latched ? PRIVMEM_PRESSURE_MAX : level;
}
EXPORT_SYMBOL_GPL(privmem_cram_model_level);

/**
 * privmem_cram_model_ratio() - compression ratio of the stored data
 * @stored: base pages stored
 * @used: physical bytes they take
 *
 * Return: logical bytes * 1000 / physical bytes, 0 when nothing is stored.
 */
unsigned int privmem_cram_model_ratio(u64 stored, u64 used)
{
	if (!used)
		return 0;
	return min_t(u64, div64_u64(stored * PAGE_SIZE * 1000, used), U32_MAX);
}
EXPORT_SYMBOL_GPL(privmem_cram_model_ratio);

/**
 * privmem_cram_alloc() - make the accounting of an emulated device
 * @base_pfn: first page frame of the node's memory
 * @nr_pfns: page frames from @base_pfn to the end of its memory
 * @capacity: physical capacity in bytes
 *
 * Context: process context, may sleep.
 * Return: the device model, or NULL without memory. Free it with
 * privmem_cram_free().
 */
struct privmem_cram *privmem_cram_alloc(unsigned long base_pfn,
					unsigned long nr_pfns, u64 capacity)
{
	struct privmem_cram *c;
	int cpu;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->scratch = alloc_percpu(void *);
	c->cost = vzalloc(array_size(nr_pfns, sizeof(*c->cost)));
	c->csum = kvcalloc(nr_pfns, sizeof(*c->csum), GFP_KERNEL);
	if (!c->scratch || !c->cost || !c->csum)
		goto err;
	for_each_possible_cpu(cpu) {
		void *s = kvmalloc(CRAM_SCRATCH, GFP_KERNEL);

		if (!s)
			goto err;
		*per_cpu_ptr(c->scratch, cpu) = s;
	}
	spin_lock_init(&c->lock);
	c->base_pfn = base_pfn;
	c->nr_pfns = nr_pfns;
	c->capacity = capacity;
	c->verify = true;
	privmem_balloon_init(c);
	return c;
err:
	privmem_cram_free(c);
	return NULL;
}
EXPORT_SYMBOL_GPL(privmem_cram_alloc);

/**
 * privmem_cram_free() - free a device model
 * @c: from privmem_cram_alloc(), may be NULL
 */
void privmem_cram_free(struct privmem_cram *c)
{
	int cpu;

	if (!c)
		return;
	if (c->scratch)
		for_each_possible_cpu(cpu)
			kvfree(*per_cpu_ptr(c->scratch, cpu));
	free_percpu(c->scratch);
	vfree(c->cost);
	kvfree(c->csum);
	kfree(c);
}
EXPORT_SYMBOL_GPL(privmem_cram_free);

/* Raise or clear the maximum as the device's interrupts would. */
static void privmem_cram_check(struct privmem_cram *c)
{
	struct privmem_dev *pm = c->pm;
	bool was, now;
	unsigned long flags;

	if (!pm)
		return;
	spin_lock_irqsave(&c->lock, flags);
	was = c->latched;
	privmem_cram_model_level(atomic64_read(&c->used),
				 READ_ONCE(c->capacity), READ_ONCE(pm->low),
				 READ_ONCE(pm->high), &c->latched);
	now = c->latched;
	spin_unlock_irqrestore(&c->lock, flags);
	if (was == now)
		return;
	/* Block at once, so that a migration batch in flight stops here. */
	if (!READ_ONCE(pm->injected))
		private_node_set_blocked(pm->nid, now);
	schedule_work(&c->irq_work);
}

/**
 * privmem_cram_charge() - charge one page frame
 * @c: device model
 * @pfn: page frame that now holds data
 * @cost: bytes the device stores for it, 1..PAGE_SIZE
 * @csum: privmem_cram_page_csum() of its data (ignored unless @c verifies)
 *
 * A frame already charged is recharged with the new cost and checksum.
 *
 * Context: any context.
 */
void privmem_cram_charge(struct privmem_cram *c, unsigned long pfn,
			 unsigned int cost, u32 csum)
{
	unsigned long i = pfn - c->base_pfn;
	int old;

	if (pfn < c->base_pfn || i >= c->nr_pfns || !cost)
		return;
	/* Published by the (fully ordered) exchange below: see the top. */
	WRITE_ONCE(c->csum[i], csum);
	old = atomic_xchg(&c->cost[i], cost);
	atomic64_add((s64)cost - old, &c->used);
	atomic64_add(cost, &c->charged);
	atomic64_inc(&c->charged_pages);
	if (old)
		atomic64_add(old, &c->uncharged);
	else
		atomic64_inc(&c->stored);
	privmem_cram_check(c);
}
EXPORT_SYMBOL_GPL(privmem_cram_charge);

/* The data of a frame changed while it was stored: count and report it. */
static void privmem_cram_inplace(struct privmem_cram *c, unsigned long pfn,
				 u32 want, u32 got)
{
	struct privmem_dev *pm = c->pm;
	s64 n = atomic64_inc_return(&c->inplace_writes);

	/* A model without a node (the unit tests) keeps it to itself. */
	if (!pm)
		return;
	atomic64_inc(&privmem_inplace_total);
	if (n == 1)
		pr_warn("privmem%d: in-place write: pfn %#lx on compressed node %d changed while stored (checksum %08x, now %08x); later ones are only counted\n",
			pm->id, pfn, pm->nid, want, got);
}

/**
 * privmem_cram_uncharge() - uncharge one page frame
 * @c: device model
 * @pfn: page frame whose data leaves the device (freed or migrated out)
 * @src: the frame's data, still intact, to check against the checksum
 *	recorded at charge time; NULL to skip the check
 *
 * Uncharging a frame that holds no charge does nothing. A frame whose
 * data no longer matches its checksum was written in place: it is
 * counted in the device's inplace_writes (and, for a node, in the
 * module's total) and the first one of a node is logged with its PFN.
 *
 * Context: any context.
 * Return: true if the frame was charged and its data had changed.
 */
bool privmem_cram_uncharge(struct privmem_cram *c, unsigned long pfn,
			   const void *src)
{
	unsigned long i = pfn - c->base_pfn;
	bool changed = false;
	u32 want, got;
	int old;

	if (pfn < c->base_pfn || i >= c->nr_pfns)
		return false;
	old = atomic_xchg(&c->cost[i], 0);
	if (!old)
		return false;
	if (src && c->verify) {
		want = READ_ONCE(c->csum[i]);
		got = privmem_cram_page_csum(src);
		changed = want != got;
		if (changed)
			privmem_cram_inplace(c, pfn, want, got);
	}
	atomic64_sub(old, &c->used);
	atomic64_add(old, &c->uncharged);
	atomic64_dec(&c->stored);
	privmem_cram_check(c);
	return changed;
}
EXPORT_SYMBOL_GPL(privmem_cram_uncharge);

/**
 * privmem_cram_stats() - a snapshot of the device's accounting
 * @c: device model
 * @st: filled in
 */
void privmem_cram_stats(struct privmem_cram *c, struct privmem_cram_stats *st)
{
	st->capacity = READ_ONCE(c->capacity);
	st->used = atomic64_read(&c->used);
	st->stored = atomic64_read(&c->stored);
	st->charged = atomic64_read(&c->charged);
	st->uncharged = atomic64_read(&c->uncharged);
	st->inplace_writes = atomic64_read(&c->inplace_writes);
	st->ratio = privmem_cram_model_ratio(st->stored, st->used);
}
EXPORT_SYMBOL_GPL(privmem_cram_stats);

/* The device compresses each page of a folio that arrived on the node. */
void privmem_cram_folio_in(struct privmem_dev *pm, struct folio *folio)
{
	struct privmem_cram *c = pm->cram;
	long i, nr = folio_nr_pages(folio);

	if (!c)
		return;
	for (i = 0; i < nr; i++) {
		struct page *page = folio_page(folio, i);
		void *src = kmap_local_page(page);
		unsigned int cost;
		u32 csum = 0;

		cost = privmem_cram_page_cost(src, *get_cpu_ptr(c->scratch));
		put_cpu_ptr(c->scratch);
		if (c->verify)
			csum = privmem_cram_page_csum(src);
		kunmap_local(src);
		privmem_cram_charge(c, page_to_pfn(page), cost, csum);
	}
}

/*
 * A folio leaves the node (its data copied, the source intact) or is
 * about to be freed: the device checks and drops its pages.
 */
void privmem_cram_folio_out(struct privmem_dev *pm, struct folio *folio)
{
	struct privmem_cram *c = pm->cram;
	long i, nr = folio_nr_pages(folio);

	if (!c)
		return;
	for (i = 0; i < nr; i++) {
		struct page *page = folio_page(folio, i);
		void *src = kmap_local_page(page);

		privmem_cram_uncharge(c, page_to_pfn(page), src);
		kunmap_local(src);
	}
}

/* Pressure level of a compressed node: the device's, see above. */
unsigned int privmem_cram_level(struct privmem_dev *pm)
{
	struct privmem_cram *c = pm->cram;
	unsigned long flags;
	unsigned int level;
	bool was;

	spin_lock_irqsave(&c->lock, flags);
	was = c->latched;
	level = privmem_cram_model_level(atomic64_read(&c->used),
					 READ_ONCE(c->capacity), pm->low,
					 pm->high, &c->latched);
	spin_unlock_irqrestore(&c->lock, flags);
	if (was != c->latched && !READ_ONCE(pm->injected))
		private_node_set_blocked(pm->nid, !was);
	return level;
}

/* A pressure tick: push kswapd on the node in proportion to pressure. */
void privmem_cram_tick(struct privmem_dev *pm)
{
	unsigned int level, low;

	if (!pm->cram || !pm->cram->registered)
		return;
	spin_lock(&pm->pressure_lock);
	level = pm->level;
	low = pm->low;
	spin_unlock(&pm->pressure_lock);
	cram_set_pressure(&pm->cram->cn, level, low, PRIVMEM_PRESSURE_MAX);
	privmem_balloon_kick(pm);
}

/* The device's threshold interrupt, handled in process context. */
static void privmem_cram_irq(struct work_struct *work)
{
	struct privmem_cram *c = container_of(work, struct privmem_cram,
					      irq_work);

	privmem_pressure_update(c->pm);
	privmem_cram_tick(c->pm);
}

/**
 * privmem_cram_init() - attach an emulated device to a compressed node
 * @pm: the node, with its ranges known but not yet added
 *
 * Return: 0, -EINVAL if the physical_size setting exceeds the node's
 * logical size, or -ENOMEM.
 */
int privmem_cram_init(struct privmem_dev *pm)
{
	u64 lo = U64_MAX, hi = 0, phys = pm->set.physical_size;
	int i;

	for (i = 0; i < pm->nr_ranges; i++) {
		if (!pm->ranges[i].size)
			continue;
		lo = min(lo, pm->ranges[i].start);
		hi = max(hi, pm->ranges[i].start + pm->ranges[i].size);
	}
	if (hi <= lo)
		return -EINVAL;
	if (!phys)
		phys = pm->capacity / 2;
	/* A device cannot hold more than it exposes: that is a setup error. */
	if (phys > pm->capacity) {
		pr_warn("privmem %s: physical size %llu MiB exceeds the logical size %llu MiB\n",
			pm->res_name, phys >> 20, pm->capacity >> 20);
		return -EINVAL;
	}
	pm->cram = privmem_cram_alloc(PHYS_PFN(lo), PHYS_PFN(hi - lo), phys);
	if (!pm->cram)
		return -ENOMEM;
	pm->cram->pm = pm;
	pm->cram->verify = pm->set.checksum;
	INIT_WORK(&pm->cram->irq_work, privmem_cram_irq);
	return 0;
}

/**
 * privmem_cram_start() - register the node with the CRAM service
 * @pm: the compressed node, its memory online
 *
 * Return: 0 or a negative errno from cram_register().
 */
int privmem_cram_start(struct privmem_dev *pm)
{
	int ret = cram_register(&pm->cram->cn, pm->nid);

	if (ret)
		return ret;
	pm->cram->registered = true;
	privmem_balloon_resume(pm);
	return 0;
}

/**
 * privmem_cram_stop() - leave the CRAM service
 * @pm: the compressed node, pressure work stopped
 */
void privmem_cram_stop(struct privmem_dev *pm)
{
	s64 n;

	/* Its pages are not movable: they go back before the memory does. */
	privmem_balloon_stop(pm);
	if (!pm->cram || !pm->cram->registered)
		return;
	/* Its memory is gone: every page that stayed was checked leaving. */
	n = atomic64_read(&pm->cram->inplace_writes);
	if (n)
		pr_warn("privmem%d: node %d goes away with %lld in-place writes detected\n",
			pm->id, pm->nid, n);
	cram_unregister(&pm->cram->cn);
	pm->cram->registered = false;
	cancel_work_sync(&pm->cram->irq_work);
}

/**
 * privmem_cram_destroy() - free the emulated device of a node
 * @pm: the node, being freed
 */
void privmem_cram_destroy(struct privmem_dev *pm)
{
	struct privmem_cram *c = pm->cram;

	if (!c)
		return;
	cancel_work_sync(&c->irq_work);
	privmem_balloon_stop(pm);
	/* Readers of pm->cram outside privmem_enter() hold pm->lock. */
	down_write(&pm->lock);
	pm->cram = NULL;
	up_write(&pm->lock);
	privmem_cram_free(c);
}

/* GET_PRESSURE's physical fields and the counters the device adds. */
void privmem_cram_pressure(struct privmem_dev *pm, struct privmem_pressure *p)
{
	struct privmem_cram_stats st;

	if (!pm->cram)
		return;
	privmem_cram_stats(pm->cram, &st);
	p->physical_capacity = st.capacity;
	p->physical_used = st.used;
	p->compression_ratio = st.ratio;
	p->stored_pages = st.stored;
	p->bytes_charged = st.charged;
	p->bytes_uncharged = st.uncharged;
	p->demotions_refused += atomic64_read(&pm->cram->cn.demotions_refused);
	p->balloon = (u64)privmem_balloon_pages(pm) << PAGE_SHIFT;
	p->ratio_estimate = READ_ONCE(pm->cram->balloon.ratio);
}

/**
 * privmem_cram_set_capacity() - change the physical capacity online
 * @pm: a compressed node
 * @capacity: the new physical capacity in bytes
 *
 * Emulates a device that loses or gains capacity. The pressure latch is
 * re-evaluated at once and the balloon follows in its next step.
 *
 * Return: 0; -EINVAL for 0 or more than the logical size; -EBUSY below
 * what the device stores now (nothing changed).
 */
int privmem_cram_set_capacity(struct privmem_dev *pm, u64 capacity)
{
	struct privmem_cram *c = pm->cram;
	unsigned long flags;

	if (!capacity || capacity > pm->capacity)
		return -EINVAL;
	spin_lock_irqsave(&c->lock, flags);
	if (capacity < (u64)atomic64_read(&c->used)) {
		spin_unlock_irqrestore(&c->lock, flags);
		return -EBUSY;
	}
	WRITE_ONCE(c->capacity, capacity);
	spin_unlock_irqrestore(&c->lock, flags);
	privmem_cram_check(c);
	privmem_balloon_kick(pm);
	return 0;
}

/* /sys/class/privmem/privmemN/cram/ (compressed nodes only) */
#define to_pm(d) container_of(d, struct privmem_dev, dev)

#define CRAM_ATTR(_name, _expr)						\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct privmem_dev *pm = to_pm(dev);				\
	struct privmem_cram_stats st = { 0 };				\
	unsigned long long v;						\
									\
	down_read(&pm->lock);	/* offline frees pm->cram */		\
	if (pm->cram)							\
		privmem_cram_stats(pm->cram, &st);			\
	v = (_expr);							\
	up_read(&pm->lock);						\
	return sysfs_emit(buf, "%llu\n", v);				\
}									\
static struct device_attribute cram_attr_##_name = __ATTR_RO(_name)

CRAM_ATTR(physical_used, st.used);
CRAM_ATTR(stored_pages, st.stored);
CRAM_ATTR(compression_ratio, st.ratio);
CRAM_ATTR(bytes_charged, st.charged);
CRAM_ATTR(bytes_uncharged, st.uncharged);
CRAM_ATTR(checksum, pm->cram && pm->cram->verify);
CRAM_ATTR(reclaim_demotions_refused,
	  pm->cram ? atomic64_read(&pm->cram->cn.demotions_refused) : 0);
CRAM_ATTR(balloon, (u64)privmem_balloon_pages(pm) << PAGE_SHIFT);
CRAM_ATTR(ratio_estimate, pm->cram ? READ_ONCE(pm->cram->balloon.ratio) : 0);
CRAM_ATTR(balloon_inflated,
	  pm->cram ? atomic64_read(&pm->cram->balloon.inflated) : 0);
CRAM_ATTR(balloon_deflated,
	  pm->cram ? atomic64_read(&pm->cram->balloon.deflated) : 0);

static ssize_t physical_capacity_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;

	down_read(&pm->lock);
	v = pm->cram ? READ_ONCE(pm->cram->capacity) : 0;
	up_read(&pm->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t physical_capacity_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;
	int ret;

	ret = privmem_parse_size(buf, &v);
	if (ret)
		return ret;
	ret = privmem_enter(pm);
	if (ret)
		return ret;
	ret = pm->cram ? privmem_cram_set_capacity(pm, v) : -ENODEV;
	privmem_leave(pm);
	return ret ? ret : count;
}

static struct device_attribute cram_attr_physical_capacity =
	__ATTR_RW_MODE(physical_capacity, 0644);

static ssize_t balloon_target_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	s64 t;

	down_read(&pm->lock);
	t = pm->cram ? privmem_balloon_target(pm) : -1;
	up_read(&pm->lock);

	if (t < 0)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%lld\n", t);
}

static ssize_t balloon_target_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct privmem_dev *pm = to_pm(dev);
	s64 t = -1;
	u64 v;
	int ret;

	if (!sysfs_streq(buf, "auto")) {
		ret = privmem_parse_size(buf, &v);
		if (ret)
			return ret;
		if (v > S64_MAX)
			return -EINVAL;
		t = v;
	}
	ret = privmem_enter(pm);
	if (ret)
		return ret;
	ret = pm->cram ? privmem_balloon_set_target(pm, t) : -ENODEV;
	privmem_leave(pm);
	return ret ? ret : count;
}

static struct device_attribute cram_attr_balloon_target =
	__ATTR_RW_MODE(balloon_target, 0644);

static struct attribute *privmem_cram_attrs[] = {
	&cram_attr_physical_capacity.attr,
	&cram_attr_physical_used.attr,
	&cram_attr_stored_pages.attr,
	&cram_attr_compression_ratio.attr,
	&cram_attr_bytes_charged.attr,
	&cram_attr_bytes_uncharged.attr,
	&cram_attr_checksum.attr,
	&cram_attr_reclaim_demotions_refused.attr,
	&cram_attr_balloon.attr,
	&cram_attr_balloon_target.attr,
	&cram_attr_balloon_inflated.attr,
	&cram_attr_balloon_deflated.attr,
	&cram_attr_ratio_estimate.attr,
	NULL,
};

static bool privmem_cram_group_visible(struct kobject *kobj)
{
	return to_pm(kobj_to_dev(kobj))->set.type == PRIVMEM_TYPE_COMPRESSED;
}

DEFINE_SIMPLE_SYSFS_GROUP_VISIBLE(privmem_cram);

const struct attribute_group privmem_cram_group = {
	.name = "cram",
	.attrs = privmem_cram_attrs,
	.is_visible = SYSFS_GROUP_VISIBLE(privmem_cram),
};
