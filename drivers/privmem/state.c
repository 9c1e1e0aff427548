// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: a bound device's settings and its state.
 *
 * Binding leaves the memory offline. The settings (type, physical_size,
 * numa_balancing, compaction, checksum, watermarks) are attributes of the
 * device, written while it is offline; "online" written to its state
 * attribute hot-adds the range as a private node with them, "offline"
 * removes it again. privmem_state_mutex serialises every setting, online,
 * offline and unbind, so a setting never changes under an online and two
 * writers of state see one transition each: the second finds the state
 * it asked for and succeeds without doing anything.
 *
 * Online and offline mirror each other row by row; offline runs its
 * column from the bottom up, but for one row:
 *
 *	privmem_online()		__privmem_offline()
 *	  privmem_cram_create()		  privmem_cram_destroy()
 *	  __module_get()		  module_put()
 *	  privmem_add_memory()		  privmem_unplug(): memory removed
 *	  privmem_cram_start()		  privmem_cram_stop()
 *	  private_node_set_demotion()	  (goes with the node's memory)
 *	  state ONLINE			  state REMOVING (privmem_unplug()),
 *					  then OFFLINE once all is undone
 *	  privmem_pressure_start()	  privmem_pressure_stop()
 *
 * The one row out of order is the memory's: privmem_unplug() runs first.
 * Removal is the only step of offline that can fail, and when it does
 * nothing else must have changed; and the device of a compressed node
 * stays registered while the pages leave, so it checks every one. The
 * module reference is held while the memory is there: the node's
 * callbacks are this module's code. A failed online unwinds the same way
 * from the step that failed.
 */
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "dax-private.h"
#include "privmem.h"

/* Serialises the settings, online, offline and retire of every device. */
DEFINE_MUTEX(privmem_state_mutex);
static const char *privmem_res_name = "System RAM (privmem)";

#define to_pm(d) container_of(d, struct privmem_dev, dev)

/* The defaults of a newly bound device. */
void privmem_settings_init(struct privmem_dev *pm)
{
	pm->set.type = PRIVMEM_TYPE_PLAIN;
	pm->set.physical_size = 0;
	pm->set.numa_balancing = false;
	pm->set.compaction = false;
	pm->set.checksum = true;
}

/* Remove the memory of every added range, the last one first. */
static int privmem_remove_memory(struct privmem_dev *pm)
{
	int i, ret;

	for (i = pm->nr_ranges - 1; i >= 0; i--) {
		struct privmem_range *r = &pm->ranges[i];

		if (!r->added)
			continue;
		ret = remove_private_memory_driver_managed(pm->nid, r->start,
							   r->size);
		if (ret)
			return ret;
		r->added = false;
		remove_resource(r->res);
		kfree(r->res);
		r->res = NULL;
	}
	return 0;
}

static int privmem_add_memory(struct privmem_dev *pm)
{
	struct dev_dax *dev_dax = pm->dev_dax;
	struct device *dev = &dev_dax->dev;
	mhp_t mhp_flags = MHP_NONE;
	int i, ret;

	if (dev_dax->memmap_on_memory)
		mhp_flags |= MHP_MEMMAP_ON_MEMORY;

	for (i = 0; i < pm->nr_ranges; i++) {
		struct privmem_range *r = &pm->ranges[i];
		struct resource *res;

		if (!r->size)
			continue;
		res = request_mem_region(r->start, r->size, pm->res_name);
		if (!res) {
			dev_warn(dev, "range %#llx+%#llx is busy\n",
				 r->start, r->size);
			ret = -EBUSY;
			goto err;
		}
		/* As dax/kmem: let add_memory() add a System RAM child. */
		res->flags = IORESOURCE_SYSTEM_RAM;
		r->res = res;
		ret = add_private_memory_driver_managed(pm->nid, r->start,
							r->size,
							privmem_res_name,
							mhp_flags,
							MMOP_ONLINE_MOVABLE,
							&pm->np);
		if (ret) {
			dev_warn(dev, "range %#llx+%#llx: hot-add failed: %d\n",
				 r->start, r->size, ret);
			remove_resource(res);
			kfree(res);
			r->res = NULL;
			goto err;
		}
		r->added = true;
	}
	return 0;

err:
	if (privmem_remove_memory(pm))
		dev_err(dev, "could not remove the memory added so far\n");
	return ret;
}

static bool privmem_memory_added(struct privmem_dev *pm)
{
	int i;

	for (i = 0; i < pm->nr_ranges; i++)
		if (pm->ranges[i].added)
			return true;
	return false;
}

/* Settings that cannot work, with the reason in the log: -EINVAL. */
static int privmem_check_settings(struct privmem_dev *pm)
{
	bool compressed = pm->set.type == PRIVMEM_TYPE_COMPRESSED;

	/*
	 * memmap_on_memory would put the range's struct pages on the device.
	 * The mm writes struct pages all the time (reference counts, flags,
	 * LRU links); on a compressed device each of those writes would be
	 * a write in place, so a compressed node keeps its memmap in DRAM.
	 * Where the kernel does not support it (memory_hotplug's
	 * memmap_on_memory off), the flag changes nothing and is ignored.
	 */
	if (compressed && pm->dev_dax->memmap_on_memory &&
	    mhp_supports_memmap_on_memory()) {
		dev_warn(&pm->dev, "a compressed node cannot have memmap_on_memory (struct pages would be written in place): unbind dax%d.%d, write 0 to its memmap_on_memory and bind it again\n",
			 pm->dax_region, pm->dax_id);
		return -EINVAL;
	}
	if (compressed && pm->set.physical_size > pm->capacity) {
		dev_warn(&pm->dev, "physical size %llu exceeds the logical size %llu\n",
			 pm->set.physical_size, pm->capacity);
		return -EINVAL;
	}
	return 0;
}

/*
 * Nodes of devices removed by force while mapped or holding a shared
 * object (privmem_unplug()): the policies of those mappings and objects
 * name the node id and outlive the device, and the gate lets an owner's
 * policy use any online private node of that id. So privmem does not
 * bring the node id online again until the removed device's last
 * reference (its files, mappings and objects) is gone.
 */
static atomic_t privmem_orphans[MAX_NUMNODES];

/* The removed device's last reference is gone (privmem_dev_release()). */
void privmem_orphan_put(struct privmem_dev *pm)
{
	if (pm->orphaned)
		atomic_dec(&privmem_orphans[pm->nid]);
}

static void privmem_set_state(struct privmem_dev *pm, enum privmem_state st)
{
	down_write(&pm->lock);
	spin_lock(&pm->map_lock);
	pm->state = st;
	spin_unlock(&pm->map_lock);
	up_write(&pm->lock);
}

/**
 * privmem_online() - hot-add the device's memory as a private node
 * @pm: a bound device
 *
 * Context: takes privmem_state_mutex and the memory hotplug locks.
 * Return: 0 (also if already online); -EINVAL for settings that cannot
 * work; -EBUSY if the target node already has memory; -ENODEV once
 * unbound; or the errno of the hot-add or of the CRAM service. On
 * failure the device is offline as before.
 */
int privmem_online(struct privmem_dev *pm)
{
	int ret, nid = pm->nid;

	mutex_lock(&privmem_state_mutex);
	ret = 0;
	if (pm->state == PRIVMEM_ONLINE)
		goto out;
	ret = -ENODEV;
	if (pm->state != PRIVMEM_OFFLINE)
		goto out;
	ret = -EBUSY;
	if (node_state(nid, N_MEMORY) || node_is_private(nid)) {
		dev_warn(&pm->dev, "node %d already has memory\n", nid);
		goto out;
	}
	if (atomic_read(&privmem_orphans[nid])) {
		dev_warn(&pm->dev, "node %d: mappings of a removed device still name it; unmap them first\n",
			 nid);
		goto out;
	}
	ret = privmem_check_settings(pm);
	if (ret)
		goto out;

	pm->np.caps = privmem_settings_caps(&pm->set);
	if (pm->set.type == PRIVMEM_TYPE_COMPRESSED) {
		ret = privmem_cram_create(pm);
		if (ret)
			goto out;
	}
	/* The node's callbacks are this module's code. */
	__module_get(THIS_MODULE);
	ret = privmem_add_memory(pm);
	if (ret && privmem_memory_added(pm))
		goto err_stuck;	/* and the ranges added could not go */
	if (ret)
		goto err_module;
	if (pm->cram) {
		ret = privmem_cram_start(pm);
		if (ret)
			goto err_remove;
	}
	ret = private_node_set_demotion(nid,
					pm->set.type == PRIVMEM_TYPE_COMPRESSED,
					NULL);
	if (ret)
		goto err_remove;

	privmem_set_state(pm, PRIVMEM_ONLINE);
	privmem_pressure_start(pm);
	dev_info(&pm->dev, "node %d: %llu MiB of %s private memory online\n",
		 nid, pm->capacity >> 20, privmem_type_name(pm->set.type));
	goto out;

err_remove:
	privmem_cram_stop(pm);
	if (!privmem_remove_memory(pm))
		goto err_module;
err_stuck:
	/*
	 * The node keeps pointing at pm: it stays online (its device is
	 * there, but not registered with the CRAM service), and so does
	 * the module (its reference is kept).
	 */
	dev_err(&pm->dev, "node %d: memory stays online\n", nid);
	privmem_set_state(pm, PRIVMEM_ONLINE);
	privmem_pressure_start(pm);
	goto out;
err_module:
	module_put(THIS_MODULE);
	privmem_cram_destroy(pm);
out:
	mutex_unlock(&privmem_state_mutex);
	return ret;
}

/*
 * Take the memory away: refuse while the device is mapped or a shared
 * object holds pages (unless @force: the device is going away), keep new
 * users out, migrate everything off the node and remove it. On failure
 * nothing changed and the node is usable again.
 *
 * Forced, the folios of live mappings and shared objects migrate to DRAM
 * with the rest (memory offlining migrates every movable folio); their
 * policies name a node without memory from then on, so their later
 * faults fall back to the local node (private_node_policy_nodes()).
 */
static int privmem_unplug(struct privmem_dev *pm, bool force)
{
	int ret;

	lockdep_assert_held(&privmem_state_mutex);
	down_write(&pm->lock);
	spin_lock(&pm->map_lock);
	if (pm->nr_mappings || privmem_shared_busy(pm)) {
		if (!force) {
			spin_unlock(&pm->map_lock);
			up_write(&pm->lock);
			return -EBUSY;
		}
		if (!pm->orphaned) {
			pm->orphaned = true;
			atomic_inc(&privmem_orphans[pm->nid]);
		}
	}
	pm->state = PRIVMEM_REMOVING;
	spin_unlock(&pm->map_lock);
	up_write(&pm->lock);

	/* Ballooned pages are not movable: give them back first. */
	privmem_balloon_pause(pm);
	ret = privmem_remove_memory(pm);
	if (ret) {
		privmem_set_state(pm, PRIVMEM_ONLINE);
		privmem_balloon_resume(pm);
		dev_info(&pm->dev, "node %d: removal failed (%d), node kept\n",
			 pm->nid, ret);
		return ret == -EBUSY || ret == -EAGAIN ? -EBUSY : ret;
	}
	return 0;
}

static int __privmem_offline(struct privmem_dev *pm, bool force)
{
	int ret;

	lockdep_assert_held(&privmem_state_mutex);
	if (pm->state == PRIVMEM_OFFLINE)
		return 0;
	if (pm->state != PRIVMEM_ONLINE)
		return -ENODEV;
	ret = privmem_unplug(pm, force);
	if (ret)
		return ret;
	privmem_pressure_stop(pm);
	privmem_cram_stop(pm);
	module_put(THIS_MODULE);
	privmem_cram_destroy(pm);
	privmem_set_state(pm, PRIVMEM_OFFLINE);
	wake_up_all(&pm->waitq);
	dev_info(&pm->dev, "node %d: offline\n", pm->nid);
	return 0;
}

/**
 * privmem_offline() - remove the device's memory, keep the device bound
 * @pm: a bound device
 *
 * Context: takes privmem_state_mutex and the memory hotplug locks.
 * Return: 0 (also if already offline); -EBUSY while /dev/privmemN is
 * mapped, a shared object holds pages, or folios cannot be migrated off
 * the node (nothing changed); -ENODEV once unbound.
 */
int privmem_offline(struct privmem_dev *pm)
{
	int ret;

	mutex_lock(&privmem_state_mutex);
	ret = __privmem_offline(pm, false);
	mutex_unlock(&privmem_state_mutex);
	return ret;
}

/**
 * privmem_retire() - take the device offline for good, before unbinding
 * @pm: a bound device
 * @force: the dax device is going away (its provider removes it): take
 *	the memory even while it is mapped or a shared object holds pages
 *
 * After it succeeds every call on the device fails with -ENODEV and its
 * state cannot be written any more, so nothing can bring the memory back
 * before the driver releases the device.
 *
 * Context: takes privmem_state_mutex and the memory hotplug locks.
 * Return: 0 (also if already retired), or privmem_offline()'s -EBUSY
 * (with @force, only when folios cannot be migrated off the node).
 */
int privmem_retire(struct privmem_dev *pm, bool force)
{
	int ret = 0;

	mutex_lock(&privmem_state_mutex);
	if (pm->state != PRIVMEM_DEAD) {
		ret = __privmem_offline(pm, force);
		if (!ret)
			privmem_set_state(pm, PRIVMEM_DEAD);
	}
	mutex_unlock(&privmem_state_mutex);
	if (!ret)
		wake_up_all(&pm->waitq);
	return ret;
}

static const char * const privmem_state_names[] = {
	[PRIVMEM_OFFLINE] = "offline",
	[PRIVMEM_ONLINE] = "online",
	[PRIVMEM_REMOVING] = "going-offline",
	[PRIVMEM_DEAD] = "unbound",
};

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  privmem_state_names[READ_ONCE(to_pm(dev)->state)]);
}

