// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the private node mm core: isolation of the page allocator,
 * zonelists, opt-in services and owner registration.
 *
 * The tests that need a private node hot-add one memory block of the range
 * given by the module parameters (the guest's tests/kunit/guest-setup.sh
 * passes a devdax range it unbound from device_dax):
 *   test_nid=N test_start=0x... test_size=0x...
 * Without them those tests are skipped.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/cpuset.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/memory-tiers.h>
#include <linux/memory_hotplug.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/private_node.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

/* mm/private_node.h: the internals this test reaches (EXPORT_SYMBOL_IF_KUNIT) */
#include "private_node.h"

static int test_nid = NUMA_NO_NODE;
module_param(test_nid, int, 0444);
MODULE_PARM_DESC(test_nid, "memory-less node to make private");
static unsigned long long test_start;
module_param(test_start, ullong, 0444);
MODULE_PARM_DESC(test_start, "physical start of a free range for the node");
static unsigned long long test_size;
module_param(test_size, ullong, 0444);
MODULE_PARM_DESC(test_size, "size of that range");

#define TEST_RES_NAME	"System RAM (privmem-kunit)"
#define TEST_PAGES	16

/* One memory block of the given range, aligned as dax/kmem does. */
static bool test_range(u64 *start, u64 *size)
{
	u64 bs = memory_block_size_bytes();
	u64 s = ALIGN(test_start, bs);

	if (test_nid < 0 || !test_size || s + bs > test_start + test_size)
		return false;
	*start = s;
	*size = bs;
	return true;
}

/* An owner that counts its callbacks. */
struct test_owner {
	struct private_node np;
	atomic_t frees;
	atomic_t migrations;
	atomic_t write_faults;
	vm_fault_t write_fault_ret;
	u64 start, size;
	bool added;
};

static void test_folio_free(struct folio *folio, void *owner)
{
	struct test_owner *o = owner;

	atomic_inc(&o->frees);
}

static void test_folio_migrate(struct folio *src, struct folio *dst,
			       void *owner)
{
	struct test_owner *o = owner;

	atomic_inc(&o->migrations);
}

static vm_fault_t test_write_fault(struct vm_fault *vmf, struct folio *folio,
				   void *owner)
{
	struct test_owner *o = owner;

	atomic_inc(&o->write_faults);
	folio_put(folio);	/* the callback owns the caller's reference */
	return o->write_fault_ret;
}

static const struct private_node_ops test_ops = {
	.folio_free = test_folio_free,
	.folio_migrate = test_folio_migrate,
	.write_fault = test_write_fault,
};

static void test_owner_init(struct test_owner *o, unsigned long caps)
{
	memset(o, 0, sizeof(*o));
	o->np.owner = o;
	o->np.caps = caps;
	o->np.ops = &test_ops;
	o->write_fault_ret = VM_FAULT_SIGBUS;
}

/* Undo whatever a failed test left behind: memory, then the owner. */
static void test_owner_cleanup(void *data)
{
	struct test_owner *o = data;
	struct private_node *np;

	if (o->added &&
	    remove_private_memory_driver_managed(test_nid, o->start, o->size))
		pr_err("private_node_test: cleanup: hot-remove failed\n");
	o->added = false;
	np = private_node_get(test_nid);
	private_node_put(np);
	if (np == &o->np)
		private_node_unregister(test_nid);
}

/* An owner that lives as long as the test, and is cleaned up after it. */
static struct test_owner *test_new_owner(struct kunit *test,
					 unsigned long caps)
{
	struct test_owner *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, o);
	test_owner_init(o, caps);
	ret = kunit_add_action_or_reset(test, test_owner_cleanup, o);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return o;
}

/* Hot-add one block as a private node with @caps, or skip the test. */
static struct test_owner *test_add_node(struct kunit *test, unsigned long caps)
{
	struct test_owner *o;
	int ret;

	if (test_nid < 0 || !test_size)
		kunit_skip(test, "no range: pass test_nid/test_start/test_size");
	o = test_new_owner(test, caps);
	KUNIT_ASSERT_TRUE(test, test_range(&o->start, &o->size));
	ret = add_private_memory_driver_managed(test_nid, o->start, o->size,
						TEST_RES_NAME, MHP_NONE,
						MMOP_ONLINE_MOVABLE, &o->np);
	KUNIT_ASSERT_EQ(test, ret, 0);
	o->added = true;
	KUNIT_ASSERT_TRUE(test, node_state(test_nid, N_MEMORY_PRIVATE));
	return o;
}

static void test_remove_node(struct kunit *test, struct test_owner *o)
{
	int ret;

	if (!o->added)
		return;
	ret = remove_private_memory_driver_managed(test_nid, o->start, o->size);
	KUNIT_EXPECT_EQ(test, ret, 0);
	o->added = false;
	KUNIT_EXPECT_FALSE(test, node_state(test_nid, N_MEMORY_PRIVATE));
	KUNIT_EXPECT_FALSE(test, node_is_private(test_nid));
}

/* Map @nr anonymous pages, filled with a pattern derived from @seed. */
static unsigned long test_user_pages(struct kunit *test, unsigned int nr,
				     u8 seed)
{
	unsigned long addr, i;
	u8 *buf;

	addr = kunit_vm_mmap(test, NULL, 0, nr * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
			     0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "kunit_vm_mmap failed");
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < nr; i++) {
		memset(buf, seed + i, PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr +
						   i * PAGE_SIZE, buf,
						   PAGE_SIZE), 0UL);
	}
	return addr;
}

