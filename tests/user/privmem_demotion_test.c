// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: GET_DEMOTION / SET_DEMOTION on a plain node made from dax0.0.
 *
 * The ioctls change what the kernel reports as demotion targets (its
 * "Demotion targets for Node N" lines and the memory tiers in
 * /sys/devices/virtual/memory_tiering/), and reclaim of a cgroup whose
 * memory is on node 1 (memory.reclaim) demotes into the private node when
 * demotion is enabled, never when it is disabled. Each test runs twice:
 * with the multi-gen LRU on, as distributions boot, and with the classic
 * LRU (fixture variants lru_gen_on, lru_gen_off).
 */
#define _GNU_SOURCE
#include <glob.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

static struct pm_binding B;

FIXTURE(pm) {
	int fd;
	char lru_gen[16];
};

/* Every test runs with the multi-gen LRU on (as Debian boots) and off. */
FIXTURE_VARIANT(pm) {
	int lru_gen;
};

FIXTURE_VARIANT_ADD(pm, lru_gen_on) { .lru_gen = 1 };
FIXTURE_VARIANT_ADD(pm, lru_gen_off) { .lru_gen = 0 };

FIXTURE_SETUP(pm)
{
	pm_lru_fixture_setup(_metadata, &B, &self->fd, variant->lru_gen,
			     self->lru_gen, sizeof(self->lru_gen));
}

FIXTURE_TEARDOWN(pm)
{
	struct privmem_demotion d = {
		.size = sizeof(d), .flags = PRIVMEM_DEMOTION_ALL_SOURCES,
	};

	/* Back to the plain node's default: disabled, every source. */
	ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d);
	close(self->fd);
	pm_lru_gen_restore(self->lru_gen);
}

static int set_demotion(int fd, unsigned int flags, unsigned long sources)
{
	struct privmem_demotion d = { .size = sizeof(d), .flags = flags };

	d.sources[0] = sources;
	return ioctl(fd, PRIVMEM_IOC_SET_DEMOTION, &d);
}

/* The last "Demotion targets for Node @nid: ..." line of the kernel log. */
static int last_targets(int nid, char *out, size_t len)
{
	char line[512], prefix[64];
	FILE *f = popen("dmesg", "r");

	if (!f)
		return -1;
	snprintf(prefix, sizeof(prefix), "Demotion targets for Node %d: ", nid);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, prefix);

		if (p) {
			snprintf(out, len, "%s", p + strlen(prefix));
			out[strcspn(out, "\n")] = '\0';
		}
	}
	pclose(f);
	return out[0] ? 0 : -1;
}

/* Is @nid listed in some /sys/devices/virtual/memory_tiering tier? */
static int in_a_tier(int nid)
{
	glob_t g;
	size_t i;
	int found = 0;

	if (glob("/sys/devices/virtual/memory_tiering/memory_tier*/nodelist",
		 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		char buf[128], *p, *save;

		if (pm_read_str(g.gl_pathv[i], buf, sizeof(buf)))
			continue;
		for (p = strtok_r(buf, ",", &save); p;
		     p = strtok_r(NULL, ",", &save)) {
			int a, b;

			if (sscanf(p, "%d-%d", &a, &b) == 2 ?
			    nid >= a && nid <= b : atoi(p) == nid)
				found = 1;
		}
	}
	globfree(&g);
	return found;
}

TEST_F(pm, default_is_disabled_for_plain)
{
	struct privmem_demotion d = { .size = sizeof(d) };

	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ(PRIVMEM_DEMOTION_ALL_SOURCES, d.flags);
	EXPECT_TRUE(d.sources[0] & 1);
	EXPECT_TRUE(d.sources[0] & 2);
	EXPECT_EQ(0, in_a_tier(B.nid));
	EXPECT_EQ(0, pm_sys_long(&B, "demotion"));
}

TEST_F(pm, ioctls_change_kernel_demotion_targets)
{
	struct privmem_demotion d = { .size = sizeof(d) };
	char t[256], want[64];
	struct privmem_info info;

	snprintf(want, sizeof(want), "preferred: %d, fallback: %d", B.nid,
		 B.nid);

	/* Enabled, from every node. */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ENABLE |
				  PRIVMEM_DEMOTION_ALL_SOURCES, 0));
	ASSERT_EQ(0, last_targets(0, t, sizeof(t)));
	EXPECT_STREQ(want, t);
	ASSERT_EQ(0, last_targets(1, t, sizeof(t)));
	EXPECT_STREQ(want, t);
	EXPECT_EQ(1, in_a_tier(B.nid));
	EXPECT_EQ(1, pm_sys_long(&B, "demotion"));
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_TRUE(info.caps & PRIVMEM_CAP_DEMOTION);
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ(PRIVMEM_DEMOTION_ENABLE | PRIVMEM_DEMOTION_ALL_SOURCES,
		  d.flags);

	/* Only node 0 may demote into it. */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ENABLE, 1UL << 0));
	ASSERT_EQ(0, last_targets(0, t, sizeof(t)));
	EXPECT_STREQ(want, t);
	ASSERT_EQ(0, last_targets(1, t, sizeof(t)));
	EXPECT_STREQ("null", t);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ(PRIVMEM_DEMOTION_ENABLE, d.flags);
	EXPECT_EQ(1ULL, d.sources[0]);

	/* Disabled: no node demotes into it, it leaves the tiers. */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ALL_SOURCES, 0));
	ASSERT_EQ(0, last_targets(0, t, sizeof(t)));
	EXPECT_STREQ("null", t);
	ASSERT_EQ(0, last_targets(1, t, sizeof(t)));
	EXPECT_STREQ("null", t);
	EXPECT_EQ(0, in_a_tier(B.nid));
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_FALSE(info.caps & PRIVMEM_CAP_DEMOTION);
}

