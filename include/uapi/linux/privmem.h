/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * privmem: the ioctl ABI of /dev/privmemN, the character device of a
 * private memory node (device memory that only explicit users get).
 *
 * A private node is made from a devdax device (daxX.Y) in two steps:
 * binding it to the privmem dax driver creates /dev/privmemN (mode
 * 0600) and /sys/class/privmem/privmemN with the memory offline; writing
 * "online" to its state attribute then hot-adds the range as a private
 * node with the device's settings:
 *
 *   echo daxX.Y > /sys/bus/dax/drivers/device_dax/unbind
 *   echo daxX.Y > /sys/bus/dax/drivers/privmem/new_id
 *   echo compressed > /sys/class/privmem/privmemN/type    (default plain)
 *   echo online > /sys/class/privmem/privmemN/state
 *
 * The settings are attributes of the device, written while it is
 * offline (EBUSY while online, EINVAL for a bad value): type (plain or
 * compressed), physical_size (a compressed node's device capacity in
 * bytes, K/M/G suffixes; 0, the default, is half the logical size),
 * numa_balancing and compaction (the optional services, 0 or 1),
 * checksum (a compressed device checks pages for in-place writes, 1 by
 * default) and watermarks ("LOW HIGH", the initial pressure watermarks).
 * Documentation/ABI/testing/sysfs-class-privmem lists every attribute;
 * privctl(1) does all of this with "privctl create".
 *
 * A compressed node is backed by an emulated compressed device. Each
 * page that arrives is compressed with lz4 to charge its real size; the
 * pressure level is the device's physical occupancy, latched at the
 * maximum (node blocked) from the high watermark until it falls below
 * the low one. Its folios are mapped read-only; a write promotes the
 * folio (a THP whole) to DRAM and then completes. The device also keeps
 * a checksum of each page it stores and checks it when the page leaves
 * (or is freed): a page changed while on the node was written in place,
 * which a real device would lose. Such pages are counted in sysfs
 * counters/inplace_writes (not in struct privmem_pressure) and, for all
 * nodes since the module was loaded, in the read-only
 * /sys/module/privmem/parameters/inplace_writes (the module's only
 * parameter). A balloon keeps the node's free pages to what the device
 * can still store at the ratio of its data: it holds the rest off the
 * node (struct privmem_info.balloon, sysfs cram/balloon);
 * cram/balloon_target (bytes or "auto") sets its size explicitly and
 * cram/physical_capacity changes the device's capacity online (EBUSY
 * below what it stores, EINVAL for 0 or above the logical size).
 *
 * Online, the dax device's target node is a private node
 * (/sys/devices/system/node/has_private_memory). Writing "offline" to
 * state, or unbinding (echo daxX.Y > /sys/bus/dax/drivers/privmem/unbind),
 * removes the memory again; it fails with EBUSY, changing nothing, while
 * /dev/privmemN is mapped, while a shared object (below) holds pages, or
 * while folios on the node cannot be migrated out. Open file descriptors
 * do not prevent it. While the memory is offline every ioctl and mmap
 * fails with ENXIO (open works, and the file works again once the device
 * is online); once the device is unbound they fail with ENODEV.
 *
 * mmap(2), MAP_PRIVATE
 *   At offset 0 only (other offsets fail with EINVAL). The mapping
 *   behaves like anonymous memory (fork shares it copy-on-write, mremap
 *   and partial munmap work) whose folios come from the private node: on
 *   a "plain" node every write fault allocates a zeroed folio on the
 *   node, 2M (THP) where the VMA's alignment and size allow and THP is
 *   enabled, else 4K. A read of a page never written maps the shared zero
 *   page, as for anonymous memory. When the node is full the OOM killer
 *   kills the faulting task and no other (one exempt from the OOM killer
 *   gets SIGBUS): see Documentation/mm/private-nodes.rst, "Exhaustion".
 *   Freed folios go back to the node's free pool. On a "compressed" node
 *   the mapping is ordinary anonymous memory in DRAM; data reaches the
 *   node by demotion or PRIVMEM_IOC_MIGRATE.
 *
 * mmap(2), MAP_SHARED
 *   Maps the shared object of the open file description: 4K pages on the
 *   node, zero-filled when first touched, shared by every MAP_SHARED
 *   mapping made through that description (by this process, its forks,
 *   or a process the descriptor was passed to). Offsets address the
 *   object: a mapping at offset X sees the pages of any other mapping at
 *   offset X. The object's size is fixed at the node's logical capacity:
 *   a mapping that would reach past it fails with EINVAL. It lives until
 *   the description and every mapping of it are gone; its pages then go
 *   back to the node. madvise(MADV_REMOVE) gives a range's pages back
 *   early (a later touch gets zeroed pages). PRIVMEM_IOC_MIGRATE moves
 *   the object's pages for every process that maps them. mbind(2) on a
 *   shared mapping fails with EINVAL (the object's pages stay where its
 *   owner bound them), mremap(2) cannot grow it (EFAULT), and
 *   MADV_COLLAPSE fails (EINVAL). A compressed node refuses MAP_SHARED with
 *   EINVAL (only anonymous folios live on it).
 *
 * poll(2)
 *   POLLPRI (with POLLERR once the node is removed) when the pressure
 *   level crossed a watermark, in either direction, since this file
 *   descriptor last called PRIVMEM_IOC_GET_PRESSURE.
 *
 * ioctl(2)
 *   Every structure starts with @size, which must be the size of the
 *   structure as declared here, and @flags. Unknown flags, reserved or
 *   padding fields that are not zero, and a wrong @size fail with EINVAL;
 *   an unknown command with ENOTTY; an unreadable or unwritable argument
 *   with EFAULT; any call while the memory is offline (or going offline)
 *   with ENXIO, on an unbound device with ENODEV. Sizes and lengths are
 *   in bytes, page counts in base pages.
 */