/* Check the pattern written by test_user_pages(). */
static void test_user_check(struct kunit *test, unsigned long addr,
			    unsigned int nr, u8 seed)
{
	unsigned long i, j;
	u8 *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < nr; i++) {
		KUNIT_ASSERT_EQ(test, copy_from_user(buf, (void __user *)addr +
						     i * PAGE_SIZE, PAGE_SIZE),
				0UL);
		for (j = 0; j < PAGE_SIZE; j++)
			if (buf[j] != (u8)(seed + i))
				break;
		KUNIT_EXPECT_EQ_MSG(test, j, PAGE_SIZE,
				    "page %lu corrupted at %lu", i, j);
	}
}

/* How many of the @nr pages at @addr are on node @nid. */
static unsigned int test_pages_on(struct kunit *test, unsigned long addr,
				  unsigned int nr, int nid)
{
	struct mm_struct *mm = current->mm;
	unsigned int i, on = 0;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	mmap_read_lock(mm);
	for (i = 0; i < nr; i++) {
		struct page *page;

		if (get_user_pages(addr + i * PAGE_SIZE, 1, 0, &page) != 1)
			continue;
		if (page_to_nid(page) == nid)
			on++;
		put_page(page);
	}
	mmap_read_unlock(mm);
	return on;
}

static long test_move(unsigned long addr, unsigned int nr, int nid,
		      enum migrate_reason reason)
{
	struct private_node_migrate_stats st;
	long ret;

	ret = private_node_migrate_range(current->mm, addr, nr, nid,
					 NUMA_NO_NODE, reason, MIGRATE_SYNC,
					 NULL, &st);
	return ret < 0 ? ret : st.moved;
}

/* ---------------------------------------------------------------------- */
/* Registration                                                            */

