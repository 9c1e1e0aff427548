// SPDX-License-Identifier: GPL-2.0
/*
 * A private node on CXL memory (issue 18): the CXL guest (make check-cxl,
 * scripts/host/run-guest.sh CXL=1) has a volatile CXL type-3 device; its init
 * (scripts/guest/guest-cxl.sh) made a RAM region over it, and the kernel made the
 * region a dax device. In the NVDIMM guest there is no such device: every
 * case skips. The CXL guest also runs the generic programs (isolation under
 * stress, pressure, unbind, demotion, write protection paths) on this
 * device (PRIVMEM_DAX, scripts/guest/guest-check.sh pm_dax=cxl).
 *
 * cxl.<type> (plain, compressed): the device made a node with
 * `privctl create`, as a user would, and removed with `privctl destroy`:
 *  - placement: the node is private and CPU-less; privctl list, cxl list
 *    and daxctl list agree on region, dax device and node; a plain node's
 *    mapping faults every page onto it;
 *  - migrate: 32 MiB MIGRATEd in and out with checksums (a compressed
 *    node's device stores them; a write promotes a page);
 *  - demotion: reclaim of a cgroup whose memory is on node 1 demotes into
 *    the node, data intact; on a compressed node a write promotes;
 *  - pressure: a compressed node with 32 MiB of device takes 64 MiB of
 *    incompressible data only until its device is full: the rest stays on
 *    DRAM, the node is blocked at the maximum level, nothing is lost; a plain node's
 *    level follows its occupancy;
 *  - destroy_busy: privctl destroy is refused while the node is mapped,
 *    then succeeds and leaves the device unbound; create makes it again;
 *  - region_destroy: cxl destroy-region under an online node takes the
 *    node offline first (its pages migrate to DRAM, data intact), then the
 *    region goes; the region is made again;
 *  - region_destroy_mapped: the same while the node is mapped (privmem's
 *    own unbind refuses then; a device's removal cannot): the mapping's
 *    folios move to DRAM too, and its later faults are served there; the
 *    node id does not come back online while the removed device's mapping
 *    (whose policy names it) exists.
 *
 * cxl_bad (bad input; each a clear error with nothing changed):
 *  - system_ram: the region's dax device given to dax/kmem, its memory
 *    online as System RAM;
 *  - system_ram_offline: the same with the memory still offline (daxctl's
 *    system-ram mode before onlining);
 *  - no_memory: the dax device shrunk to size 0 (no range left);
 *  - region_disabled: the region being taken down (cxl disable-region,
 *    its dax device gone), then enabled again; with privmem loaded, the
 *    returning device is bound to privmem offline, and create takes it
 *    over.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MIB	(1024UL * 1024)
#define DAX_DEVS "/sys/bus/dax/devices"
#define KMEM_DRV "/sys/bus/dax/drivers/kmem"

/* The name of the dax device of a CXL region (daxX.Y), or -ENOENT. */
static int cxl_dax(char *name, size_t len)
{
	char real[PATH_MAX];
	glob_t g;
	size_t i;
	int ret = -ENOENT;

	if (glob(DAX_DEVS "/dax*", 0, NULL, &g))
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

	snprintf(path, sizeof(path), DAX_DEVS "/%s", dax);
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

/* The driver @dax is bound to ("" if none) in @buf. */
static const char *dax_driver(const char *dax, char *buf, size_t len)
{
	char path[256], real[PATH_MAX];

	snprintf(path, sizeof(path), DAX_DEVS "/%s/driver", dax);
	buf[0] = '\0';
	if (realpath(path, real))
		snprintf(buf, len, "%s", strrchr(real, '/') + 1);
	return buf;
}

static const char *privctl_path(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("PRIVMEM_BUILD");

	snprintf(path, sizeof(path), "%s/privctl/privctl", b ? b : "build");
	return path;
}

/* privctl create --dax @dax --type @type [@args]: its exit status, output in @out. */
static int pc_create(char out[4096], const char *dax, const char *type,
		     const char *args)
{
	return pm_sh(out, 4096, "%s create --dax %s --type %s %s", privctl_path(),
		     dax, type, args);
}

/* privctl destroy @dev: its exit status, output in @out. */
static int pc_destroy(char out[4096], const char *dev)
{
	return pm_sh(out, 4096, "%s destroy %s", privctl_path(), dev);
}

/* @s without blanks (JSON from ndctl's tools is pretty-printed). */
static char *squeeze(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++)
		if (*r != ' ' && *r != '\n' && *r != '\t')
			*w++ = *r;
	*w = '\0';
	return s;
}

