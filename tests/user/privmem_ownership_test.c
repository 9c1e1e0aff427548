// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: a private node belongs to its owner's memory ranges, not to its
 * node id (issue 15 point 2).
 *
 * NVDIMM 1 (node 3) is split into two devdax namespaces, A and B. A is
 * bound to privmem as a plain node; B is bound to dax/kmem (what daxctl
 * reconfigure-device --mode=system-ram does; the kernel auto-onlines the
 * memory kmem adds, as Debian's does). Then:
 *
 *  - while privmem owns node 3, none of B's memory blocks goes online
 *    (the core refuses memory its owner did not add), and node 3's
 *    private memory is A's alone;
 *  - unbinding A leaves node 3 with no private memory and no owner, and
 *    privmem can be unloaded;
 *  - B's blocks then go online as ordinary memory, node 3 is in
 *    has_memory, and pages allocated and freed there (mbind) are fine: no
 *    callback into the unloaded owner (make check-debug runs this under
 *    KASAN).
 *
 * Without the fix B's blocks went online as private memory, unbinding A
 * returned without unregistering the owner, and the next free on node 3
 * called into freed memory of an unloaded module.
 *
 * The namespace layout is put back (one devdax namespace over the whole
 * region: dax1.0) whatever happens.
 */
#define _GNU_SOURCE
#include <numaif.h>
#include <limits.h>
#include <stdarg.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define REGION_DAX	"dax1.0"
#define KMEM_DRV	"/sys/bus/dax/drivers/kmem"
#define MEMDIR		"/sys/devices/system/memory"
#define NODEDIR		"/sys/devices/system/node"
#define LEN		(16UL << 20)

/* Run a shell command quietly; its exit status, or -1. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Create a 256M devdax namespace on @region; its dax device in @dax. */
static int new_namespace(const char *region, char *dax, size_t len)
{
	char cmd[256], out[4096] = "", *p;
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "ndctl create-namespace -r %s -m devdax -a 2M -s 256M 2>/dev/null",
		 region);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	if (pclose(f))
		return -EIO;
	p = strstr(out, "\"chardev\":\"");
	if (!p)
		return -ENOENT;
	p += strlen("\"chardev\":\"");
	n = strcspn(p, "\"");
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dax, p, n);
	dax[n] = '\0';
	return 0;
}

/* The command that destroys every namespace of @region. */
static const char *destroy_all(const char *region)
{
	static char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s -r %s %s && %s -r %s %s",
		 "ndctl disable-namespace all", region, ">/dev/null 2>&1",
		 "ndctl destroy-namespace -f all", region, ">/dev/null 2>&1");
	return cmd;
}

/* The nd region a dax device lives in ("region1"). */
static int region_of(const char *dax, char *region, size_t len)
{
	char link[PATH_MAX], path[128], *p, *e;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s", dax);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	p = strstr(link, "/region");
	if (!p)
		return -ENOENT;
	p++;
	e = strchr(p, '/');
	if (!e || (size_t)(e - p) >= len)
		return -ENOENT;
	memcpy(region, p, e - p);
	region[e - p] = '\0';
	return 0;
}

/* The memory blocks a dax device covers: [*first, *last]. */
static int blocks_of(const char *dax, long *first, long *last)
{
	char path[128], buf[64];
	unsigned long long start, size, bs;

	if (pm_read_str(MEMDIR "/block_size_bytes", buf, sizeof(buf)))
		return -EIO;
	bs = strtoull(buf, NULL, 16);
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/resource", dax);
	if (pm_read_str(path, buf, sizeof(buf)))
		return -EIO;
	start = strtoull(buf, NULL, 0);
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size", dax);
	if (pm_read_str(path, buf, sizeof(buf)))
		return -EIO;
	size = strtoull(buf, NULL, 0);
	if (!bs || !size)
		return -EINVAL;
	*first = (start + bs - 1) / bs;
	*last = (start + size) / bs - 1;
	return *last >= *first ? 0 : -ENOSPC;
}

/* How many of blocks [first, last] exist and are online. */
static int count_online(long first, long last, int *present)
{
	char path[128], buf[32];
	int online = 0;
	long i;

	*present = 0;
	for (i = first; i <= last; i++) {
		snprintf(path, sizeof(path), MEMDIR "/memory%ld/state", i);
		if (pm_read_str(path, buf, sizeof(buf)))
			continue;
		(*present)++;
		online += !strcmp(buf, "online");
	}
	return online;
}

/* Is @nid listed in the node mask file @what (has_memory, ...)? */
/* Bring the privmem device of dax device @dax online: 0 or -errno. */
static int online_privmem_of(const char *dax)
{
	struct pm_binding b = { 0 };
	int ret = pm_find_dev_of(&b, dax);

	return ret ? ret : pm_online(&b);
}

static int node_listed(const char *what, int nid)
{
	char path[128], buf[256], *p = buf;

	snprintf(path, sizeof(path), NODEDIR "/%s", what);
	if (pm_read_str(path, buf, sizeof(buf)))
		return -1;
	while (*p) {
		long a = strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		if (nid >= a && nid <= b)
			return 1;
		if (*p == ',')
			p++;
		else
			break;
	}
	return 0;
}

FIXTURE(own) {
	char region[32];
	char a[32], b[32];
	int split;		/* the region was split into A and B */
	int a_bound;
	int b_kmem;
	long first, last;	/* B's memory blocks */
	int nid;
};

