// SPDX-License-Identifier: GPL-2.0
/*
 * kunit: the model of privmem's emulated compressed device
 * (cram_model.c), its accounting and its watermark logic, without a node:
 * page costs from the kernel's lz4, charge and uncharge on a frame table,
 * the ratio of the stored data, the pressure latch of the high and low
 * interrupts, and the checksums that reveal a page written in place; and
 * the two sums of the balloon (cram_balloon.c) that size it.
 *
 * The functions are exported to this module only, in kunit's namespace
 * (EXPORT_SYMBOL_IF_KUNIT()).
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../privmem.h"

#define SCRATCH_SIZE	(LZ4_MEM_COMPRESS + LZ4_COMPRESSBOUND(PAGE_SIZE))

static void cram_page_cost(struct kunit *test)
{
	void *scratch = kunit_kzalloc(test, SCRATCH_SIZE, GFP_KERNEL);
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int zero, rnd, half, i;
	struct rnd_state rs;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	KUNIT_ASSERT_NOT_NULL(test, page);

	zero = privmem_cram_page_cost(page, scratch);
	KUNIT_EXPECT_GT(test, zero, 0U);
	KUNIT_EXPECT_LT(test, zero, 64U);

	get_random_bytes(page, PAGE_SIZE);
	rnd = privmem_cram_page_cost(page, scratch);
	KUNIT_EXPECT_EQ(test, rnd, (unsigned int)PAGE_SIZE);

	/*
	 * Every other 8-byte word random, the others zero: about 2:1. The
	 * words come from a fixed seed: how many zero runs lz4's
	 * accelerating search finds depends on the data (one page of
	 * get_random_bytes() once cost 3258 bytes).
	 */
	prandom_seed_state(&rs, 42);
	prandom_bytes_state(&rs, page, PAGE_SIZE);
	for (i = 0; i < PAGE_SIZE; i += 16)
		memset(page + i + 8, 0, 8);
	half = privmem_cram_page_cost(page, scratch);
	KUNIT_EXPECT_GT(test, half, (unsigned int)PAGE_SIZE / 2);
	KUNIT_EXPECT_LT(test, half, (unsigned int)PAGE_SIZE * 3 / 4);

	/* The same data costs the same. */
	KUNIT_EXPECT_EQ(test, half, privmem_cram_page_cost(page, scratch));
}