FIXTURE(cxl) {
	char dax[32], region[32], cg[128], demotion[16];
	struct pm_binding b;
	int fd;
};

FIXTURE_VARIANT(cxl) {
	const char *type;
	const char *create_args;
};

FIXTURE_VARIANT_ADD(cxl, plain) { .type = "plain", .create_args = "" };
/* 32 MiB of device behind 1 GiB of node: the pressure case fills it. */
FIXTURE_VARIANT_ADD(cxl, compressed) {
	.type = "compressed", .create_args = "--physical-size 32M",
};

FIXTURE_SETUP(cxl)
{
	char out[4096], drv[64], path[256], buf[64];

	self->fd = -1;
	self->cg[0] = '\0';
	self->demotion[0] = '\0';
	memset(&self->b, 0, sizeof(self->b));
	if (cxl_dax(self->dax, sizeof(self->dax)))
		SKIP(return, "no dax device of a CXL region (not the CXL guest)");
	ASSERT_EQ(0, cxl_region_of(self->dax, self->region,
				   sizeof(self->region)));
	/*
	 * No swap for the test: the node's kswapd would swap out what the
	 * cases put on it (memory.reclaim and a full compressed device).
	 */
	ASSERT_EQ(0, pm_memcg_new(self->cg, sizeof(self->cg), "privmem-cxl"));
	snprintf(path, sizeof(path), "%s/memory.swap.max", self->cg);
	ASSERT_EQ(0, pm_write_str(path, "0"));
	snprintf(path, sizeof(path), "%s/cgroup.procs", self->cg);
	snprintf(buf, sizeof(buf), "%d", getpid());
	ASSERT_EQ(0, pm_write_str(path, buf));
	/* Nothing may have onlined it as ordinary memory. */
	ASSERT_STRNE("kmem", dax_driver(self->dax, drv, sizeof(drv)));
	/*
	 * A case that failed an ASSERT may have left its node behind (the
	 * harness's teardown after longjmp() is not reliable at -O2: its
	 * "child" may be clobbered): remove it, or nothing after it runs.
	 */
	if (!strcmp(drv, "privmem") && !pm_find_dev_of(&self->b, self->dax) &&
	    pm_sys_long(&self->b, "mappings") == 0) {
		snprintf(path, sizeof(path), "%s/state", self->b.syspath);
		if (!pm_read_str(path, buf, sizeof(buf)) && !strcmp(buf, "online")) {
			pc_destroy(out, self->dax);
			TH_LOG("left over from an earlier case: %s", out);
		}
	}
	/*
	 * The normal path: privctl create (it takes the device over if
	 * privmem bound it offline on sight, and clears the memmap_on_memory
	 * that dax_cxl asks for where a compressed node cannot have it).
	 */
	ASSERT_EQ(0, pc_create(out, self->dax, variant->type,
			       variant->create_args)) TH_LOG("%s", out);
	self->b.bound = 1;
	ASSERT_EQ(0, pm_find_dev_of(&self->b, self->dax));
	snprintf(path, sizeof(path), DAX_DEVS "/%s/target_node", self->dax);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	self->b.nid = atoi(buf);
	self->fd = pm_open(&self->b);
	ASSERT_LE(0, self->fd);
	TH_LOG("%s (%s) is node %d, %s", self->dax, self->region, self->b.nid,
	       variant->type);
}

FIXTURE_TEARDOWN(cxl)
{
	char out[4096];

	if (self->fd >= 0)
		close(self->fd);
	if (self->b.bound && !access(self->b.syspath, F_OK))
		EXPECT_EQ(0, pc_destroy(out, strrchr(self->b.devpath, '/') + 1))
			TH_LOG("%s", out);
	if (self->demotion[0])
		pm_write_str("/sys/kernel/mm/numa/demotion_enabled", self->demotion);
	if (self->cg[0]) {
		snprintf(out, sizeof(out), "%d", getpid());
		pm_write_str("/sys/fs/cgroup/cgroup.procs", out);
		rmdir(self->cg);
	}
}

