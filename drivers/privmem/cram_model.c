// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the model of a compressed node's device, its accounting alone.
 *
 * There is no hardware, so the driver models the device honestly. This
 * file is the arithmetic of that model; it knows nothing of the node,
 * the mm or the driver's devices (kunit tests it without a node:
 * tests/cram_kunit.c). What feeds it and what it signals is elsewhere:
 * cram_data.c charges and uncharges the pages, cram_pressure.c turns the
 * latch into the node's pressure.
 *
 *  - The device has a physical capacity, smaller than the logical size
 *    hot-added (set when the device is created, cram_device.c; changed
 *    online by privmem_cram_model_set_capacity()).
 *  - Every base page that lands on the node costs what lz4 compresses it
 *    to (privmem_cram_page_cost()), or PAGE_SIZE when lz4 does not shrink
 *    the page (a device stores such a page raw). The cost is charged to
 *    the page frame and uncharged when the data leaves. The per-frame
 *    table makes charge and uncharge idempotent, so a folio that is both
 *    migrated out and then freed is uncharged once.
 *  - The physical level, used * 1000 / physical capacity, is what the
 *    device signals, with the thresholds behaving like the device's two
 *    interrupts: when used crosses the high watermark the device latches
 *    maximum pressure (1000), and it stays at the maximum until used
 *    falls below the low watermark, which clears the latch (the level is
 *    the measured one again). Between the interrupts the level is the
 *    measured occupancy (privmem_cram_model_level()).
 *  - The compression ratio reported is (stored pages * PAGE_SIZE) * 1000 /
 *    physical used: exactly the ratio of the data stored now.
 *  - It notices in-place writes. A real device keeps a compressed copy of
 *    each page and cannot see a write that bypasses it, so a page changed
 *    on the node is silently corrupt. The model records a checksum of
 *    each page when it is charged (xxhash, truncated to 32 bits as KSM
 *    does in calc_checksum(): one u32 per frame of the node) and checks it
 *    when the page is uncharged, while its data is still there. A
 *    mismatch is an in-place write: counted here, reported by the caller
 *    (cram_data.c). The check can be turned off (@verify), for measuring
 *    its cost.
 *
 * Locking: the per-frame table is updated with atomic exchanges; the
 * totals are atomics; @lock (irq-safe spinlock, charge and uncharge may
 * run in any context) orders the latch against changes of the capacity.
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
#include <kunit/visibility.h>
#include <linux/lz4.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>
#include "privmem.h"

/**
 * privmem_cram_page_cost() - bytes the device stores for one page
 * @src: the page's data, PAGE_SIZE bytes
 * @scratch: PRIVMEM_CRAM_SCRATCH bytes of work memory
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
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_page_cost);

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
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_page_csum);

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
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_level);

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
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_ratio);

/**
 * privmem_cram_model_init() - set up the accounting of an emulated device
 * @m: the model, zeroed
 * @base_pfn: first page frame of the node's memory
 * @nr_pfns: page frames from @base_pfn to the end of its memory
 * @capacity: physical capacity in bytes
 *
 * The model verifies checksums until @m->verify is cleared.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (nothing to undo then). Undo with
 * privmem_cram_model_destroy().
 */
int privmem_cram_model_init(struct privmem_cram_model *m,
			    unsigned long base_pfn, unsigned long nr_pfns,
			    u64 capacity)
{
	m->cost = vzalloc(array_size(nr_pfns, sizeof(*m->cost)));
	if (!m->cost)
		return -ENOMEM;
	m->csum = kvcalloc(nr_pfns, sizeof(*m->csum), GFP_KERNEL);
	if (!m->csum) {
		vfree(m->cost);
		m->cost = NULL;
		return -ENOMEM;
	}
	spin_lock_init(&m->lock);
	m->base_pfn = base_pfn;
	m->nr_pfns = nr_pfns;
	m->capacity = capacity;
	m->verify = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_init);

/**
 * privmem_cram_model_destroy() - free what privmem_cram_model_init() took
 * @m: the model
 */
void privmem_cram_model_destroy(struct privmem_cram_model *m)
{
	kvfree(m->csum);
	m->csum = NULL;
	vfree(m->cost);
	m->cost = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_destroy);

/**
 * privmem_cram_model_relatch() - the device's interrupts, evaluated now
 * @m: device model
 * @low: low watermark
 * @high: high watermark
 * @level: set to the device's level (privmem_cram_model_level()), or NULL
 * @latched: set to the latch after the evaluation
 *
 * Context: any context.
 * Return: true if the latch changed (an interrupt fired).
 */
