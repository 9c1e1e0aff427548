// SPDX-License-Identifier: GPL-2.0
/*
 * privctl list: every privmem device and every other private node, as a
 * table or as JSON (an array of objects shaped like `daxctl list`).
 * privctl info: everything INFO, GET_PRESSURE and sysfs say about one
 * device. An offline device (bound, no memory) shows its settings.
 * The one-line summary create and online print.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "privctl.h"

static const char list_usage[] =
"usage: privctl list [--dev DEV] [--node N] [--json] [--bytes]\n"
"\n"
"List private memory nodes: every privmem device (dax device and what\n"
"backs it: a CXL region or an NVDIMM namespace; node, state, type,\n"
"capacity, used, free, pressure; physical use and ratio of compressed\n"
"nodes) and any private node another driver owns. An offline device is\n"
"listed with its capacity and '-' for what only memory has.\n"
"\n"
"  -d, --dev DEV    only this device (privmemN, /dev/privmemN or daxX.Y)\n"
"  -n, --node N     only the private node N\n"
"  -j, --json       JSON: an array of device objects (see privctl(1))\n"
"  -b, --bytes      sizes in bytes in the table\n"
"  -h, --help       this help\n";

static const char info_usage[] =
"usage: privctl info DEV [--json] [--bytes]\n"
"\n"
"Show everything the kernel reports about one privmem device: its state\n"
"and settings, the INFO and GET_PRESSURE ioctls (as root, online) and its\n"
"sysfs attributes.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  -j, --json       one JSON object, as in 'privctl list --json'\n"
"  -b, --bytes      sizes in bytes\n"
"  -h, --help       this help\n";

/* Private nodes no privmem device owns, with their node meminfo. */
struct other_node {
	int node;
	uint64_t total, free;
};

static uint64_t node_meminfo_kb(int node, const char *key)
{
	char path[128], line[256], k[64];
	unsigned long long v, val = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), SYS_NODES "/node%d/meminfo", node);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %d %63[^:]: %llu", &n, k, &v) == 3 &&
		    !strcmp(k, key))
			val = v;
	fclose(f);
	return val;
}

static void print_header(void)
{
	printf("%-10s %-8s %-20s %4s %-7s %-10s %12s %12s %12s %-14s %12s %6s\n",
	       "DEVICE", "DAX", "BACKING", "NODE", "STATE", "TYPE", "CAPACITY",
	       "USED", "FREE", "PRESSURE", "PHYS-USED", "RATIO");
}

static void print_row(const struct pm_dev *d, bool raw)
{
	char cap[SIZE_STR_LEN], used[SIZE_STR_LEN] = "-", fr[SIZE_STR_LEN] = "-";
	char pu[SIZE_STR_LEN] = "-", ratio[16] = "-", pr[32] = "-";
	char bk[BACKING_STR_LEN];

	backing_format(&d->backing, bk, sizeof(bk));
	if (d->online) {
		snprintf(pr, sizeof(pr), "%u %s", d->pressure.level,
			 state_name(d->pressure.state));
		size_str(d->used, raw, used, sizeof(used));
		size_str(d->free, raw, fr, sizeof(fr));
	}
	if (d->type == PRIVMEM_TYPE_COMPRESSED && d->have_ioctl &&
	    d->pressure.physical_capacity) {
		size_str(d->pressure.physical_used, raw, pu, sizeof(pu));
		snprintf(ratio, sizeof(ratio), "%.2f",
			 d->pressure.compression_ratio / 1000.0);
	}
	printf("%-10s %-8s %-20s %4d %-7s %-10s %12s %12s %12s %-14s %12s %6s\n",
	       d->name, d->dax, bk, d->node, d->state,
	       type_name(d->type), size_str(d->capacity, raw, cap, sizeof(cap)),
	       used, fr, pr, pu, ratio);
}

static void print_other_row(const struct other_node *o, bool raw)
{
	char cap[SIZE_STR_LEN], used[SIZE_STR_LEN], fr[SIZE_STR_LEN];

	printf("%-10s %-8s %-20s %4d %-7s %-10s %12s %12s %12s %-14s %12s %6s\n",
	       "-", "-", "-", o->node, "-", "other",
	       size_str(o->total, raw, cap, sizeof(cap)),
	       size_str(o->total - o->free, raw, used, sizeof(used)),
	       size_str(o->free, raw, fr, sizeof(fr)), "-", "-", "-");
}

