// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: the JSON shape of a device, shared by list, info and create.
 * Sizes are integers in bytes, always (as `daxctl list` without --human).
 * The schema is documented in privctl(1) and docs/privctl.md.
 */
#include <stdio.h>
#include <json-c/json.h>
#include "privctl.h"

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

static void add_bool(struct json_object *o, const char *key, bool b)
{
	json_object_object_add(o, key, json_object_new_boolean(b));
}

struct json_object *pressure_to_json(const struct privmem_pressure *p)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "level", p->level);
	add_u64(o, "low", p->low);
	add_u64(o, "high", p->high);
	add_str(o, "state", state_name(p->state));
	add_u64(o, "events", p->events);
	add_bool(o, "injected", p->flags & PRIVMEM_PRESSURE_INJECTED);
	add_bool(o, "blocked", p->flags & PRIVMEM_PRESSURE_BLOCKED);
	return o;
}

static struct json_object *counters_to_json(const struct pm_dev *d)
{
	const struct privmem_pressure *p = &d->pressure;
	struct json_object *o = json_object_new_object();

	add_u64(o, "demotions_in", p->demotions_in);
	add_u64(o, "demotions_refused", p->demotions_refused);
	add_u64(o, "promotions", p->promotions);
	add_u64(o, "migrations_in", p->migrations_in);
	add_u64(o, "migrations_out", p->migrations_out);
	add_u64(o, "inplace_writes", d->inplace_writes);
	return o;
}

static void add_int_or_null(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, v >= 0 ? json_object_new_int64(v) : NULL);
}

/* The settings, keyed as 'privctl set' takes them; null if not shown. */
static struct json_object *settings_to_json(const struct pm_dev *d)
{
	const struct { const char *key; int v; } bools[] = {
		{ "numa_balancing", d->numa_balancing },
		{ "compaction", d->compaction },
		{ "checksum", d->checksum },
	};
	struct json_object *o = json_object_new_object(), *wm = NULL;
	size_t i;

	add_str(o, "type", type_name(d->type));
	add_int_or_null(o, "physical_size", d->physical_size);
	for (i = 0; i < ARRAY_SIZE(bools); i++)
		json_object_object_add(o, bools[i].key, bools[i].v >= 0 ?
				       json_object_new_boolean(bools[i].v) : NULL);
	if (d->have_watermarks) {
		wm = json_object_new_object();
		add_u64(wm, "low", d->wm_low);
		add_u64(wm, "high", d->wm_high);
	}
	json_object_object_add(o, "watermarks", wm);
	return o;
}

/* {"kind": "cxl" | "nvdimm" | "other", "name": "region0" | "namespace0.0" | null} */
static struct json_object *backing_to_json(const struct backing *b)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "kind", backing_kind_name(b->kind));
	json_object_object_add(o, "name", b->name[0] ?
			       json_object_new_string(b->name) : NULL);
	return o;
}

struct json_object *dev_to_json(const struct pm_dev *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a, *dm;
	char buf[1024];
	int i;

	add_str(o, "chardev", d->name);
	add_str(o, "path", d->devpath);
	add_str(o, "dax", d->dax);
	json_object_object_add(o, "backing", backing_to_json(&d->backing));
	json_object_object_add(o, "node", json_object_new_int(d->node));
	add_str(o, "type", type_name(d->type));
	add_str(o, "state", d->state);
	a = json_object_new_array();
	for (i = 0; i < nr_cap_names; i++)
		if (d->caps & (1ULL << i))
			json_object_array_add(a, json_object_new_string(cap_names[i]));
	json_object_object_add(o, "caps", a);
	add_u64(o, "capacity", d->capacity);
	add_u64(o, "used", d->used);
	add_u64(o, "free", d->free);
	a = json_object_new_array();
	for (i = 0; i < 64; i++)
		if (d->page_sizes & (1ULL << i))
			json_object_array_add(a, json_object_new_uint64(1ULL << i));
	json_object_object_add(o, "page_sizes", a);
	json_object_object_add(o, "mappings", json_object_new_int64(d->mappings));
	add_int_or_null(o, "shared_objects", d->shared_objects);
	if (d->poisoned >= 0)
		json_object_object_add(o, "poisoned",
				       json_object_new_int64(d->poisoned));
	else
		json_object_object_add(o, "poisoned", NULL);

	dm = json_object_new_object();
	add_bool(dm, "enabled", d->demotion);
	nodeset_format(&d->demotion_sources, buf, sizeof(buf));
	add_str(dm, "sources", buf);
	json_object_object_add(o, "demotion", dm);

	json_object_object_add(o, "pressure", pressure_to_json(&d->pressure));
	json_object_object_add(o, "counters", counters_to_json(d));
	json_object_object_add(o, "settings", settings_to_json(d));

	/* Only the ioctl knows the physical side; sysfs users do not see it. */
	if (d->type == PRIVMEM_TYPE_COMPRESSED && d->have_ioctl) {
		struct json_object *ph = json_object_new_object();

		add_u64(ph, "capacity", d->pressure.physical_capacity);
		add_u64(ph, "used", d->pressure.physical_used);
		snprintf(buf, sizeof(buf), "%.3f",
			 d->pressure.compression_ratio / 1000.0);
		json_object_object_add(ph, "ratio",
			json_object_new_double_s(d->pressure.compression_ratio / 1000.0, buf));
		add_u64(ph, "balloon", d->pressure.balloon);
		snprintf(buf, sizeof(buf), "%.3f",
			 d->pressure.ratio_estimate / 1000.0);
		json_object_object_add(ph, "ratio_estimate",
			json_object_new_double_s(d->pressure.ratio_estimate / 1000.0, buf));
		json_object_object_add(o, "physical", ph);
	}
	return o;
}

void json_print(struct json_object *jobj)
{
	printf("%s\n", json_object_to_json_string_ext(jobj,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
}
