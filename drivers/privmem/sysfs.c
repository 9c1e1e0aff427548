// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: /sys/class/privmem/privmemN, views of what the ioctls report
 * (read-only, but for the two settings of a compressed node under cram/):
 *
 *   type               plain | compressed
 *   node               private node id
 *   dax                the devdax device the node was made from
 *   capacity           logical capacity in bytes
 *   used, free         logical bytes in use and free on the node
 *   caps               services in effect, names separated by spaces
 *   page_sizes         page sizes faults may use, in bytes
 *   mappings           live mappings of /dev/privmemN
 *   poisoned           pages of the node marked hardware-poisoned by memory
 *                      failure (taken out of use until the node is removed)
 *   demotion           1 if the node is a demotion target, else 0
 *   demotion_sources   nodes that may demote into it (node list)
 *   pressure/level, low, high, state, events, injected, blocked
 *   counters/demotions_in, demotions_refused, promotions, migrations_in,
 *            migrations_out, promotion_failures (pages)
 *   counters/inplace_writes  pages a compressed node's device found changed
 *            in place when they left it (cram_data.c); 0 on plain nodes
 *   cram/              compressed nodes: the emulated device (cram_sysfs.c)
 *                      and its balloon (cram_balloon.c); physical_capacity
 *                      and balloon_target are its two writable settings
 *
 * pressure/level can be polled (sysfs_notify) for watermark crossings.
 */
#include <linux/device.h>
#include <linux/nodemask.h>
#include <linux/sysfs.h>
#include "privmem.h"

#define to_pm(d) container_of(d, struct privmem_dev, dev)

static ssize_t node_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pm(dev)->nid);
}
static DEVICE_ATTR_RO(node);

static ssize_t dax_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct privmem_dev *pm = to_pm(dev);

	return sysfs_emit(buf, "dax%d.%d\n", pm->dax_region, pm->dax_id);
}
static DEVICE_ATTR_RO(dax);

static ssize_t capacity_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pm(dev)->capacity);
}
static DEVICE_ATTR_RO(capacity);

/*
 * The figures below read pm->cram, which offline frees: they hold pm->lock
 * (privmem_enter() when they need the node online).
 */
static ssize_t used_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;

	down_read(&pm->lock);
	v = privmem_used_bytes(pm);
	up_read(&pm->lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(used);

static ssize_t free_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	u64 v;

	down_read(&pm->lock);
	v = privmem_free_bytes(pm);
	up_read(&pm->lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(free);

static const char * const privmem_cap_names[] = {
	"migration", "mempolicy", "demotion", "protect_write", "reclaim",
	"numa_balancing", "compaction", "longterm_pin",
};

static ssize_t caps_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	u64 caps = 0;

	/* Offline, the node's flags are not the device's. */
	if (!privmem_enter(to_pm(dev))) {
		caps = privmem_caps(to_pm(dev));
		privmem_leave(to_pm(dev));
	}
	int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(privmem_cap_names); i++)
		if (caps & BIT_ULL(i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     privmem_cap_names[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(caps);

static ssize_t page_sizes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	u64 sizes = privmem_page_sizes();
	int i, len = 0;

	for (i = 0; i < 64; i++)
		if (sizes & BIT_ULL(i))
			len += sysfs_emit_at(buf, len, "%s%llu", len ? " " : "",
					     BIT_ULL(i));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(page_sizes);

static ssize_t mappings_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_pm(dev)->nr_mappings));
}
static DEVICE_ATTR_RO(mappings);

static ssize_t shared_objects_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_pm(dev)->nr_shared));
}
static DEVICE_ATTR_RO(shared_objects);

static ssize_t poisoned_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	unsigned long nr;
	int ret;

	ret = privmem_enter(pm);
	if (ret == -ENXIO)
		return sysfs_emit(buf, "0\n");	/* offline: no memory */
	if (ret)
		return ret;
	nr = privmem_poisoned_pages(pm);
	privmem_leave(pm);
	return sysfs_emit(buf, "%lu\n", nr);
}
static DEVICE_ATTR_RO(poisoned);

static ssize_t demotion_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	nodemask_t sources;
	bool enabled = false;

	if (!privmem_enter(to_pm(dev))) {
		private_node_get_demotion(to_pm(dev)->nid, &enabled, &sources);
		privmem_leave(to_pm(dev));
	}
	return sysfs_emit(buf, "%d\n", enabled);
}
static DEVICE_ATTR_RO(demotion);

static ssize_t demotion_sources_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	nodemask_t sources = NODE_MASK_NONE;
	bool enabled;

	if (!privmem_enter(to_pm(dev))) {
		private_node_get_demotion(to_pm(dev)->nid, &enabled, &sources);
		privmem_leave(to_pm(dev));
	}
	return sysfs_emit(buf, "%*pbl\n", nodemask_pr_args(&sources));
}
static DEVICE_ATTR_RO(demotion_sources);

