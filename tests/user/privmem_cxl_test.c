// SPDX-License-Identifier: GPL-2.0
/*
 * A private node on CXL memory (issue 18): the CXL guest (make check-cxl,
 * scripts/run-guest.sh CXL=1) has a volatile CXL type-3 device; its init
 * (scripts/guest-cxl.sh) made a RAM region over it with the cxl tool, and
 * the kernel made the region a dax device. In the NVDIMM guest there is no
 * such device: every case skips.
 *
 *  - cxl.<type>.placement: the CXL dax device bound to privmem and brought
 *    online as a <type> node; the node is private (has_private_memory, not
 *    has_memory) and CPU-less; a plain node's mapping faults every page
 *    onto it;
 *  - cxl.<type>.migrate: 32 MiB MIGRATEd in and out with checksums (a
 *    compressed node's device stores them; a write promotes a page);
 *  - cxl.<type>.region_destroy: cxl destroy-region under an online node
 *    takes the node offline first (its pages migrate to DRAM, data
 *    intact), then the region goes; the region is made again.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <limits.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MIB	(1024UL * 1024)

/* The name of the dax device of a CXL region (daxX.Y), or -ENOENT. */
static int cxl_dax(char *name, size_t len)
{
	char real[PATH_MAX];
	glob_t g;
	size_t i;
	int ret = -ENOENT;

	if (glob("/sys/bus/dax/devices/dax*", 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc; i++) {
		if (!realpath(g.gl_pathv[i], real))
			continue;
		/* .../decoderX.Y/regionN/dax_regionN/daxN.M */
		if (!strstr(real, "/dax_region") || !strstr(real, "/decoder"))
			continue;
		snprintf(name, len, "%s", strrchr(g.gl_pathv[i], '/') + 1);
		ret = 0;
		break;
	}
	globfree(&g);
	return ret;
}

/* The region (regionN) the dax device @dax belongs to, or -ENOENT. */
static int cxl_region_of(const char *dax, char *region, size_t len)
{
	char path[256], real[PATH_MAX], *p, *e;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s", dax);
	if (!realpath(path, real))
		return -errno;
	p = strstr(real, "/region");
	if (!p)
		return -ENOENT;
	p++;
	e = strchr(p, '/');
	snprintf(region, len, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	return 0;
}

FIXTURE(cxl) {
	char dax[32], region[32];
	struct pm_binding b;
	int fd;
};

FIXTURE_VARIANT(cxl) {
	const char *type;
};

FIXTURE_VARIANT_ADD(cxl, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(cxl, compressed) { .type = "compressed" };

FIXTURE_SETUP(cxl)
{
	char path[256], buf[64];

	self->fd = -1;
	memset(&self->b, 0, sizeof(self->b));
	if (cxl_dax(self->dax, sizeof(self->dax)))
		SKIP(return, "no dax device of a CXL region (not the CXL guest)");
	ASSERT_EQ(0, cxl_region_of(self->dax, self->region,
				   sizeof(self->region)));
	ASSERT_EQ(0, system("modprobe privmem"));
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", self->dax);
	/* Nothing may have onlined it as ordinary memory. */
	if (!access(path, F_OK)) {
		char real[PATH_MAX];

		ASSERT_NE(NULL, realpath(path, real));
		ASSERT_EQ(NULL, strstr(real, "kmem")) TH_LOG("%s", real);
		/* device_dax, or privmem (offline) if it bound on sight */
		if (strstr(real, "device_dax")) {
			ASSERT_EQ(0, pm_write_str(PM_DEVDAX_DRV "/unbind",
						  self->dax));
		} else {
			ASSERT_EQ(0, pm_write_str(PM_DRV "/unbind", self->dax));
		}
	}
	/*
	 * dax_cxl asks for memmap_on_memory; a compressed node refuses it
	 * (its struct pages would be written in place): clear it first, as
	 * the driver's message says.
	 */
	if (!strcmp(variant->type, "compressed")) {
		snprintf(path, sizeof(path),
			 "/sys/bus/dax/devices/%s/memmap_on_memory", self->dax);
		ASSERT_EQ(0, pm_write_str(path, "0"));
	}
	/* new_id binds it (EEXIST if privmem knew it already). */
	pm_write_str(PM_DRV "/new_id", self->dax);
	snprintf(path, sizeof(path), PM_DRV "/%s", self->dax);
	if (access(path, F_OK))
		ASSERT_EQ(0, pm_write_str(PM_DRV "/bind", self->dax));
	self->b.bound = 1;
	ASSERT_EQ(0, pm_find_dev_of(&self->b, self->dax));
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/target_node",
		 self->dax);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	self->b.nid = atoi(buf);
	ASSERT_EQ(0, pm_set(&self->b, "type", variant->type));
	ASSERT_EQ(0, pm_online(&self->b));
	self->fd = pm_open(&self->b);
	ASSERT_LE(0, self->fd);
	TH_LOG("%s (%s) is node %d, %s", self->dax, self->region, self->b.nid,
	       variant->type);
}

FIXTURE_TEARDOWN(cxl)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->b.bound && !access(self->b.syspath, F_OK) &&
	    pm_write_str(PM_DRV "/unbind", self->dax))
		TH_LOG("could not unbind %s", self->dax);
}

