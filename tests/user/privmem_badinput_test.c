// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: bad input to /dev/privmemN gets an errno, never a kernel
 * warning. Every error path of the ioctls is exercised with its errno
 * checked, then a randomised fuzzer makes 100,000 calls; the kernel log
 * must not grow a single WARNING or BUG line (make check also scans the
 * console).
 */
#define _GNU_SOURCE
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_fuzz.h"

static struct pm_binding B;

FIXTURE(pm) {
	int fd;
	char *ro;	/* a read-only page */
	char *buf;	/* a mapped 2M buffer */
	char *edge;	/* a page followed by an unmapped one */
};

FIXTURE_SETUP(pm)
{
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	self->ro = mmap(NULL, PM_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->buf = pm_anon(2 << 20, 0);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 1, 2 << 20);
	self->edge = mmap(NULL, 2 * PM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->edge);
	ASSERT_EQ(0, munmap(self->edge + PM_PAGE, PM_PAGE));
	*(__u32 *)(self->edge + PM_PAGE - 8) = 64;
}

FIXTURE_TEARDOWN(pm)
{
	struct privmem_demotion d = {
		.size = sizeof(d), .flags = PRIVMEM_DEMOTION_ALL_SOURCES,
	};
	struct privmem_watermarks w = {
		.size = sizeof(w), .low = PRIVMEM_PRESSURE_LOW_DEFAULT,
		.high = PRIVMEM_PRESSURE_HIGH_DEFAULT,
	};

	ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d);
	ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w);
	pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR);
	close(self->fd);
}

#define EXPECT_ERRNO(e, call) do {					\
	errno = 0;							\
	EXPECT_EQ(-1, (call));						\
	EXPECT_EQ((e), errno) TH_LOG("%s", #call);			\
} while (0)

/* Kernel log lines that are splats. */
static long splats(void)
{
	char line[512];
	long n = 0;
	FILE *f = popen("dmesg", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "WARNING:") || strstr(line, "BUG:") ||
		    strstr(line, "Oops") || strstr(line, "general protection"))
			n++;
	pclose(f);
	return n;
}

TEST_F(pm, unknown_commands)
{
	char arg[512] = { 0 };

	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(PRIVMEM_IOC_MAGIC, 0x7f)));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOWR(PRIVMEM_IOC_MAGIC, 0x07,
						   struct privmem_info), arg));
	/* Another magic, and the right number with the wrong size. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOWR('x', 0x00,
						   struct privmem_info), arg));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOWR(PRIVMEM_IOC_MAGIC, 0x00,
						   __u64), arg));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOWR(PRIVMEM_IOC_MAGIC, 0x01,
						   char[512]), arg));
	/* Direction bits differ. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOR(PRIVMEM_IOC_MAGIC, 0x00,
						  struct privmem_info), arg));
	/* Not a tty either. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TCGETS, arg));
}

TEST_F(pm, size_flags_and_reserved)
{
	char arg[512];
	int i;

	for (i = 0; i < 7; i++) {
		/* Short and oversized size fields. */
		memset(arg, 0, sizeof(arg));
		*(__u32 *)arg = pm_sizes[i] - 8;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, pm_cmds[i], arg));
		*(__u32 *)arg = pm_sizes[i] + 8;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, pm_cmds[i], arg));
		*(__u32 *)arg = 0;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, pm_cmds[i], arg));
		/* Unknown flags. */
		*(__u32 *)arg = pm_sizes[i];
		((__u32 *)arg)[1] = 0x80000000;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, pm_cmds[i], arg));
		/* Last reserved word not zero (every struct ends with them). */
		((__u32 *)arg)[1] = 0;
		*(__u64 *)(arg + pm_sizes[i] - 8) = 1;
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, pm_cmds[i], arg));
	}
	/* Reserved words in the middle. */
	{
		struct privmem_info info = { .size = sizeof(info),
					     .reserved0 = 1 };

		EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_INFO, &info));
	}
	{
		struct privmem_inject in = { .size = sizeof(in),
					     .reserved0 = 1 };

		EXPECT_ERRNO(EINVAL, ioctl(self->fd,
					   PRIVMEM_IOC_INJECT_PRESSURE, &in));
	}
}

TEST_F(pm, bad_pointers)
{
	int i;

	for (i = 0; i < 7; i++) {
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, pm_cmds[i], NULL));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, pm_cmds[i], (void *)8));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, pm_cmds[i],
					   (void *)0xffff880000000000UL));
		/* The struct runs off the end of the mapping. */
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, pm_cmds[i],
					   self->edge + PM_PAGE - 8));
	}
	/* A read-only argument for a command that writes back. */
	{
		struct privmem_info info = { .size = sizeof(info) };

		/* Valid input in a read-only page: copy_to_user fails. */
		ASSERT_EQ(0, mprotect(self->ro, PM_PAGE, PROT_READ | PROT_WRITE));
		memcpy(self->ro, &info, sizeof(info));
		ASSERT_EQ(0, mprotect(self->ro, PM_PAGE, PROT_READ));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, PRIVMEM_IOC_INFO,
					   self->ro));
	}
}