static void reg_rejects_bad_arguments(struct kunit *test)
{
	struct test_owner o;
	static const unsigned long bad_caps[] = {
		PRIVATE_NODE_CAP_MEMPOLICY,
		PRIVATE_NODE_CAP_MEMPOLICY | PRIVATE_NODE_CAP_MIGRATION |
			PRIVATE_NODE_CAP_PROTECT_WRITE,
		PRIVATE_NODE_CAP_NUMA_BALANCING,
		PRIVATE_NODE_CAP_COMPACTION,
		BIT(12),
	};
	int nid = test_nid >= 0 ? test_nid : 2, i;

	test_owner_init(&o, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_EXPECT_EQ(test, private_node_register(-1, &o.np), -EINVAL);
	KUNIT_EXPECT_EQ(test, private_node_register(MAX_NUMNODES, &o.np),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, private_node_register(nid, NULL), -EINVAL);

	for (i = 0; i < ARRAY_SIZE(bad_caps); i++) {
		test_owner_init(&o, bad_caps[i]);
		KUNIT_EXPECT_EQ_MSG(test, private_node_register(nid, &o.np),
				    -EINVAL, "caps %#lx", bad_caps[i]);
		KUNIT_EXPECT_FALSE(test, node_is_private(nid));
	}

	/* Write protection needs somebody to tell about writes. */
	test_owner_init(&o, PRIVATE_NODE_CAP_PROTECT_WRITE);
	o.np.ops = NULL;
	KUNIT_EXPECT_EQ(test, private_node_register(nid, &o.np), -EINVAL);
	KUNIT_EXPECT_EQ(test, private_node_unregister(nid), -ENOENT);
}

static void reg_rejects_busy_nodes(struct kunit *test)
{
	struct test_owner *a, *b;
	int nid = test_nid;

	if (nid < 0)
		kunit_skip(test, "no test_nid");
	a = test_new_owner(test, PRIVATE_NODE_CAP_MIGRATION);
	b = test_new_owner(test, PRIVATE_NODE_CAP_MIGRATION);

	/* A node with normal memory can never become private. */
	KUNIT_EXPECT_TRUE(test, node_state(0, N_MEMORY));
	KUNIT_EXPECT_EQ(test, private_node_register(0, &a->np), -EBUSY);
	KUNIT_EXPECT_FALSE(test, node_is_private(0));

	KUNIT_ASSERT_EQ(test, private_node_register(nid, &a->np), 0);
	KUNIT_EXPECT_TRUE(test, node_is_private(nid));
	KUNIT_EXPECT_TRUE(test, private_node_has(nid,
						 PRIVATE_NODE_CAP_MIGRATION));
	KUNIT_EXPECT_FALSE(test, private_node_has(nid,
						  PRIVATE_NODE_CAP_DEMOTION));
	/* One owner per node. */
	KUNIT_EXPECT_EQ(test, private_node_register(nid, &b->np), -EBUSY);
	if (test_range(&b->start, &b->size)) {
		int ret = add_private_memory_driver_managed(nid, b->start,
							    b->size,
							    TEST_RES_NAME,
							    MHP_NONE,
							    MMOP_ONLINE_MOVABLE,
							    &b->np);

		KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	}
	KUNIT_EXPECT_EQ(test, private_node_unregister(nid), 0);
	KUNIT_EXPECT_FALSE(test, node_is_private(nid));
	KUNIT_EXPECT_EQ(test, private_node_unregister(nid), -ENOENT);
}

struct unreg_ctx {
	int nid;
	int ret;
	struct completion done;
};

static int unreg_thread(void *data)
{
	struct unreg_ctx *ctx = data;

	ctx->ret = private_node_unregister(ctx->nid);
	complete(&ctx->done);
	return 0;
}

/* Unregistration waits for callbacks that are still running. */
static void reg_unregister_waits_for_callbacks(struct kunit *test)
{
	struct task_struct *t;
	struct private_node *np;
	struct unreg_ctx ctx;
	struct test_owner *o;
	unsigned long left;

	if (test_nid < 0)
		kunit_skip(test, "no test_nid");
	o = test_new_owner(test, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_ASSERT_EQ(test, private_node_register(test_nid, &o->np), 0);

	/* What the core holds while it runs a callback. */
	np = private_node_get(test_nid);
	KUNIT_ASSERT_PTR_EQ(test, np, &o->np);

	ctx.nid = test_nid;
	ctx.ret = -1;
	init_completion(&ctx.done);
	t = kthread_run(unreg_thread, &ctx, "privnode-unreg");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* It cannot finish while the callback runs... */
	left = wait_for_completion_timeout(&ctx.done, msecs_to_jiffies(300));
	KUNIT_EXPECT_EQ(test, left, 0UL);
	/* ...but no new callback can start. */
	KUNIT_EXPECT_NULL(test, private_node_get(test_nid));

	private_node_put(np);
	left = wait_for_completion_timeout(&ctx.done, msecs_to_jiffies(10000));
	KUNIT_EXPECT_NE(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, ctx.ret, 0);
	KUNIT_EXPECT_FALSE(test, node_is_private(test_nid));
}

/* A node with memory online cannot lose its owner. */
static void reg_unregister_while_in_use(struct kunit *test)
{
	struct test_owner *o;

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_EXPECT_FALSE(test, node_state(test_nid, N_MEMORY));
	KUNIT_EXPECT_EQ(test, private_node_unregister(test_nid), -EBUSY);
	KUNIT_EXPECT_TRUE(test, node_is_private(test_nid));
	KUNIT_EXPECT_TRUE(test, node_state(test_nid, N_MEMORY_PRIVATE));
	test_remove_node(test, o);
}

/* Removal with a folio that cannot move fails cleanly and loses nothing. */
static void reg_remove_busy_keeps_data(struct kunit *test)
{
	struct test_owner *o;
	struct folio *folio;
	int i, ret;
	u8 *p;

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	folio = private_node_alloc_folio(&o->np, GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_EXPECT_EQ(test, folio_nid(folio), test_nid);
	p = kmap_local_folio(folio, 0);
	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = i * 7;
	kunmap_local(p);

	/* A kernel-held folio is not migratable: removal must give up. */
	ret = remove_private_memory_driver_managed(test_nid, o->start, o->size);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_TRUE(test, node_state(test_nid, N_MEMORY_PRIVATE));
	KUNIT_EXPECT_TRUE(test, node_is_private(test_nid));
	p = kmap_local_folio(folio, 0);
	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i] != (u8)(i * 7))
			break;
	kunmap_local(p);
	KUNIT_EXPECT_EQ(test, i, (int)PAGE_SIZE);

	/* The owner hears about the free. */
	folio_put(folio);
	KUNIT_EXPECT_GE(test, atomic_read(&o->frees), 1);
	test_remove_node(test, o);
}

/* Removal migrates user folios out; their contents survive. */
static void reg_remove_migrates_user_data(struct kunit *test)
{
	struct test_owner *o;
	unsigned long addr;

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	addr = test_user_pages(test, TEST_PAGES, 0x5a);
	KUNIT_EXPECT_EQ(test, test_move(addr, TEST_PAGES, test_nid, MR_SYSCALL),
			(long)TEST_PAGES);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			(unsigned int)TEST_PAGES);
	KUNIT_EXPECT_GE(test, atomic_read(&o->migrations), TEST_PAGES);

	test_remove_node(test, o);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			0U);
	test_user_check(test, addr, TEST_PAGES, 0x5a);
}

/* Hotplug events seen for the range reg_foreign_memory_refused() adds. */
static struct {
	u64 start, size;
	atomic_t going_online, cancelled, onlined;
} foreign;

static int test_foreign_event(struct notifier_block *nb, unsigned long action,
			      void *arg)
{
	struct memory_notify *mn = arg;
	u64 s = PFN_PHYS(mn->start_pfn);

	if (s < foreign.start || s >= foreign.start + foreign.size)
		return NOTIFY_OK;
	if (action == MEM_GOING_ONLINE)
		atomic_inc(&foreign.going_online);
	else if (action == MEM_CANCEL_ONLINE)
		atomic_inc(&foreign.cancelled);
	else if (action == MEM_ONLINE)
		atomic_inc(&foreign.onlined);
	return NOTIFY_OK;
}

/* Called before the core's notifier, so it sees every attempt. */
static struct notifier_block test_foreign_nb = {
	.notifier_call = test_foreign_event,
	.priority = 100,
};

static void test_remove_foreign(void *data)
{
	if (offline_and_remove_memory(foreign.start, foreign.size))
		pr_err("private_node_test: cleanup: foreign range not removed\n");
}

/*
 * An owner owns its ranges, not the node id: memory another driver adds
 * on an owned node (dax/kmem does this with add_memory_driver_managed())
 * is refused when it tries to go online, and removing the owner's last
 * range unregisters the owner, so the owner may free itself.
 */