TEST_F_TIMEOUT(cxl, placement, 300)
{
	size_t len = 64 * MIB, n = len / PM_PAGE;
	char path[192], buf[64], out[8192], want[128];
	char *p;

	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_node_listed("has_memory", self->b.nid));
	EXPECT_EQ(0, pm_node_listed("has_cpu", self->b.nid));
	snprintf(path, sizeof(path), "%s/dax", self->b.syspath);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ(self->dax, buf);

	/* privctl list, cxl list and daxctl list tell the same story. */
	ASSERT_EQ(0, pm_sh(out, sizeof(out), "%s list", privctl_path()));
	TH_LOG("privctl list:\n%s", out);
	snprintf(want, sizeof(want), "cxl:%s", self->region);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s", want);
	ASSERT_EQ(0, pm_sh(out, sizeof(out), "%s list --json", privctl_path()));
	squeeze(out);
	snprintf(want, sizeof(want), "\"backing\":{\"kind\":\"cxl\",\"name\":\"%s\"}",
		 self->region);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s in %s", want, out);
	ASSERT_EQ(0, pm_sh(out, sizeof(out), "cxl list -r %s", self->region));
	TH_LOG("cxl list -r %s:\n%s", self->region, out);
	squeeze(out);
	snprintf(want, sizeof(want), "\"region\":\"%s\"", self->region);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"decode_state\":\"commit\"")) TH_LOG("%s", out);
	ASSERT_EQ(0, pm_sh(out, sizeof(out), "daxctl list -d %s", self->dax));
	TH_LOG("daxctl list -d %s:\n%s", self->dax, out);
	squeeze(out);
	snprintf(want, sizeof(want), "\"chardev\":\"%s\"", self->dax);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "\"target_node\":%d", self->b.nid);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);

	if (strcmp(variant->type, "plain"))
		return;
	p = pm_map(self->fd, len, 1);
	ASSERT_NE(NULL, p);
	EXPECT_EQ((long)n, pm_count_on_node(p, n, self->b.nid));
	munmap(p, len);
}

/* Compressible, text-like records (a compressed node stores them). */
static void fill_text(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += 64)
		snprintf(p + i, 64, "{\"key\":%zu,\"value\":\"cxl-%zu\"}", i,
			 (i + seed) % 977);
}

TEST_F_TIMEOUT(cxl, migrate, 300)
{
	size_t len = 32 * MIB, n = len / PM_PAGE;
	struct privmem_migrate m;
	__u64 sum;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	fill_text(p, len, 0);
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
 * Reclaim demotes into the node: this process, in its memory cgroup with
 * no swap, has 16 MiB on node 1 and asks the cgroup to reclaim it.
 */
TEST_F_TIMEOUT(cxl, demotion, 300)
{
	struct privmem_demotion d = { .size = sizeof(d) };
	size_t len = 16 * MIB, n = len / PM_PAGE, i;
	unsigned long node1 = 1UL << 1;
	struct privmem_pressure p0, p1;
	char path[192], buf[32];
	long on;
	__u64 sum;
	char *p;

	ASSERT_EQ(0, pm_read_str("/sys/kernel/mm/numa/demotion_enabled",
				 self->demotion, sizeof(self->demotion)));
	ASSERT_EQ(0, pm_write_str("/sys/kernel/mm/numa/demotion_enabled",
				  "true"));
	d.flags = PRIVMEM_DEMOTION_ENABLE | PRIVMEM_DEMOTION_ALL_SOURCES;
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mbind(p, len, MPOL_BIND, &node1, 64, 0));
	fill_text(p, len, 1);
	sum = pm_checksum(p, len);
	ASSERT_EQ((long)n, pm_count_on_node(p, n, 1));
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	snprintf(path, sizeof(path), "%s/memory.reclaim", self->cg);
	snprintf(buf, sizeof(buf), "%zu", len);
	/* EAGAIN when it could not reclaim all of it: counted below. */
	pm_write_str(path, buf);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	on = pm_count_on_node(p, n, self->b.nid);
	TH_LOG("%ld of %zu pages demoted to node %d (demotions_in %llu -> %llu)",
	       on, n, self->b.nid, p0.demotions_in, p1.demotions_in);
	EXPECT_GT(on, (long)n / 2);
	EXPECT_GE(p1.demotions_in - p0.demotions_in, (__u64)on);
	EXPECT_EQ(sum, pm_checksum(p, len));
	if (!strcmp(variant->type, "compressed")) {
		/* Every demoted page is stored; a write promotes one. */
		EXPECT_GE(p1.stored_pages, (__u64)on);
		for (i = 0; i < n; i++)
			if (pm_count_on_node(p + i * PM_PAGE, 1, self->b.nid))
				break;
		ASSERT_LT(i, n);
		p[i * PM_PAGE] ^= 1;
		EXPECT_EQ(0, pm_count_on_node(p + i * PM_PAGE, 1, self->b.nid));
		p[i * PM_PAGE] ^= 1;
		EXPECT_EQ(sum, pm_checksum(p, len));
	}
	munmap(p, len);
}