TEST_F(pm, migrate_ranges)
{
	struct privmem_migrate m;
	char *b = self->buf, *hole;

	/* Misaligned address and length, zero length, overflow. */
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b + 1, PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE + 1,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, 0,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, -PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0,
					(void *)(-2 * PM_PAGE), PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0,
					(void *)(1UL << 47), PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	/* No direction, both directions, unknown flag. */
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE, 0, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE |
					PRIVMEM_MIGRATE_FROM_NODE, -1));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE | 8, -1));
	/* Bad target nodes. */
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, 0));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_FROM_NODE, B.nid));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_FROM_NODE, 3));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_FROM_NODE, 100000));
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 0, b, PM_PAGE,
					PRIVMEM_MIGRATE_FROM_NODE, -2));
	/* Output fields must come in zero. */
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.flags = PRIVMEM_MIGRATE_TO_NODE;
	m.target_node = -1;
	m.addr = (uintptr_t)b;
	m.length = PM_PAGE;
	m.moved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_MIGRATE, &m));

	/* Unmapped: wholly, and a hole in the middle (nothing moves). */
	hole = pm_anon(3 * PM_PAGE, 0);
	ASSERT_NE(NULL, hole);
	memset(hole, 1, 3 * PM_PAGE);
	ASSERT_EQ(0, munmap(hole + PM_PAGE, PM_PAGE));
	EXPECT_ERRNO(EFAULT, pm_migrate(self->fd, &m, 0, hole, 3 * PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(0, pm_count_on_node(hole, 1, B.nid));
	EXPECT_ERRNO(EFAULT, pm_migrate(self->fd, &m, 0, hole + PM_PAGE,
					PM_PAGE, PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(EFAULT, pm_migrate(self->fd, &m, 0, (void *)0x10000,
					PM_PAGE, PRIVMEM_MIGRATE_TO_NODE, -1));
	/* Processes that do not exist. */
	EXPECT_ERRNO(ESRCH, pm_migrate(self->fd, &m, 0x3ffffff, b, PM_PAGE,
				       PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_ERRNO(ESRCH, pm_migrate(self->fd, &m, -5, b, PM_PAGE,
				       PRIVMEM_MIGRATE_TO_NODE, -1));
	/* A kernel thread has no mm (kthreadd is pid 2). */
	EXPECT_ERRNO(EINVAL, pm_migrate(self->fd, &m, 2, b, PM_PAGE,
					PRIVMEM_MIGRATE_TO_NODE, -1));
	munmap(hole, PM_PAGE);
	munmap(hole + 2 * PM_PAGE, PM_PAGE);
}

TEST_F(pm, demotion_and_pressure_values)
{
	struct privmem_demotion d;
	struct privmem_watermarks w = { .size = sizeof(w) };

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = PRIVMEM_DEMOTION_ENABLE;
	/* No source at all. */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));
	/* A private node, a memoryless node, a node beyond the kernel's. */
	d.sources[0] = 1UL << B.nid;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));
	d.sources[0] = 1UL << 3 | 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));
	d.sources[0] = 1;
	d.sources[15] = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));
	/* ALL_SOURCES with a source list. */
	d.sources[15] = 0;
	d.flags |= PRIVMEM_DEMOTION_ALL_SOURCES;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_DEMOTION, &d));
	/* GET takes no flags. */
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = PRIVMEM_DEMOTION_ENABLE;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));

	w.low = 500;
	w.high = 500;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w));
	w.low = 0;
	w.high = 2000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PRIVMEM_IOC_SET_WATERMARKS, &w));
	EXPECT_ERRNO(EINVAL, pm_inject(self->fd, 1001, 0));
	EXPECT_ERRNO(EINVAL, pm_inject(self->fd, 5, PRIVMEM_INJECT_CLEAR));
	EXPECT_ERRNO(EINVAL, pm_inject(self->fd, 5, 2));
}

TEST_F_TIMEOUT(pm, fuzz_100000_calls, 600)
{
	struct pm_fuzz_stats st = { 0 };
	long before = splats();

	ASSERT_GE(before, 0);
	pm_rnd_state ^= (__u64)time(NULL);
	TH_LOG("seed %llu", (unsigned long long)pm_rnd_state);
	pm_fuzz(self->fd, 100000, self->buf, self->ro, &st);
	TH_LOG("%ld calls: %ld ok, EINVAL %ld, EFAULT %ld, ENOTTY %ld",
	       st.calls, st.ok, st.err[EINVAL], st.err[EFAULT],
	       st.err[ENOTTY]);
	TH_LOG("EPERM %ld, ESRCH %ld, ENOSPC %ld, other %ld", st.err[EPERM],
	       st.err[ESRCH], st.err[ENOSPC], pm_fuzz_other(&st));
	EXPECT_EQ(100000, st.calls);
	EXPECT_EQ(before, splats());
	/* The device still works. */
	{
		struct privmem_info info;

		EXPECT_EQ(0, pm_info(self->fd, &info));
	}
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