static void reg_foreign_memory_refused(struct kunit *test)
{
	u64 bs = memory_block_size_bytes();
	struct private_node *np;
	struct test_owner *o;
	int ret;

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	if (o->start + 2 * bs > test_start + test_size)
		kunit_skip(test, "the test range has no second memory block");
	foreign.start = o->start + bs;
	foreign.size = bs;
	atomic_set(&foreign.going_online, 0);
	atomic_set(&foreign.cancelled, 0);
	atomic_set(&foreign.onlined, 0);
	KUNIT_ASSERT_EQ(test, register_memory_notifier(&test_foreign_nb), 0);
	ret = add_memory_driver_managed(test_nid, foreign.start, foreign.size,
					"System RAM (privmem-kunit-foreign)",
					MHP_NONE);
	unregister_memory_notifier(&test_foreign_nb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, test_remove_foreign, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* memhp_default_state=offline: nothing tried to online it. */
	if (!atomic_read(&foreign.going_online))
		kunit_skip(test, "hot-added memory is not onlined by default");

	/* Refused: never online, never private. */
	KUNIT_EXPECT_EQ(test, atomic_read(&foreign.onlined), 0);
	KUNIT_EXPECT_GE(test, atomic_read(&foreign.cancelled), 1);
	KUNIT_EXPECT_NULL(test, pfn_to_online_page(PFN_DOWN(foreign.start)));
	KUNIT_EXPECT_NOT_NULL(test, pfn_to_online_page(PFN_DOWN(o->start)));

	/* The owner's last range gone: the owner is gone, strictly. */
	test_remove_node(test, o);
	np = private_node_get(test_nid);
	private_node_put(np);
	KUNIT_EXPECT_NULL(test, np);
}

static struct kunit_case private_node_reg_cases[] = {
	KUNIT_CASE(reg_rejects_bad_arguments),
	KUNIT_CASE(reg_rejects_busy_nodes),
	KUNIT_CASE(reg_unregister_waits_for_callbacks),
	KUNIT_CASE(reg_unregister_while_in_use),
	KUNIT_CASE(reg_remove_busy_keeps_data),
	KUNIT_CASE(reg_remove_migrates_user_data),
	KUNIT_CASE(reg_foreign_memory_refused),
	{}
};

static struct kunit_suite private_node_reg_suite = {
	.name = "private_node_registration",
	.test_cases = private_node_reg_cases,
};

/* ---------------------------------------------------------------------- */
/* Allocation isolation and zonelists: one private node for the suite.     */

static struct test_owner alloc_owner;

static int alloc_suite_init(struct kunit_suite *suite)
{
	u64 start, size;
	int ret;

	test_owner_init(&alloc_owner, PRIVATE_NODE_CAP_MIGRATION |
			PRIVATE_NODE_CAP_MEMPOLICY);
	if (!test_range(&start, &size))
		return 0;	/* the tests skip */
	alloc_owner.start = start;
	alloc_owner.size = size;
	ret = add_private_memory_driver_managed(test_nid, start, size,
						TEST_RES_NAME, MHP_NONE,
						MMOP_ONLINE_MOVABLE,
						&alloc_owner.np);
	if (ret) {
		pr_err("private_node_test: hot-add failed: %d\n", ret);
		return ret;
	}
	alloc_owner.added = true;
	return 0;
}

static void alloc_suite_exit(struct kunit_suite *suite)
{
	if (alloc_owner.added &&
	    remove_private_memory_driver_managed(test_nid, alloc_owner.start,
						 alloc_owner.size))
		pr_err("private_node_test: hot-remove failed\n");
	alloc_owner.added = false;
}

static void alloc_need_node(struct kunit *test)
{
	if (!alloc_owner.added)
		kunit_skip(test, "no private node");
	KUNIT_ASSERT_TRUE(test, node_state(test_nid, N_MEMORY_PRIVATE));
}

/* Plain page allocations aimed at the node fall back to normal nodes. */
static void alloc_ungated_falls_back(struct kunit *test)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_USER, GFP_NOWAIT,
	};
	struct page *page;
	int i;

	alloc_need_node(test);
	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		page = alloc_pages_node(test_nid, gfps[i], 0);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_NE_MSG(test, page_to_nid(page), test_nid,
				    "gfp %pGg", &gfps[i]);
		KUNIT_EXPECT_TRUE(test, node_state(page_to_nid(page),
						   N_MEMORY));
		__free_pages(page, 0);
	}
	/* Ungated folios too. */
	for (i = 0; i < 2; i++) {
		struct folio *folio = __folio_alloc_node(GFP_HIGHUSER_MOVABLE,
							 i ? 2 : 0, test_nid);

		KUNIT_ASSERT_NOT_NULL(test, folio);
		KUNIT_EXPECT_NE(test, folio_nid(folio), test_nid);
		folio_put(folio);
	}
}

/* __GFP_THISNODE without the gate fails instead of falling back. */
static void alloc_thisnode_ungated_fails(struct kunit *test)
{
	struct folio *folio;
	struct page *page;

	alloc_need_node(test);
	page = alloc_pages_node(test_nid, GFP_HIGHUSER_MOVABLE |
				__GFP_THISNODE | __GFP_NOWARN, 0);
	KUNIT_EXPECT_NULL(test, page);
	if (page)
		__free_pages(page, 0);
	folio = __folio_alloc_node(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE |
				   __GFP_NOWARN, 0, test_nid);
	KUNIT_EXPECT_NULL(test, folio);
	if (folio)
		folio_put(folio);
}

/*
 * No gfp bit opens the gate: gfp bit 0x200, which this series once took
 * for __GFP_PRIVATE (6.12 leaves it unused), does nothing on any entry
 * point. Only the private folio entry point's callers let a folio in.
 */
