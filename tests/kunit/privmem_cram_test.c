// SPDX-License-Identifier: GPL-2.0
/*
 * kunit: the emulated compressed device of privmem (cram_device.c), its
 * accounting and its watermark logic, without a node: page costs from the
 * kernel's lz4, charge and uncharge on a frame table, the ratio of the
 * stored data, the pressure latch of the high and low interrupts, and the
 * checksums that reveal a page written in place.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../../drivers/privmem/privmem.h"

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
}

static void cram_charge_uncharge(struct kunit *test)
{
	struct privmem_cram *c = privmem_cram_alloc(1000, 16, 16 * PAGE_SIZE);
	struct privmem_cram_stats st;

	KUNIT_ASSERT_NOT_NULL(test, c);

	privmem_cram_charge(c, 1000, 100, 0);
	privmem_cram_charge(c, 1001, PAGE_SIZE, 0);
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.capacity, 16ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.used, 100ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);
	KUNIT_EXPECT_EQ(test, st.ratio,
			privmem_cram_model_ratio(2, 100 + PAGE_SIZE));

	/* Frames outside the device and zero costs are ignored. */
	privmem_cram_charge(c, 999, 50, 0);
	privmem_cram_charge(c, 1016, 50, 0);
	privmem_cram_charge(c, 1002, 0, 0);
	privmem_cram_uncharge(c, 5, NULL);
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used, 100ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);

	/* Recharging a frame replaces its cost. */
	privmem_cram_charge(c, 1000, 300, 0);
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used, 300ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.stored, 2ULL);
	KUNIT_EXPECT_EQ(test, st.charged, 400ULL + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.uncharged, 100ULL);

	/* Uncharge is idempotent: migrated out, then freed. */
	privmem_cram_uncharge(c, 1001, NULL);
	privmem_cram_uncharge(c, 1001, NULL);
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used, 300ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 1ULL);
	KUNIT_EXPECT_EQ(test, st.ratio, privmem_cram_model_ratio(1, 300));

	privmem_cram_uncharge(c, 1000, NULL);
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.used, 0ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 0ULL);
	KUNIT_EXPECT_EQ(test, st.ratio, 0U);
	KUNIT_EXPECT_EQ(test, st.charged - st.uncharged, st.used);
	privmem_cram_free(c);
}

/*
 * A page changed between charge and uncharge is an in-place write; an
 * unchanged one, an uncharged frame or a model that does not verify is
 * not. A model without a node counts only in its own stats (not in the
 * module's total, which the check harness fails on).
 */
static void cram_inplace_write(struct kunit *test)
{
	struct privmem_cram *c = privmem_cram_alloc(1000, 16, 16 * PAGE_SIZE);
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct privmem_cram_stats st;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, page);
	get_random_bytes(page, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, privmem_cram_page_csum(page),
			privmem_cram_page_csum(page));

	/* Unchanged: no detection. */
	privmem_cram_charge(c, 1003, 100, privmem_cram_page_csum(page));
	KUNIT_EXPECT_FALSE(test, privmem_cram_uncharge(c, 1003, page));

	/* One byte changed while stored. */
	privmem_cram_charge(c, 1003, 100, privmem_cram_page_csum(page));
	page[PAGE_SIZE / 2] ^= 1;
	KUNIT_EXPECT_TRUE(test, privmem_cram_uncharge(c, 1003, page));
	/* The frame is uncharged now: a second uncharge checks nothing. */
	KUNIT_EXPECT_FALSE(test, privmem_cram_uncharge(c, 1003, page));
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.inplace_writes, 1ULL);
	KUNIT_EXPECT_EQ(test, st.stored, 0ULL);
	KUNIT_EXPECT_EQ(test, st.used, 0ULL);

	/* Without data to compare, or with verification off: not checked. */
	privmem_cram_charge(c, 1004, 100, 0);
	KUNIT_EXPECT_FALSE(test, privmem_cram_uncharge(c, 1004, NULL));
	c->verify = false;
	privmem_cram_charge(c, 1005, 100, 0);
	KUNIT_EXPECT_FALSE(test, privmem_cram_uncharge(c, 1005, page));
	privmem_cram_stats(c, &st);
	KUNIT_EXPECT_EQ(test, st.inplace_writes, 1ULL);
	privmem_cram_free(c);
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
