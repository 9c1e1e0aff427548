// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: hugetlb pools and a private node (dax0.0 bound as a plain node,
 * which also opts into mempolicy, for the whole program).
 *
 *  - global_pool_2m: growing /proc/sys/vm/nr_hugepages by 32 grows the pool
 *    (the control: DRAM has room) and takes nothing from the private node:
 *    its nodeN/hugepages/hugepages-2048kB/nr_hugepages stays 0 and its free
 *    memory does not drop;
 *  - private_node_pool_2m: writing 16 to the private node's own 2M pool
 *    leaves it (and the global pool) unchanged;
 *  - dram_node_pool_2m: the control: writing 8 to node 1's 2M pool gives
 *    node 1 eight huge pages;
 *  - mempolicy_pool_2m: a task bound (set_mempolicy MPOL_BIND) to the
 *    private node writes nr_hugepages_mempolicy and faults a MAP_HUGETLB
 *    page with overcommit allowed: no huge page, persistent or surplus,
 *    lands on the private node;
 *  - private_node_pool_1g: as private_node_pool_2m with 1G pages (SKIP when
 *    the guest CPU has no 1G pages).
 *
 * Every pool size is put back afterwards. The console is checked for
 * WARN/BUG splats by the harness (make check).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_distro.h"

#define HP2M		"hugepages-2048kB"
#define HP1G		"hugepages-1048576kB"
#define NR_HUGE		"/proc/sys/vm/nr_hugepages"
#define NR_OVERCOMMIT	"/proc/sys/vm/nr_overcommit_hugepages"

static struct pm_binding B;

static void node_pool_path(char *buf, size_t len, int nid, const char *size,
			   const char *file)
{
	snprintf(buf, len, "/sys/devices/system/node/node%d/hugepages/%s/%s",
		 nid, size, file);
}

static long node_pool(int nid, const char *size, const char *file)
{
	char path[160];

	node_pool_path(path, sizeof(path), nid, size, file);
	return pm_read_long(path);
}

static int set_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return pm_write_str(path, buf);
}

static void compact_node(int nid)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/compact",
		 nid);
	pm_write_str(path, "1");
}

FIXTURE(huge) {
	long nr, overcommit;
	long node_nr[4];
	long free0;	/* the private node's settled MemFree, kB */
};

FIXTURE_SETUP(huge)
{
	int n;

	self->nr = -1;
	if (access(NR_HUGE, W_OK))
		SKIP(return, "no hugetlb in this kernel (CONFIG_HUGETLBFS)");
	self->nr = pm_read_long(NR_HUGE);
	self->overcommit = pm_read_long(NR_OVERCOMMIT);
	ASSERT_LE(0, self->nr);
	for (n = 0; n < 4; n++)
		self->node_nr[n] = node_pool(n, HP2M, "nr_hugepages");
	/* The private node has a pool directory, empty. */
	ASSERT_EQ(0, self->node_nr[B.nid]);
	ASSERT_EQ(1, pm_node_listed("has_private_memory", B.nid));
	self->free0 = pm_node_free_settled(B.nid);
	ASSERT_LT(0, self->free0);
}

FIXTURE_TEARDOWN(huge)
{
	char path[160];
	int n;

	if (self->nr < 0)
		return;
	for (n = 0; n < 4; n++) {
		if (self->node_nr[n] < 0)
			continue;
		node_pool_path(path, sizeof(path), n, HP2M, "nr_hugepages");
		set_long(path, self->node_nr[n]);
	}
	if (set_long(NR_HUGE, self->nr))
		TH_LOG("could not restore nr_hugepages to %ld", self->nr);
	if (self->overcommit >= 0)
		set_long(NR_OVERCOMMIT, self->overcommit);
}

/* Nothing on the private node: no pool page and no free memory taken. */
static void private_node_untouched(struct __test_metadata *_metadata,
				   long free0, const char *size)
{
	long free1 = pm_node_free_settled(B.nid);

	EXPECT_EQ(0, node_pool(B.nid, size, "nr_hugepages"));
	EXPECT_EQ(0, node_pool(B.nid, size, "free_hugepages"));
	EXPECT_EQ(0, node_pool(B.nid, size, "surplus_hugepages"));
	/* Less than one 2M page: a huge page taken would show. */
	EXPECT_GT(2048, free0 - free1) {
		TH_LOG("node %d free %ld kB before, %ld kB after", B.nid,
		       free0, free1);
	}
}