static void alloc_no_gfp_bit_opens_gate(struct kunit *test)
{
	const gfp_t bit = (__force gfp_t)0x200u;
	struct folio *folio;
	struct page *page;

	alloc_need_node(test);
	folio = __folio_alloc_node(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE |
				   __GFP_NOWARN | bit, 0, test_nid);
	KUNIT_EXPECT_NULL(test, folio);
	if (folio)
		folio_put(folio);
	page = alloc_pages_node(test_nid, GFP_HIGHUSER_MOVABLE | bit, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
	__free_pages(page, 0);
}

/*
 * alloc_contig_pages() takes free ranges without the gate (gigantic
 * hugetlb pages, virtio-mem, ...). Asked for the private node alone it
 * finds nothing there; asked for the node with its fallback it takes
 * ordinary memory; the control gets a range on DRAM node 1.
 */
static void alloc_contig_skips_node(struct kunit *test)
{
	const gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN;
	const unsigned long nr = 512;
	nodemask_t mask = NODE_MASK_NONE;
	struct page *page;

	alloc_need_node(test);
	node_set(test_nid, mask);
	page = alloc_contig_pages(nr, gfp, test_nid, &mask);
	KUNIT_EXPECT_NULL(test, page);
	if (page)
		free_contig_range(page_to_pfn(page), nr);

	page = alloc_contig_pages(nr, gfp, test_nid, NULL);
	if (page) {
		KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
		free_contig_range(page_to_pfn(page), nr);
	}

	if (!node_state(1, N_MEMORY))
		return;
	nodes_clear(mask);
	node_set(1, mask);
	page = alloc_contig_pages(nr, gfp, 1, &mask);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_EQ(test, page_to_nid(page), 1);
		free_contig_range(page_to_pfn(page), nr);
	}
}

/* The owner's own folio allocations land on its node. */
static void alloc_owner_folio_on_node(struct kunit *test)
{
	unsigned int orders[] = { 0, 2, HPAGE_PMD_ORDER };
	struct private_node impostor = { .nid = test_nid };
	struct folio *folio;
	int i;

	alloc_need_node(test);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		folio = private_node_alloc_folio(&alloc_owner.np,
						 GFP_HIGHUSER_MOVABLE |
						 __GFP_NOWARN, orders[i]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, folio, "order %u", orders[i]);
		KUNIT_EXPECT_EQ(test, folio_nid(folio), test_nid);
		KUNIT_EXPECT_EQ(test, folio_order(folio), orders[i]);
		folio_put(folio);
	}
	/* Who is not the registered owner gets nothing. */
	folio = private_node_alloc_folio(&impostor, GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_EXPECT_NULL(test, folio);
	if (folio)
		folio_put(folio);
}

struct irq_alloc_ctx {
	struct timer_list timer;
	struct completion done;
	struct folio *folio;
	bool in_irq;
};

static void irq_alloc_fn(struct timer_list *t)
{
	struct irq_alloc_ctx *ctx = from_timer(ctx, t, timer);

	ctx->in_irq = !in_task();
	ctx->folio = private_node_alloc_folio(&alloc_owner.np, GFP_ATOMIC |
					      __GFP_HIGHMEM | __GFP_MOVABLE |
					      __GFP_NOWARN, 0);
	complete(&ctx->done);
}

/* Interrupt context never gets a private page, even the owner. */
static void alloc_gated_in_interrupt_refused(struct kunit *test)
{
	struct irq_alloc_ctx ctx = {};

	alloc_need_node(test);
	init_completion(&ctx.done);
	timer_setup_on_stack(&ctx.timer, irq_alloc_fn, 0);
	mod_timer(&ctx.timer, jiffies + 1);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&ctx.done, HZ * 10),
			0UL);
	del_timer_sync(&ctx.timer);
	destroy_timer_on_stack(&ctx.timer);
	KUNIT_EXPECT_TRUE(test, ctx.in_irq);
	KUNIT_EXPECT_NULL(test, ctx.folio);
	if (ctx.folio)
		folio_put(ctx.folio);
}

/*
 * A task whose cpuset (mems_allowed) includes the node still gets no page
 * there without the gate; a gated folio does not need it in its cpuset.
 * guest-setup.sh creates a child cpuset so that cpusets_enabled().
 */
static void alloc_cpuset_including_node(struct kunit *test)
{
	nodemask_t saved = current->mems_allowed, mems, only;
	struct folio *folio;
	struct page *page;

	alloc_need_node(test);

	mems = node_states[N_MEMORY];
	node_set(test_nid, mems);
	set_mems_allowed(mems);

	page = alloc_pages_node(test_nid, GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
		__free_pages(page, 0);
	}
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
		__free_pages(page, 0);
	}
	/* A nodemask of only the private node: nothing, and no OOM. */
	nodes_clear(only);
	node_set(test_nid, only);
	page = __alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY |
			     __GFP_NOWARN, 0, test_nid, &only);
	KUNIT_EXPECT_NULL(test, page);
	if (page)
		__free_pages(page, 0);

	/* The owner: fine even when the cpuset does not list the node. */
	set_mems_allowed(node_states[N_MEMORY]);
	folio = private_node_alloc_folio(&alloc_owner.np, GFP_HIGHUSER_MOVABLE,
					 0);
	KUNIT_EXPECT_NOT_NULL(test, folio);
	if (folio) {
		KUNIT_EXPECT_EQ(test, folio_nid(folio), test_nid);
		folio_put(folio);
	}
	set_mems_allowed(saved);
}

