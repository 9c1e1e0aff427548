// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 1: the gate decides with the node's services and state
 * at the moment of the allocation, not with those it had when a policy was
 * made.
 *
 * - A policy made with mbind() while dax0.0 was a plain node must not
 *   place folios on the same node id once it is bound again as a
 *   compressed node (no mempolicy service): they go to local memory.
 * - A blocked node (pressure at the maximum) takes no folio of an mbind()
 *   policy: they go to local memory until it is unblocked.
 */
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define LEN	(64UL << 20)

FIXTURE(gate) {
	struct pm_binding b;
};

FIXTURE_SETUP(gate)
{
	/* An earlier program may have left dax0.0 bound to privmem. */
	if (!access(PM_DRV "/" PM_DAX, F_OK)) {
		pm_write_str(PM_DRV "/unbind", PM_DAX);
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
	}
}

FIXTURE_TEARDOWN(gate)
{
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

static long bind_node(void *p, size_t len, int nid)
{
	unsigned long mask = 1UL << nid;

	return mbind(p, len, MPOL_BIND, &mask, sizeof(mask) * 8, 0);
}

TEST_F_TIMEOUT(gate, stale_policy_after_rebind_as_compressed, 300)
{
	unsigned long npages = LEN / PM_PAGE;
	long on, stored;
	char *p;
	int nid;

	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
	nid = self->b.nid;
	p = pm_anon(LEN, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bind_node(p, LEN, nid));

	/* privctl destroy; privctl create --type compressed */
	ASSERT_EQ(0, pm_set(&self->b, "state", "offline"));
	ASSERT_EQ(0, pm_set(&self->b, "type", "compressed"));
	ASSERT_EQ(0, pm_online(&self->b));
	ASSERT_EQ(nid, (int)pm_sys_long(&self->b, "node"));

	memset(p, 0x5a, LEN);
	on = pm_count_on_node(p, npages, nid);
	stored = pm_sys_long(&self->b, "cram/stored_pages");
	TH_LOG("after rebind as compressed: %ld of %lu pages on node %d, device stores %ld",
	       on, npages, nid, stored);
	EXPECT_EQ(0, on);
	EXPECT_EQ(0, stored);
	EXPECT_EQ(0, pm_count_on_node(p, npages, -ENOENT));
	munmap(p, LEN);
}

TEST_F_TIMEOUT(gate, blocked_node_takes_no_policy_folio, 300)
{
	unsigned long half = LEN / 2, npages = half / PM_PAGE;
	struct privmem_pressure pr;
	long on;
	char *p;
	int fd, nid;

	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
	nid = self->b.nid;
	fd = pm_open(&self->b);
	ASSERT_LE(0, fd);
	p = pm_anon(LEN, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, bind_node(p, LEN, nid));

	ASSERT_EQ(0, pm_inject(fd, 1000, 0));
	ASSERT_EQ(0, pm_pressure(fd, &pr));
	ASSERT_TRUE(!!(pr.flags & PRIVMEM_PRESSURE_BLOCKED));
	memset(p, 1, half);
	on = pm_count_on_node(p, npages, nid);
	TH_LOG("blocked: %ld of %lu pages on node %d", on, npages, nid);
	EXPECT_EQ(0, on);

	ASSERT_EQ(0, pm_inject(fd, 0, PRIVMEM_INJECT_CLEAR));
	ASSERT_EQ(0, pm_pressure(fd, &pr));
	ASSERT_FALSE(!!(pr.flags & PRIVMEM_PRESSURE_BLOCKED));
	memset(p + half, 1, half);
	on = pm_count_on_node(p + half, npages, nid);
	TH_LOG("unblocked: %ld of %lu pages on node %d", on, npages, nid);
	EXPECT_EQ((long)npages, on);
	munmap(p, LEN);
	close(fd);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