TEST_F_TIMEOUT(cxl, placement, 300)
{
	size_t len = 64 * MIB, n = len / PM_PAGE;
	char path[128], buf[64];
	char *p;

	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_node_listed("has_memory", self->b.nid));
	EXPECT_EQ(0, pm_node_listed("has_cpu", self->b.nid));
	snprintf(path, sizeof(path), "%s/dax", self->b.syspath);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ(self->dax, buf);
	if (strcmp(variant->type, "plain"))
		return;
	p = pm_map(self->fd, len, 1);
	ASSERT_NE(NULL, p);
	EXPECT_EQ((long)n, pm_count_on_node(p, n, self->b.nid));
	munmap(p, len);
}

TEST_F_TIMEOUT(cxl, migrate, 300)
{
	size_t len = 32 * MIB, n = len / PM_PAGE, i;
	struct privmem_migrate m;
	__u64 sum;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	/* Compressible (text-like) data: a compressed node stores it. */
	for (i = 0; i < len; i += 64)
		snprintf(p + i, 64, "{\"key\":%zu,\"value\":\"cxl-%zu\"}", i, i % 977);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	TH_LOG("in: moved %llu failed %llu", m.moved, m.failed);
	EXPECT_EQ(n, m.moved);
	EXPECT_EQ((long)n, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	if (!strcmp(variant->type, "compressed")) {
		EXPECT_GE(pm_sys_long(&self->b, "cram/stored_pages"), (long)n);
		/* A write promotes the page off the node. */
		p[0] ^= 1;
		EXPECT_EQ((long)n - 1, pm_count_on_node(p, n, self->b.nid));
		p[0] ^= 1;
	}
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, -1));
	EXPECT_EQ(0, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
}

/*
 * Destroying the region under an online node: the dax device goes away,
 * which takes the node offline first (its pages migrate to DRAM), then
 * the region is gone. The data stays intact. The region is made again
 * (scripts/guest-cxl.sh) for the next cases.
 */
TEST_F_TIMEOUT(cxl, region_destroy, 300)
{
	size_t len = 8 * MIB, n = len / PM_PAGE;
	struct privmem_migrate m;
	const char *top = getenv("PRIVMEM_TOP");
	char cmd[256], again[32];
	__u64 sum;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 3);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ((long)n, pm_count_on_node(p, n, self->b.nid));
	snprintf(cmd, sizeof(cmd), "cxl destroy-region -f %s >/dev/null 2>&1",
		 self->region);
	EXPECT_EQ(0, system(cmd));
	self->b.bound = 0;
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_NE(0, access(self->b.syspath, F_OK));
	munmap(p, len);

	snprintf(cmd, sizeof(cmd), "%s/scripts/guest-cxl.sh >/dev/null 2>&1",
		 top ? top : ".");
	EXPECT_EQ(0, system(cmd));
	EXPECT_EQ(0, cxl_dax(again, sizeof(again)));
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
