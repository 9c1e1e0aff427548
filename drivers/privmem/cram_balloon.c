// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the balloon of a compressed node.
 *
 * A compressed node is hot-added with its logical size, and the mm core
 * believes every page of it can hold data. The device can only store
 * what fits in its physical capacity at the compression ratio the data
 * actually has. The balloon keeps the node's free pages honest: it takes
 * pages off the node's free lists (allocated on the node, held on a list,
 * never mapped, never on an LRU, so never migrated, never written) while
 * the device could not store them, and gives them back when it could.
 * As the kernel's other balloon drivers do, each page held is marked
 * PageOffline (logically offline: dumps, page walkers and
 * /proc/kpageflags know not to look inside it).
 *
 * The estimate. What the device can still store, in pages, is
 *
 *	storable = (physical capacity - physical used) * ratio / PAGE_SIZE
 *
 * with a conservative ratio: the worse (lower) of the ratio of the data
 * stored now and the ratio of the pages charged recently (since the last
 * balloon step that saw at least PRIVMEM_BALLOON_SAMPLE new pages), never
 * below 1.0 (a device stores a page it cannot compress raw). An empty
 * device has no data to judge by: its estimate is the ratio the node was
 * sized for, logical / physical capacity, and the recent samples are
 * forgotten (the next data may compress differently). A device holding
 * fewer than PRIVMEM_BALLOON_SAMPLE pages counts as empty: a few pages
 * (those still in a per-CPU LRU batch after their user freed them, say)
 * say nothing of the data. The balloon's
 * automatic size is then
 *
 *	want = max(0, free + balloon - storable)
 *
 * so that the free pages the mm core sees never exceed what can be stored.
 * An explicit target (cram/balloon_target, bytes, or "auto") replaces
 * @want while it is set, capped at what is free.
 *
 * In both cases @free counts only the pages above the high watermarks of
 * the node's zones: the balloon never takes a zone below its high
 * watermark. Otherwise the node's own kswapd (a compressed node offers
 * reclaim) would wake up to restore the watermark, swap the node's data
 * out and hand the pages it freed to the balloon, until nothing was left.
 * Those few pages are the "about 0" the node's MemFree falls to when the
 * device is full.
 *
 * Hysteresis: the balloon moves only when @want differs from its size by
 * more than PRIVMEM_BALLOON_SLACK pages (an explicit target is followed
 * exactly), so pages that come and go at the edge do not make it inflate
 * and deflate on every tick.
 *
 * It moves from a work item, queued by every pressure tick (a quarter of
 * a second), by the device's threshold interrupt and by a change of the
 * physical capacity or of the target; never in the fault or free paths.
 * Inflating allocates order-0 folios on the node as its owner
 * (private_node_alloc_folio()) without reclaim, without waking kswapd and
 * without warnings: when the node has no free page left it stops.
 * Deflating frees them; the node's folio_free callback sees a page that
 * was never charged to the device and does nothing.
 *
 * Removal: the memory cannot go offline while the balloon holds pages of
 * it (they are not movable), so unbind first pauses the balloon, which
 * gives every page back, and resumes it if the removal failed.
 *
 * Locking: @lock (mutex) protects the page list, the paused flag, the
 * target and the ratio samples; @nr is written under it and read without
 * it (READ_ONCE) by the counters. The work item takes @lock; pause and
 * stop take it too, so no step runs while they release the pages.
 */
#include <kunit/visibility.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include "privmem.h"

/* Pages of hysteresis around the automatic size (1 MiB of 4K pages). */
#define PRIVMEM_BALLOON_SLACK	256
/* New pages charged before the recent ratio is sampled again. */
#define PRIVMEM_BALLOON_SAMPLE	64

/*
 * The owner's allocation on its own node: no reclaim and no kswapd (the
 * balloon takes free pages, it does not make them), no reserves, no
 * warning when the node runs out.
 */