/* A task policy naming the node does not put kernel pages there. */
static void alloc_task_policy_nonfolio_refused(struct kunit *test)
{
	unsigned long __user *umask;
	unsigned long mask = BIT(test_nid);
	struct page *page;
	unsigned long addr;

	alloc_need_node(test);
	addr = test_user_pages(test, 1, 0);
	umask = (unsigned long __user *)addr;
	KUNIT_ASSERT_EQ(test, copy_to_user(umask, &mask, sizeof(mask)), 0UL);

	KUNIT_ASSERT_EQ(test, kernel_set_mempolicy(MPOL_BIND, umask,
						   BITS_PER_LONG), 0L);
	page = alloc_pages(GFP_KERNEL, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
		__free_pages(page, 0);
	}
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
		__free_pages(page, 0);
	}
	KUNIT_EXPECT_EQ(test, kernel_set_mempolicy(MPOL_DEFAULT, NULL, 0), 0L);
}

/* Zonelists of every node follow the private node rules. */
static void zonelists_follow_rules(struct kunit *test)
{
	int nid, n;

	alloc_need_node(test);
	for_each_online_node(nid) {
		struct zonelist *zl;
		nodemask_t seen = NODE_MASK_NONE;
		bool first = true, left_home = false;
		struct zoneref *z;
		struct zone *zone;

		if (!NODE_DATA(nid))
			continue;
		zl = &NODE_DATA(nid)->node_zonelists[ZONELIST_FALLBACK];
		for (z = zl->_zonerefs; (zone = zonelist_zone(z)); z++) {
			n = zone_to_nid(zone);
			node_set(n, seen);
			if (node_state(nid, N_MEMORY_PRIVATE)) {
				/* itself first, then normal nodes only */
				if (first)
					KUNIT_EXPECT_EQ(test, n, nid);
				if (n != nid)
					left_home = true;
				else
					KUNIT_EXPECT_FALSE(test, left_home);
				KUNIT_EXPECT_TRUE(test, n == nid ||
						  node_state(n, N_MEMORY));
			} else {
				bool priv = node_state(n, N_MEMORY_PRIVATE);

				KUNIT_EXPECT_FALSE_MSG(test, priv,
						       "node %d lists private node %d",
						       nid, n);
			}
			first = false;
		}
		if (node_state(nid, N_MEMORY_PRIVATE)) {
			nodemask_t want = node_states[N_MEMORY];

			node_set(nid, want);
			KUNIT_EXPECT_TRUE(test, nodes_equal(seen, want));
		} else {
			KUNIT_EXPECT_TRUE(test, nodes_subset(node_states[N_MEMORY],
							     seen) ||
					  !node_state(nid, N_MEMORY));
		}

		/* __GFP_THISNODE: the node itself, nothing else. */
		zl = &NODE_DATA(nid)->node_zonelists[ZONELIST_NOFALLBACK];
		nodes_clear(seen);
		for (z = zl->_zonerefs; (zone = zonelist_zone(z)); z++)
			node_set(zone_to_nid(zone), seen);
		KUNIT_EXPECT_TRUE(test, nodes_empty(seen) ||
				  (nodes_weight(seen) == 1 &&
				   node_isset(nid, seen)));
		if (node_state(nid, N_MEMORY_PRIVATE))
			KUNIT_EXPECT_TRUE(test, node_isset(nid, seen));
	}
	/* The node states and sysfs-visible masks agree. */
	KUNIT_EXPECT_TRUE(test, node_state(test_nid, N_MEMORY_PRIVATE));
	KUNIT_EXPECT_FALSE(test, node_state(test_nid, N_MEMORY));
	KUNIT_EXPECT_FALSE(test, node_state(test_nid, N_NORMAL_MEMORY));
	KUNIT_EXPECT_FALSE(test, nodes_intersects(node_states[N_MEMORY],
						  node_states[N_MEMORY_PRIVATE]));
}

static struct kunit_case private_node_alloc_cases[] = {
	KUNIT_CASE(alloc_ungated_falls_back),
	KUNIT_CASE(alloc_thisnode_ungated_fails),
	KUNIT_CASE(alloc_no_gfp_bit_opens_gate),
	KUNIT_CASE(alloc_contig_skips_node),
	KUNIT_CASE(alloc_owner_folio_on_node),
	KUNIT_CASE(alloc_gated_in_interrupt_refused),
	KUNIT_CASE(alloc_cpuset_including_node),
	KUNIT_CASE(alloc_task_policy_nonfolio_refused),
	KUNIT_CASE(zonelists_follow_rules),
	{}
};

static struct kunit_suite private_node_alloc_suite = {
	.name = "private_node_alloc",
	.suite_init = alloc_suite_init,
	.suite_exit = alloc_suite_exit,
	.test_cases = private_node_alloc_cases,
};

/* ---------------------------------------------------------------------- */
/* Opt-in services: each test hot-adds the node with and without the cap.  */

