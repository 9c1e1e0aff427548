/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem: a dax driver that turns a devdax device into a private memory
 * node fronted by /dev/privmemN. Internal interfaces between its files:
 *
 *   bind.c      dax driver probe/remove, bind/unbind attributes, module
 *   state.c     online/offline: the node's memory and services; settings
 *   chardev.c   /dev/privmemN: open, release, poll, mmap dispatch
 *   ioctl.c     the ioctl table and its commands but MIGRATE
 *   migrate.c   MIGRATE
 *   node_info.c what the node holds: caps, use, page sizes, poisoned pages
 *   mmap.c      mmap(MAP_PRIVATE): anonymous memory bound to the node
 *   shared.c    mmap(MAP_SHARED): the shared object of an open file
 *   owner.c     the node owner's callbacks (counters, write faults)
 *   pressure.c  pressure level, watermarks, events, blocking the node
 *   sysfs.c     /sys/class/privmem/privmemN attributes
 *   cram_model.c    a compressed node's device model: accounting, latch
 *   cram_data.c     pages arriving on and leaving the device
 *   cram_pressure.c the device's interrupts and kswapd push
 *   cram_device.c   the device's life: create, start, stop, destroy
 *   cram_balloon.c  the balloon of a compressed node (honest free pages)
 *   cram_sysfs.c    /sys/class/privmem/privmemN/cram attributes
 *   tests/cram_kunit.c  kunit suite of cram_model.c and the balloon's sums
 *
 * Lifetime and locking
 *   A struct privmem_dev lives from probe until its last reference is
 *   dropped: the binding holds one, every open file, every mapping file
 *   and every shared object holds one. Probe leaves the memory offline
 *   (PRIVMEM_OFFLINE); writing the state attribute onlines and offlines
 *   it (state.c). The settings, @state changes, online, offline and
 *   unbind are serialised by privmem_state_mutex (state.c); a setting is
 *   only written while offline. @lock (rw_semaphore) orders the calls
 *   against a change of @state: ioctls hold it for reading and fail
 *   with -ENXIO unless @state is PRIVMEM_ONLINE (-ENODEV once unbound);
 *   online and offline take it for writing to change @state. mmap runs
 *   under the caller's mmap lock, which MIGRATE takes inside @lock, so
 *   it does not take @lock: @map_lock (spinlock) makes its check of
 *   @state and the counts of live mappings @nr_mappings and shared
 *   objects with pages atomic against offline, which changes @state
 *   under both locks.
 *   Pressure state is under @pressure_lock (a spinlock: the level is also
 *   recomputed from a timer work); counters are atomics updated from the
 *   mm core's callbacks, which may run in any context.
 *
 * Files include this header and no other driver file: each .c file calls
 * the others only through the declarations below.
 */
#ifndef _PRIVMEM_H
#define _PRIVMEM_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/private_node.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/privmem.h>

struct dev_dax;
struct resource;

enum privmem_state {
	PRIVMEM_OFFLINE,	/* bound, memory not added: settings writable */
	PRIVMEM_ONLINE,		/* a private node */
	PRIVMEM_REMOVING,	/* going offline */
	PRIVMEM_DEAD,		/* unbound */
};

/**
 * struct privmem_settings - how the node comes online (sysfs, offline only)
 * @type: PRIVMEM_TYPE_*
 * @physical_size: a compressed node's device capacity, 0 for half the
 *	logical capacity
 * @numa_balancing: NUMA balancing may scan the node's folios
 * @compaction: compaction may run on a plain node
 * @checksum: the compressed device checksums the pages it stores
 *
 * The watermarks are @low and @high of struct privmem_dev (pressure.c),
 * which SET_WATERMARKS also changes online.
 */
struct privmem_settings {
	unsigned int type;
	u64 physical_size;
	bool numa_balancing;
	bool compaction;
	bool checksum;
};

struct privmem_range {
	u64 start;
	u64 size;
	struct resource *res;
	bool added;
};