#define PRIVMEM_BALLOON_GFP \
	((GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | \
	 __GFP_NOMEMALLOC)

/**
 * privmem_balloon_estimate() - the ratio the balloon assumes
 * @stored_ratio: ratio of the data stored now (x1000), 0 when none
 * @recent_ratio: ratio of the pages charged recently (x1000), 0 if unknown
 * @nominal: logical / physical capacity (x1000), used when both are 0
 *
 * Return: the lower of the known ratios, or @nominal; at least 1000.
 */
unsigned int privmem_balloon_estimate(unsigned int stored_ratio,
				      unsigned int recent_ratio,
				      unsigned int nominal)
{
	unsigned int r = nominal;

	if (stored_ratio && recent_ratio)
		r = min(stored_ratio, recent_ratio);
	else if (stored_ratio || recent_ratio)
		r = stored_ratio ? stored_ratio : recent_ratio;
	return max(r, 1000U);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_balloon_estimate);

/**
 * privmem_balloon_want() - the automatic size of the balloon
 * @free: pages free on the node now
 * @held: pages the balloon holds now
 * @phys_free: physical bytes the device has left
 * @ratio: estimated compression ratio (x1000, at least 1000)
 *
 * Return: pages the balloon should hold so that the free pages do not
 * exceed what the device can store, at most @free + @held.
 */
unsigned long privmem_balloon_want(unsigned long free, unsigned long held,
				   u64 phys_free, unsigned int ratio)
{
	u64 storable = div64_u64(phys_free * ratio, 1000ULL * PAGE_SIZE);
	u64 avail = (u64)free + held;

	return avail > storable ? avail - storable : 0;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_balloon_want);

/*
 * Free pages of the node above the high watermarks of its zones. A push
 * of the CRAM service (cram_set_pressure() raises the high watermark by
 * what kswapd must free) is left out: it is the pages reclaim is to free,
 * not a reserve, and counting it would have the balloon hand kswapd the
 * pages it was pushed to free from the device.
 */
static unsigned long privmem_balloon_free(struct privmem_cram *c)
{
	pg_data_t *pgdat = NODE_DATA(c->pm->nid);
	unsigned long free = 0, high = 0, wm, push;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		free += zone_page_state_snapshot(zone, NR_FREE_PAGES);
		wm = high_wmark_pages(zone);
		push = READ_ONCE(c->cn.pushed[z]);
		high += wm > push ? wm - push : 0;
	}
	return free > high ? free - high : 0;
}

/* Sample the ratio of what was charged since the last sample. */
static void privmem_balloon_sample(struct privmem_cram *c)
{
	struct privmem_balloon *b = &c->balloon;
	u64 pages = atomic64_read(&c->model.charged_pages);
	u64 bytes = atomic64_read(&c->model.charged);
	u64 dp = pages - b->last_pages, db = bytes - b->last_bytes;

	if (atomic64_read(&c->model.stored) < PRIVMEM_BALLOON_SAMPLE) {
		b->recent_ratio = 0;
		b->last_pages = pages;
		b->last_bytes = bytes;
		return;
	}
	if (dp < PRIVMEM_BALLOON_SAMPLE || !db)
		return;
	b->recent_ratio = min_t(u64, div64_u64(dp * PAGE_SIZE * 1000, db),
				U32_MAX);
	b->last_pages = pages;
	b->last_bytes = bytes;
}

static unsigned int privmem_balloon_nominal(struct privmem_cram *c)
{
	u64 phys = READ_ONCE(c->model.capacity);

	if (!phys)
		return 1000;
	return min_t(u64, div64_u64(c->pm->capacity * 1000, phys), U32_MAX);
}

static void privmem_balloon_inflate(struct privmem_cram *c, unsigned long n)
{
	struct privmem_balloon *b = &c->balloon;
	struct folio *folio;

	while (n--) {
		folio = private_node_alloc_folio(&c->pm->np, PRIVMEM_BALLOON_GFP,
						 0);
		if (!folio)
			break;
		__folio_set_offline(folio);
		list_add(&folio->lru, &b->pages);
		WRITE_ONCE(b->nr, b->nr + 1);
		atomic64_inc(&b->inflated);
		if (!(b->nr % 64))
			cond_resched();
	}
}

static void privmem_balloon_deflate(struct privmem_balloon *b, unsigned long n)
{
	struct folio *folio;

	while (n-- && !list_empty(&b->pages)) {
		folio = list_first_entry(&b->pages, struct folio, lru);
		list_del(&folio->lru);
		__folio_clear_offline(folio);
		folio_put(folio);
		WRITE_ONCE(b->nr, b->nr - 1);
		atomic64_inc(&b->deflated);
		if (!(b->nr % 64))
			cond_resched();
	}
}

/* One step towards the target: the work item's body, under @lock. */
static void privmem_balloon_step(struct privmem_cram *c)
{
	struct privmem_balloon *b = &c->balloon;
	unsigned long free = privmem_balloon_free(c);
	struct privmem_cram_stats st;
	unsigned long want;
	u64 phys_free;

	lockdep_assert_held(&b->lock);
	privmem_balloon_sample(c);
	privmem_cram_model_stats(&c->model, &st);
	/* Fewer than a sample's pages say nothing of the data: empty. */
	b->ratio = privmem_balloon_estimate(st.stored < PRIVMEM_BALLOON_SAMPLE ?
					    0 : st.ratio, b->recent_ratio,
					    privmem_balloon_nominal(c));
	if (b->target >= 0) {
		want = min_t(u64, b->target, (u64)free + b->nr);
	} else {
		phys_free = st.capacity > st.used ? st.capacity - st.used : 0;
		want = privmem_balloon_want(free, b->nr, phys_free, b->ratio);
		if (want <= b->nr + PRIVMEM_BALLOON_SLACK &&
		    want + PRIVMEM_BALLOON_SLACK >= b->nr)
			return;
	}
	if (want > b->nr)
		privmem_balloon_inflate(c, want - b->nr);
	else if (want < b->nr)
		privmem_balloon_deflate(b, b->nr - want);
}

