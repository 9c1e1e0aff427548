// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: binding a devdax device. Probe hot-adds the device's range as a
 * private node on its target node and creates /dev/privmemN; unbinding
 * offlines and removes the memory, or fails with -EBUSY changing nothing.
 *
 * The node type is taken at probe from the "type" module parameter
 * (/sys/module/privmem/parameters/type: plain or compressed), so write it
 * before binding.
 *
 * The driver core's bind/unbind attributes cannot fail an unbind, so the
 * driver suppresses them and provides its own: unbind first removes the
 * memory and only then releases the device; bind attaches a device named
 * in new_id. Binding normally goes through new_id, as for dax/kmem.
 */
#include <linux/device.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "dax-private.h"
#include "bus.h"
#include "privmem.h"

static unsigned int privmem_default_type = PRIVMEM_TYPE_PLAIN;

static const char * const privmem_type_names[] = {
	[PRIVMEM_TYPE_PLAIN] = "plain",
	[PRIVMEM_TYPE_COMPRESSED] = "compressed",
};

const char *privmem_type_name(unsigned int type)
{
	if (type >= ARRAY_SIZE(privmem_type_names) || !privmem_type_names[type])
		return "unknown";
	return privmem_type_names[type];
}

static int type_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int t;

	for (t = 1; t < ARRAY_SIZE(privmem_type_names); t++) {
		if (sysfs_streq(val, privmem_type_names[t])) {
			WRITE_ONCE(privmem_default_type, t);
			return 0;
		}
	}
	return -EINVAL;
}

static int type_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  privmem_type_name(READ_ONCE(privmem_default_type)));
}

static const struct kernel_param_ops type_param_ops = {
	.set = type_param_set,
	.get = type_param_get,
};
module_param_cb(type, &type_param_ops, NULL, 0644);
MODULE_PARM_DESC(type, "node type of the next bind: plain or compressed");

/* Serialises probe, removal and the bind/unbind attributes. */
static DEFINE_MUTEX(privmem_bind_mutex);
static const char *privmem_res_name = "System RAM (privmem)";

static void privmem_release(struct kref *ref)
{
	struct privmem_dev *pm = container_of(ref, struct privmem_dev, ref);

	/* The char device's struct device frees pm (privmem_dev_release). */
	put_device(&pm->dev);
}

void privmem_get(struct privmem_dev *pm)
{
	kref_get(&pm->ref);
}

void privmem_put(struct privmem_dev *pm)
{
	kref_put(&pm->ref, privmem_release);
}

