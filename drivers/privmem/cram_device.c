// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the life of a compressed node's emulated device.
 *
 * The device is created when the node goes online (state.c) and destroyed
 * when it goes offline; in between it is started (registered with the
 * CRAM service, mm/cram.c) once the node's memory is there and stopped
 * once the memory is gone. What it is made of: the model's accounting
 * (cram_model.c), a per-CPU lz4 buffer for its data path (cram_data.c),
 * its threshold interrupt (cram_pressure.c) and its balloon
 * (cram_balloon.c).
 *
 * Its physical capacity is the node's physical_size setting when it goes
 * online (bytes), by default half the logical size; cram/physical_capacity
 * changes it while the node is online (privmem_cram_set_capacity()).
 *
 * Setup and teardown mirror each other row by row; teardown runs its
 * column from the bottom up:
 *
 *	privmem_cram_create()		privmem_cram_destroy()
 *	  kzalloc()			  kfree()
 *	  privmem_cram_model_init()	  privmem_cram_model_destroy()
 *	  privmem_cram_scratch_alloc()	  privmem_cram_scratch_free()
 *	  privmem_balloon_init()	  privmem_balloon_stop()
 *	  pm->cram = c			  pm->cram = NULL
 *	  INIT_WORK(irq_work)		  cancel_work_sync(irq_work)
 *
 *	privmem_cram_start()		privmem_cram_stop()
 *	  cram_register()		  cram_unregister()
 *	  registered = true		  registered = false
 *	  privmem_balloon_resume()	  privmem_balloon_stop()
 *
 * The interrupt's work reads pm->cram: it is set up once the device is
 * published and waited for before it is withdrawn. privmem_cram_stop()
 * waits for it too: pages leaving with the memory may fire it.
 */
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "privmem.h"

/* Per-CPU scratch: lz4 work memory, then the compressed output. */
#define CRAM_SCRATCH	(LZ4_MEM_COMPRESS + LZ4_COMPRESSBOUND(PAGE_SIZE))

static void privmem_cram_scratch_free(struct privmem_cram *c)
{
	int cpu;

	if (!c->scratch)
		return;
	for_each_possible_cpu(cpu)
		kvfree(*per_cpu_ptr(c->scratch, cpu));
	free_percpu(c->scratch);
	c->scratch = NULL;
}

static int privmem_cram_scratch_alloc(struct privmem_cram *c)
{
	int cpu;

	c->scratch = alloc_percpu(void *);
	if (!c->scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		void *s = kvmalloc(CRAM_SCRATCH, GFP_KERNEL);

		if (!s) {
			privmem_cram_scratch_free(c);
			return -ENOMEM;
		}
		*per_cpu_ptr(c->scratch, cpu) = s;
	}
	return 0;
}

/**
 * privmem_cram_create() - attach an emulated device to a compressed node
 * @pm: the node, with its ranges known but not yet added
 *
 * Return: 0, -EINVAL if the physical_size setting exceeds the node's
 * logical size, or -ENOMEM.
 */
int privmem_cram_create(struct privmem_dev *pm)
{
	u64 lo = U64_MAX, hi = 0, phys = pm->set.physical_size;
	struct privmem_cram *c;
	int i, ret;

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

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	ret = privmem_cram_model_init(&c->model, PHYS_PFN(lo),
				      PHYS_PFN(hi - lo), phys);
	if (ret)
		goto err_free;
	ret = privmem_cram_scratch_alloc(c);
	if (ret)
		goto err_model;
	c->model.verify = pm->set.checksum;
	c->pm = pm;
	privmem_balloon_init(c);
	/* Readers of pm->cram outside privmem_enter() hold pm->lock. */
	down_write(&pm->lock);
	pm->cram = c;
	up_write(&pm->lock);
	INIT_WORK(&c->irq_work, privmem_cram_irq);
	return 0;

err_model:
	privmem_cram_model_destroy(&c->model);
err_free:
	kfree(c);
	return ret;
}

/**
 * privmem_cram_destroy() - free the emulated device of a node
 * @pm: the node (nothing if it has no device)
 */
void privmem_cram_destroy(struct privmem_dev *pm)
{
	struct privmem_cram *c = pm->cram;

	if (!c)
		return;
	cancel_work_sync(&c->irq_work);
	down_write(&pm->lock);
	pm->cram = NULL;
	up_write(&pm->lock);
	privmem_balloon_stop(c);
	privmem_cram_scratch_free(c);
	privmem_cram_model_destroy(&c->model);
	kfree(c);
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
 * @pm: the node (nothing if it has no device), pressure work stopped
 */
void privmem_cram_stop(struct privmem_dev *pm)
{
	struct privmem_cram *c = pm->cram;
	s64 n;

	if (!c)
		return;
	/* Its pages are not movable: they go back before the memory does. */
	privmem_balloon_stop(c);
	if (!c->registered)
		return;
	/* Its memory is gone: every page that stayed was checked leaving. */
	n = atomic64_read(&c->model.inplace_writes);
	if (n)
		pr_warn("privmem%d: node %d goes away with %lld in-place writes detected\n",
			pm->id, pm->nid, n);
	c->registered = false;
	cram_unregister(&c->cn);
	cancel_work_sync(&c->irq_work);
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
	int ret;

	if (!capacity || capacity > pm->capacity)
		return -EINVAL;
	ret = privmem_cram_model_set_capacity(&pm->cram->model, capacity);
	if (ret)
		return ret;
	privmem_cram_check(pm);
	privmem_balloon_kick(pm);
	return 0;
}
