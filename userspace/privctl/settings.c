// SPDX-License-Identifier: GPL-2.0
/*
 * privctl set / online / offline: the settings and the state of a bound
 * device, attributes of /sys/class/privmem/privmemN
 * (Documentation/ABI/testing/sysfs-class-privmem):
 *
 *   type, physical_size, numa_balancing, compaction, checksum, watermarks
 *           written while the device is offline (EBUSY while online,
 *           EINVAL for a value out of range)
 *   state   "online" hot-adds the memory as a private node with those
 *           settings, "offline" removes it (EBUSY while in use)
 *
 * create and destroy (bind.c) go through setting_write() and
 * state_write() too, so every caller explains a refusal the same way.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "privctl.h"

enum setting_kind {
	SETTING_WORD,		/* passed on as given */
	SETTING_SIZE,		/* privctl's sizes, written in bytes */
	SETTING_BOOL,		/* passed on: the kernel takes kstrtobool() words */
	SETTING_WATERMARKS,	/* LOW,HIGH, written as "LOW HIGH" */
};

struct setting {
	const char *key;	/* also the attribute's name */
	enum setting_kind kind;
	const char *valid;	/* what the kernel accepts, for messages */
};

static const struct setting settings[] = {
	{ "type", SETTING_WORD, "plain or compressed" },
	{ "physical_size", SETTING_SIZE, NULL },
	{ "numa_balancing", SETTING_BOOL, "0 or 1" },
	{ "compaction", SETTING_BOOL, "0 or 1" },
	{ "checksum", SETTING_BOOL, "0 or 1" },
	{ "watermarks", SETTING_WATERMARKS, "LOW,HIGH with 0 <= LOW < HIGH <= 1000" },
};

#define SETTING_KEYS "type, physical_size, numa_balancing, compaction, checksum, watermarks"

static const char set_usage[] =
"usage: privctl set DEV KEY=VALUE...\n"
"\n"
"Change the settings of an offline device; 'privctl online DEV' then\n"
"hot-adds its memory with them. The kernel refuses a change while the\n"
"device is online ('privctl offline DEV' first). Settings are applied in\n"
"order; the first one refused stops the rest.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  type=plain|compressed   the node type\n"
"  physical_size=SIZE      physical capacity of a compressed node (K/M/G),\n"
"                          up to the capacity; 0 for half of it\n"
"  numa_balancing=0|1      NUMA balancing may scan the node's pages\n"
"  compaction=0|1          compaction may run on the node (plain nodes)\n"
"  checksum=0|1            a compressed node's device checksums its pages\n"
"  watermarks=LOW,HIGH     pressure watermarks, 0 <= LOW < HIGH <= 1000\n"
"\n"
"  -h, --help              this help\n";

static const char online_usage[] =
"usage: privctl online DEV\n"
"\n"
"Hot-add the memory of a bound, offline device as a private node with its\n"
"settings (see 'privctl set'). Nothing to do if it is online already.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  -h, --help  this help\n";

static const char offline_usage[] =
"usage: privctl offline DEV\n"
"\n"
"Remove the memory of a device: migrate every page off the node and\n"
"offline it. The device stays bound to privmem, and its settings can be\n"
"changed ('privctl set'). Fails, changing nothing, while the memory is in\n"
"use. Nothing to do if it is offline already.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  -h, --help  this help\n";

/* The setting named @key; '-' may stand for '_' (numa-balancing). */
static const struct setting *find_setting(const char *key)
{
	char k[32];
	size_t i;

	if (strlen(key) >= sizeof(k))
		return NULL;
	for (i = 0; key[i]; i++)
		k[i] = key[i] == '-' ? '_' : key[i];
	k[i] = '\0';
	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(k, settings[i].key))
			return &settings[i];
	return NULL;
}

static void valid_values(const struct setting *s, const struct pm_dev *d,
			 char *buf, size_t len)
{
	char cap[SIZE_STR_LEN];

	if (s->kind != SETTING_SIZE) {
		snprintf(buf, len, "%s", s->valid);
		return;
	}
	snprintf(buf, len, "0..%" PRIu64 " bytes (the capacity, %s), K/M/G suffixes, 0 for half the capacity",
		 d->capacity, size_str(d->capacity, false, cap, sizeof(cap)));
}

/*
 * What to write to the attribute for @value. Returns 0, or -EINVAL for a
 * value that cannot be written as it is (empty, too long, a size beyond
 * 64 bits). Anything else is for the kernel to judge.
 */