static void flag_migration(struct kunit *test)
{
	struct test_owner *o;
	unsigned long addr;

	/* Without the service nothing can migrate in. */
	o = test_add_node(test, PRIVATE_NODE_CAP_DEMOTION);
	addr = test_user_pages(test, TEST_PAGES, 1);
	/* 0 moved, or -ENOMEM: no target page could be allocated there */
	KUNIT_EXPECT_LE(test, test_move(addr, TEST_PAGES, test_nid, MR_SYSCALL),
			0L);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			0U);
	KUNIT_EXPECT_FALSE(test, private_node_migration_allowed(NULL, test_nid, MR_SYSCALL));
	test_remove_node(test, o);

	/* With it, in and back out, contents intact. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_EXPECT_TRUE(test, private_node_migration_allowed(NULL, test_nid, MR_SYSCALL));
	KUNIT_EXPECT_EQ(test, test_move(addr, TEST_PAGES, test_nid, MR_SYSCALL),
			(long)TEST_PAGES);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			(unsigned int)TEST_PAGES);
	KUNIT_EXPECT_GE(test, atomic_read(&o->migrations), TEST_PAGES);
	test_user_check(test, addr, TEST_PAGES, 1);
	/* Blocked under pressure: no more migration in. */
	private_node_set_blocked(test_nid, true);
	KUNIT_EXPECT_FALSE(test, private_node_migration_allowed(NULL, test_nid, MR_SYSCALL));
	private_node_set_blocked(test_nid, false);

	KUNIT_EXPECT_EQ(test, test_move(addr, TEST_PAGES, 0, MR_SYSCALL),
			(long)TEST_PAGES);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, 0),
			(unsigned int)TEST_PAGES);
	test_user_check(test, addr, TEST_PAGES, 1);
	test_remove_node(test, o);
}

static long test_mbind(struct kunit *test, unsigned long addr,
		       unsigned long len, unsigned long mask_addr, int nid)
{
	unsigned long mask = BIT(nid);

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)mask_addr, &mask,
					   sizeof(mask)), 0UL);
	return kernel_mbind(addr, len, MPOL_BIND,
			    (const unsigned long __user *)mask_addr,
			    BITS_PER_LONG, MPOL_MF_MOVE | MPOL_MF_STRICT);
}

static void flag_mempolicy(struct kunit *test)
{
	unsigned long addr, maskp, i;
	unsigned long __user *umask;
	struct test_owner *o;
	u8 byte = 0x33;

	/* Without the service: -EINVAL, pages stay. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	maskp = test_user_pages(test, 1, 0);
	umask = (unsigned long __user *)maskp;
	addr = test_user_pages(test, TEST_PAGES, 2);
	KUNIT_EXPECT_EQ(test, test_mbind(test, addr, TEST_PAGES * PAGE_SIZE,
					 maskp, test_nid), -EINVAL);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			0U);
	KUNIT_EXPECT_EQ(test, kernel_set_mempolicy(MPOL_BIND, umask,
						   BITS_PER_LONG), -EINVAL);
	test_remove_node(test, o);

	/* With it: mbind moves existing pages, new faults land there. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION |
		      PRIVATE_NODE_CAP_MEMPOLICY);
	KUNIT_EXPECT_EQ(test, test_mbind(test, addr, TEST_PAGES * PAGE_SIZE,
					 maskp, test_nid), 0L);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			(unsigned int)TEST_PAGES);
	test_user_check(test, addr, TEST_PAGES, 2);

	addr = kunit_vm_mmap(test, NULL, 0, TEST_PAGES * PAGE_SIZE,
			     PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, addr, 0UL);
	KUNIT_EXPECT_EQ(test, test_mbind(test, addr, TEST_PAGES * PAGE_SIZE,
					 maskp, test_nid), 0L);
	for (i = 0; i < TEST_PAGES; i++)
		KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)addr +
						   i * PAGE_SIZE, &byte, 1),
				0UL);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, TEST_PAGES, test_nid),
			(unsigned int)TEST_PAGES);
	/* Unmap before the node goes away so removal has less to move. */
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, TEST_PAGES * PAGE_SIZE), 0);
	test_remove_node(test, o);
}

static void flag_demotion(struct kunit *test)
{
	const gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE |
			  __GFP_NOWARN | __GFP_NORETRY;
	struct folio *src, *dst;
	struct test_owner *o;

	src = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_ASSERT_NOT_NULL(test, src);

	/* Without the service: no tier, no demotion target, no gate. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_EXPECT_NE(test, next_demotion_node(0), test_nid);
	KUNIT_EXPECT_NE(test, next_demotion_node(1), test_nid);
	dst = private_node_alloc_migration_target(src, test_nid, MR_DEMOTION,
						  gfp);
	KUNIT_EXPECT_NULL(test, dst);
	if (dst)
		folio_put(dst);
	test_remove_node(test, o);

	/* With it: the DRAM nodes demote to it, unless it is blocked. */
	o = test_add_node(test, PRIVATE_NODE_CAP_DEMOTION);
	KUNIT_EXPECT_EQ(test, next_demotion_node(0), test_nid);
	KUNIT_EXPECT_EQ(test, next_demotion_node(1), test_nid);
	dst = private_node_alloc_migration_target(src, test_nid, MR_DEMOTION,
						  gfp);
	KUNIT_EXPECT_NOT_NULL(test, dst);
	if (dst) {
		KUNIT_EXPECT_EQ(test, folio_nid(dst), test_nid);
		folio_put(dst);
	}
	/* Demotion is not migration: explicit moves stay refused. */
	dst = private_node_alloc_migration_target(src, test_nid, MR_SYSCALL,
						  gfp);
	KUNIT_EXPECT_NULL(test, dst);
	if (dst)
		folio_put(dst);

	private_node_set_blocked(test_nid, true);
	KUNIT_EXPECT_TRUE(test, private_node_blocked(test_nid));
	KUNIT_EXPECT_NE(test, next_demotion_node(0), test_nid);
	dst = private_node_alloc_migration_target(src, test_nid, MR_DEMOTION,
						  gfp);
	KUNIT_EXPECT_NULL(test, dst);
	if (dst)
		folio_put(dst);
	private_node_set_blocked(test_nid, false);
	KUNIT_EXPECT_EQ(test, next_demotion_node(0), test_nid);
	test_remove_node(test, o);

	/* Gone with the memory. */
	KUNIT_EXPECT_NE(test, next_demotion_node(0), test_nid);
	folio_put(src);
}