TEST_F_TIMEOUT(huge, global_pool_2m, 180)
{
	long want = self->nr + 32, got, sum = 0;
	int n;

	compact_node(0);
	compact_node(1);
	ASSERT_EQ(0, set_long(NR_HUGE, want));
	got = pm_read_long(NR_HUGE);
	TH_LOG("nr_hugepages %ld -> %ld (asked %ld)", self->nr, got, want);
	/* The control: DRAM has room, so the pool grew. */
	ASSERT_LT(self->nr, got);
	for (n = 0; n < 4; n++)
		if (node_pool(n, HP2M, "nr_hugepages") > 0)
			sum += node_pool(n, HP2M, "nr_hugepages");
	EXPECT_EQ(got, sum);
	private_node_untouched(_metadata, self->free0, HP2M);
}

TEST_F_TIMEOUT(huge, private_node_pool_2m, 120)
{
	char path[160];
	int ret;

	node_pool_path(path, sizeof(path), B.nid, HP2M, "nr_hugepages");
	ret = pm_write_str(path, "16");
	TH_LOG("write 16 to %s: %s", path, ret ? strerror(-ret) : "ok");
	EXPECT_EQ(self->nr, pm_read_long(NR_HUGE));
	private_node_untouched(_metadata, self->free0, HP2M);
}

TEST_F_TIMEOUT(huge, dram_node_pool_2m, 120)
{
	char path[160];
	long want = self->node_nr[1] + 8;

	compact_node(1);
	node_pool_path(path, sizeof(path), 1, HP2M, "nr_hugepages");
	ASSERT_EQ(0, set_long(path, want));
	EXPECT_EQ(want, node_pool(1, HP2M, "nr_hugepages"));
	EXPECT_EQ(self->nr + 8, pm_read_long(NR_HUGE));
	private_node_untouched(_metadata, self->free0, HP2M);
}

TEST_F_TIMEOUT(huge, mempolicy_pool_2m, 120)
{
	unsigned long mask = 1UL << B.nid;
	int status;
	pid_t pid;

	compact_node(0);
	compact_node(1);
	ASSERT_EQ(0, set_long(NR_OVERCOMMIT, 8));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p;
		int ret;

		if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask,
			    sizeof(mask) * 8 + 1))
			_exit(10);
		ret = set_long("/proc/sys/vm/nr_hugepages_mempolicy",
			       self->nr + 16);
		printf("# bound to node %d: nr_hugepages_mempolicy +16: %s, pool %ld\n",
		       B.nid, ret ? strerror(-ret) : "ok",
		       pm_read_long(NR_HUGE));
		fflush(stdout);
		p = mmap(NULL, PM_HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED)
			_exit(0);
		/* May get SIGBUS: no huge page anywhere the policy allows. */
		memset(p, 1, PM_HPAGE);
		printf("# MAP_HUGETLB page faulted on node %ld\n",
		       pm_count_on_node(p, 1, B.nid) == 1 ? (long)B.nid : -1L);
		fflush(stdout);
		_exit(pm_count_on_node(p, 1, B.nid) == 1 ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("child: %s %d", WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	/* 10: the policy was refused: the node would be unusable anyway. */
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 10);
	EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 11);
	private_node_untouched(_metadata, self->free0, HP2M);
}

TEST_F_TIMEOUT(huge, private_node_pool_1g, 120)
{
	char path[160];
	int ret;

	if (access("/sys/kernel/mm/hugepages/" HP1G, F_OK))
		SKIP(return, "no 1G huge pages: the guest CPU lacks pdpe1gb");
	node_pool_path(path, sizeof(path), B.nid, HP1G, "nr_hugepages");
	ASSERT_EQ(0, node_pool(B.nid, HP1G, "nr_hugepages"));
	ret = pm_write_str(path, "1");
	TH_LOG("write 1 to %s: %s", path, ret ? strerror(-ret) : "ok");
	private_node_untouched(_metadata, self->free0, HP1G);
	pm_write_str(path, "0");
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