static int attr_value(const struct setting *s, const char *value, char *buf,
		      size_t len)
{
	uint64_t bytes;
	char *p;
	int ret;

	/* An empty write reaches no store(): sysfs would report success. */
	if (!value[0] || strlen(value) >= len)
		return -EINVAL;
	snprintf(buf, len, "%s", value);
	switch (s->kind) {
	case SETTING_SIZE:
		ret = size_parse(value, &bytes);
		if (ret == -ERANGE)
			return -EINVAL;
		if (!ret)
			snprintf(buf, len, "%" PRIu64, bytes);
		break;
	case SETTING_WATERMARKS:
		for (p = buf; *p; p++)
			if (*p == ',')
				*p = ' ';
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Explain why writing attribute @attr of @d found no attribute (ENOENT,
 * ENODEV): the device was removed, or its driver does not have it.
 */
static void attr_missing_error(const struct pm_dev *d, const char *attr)
{
	if (access(d->syspath, F_OK))
		error("%s was removed meanwhile", d->name);
	else
		error("%s has no %s attribute: the privmem driver is older than privctl",
		      d->name, attr);
}

/*
 * Write setting @key (an attribute name; '-' may stand for '_') of @d as
 * @value, as the user gave it. Returns 0, or -errno with the cause printed.
 */
int setting_write(struct pm_dev *d, const char *key, const char *value)
{
	const struct setting *s = find_setting(key);
	char path[256], buf[128], valid[160];
	int ret;

	if (!s) {
		error("unknown setting '%s' (settings: %s)", key, SETTING_KEYS);
		return -EINVAL;
	}
	ret = attr_value(s, value, buf, sizeof(buf));
	if (!ret) {
		snprintf(path, sizeof(path), "%s/%s", d->syspath, s->key);
		ret = sysfs_write(path, buf);
	}
	switch (ret) {
	case 0:
		break;
	case -EINVAL:
	case -ERANGE:
		valid_values(s, d, valid, sizeof(valid));
		error("%s=%s: invalid (valid: %s)", s->key, value, valid);
		break;
	case -EBUSY:
		error("%s is online: settings can only change while offline (privctl offline %s)",
		      d->name, d->name);
		if (s->kind == SETTING_WATERMARKS)
			note("the watermarks of an online node change with 'privctl pressure %s --watermarks LOW,HIGH'",
			     d->name);
		break;
	case -EACCES:
	case -EPERM:
		error("changing the settings of %s needs root", d->name);
		break;
	case -ENOENT:
	case -ENODEV:
		attr_missing_error(d, s->key);
		break;
	default:
		error("%s=%s: %s", s->key, value, strerror(-ret));
	}
	return ret;
}

/* Why offlining (or unbinding) said EBUSY, from what the kernel shows. */
void explain_busy(struct pm_dev *d)
{
	char users[1024], u[SIZE_STR_LEN], c[SIZE_STR_LEN];
	int n;

	if (d->mappings > 0) {
		n = proc_users(d->devpath, users, sizeof(users));
		error("%s is busy: %s is mapped (%ld mapping%s%s%s)", d->name,
		      d->devpath, d->mappings, d->mappings == 1 ? "" : "s",
		      n ? " by " : "", n ? users : "");
	} else if (d->shared_objects > 0) {
		n = proc_users(d->devpath, users, sizeof(users));
		error("%s is busy: %ld shared object%s (MAP_SHARED) of %s still hold%s pages while a descriptor is open%s%s",
		      d->name, d->shared_objects, d->shared_objects == 1 ? "" : "s",
		      d->devpath, d->shared_objects == 1 ? "s" : "",
		      n ? ": open in " : "", n ? users : "");
	} else {
		error("%s is busy: %s of memory on node %d could not be migrated off it (pages pinned or in use, e.g. by I/O or vmsplice)",
		      d->name, size_str(d->used, false, u, sizeof(u)), d->node);
	}
	note("nothing was lost: node %d keeps its %s of memory and all its data; stop the users and try again",
	     d->node, size_str(d->capacity, false, c, sizeof(c)));
}

/*
 * Write "online" or "offline" to @d's state. Returns 0, or -errno with the
 * cause printed (for EBUSY from "offline", who holds the memory).
 */
int state_write(struct pm_dev *d, bool online)
{
	char path[256], msg[512];
	struct pm_dev now;
	int ret, mark;

	snprintf(path, sizeof(path), "%s/state", d->syspath);
	mark = kernel_log_mark();
	ret = sysfs_write(path, online ? "online" : "offline");
	/* The driver's reason, if it logged one (only read on failure). */
	msg[0] = '\0';
	if (ret)
		kernel_says(mark, d->name, d->dax, msg, sizeof(msg));
	else if (mark >= 0)
		close(mark);

	switch (ret) {
	case 0:
		return 0;
	case -EACCES:
	case -EPERM:
		error("taking %s %s needs root", d->name, online ? "online" : "offline");
		return ret;
	case -ENOENT:
	case -ENODEV:
		attr_missing_error(d, "state");
		return ret;
	}
	if (!online) {
		if (ret == -EBUSY)
			/* fresh counts: the mappings may have changed */
			explain_busy(dev_load(d->name, &now) ? d : &now);
		else
			error("taking %s offline failed: %s; the node is kept%s%s", d->name,
			      strerror(-ret), msg[0] ? ": " : " (see dmesg)", msg);
		return ret;
	}
	switch (ret) {
	case -EBUSY:
		if (msg[0])
			error("%s cannot go online: %s", d->name, msg);
		else
			error("%s cannot go online: its target node %d already has memory, or its range is in use (see dmesg)",
			      d->name, d->node);
		break;
	case -EINVAL:
		error("%s cannot go online with its settings%s%s", d->name,
		      msg[0] ? ": " : " (see dmesg)", msg);
		note("'privctl info %s' shows them; 'privctl set %s KEY=VALUE' changes them",
		     d->name, d->name);
		break;
	case -ENOMEM:
		error("%s cannot go online: out of memory while hot-adding node %d%s%s",
		      d->name, d->node, msg[0] ? ": " : "", msg);
		break;
	default:
		error("%s cannot go online: %s%s%s", d->name, strerror(-ret),
		      msg[0] ? ": " : " (see dmesg)", msg);
	}
	return ret;
}

/*
 * online and offline: the one option (-h) and DEV, and nothing to do if
 * the device is in the state asked for already.
 */
static int state_cmd(int argc, char **argv, bool online)
{
	struct pm_dev d;
	int ret;

	cmd_help_only(argc, argv, online ? online_usage : offline_usage);
	ret = cmd_dev_operand(argc, argv, &d);
	if (ret)
		return ret;
	if (online && d.online) {
		printf("%s is online already (node %d)\n", d.name, d.node);
		return EXIT_OK;
	}
	if (!online && !strcmp(d.state, "offline")) {
		printf("%s is offline already\n", d.name);
		return EXIT_OK;
	}
	if (state_write(&d, online))
		return EXIT_FAIL;
	if (online)
		dev_print_summary(d.name, false, false);
	else
		printf("%s is offline: node %d has no memory now; 'privctl set %s KEY=VALUE' changes its settings, 'privctl online %s' brings it back\n",
		       d.name, d.node, d.name, d.name);
	return EXIT_OK;
}

int cmd_online(int argc, char **argv)
{
	return state_cmd(argc, argv, true);
}

int cmd_offline(int argc, char **argv)
{
	return state_cmd(argc, argv, false);
}

/* "KEY=VALUE" at @arg: the setting, with @value pointing into @arg. */
static const struct setting *split_setting(const char *arg, const char **value)
{
	const char *eq = strchr(arg, '=');
	char key[32];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key))
		return NULL;
	memcpy(key, arg, eq - arg);
	key[eq - arg] = '\0';
	*value = eq + 1;
	return find_setting(key);
}

