// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the pressure of a compressed node, as its device signals it.
 *
 * The node's level is the device's (privmem_cram_level(), read by
 * pressure.c): the physical occupancy, or the maximum while the device's
 * latch is set (cram_model.c). Whenever a charge, an uncharge or a change
 * of capacity flips the latch, the device's threshold "interrupt" fires
 * (privmem_cram_check()): the node is blocked or unblocked at once, so a
 * demotion batch in flight is refused mid-way, and a work item, as a
 * threaded IRQ would be, updates the pressure state (events, pollers)
 * and ticks.
 *
 * Each tick (the pressure work's, pressure.c, and the interrupt's) asks
 * the CRAM service (mm/cram.c) to push kswapd on the node in proportion
 * to the level between the low watermark and the maximum, and queues a
 * balloon step (cram_balloon.c).
 */
#include <linux/workqueue.h>
#include "privmem.h"

/**
 * privmem_cram_check() - raise or clear the maximum as the device would
 * @pm: a compressed node
 *
 * Context: any context.
 */
void privmem_cram_check(struct privmem_dev *pm)
{
	struct privmem_cram *c = pm->cram;
	bool latched;

	if (!privmem_cram_model_relatch(&c->model, READ_ONCE(pm->low),
					READ_ONCE(pm->high), NULL, &latched))
		return;
	/* Block at once, so that a migration batch in flight stops here. */
	privmem_pressure_latch(pm, latched);
	schedule_work(&c->irq_work);
}

/**
 * privmem_cram_level() - the pressure level of a compressed node
 * @pm: a compressed node
 *
 * Return: the device's level (see the top of cram_model.c).
 */
unsigned int privmem_cram_level(struct privmem_dev *pm)
{
	unsigned int level;
	bool latched;

	if (privmem_cram_model_relatch(&pm->cram->model, READ_ONCE(pm->low),
				       READ_ONCE(pm->high), &level, &latched))
		privmem_pressure_latch(pm, latched);
	return level;
}

/**
 * privmem_cram_tick() - push kswapd on the node in proportion to pressure
 * @pm: any node (nothing on a plain one or an unregistered device)
 */
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

/**
 * privmem_cram_irq() - the device's threshold interrupt
 * @work: the device's @irq_work
 *
 * Context: process context (a work item).
 */
void privmem_cram_irq(struct work_struct *work)
{
	struct privmem_cram *c = container_of(work, struct privmem_cram,
					      irq_work);

	privmem_pressure_update(c->pm);
	privmem_cram_tick(c->pm);
}

/**
 * privmem_cram_pressure() - GET_PRESSURE's fields of the device
 * @pm: any node (nothing on a plain one)
 * @p: the physical fields and the counters the device adds are filled in
 */
void privmem_cram_pressure(struct privmem_dev *pm, struct privmem_pressure *p)
{
	struct privmem_cram_stats st;

	if (!pm->cram)
		return;
	privmem_cram_model_stats(&pm->cram->model, &st);
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