static void flag_write_protect(struct kunit *test)
{
	unsigned long addr;
	struct test_owner *o;
	u8 byte = 0x77;

	/* Without it, a migrated folio is writable as before. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	addr = test_user_pages(test, 1, 3);
	KUNIT_ASSERT_EQ(test, test_move(addr, 1, test_nid, MR_SYSCALL), 1L);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)addr, &byte, 1), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&o->write_faults), 0);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), 0);
	test_remove_node(test, o);

	/* With it, the write goes to the owner, who refuses it here. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION |
		      PRIVATE_NODE_CAP_PROTECT_WRITE);
	addr = test_user_pages(test, 1, 3);
	KUNIT_ASSERT_EQ(test, test_move(addr, 1, test_nid, MR_SYSCALL), 1L);
	KUNIT_EXPECT_EQ(test, test_pages_on(test, addr, 1, test_nid), 1U);
	KUNIT_EXPECT_NE(test, copy_to_user((void __user *)addr, &byte, 1), 0UL);
	KUNIT_EXPECT_GE(test, atomic_read(&o->write_faults), 1);
	/* Reads still work and the data did not change. */
	test_user_check(test, addr, 1, 3);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), 0);
	test_remove_node(test, o);
}

static long test_pin(unsigned long addr, struct page **page)
{
	return pin_user_pages_unlocked(addr, 1, page,
				       FOLL_LONGTERM | FOLL_WRITE);
}

static void flag_longterm_pin(struct kunit *test)
{
	unsigned long addr;
	struct test_owner *o;
	struct page *page;

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	addr = test_user_pages(test, 1, 4);
	KUNIT_ASSERT_EQ(test, test_move(addr, 1, test_nid, MR_SYSCALL), 1L);
	/* A longterm pin first moves the folio off the node. */
	KUNIT_ASSERT_EQ(test, test_pin(addr, &page), 1L);
	KUNIT_EXPECT_NE(test, page_to_nid(page), test_nid);
	unpin_user_page(page);
	test_user_check(test, addr, 1, 4);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), 0);
	test_remove_node(test, o);

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION |
		      PRIVATE_NODE_CAP_LONGTERM_PIN);
	addr = test_user_pages(test, 1, 4);
	KUNIT_ASSERT_EQ(test, test_move(addr, 1, test_nid, MR_SYSCALL), 1L);
	KUNIT_ASSERT_EQ(test, test_pin(addr, &page), 1L);
	KUNIT_EXPECT_EQ(test, page_to_nid(page), test_nid);
	unpin_user_page(page);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), 0);
	test_remove_node(test, o);
}

static void flag_numa_balancing(struct kunit *test)
{
	struct test_owner *o;

	/* Without it, NUMA balancing never migrates into the node. */
	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION);
	KUNIT_EXPECT_FALSE(test, private_node_migration_allowed(NULL, test_nid, MR_NUMA_MISPLACED));
	test_remove_node(test, o);

	o = test_add_node(test, PRIVATE_NODE_CAP_MIGRATION |
		      PRIVATE_NODE_CAP_NUMA_BALANCING);
	KUNIT_EXPECT_TRUE(test, private_node_migration_allowed(NULL, test_nid, MR_NUMA_MISPLACED));
	private_node_set_blocked(test_nid, true);
	KUNIT_EXPECT_FALSE(test, private_node_migration_allowed(NULL, test_nid, MR_NUMA_MISPLACED));
	private_node_set_blocked(test_nid, false);
	test_remove_node(test, o);

	/*
	 * A write-protected node may take it without MIGRATION: there it
	 * only scans, and nothing migrates in.
	 */
	o = test_add_node(test, PRIVATE_NODE_CAP_PROTECT_WRITE |
		      PRIVATE_NODE_CAP_NUMA_BALANCING);
	KUNIT_EXPECT_TRUE(test,
			  private_node_has(test_nid,
					   PRIVATE_NODE_CAP_NUMA_BALANCING));
	KUNIT_EXPECT_FALSE(test, private_node_migration_allowed(NULL, test_nid, MR_NUMA_MISPLACED));
	test_remove_node(test, o);
}

static struct kunit_case private_node_flag_cases[] = {
	KUNIT_CASE(flag_migration),
	KUNIT_CASE(flag_mempolicy),
	KUNIT_CASE(flag_demotion),
	KUNIT_CASE(flag_write_protect),
	KUNIT_CASE(flag_longterm_pin),
	KUNIT_CASE(flag_numa_balancing),
	{}
};

static struct kunit_suite private_node_flag_suite = {
	.name = "private_node_flags",
	.test_cases = private_node_flag_cases,
};

kunit_test_suites(&private_node_reg_suite, &private_node_alloc_suite,
		  &private_node_flag_suite);

MODULE_DESCRIPTION("KUnit tests of private memory nodes");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