static struct attribute *privmem_attrs[] = {
	&dev_attr_node.attr,
	&dev_attr_dax.attr,
	&dev_attr_capacity.attr,
	&dev_attr_used.attr,
	&dev_attr_free.attr,
	&dev_attr_caps.attr,
	&dev_attr_page_sizes.attr,
	&dev_attr_mappings.attr,
	&dev_attr_shared_objects.attr,
	&dev_attr_poisoned.attr,
	&dev_attr_demotion.attr,
	&dev_attr_demotion_sources.attr,
	NULL,
};

static const struct attribute_group privmem_group = {
	.attrs = privmem_attrs,
};

static struct privmem_pressure privmem_read_pressure(struct device *dev)
{
	struct privmem_pressure p = { 0 };
	struct privmem_dev *pm = to_pm(dev);

	/* Offline, the last values stand: there is no node to measure. */
	if (!privmem_enter(pm)) {
		privmem_pressure_update(pm);
		privmem_leave(pm);
	}
	privmem_pressure_snapshot(pm, &p);
	return p;
}

#define PRESSURE_ATTR(_name, _expr)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct privmem_pressure p = privmem_read_pressure(dev);		\
									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(_expr));	\
}									\
static struct device_attribute pressure_attr_##_name = __ATTR_RO(_name)

PRESSURE_ATTR(level, p.level);
PRESSURE_ATTR(low, p.low);
PRESSURE_ATTR(high, p.high);
PRESSURE_ATTR(state, p.state);
PRESSURE_ATTR(events, p.events);
PRESSURE_ATTR(injected, !!(p.flags & PRIVMEM_PRESSURE_INJECTED));
PRESSURE_ATTR(blocked, !!(p.flags & PRIVMEM_PRESSURE_BLOCKED));

static struct attribute *privmem_pressure_attrs[] = {
	&pressure_attr_level.attr,
	&pressure_attr_low.attr,
	&pressure_attr_high.attr,
	&pressure_attr_state.attr,
	&pressure_attr_events.attr,
	&pressure_attr_injected.attr,
	&pressure_attr_blocked.attr,
	NULL,
};

static const struct attribute_group privmem_pressure_group = {
	.name = "pressure",
	.attrs = privmem_pressure_attrs,
};

struct privmem_counter_attr {
	struct device_attribute attr;
	size_t offset;		/* in struct privmem_counters */
};

static ssize_t counter_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct privmem_counter_attr *ca =
		container_of(attr, struct privmem_counter_attr, attr);
	atomic64_t *c = (void *)&to_pm(dev)->cnt + ca->offset;

	return sysfs_emit(buf, "%lld\n", atomic64_read(c));
}

static struct privmem_counter_attr counter_attr_demotions_in = {
	.attr = __ATTR(demotions_in, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, demotions_in),
};

static struct privmem_counter_attr counter_attr_demotions_refused = {
	.attr = __ATTR(demotions_refused, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, demotions_refused),
};

static struct privmem_counter_attr counter_attr_promotions = {
	.attr = __ATTR(promotions, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, promotions),
};

static struct privmem_counter_attr counter_attr_promotion_failures = {
	.attr = __ATTR(promotion_failures, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, promotion_failures),
};

static struct privmem_counter_attr counter_attr_migrations_in = {
	.attr = __ATTR(migrations_in, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, migrations_in),
};

static struct privmem_counter_attr counter_attr_migrations_out = {
	.attr = __ATTR(migrations_out, 0444, counter_show, NULL),
	.offset = offsetof(struct privmem_counters, migrations_out),
};

/* Kept by the emulated device of a compressed node, 0 on a plain node. */
static ssize_t inplace_writes_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct privmem_dev *pm = to_pm(dev);
	struct privmem_cram_stats st = { 0 };

	down_read(&pm->lock);
	if (pm->cram)
		privmem_cram_model_stats(&pm->cram->model, &st);
	up_read(&pm->lock);
	return sysfs_emit(buf, "%llu\n", st.inplace_writes);
}

static struct device_attribute counter_attr_inplace_writes =
	__ATTR_RO(inplace_writes);

static struct attribute *privmem_counter_attrs[] = {
	&counter_attr_demotions_in.attr.attr,
	&counter_attr_demotions_refused.attr.attr,
	&counter_attr_promotions.attr.attr,
	&counter_attr_promotion_failures.attr.attr,
	&counter_attr_migrations_in.attr.attr,
	&counter_attr_migrations_out.attr.attr,
	&counter_attr_inplace_writes.attr,
	NULL,
};

static const struct attribute_group privmem_counter_group = {
	.name = "counters",
	.attrs = privmem_counter_attrs,
};

const struct attribute_group *privmem_dev_groups[] = {
	&privmem_group,
	&privmem_settings_group,
	&privmem_pressure_group,
	&privmem_counter_group,
	&privmem_cram_group,
	NULL,
};
