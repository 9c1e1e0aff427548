// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 5: cpusets govern private nodes.
 *
 * A task in a child cgroup whose cpuset.mems is "0" may not place memory
 * on the plain private node: mbind() and set_mempolicy() fail with EINVAL
 * (as for a normal node outside the cpuset), PRIVMEM_IOC_MIGRATE into the
 * node with EPERM, move_pages(2) with -EACCES per page. Once cpuset.mems
 * lists the node ("0,N"), mbind() works and its pages land on the node,
 * while memory without a policy still never goes there.
 */
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define CG_ROOT	"/sys/fs/cgroup"
#define CG	CG_ROOT "/privmem_gate"
#define LEN	(8UL << 20)

static struct pm_binding B;

struct result {
	int mbind_ret, mbind_errno;
	int setpol_ret, setpol_errno;
	int migrate_ret, migrate_errno;
	int move_status;
	long on_node_bound;	/* pages of the mbind()ed range on the node */
	long on_node_plain;	/* pages of a range without policy on the node */
	char mems[64];
};

/* Run the checks in a child placed in CG; fills *r. */
static int run_in_cgroup(struct result *r, int nid)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		unsigned long mask = 1UL << nid, npages = LEN / PM_PAGE;
		struct privmem_migrate m;
		char buf[32], *p, *q;
		void *page;
		int node = nid, fd;

		snprintf(buf, sizeof(buf), "%d", getpid());
		if (pm_write_str(CG "/cgroup.procs", buf))
			_exit(10);
		pm_read_str(CG "/cpuset.mems.effective", r->mems,
			    sizeof(r->mems));

		p = pm_anon(LEN, 0);
		q = pm_anon(LEN, 0);
		if (!p || !q)
			_exit(11);
		r->mbind_ret = mbind(p, LEN, MPOL_BIND, &mask,
				     sizeof(mask) * 8, 0);
		r->mbind_errno = errno;
		memset(p, 1, LEN);
		memset(q, 1, LEN);
		r->on_node_bound = pm_count_on_node(p, npages, nid);
		r->on_node_plain = pm_count_on_node(q, npages, nid);

		r->setpol_ret = set_mempolicy(MPOL_BIND, &mask,
					      sizeof(mask) * 8);
		r->setpol_errno = errno;
		set_mempolicy(MPOL_DEFAULT, NULL, 0);

		fd = pm_open(&B);
		if (fd < 0)
			_exit(12);
		r->migrate_ret = pm_migrate(fd, &m, 0, q, LEN,
					    PRIVMEM_MIGRATE_TO_NODE, nid);
		r->migrate_errno = errno;
		close(fd);

		page = q;
		r->move_status = 1;
		if (move_pages(0, 1, &page, &node, &r->move_status, 0) < 0)
			r->move_status = -errno;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

FIXTURE(cg) {
	struct result *r;
	int enabled;
};

FIXTURE_SETUP(cg)
{
	char ctl[256];

	self->r = mmap(NULL, sizeof(*self->r), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->r);
	/* The guest mounts cgroup2 there (scripts/guest/guest-init). */
	ASSERT_EQ(0, pm_read_str(CG_ROOT "/cgroup.controllers", ctl,
				 sizeof(ctl)));
	ASSERT_NE(NULL, strstr(ctl, "cpuset"));
	/* An empty subtree_control reads as no line at all. */
	if (pm_read_str(CG_ROOT "/cgroup.subtree_control", ctl, sizeof(ctl)))
		ctl[0] = '\0';
	if (!strstr(ctl, "cpuset")) {
		ASSERT_EQ(0, pm_write_str(CG_ROOT "/cgroup.subtree_control",
					  "+cpuset"));
		self->enabled = 1;
	}
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));
}

FIXTURE_TEARDOWN(cg)
{
	rmdir(CG);
	if (self->enabled)
		pm_write_str(CG_ROOT "/cgroup.subtree_control", "-cpuset");
}

TEST_F_TIMEOUT(cg, cpuset_without_the_node_refuses_it, 180)
{
	struct result *r = self->r;

	ASSERT_EQ(0, pm_write_str(CG "/cpuset.mems", "0"));
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(0, run_in_cgroup(r, B.nid));
	TH_LOG("mems %s: mbind %d/%d set_mempolicy %d/%d MIGRATE %d/%d move %d on node %ld",
	       r->mems, r->mbind_ret, r->mbind_errno, r->setpol_ret,
	       r->setpol_errno, r->migrate_ret, r->migrate_errno,
	       r->move_status, r->on_node_bound);
	EXPECT_EQ(-1, r->mbind_ret);
	EXPECT_EQ(EINVAL, r->mbind_errno);
	EXPECT_EQ(0, r->on_node_bound);
	EXPECT_EQ(-1, r->setpol_ret);
	EXPECT_EQ(EINVAL, r->setpol_errno);
	EXPECT_EQ(-1, r->migrate_ret);
	EXPECT_EQ(EPERM, r->migrate_errno);
	EXPECT_EQ(-EACCES, r->move_status);
	EXPECT_EQ(0, r->on_node_plain);
}

TEST_F_TIMEOUT(cg, cpuset_listing_the_node_allows_it, 180)
{
	struct result *r = self->r;
	char mems[32];

	snprintf(mems, sizeof(mems), "0,%d", B.nid);
	ASSERT_EQ(0, pm_write_str(CG "/cpuset.mems", mems));
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(0, run_in_cgroup(r, B.nid));
	TH_LOG("mems %s (eff. %s): mbind %d/%d, on node: bound %ld plain %ld, MIGRATE %d",
	       mems, r->mems, r->mbind_ret, r->mbind_errno, r->on_node_bound,
	       r->on_node_plain, r->migrate_ret);
	EXPECT_EQ(0, r->mbind_ret);
	EXPECT_EQ((long)(LEN / PM_PAGE), r->on_node_bound);
	/* Ordinary memory never falls back onto the node. */
	EXPECT_EQ(0, r->on_node_plain);
	EXPECT_EQ(0, r->setpol_ret);
	EXPECT_EQ(0, r->migrate_ret);
	EXPECT_EQ(B.nid, r->move_status);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