static ssize_t state_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct privmem_dev *pm = to_pm(dev);
	int ret;

	if (sysfs_streq(buf, "online"))
		ret = privmem_online(pm);
	else if (sysfs_streq(buf, "offline"))
		ret = privmem_offline(pm);
	else
		ret = -EINVAL;
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(state);

/*
 * Write one setting: @apply runs with the state mutex held, only while
 * the device is offline.
 */
static ssize_t settings_store(struct privmem_dev *pm, size_t count,
			      int (*apply)(struct privmem_dev *pm, void *arg),
			      void *arg)
{
	int ret;

	mutex_lock(&privmem_state_mutex);
	if (pm->state == PRIVMEM_OFFLINE)
		ret = apply(pm, arg);
	else
		ret = pm->state == PRIVMEM_DEAD ? -ENODEV : -EBUSY;	/* online */
	mutex_unlock(&privmem_state_mutex);
	return ret ? ret : count;
}

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", privmem_type_name(to_pm(dev)->set.type));
}

static int apply_type(struct privmem_dev *pm, void *arg)
{
	unsigned int old = pm->set.type;
	int ret;

	if (old == *(int *)arg)
		return 0;
	pm->set.type = *(int *)arg;
	/* The cram group is visible for a compressed node only. */
	ret = sysfs_update_group(&pm->dev.kobj, &privmem_cram_group);
	if (ret)
		pm->set.type = old;
	return ret;
}