TEST_F_TIMEOUT(cxl, pressure, 300)
{
	size_t len = 64 * MIB, n = len / PM_PAGE;
	struct privmem_pressure pr;
	struct privmem_migrate m;
	long on;
	__u64 sum;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 5);	/* incompressible */
	sum = pm_checksum(p, len);
	pm_migrate(self->fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE, -1);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	on = pm_count_on_node(p, n, self->b.nid);
	TH_LOG("%s: moved %llu failed %llu, %ld on the node; level %u, physical %llu/%llu",
	       variant->type, m.moved, m.failed, on, pr.level,
	       pr.physical_used, pr.physical_capacity);
	EXPECT_EQ(sum, pm_checksum(p, len));
	if (!strcmp(variant->type, "compressed")) {
		/*
		 * The device fills up (the node is blocked at the maximum
		 * level): the rest of the pages stay on DRAM.
		 */
		EXPECT_LT(on, (long)n);
		EXPECT_GT(on, 0);
		EXPECT_LT(m.moved, n);
		EXPECT_EQ(PRIVMEM_PRESSURE_MAX, pr.level);
		EXPECT_TRUE(pr.flags & PRIVMEM_PRESSURE_BLOCKED);
		EXPECT_GE(pr.physical_used, pr.physical_capacity * 9 / 10);
		EXPECT_LE(pr.physical_used, pr.physical_capacity);
	} else {
		/* 64 MiB of 1 GiB: the level is the occupancy, in 1/1000. */
		EXPECT_EQ((long)n, on);
		EXPECT_GE(pr.level, 55U);
		EXPECT_LE(pr.level, 75U);
	}
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, -1));
	EXPECT_EQ(0, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
}

TEST_F_TIMEOUT(cxl, destroy_busy, 300)
{
	char out[4096], *name = strrchr(self->b.devpath, '/') + 1;
	size_t len = 8 * MIB;
	char *p;

	p = pm_map(self->fd, len, 1);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 9);
	EXPECT_EQ(1, pc_destroy(out, name));
	EXPECT_NE(NULL, strstr(out, "mapped")) TH_LOG("%s", out);
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	munmap(p, len);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pc_destroy(out, name))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "left unbound")) TH_LOG("%s", out);
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_STREQ("", dax_driver(self->dax, out, sizeof(out)));
	/* And made again. */
	ASSERT_EQ(0, pc_create(out, self->dax, variant->type,
			       variant->create_args)) TH_LOG("%s", out);
	ASSERT_EQ(0, pm_find_dev_of(&self->b, self->dax));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
}

/*
 * Destroying the region under an online node: the dax device goes away,
 * which takes the node offline first (its pages migrate to DRAM), then
 * the region is gone. The data stays intact. The region is made again
 * (scripts/guest/guest-cxl.sh) for the next cases.
 */