bool privmem_cram_model_relatch(struct privmem_cram_model *m,
				unsigned int low, unsigned int high,
				unsigned int *level, bool *latched)
{
	unsigned long flags;
	unsigned int lvl;
	bool was;

	spin_lock_irqsave(&m->lock, flags);
	was = m->latched;
	lvl = privmem_cram_model_level(atomic64_read(&m->used),
				       READ_ONCE(m->capacity), low, high,
				       &m->latched);
	*latched = m->latched;
	spin_unlock_irqrestore(&m->lock, flags);
	if (level)
		*level = lvl;
	return was != *latched;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_relatch);

/**
 * privmem_cram_model_charge() - charge one page frame
 * @m: device model
 * @pfn: page frame that now holds data
 * @cost: bytes the device stores for it, 1..PAGE_SIZE
 * @csum: privmem_cram_page_csum() of its data (ignored unless @m verifies)
 *
 * A frame already charged is recharged with the new cost and checksum.
 *
 * Context: any context.
 * Return: true if the frame was charged; false for a frame outside the
 * device or a zero cost (nothing changed).
 */
bool privmem_cram_model_charge(struct privmem_cram_model *m,
			       unsigned long pfn, unsigned int cost, u32 csum)
{
	unsigned long i = pfn - m->base_pfn;
	int old;

	if (pfn < m->base_pfn || i >= m->nr_pfns || !cost)
		return false;
	/* Published by the (fully ordered) exchange below: see the top. */
	WRITE_ONCE(m->csum[i], csum);
	old = atomic_xchg(&m->cost[i], cost);
	atomic64_add((s64)cost - old, &m->used);
	atomic64_add(cost, &m->charged);
	atomic64_inc(&m->charged_pages);
	if (old)
		atomic64_add(old, &m->uncharged);
	else
		atomic64_inc(&m->stored);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_charge);

/**
 * privmem_cram_model_uncharge() - uncharge one page frame
 * @m: device model
 * @pfn: page frame whose data leaves the device (freed or migrated out)
 * @src: the frame's data, still intact, to check against the checksum
 *	recorded at charge time; NULL to skip the check
 * @w: set to what the check found: @w->nr is 0 unless the frame's data
 *	no longer matches its checksum (it was written in place); then it
 *	is the model's count of in-place writes, this one included, and
 *	@w->want and @w->got are the two checksums
 *
 * Uncharging a frame that holds no charge does nothing.
 *
 * Context: any context.
 * Return: true if the frame was charged (and is not any more).
 */
bool privmem_cram_model_uncharge(struct privmem_cram_model *m,
				 unsigned long pfn, const void *src,
				 struct privmem_cram_inplace *w)
{
	unsigned long i = pfn - m->base_pfn;
	int old;

	w->nr = 0;
	if (pfn < m->base_pfn || i >= m->nr_pfns)
		return false;
	old = atomic_xchg(&m->cost[i], 0);
	if (!old)
		return false;
	if (src && m->verify) {
		w->want = READ_ONCE(m->csum[i]);
		w->got = privmem_cram_page_csum(src);
		if (w->want != w->got)
			w->nr = atomic64_inc_return(&m->inplace_writes);
	}
	atomic64_sub(old, &m->used);
	atomic64_add(old, &m->uncharged);
	atomic64_dec(&m->stored);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_uncharge);

/**
 * privmem_cram_model_stats() - a snapshot of the device's accounting
 * @m: device model
 * @st: filled in
 */
void privmem_cram_model_stats(struct privmem_cram_model *m,
			      struct privmem_cram_stats *st)
{
	st->capacity = READ_ONCE(m->capacity);
	st->used = atomic64_read(&m->used);
	st->stored = atomic64_read(&m->stored);
	st->charged = atomic64_read(&m->charged);
	st->uncharged = atomic64_read(&m->uncharged);
	st->inplace_writes = atomic64_read(&m->inplace_writes);
	st->ratio = privmem_cram_model_ratio(st->stored, st->used);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_stats);

/**
 * privmem_cram_model_set_capacity() - change the physical capacity
 * @m: device model
 * @capacity: the new physical capacity in bytes
 *
 * The caller re-evaluates the latch (privmem_cram_model_relatch()).
 *
 * Return: 0, or -EBUSY below what the device stores now (nothing changed).
 */
int privmem_cram_model_set_capacity(struct privmem_cram_model *m,
				    u64 capacity)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&m->lock, flags);
	if (capacity < (u64)atomic64_read(&m->used))
		ret = -EBUSY;
	else
		WRITE_ONCE(m->capacity, capacity);
	spin_unlock_irqrestore(&m->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_cram_model_set_capacity);
