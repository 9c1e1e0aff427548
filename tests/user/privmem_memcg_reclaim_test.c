// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 4: a memory cgroup at its limit reclaims from a private
 * node that opted into reclaim (a compressed node), where its folios stay
 * charged.
 *
 * A child in a new cgroup (memory.max 64 MiB) migrates 48 MiB of its
 * anonymous memory onto the compressed node (PRIVMEM_IOC_MIGRATE), then
 * maps and mlocks 32 MiB of DRAM. The locked pages cannot be reclaimed,
 * so the cgroup can only make room by reclaiming (swapping out) its pages
 * on the private node. The child must survive (no OOM kill in the
 * cgroup's memory.events), its 48 MiB read back intact, and part of them
 * must have left the node.
 *
 * Seen to fail before patch 0024: limit reclaim walked only the local
 * zonelist (DRAM nodes), found nothing, and the cgroup OOM-killed the
 * child.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MIB		(1024UL * 1024)
#define ON_NODE		(48 * MIB)
#define LOCKED		(32 * MIB)

FIXTURE(mr) {
	struct pm_binding b;
	int fd;
	char cg[96];
};

FIXTURE_SETUP(mr)
{
	int ret;

	self->fd = -1;
	self->cg[0] = '\0';
	ret = pm_memcg_new(self->cg, sizeof(self->cg), "privmem-mr");
	if (ret == -ENOENT)
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, ret);
	self->fd = pm_bind_open(&self->b, "compressed");
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(mr)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->cg[0] && rmdir(self->cg))
		TH_LOG("could not remove %s: %s", self->cg, strerror(errno));
}

/* The child: exit 0 if everything worked, else the step that failed. */
static int in_cgroup(int fd, const char *cg, int nid)
{
	struct privmem_migrate m;
	char path[160], pid[16];
	char *p, *l;
	__u64 sum;
	long on;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (pm_write_str(path, pid))
		return 10;
	p = pm_anon(ON_NODE, 0);
	if (!p)
		return 11;
	pm_fill(p, ON_NODE, 77);
	sum = pm_checksum(p, ON_NODE);
	if (pm_migrate(fd, &m, 0, p, ON_NODE, PRIVMEM_MIGRATE_TO_NODE, -1) ||
	    m.moved != ON_NODE / PM_PAGE)
		return 12;
	printf("# child: %lu pages on node %d; mlocking %lu MiB of DRAM\n",
	       (unsigned long)m.moved, nid, LOCKED / MIB);
	fflush(stdout);
	l = mmap(NULL, LOCKED, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (l == MAP_FAILED)
		return 13;
	if (mlock(l, LOCKED))
		return 14;
	memset(l, 1, LOCKED);
	on = pm_count_on_node(p, ON_NODE / PM_PAGE, nid);
	printf("# child: after mlock, %ld of %lu pages still on node %d\n", on,
	       ON_NODE / PM_PAGE, nid);
	fflush(stdout);
	if (on >= (long)(ON_NODE / PM_PAGE))
		return 15;
	if (pm_checksum(p, ON_NODE) != sum)
		return 16;
	return 0;
}

TEST_F_TIMEOUT(mr, limit_reclaims_from_the_node, 300)
{
	char path[160];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/memory.max", self->cg);
	ASSERT_EQ(0, pm_write_str(path, "64M"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(in_cgroup(self->fd, self->cg, self->b.nid));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("child: %s %d", WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	snprintf(path, sizeof(path), "grep -q '^oom_kill 0$' %s/memory.events",
		 self->cg);
	EXPECT_EQ(0, system(path));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	if (pm_rebind_restore_at_exit())
		return 1;
	return test_harness_run(argc, argv);
}