static int privmem_range(struct dev_dax *dev_dax, int i, u64 *start, u64 *size)
{
	struct range *r = &dev_dax->ranges[i].range;
	u64 bs = memory_block_size_bytes();
	u64 s = ALIGN(r->start, bs), e = ALIGN_DOWN(r->end + 1, bs);

	if (e <= s)
		return -ENOSPC;
	*start = s;
	*size = e - s;
	return 0;
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

static int privmem_probe(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct privmem_dev *pm;
	int i, ret, nid = dev_dax->target_node;

	if (nid < 0 || nid >= MAX_NUMNODES || !node_possible(nid)) {
		dev_warn(dev, "rejecting dax device with invalid node %d\n", nid);
		return -EINVAL;
	}
	if (node_state(nid, N_MEMORY) || node_is_private(nid)) {
		dev_warn(dev, "node %d already has memory\n", nid);
		return -EBUSY;
	}

	mutex_lock(&privmem_bind_mutex);
	ret = -ENOMEM;
	pm = kzalloc(sizeof(*pm), GFP_KERNEL);
	if (!pm)
		goto err_unlock;
	kref_init(&pm->ref);
	init_rwsem(&pm->lock);
	spin_lock_init(&pm->map_lock);
	pm->dev_dax = dev_dax;
	pm->nid = nid;
	pm->type = READ_ONCE(privmem_default_type);
	pm->id = -1;
	if (sscanf(dev_name(dev), "dax%d.%d", &pm->dax_region,
		   &pm->dax_id) != 2) {
		pm->dax_region = -1;
		pm->dax_id = -1;
	}
	pm->np.owner = pm;
	pm->np.caps = privmem_type_caps(pm->type);
	pm->np.ops = &privmem_node_ops;
	privmem_pressure_init(pm);
	/* From here on pm->dev owns pm: errors put it, which frees pm. */
	privmem_dev_setup(pm);

	pm->res_name = kstrdup(dev_name(dev), GFP_KERNEL);
	if (!pm->res_name)
		goto err_put;
	pm->nr_ranges = dev_dax->nr_range;
	pm->ranges = kcalloc(pm->nr_ranges, sizeof(*pm->ranges), GFP_KERNEL);
	if (!pm->ranges)
		goto err_put;
	for (i = 0; i < pm->nr_ranges; i++) {
		if (privmem_range(dev_dax, i, &pm->ranges[i].start,
				  &pm->ranges[i].size))
			dev_info(dev, "range %d too small after alignment\n", i);
		pm->capacity += pm->ranges[i].size;
	}
	ret = -EINVAL;
	if (!pm->capacity) {
		dev_warn(dev, "no memory left after memory-block alignment\n");
		goto err_put;
	}

	/*
	 * memmap_on_memory would put the range's struct pages on the device.
	 * The mm writes struct pages all the time (reference counts, flags,
	 * LRU links); on a compressed device each of those writes would be
	 * a write in place, so a compressed node keeps its memmap in DRAM.
	 */
	if (pm->type == PRIVMEM_TYPE_COMPRESSED && dev_dax->memmap_on_memory) {
		dev_warn(dev, "a compressed node cannot have memmap_on_memory (struct pages would be written in place); write 0 to memmap_on_memory\n");
		goto err_put;
	}
	if (pm->type == PRIVMEM_TYPE_COMPRESSED) {
		ret = privmem_cram_init(pm);
		if (ret)
			goto err_put;
	}
	ret = privmem_add_memory(pm);
	if (ret)
		goto err_put;
	if (pm->cram) {
		ret = privmem_cram_start(pm);
		if (ret)
			goto err_remove;
	}
	ret = node_private_set_demotion(nid,
					pm->type == PRIVMEM_TYPE_COMPRESSED,
					NULL);
	if (ret)
		goto err_remove;
	ret = privmem_chardev_add(pm, dev);
	if (ret)
		goto err_remove;
	privmem_pressure_start(pm);

	/* The node's callbacks are this module's code. */
	__module_get(THIS_MODULE);
	dev_set_drvdata(dev, pm);
	mutex_unlock(&privmem_bind_mutex);
	dev_info(dev, "node %d: %llu MiB of %s private memory, /dev/privmem%d\n",
		 nid, pm->capacity >> 20, privmem_type_name(pm->type), pm->id);
	return 0;

err_remove:
	privmem_cram_stop(pm);
	if (privmem_remove_memory(pm)) {
		/* The node keeps pointing at pm: never free it. */
		dev_err(dev, "node %d: memory stays online\n", nid);
		__module_get(THIS_MODULE);
		mutex_unlock(&privmem_bind_mutex);
		return ret;
	}
err_put:
	put_device(&pm->dev);
err_unlock:
	mutex_unlock(&privmem_bind_mutex);
	return ret;
}

/*
 * Take the memory away: refuse while the device is mapped, keep new users
 * out, migrate everything off the node and remove it. On failure nothing
 * changed and the node is usable again.
 */
static int privmem_unplug(struct privmem_dev *pm)
{
	int ret;

	lockdep_assert_held(&privmem_bind_mutex);
	down_write(&pm->lock);
	if (pm->state == PRIVMEM_DEAD) {
		up_write(&pm->lock);
		return 0;
	}
	spin_lock(&pm->map_lock);
	if (pm->nr_mappings) {
		spin_unlock(&pm->map_lock);
		up_write(&pm->lock);
		return -EBUSY;
	}
	pm->state = PRIVMEM_REMOVING;
	spin_unlock(&pm->map_lock);
	up_write(&pm->lock);

	/* Ballooned pages are not movable: give them back first. */
	privmem_balloon_pause(pm);
	ret = privmem_remove_memory(pm);

	down_write(&pm->lock);
	spin_lock(&pm->map_lock);
	pm->state = ret ? PRIVMEM_ONLINE : PRIVMEM_DEAD;
	spin_unlock(&pm->map_lock);
	up_write(&pm->lock);
	if (ret) {
		privmem_balloon_resume(pm);
		dev_info(&pm->dev, "node %d: removal failed (%d), node kept\n",
			 pm->nid, ret);
		return ret == -EBUSY || ret == -EAGAIN ? -EBUSY : ret;
	}
	return 0;
}

static void privmem_remove(struct dev_dax *dev_dax)
{
	struct privmem_dev *pm = dev_get_drvdata(&dev_dax->dev);

	if (!pm)
		return;
	mutex_lock(&privmem_bind_mutex);
	/* Normally done by privmem's unbind; here the device is going away. */
	if (privmem_unplug(pm)) {
		dev_err(&dev_dax->dev,
			"node %d: memory cannot be removed until reboot\n",
			pm->nid);
		/* Owner callbacks still point here: keep pm and the module. */
		privmem_pressure_stop(pm);
		mutex_unlock(&privmem_bind_mutex);
		return;
	}
	privmem_pressure_stop(pm);
	privmem_cram_stop(pm);
	wake_up_all(&pm->waitq);
	privmem_chardev_del(pm);
	dev_set_drvdata(&dev_dax->dev, NULL);
	mutex_unlock(&privmem_bind_mutex);
	privmem_put(pm);
	module_put(THIS_MODULE);
}

static struct dax_device_driver privmem_driver;

static ssize_t unbind_store(struct device_driver *drv, const char *buf,
			    size_t count)
{
	struct privmem_dev *pm;
	struct device *dev;
	int ret;

	dev = bus_find_device_by_name(drv->bus, NULL, buf);
	if (!dev)
		return -ENODEV;
	mutex_lock(&privmem_bind_mutex);
	ret = -ENODEV;
	if (dev->driver != drv)
		goto out;
	pm = dev_get_drvdata(dev);
	ret = pm ? privmem_unplug(pm) : 0;
out:
	mutex_unlock(&privmem_bind_mutex);
	if (!ret)
		device_release_driver(dev);
	put_device(dev);
	return ret ? ret : count;
}
static DRIVER_ATTR_WO(unbind);

static ssize_t bind_store(struct device_driver *drv, const char *buf,
			  size_t count)
{
	struct device *dev;
	int ret;

	dev = bus_find_device_by_name(drv->bus, NULL, buf);
	if (!dev)
		return -ENODEV;
	ret = -EBUSY;
	if (dev->driver)
		goto out;
	ret = -ENODEV;
	if (!drv->bus->match || !drv->bus->match(dev, drv))
		goto out;	/* not in new_id */
	ret = driver_attach(drv);
	if (!ret && dev->driver != drv)
		ret = -EIO;	/* probe failed: see the kernel log */
out:
	put_device(dev);
	return ret ? ret : count;
}
static DRIVER_ATTR_WO(bind);

static ssize_t type_show(struct device_driver *drv, char *buf)
{
	return type_param_get(buf, NULL);
}

static ssize_t type_store(struct device_driver *drv, const char *buf,
			  size_t count)
{
	int ret = type_param_set(buf, NULL);

	return ret ? ret : count;
}
static DRIVER_ATTR_RW(type);

static struct attribute *privmem_drv_attrs[] = {
	&driver_attr_bind.attr,
	&driver_attr_unbind.attr,
	&driver_attr_type.attr,
	NULL,
};
ATTRIBUTE_GROUPS(privmem_drv);

static struct dax_device_driver privmem_driver = {
	.probe = privmem_probe,
	.remove = privmem_remove,
	.type = DAXDRV_KMEM_TYPE,
	.drv = {
		.suppress_bind_attrs = true,
		.groups = privmem_drv_groups,
	},
};

static int __init privmem_init(void)
{
	int ret;

	if (!private_node_core_ready())
		return -ENODEV;
	ret = privmem_chardev_init();
	if (ret)
		return ret;
	ret = dax_driver_register(&privmem_driver);
	if (ret)
		privmem_chardev_exit();
	return ret;
}

static void __exit privmem_exit(void)
{
	dax_driver_unregister(&privmem_driver);
	privmem_chardev_exit();
}

MODULE_DESCRIPTION("privmem: devdax memory as a private NUMA node, /dev/privmemN");
MODULE_LICENSE("GPL");
module_init(privmem_init);
module_exit(privmem_exit);
