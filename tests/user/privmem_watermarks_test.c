// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 4: binding a private node leaves the watermarks of
 * every ordinary zone as they were. min_free_kbytes is spread over the
 * lowmem zones; a private zone must take no share of it, whatever zone
 * its memory is in.
 *
 *  - wm.<type>.bind: the min/low/high watermarks of every zone of the
 *    other nodes (/proc/zoneinfo) are the same with dax0.0 unbound (after
 *    a bind and unbind, so that a hotplug event computed them) and bound
 *    as a plain or compressed node (its memory is ZONE_MOVABLE);
 *  - wm.<type>.online_kernel: root offlines one of the node's blocks and
 *    tries to online it "online_kernel": refused (EPERM, the block stays
 *    offline), since private memory is only ever ZONE_MOVABLE; the
 *    ordinary zones' watermarks do not move. The block is put back to
 *    movable.
 *
 * Seen to fail without the ZONE_MOVABLE rule of the hotplug notifier
 * (mm/private_node.c) and the series' earlier patch that left private
 * zones out of the min_free_kbytes share: the block went online in
 * Normal, and khugepaged's recommended min_free_kbytes (a few pageblocks
 * per zone up to Normal) raised every ordinary zone's watermarks by a
 * third (three ordinary zones, one private). A private DMA32 or Normal
 * zone would also count in the direct-reclaim throttle
 * (allow_direct_reclaim()), which waits for kswapd on a node that has
 * none.
 */
#define _GNU_SOURCE
#include <glob.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MAX_ZONES	32

struct wmarks {
	int n;
	struct {
		int nid;
		char zone[16];
		long min, low, high;
	} z[MAX_ZONES];
};

/* The watermarks of every populated zone not on node @skip. */
static int read_wmarks(int skip, struct wmarks *w)
{
	char line[256], zone[16] = "";
	int nid = -1, i = -1;
	long v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -errno;
	w->n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %15s", &nid, zone) == 2) {
			i = -1;
			if (nid != skip && w->n < MAX_ZONES) {
				i = w->n++;
				w->z[i].nid = nid;
				snprintf(w->z[i].zone, sizeof(w->z[i].zone),
					 "%s", zone);
				w->z[i].min = -1;
				w->z[i].low = -1;
				w->z[i].high = -1;
			}
			continue;
		}
		if (i < 0)
			continue;
		if (sscanf(line, " min %ld", &v) == 1 && w->z[i].min < 0)
			w->z[i].min = v;
		else if (sscanf(line, " low %ld", &v) == 1 && w->z[i].low < 0)
			w->z[i].low = v;
		else if (sscanf(line, " high %ld", &v) == 1 && w->z[i].high < 0)
			w->z[i].high = v;
	}
	fclose(f);
	return w->n ? 0 : -ENOENT;
}

/* Every zone of @a is in @b with the same watermarks. */
static void same_wmarks(struct __test_metadata *_metadata,
			const struct wmarks *a, const struct wmarks *b,
			const char *when)
{
	int i, j, seen = 0;

	for (i = 0; i < a->n; i++) {
		if (a->z[i].min <= 0)
			continue;	/* not populated */
		for (j = 0; j < b->n; j++)
			if (b->z[j].nid == a->z[i].nid &&
			    !strcmp(b->z[j].zone, a->z[i].zone))
				break;
		ASSERT_LT(j, b->n);
		seen++;
		if (a->z[i].min != b->z[j].min || a->z[i].low != b->z[j].low ||
		    a->z[i].high != b->z[j].high)
			TH_LOG("%s: node %d %s: min/low/high %ld/%ld/%ld -> %ld/%ld/%ld",
			       when, a->z[i].nid, a->z[i].zone, a->z[i].min,
			       a->z[i].low, a->z[i].high, b->z[j].min,
			       b->z[j].low, b->z[j].high);
		EXPECT_EQ(a->z[i].min, b->z[j].min);
		EXPECT_EQ(a->z[i].low, b->z[j].low);
		EXPECT_EQ(a->z[i].high, b->z[j].high);
	}
	EXPECT_GT(seen, 0);
}

/* The lowest-numbered memory block of node @nid, or -1. */
static long first_block(int nid)
{
	char pattern[96];
	long best = -1, m;
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern),
		 "/sys/devices/system/node/node%d/memory[0-9]*", nid);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		m = strtol(strrchr(g.gl_pathv[i], '/') + 7, NULL, 10);
		if (best < 0 || m < best)
			best = m;
	}
	globfree(&g);
	return best;
}

static int block_write(long blk, const char *what)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state",
		 blk);
	return pm_write_str(path, what);
}

static int block_zone(long blk, char *zone, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path),
		 "/sys/devices/system/memory/memory%ld/valid_zones", blk);
	return pm_read_str(path, zone, len);
}

static int block_state(long blk, char *state, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state",
		 blk);
	return pm_read_str(path, state, len);
}

FIXTURE(wm) {
	struct pm_binding b;
	struct wmarks before;
	int nid;
	int fd;
};

FIXTURE_VARIANT(wm) {
	const char *type;
};

FIXTURE_VARIANT_ADD(wm, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(wm, compressed) { .type = "compressed" };

FIXTURE_SETUP(wm)
{
	char buf[16];

	/*
	 * The watermarks with nothing bound, as the last hotplug event
	 * computed them: bind and unbind first (the boot-time values were
	 * computed with slightly different managed page counts).
	 */
	ASSERT_EQ(0, pm_read_str(PM_DAX_DIR "/target_node", buf, sizeof(buf)));
	self->nid = atoi(buf);
	/* The previous test left the device bound (and online). */
	ASSERT_EQ(0, pm_rebind(&self->b, variant->type));
	ASSERT_EQ(0, pm_write_str(PM_DRV "/unbind", PM_DAX));
	pm_write_str(PM_DRV "/remove_id", PM_DAX);
	ASSERT_EQ(0, read_wmarks(self->nid, &self->before));
	self->fd = pm_bind_open(&self->b, variant->type);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(wm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(wm, bind)
{
	struct wmarks after;

	ASSERT_EQ(self->nid, self->b.nid);
	ASSERT_EQ(0, read_wmarks(self->nid, &after));
	same_wmarks(_metadata, &self->before, &after, "bound");
}

TEST_F_TIMEOUT(wm, online_kernel, 120)
{
	long blk = first_block(self->nid);
	struct wmarks after;
	char zone[64], state[32];
	int ret;

	ASSERT_GE(blk, 0);
	ASSERT_EQ(0, block_write(blk, "offline"));
	ret = block_write(blk, "online_kernel");
	ASSERT_EQ(0, block_zone(blk, zone, sizeof(zone)));
	ASSERT_EQ(0, block_state(blk, state, sizeof(state)));
	TH_LOG("memory%ld of node %d: online_kernel: %s, state %s, zone %s",
	       blk, self->nid, ret ? strerror(-ret) : "ok", state, zone);
	EXPECT_EQ(-EPERM, ret);
	EXPECT_EQ(0, strcmp(state, "offline"));
	ASSERT_EQ(0, read_wmarks(self->nid, &after));
	same_wmarks(_metadata, &self->before, &after,
		    "a private block onlined online_kernel");
	if (!ret)
		EXPECT_EQ(0, block_write(blk, "offline"));
	EXPECT_EQ(0, block_write(blk, "online_movable"));
	ASSERT_EQ(0, block_zone(blk, zone, sizeof(zone)));
	EXPECT_EQ(0, strcmp(zone, "Movable"));
}

int main(int argc, char **argv)
{
	if (pm_rebind_restore_at_exit())
		return 1;
	return test_harness_run(argc, argv);
}