#ifndef _UAPI_LINUX_PRIVMEM_H
#define _UAPI_LINUX_PRIVMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PRIVMEM_IOC_MAGIC	0xB9

/* Node types (struct privmem_info.type, sysfs "type"). */
#define PRIVMEM_TYPE_PLAIN	1	/* migration + mempolicy, writable */
#define PRIVMEM_TYPE_COMPRESSED	2	/* demotion + write-protect + reclaim */

/* Services the node opted into (same bits as the kernel's node caps). */
#define PRIVMEM_CAP_MIGRATION		(1ULL << 0)
#define PRIVMEM_CAP_MEMPOLICY		(1ULL << 1)
#define PRIVMEM_CAP_DEMOTION		(1ULL << 2)
#define PRIVMEM_CAP_PROTECT_WRITE	(1ULL << 3)
#define PRIVMEM_CAP_RECLAIM		(1ULL << 4)
#define PRIVMEM_CAP_NUMA_BALANCING	(1ULL << 5)
#define PRIVMEM_CAP_COMPACTION		(1ULL << 6)
#define PRIVMEM_CAP_LONGTERM_PIN	(1ULL << 7)

/* The largest node id the bitmaps below can name, plus one. */
#define PRIVMEM_MAX_NODES	1024

/**
 * struct privmem_info - PRIVMEM_IOC_INFO (read)
 * @size: in: sizeof(struct privmem_info)
 * @flags: in: 0
 * @node: private node id
 * @type: PRIVMEM_TYPE_*
 * @caps: PRIVMEM_CAP_* in effect now (DEMOTION follows SET_DEMOTION)
 * @capacity: logical capacity, the bytes of memory hot-added
 * @free: bytes free on the node
 * @page_sizes: page sizes faults may use, bit n set for 2^n bytes
 * @id: N of /dev/privmemN
 * @dax_region: X of the devdax device daxX.Y the node was made from
 * @dax_id: Y of daxX.Y
 * @reserved0: 0
 * @balloon: compressed nodes: bytes the balloon holds off the node (not
 *	in @free: the device could not store them); 0 on plain nodes
 * @reserved: 0
 */
struct privmem_info {
	__u32 size;
	__u32 flags;
	__s32 node;
	__u32 type;
	__u64 caps;
	__u64 capacity;
	__u64 free;
	__u64 page_sizes;
	__u32 id;
	__u32 dax_region;
	__u32 dax_id;
	__u32 reserved0;
	__u64 balloon;
	__u64 reserved[3];
};

/* struct privmem_migrate.flags: exactly one direction */
#define PRIVMEM_MIGRATE_TO_NODE		(1U << 0)	/* into the private node */
#define PRIVMEM_MIGRATE_FROM_NODE	(1U << 1)	/* out of it */
/* Do not wait for locks or writeback: busy pages count as failed. */
#define PRIVMEM_MIGRATE_ASYNC		(1U << 2)
#define PRIVMEM_MIGRATE_FLAGS		0x7U

