// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit checks that the guest kernel is the one the privmem harness meant
 * to boot: the NUMA topology of scripts/host/run-guest.sh, and the private-node
 * core built in. Every other privmem suite relies on these facts.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/private_node.h>
#include <linux/topology.h>

/* Node 0 holds the CPUs and DRAM. */
static void topology_node0_has_cpus_and_memory(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, node_state(0, N_CPU));
	KUNIT_EXPECT_TRUE(test, node_state(0, N_MEMORY));
	KUNIT_EXPECT_EQ(test, cpumask_weight(cpumask_of_node(0)),
			num_online_cpus());
}

/* Node 1 is CPU-less DRAM, the baseline for migration comparisons. */
static void topology_node1_is_cpuless_dram(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, node_state(1, N_MEMORY));
	KUNIT_EXPECT_FALSE(test, node_state(1, N_CPU));
	KUNIT_EXPECT_GT(test, node_present_pages(1), 0UL);
}

/* Nodes 2 and 3 exist only for the NVDIMMs: no CPUs, no boot memory. */
static void topology_nvdimm_nodes_are_empty(struct kunit *test)
{
	int nid;

	KUNIT_EXPECT_GE(test, nr_node_ids, 4U);
	for (nid = 2; nid <= 3; nid++) {
		KUNIT_EXPECT_TRUE(test, node_possible(nid));
		KUNIT_EXPECT_FALSE(test, node_state(nid, N_CPU));
		KUNIT_EXPECT_FALSE(test, node_state(nid, N_MEMORY));
	}
	KUNIT_EXPECT_EQ(test, num_node_state(N_MEMORY), 2U);
}

/* The patch series and our mm/ files made it into this kernel. */
static void topology_private_node_core_built(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, private_node_core_ready());
}

static struct kunit_case privmem_guest_topology_cases[] = {
	KUNIT_CASE(topology_node0_has_cpus_and_memory),
	KUNIT_CASE(topology_node1_is_cpuless_dram),
	KUNIT_CASE(topology_nvdimm_nodes_are_empty),
	KUNIT_CASE(topology_private_node_core_built),
	{}
};

static struct kunit_suite privmem_guest_topology_suite = {
	.name = "privmem_guest_topology",
	.test_cases = privmem_guest_topology_cases,
};

kunit_test_suite(privmem_guest_topology_suite);

MODULE_DESCRIPTION("KUnit checks of the privmem guest topology");
MODULE_LICENSE("GPL");
