// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: binding dax0.0 as a plain private node while the kernel
 * auto-onlines hot-added memory (/sys/devices/system/memory/
 * auto_online_blocks: "online", as Debian's kernel boots with
 * CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO, then "online_movable" and
 * "online_kernel"; the setting is put back afterwards).
 *
 * After the bind the node's memory is private, not ordinary: the node is
 * in has_private_memory and not in has_memory or has_normal_memory; every
 * memory block of the node is online and none is in an ordinary zone
 * (DMA, DMA32, Normal: the blocks' valid_zones and /proc/zoneinfo's
 * managed pages), the blocks add up to the device's capacity; and the
 * memory works: a /dev/privmemN mapping faults on the node and reads back
 * what was written.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_distro.h"

#define AUTO_ONLINE	"/sys/devices/system/memory/auto_online_blocks"
#define LEN		(16UL << 20)

FIXTURE(ao) {
	struct pm_binding b;
	int fd;
	char saved[32];
};

FIXTURE_VARIANT(ao) {
	const char *policy;
};

FIXTURE_VARIANT_ADD(ao, online) { .policy = "online" };
FIXTURE_VARIANT_ADD(ao, online_movable) { .policy = "online_movable" };
FIXTURE_VARIANT_ADD(ao, online_kernel) { .policy = "online_kernel" };

FIXTURE_SETUP(ao)
{
	self->fd = -1;
	self->saved[0] = '\0';
	if (access(AUTO_ONLINE, W_OK))
		SKIP(return, "no %s (CONFIG_MEMORY_HOTPLUG)", AUTO_ONLINE);
	ASSERT_EQ(0, pm_read_str(AUTO_ONLINE, self->saved,
				 sizeof(self->saved)));
	TH_LOG("auto_online_blocks was \"%s\"; now \"%s\"", self->saved,
	       variant->policy);
	ASSERT_EQ(0, pm_write_str(AUTO_ONLINE, variant->policy));
	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
	self->fd = pm_open(&self->b);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(ao)
{
	if (self->fd >= 0)
		close(self->fd);
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
	if (self->saved[0] && pm_write_str(AUTO_ONLINE, self->saved))
		TH_LOG("could not restore auto_online_blocks to %s",
		       self->saved);
}

static int ordinary_zone(const char *zone)
{
	return !strcmp(zone, "DMA") || !strcmp(zone, "DMA32") ||
		!strcmp(zone, "Normal");
}

/*
 * Managed pages of node @nid's zones in /proc/zoneinfo: the sum over
 * ordinary zones in *@ordinary, Movable's in *@movable.
 */
static int zone_managed(int nid, long *ordinary, long *movable)
{
	char line[256], zone[32] = "";
	int n, cur = -1;
	long v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	*ordinary = 0;
	*movable = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &n, zone) == 2) {
			cur = n;
			continue;
		}
		if (cur != nid || sscanf(line, " managed %ld", &v) != 1)
			continue;
		if (ordinary_zone(zone))
			*ordinary += v;
		else if (!strcmp(zone, "Movable"))
			*movable += v;
	}
	fclose(f);
	return 0;
}

TEST_F_TIMEOUT(ao, bind_keeps_memory_private, 180)
{
	long bsize = pm_block_size(), ordinary, movable;
	char pat[96], path[256], state[32], zones[64];
	int nid = self->b.nid, bad = 0;
	size_t i, nblocks;
	glob_t g;
	char *p, *q;

	EXPECT_EQ(1, pm_node_listed("has_private_memory", nid));
	EXPECT_EQ(0, pm_node_listed("has_memory", nid));
	EXPECT_EQ(0, pm_node_listed("has_normal_memory", nid));

	ASSERT_LT(0, bsize);
	snprintf(pat, sizeof(pat), "/sys/devices/system/node/node%d/memory[0-9]*",
		 nid);
	ASSERT_EQ(0, glob(pat, 0, NULL, &g));
	nblocks = g.gl_pathc;
	for (i = 0; i < g.gl_pathc; i++) {
		snprintf(path, sizeof(path), "%s/state", g.gl_pathv[i]);
		ASSERT_EQ(0, pm_read_str(path, state, sizeof(state)));
		snprintf(path, sizeof(path), "%s/valid_zones", g.gl_pathv[i]);
		ASSERT_EQ(0, pm_read_str(path, zones, sizeof(zones)));
		/* An online block's valid_zones is the zone it is in. */
		if (strcmp(state, "online") || ordinary_zone(zones) ||
		    strchr(zones, ' ')) {
			if (bad++ < 4)
				TH_LOG("%s: %s, zone %s",
				       strrchr(g.gl_pathv[i], '/') + 1, state,
				       zones);
		}
	}
	globfree(&g);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pm_sys_long(&self->b, "capacity"), (long)nblocks * bsize);

	ASSERT_EQ(0, zone_managed(nid, &ordinary, &movable));
	TH_LOG("node %d: %zu blocks; managed pages: ordinary zones %ld, Movable %ld",
	       nid, nblocks, ordinary, movable);
	EXPECT_EQ(0, ordinary);
	EXPECT_LT(0, movable);

	/* The memory works. */
	p = pm_map(self->fd, LEN, 1);
	ASSERT_NE(NULL, p);
	pm_fill(p, LEN, 11);
	EXPECT_EQ((long)(LEN / PM_PAGE), pm_count_on_node(p, LEN / PM_PAGE, nid));
	q = pm_anon(LEN, 1);
	ASSERT_NE(NULL, q);
	pm_fill(q, LEN, 11);
	EXPECT_EQ(0, memcmp(p, q, LEN));
	munmap(p, LEN);
	munmap(q, LEN);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