struct privmem_counters {
	atomic64_t demotions_in;
	atomic64_t demotions_refused;
	atomic64_t promotions;
	atomic64_t promotion_failures;
	atomic64_t migrations_in;
	atomic64_t migrations_out;
};

/**
 * struct privmem_balloon - pages held off a compressed node (cram_balloon.c)
 * @lock: protects everything below but the counters
 * @pages: the folios held, linked by their lru field
 * @nr: folios on @pages (read without @lock)
 * @target: explicit target in pages, -1 for the automatic size
 * @paused: the balloon holds nothing and does not move (removal)
 * @ratio: the compression ratio (x1000) of the last step's estimate
 * @recent_ratio: ratio of the pages charged between the last two samples
 * @last_pages: @charged_pages of the device at the last sample
 * @last_bytes: @charged of the device at the last sample
 * @inflated: pages ever taken off the node
 * @deflated: pages ever given back
 * @work: a step towards the target
 */
struct privmem_balloon {
	struct mutex lock;	/* the list, target, paused, samples */
	struct list_head pages;
	unsigned long nr;
	long target;
	bool paused;
	unsigned int ratio, recent_ratio;
	u64 last_pages, last_bytes;
	atomic64_t inflated, deflated;
	struct work_struct work;
};

/**
 * struct privmem_cram_model - the accounting of an emulated compressed
 *	device (cram_model.c)
 * @capacity: physical capacity in bytes
 * @base_pfn: first page frame of the node's memory
 * @nr_pfns: frames covered by @cost
 * @cost: bytes stored for each frame, 0 when the frame holds no data
 * @csum: checksum of each charged frame's data (kvcalloc, one u32 per
 *	frame), published by @cost (see cram_model.c)
 * @verify: @csum is recorded and checked (the checksum setting)
 * @used: physical bytes used (sum of @cost)
 * @stored: frames holding data
 * @charged: bytes ever charged
 * @uncharged: bytes ever uncharged
 * @charged_pages: charges ever made (pages)
 * @inplace_writes: frames found changed when they were uncharged
 * @lock: orders @latched against changes of @capacity
 * @latched: at maximum pressure (high interrupt fired, low not yet)
 */
struct privmem_cram_model {
	u64 capacity;
	unsigned long base_pfn, nr_pfns;
	atomic_t *cost;
	u32 *csum;
	bool verify;
	atomic64_t used, stored, charged, uncharged, charged_pages;
	atomic64_t inplace_writes;
	spinlock_t lock;	/* orders @latched, @capacity */
	bool latched;
};

/**
 * struct privmem_cram_inplace - an in-place write an uncharge found
 * @nr: in-place writes of the device, this one included; 0 for none
 * @want: the checksum recorded when the frame was charged
 * @got: the checksum of its data now
 */
struct privmem_cram_inplace {
	s64 nr;
	u32 want, got;
};

struct privmem_cram_stats {
	u64 capacity, used, stored, charged, uncharged, inplace_writes;
	unsigned int ratio;
};

/**
 * struct privmem_cram - the emulated device of a compressed node
 *	(cram_device.c)
 * @pm: the node
 * @model: its accounting (cram_model.c)
 * @registered: registered with the CRAM service
 * @scratch: per-CPU lz4 work memory and output buffer (cram_data.c)
 * @irq_work: the threshold "interrupt" (cram_pressure.c)
 * @cn: the node's registration with the CRAM service (mm/cram.c)
 * @balloon: pages held off the node while the device cannot store them
 */
struct privmem_cram {
	struct privmem_dev *pm;
	struct privmem_cram_model model;
	bool registered;
	void * __percpu *scratch;
	struct work_struct irq_work;
	struct cram_node cn;
	struct privmem_balloon balloon;
};

struct privmem_dev {
	struct kref ref;
	struct rw_semaphore lock;
	enum privmem_state state;
	spinlock_t map_lock;		/* nr_mappings, and state vs mmap */
	int nr_mappings;