TEST_F_TIMEOUT(cxl, region_destroy, 300)
{
	size_t len = 8 * MIB, n = len / PM_PAGE;
	struct privmem_migrate m;
	const char *top = getenv("PRIVMEM_TOP");
	char out[4096], again[32];
	__u64 sum;
	char *p;

	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 3);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ((long)n, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(0, pm_sh(out, sizeof(out), "cxl destroy-region -f %s",
			   self->region)) TH_LOG("%s", out);
	self->b.bound = 0;
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_count_on_node(p, n, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_NE(0, access(self->b.syspath, F_OK));
	munmap(p, len);

	EXPECT_EQ(0, pm_sh(out, sizeof(out), "%s/scripts/guest/guest-cxl.sh",
			   top ? top : ".")) TH_LOG("%s", out);
	EXPECT_EQ(0, cxl_dax(again, sizeof(again)));
}

/*
 * The same with the node mapped: privmem's own unbind refuses then, but
 * the removal of a dax device cannot fail. Its folios, those of the live
 * mapping too, move to DRAM before the memory and the region go; the
 * mapping keeps its data, and a later fault in it is served from DRAM.
 */
TEST_F_TIMEOUT(cxl, region_destroy_mapped, 300)
{
	size_t len = 8 * MIB, n = len / PM_PAGE;
	struct privmem_migrate m;
	struct privmem_info info;
	const char *top = getenv("PRIVMEM_TOP");
	const char *grep = "dmesg | grep -c 'cannot be removed until reboot'";
	char out[4096], again[32], before[16];
	bool plain = !strcmp(variant->type, "plain");
	__u64 sum_map, sum_mig, sum_sh = 0;
	char *map, *mig, *sh = NULL;

	/* A plain node's MAP_SHARED object, on the node. */
	if (plain) {
		sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->fd, 0);
		ASSERT_NE(MAP_FAILED, sh);
		pm_fill(sh, len, 5);
		sum_sh = pm_checksum(sh, len);
		ASSERT_EQ((long)n, pm_count_on_node(sh, n, self->b.nid));
	}
	/* Half the mapping faulted (on a plain node: on the node). */
	map = pm_map(self->fd, 2 * len, 0);
	ASSERT_NE(NULL, map);
	pm_fill(map, len, 4);
	sum_map = pm_checksum(map, len);
	if (plain)
		ASSERT_EQ((long)n, pm_count_on_node(map, n, self->b.nid));
	mig = pm_anon(len, 0);
	ASSERT_NE(NULL, mig);
	fill_text(mig, len, 2);
	sum_mig = pm_checksum(mig, len);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, mig, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ((long)n, pm_count_on_node(mig, n, self->b.nid));
	EXPECT_EQ(1, pm_sys_long(&self->b, "mappings"));
	EXPECT_EQ(plain ? 1 : 0, pm_sys_long(&self->b, "shared_objects"));
	/* privmem's unbind refuses while it is mapped. */
	EXPECT_EQ(-EBUSY, pm_write_str(PM_DRV "/unbind", self->dax));
	pm_sh(before, sizeof(before), "%s", grep);

	EXPECT_EQ(0, pm_sh(out, sizeof(out), "cxl destroy-region -f %s",
			   self->region)) TH_LOG("%s", out);
	self->b.bound = 0;
	EXPECT_NE(0, access(self->b.syspath, F_OK));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	/* Every page on a DRAM node, intact. */
	EXPECT_EQ((long)n, pm_count_on_node(map, n, 0) + pm_count_on_node(map, n, 1));
	EXPECT_EQ((long)n, pm_count_on_node(mig, n, 0) + pm_count_on_node(mig, n, 1));
	EXPECT_EQ(sum_map, pm_checksum(map, len));
	EXPECT_EQ(sum_mig, pm_checksum(mig, len));
	/* The untouched half: faults served from DRAM, not a hang. */
	pm_fill(map + len, len, 6);
	EXPECT_EQ((long)n, pm_count_on_node(map + len, n, 0) +
			   pm_count_on_node(map + len, n, 1));
	pm_sh(out, sizeof(out), "%s", grep);
	EXPECT_STREQ(before, out) TH_LOG("the kernel kept the memory");
	/* The open file: every call fails with ENODEV. */
	errno = 0;
	EXPECT_EQ(-1, pm_info(self->fd, &info));
	EXPECT_EQ(ENODEV, errno);

	/*
	 * The region made again: its node id is the same, and the removed
	 * device's mapping still names it, so it cannot come back online
	 * until that mapping and the file are gone.
	 */
	EXPECT_EQ(0, pm_sh(out, sizeof(out), "%s/scripts/guest/guest-cxl.sh",
			   top ? top : ".")) TH_LOG("%s", out);
	ASSERT_EQ(0, cxl_dax(again, sizeof(again)));
	EXPECT_EQ(1, pc_create(out, again, "plain", ""));
	EXPECT_NE(NULL, strstr(out, "mappings of a removed device")) TH_LOG("%s", out);
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	munmap(map, 2 * len);
	munmap(mig, len);
	close(self->fd);
	self->fd = -1;
	if (plain) {
		/*
		 * Only the shared object is left: its VMAs run privmem's
		 * vm_ops, so it keeps the module; its policy names the node.
		 */
		EXPECT_NE(0, system("rmmod privmem 2>/dev/null"));
		EXPECT_EQ(1, pc_create(out, again, "plain", "")) TH_LOG("%s", out);
		EXPECT_EQ(sum_sh, pm_checksum(sh, len));
		EXPECT_EQ((long)n, pm_count_on_node(sh, n, 0) +
				   pm_count_on_node(sh, n, 1));
		munmap(sh, len);
	}
	EXPECT_EQ(0, pc_create(out, again, "plain", "")) TH_LOG("%s", out);
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pc_destroy(out, again)) TH_LOG("%s", out);
}