static ssize_t type_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	int type = privmem_type_parse(buf);

	if (type < 0)
		return type;
	return settings_store(to_pm(dev), count, apply_type, &type);
}
static DEVICE_ATTR_RW(type);

static ssize_t physical_size_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pm(dev)->set.physical_size);
}

static int apply_physical_size(struct privmem_dev *pm, void *arg)
{
	u64 v = *(u64 *)arg;

	if (v > pm->capacity)
		return -EINVAL;
	pm->set.physical_size = v;
	return 0;
}

/**
 * privmem_parse_size() - a size written to a sysfs attribute
 * @buf: decimal digits with an optional K, M or G suffix (any case) and
 *	an optional newline, nothing else
 * @v: the size in bytes
 *
 * Return: 0, or -EINVAL for anything else or more than U64_MAX.
 */
int privmem_parse_size(const char *buf, u64 *v)
{
	char num[24];
	size_t len = strcspn(buf, "\n");
	unsigned int shift = 0;

	if (buf[len] == '\n' && buf[len + 1])
		return -EINVAL;
	if (len && strchr("kKmMgG", buf[len - 1])) {
		shift = strchr("kK", buf[len - 1]) ? 10 :
			strchr("mM", buf[len - 1]) ? 20 : 30;
		len--;
	}
	if (!len || len >= sizeof(num) || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	memcpy(num, buf, len);
	num[len] = '\0';
	if (kstrtoull(num, 10, v))
		return -EINVAL;
	if (shift && check_shl_overflow(*v, shift, v))
		return -EINVAL;
	return 0;
}

static ssize_t physical_size_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	u64 v;
	int ret = privmem_parse_size(buf, &v);

	if (ret)
		return ret;
	return settings_store(to_pm(dev), count, apply_physical_size, &v);
}
static DEVICE_ATTR_RW(physical_size);