	struct dev_dax *dev_dax;
	int nid;
	struct privmem_settings set;
	int id;				/* N of privmemN */
	int dax_region, dax_id;
	const char *res_name;
	int nr_ranges;
	struct privmem_range *ranges;
	u64 capacity;
	struct private_node np;

	struct cdev cdev;
	struct device dev;
	bool cdev_added;
	bool orphaned;		/* removed by force while mapped (state.c) */

	/* pressure.c; @band is the PRIVMEM_STATE_* the level falls in */
	spinlock_t pressure_lock;
	unsigned int level, low, high, band;
	bool injected;
	bool blocked;
	u64 events;
	wait_queue_head_t waitq;
	struct delayed_work pressure_work;

	struct privmem_counters cnt;
	struct privmem_cram *cram;	/* compressed nodes only */

	/* shared.c, under @map_lock */
	struct list_head shared;	/* struct privmem_shared */
	int nr_shared;
};

struct privmem_shared;

/* Per open file of /dev/privmemN. */
struct privmem_file {
	struct privmem_dev *pm;
	u64 seen_events;	/* the last pressure event acknowledged */
	struct mutex shared_lock;	/* creation of @shared */
	struct privmem_shared *shared;	/* its MAP_SHARED object, or NULL */
};

/*
 * The errno of a call the device's state refuses: 0 online, -ENXIO while
 * the memory is offline or going offline, -ENODEV once unbound.
 */
static inline int privmem_state_errno(enum privmem_state st)
{
	if (st == PRIVMEM_ONLINE)
		return 0;
	return st == PRIVMEM_DEAD ? -ENODEV : -ENXIO;
}

/* bind.c */
const char *privmem_type_name(unsigned int type);
int privmem_type_parse(const char *buf);
void privmem_get(struct privmem_dev *pm);
void privmem_put(struct privmem_dev *pm);

/* state.c */
extern struct mutex privmem_state_mutex;
int privmem_online(struct privmem_dev *pm);
int privmem_offline(struct privmem_dev *pm);
int privmem_retire(struct privmem_dev *pm, bool force);
void privmem_orphan_put(struct privmem_dev *pm);
int privmem_parse_size(const char *buf, u64 *v);
void privmem_settings_init(struct privmem_dev *pm);
extern const struct attribute_group privmem_settings_group;

/* chardev.c */
int privmem_chardev_init(void);
void privmem_chardev_exit(void);
void privmem_dev_setup(struct privmem_dev *pm);
int privmem_chardev_add(struct privmem_dev *pm, struct device *parent);
void privmem_chardev_del(struct privmem_dev *pm);
int privmem_enter(struct privmem_dev *pm);
void privmem_leave(struct privmem_dev *pm);

/* ioctl.c */
long privmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* migrate.c */
long privmem_ioctl_migrate(struct privmem_file *pf, void __user *arg);

/* node_info.c */
u64 privmem_caps(struct privmem_dev *pm);
u64 privmem_free_bytes(struct privmem_dev *pm);
u64 privmem_used_bytes(struct privmem_dev *pm);
u64 privmem_page_sizes(void);
unsigned long privmem_poisoned_pages(struct privmem_dev *pm);

/* mmap.c */
int privmem_mmap(struct privmem_file *pf, struct vm_area_struct *vma);
int privmem_map_count(struct privmem_dev *pm);
void privmem_unmapped(struct privmem_dev *pm);
unsigned long privmem_get_unmapped_area(struct file *file, unsigned long addr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags);

/* shared.c */
int privmem_shared_mmap(struct privmem_file *pf, struct vm_area_struct *vma);
void privmem_shared_release(struct privmem_file *pf);
bool privmem_shared_busy(struct privmem_dev *pm);
struct address_space *privmem_shared_mapping(struct privmem_file *pf);

/* owner.c */
extern const struct private_node_ops privmem_node_ops;
unsigned long privmem_settings_caps(const struct privmem_settings *set);