/*
 * The settings the driver shows, as 'privctl set' takes them:
 * "type=plain physical_size=0 ... watermarks=600,900".
 */
static void settings_format(const struct pm_dev *d, char *buf, size_t len)
{
	const struct { const char *key; int v; } bools[] = {
		{ "numa_balancing", d->numa_balancing },
		{ "compaction", d->compaction },
		{ "checksum", d->checksum },
	};
	size_t off, i;

	off = snprintf(buf, len, "type=%s", type_name(d->type));
	if (d->physical_size >= 0 && off < len)
		off += snprintf(buf + off, len - off, " physical_size=%" PRId64,
				d->physical_size);
	for (i = 0; i < ARRAY_SIZE(bools); i++)
		if (bools[i].v >= 0 && off < len)
			off += snprintf(buf + off, len - off, " %s=%d", bools[i].key,
					bools[i].v);
	if (d->have_watermarks && off < len)
		snprintf(buf + off, len - off, " watermarks=%u,%u", d->wm_low, d->wm_high);
}

/* What create and online print: one line, and the settings. */
void dev_print_summary(const char *name, bool json, bool raw)
{
	char cap[SIZE_STR_LEN], caps[256], set[256];
	struct pm_dev d;

	if (dev_load(name, &d))
		return;
	if (json) {
		struct json_object *o = dev_to_json(&d);

		json_print(o);
		json_object_put(o);
		return;
	}
	size_str(d.capacity, raw, cap, sizeof(cap));
	if (d.online) {
		caps_format(d.caps, caps, sizeof(caps));
		printf("%s: %s, node %d, %s, %s, services %s\n", d.name, d.dax,
		       d.node, type_name(d.type), cap, caps[0] ? caps : "none");
	} else {
		printf("%s: %s, node %d, %s, %s, offline ('privctl online %s' brings it up)\n",
		       d.name, d.dax, d.node, type_name(d.type), cap, d.name);
	}
	settings_format(&d, set, sizeof(set));
	printf("  settings %s\n", set);
}

static struct json_object *other_to_json(const struct other_node *o)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "chardev", NULL);
	json_object_object_add(j, "node", json_object_new_int(o->node));
	json_object_object_add(j, "type", json_object_new_string("other"));
	json_object_object_add(j, "capacity", json_object_new_uint64(o->total));
	json_object_object_add(j, "used", json_object_new_uint64(o->total - o->free));
	json_object_object_add(j, "free", json_object_new_uint64(o->free));
	return j;
}

/* What list has shown so far, and how it shows it. */
struct list_out {
	bool json, raw;
	bool header;		/* the table's header is printed */
	int shown;
	struct json_object *arr;
};

/*
 * One entry of the list, a privmem device @d or else a private node
 * @other no device owns: an element of the JSON array, or a row of the
 * table (after its header).
 */
