// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: what backs a dax device (and so a privmem node): a CXL region,
 * an NVDIMM namespace, or something else (hmem, a platform device ...).
 *
 * It is read from where the kernel put the dax device in the device tree,
 * the target of /sys/bus/dax/devices/daxX.Y. A dev_dax device's parent is
 * the device its dax region was allocated on:
 *
 *   NVDIMM (dax_pmem):  .../ndbusB/regionR/daxR.K/daxR.N
 *     regionR is the libnvdimm region, daxR.K the nd_dax device that
 *     claimed the namespace in devdax mode; its "namespace" attribute
 *     names it (namespaceR.N, the namespace's "holder" names daxR.K).
 *     A persistent CXL region reaches dax through libnvdimm too
 *     (.../nvdimm-bridge0/ndbusB/...): it shows as an NVDIMM namespace,
 *     as ndctl shows it.
 *   CXL (dax_cxl):      .../rootP/decoderP.D/regionR/dax_regionR/daxR.N
 *     regionR is the CXL region on the cxl bus (a child of its root
 *     decoder), dax_regionR the cxl_dax_region device.
 *
 * Region ids come from one allocator (memregion_alloc()) for both, so an
 * nd "region0" and a CXL "region0" never exist together.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "privctl.h"

#define MAX_DEPTH	64

static const char * const backing_kind_names[] = {
	[BACKING_OTHER] = "other",
	[BACKING_NVDIMM] = "nvdimm",
	[BACKING_CXL] = "cxl",
};

const char *backing_kind_name(enum backing_kind kind)
{
	return name_of(backing_kind_names, ARRAY_SIZE(backing_kind_names), kind,
		       "other");
}

/*
 * Is @s @prefix followed by @nums decimal numbers separated by dots
 * ("region3" is ("region", 1), "decoder0.1" is ("decoder", 2))?
 */
static bool name_is(const char *s, const char *prefix, int nums)
{
	size_t len = strlen(prefix);

	if (strncmp(s, prefix, len))
		return false;
	s += len;
	while (nums--) {
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
		if (nums && *s++ != '.')
			return false;
	}
	return !*s;
}

/*
 * Classify the sysfs path @path of a dax device (its resolved
 * /sys/bus/dax/devices/daxX.Y) by its nearest ancestor that is a
 * libnvdimm region (regionR under ndbusB) or a CXL region (regionR
 * under decoderP.D). Fills @b: the kind, the region's name in @b->name
 * and @b->region, and for NVDIMM the nd_dax device below the region in
 * @b->nd_dax. No file is read. Returns the kind.
 */
enum backing_kind backing_classify(const char *path, struct backing *b)
{
	char buf[PATH_MAX], *comp[MAX_DEPTH], *tok, *save;
	int i, n = 0;

	memset(b, 0, sizeof(*b));
	b->kind = BACKING_OTHER;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && n < MAX_DEPTH;
	     tok = strtok_r(NULL, "/", &save))
		comp[n++] = tok;

	/* comp[n - 1] is the dax device itself. */
	for (i = n - 2; i > 0; i--) {
		if (!name_is(comp[i], "region", 1))
			continue;
		if (name_is(comp[i - 1], "ndbus", 1)) {
			b->kind = BACKING_NVDIMM;
			if (i + 1 < n - 1)
				snprintf(b->nd_dax, sizeof(b->nd_dax), "%s",
					 comp[i + 1]);
		} else if (name_is(comp[i - 1], "decoder", 2)) {
			b->kind = BACKING_CXL;
		} else {
			continue;
		}
		snprintf(b->region, sizeof(b->region), "%s", comp[i]);
		snprintf(b->name, sizeof(b->name), "%s", comp[i]);
		break;
	}
	return b->kind;
}

/*
 * What backs dax device @dax ("daxX.Y"): for an NVDIMM the namespace the
 * nd_dax device holds (its region if that cannot be read), for CXL the
 * region. Unknown or gone: BACKING_OTHER with no name.
 */
void backing_load(const char *dax, struct backing *b)
{
	char path[PATH_MAX], real[PATH_MAX], ns[sizeof(b->name)];

	memset(b, 0, sizeof(*b));
	b->kind = BACKING_OTHER;
	if (!dax[0])
		return;
	snprintf(path, sizeof(path), SYS_DAX_DEVICES "/%s", dax);
	if (!realpath(path, real))
		return;
	if (backing_classify(real, b) != BACKING_NVDIMM || !b->nd_dax[0])
		return;
	if (!sysfs_readf(ns, sizeof(ns), SYS_ND_DEVICES "/%s/namespace", b->nd_dax) &&
	    name_is(ns, "namespace", 2))
		snprintf(b->name, sizeof(b->name), "%s", ns);
}

/* "nvdimm:namespace0.0", "cxl:region0" or "other", for the list table. */
void backing_format(const struct backing *b, char *buf, size_t len)
{
	if (b->name[0])
		snprintf(buf, len, "%s:%s", backing_kind_name(b->kind), b->name);
	else
		snprintf(buf, len, "%s", backing_kind_name(b->kind));
}
