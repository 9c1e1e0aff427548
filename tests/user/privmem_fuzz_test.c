// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: 1,000,000 randomised ioctls (the fuzzer of privmem_fuzz.h) on
 * a plain and on a compressed node, as root and as nobody (the device
 * node is chowned to nobody so that the open succeeds, then given back).
 * PRIVMEM_FUZZ_CALLS sets the calls per node type and user (default
 * 250,000). No call may oops or warn (the kernel log is compared before
 * and after, and make check scans the console); as nobody, no privileged
 * command may succeed; the device still answers INFO afterwards.
 */
#define _GNU_SOURCE
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_fuzz.h"
#include "privmem_user.h"

#define MIB	(1024UL * 1024)

static long fuzz_calls(void)
{
	const char *s = getenv("PRIVMEM_FUZZ_CALLS");

	return s && atol(s) > 0 ? atol(s) : 250000;
}

static long splats(void)
{
	char line[512];
	long n = 0;
	FILE *f = popen("dmesg", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "WARNING:") || strstr(line, "BUG:") ||
		    strstr(line, "Oops") || strstr(line, "general protection") ||
		    strstr(line, "KASAN") || strstr(line, "circular locking"))
			n++;
	pclose(f);
	return n;
}

FIXTURE(fz) {
	struct pm_binding b;
};

FIXTURE_VARIANT(fz) {
	const char *type;
};

FIXTURE_VARIANT_ADD(fz, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(fz, compressed) { .type = "compressed" };

FIXTURE_SETUP(fz)
{
	ASSERT_EQ(0, pm_bind(&self->b, variant->type));
}

FIXTURE_TEARDOWN(fz)
{
	pm_chown_dev(&self->b, 0);
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

/* Open, map the targets and fuzz; the statistics go to @out. */
static int fuzz_once(struct pm_binding *b, long calls,
		     struct pm_fuzz_stats *out)
{
	char *ro, *buf;
	int fd;

	fd = pm_open(b);
	if (fd < 0)
		return -errno;
	ro = mmap(NULL, PM_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = pm_anon(2 * MIB, 0);
	if (ro == MAP_FAILED || !buf)
		return -ENOMEM;
	memset(buf, 1, 2 * MIB);
	pm_fuzz(fd, calls, buf, ro, out);
	close(fd);
	return 0;
}

static void report(struct __test_metadata *_metadata, const char *who,
		   const struct pm_fuzz_stats *st)
{
	TH_LOG("%s: %ld calls, %ld ok: INFO %ld MIGRATE %ld", who, st->calls,
	       st->ok, st->ok_cmd[0], st->ok_cmd[1]);
	TH_LOG("%s: ok SET_DEMOTION %ld SET_WATERMARKS %ld INJECT %ld", who,
	       st->ok_cmd[3], st->ok_cmd[5], st->ok_cmd[6]);
	TH_LOG("%s: EINVAL %ld EFAULT %ld ENOTTY %ld EPERM %ld ESRCH %ld ENOSPC %ld other %ld",
	       who, st->err[EINVAL], st->err[EFAULT], st->err[ENOTTY],
	       st->err[EPERM], st->err[ESRCH], st->err[ENOSPC],
	       pm_fuzz_other(st));
}

TEST_F_TIMEOUT(fz, as_root, 1800)
{
	struct pm_fuzz_stats st = { 0 };
	struct privmem_info info;
	long before = splats(), calls = fuzz_calls();
	time_t t0 = time(NULL);
	int fd;

	ASSERT_LE(0, before);
	pm_rnd_state ^= (__u64)time(NULL);
	TH_LOG("seed %llu", (unsigned long long)pm_rnd_state);
	ASSERT_EQ(0, fuzz_once(&self->b, calls, &st));
	report(_metadata, "root", &st);
	TH_LOG("%ld calls in %ld s", st.calls, (long)(time(NULL) - t0));
	EXPECT_EQ(calls, st.calls);
	/* Valid calls got through: the fuzzer reached the commands. */
	EXPECT_LT(0, st.ok_cmd[0]);
	EXPECT_LT(0, st.ok_cmd[1]);
	EXPECT_EQ(0, st.err[EPERM]);
	EXPECT_EQ(before, splats());
	fd = pm_open(&self->b);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, pm_info(fd, &info));
	{
		struct privmem_demotion d = { .size = sizeof(d),
			.flags = PRIVMEM_DEMOTION_ALL_SOURCES |
				 (!strcmp(variant->type, "compressed") ?
				  PRIVMEM_DEMOTION_ENABLE : 0) };
		struct privmem_watermarks w = { .size = sizeof(w),
			.low = PRIVMEM_PRESSURE_LOW_DEFAULT,
			.high = PRIVMEM_PRESSURE_HIGH_DEFAULT };

		ioctl(fd, PRIVMEM_IOC_SET_DEMOTION, &d);
		ioctl(fd, PRIVMEM_IOC_SET_WATERMARKS, &w);
		pm_inject(fd, 0, PRIVMEM_INJECT_CLEAR);
	}
	close(fd);
}

TEST_F_TIMEOUT(fz, as_nobody, 1800)
{
	struct pm_fuzz_stats *st;
	long before = splats(), calls = fuzz_calls();
	time_t t0 = time(NULL);
	int status;
	pid_t pid;

	ASSERT_LE(0, before);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	memset(st, 0, sizeof(*st));
	ASSERT_EQ(0, pm_chown_dev(&self->b, PM_NOBODY));
	pm_rnd_state ^= (__u64)time(NULL) * 3;
	TH_LOG("seed %llu", (unsigned long long)pm_rnd_state);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (pm_drop_to(PM_NOBODY))
			_exit(2);
		_exit(fuzz_once(&self->b, calls, st) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, pm_chown_dev(&self->b, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	report(_metadata, "nobody", st);
	TH_LOG("%ld calls in %ld s", st->calls, (long)(time(NULL) - t0));
	EXPECT_EQ(calls, st->calls);
	EXPECT_LT(0, st->ok_cmd[0]);
	EXPECT_LT(0, st->ok_cmd[1]);
	/* Nothing privileged got through; it was tried and refused. */
	EXPECT_EQ(0, st->ok_cmd[3]);
	EXPECT_EQ(0, st->ok_cmd[5]);
	EXPECT_EQ(0, st->ok_cmd[6]);
	EXPECT_LT(0, st->err[EPERM]);
	EXPECT_EQ(before, splats());
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