static void cram_ratio(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0U, privmem_cram_model_ratio(0, 0));
	KUNIT_EXPECT_EQ(test, 1000U, privmem_cram_model_ratio(3, 3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 2000U, privmem_cram_model_ratio(4, 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 4096U * 1000, privmem_cram_model_ratio(1, 1));
}

/* A model of 16 frames from PFN 1000, 16 pages of capacity. */
static struct privmem_cram_model *cram_model_new(struct kunit *test)
{
	struct privmem_cram_model *m = kunit_kzalloc(test, sizeof(*m),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, 0,
			privmem_cram_model_init(m, 1000, 16, 16 * PAGE_SIZE));
	return m;
}

/* The latch kept by a model, as charges fill it and its capacity grows. */
static void cram_model_latch(struct kunit *test)
{
	struct privmem_cram_model *m = cram_model_new(test);
	unsigned int level;
	bool latched;
	int i;

	KUNIT_EXPECT_FALSE(test, privmem_cram_model_relatch(m, 600, 900,
							    &level, &latched));
	KUNIT_EXPECT_EQ(test, level, 0U);
	/* 15 of 16 pages raw: 937, over the high watermark. */
	for (i = 0; i < 15; i++)
		privmem_cram_model_charge(m, 1000 + i, PAGE_SIZE, 0);
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_relatch(m, 600, 900,
							   &level, &latched));
	KUNIT_EXPECT_TRUE(test, latched);
	KUNIT_EXPECT_EQ(test, level, 1000U);
	/* Not below what is stored; at twice the capacity, 468: cleared. */
	KUNIT_EXPECT_EQ(test, -EBUSY,
			privmem_cram_model_set_capacity(m, 14 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0,
			privmem_cram_model_set_capacity(m, 32 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_relatch(m, 600, 900, NULL,
							   &latched));
	KUNIT_EXPECT_FALSE(test, latched);
	privmem_cram_model_destroy(m);
}

/* The latch: set crossing high, kept above low, cleared below low. */
static void cram_watermarks(struct kunit *test)
{
	const u64 cap = 1000 * PAGE_SIZE;
	bool latched = false;

#define LEVEL(pages) privmem_cram_model_level((u64)(pages) * PAGE_SIZE, \
					      cap, 600, 900, &latched)
	KUNIT_EXPECT_EQ(test, 0U, LEVEL(0));
	KUNIT_EXPECT_EQ(test, 599U, LEVEL(599));
	KUNIT_EXPECT_EQ(test, 750U, LEVEL(750));	/* between: measured */
	KUNIT_EXPECT_FALSE(test, latched);
	KUNIT_EXPECT_EQ(test, 899U, LEVEL(899));
	KUNIT_EXPECT_FALSE(test, latched);
	KUNIT_EXPECT_EQ(test, 1000U, LEVEL(900));	/* high interrupt */
	KUNIT_EXPECT_TRUE(test, latched);
	KUNIT_EXPECT_EQ(test, 1000U, LEVEL(750));	/* stays at maximum */
	KUNIT_EXPECT_EQ(test, 1000U, LEVEL(600));
	KUNIT_EXPECT_TRUE(test, latched);
	KUNIT_EXPECT_EQ(test, 599U, LEVEL(599));	/* low interrupt */
	KUNIT_EXPECT_FALSE(test, latched);
	KUNIT_EXPECT_EQ(test, 800U, LEVEL(800));	/* rising again */
	KUNIT_EXPECT_FALSE(test, latched);
	/* Over capacity is still the maximum, not more. */
	KUNIT_EXPECT_EQ(test, 1000U, LEVEL(5000));
	KUNIT_EXPECT_TRUE(test, latched);
#undef LEVEL
	/* No capacity: always full. */
	latched = false;
	KUNIT_EXPECT_EQ(test, 1000U,
			privmem_cram_model_level(0, 0, 600, 900, &latched));
	/* The same latch, kept by a model. */
	cram_model_latch(test);
}

static void cram_charge_uncharge(struct kunit *test)
{
	struct privmem_cram_model *m = cram_model_new(test);
	struct privmem_cram_inplace w;
	struct privmem_cram_stats st;

	KUNIT_EXPECT_TRUE(test, privmem_cram_model_charge(m, 1000, 100, 0));
	KUNIT_EXPECT_TRUE(test,
			  privmem_cram_model_charge(m, 1001, PAGE_SIZE, 0));
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.capacity, 16ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.used, 100ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);
	KUNIT_EXPECT_EQ(test, st.ratio,
			privmem_cram_model_ratio(2, 100 + PAGE_SIZE));

	/* Frames outside the device and zero costs are ignored. */
	KUNIT_EXPECT_FALSE(test, privmem_cram_model_charge(m, 999, 50, 0));
	KUNIT_EXPECT_FALSE(test, privmem_cram_model_charge(m, 1016, 50, 0));
	KUNIT_EXPECT_FALSE(test, privmem_cram_model_charge(m, 1002, 0, 0));
	KUNIT_EXPECT_FALSE(test, privmem_cram_model_uncharge(m, 5, NULL, &w));
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.used, 100ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);

	/* Recharging a frame replaces its cost. */
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_charge(m, 1000, 300, 0));
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.used, 300ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);
	KUNIT_EXPECT_EQ(test, st.charged, 400ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.uncharged, 100ULL);

	/* Uncharge is idempotent: migrated out, then freed. */
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_uncharge(m, 1001, NULL, &w));
	KUNIT_EXPECT_FALSE(test,
			   privmem_cram_model_uncharge(m, 1001, NULL, &w));
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.used, 300ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 1ULL);
	KUNIT_EXPECT_EQ(test, st.ratio, privmem_cram_model_ratio(1, 300));

	KUNIT_EXPECT_TRUE(test, privmem_cram_model_uncharge(m, 1000, NULL, &w));
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.used, 0ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 0ULL);
	KUNIT_EXPECT_EQ(test, st.ratio, 0U);
	KUNIT_EXPECT_EQ(test, st.charged - st.uncharged, st.used);
	privmem_cram_model_destroy(m);
}

/*
 * A page changed between charge and uncharge is an in-place write; an
 * unchanged one, an uncharged frame or a model that does not verify is
 * not. The model only counts it in its own stats: the module's total
 * (which the check harness fails on) is the data path's (cram_data.c).
 */