/* argv[from..to) as "KEY=VALUE KEY=VALUE", with the keys' own names. */
static void join_settings(char **argv, int from, int to, char *buf, size_t len)
{
	const struct setting *s;
	const char *value;
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = from; i < to && off < len; i++) {
		s = split_setting(argv[i], &value);
		off += snprintf(buf + off, len - off, "%s%s=%s", i > from ? " " : "",
				s->key, value);
	}
}

int cmd_set(int argc, char **argv)
{
	char done[512], rest[512], valid[160];
	const struct setting *s;
	const char *value;
	struct pm_dev d;
	int i, first;

	cmd_help_only(argc, argv, set_usage);
	if (optind >= argc)
		return usage_error("which device? (privmemN, see 'privctl list')");
	first = optind + 1;
	if (first >= argc)
		return usage_error("nothing to set: give KEY=VALUE (settings: %s)", SETTING_KEYS);
	/* Every argument is well formed before anything is written. */
	for (i = first; i < argc; i++) {
		if (!strchr(argv[i], '='))
			return usage_error("'%s' is not KEY=VALUE (settings: %s)", argv[i],
					   SETTING_KEYS);
		if (!split_setting(argv[i], &value))
			return usage_error("unknown setting '%.*s' (settings: %s)",
					   (int)(strchr(argv[i], '=') - argv[i]), argv[i],
					   SETTING_KEYS);
	}
	if (dev_find(argv[optind], &d))
		return EXIT_FAIL;
	for (i = first; i < argc; i++) {
		s = split_setting(argv[i], &value);
		if (!value[0]) {
			valid_values(s, &d, valid, sizeof(valid));
			error("%s=: invalid (valid: %s)", s->key, valid);
			note("nothing was changed");
			return EXIT_FAIL;
		}
	}

	for (i = first; i < argc; i++) {
		s = split_setting(argv[i], &value);
		if (!setting_write(&d, s->key, value))
			continue;
		if (i == first) {
			note("nothing was changed");
		} else {
			join_settings(argv, first, i, done, sizeof(done));
			join_settings(argv, i, argc, rest, sizeof(rest));
			note("applied: %s; not applied: %s", done, rest);
		}
		return EXIT_FAIL;
	}
	join_settings(argv, first, argc, done, sizeof(done));
	printf("%s: %s\n", d.name, done);
	return EXIT_OK;
}
