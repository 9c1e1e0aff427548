// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: binding a devdax device. Probe creates /dev/privmemN and its
 * sysfs directory with the memory offline (state.c brings it online with
 * the device's settings); remove and unbind take it offline first, or
 * fail with -EBUSY changing nothing.
 *
 * The driver core's bind/unbind attributes cannot fail an unbind, so the
 * driver suppresses them and provides its own: unbind first takes the
 * memory offline and only then releases the device; bind attaches a
 * device named in new_id. Binding normally goes through new_id, as for
 * dax/kmem.
 *
 * Setup and teardown mirror each other row by row; teardown runs its
 * column from the bottom up:
 *
 *	privmem_init()			privmem_exit()
 *	  privmem_chardev_init()	  privmem_chardev_exit()
 *	  dax_driver_register()		  dax_driver_unregister()
 *
 *	privmem_probe()			privmem_remove()
 *	  kzalloc(pm), kref_init()	  privmem_put(): the last reference
 *	  privmem_dev_setup()		    puts pm->dev, whose release
 *	  kstrdup(res_name)		    (privmem_dev_release(), chardev.c)
 *	  kcalloc(ranges)		    frees the ranges, name, minor, pm
 *	  privmem_chardev_add()		  privmem_chardev_del()
 *	  dev_set_drvdata(pm)		  dev_set_drvdata(NULL)
 *	  (memory left offline)		  privmem_retire(): offline for good
 *
 * Once pm->dev owns pm, a failed probe unwinds through put_device(), as
 * the last reference does after remove.
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

/**
 * privmem_type_parse() - a node type from its sysfs name
 * @buf: "plain" or "compressed", with or without a newline
 *
 * Return: PRIVMEM_TYPE_*, or -EINVAL.
 */
int privmem_type_parse(const char *buf)
{
	unsigned int t;

	for (t = 1; t < ARRAY_SIZE(privmem_type_names); t++)
		if (privmem_type_names[t] && sysfs_streq(buf, privmem_type_names[t]))
			return t;
	return -EINVAL;
}

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

static int privmem_probe(struct dev_dax *dev_dax)
{
	struct device *dev = &dev_dax->dev;
	struct privmem_dev *pm;
	int i, ret, nid = dev_dax->target_node;

	if (nid < 0 || nid >= MAX_NUMNODES || !node_possible(nid)) {
		dev_warn(dev, "rejecting dax device with invalid node %d\n", nid);
		return -EINVAL;
	}

	pm = kzalloc(sizeof(*pm), GFP_KERNEL);
	if (!pm)
		return -ENOMEM;
	kref_init(&pm->ref);
	init_rwsem(&pm->lock);
	spin_lock_init(&pm->map_lock);
	INIT_LIST_HEAD(&pm->shared);
	pm->state = PRIVMEM_OFFLINE;
	pm->dev_dax = dev_dax;
	pm->nid = nid;
	pm->id = -1;
	if (sscanf(dev_name(dev), "dax%d.%d", &pm->dax_region,
		   &pm->dax_id) != 2) {
		pm->dax_region = -1;
		pm->dax_id = -1;
	}
	privmem_settings_init(pm);
	pm->np.owner = pm;
	pm->np.ops = &privmem_node_ops;
	privmem_pressure_init(pm);
	/* From here on pm->dev owns pm: errors put it, which frees pm. */
	privmem_dev_setup(pm);

	ret = -ENOMEM;
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
	ret = privmem_chardev_add(pm, dev);
	if (ret)
		goto err_put;
	dev_set_drvdata(dev, pm);
	dev_info(dev, "/dev/privmem%d: %llu MiB for node %d, offline\n",
		 pm->id, pm->capacity >> 20, nid);
	return 0;

err_put:
	put_device(&pm->dev);
	return ret;
}

static void privmem_remove(struct dev_dax *dev_dax)
{
	struct privmem_dev *pm = dev_get_drvdata(&dev_dax->dev);

	if (!pm)
		return;
	/*
	 * Normally done by privmem's unbind, which refuses while the node is
	 * mapped; here the device is going away (e.g. cxl destroy-region):
	 * mapped or not, its folios move to DRAM before the memory goes.
	 */
	if (privmem_retire(pm, true)) {
		dev_err(&dev_dax->dev,
			"node %d: memory cannot be removed until reboot\n",
			pm->nid);
		/* Owner callbacks still point here: keep pm (and the module). */
		return;
	}
	dev_set_drvdata(&dev_dax->dev, NULL);
	privmem_chardev_del(pm);
	privmem_put(pm);
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
	device_lock(dev);
	ret = -ENODEV;
	if (dev->driver != drv)
		goto out;
	/* Offline first: unlike the release, that may fail. */
	pm = dev_get_drvdata(dev);
	ret = pm ? privmem_retire(pm, false) : 0;
out:
	device_unlock(dev);
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

static struct attribute *privmem_drv_attrs[] = {
	&driver_attr_bind.attr,
	&driver_attr_unbind.attr,
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