/* pressure.c */
void privmem_pressure_init(struct privmem_dev *pm);
void privmem_pressure_start(struct privmem_dev *pm);
void privmem_pressure_stop(struct privmem_dev *pm);
void privmem_pressure_update(struct privmem_dev *pm);
void privmem_pressure_latch(struct privmem_dev *pm, bool latched);
int privmem_set_watermarks(struct privmem_dev *pm, unsigned int low,
			   unsigned int high);
void privmem_inject(struct privmem_dev *pm, bool clear, unsigned int level);
void privmem_pressure_snapshot(struct privmem_dev *pm,
			       struct privmem_pressure *p);
u64 privmem_events(struct privmem_dev *pm);

/* sysfs.c */
extern const struct attribute_group *privmem_dev_groups[];

/* cram_model.c */
unsigned int privmem_cram_page_cost(const void *src, void *scratch);
u32 privmem_cram_page_csum(const void *src);
unsigned int privmem_cram_model_level(u64 used, u64 capacity,
				      unsigned int low, unsigned int high,
				      bool *latched);
unsigned int privmem_cram_model_ratio(u64 stored, u64 used);
int privmem_cram_model_init(struct privmem_cram_model *m,
			    unsigned long base_pfn, unsigned long nr_pfns,
			    u64 capacity);
void privmem_cram_model_destroy(struct privmem_cram_model *m);
bool privmem_cram_model_relatch(struct privmem_cram_model *m,
				unsigned int low, unsigned int high,
				unsigned int *level, bool *latched);
bool privmem_cram_model_charge(struct privmem_cram_model *m,
			       unsigned long pfn, unsigned int cost, u32 csum);
bool privmem_cram_model_uncharge(struct privmem_cram_model *m,
				 unsigned long pfn, const void *src,
				 struct privmem_cram_inplace *w);
void privmem_cram_model_stats(struct privmem_cram_model *m,
			      struct privmem_cram_stats *st);
int privmem_cram_model_set_capacity(struct privmem_cram_model *m,
				    u64 capacity);

/* cram_data.c */
void privmem_cram_folio_in(struct privmem_dev *pm, struct folio *folio);
void privmem_cram_folio_out(struct privmem_dev *pm, struct folio *folio);

/* cram_pressure.c */
void privmem_cram_check(struct privmem_dev *pm);
unsigned int privmem_cram_level(struct privmem_dev *pm);
void privmem_cram_tick(struct privmem_dev *pm);
void privmem_cram_irq(struct work_struct *work);
void privmem_cram_pressure(struct privmem_dev *pm, struct privmem_pressure *p);

/* cram_device.c */
int privmem_cram_create(struct privmem_dev *pm);
void privmem_cram_destroy(struct privmem_dev *pm);
int privmem_cram_start(struct privmem_dev *pm);
void privmem_cram_stop(struct privmem_dev *pm);
int privmem_cram_set_capacity(struct privmem_dev *pm, u64 capacity);

/* cram_balloon.c */
unsigned int privmem_balloon_estimate(unsigned int stored_ratio,
				      unsigned int recent_ratio,
				      unsigned int nominal);
unsigned long privmem_balloon_want(unsigned long free, unsigned long held,
				   u64 phys_free, unsigned int ratio);
void privmem_balloon_init(struct privmem_cram *c);
void privmem_balloon_stop(struct privmem_cram *c);
void privmem_balloon_kick(struct privmem_dev *pm);
void privmem_balloon_pause(struct privmem_dev *pm);
void privmem_balloon_resume(struct privmem_dev *pm);
int privmem_balloon_set_target(struct privmem_dev *pm, s64 bytes);
s64 privmem_balloon_target(struct privmem_dev *pm);
unsigned long privmem_balloon_pages(struct privmem_dev *pm);

/* cram_sysfs.c */
extern const struct attribute_group privmem_cram_group;

#endif /* _PRIVMEM_H */
