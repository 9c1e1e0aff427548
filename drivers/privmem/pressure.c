// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the node's pressure level, its watermarks and the events a
 * poller sees.
 *
 * The level runs 0..1000, as a device would signal it. Unless a level was
 * injected (PRIVMEM_IOC_INJECT_PRESSURE, for emulation and tests) it is
 * the logical occupancy of the node, used * 1000 / capacity, sampled by a
 * periodic work and on every query. The low and high watermarks split the
 * range into three states (normal, elevated, high); every change of state
 * is a crossing: it counts an event and wakes pollers with POLLPRI (and
 * sysfs pollers of pressure/level). The state the level is in is the
 * node's pressure band (@band: PRIVMEM_STATE_*, reported as "state").
 *
 * At the maximum level the node is blocked: it refuses demotion and
 * migration in until the level drops. privmem_set_blocked() is the one
 * place that tells the mm core; it is called when the level reaches or
 * leaves the maximum (privmem_pressure_commit()) and, ahead of that, the
 * moment a compressed node's device latches or clears its maximum
 * (privmem_pressure_latch(), from cram_pressure.c).
 *
 * Locking: @pressure_lock (spinlock, no sleeping under it) protects
 * level, low, high, band, injected, blocked and events.
 */
#include <linux/sysfs.h>
#include <linux/wait.h>
#include <linux/poll.h>
#include "privmem.h"

#define PRIVMEM_PRESSURE_PERIOD	(HZ / 4)

/* The pressure band (PRIVMEM_STATE_*) a level falls in. */
static unsigned int privmem_pressure_band(unsigned int level,
					  unsigned int low, unsigned int high)
{
	if (level >= high)
		return PRIVMEM_STATE_HIGH;
	if (level >= low)
		return PRIVMEM_STATE_ELEVATED;
	return PRIVMEM_STATE_NORMAL;
}

static unsigned int privmem_measured_level(struct privmem_dev *pm)
{
	u64 used;

	/* A compressed node's level is its device's (cram_pressure.c). */
	if (pm->cram)
		return privmem_cram_level(pm);
	used = privmem_used_bytes(pm);
	if (!pm->capacity)
		return 0;
	return min_t(u64, div64_u64(used * PRIVMEM_PRESSURE_MAX, pm->capacity),
		     PRIVMEM_PRESSURE_MAX);
}

/* The only caller of private_node_set_blocked(). */
static void privmem_set_blocked(struct privmem_dev *pm, bool blocked)
{
	private_node_set_blocked(pm->nid, blocked);
}

/**
 * privmem_pressure_latch() - a device raised or cleared maximum pressure
 * @pm: a compressed node
 * @latched: the device is at maximum pressure
 *
 * Blocks or unblocks the node at once, before its level is next updated,
 * unless a level is injected: the injected level decides then.
 *
 * Context: any context.
 */
void privmem_pressure_latch(struct privmem_dev *pm, bool latched)
{
	if (!READ_ONCE(pm->injected))
		privmem_set_blocked(pm, latched);
}

/* Re-evaluate the state after a change of level or watermarks. */
static void privmem_pressure_commit(struct privmem_dev *pm)
{
	bool crossed, blocked, block_changed;
	unsigned int band;

	spin_lock(&pm->pressure_lock);
	band = privmem_pressure_band(pm->level, pm->low, pm->high);
	crossed = band != pm->band;
	if (crossed) {
		pm->band = band;
		pm->events++;
	}
	blocked = pm->level >= PRIVMEM_PRESSURE_MAX;
	block_changed = blocked != pm->blocked;
	pm->blocked = blocked;
	spin_unlock(&pm->pressure_lock);

	if (block_changed)
		privmem_set_blocked(pm, blocked);
	if (crossed) {
		wake_up_interruptible_poll(&pm->waitq, EPOLLPRI);
		if (pm->cdev_added)
			sysfs_notify(&pm->dev.kobj, "pressure", "level");
	}
}

void privmem_pressure_update(struct privmem_dev *pm)
{
	unsigned int level = privmem_measured_level(pm);

	spin_lock(&pm->pressure_lock);
	if (!pm->injected)
		pm->level = level;
	spin_unlock(&pm->pressure_lock);
	privmem_pressure_commit(pm);
}

static void privmem_pressure_work(struct work_struct *work)
{
	struct privmem_dev *pm = container_of(to_delayed_work(work),
					      struct privmem_dev,
					      pressure_work);

	privmem_pressure_update(pm);
	privmem_cram_tick(pm);
	schedule_delayed_work(&pm->pressure_work, PRIVMEM_PRESSURE_PERIOD);
}

void privmem_pressure_init(struct privmem_dev *pm)
{
	spin_lock_init(&pm->pressure_lock);
	init_waitqueue_head(&pm->waitq);
	pm->low = PRIVMEM_PRESSURE_LOW_DEFAULT;
	pm->high = PRIVMEM_PRESSURE_HIGH_DEFAULT;
	pm->band = PRIVMEM_STATE_NORMAL;
	INIT_DELAYED_WORK(&pm->pressure_work, privmem_pressure_work);
}

/* A node that comes online starts from its measured level, not blocked. */
void privmem_pressure_start(struct privmem_dev *pm)
{
	spin_lock(&pm->pressure_lock);
	pm->injected = false;
	pm->blocked = false;
	spin_unlock(&pm->pressure_lock);
	privmem_pressure_update(pm);
	schedule_delayed_work(&pm->pressure_work, PRIVMEM_PRESSURE_PERIOD);
}

void privmem_pressure_stop(struct privmem_dev *pm)
{
	cancel_delayed_work_sync(&pm->pressure_work);
}

int privmem_set_watermarks(struct privmem_dev *pm, unsigned int low,
			   unsigned int high)
{
	if (low >= high || high > PRIVMEM_PRESSURE_MAX)
		return -EINVAL;
	spin_lock(&pm->pressure_lock);
	pm->low = low;
	pm->high = high;
	spin_unlock(&pm->pressure_lock);
	privmem_pressure_commit(pm);
	return 0;
}

void privmem_inject(struct privmem_dev *pm, bool clear, unsigned int level)
{
	if (clear) {
		spin_lock(&pm->pressure_lock);
		pm->injected = false;
		spin_unlock(&pm->pressure_lock);
		privmem_pressure_update(pm);
		return;
	}
	spin_lock(&pm->pressure_lock);
	pm->injected = true;
	pm->level = level;
	spin_unlock(&pm->pressure_lock);
	privmem_pressure_commit(pm);
}

void privmem_pressure_snapshot(struct privmem_dev *pm,
			       struct privmem_pressure *p)
{
	spin_lock(&pm->pressure_lock);
	p->level = pm->level;
	p->low = pm->low;
	p->high = pm->high;
	p->state = pm->band;
	p->events = pm->events;
	if (pm->injected)
		p->flags |= PRIVMEM_PRESSURE_INJECTED;
	if (pm->blocked)
		p->flags |= PRIVMEM_PRESSURE_BLOCKED;
	spin_unlock(&pm->pressure_lock);
}

u64 privmem_events(struct privmem_dev *pm)
{
	u64 events;

	spin_lock(&pm->pressure_lock);
	events = pm->events;
	spin_unlock(&pm->pressure_lock);
	return events;
}