/* Bad input: the region's dax device, not bound to privmem. */
FIXTURE(cxl_bad) {
	char dax[32], region[32], auto_online[32];
	int nid;
};

FIXTURE_SETUP(cxl_bad)
{
	char out[4096], drv[64], path[256], buf[64];

	self->auto_online[0] = '\0';
	self->dax[0] = '\0';
	if (cxl_dax(self->dax, sizeof(self->dax)))
		SKIP(return, "no dax device of a CXL region (not the CXL guest)");
	ASSERT_EQ(0, cxl_region_of(self->dax, self->region,
				   sizeof(self->region)));
	ASSERT_EQ(0, system("modprobe privmem"));
	if (!strcmp(dax_driver(self->dax, drv, sizeof(drv)), "privmem"))
		ASSERT_EQ(0, pc_destroy(out, self->dax)) TH_LOG("%s", out);
	ASSERT_STREQ("", dax_driver(self->dax, drv, sizeof(drv)));
	snprintf(path, sizeof(path), DAX_DEVS "/%s/target_node", self->dax);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	self->nid = atoi(buf);
	ASSERT_EQ(0, pm_read_str("/sys/devices/system/memory/auto_online_blocks",
				 self->auto_online, sizeof(self->auto_online)));
}

static int node_blocks(int nid, bool offline);

FIXTURE_TEARDOWN(cxl_bad)
{
	char drv[64];

	/* A failed case may have left the device on kmem, its memory online. */
	if (self->dax[0] &&
	    !strcmp(dax_driver(self->dax, drv, sizeof(drv)), "kmem")) {
		node_blocks(self->nid, true);
		pm_write_str(KMEM_DRV "/unbind", self->dax);
		pm_write_str(KMEM_DRV "/remove_id", self->dax);
	}
	if (!access(KMEM_DRV, F_OK) && system("rmmod kmem"))
		TH_LOG("kmem could not be unloaded");
	if (self->auto_online[0])
		pm_write_str("/sys/devices/system/memory/auto_online_blocks",
			     self->auto_online);
}

/*
 * The memory blocks of node @nid: with @offline, offline each and return
 * how many refused (EBUSY); else return how many are online.
 */
static int node_blocks(int nid, bool offline)
{
	char pattern[128], buf[32];
	glob_t g;
	size_t i;
	int n = 0;

	snprintf(pattern, sizeof(pattern),
		 "/sys/devices/system/node/node%d/memory*/state", nid);
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		if (offline)
			n += pm_write_str(g.gl_pathv[i], "offline") == -EBUSY;
		else
			n += !pm_read_str(g.gl_pathv[i], buf, sizeof(buf)) &&
			     !strcmp(buf, "online");
	}
	globfree(&g);
	return n;
}

/*
 * Give the dax device to dax/kmem (as daxctl reconfigure-device -m
 * system-ram does) with @online ("online_movable" or "offline") as the
 * hot-add policy; privctl create and privmem's bind must refuse it, and
 * nothing may change. Then hand it back, unbound.
 */