/**
 * struct privmem_migrate - PRIVMEM_IOC_MIGRATE (read/write)
 * @size: in: sizeof(struct privmem_migrate)
 * @flags: in: PRIVMEM_MIGRATE_*
 * @pid: in: process whose range moves, 0 for the caller. Another process
 *	needs ptrace read access to it and CAP_SYS_NICE, as move_pages(2)
 *	(EPERM otherwise, ESRCH if it does not exist).
 * @target_node: in: FROM_NODE: the normal memory node to move to, -1 for
 *	the one nearest the private node; TO_NODE: -1 or the private node.
 * @addr: in: page-aligned start address
 * @length: in: page-aligned length, not 0; the whole range must be mapped
 *	(EFAULT otherwise, with nothing moved)
 * @moved: out: pages migrated
 * @failed: out: pages that could not move (busy, shared with another
 *	process, not migratable memory, no room on the target)
 * @already: out: pages already where asked (TO_NODE: on the private node;
 *	FROM_NODE: not on the private node)
 * @absent: out: pages with nothing mapped yet (never touched, zero page)
 * @reserved: 0
 *
 * The range is isolated and migrated in batches, one migrate_pages() per
 * batch; THPs move whole. moved + failed + already + absent is the number
 * of pages in the range. Moving into a plain node needs its migration
 * service; into a compressed node it is done as a demotion. At maximum
 * pressure the node refuses folios: TO_NODE fails with ENOSPC, also when
 * the node gets blocked part-way (a compressed node's device crossing its
 * high watermark); the pages that could not move then count as refused.
 */
struct privmem_migrate {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__s32 target_node;
	__u64 addr;
	__u64 length;
	__u64 moved;
	__u64 failed;
	__u64 already;
	__u64 absent;
	__u64 reserved[2];
};

/* struct privmem_demotion.flags */
#define PRIVMEM_DEMOTION_ENABLE		(1U << 0)	/* node is a demotion target */
#define PRIVMEM_DEMOTION_ALL_SOURCES	(1U << 1)	/* any node may demote into it */
#define PRIVMEM_DEMOTION_FLAGS		0x3U

/**
 * struct privmem_demotion - PRIVMEM_IOC_GET_DEMOTION / SET_DEMOTION
 * @size: sizeof(struct privmem_demotion)
 * @flags: PRIVMEM_DEMOTION_*; GET fills it, SET takes it
 * @reserved0: 0
 * @sources: bitmap of the nodes that may demote into this node (bit n of
 *	sources[n / 64] for node n). GET fills it (all possible nodes with
 *	ALL_SOURCES); SET takes it unless ALL_SOURCES is set, in which case
 *	it must be all zero. SET: only memory (N_MEMORY) nodes, at least one.
 * @reserved: 0
 *
 * SET needs CAP_SYS_ADMIN. It changes the kernel's memory tiers: the node
 * appears in (or leaves) /sys/devices/virtual/memory_tiering/ and the
 * kernel prints the new "Demotion targets for Node N" lines. Reclaim only
 * demotes when /sys/kernel/mm/numa/demotion_enabled is also true.
 * Compressed nodes start enabled, plain nodes disabled; both start with
 * ALL_SOURCES.
 */
struct privmem_demotion {
	__u32 size;
	__u32 flags;
	__u64 reserved0;
	__u64 sources[PRIVMEM_MAX_NODES / 64];
	__u64 reserved[2];
};

/* Pressure levels and the default watermarks. */
#define PRIVMEM_PRESSURE_MAX		1000
#define PRIVMEM_PRESSURE_LOW_DEFAULT	600
#define PRIVMEM_PRESSURE_HIGH_DEFAULT	900

/* struct privmem_pressure.state: where the level is */
#define PRIVMEM_STATE_NORMAL	0	/* level < low watermark */
#define PRIVMEM_STATE_ELEVATED	1	/* low <= level < high */
#define PRIVMEM_STATE_HIGH	2	/* level >= high watermark */

/* struct privmem_pressure.flags (out) */
#define PRIVMEM_PRESSURE_INJECTED	(1U << 0)	/* level was injected */
#define PRIVMEM_PRESSURE_BLOCKED	(1U << 1)	/* node refuses new folios */

