// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: /sys/class/privmem/privmemN/cram/, the emulated device of a
 * compressed node (cram_device.c) and its balloon (cram_balloon.c); the
 * group is visible on compressed nodes only. physical_capacity and
 * balloon_target are its two writable settings; the rest are the
 * device's accounting (cram_model.c).
 *
 * offline frees pm->cram: the figures hold pm->lock, the settings need
 * the node online (privmem_enter()).
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "privmem.h"

#define to_pm(d) container_of(d, struct privmem_dev, dev)

#define CRAM_ATTR(_name, _expr)						\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct privmem_dev *pm = to_pm(dev);				\
	struct privmem_cram_stats st = { 0 };				\
	unsigned long long v;						\
									\
	down_read(&pm->lock);	/* offline frees pm->cram */		\
	if (pm->cram)							\
		privmem_cram_model_stats(&pm->cram->model, &st);	\
	v = (_expr);							\
	up_read(&pm->lock);						\
	return sysfs_emit(buf, "%llu\n", v);				\
}									\
static struct device_attribute cram_attr_##_name = __ATTR_RO(_name)

CRAM_ATTR(physical_used, st.used);
CRAM_ATTR(stored_pages, st.stored);
CRAM_ATTR(compression_ratio, st.ratio);
CRAM_ATTR(bytes_charged, st.charged);
CRAM_ATTR(bytes_uncharged, st.uncharged);
CRAM_ATTR(checksum, pm->cram && pm->cram->model.verify);
CRAM_ATTR(reclaim_demotions_refused,
	  pm->cram ? atomic64_read(&pm->cram->cn.demotions_refused) : 0);
CRAM_ATTR(balloon, (u64)privmem_balloon_pages(pm) << PAGE_SHIFT);
CRAM_ATTR(ratio_estimate, pm->cram ? READ_ONCE(pm->cram->balloon.ratio) : 0);
CRAM_ATTR(balloon_inflated,
	  pm->cram ? atomic64_read(&pm->cram->balloon.inflated) : 0);
CRAM_ATTR(balloon_deflated,
	  pm->cram ? atomic64_read(&pm->cram->balloon.deflated) : 0);

static ssize_t physical_capacity_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;

	down_read(&pm->lock);
	v = pm->cram ? READ_ONCE(pm->cram->model.capacity) : 0;
	up_read(&pm->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t physical_capacity_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;
	int ret;

	ret = privmem_parse_size(buf, &v);
	if (ret)
		return ret;
	ret = privmem_enter(pm);
	if (ret)
		return ret;
	ret = pm->cram ? privmem_cram_set_capacity(pm, v) : -ENODEV;
	privmem_leave(pm);
	return ret ? ret : count;
}

static struct device_attribute cram_attr_physical_capacity =
	__ATTR_RW_MODE(physical_capacity, 0644);

static ssize_t balloon_target_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	s64 t;

	down_read(&pm->lock);
	t = pm->cram ? privmem_balloon_target(pm) : -1;
	up_read(&pm->lock);

	if (t < 0)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%lld\n", t);
}

static ssize_t balloon_target_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct privmem_dev *pm = to_pm(dev);
	s64 t = -1;
	u64 v;
	int ret;

	if (!sysfs_streq(buf, "auto")) {
		ret = privmem_parse_size(buf, &v);
		if (ret)
			return ret;
		if (v > S64_MAX)
			return -EINVAL;
		t = v;
	}
	ret = privmem_enter(pm);
	if (ret)
		return ret;
	ret = pm->cram ? privmem_balloon_set_target(pm, t) : -ENODEV;
	privmem_leave(pm);
	return ret ? ret : count;
}

static struct device_attribute cram_attr_balloon_target =
	__ATTR_RW_MODE(balloon_target, 0644);

static struct attribute *privmem_cram_attrs[] = {
	&cram_attr_physical_capacity.attr,
	&cram_attr_physical_used.attr,
	&cram_attr_stored_pages.attr,
	&cram_attr_compression_ratio.attr,
	&cram_attr_bytes_charged.attr,
	&cram_attr_bytes_uncharged.attr,
	&cram_attr_checksum.attr,
	&cram_attr_reclaim_demotions_refused.attr,
	&cram_attr_balloon.attr,
	&cram_attr_balloon_target.attr,
	&cram_attr_balloon_inflated.attr,
	&cram_attr_balloon_deflated.attr,
	&cram_attr_ratio_estimate.attr,
	NULL,
};

static bool privmem_cram_group_visible(struct kobject *kobj)
{
	return to_pm(kobj_to_dev(kobj))->set.type == PRIVMEM_TYPE_COMPRESSED;
}

DEFINE_SIMPLE_SYSFS_GROUP_VISIBLE(privmem_cram);

const struct attribute_group privmem_cram_group = {
	.name = "cram",
	.attrs = privmem_cram_attrs,
	.is_visible = SYSFS_GROUP_VISIBLE(privmem_cram),
};