static void cram_inplace_write(struct kunit *test)
{
	struct privmem_cram_model *m = cram_model_new(test);
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct privmem_cram_inplace w;
	struct privmem_cram_stats st;
	u32 csum;

	KUNIT_ASSERT_NOT_NULL(test, page);
	get_random_bytes(page, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, privmem_cram_page_csum(page),
			privmem_cram_page_csum(page));

	/* Unchanged: no detection. */
	csum = privmem_cram_page_csum(page);
	privmem_cram_model_charge(m, 1003, 100, csum);
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_uncharge(m, 1003, page, &w));
	KUNIT_EXPECT_EQ(test, w.nr, 0LL);

	/* One byte changed while stored. */
	privmem_cram_model_charge(m, 1003, 100, csum);
	page[PAGE_SIZE / 2] ^= 1;
	KUNIT_EXPECT_TRUE(test, privmem_cram_model_uncharge(m, 1003, page, &w));
	KUNIT_EXPECT_EQ(test, w.nr, 1LL);
	KUNIT_EXPECT_EQ(test, w.want, csum);
	KUNIT_EXPECT_EQ(test, w.got, privmem_cram_page_csum(page));
	/* The frame is uncharged now: a second uncharge checks nothing. */
	KUNIT_EXPECT_FALSE(test,
			   privmem_cram_model_uncharge(m, 1003, page, &w));
	KUNIT_EXPECT_EQ(test, w.nr, 0LL);
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.inplace_writes, 1ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 0ULL);
	KUNIT_EXPECT_EQ(test, st.used, 0ULL);

	/* Without data to compare, or with verification off: not checked. */
	privmem_cram_model_charge(m, 1004, 100, 0);
	privmem_cram_model_uncharge(m, 1004, NULL, &w);
	KUNIT_EXPECT_EQ(test, w.nr, 0LL);
	m->verify = false;
	privmem_cram_model_charge(m, 1005, 100, 0);
	privmem_cram_model_uncharge(m, 1005, page, &w);
	KUNIT_EXPECT_EQ(test, w.nr, 0LL);
	privmem_cram_model_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.inplace_writes, 1ULL);
	privmem_cram_model_destroy(m);
}

/* The balloon's ratio: the worse known one, the nominal one if none. */
static void balloon_estimate(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 14000U, privmem_balloon_estimate(0, 0, 14000));
	KUNIT_EXPECT_EQ(test, 3000U, privmem_balloon_estimate(3000, 0, 14000));
	KUNIT_EXPECT_EQ(test, 2500U, privmem_balloon_estimate(0, 2500, 14000));
	KUNIT_EXPECT_EQ(test, 2500U, privmem_balloon_estimate(3000, 2500, 2000));
	KUNIT_EXPECT_EQ(test, 2500U, privmem_balloon_estimate(2500, 3000, 2000));
	/* Never below raw storage. */
	KUNIT_EXPECT_EQ(test, 1000U, privmem_balloon_estimate(400, 0, 2000));
	KUNIT_EXPECT_EQ(test, 1000U, privmem_balloon_estimate(0, 0, 500));
}

/* The balloon's size: free + held beyond what the device can store. */
static void balloon_want(struct kunit *test)
{
	/* 100 pages of room at ratio 1: of 300 free, 200 go. */
	KUNIT_EXPECT_EQ(test, 200UL,
			privmem_balloon_want(300, 0, 100 * PAGE_SIZE, 1000));
	/* The same with 50 already held and 250 free. */
	KUNIT_EXPECT_EQ(test, 200UL,
			privmem_balloon_want(250, 50, 100 * PAGE_SIZE, 1000));
	/* At ratio 3 the 100 pages of room store 300: nothing goes. */
	KUNIT_EXPECT_EQ(test, 0UL,
			privmem_balloon_want(300, 0, 100 * PAGE_SIZE, 3000));
	/* A full device: every page goes, free or held. */
	KUNIT_EXPECT_EQ(test, 300UL, privmem_balloon_want(200, 100, 0, 5000));
	/* Room for more than is free: nothing, and the held ones return. */
	KUNIT_EXPECT_EQ(test, 0UL,
			privmem_balloon_want(10, 90, 1000 * PAGE_SIZE, 1000));
}

static struct kunit_case privmem_cram_cases[] = {
	KUNIT_CASE(cram_page_cost),
	KUNIT_CASE(cram_ratio),
	KUNIT_CASE(cram_watermarks),
	KUNIT_CASE(cram_charge_uncharge),
	KUNIT_CASE(cram_inplace_write),
	KUNIT_CASE(balloon_estimate),
	KUNIT_CASE(balloon_want),
	{}
};

static struct kunit_suite privmem_cram_suite = {
	.name = "privmem_cram",
	.test_cases = privmem_cram_cases,
};

kunit_test_suite(privmem_cram_suite);

MODULE_DESCRIPTION("kunit: privmem's emulated compressed device");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