/* The boolean settings, by their offset in struct privmem_settings. */
struct privmem_bool_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t bool_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct privmem_bool_attr *ba =
		container_of(attr, struct privmem_bool_attr, attr);
	bool *v = (void *)&to_pm(dev)->set + ba->offset;

	return sysfs_emit(buf, "%d\n", *v);
}

struct privmem_bool_arg {
	size_t offset;
	bool value;
};

static int apply_bool(struct privmem_dev *pm, void *arg)
{
	struct privmem_bool_arg *a = arg;

	*(bool *)((void *)&pm->set + a->offset) = a->value;
	return 0;
}

/* 0 or 1, or one of kstrtobool()'s words, alone on the line. */
static int privmem_parse_bool(const char *buf, bool *v)
{
	static const char * const words[] = {
		"0", "1", "n", "y", "N", "Y", "no", "yes", "off", "on",
		"false", "true",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (sysfs_streq(buf, words[i]))
			return kstrtobool(words[i], v);
	return -EINVAL;
}

static ssize_t bool_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct privmem_bool_attr *ba =
		container_of(attr, struct privmem_bool_attr, attr);
	struct privmem_bool_arg a = { .offset = ba->offset };
	int ret = privmem_parse_bool(buf, &a.value);

	if (ret)
		return ret;
	return settings_store(to_pm(dev), count, apply_bool, &a);
}

