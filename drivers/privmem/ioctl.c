// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the ioctls of /dev/privmemN: one table of the commands and
 * their dispatch (privmem_ioctl()), and the commands but MIGRATE
 * (migrate.c).
 *
 * A call is refused in this order: a command not in the table with
 * -ENOTTY whatever the node's state; then -ENXIO while the memory is
 * offline or -ENODEV once unbound (privmem_enter()); then, for the
 * commands that change the node, -EPERM without CAP_SYS_ADMIN. Each
 * command then copies its whole structure in and checks @size, @flags
 * and the reserved fields (-EINVAL). Commands run with the device's lock
 * held for reading, so the node cannot be removed underneath.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "privmem.h"

/* Copy a structure in and check its size field (its first member). */
static int privmem_copy_in(void *karg, size_t ksize, const void __user *arg)
{
	if (copy_from_user(karg, arg, ksize))
		return -EFAULT;
	if (*(u32 *)karg != ksize)
		return -EINVAL;
	return 0;
}

static bool privmem_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static long privmem_ioctl_info(struct privmem_file *pf, void __user *arg)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_info info;
	int ret;

	ret = privmem_copy_in(&info, sizeof(info), arg);
	if (ret)
		return ret;
	if (info.flags || info.reserved0 || info.balloon ||
	    !privmem_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.node = pm->nid;
	info.type = pm->set.type;
	info.caps = privmem_caps(pm);
	info.capacity = pm->capacity;
	info.free = privmem_free_bytes(pm);
	info.balloon = (u64)privmem_balloon_pages(pm) << PAGE_SHIFT;
	info.page_sizes = privmem_page_sizes();
	info.id = pm->id;
	info.dax_region = pm->dax_region;
	info.dax_id = pm->dax_id;
	if (copy_to_user(arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long privmem_ioctl_get_demotion(struct privmem_file *pf,
				       void __user *arg)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_demotion d;
	nodemask_t sources;
	bool enabled;
	int ret, n;

	ret = privmem_copy_in(&d, sizeof(d), arg);
	if (ret)
		return ret;
	if (d.flags || d.reserved0 ||
	    !privmem_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	ret = private_node_get_demotion(pm->nid, &enabled, &sources);
	if (ret)
		return ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	if (enabled)
		d.flags |= PRIVMEM_DEMOTION_ENABLE;
	if (nodes_equal(sources, node_possible_map))
		d.flags |= PRIVMEM_DEMOTION_ALL_SOURCES;
	for_each_node_mask(n, sources)
		if (n < PRIVMEM_MAX_NODES)
			d.sources[n / 64] |= 1ULL << (n % 64);
	if (copy_to_user(arg, &d, sizeof(d)))
		return -EFAULT;
	return 0;
}

static long privmem_ioctl_set_demotion(struct privmem_file *pf,
				       void __user *arg)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_demotion d;
	nodemask_t sources;
	int ret, n;

	ret = privmem_copy_in(&d, sizeof(d), arg);
	if (ret)
		return ret;
	if ((d.flags & ~PRIVMEM_DEMOTION_FLAGS) || d.reserved0 ||
	    !privmem_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;

	if (d.flags & PRIVMEM_DEMOTION_ALL_SOURCES) {
		if (!privmem_zero(d.sources, sizeof(d.sources)))
			return -EINVAL;
		return private_node_set_demotion(pm->nid,
						 d.flags & PRIVMEM_DEMOTION_ENABLE,
						 NULL);
	}

	nodes_clear(sources);
	for (n = 0; n < PRIVMEM_MAX_NODES; n++) {
		if (!(d.sources[n / 64] & (1ULL << (n % 64))))
			continue;
		/* Only normal memory nodes demote. */
		if (n >= MAX_NUMNODES || !node_state(n, N_MEMORY))
			return -EINVAL;
		node_set(n, sources);
	}
	if (nodes_empty(sources))
		return -EINVAL;
	return private_node_set_demotion(pm->nid,
					 d.flags & PRIVMEM_DEMOTION_ENABLE,
					 &sources);
}

static_assert(offsetof(struct privmem_pressure, balloon) ==
	      PRIVMEM_PRESSURE_SIZE_VER0);

/* Also acknowledges the events it reports for the file's poll. */
static long privmem_ioctl_get_pressure(struct privmem_file *pf,
				       void __user *arg)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_pressure p = { 0 };
	u32 size;

	/*
	 * The size of this version, or of the first one (no balloon): the
	 * first one's bytes must be readable either way.
	 */
	if (copy_from_user(&p, arg, PRIVMEM_PRESSURE_SIZE_VER0))
		return -EFAULT;
	size = p.size;
	if (size != sizeof(p) && size != PRIVMEM_PRESSURE_SIZE_VER0)
		return -EINVAL;
	if (size > PRIVMEM_PRESSURE_SIZE_VER0 &&
	    copy_from_user((char *)&p + PRIVMEM_PRESSURE_SIZE_VER0,
			   (char __user *)arg + PRIVMEM_PRESSURE_SIZE_VER0,
			   size - PRIVMEM_PRESSURE_SIZE_VER0))
		return -EFAULT;
	if (p.flags || p.reserved0 || p.promotion_failures || p.stored_pages ||
	    p.bytes_charged || p.bytes_uncharged || p.balloon ||
	    p.ratio_estimate || p.reserved1)
		return -EINVAL;

	memset(&p, 0, sizeof(p));
	p.size = size;
	privmem_pressure_update(pm);
	privmem_pressure_snapshot(pm, &p);
	p.logical_capacity = pm->capacity;
	p.logical_used = privmem_used_bytes(pm);
	p.logical_free = privmem_free_bytes(pm);
	p.demotions_in = atomic64_read(&pm->cnt.demotions_in);
	p.demotions_refused = atomic64_read(&pm->cnt.demotions_refused);
	p.promotions = atomic64_read(&pm->cnt.promotions);
	p.promotion_failures = atomic64_read(&pm->cnt.promotion_failures);
	p.migrations_in = atomic64_read(&pm->cnt.migrations_in);
	p.migrations_out = atomic64_read(&pm->cnt.migrations_out);
	/* Compressed nodes: the emulated device's physical accounting. */
	privmem_cram_pressure(pm, &p);
	if (copy_to_user(arg, &p, size))
		return -EFAULT;
	WRITE_ONCE(pf->seen_events, p.events);
	return 0;
}

static long privmem_ioctl_set_watermarks(struct privmem_file *pf,
					 void __user *arg)
{
	struct privmem_watermarks w;
	int ret;

	ret = privmem_copy_in(&w, sizeof(w), arg);
	if (ret)
		return ret;
	if (w.flags || !privmem_zero(w.reserved, sizeof(w.reserved)))
		return -EINVAL;
	return privmem_set_watermarks(pf->pm, w.low, w.high);
}

static long privmem_ioctl_inject(struct privmem_file *pf, void __user *arg)
{
	struct privmem_inject in;
	int ret;

	ret = privmem_copy_in(&in, sizeof(in), arg);
	if (ret)
		return ret;
	if ((in.flags & ~PRIVMEM_INJECT_FLAGS) || in.reserved0 ||
	    !privmem_zero(in.reserved, sizeof(in.reserved)))
		return -EINVAL;
	if (in.level > PRIVMEM_PRESSURE_MAX)
		return -EINVAL;
	if ((in.flags & PRIVMEM_INJECT_CLEAR) && in.level)
		return -EINVAL;
	privmem_inject(pf->pm, in.flags & PRIVMEM_INJECT_CLEAR, in.level);
	return 0;
}

/**
 * struct privmem_ioctl_cmd - a command of /dev/privmemN
 * @cmd: PRIVMEM_IOC_*
 * @fn: runs it, the node online and held there (privmem_enter())
 * @admin: only with CAP_SYS_ADMIN (-EPERM without)
 */
struct privmem_ioctl_cmd {
	unsigned int cmd;
	long (*fn)(struct privmem_file *pf, void __user *arg);
	bool admin;
};

static const struct privmem_ioctl_cmd privmem_ioctl_cmds[] = {
	{ PRIVMEM_IOC_INFO,		privmem_ioctl_info,		false },
	{ PRIVMEM_IOC_MIGRATE,		privmem_ioctl_migrate,		false },
	{ PRIVMEM_IOC_GET_DEMOTION,	privmem_ioctl_get_demotion,	false },
	{ PRIVMEM_IOC_SET_DEMOTION,	privmem_ioctl_set_demotion,	true },
	{ PRIVMEM_IOC_GET_PRESSURE,	privmem_ioctl_get_pressure,	false },
	{ PRIVMEM_IOC_SET_WATERMARKS,	privmem_ioctl_set_watermarks,	true },
	{ PRIVMEM_IOC_INJECT_PRESSURE,	privmem_ioctl_inject,		true },
};

/**
 * privmem_ioctl() - the unlocked_ioctl of /dev/privmemN
 * @file: an open file of the device
 * @cmd: PRIVMEM_IOC_*
 * @arg: the command's structure in user memory
 *
 * Return: the command's result; -ENOTTY for an unknown command, -ENXIO
 * or -ENODEV while the node is not online, -EPERM (see the top).
 */
long privmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct privmem_file *pf = file->private_data;
	const struct privmem_ioctl_cmd *ic = NULL;
	long ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(privmem_ioctl_cmds); i++)
		if (privmem_ioctl_cmds[i].cmd == cmd)
			ic = &privmem_ioctl_cmds[i];
	if (!ic)
		return -ENOTTY;

	ret = privmem_enter(pf->pm);
	if (ret)
		return ret;
	if (ic->admin && !capable(CAP_SYS_ADMIN))
		ret = -EPERM;
	else
		ret = ic->fn(pf, (void __user *)arg);
	privmem_leave(pf->pm);
	return ret;
}