#define CG "/sys/fs/cgroup/privmem-demotion"

/*
 * A child in its own memory cgroup fills @len bytes bound to node 1, the
 * parent asks the cgroup to reclaim them, then the child counts its pages
 * on the private node (exit status: 0 none, 1 some, 2 all, 3+ errors) and
 * checks they are intact (else 9).
 */
static int reclaim_node1(struct __test_metadata *_metadata, size_t len,
			 long *moved)
{
	int up[2], down[2], status;
	char c, buf[64];
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		__u64 sum;
		long on;
		char *p;

		p = pm_child_node1_fill(CG, len, 31);
		sum = pm_checksum(p, len);
		if (pm_count_on_node(p, len / PM_PAGE, 1) != (long)(len / PM_PAGE))
			_exit(5);
		if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(6);
		on = pm_count_on_node(p, len / PM_PAGE, B.nid);
		if (pm_checksum(p, len) != sum)
			_exit(9);
		_exit(on == 0 ? 0 : on == (long)(len / PM_PAGE) ? 2 : 1);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	*moved = pm_node_meminfo(B.nid, "MemUsed");
	snprintf(buf, sizeof(buf), "%zu", len);
	/* May fail with EAGAIN when it cannot reclaim everything. */
	pm_write_str(CG "/memory.reclaim", buf);
	*moved = pm_node_meminfo(B.nid, "MemUsed") - *moved;
	ASSERT_EQ(1, write(down[1], "c", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(pm, reclaim_demotes_only_when_enabled, 180)
{
	struct privmem_pressure p0, p1;
	size_t len = 32 << 20;
	char saved[16] = "";
	long grew;
	int ret;

	ASSERT_EQ(0, pm_read_str("/sys/kernel/mm/numa/demotion_enabled",
				 saved, sizeof(saved)));
	ASSERT_EQ(0, pm_write_str("/sys/kernel/mm/numa/demotion_enabled",
				  "true"));
	pm_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));

	/* Disabled: reclaim cannot demote anything (and there is no swap). */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ALL_SOURCES, 0));
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	ret = reclaim_node1(_metadata, len, &grew);
	EXPECT_EQ(0, ret);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	EXPECT_EQ(p0.demotions_in, p1.demotions_in);
	TH_LOG("disabled: node %d MemUsed grew by %ld kB", B.nid, grew);

	/* Enabled: it does, and the node counts the demotions. */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ENABLE |
				  PRIVMEM_DEMOTION_ALL_SOURCES, 0));
	ret = reclaim_node1(_metadata, len, &grew);
	EXPECT_TRUE(ret == 1 || ret == 2) TH_LOG("child status %d", ret);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	TH_LOG("enabled: node %d MemUsed grew by %ld kB, demotions_in %llu",
	       B.nid, grew, (unsigned long long)p0.demotions_in);
	EXPECT_GT(p0.demotions_in, p1.demotions_in);
	EXPECT_GT(grew, 1024);

	/* Enabled but not from node 1: no demotion again. */
	ASSERT_EQ(0, set_demotion(self->fd, PRIVMEM_DEMOTION_ENABLE, 1UL << 0));
	ret = reclaim_node1(_metadata, len, &grew);
	EXPECT_EQ(0, ret);

	/* Reclaim ran under the LRU the variant asked for. */
	EXPECT_EQ(variant->lru_gen, pm_lru_gen() & 1);
	rmdir(CG);
	pm_write_str("/sys/kernel/mm/numa/demotion_enabled", saved);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