FIXTURE_SETUP(own)
{
	char path[128], buf[32];

	if (access("/sys/bus/dax/devices/" REGION_DAX, F_OK))
		SKIP(return, "no %s", REGION_DAX);
	if (sh("command -v ndctl >/dev/null && command -v daxctl >/dev/null"))
		SKIP(return, "ndctl/daxctl not installed");
	ASSERT_EQ(0, region_of(REGION_DAX, self->region, sizeof(self->region)));
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/target_node",
		 REGION_DAX);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	self->nid = atoi(buf);
	ASSERT_EQ(0, sh("modprobe privmem"));

	/* One namespace over the region -> two of 256M. */
	ASSERT_EQ(0, sh("%s", destroy_all(self->region)));
	self->split = 1;
	ASSERT_EQ(0, new_namespace(self->region, self->a, sizeof(self->a)));
	ASSERT_EQ(0, new_namespace(self->region, self->b, sizeof(self->b)));
	TH_LOG("%s split into %s and %s (node %d)", self->region, self->a,
	       self->b, self->nid);
	ASSERT_EQ(0, blocks_of(self->b, &self->first, &self->last));
}

FIXTURE_TEARDOWN(own)
{
	long i;

	if (self->a_bound)
		pm_write_str(PM_DRV "/unbind", self->a);
	if (!self->split)
		return;
	/* B's memory offline, B off kmem, then one namespace again. */
	if (self->b_kmem) {
		for (i = self->first; i <= self->last; i++) {
			char path[128];

			snprintf(path, sizeof(path), MEMDIR "/memory%ld/state",
				 i);
			pm_write_str(path, "offline");
		}
		pm_write_str(KMEM_DRV "/unbind", self->b);
		pm_write_str(KMEM_DRV "/remove_id", self->b);
	}
	if (sh("%s", destroy_all(self->region)) ||
	    sh("ndctl create-namespace -r %s -m devdax -a 2M >/dev/null 2>&1",
	       self->region) ||
	    access("/sys/bus/dax/devices/" REGION_DAX, F_OK))
		TH_LOG("could not restore %s as %s", self->region, REGION_DAX);
	sh("modprobe privmem");
}

TEST_F_TIMEOUT(own, foreign_memory_stays_off_an_owned_node, 600)
{
	char *p;
	int present, online;
	unsigned long mask;
	long i;

	/* A: a plain private node. */
	ASSERT_EQ(0, pm_write_str(PM_DEVDAX_DRV "/unbind", self->a));
	ASSERT_EQ(0, pm_write_str(PM_DRV "/new_id", self->a));
	self->a_bound = 1;
	ASSERT_EQ(0, online_privmem_of(self->a));
	ASSERT_EQ(1, node_listed("has_private_memory", self->nid));

	/* B: system-ram through dax/kmem; its memory must stay offline. */
	ASSERT_EQ(0, sh("modprobe kmem"));
	ASSERT_EQ(0, pm_write_str(PM_DEVDAX_DRV "/unbind", self->b));
	ASSERT_EQ(0, pm_write_str(KMEM_DRV "/new_id", self->b));
	self->b_kmem = 1;
	online = count_online(self->first, self->last, &present);
	TH_LOG("%s: blocks %ld-%ld, %d present, %d online", self->b,
	       self->first, self->last, present, online);
	EXPECT_GT(present, 0);
	EXPECT_EQ(0, online);
	/* A manual online is refused too. */
	for (i = self->first; i <= self->last; i++) {
		char path[128];

		snprintf(path, sizeof(path), MEMDIR "/memory%ld/state", i);
		if (!access(path, F_OK))
			EXPECT_NE(0, pm_write_str(path, "online_movable"));
	}
	EXPECT_EQ(0, count_online(self->first, self->last, &present));
	EXPECT_EQ(0, node_listed("has_memory", self->nid));

	/* Unbinding A leaves no owner and no private memory. */
	ASSERT_EQ(0, pm_write_str(PM_DRV "/unbind", self->a));
	self->a_bound = 0;
	pm_write_str(PM_DRV "/remove_id", self->a);
	EXPECT_EQ(0, node_listed("has_private_memory", self->nid));
	EXPECT_EQ(0, sh("rmmod privmem"));

	/* B's memory now goes online, as ordinary memory, and works. */
	for (i = self->first; i <= self->last; i++) {
		char path[128];

		snprintf(path, sizeof(path), MEMDIR "/memory%ld/state", i);
		if (!access(path, F_OK))
			EXPECT_EQ(0, pm_write_str(path, "online_movable"));
	}
	EXPECT_EQ(present, count_online(self->first, self->last, &present));
	EXPECT_EQ(1, node_listed("has_memory", self->nid));
	EXPECT_EQ(0, node_listed("has_private_memory", self->nid));

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	mask = 1UL << self->nid;
	ASSERT_EQ(0, mbind(p, LEN, MPOL_BIND, &mask, sizeof(mask) * 8, 0));
	pm_fill(p, LEN, 29);
	EXPECT_EQ((long)(LEN / PM_PAGE),
		  pm_count_on_node(p, LEN / PM_PAGE, self->nid));
	/* Freed on node 3, with no owner: nothing may call into privmem. */
	ASSERT_EQ(0, munmap(p, LEN));
}

TEST_HARNESS_MAIN