static void list_entry(struct list_out *out, const struct pm_dev *d,
		       const struct other_node *other)
{
	out->shown++;
	if (out->json) {
		json_object_array_add(out->arr, d ? dev_to_json(d) : other_to_json(other));
		return;
	}
	if (!out->header)
		print_header();
	out->header = true;
	if (d)
		print_row(d, out->raw);
	else
		print_other_row(other, out->raw);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "node", required_argument, NULL, 'n' },
		OPTION_JSON,
		OPTION_BYTES,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = list_usage };
	struct list_out out = { };
	const char *devarg = NULL;
	char want[32] = "", **names, nodename[32], want_node[32];
	struct nodeset priv, owned = { };
	int c, i, n, node = -1;

	while ((c = cmd_getopt(argc, argv, "d:n:jbh", opts, &o)) != -1) {
		switch (c) {
		case 'd':
			devarg = optarg;
			break;
		case 'n': {
			char *end;

			node = strtol(optarg, &end, 10);
			if (*end || end == optarg || node < 0 || node >= MAX_NODES)
				return usage_error("--node wants a node number, not '%s'", optarg);
			break;
		}
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (devarg && dev_resolve(devarg, want, sizeof(want))) {
		error("%s: no such privmem device (see 'privctl list')", devarg);
		return EXIT_FAIL;
	}
	memset(&priv, 0, sizeof(priv));
	nodeset_read(SYS_NODES "/has_private_memory", &priv);
	/* An offline device's node is not private (yet), but it is its node. */
	snprintf(nodename, sizeof(nodename), "node%d", node);
	if (node >= 0 && !nodeset_has(&priv, node) &&
	    dev_resolve(nodename, want_node, sizeof(want_node))) {
		char b[256];

		nodeset_format(&priv, b, sizeof(b));
		error("node %d is not a private node (has_private_memory: %s)",
		      node, b[0] ? b : "none");
		return EXIT_FAIL;
	}

	out.json = o.json;
	out.raw = o.raw;
	out.arr = json_object_new_array();
	n = dev_names(&names);
	for (i = 0; i < n; i++) {
		struct pm_dev d;

		if (dev_load(names[i], &d))
			continue;
		if (d.node >= 0 && d.node < MAX_NODES)
			nodeset_set(&owned, d.node);
		if (want[0] && strcmp(want, d.name))
			continue;
		if (node >= 0 && d.node != node)
			continue;
		list_entry(&out, &d, NULL);
	}
	dev_names_free(names, n);

	for (i = 0; i < MAX_NODES && !want[0]; i++) {
		struct other_node other;

		if (!nodeset_has(&priv, i) || nodeset_has(&owned, i))
			continue;
		if (node >= 0 && i != node)
			continue;
		other.node = i;
		other.total = node_meminfo_kb(i, "MemTotal") << 10;
		other.free = node_meminfo_kb(i, "MemFree") << 10;
		if (other.free > other.total)
			other.free = other.total;
		list_entry(&out, NULL, &other);
	}

	if (o.json)
		json_print(out.arr);
	else if (!out.shown)
		note("no private nodes%s", privmem_loaded() ? "" :
		     " (the privmem module is not loaded; 'privctl create' loads it)");
	json_object_put(out.arr);
	return EXIT_OK;
}

static void print_info(const struct pm_dev *d, bool raw)
{
	const struct privmem_pressure *p = &d->pressure;
	char a[SIZE_STR_LEN], b[SIZE_STR_LEN], buf[1024];
	int i, first = 1, tier;

	printf("%s\n", d->name);
	printf("  %-18s %s\n", "device", d->devpath);
	printf("  %-18s %s\n", "dax", d->dax);
	if (d->backing.name[0] && strcmp(d->backing.name, d->backing.region))
		printf("  %-18s %s %s (%s)\n", "backing",
		       backing_kind_name(d->backing.kind), d->backing.name,
		       d->backing.region);
	else if (d->backing.name[0])
		printf("  %-18s %s %s\n", "backing",
		       backing_kind_name(d->backing.kind), d->backing.name);
	else
		printf("  %-18s other (neither a CXL region nor an NVDIMM namespace)\n",
		       "backing");
	printf("  %-18s %d\n", "node", d->node);
	if (d->online)
		printf("  %-18s online\n", "state");
	else
		printf("  %-18s %s (no memory; 'privctl online %s' brings it up)\n",
		       "state", d->state, d->name);
	printf("  %-18s %s\n", "type", type_name(d->type));
	settings_format(d, buf, sizeof(buf));
	printf("  %-18s %s\n", "settings", buf);
	printf("  %-18s %s\n", "capacity", size_str(d->capacity, raw, a, sizeof(a)));
	if (!d->online) {
		if (d->type == PRIVMEM_TYPE_COMPRESSED && d->physical_size >= 0)
			printf("  %-18s %s\n", "physical size",
			       d->physical_size ? size_str(d->physical_size, raw, a, sizeof(a)) :
			       "half the capacity");
		printf("  %-18s %ld\n", "mappings", d->mappings);
		if (d->shared_objects >= 0)
			printf("  %-18s %ld\n", "shared objects", d->shared_objects);
		printf("  %-18s low %u, high %u\n", "watermarks", p->low, p->high);
		return;
	}
	caps_format(d->caps, buf, sizeof(buf));
	printf("  %-18s %s\n", "services", buf[0] ? buf : "none");
	printf("  %-18s %s\n", "used", size_str(d->used, raw, a, sizeof(a)));
	printf("  %-18s %s\n", "free", size_str(d->free, raw, a, sizeof(a)));
	printf("  %-18s ", "page sizes");
	for (i = 0; i < 64; i++)
		if (d->page_sizes & (1ULL << i)) {
			printf("%s%s", first ? "" : ", ",
			       size_str(1ULL << i, raw, a, sizeof(a)));
			first = 0;
		}
	printf("\n");
	printf("  %-18s %ld\n", "mappings", d->mappings);
	if (d->shared_objects >= 0)
		printf("  %-18s %ld\n", "shared objects", d->shared_objects);
	if (d->poisoned >= 0)
		printf("  %-18s %ld page%s\n", "poisoned", d->poisoned,
		       d->poisoned == 1 ? "" : "s");
	else
		printf("  %-18s unknown (driver without the poisoned attribute)\n",
		       "poisoned");
	nodeset_format(&d->demotion_sources, buf, sizeof(buf));
	printf("  %-18s %s, from nodes %s\n", "demotion target",
	       d->demotion ? "enabled" : "disabled", buf[0] ? buf : "none");
	tier = memory_tier_of(d->node, NULL, 0);
	if (tier >= 0)
		printf("  %-18s memory_tier%d\n", "memory tier", tier);
	else
		printf("  %-18s none\n", "memory tier");
	printf("  %-18s %u (%s)%s%s\n", "pressure level", p->level,
	       state_name(p->state),
	       p->flags & PRIVMEM_PRESSURE_INJECTED ? ", injected" : "",
	       p->flags & PRIVMEM_PRESSURE_BLOCKED ? ", blocked: refuses new pages" : "");
	printf("  %-18s low %u, high %u\n", "watermarks", p->low, p->high);
	printf("  %-18s %" PRIu64 "\n", "crossings", (uint64_t)p->events);
	if (d->type == PRIVMEM_TYPE_COMPRESSED) {
		if (!d->have_ioctl) {
			printf("  %-18s unknown (run as root to query the device)\n",
			       "physical");
		} else if (!p->physical_capacity) {
			printf("  %-18s not reported by the driver\n", "physical");
		} else {
			printf("  %-18s %s of %s, ratio %.2f\n", "physical",
			       size_str(p->physical_used, raw, a, sizeof(a)),
			       size_str(p->physical_capacity, raw, b, sizeof(b)),
			       p->compression_ratio / 1000.0);
			printf("  %-18s %s held off the node (free space estimated at ratio %.2f)\n",
			       "balloon", size_str(p->balloon, raw, a, sizeof(a)),
			       p->ratio_estimate / 1000.0);
		}
	}
	printf("  %-18s %" PRIu64 " in, %" PRIu64 " out\n", "migrations (pages)",
	       (uint64_t)p->migrations_in, (uint64_t)p->migrations_out);
	printf("  %-18s %" PRIu64 " in, %" PRIu64 " refused\n", "demotions (pages)",
	       (uint64_t)p->demotions_in, (uint64_t)p->demotions_refused);
	printf("  %-18s %" PRIu64 "\n", "promotions (pages)", (uint64_t)p->promotions);
	if (d->type == PRIVMEM_TYPE_COMPRESSED)
		printf("  %-18s %" PRIu64 "%s\n", "in-place writes",
		       d->inplace_writes, d->inplace_writes ?
		       " (pages changed on the node, not promoted)" : "");
	if (!d->have_ioctl)
		printf("  (sysfs view only: %s could not be opened; run as root for the ioctl view)\n",
		       d->devpath);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		OPTION_JSON,
		OPTION_BYTES,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = info_usage };
	struct pm_dev d;
	int ret;

	/* -j, -b and -h are all its options: only the end comes back. */
	cmd_getopt(argc, argv, "jbh", opts, &o);
	ret = cmd_dev_operand(argc, argv, &d);
	if (ret)
		return ret;
	if (o.json) {
		struct json_object *j = dev_to_json(&d);

		json_print(j);
		json_object_put(j);
	} else {
		print_info(&d, o.raw);
	}
	return EXIT_OK;
}