static void refuse_system_ram(struct __test_metadata *_metadata,
			      struct _test_data_cxl_bad *self,
			      const char *online)
{
	char out[4096], drv[64];
	long total;
	int blocks;

	ASSERT_EQ(0, pm_write_str("/sys/devices/system/memory/auto_online_blocks",
				  online));
	ASSERT_EQ(0, system("modprobe kmem"));
	ASSERT_EQ(0, pm_write_str(KMEM_DRV "/new_id", self->dax));
	ASSERT_STREQ("kmem", dax_driver(self->dax, drv, sizeof(drv)));
	blocks = node_blocks(self->nid, false);
	total = pm_node_meminfo(self->nid, "MemTotal");
	TH_LOG("%s on kmem: node %d has %d blocks online, MemTotal %ld kB",
	       self->dax, self->nid, blocks, total);
	if (!strcmp(online, "offline")) {
		EXPECT_EQ(0, blocks);
	} else {
		EXPECT_GT(blocks, 0);
		EXPECT_EQ(1, pm_node_listed("has_memory", self->nid));
	}

	EXPECT_EQ(1, pc_create(out, self->dax, "plain", ""));
	TH_LOG("privctl: %s", out);
	EXPECT_NE(NULL, strstr(out, "in use by kmem")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "System RAM")) TH_LOG("%s", out);
	EXPECT_EQ(-EBUSY, pm_write_str(PM_DRV "/bind", self->dax));
	/* Nothing changed. */
	EXPECT_STREQ("kmem", dax_driver(self->dax, drv, sizeof(drv)));
	EXPECT_EQ(blocks, node_blocks(self->nid, false));
	EXPECT_EQ(total, pm_node_meminfo(self->nid, "MemTotal"));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));

	/* Back: memory offline, then kmem removes it on unbind. */
	EXPECT_EQ(0, node_blocks(self->nid, true));
	EXPECT_EQ(0, pm_write_str(KMEM_DRV "/unbind", self->dax));
	pm_write_str(KMEM_DRV "/remove_id", self->dax);
	EXPECT_EQ(0, system("rmmod kmem"));
	EXPECT_EQ(0, pm_node_listed("has_memory", self->nid));
	EXPECT_STREQ("", dax_driver(self->dax, drv, sizeof(drv)));
}

TEST_F_TIMEOUT(cxl_bad, system_ram, 300)
{
	refuse_system_ram(_metadata, self, "online_movable");
}

TEST_F_TIMEOUT(cxl_bad, system_ram_offline, 300)
{
	refuse_system_ram(_metadata, self, "offline");
}

TEST_F_TIMEOUT(cxl_bad, no_memory, 300)
{
	char out[4096], path[256], size[32], drv[64];

	snprintf(path, sizeof(path), DAX_DEVS "/%s/size", self->dax);
	ASSERT_EQ(0, pm_read_str(path, size, sizeof(size)));
	ASSERT_EQ(0, pm_write_str(path, "0"));
	EXPECT_EQ(1, pc_create(out, self->dax, "plain", ""));
	TH_LOG("privctl: %s", out);
	EXPECT_NE(NULL, strstr(out, "has no memory (size 0)")) TH_LOG("%s", out);
	EXPECT_STREQ("", dax_driver(self->dax, drv, sizeof(drv)));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	/* The device comes back whole. */
	EXPECT_EQ(0, pm_write_str(path, size));
	EXPECT_EQ(0, pc_create(out, self->dax, "plain", "")) TH_LOG("%s", out);
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	EXPECT_EQ(0, pc_destroy(out, self->dax)) TH_LOG("%s", out);
}

TEST_F_TIMEOUT(cxl_bad, region_disabled, 300)
{
	char out[4096], drv[64], want[64];

	ASSERT_EQ(0, pm_sh(out, sizeof(out), "cxl disable-region %s",
			   self->region)) TH_LOG("%s", out);
	EXPECT_EQ(1, pc_create(out, self->dax, "plain", ""));
	TH_LOG("privctl: %s", out);
	snprintf(want, sizeof(want), "%s: no such dax device", self->dax);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	ASSERT_EQ(0, pm_sh(out, sizeof(out), "cxl enable-region %s",
			   self->region)) TH_LOG("%s", out);
	/* privmem is loaded: it took the returning device, offline. */
	ASSERT_EQ(0, cxl_dax(self->dax, sizeof(self->dax)));
	EXPECT_STREQ("privmem", dax_driver(self->dax, drv, sizeof(drv)));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	EXPECT_EQ(0, pc_create(out, self->dax, "compressed", "")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "took over")) TH_LOG("%s", out);
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	EXPECT_EQ(0, pc_destroy(out, self->dax)) TH_LOG("%s", out);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