static void privmem_balloon_work(struct work_struct *work)
{
	struct privmem_balloon *b = container_of(work, struct privmem_balloon,
						 work);
	struct privmem_cram *c = container_of(b, struct privmem_cram, balloon);

	mutex_lock(&b->lock);
	if (!b->paused)
		privmem_balloon_step(c);
	mutex_unlock(&b->lock);
}

/**
 * privmem_balloon_init() - set up the balloon of a device
 * @c: the device, being created (privmem_cram_create())
 *
 * The balloon starts paused; privmem_balloon_resume() lets it move.
 * Undo with privmem_balloon_stop().
 */
void privmem_balloon_init(struct privmem_cram *c)
{
	struct privmem_balloon *b = &c->balloon;

	mutex_init(&b->lock);
	INIT_LIST_HEAD(&b->pages);
	INIT_WORK(&b->work, privmem_balloon_work);
	b->target = -1;
	b->paused = true;
}

/**
 * privmem_balloon_kick() - queue a balloon step
 * @pm: a compressed node
 *
 * Context: any context.
 */
void privmem_balloon_kick(struct privmem_dev *pm)
{
	if (pm->cram && !READ_ONCE(pm->cram->balloon.paused))
		queue_work(system_unbound_wq, &pm->cram->balloon.work);
}

/* Give every page back and stop: no step moves it until it is resumed. */
static void privmem_balloon_park(struct privmem_balloon *b)
{
	mutex_lock(&b->lock);
	WRITE_ONCE(b->paused, true);
	privmem_balloon_deflate(b, b->nr);
	mutex_unlock(&b->lock);
}

/**
 * privmem_balloon_pause() - give every page back and stop moving
 * @pm: a compressed node
 *
 * Context: process context; the node's memory is about to be removed.
 */
void privmem_balloon_pause(struct privmem_dev *pm)
{
	if (pm->cram)
		privmem_balloon_park(&pm->cram->balloon);
}

/**
 * privmem_balloon_resume() - let the balloon move again
 * @pm: a compressed node with its memory online
 */
void privmem_balloon_resume(struct privmem_dev *pm)
{
	if (!pm->cram)
		return;
	mutex_lock(&pm->cram->balloon.lock);
	WRITE_ONCE(pm->cram->balloon.paused, false);
	mutex_unlock(&pm->cram->balloon.lock);
	privmem_balloon_kick(pm);
}

/**
 * privmem_balloon_stop() - release the balloon for good
 * @c: the device
 *
 * Gives every page back, pauses the balloon and waits for a step in
 * flight.
 */
void privmem_balloon_stop(struct privmem_cram *c)
{
	privmem_balloon_park(&c->balloon);
	cancel_work_sync(&c->balloon.work);
}

/**
 * privmem_balloon_set_target() - set or clear the explicit target
 * @pm: a compressed node
 * @bytes: the target in bytes, or -1 for the automatic size
 *
 * Return: 0, or -EINVAL if @bytes exceeds the node's logical capacity.
 */
int privmem_balloon_set_target(struct privmem_dev *pm, s64 bytes)
{
	struct privmem_balloon *b = &pm->cram->balloon;

	if (bytes > (s64)pm->capacity)
		return -EINVAL;
	mutex_lock(&b->lock);
	b->target = bytes < 0 ? -1 : bytes >> PAGE_SHIFT;
	mutex_unlock(&b->lock);
	privmem_balloon_kick(pm);
	return 0;
}

/**
 * privmem_balloon_target() - the explicit target
 * @pm: a compressed node
 *
 * Return: the target in bytes, or -1 when the size is automatic.
 */
s64 privmem_balloon_target(struct privmem_dev *pm)
{
	s64 t = READ_ONCE(pm->cram->balloon.target);

	return t < 0 ? -1 : t << PAGE_SHIFT;
}

/**
 * privmem_balloon_pages() - pages the balloon holds
 * @pm: any node
 *
 * Return: the pages held, 0 for a plain node.
 */
unsigned long privmem_balloon_pages(struct privmem_dev *pm)
{
	return pm->cram ? READ_ONCE(pm->cram->balloon.nr) : 0;
}