static struct privmem_bool_attr bool_attr_numa_balancing = {
	.attr = __ATTR(numa_balancing, 0644, bool_show, bool_store),
	.offset = offsetof(struct privmem_settings, numa_balancing),
};

static struct privmem_bool_attr bool_attr_compaction = {
	.attr = __ATTR(compaction, 0644, bool_show, bool_store),
	.offset = offsetof(struct privmem_settings, compaction),
};

static struct privmem_bool_attr bool_attr_checksum = {
	.attr = __ATTR(checksum, 0644, bool_show, bool_store),
	.offset = offsetof(struct privmem_settings, checksum),
};

static ssize_t watermarks_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct privmem_pressure p = { 0 };

	privmem_pressure_snapshot(to_pm(dev), &p);
	return sysfs_emit(buf, "%u %u\n", p.low, p.high);
}

static int apply_watermarks(struct privmem_dev *pm, void *arg)
{
	unsigned int *wm = arg;

	return privmem_set_watermarks(pm, wm[0], wm[1]);
}

/* "LOW HIGH": two integers, 0 <= LOW < HIGH <= PRIVMEM_PRESSURE_MAX. */
static int privmem_parse_watermarks(const char *buf, unsigned int *wm)
{
	char tok[2][12];
	int n = 0, len;

	while (n < 2) {
		buf = skip_spaces(buf);
		len = strcspn(buf, " \t\n");
		if (!len || len >= sizeof(tok[0]))
			return -EINVAL;
		memcpy(tok[n], buf, len);
		tok[n][len] = '\0';
		buf += len;
		n++;
	}
	if (*skip_spaces(buf))
		return -EINVAL;
	if (kstrtouint(tok[0], 10, &wm[0]) || kstrtouint(tok[1], 10, &wm[1]))
		return -EINVAL;
	if (wm[0] >= wm[1] || wm[1] > PRIVMEM_PRESSURE_MAX)
		return -EINVAL;
	return 0;
}

static ssize_t watermarks_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int wm[2];
	int ret = privmem_parse_watermarks(buf, wm);

	if (ret)
		return ret;
	return settings_store(to_pm(dev), count, apply_watermarks, wm);
}
static DEVICE_ATTR_RW(watermarks);

static struct attribute *privmem_settings_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_type.attr,
	&dev_attr_physical_size.attr,
	&bool_attr_numa_balancing.attr.attr,
	&bool_attr_compaction.attr.attr,
	&bool_attr_checksum.attr.attr,
	&dev_attr_watermarks.attr,
	NULL,
};

const struct attribute_group privmem_settings_group = {
	.attrs = privmem_settings_attrs,
};