/**
 * struct privmem_pressure - PRIVMEM_IOC_GET_PRESSURE (read)
 * @size: in: sizeof(struct privmem_pressure)
 * @flags: in: 0; out: PRIVMEM_PRESSURE_*
 * @level: pressure 0..1000. Without injection it is the logical
 *	occupancy, used * 1000 / capacity (compressed nodes: the physical
 *	one, held at 1000 from the high watermark until below the low one);
 *	at 1000 the node is blocked (refuses demotion and migration in).
 * @low: low watermark
 * @high: high watermark
 * @state: PRIVMEM_STATE_*
 * @events: watermark crossings since the node was made
 * @logical_capacity: bytes hot-added
 * @logical_used: bytes in use on the node
 * @logical_free: bytes free on the node
 * @physical_capacity: compressed nodes: physical bytes of the (emulated)
 *	device; always 0 on plain nodes
 * @physical_used: compressed nodes: physical bytes used, the sum over the
 *	pages stored of their lz4 size (PAGE_SIZE for a page lz4 does not
 *	shrink)
 * @compression_ratio: compressed nodes: logical/physical x 1000 of the
 *	data stored now (@stored_pages * page size * 1000 / @physical_used),
 *	0 when nothing is stored
 * @reserved0: 0
 * @demotions_in: pages demoted into the node by reclaim
 * @demotions_refused: pages refused at maximum pressure: by
 *	PRIVMEM_IOC_MIGRATE to the node, and (compressed nodes) pages that
 *	reclaim on a source node would have demoted into it and swapped
 *	instead
 * @promotions: pages promoted out of the node on a write fault
 * @migrations_in: pages migrated into the node, any reason
 * @migrations_out: pages migrated out of the node, any reason
 * @promotion_failures: write faults whose promotion failed (the fault
 *	was retried, or failed as out of memory)
 * @stored_pages: compressed nodes: base pages stored on the device now
 * @bytes_charged: compressed nodes: physical bytes ever charged
 * @bytes_uncharged: compressed nodes: physical bytes ever uncharged (on
 *	free, promotion, migration out); @physical_used is the difference
 * @balloon: compressed nodes: bytes the balloon holds off the node, not
 *	in @logical_free nor in @logical_used
 * @ratio_estimate: compressed nodes: the compression ratio (x1000) the
 *	balloon assumes for the free space (the worse of the stored and the
 *	recent ratio, at least 1000)
 * @reserved1: 0
 *
 * @size may also be PRIVMEM_PRESSURE_SIZE_VER0, the size before @balloon
 * was added: then only that much is read and written.
 *
 * Reading it acknowledges the pending POLLPRI of this file descriptor.
 */
struct privmem_pressure {
	__u32 size;
	__u32 flags;
	__u32 level;
	__u32 low;
	__u32 high;
	__u32 state;
	__u64 events;
	__u64 logical_capacity;
	__u64 logical_used;
	__u64 logical_free;
	__u64 physical_capacity;
	__u64 physical_used;
	__u32 compression_ratio;
	__u32 reserved0;
	__u64 demotions_in;
	__u64 demotions_refused;
	__u64 promotions;
	__u64 migrations_in;
	__u64 migrations_out;
	__u64 promotion_failures;
	__u64 stored_pages;
	__u64 bytes_charged;
	__u64 bytes_uncharged;
	__u64 balloon;
	__u32 ratio_estimate;
	__u32 reserved1;
};

#define PRIVMEM_PRESSURE_SIZE_VER0	152

/**
 * struct privmem_watermarks - PRIVMEM_IOC_SET_WATERMARKS (write)
 * @size: sizeof(struct privmem_watermarks)
 * @flags: 0
 * @low: new low watermark
 * @high: new high watermark, low < high <= 1000
 * @reserved: 0
 *
 * Needs CAP_SYS_ADMIN. A crossing caused by the change is an event.
 */
struct privmem_watermarks {
	__u32 size;
	__u32 flags;
	__u32 low;
	__u32 high;
	__u64 reserved[2];
};

/* struct privmem_inject.flags */
#define PRIVMEM_INJECT_CLEAR	(1U << 0)	/* stop injecting; @level must be 0 */
#define PRIVMEM_INJECT_FLAGS	0x1U

/**
 * struct privmem_inject - PRIVMEM_IOC_INJECT_PRESSURE (write)
 * @size: sizeof(struct privmem_inject)
 * @flags: PRIVMEM_INJECT_*
 * @level: pressure level to report from now on, 0..1000, as a device
 *	would signal it (emulation and tests)
 * @reserved0: 0
 * @reserved: 0
 *
 * Needs CAP_SYS_ADMIN.
 */
struct privmem_inject {
	__u32 size;
	__u32 flags;
	__u32 level;
	__u32 reserved0;
	__u64 reserved[2];
};

#define PRIVMEM_IOC_INFO	_IOWR(PRIVMEM_IOC_MAGIC, 0x00, struct privmem_info)
#define PRIVMEM_IOC_MIGRATE	_IOWR(PRIVMEM_IOC_MAGIC, 0x01, struct privmem_migrate)
#define PRIVMEM_IOC_GET_DEMOTION _IOWR(PRIVMEM_IOC_MAGIC, 0x02, struct privmem_demotion)
#define PRIVMEM_IOC_SET_DEMOTION _IOW(PRIVMEM_IOC_MAGIC, 0x03, struct privmem_demotion)
#define PRIVMEM_IOC_GET_PRESSURE _IOWR(PRIVMEM_IOC_MAGIC, 0x04, struct privmem_pressure)
#define PRIVMEM_IOC_SET_WATERMARKS _IOW(PRIVMEM_IOC_MAGIC, 0x05, struct privmem_watermarks)
#define PRIVMEM_IOC_INJECT_PRESSURE _IOW(PRIVMEM_IOC_MAGIC, 0x06, struct privmem_inject)

#endif /* _UAPI_LINUX_PRIVMEM_H */
