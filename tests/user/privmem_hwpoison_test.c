// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: memory failure on a private node (plain and compressed, dax0.0
 * bound afresh for each test).
 *
 *  - mapped page (madvise(MADV_HWPOISON), or hwpoison_inject's
 *    corrupt-pfn): a page of a 16-page range migrated onto the node is
 *    shared (fork) by the test process, an early-kill child that moved
 *    its copy elsewhere (mremap) and a late-kill child, and not by a
 *    bystander child that unmapped it. After the poisoning only the
 *    mappers get SIGBUS, each with its own address of the page: the
 *    madvise caller at once (BUS_MCEERR_AR), the early-kill child at once
 *    (BUS_MCEERR_AO), the late-kill child and the test process when they
 *    touch it (BUS_MCEERR_AR); the other pages read back intact; the
 *    bystander gets nothing. The page is flagged hwpoison, sysfs
 *    "poisoned" and `privctl info` (text and JSON) count 1, and once every
 *    mapping is gone the node's free pool has exactly one page less than
 *    before the range arrived; used + free stays the capacity. Then the
 *    node can be removed (unbound) and dax0.0 goes back to device_dax.
 *  - free page (corrupt-pfn): a free page of the node leaves the free pool
 *    (one page less, the page no longer a buddy page), "poisoned" is 1, and
 *    the node can still be removed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_distro.h"

#define NPAGES		16
#define LEN		(NPAGES * PM_PAGE)
#define OFF		(5 * PM_PAGE)		/* the poisoned page */
#define CORRUPT_PFN	"/sys/kernel/debug/hwpoison/corrupt-pfn"
#define EARLY_KILL	"/proc/sys/vm/memory_failure_early_kill"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON	100
#endif
#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR	4
#define BUS_MCEERR_AO	5
#endif

/* What one process saw; in a MAP_SHARED page for the children. */
/*
 * Flags polled across processes are read with LOAD(); the rest is read
 * after waitpid().
 */
struct seen {
	int ready;
	int nsig;
	int code;
	unsigned long addr;	/* si_addr of the first SIGBUS */
	unsigned long expect;	/* its own address of the page */
	int data_ok;		/* the other pages read back intact */
};

struct shared {
	struct seen self, early, late, bystander;
	int go;			/* poisoned: late child may touch */
};

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

static struct seen *sig_seen;
static sigjmp_buf sig_jmp;
static int sig_jump_ok;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (sig_seen && !sig_seen->nsig++) {
		sig_seen->code = si->si_code;
		sig_seen->addr = (unsigned long)si->si_addr;
	}
	if (LOAD(sig_jump_ok))
		siglongjmp(sig_jmp, 1);
}

static void catch_sigbus(struct seen *s)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sig_seen = s;
	sigaction(SIGBUS, &sa, NULL);
}

/* Read the page at @a; 1 if that raised SIGBUS. */
static int touch_faults(char *a)
{
	if (sigsetjmp(sig_jmp, 1)) {
		STORE(sig_jump_ok, 0);
		return 1;
	}
	STORE(sig_jump_ok, 1);
	(void)__atomic_load_n(a, __ATOMIC_SEQ_CST);
	STORE(sig_jump_ok, 0);
	return 0;
}

static int other_pages_ok(char *buf, __u64 *sums)
{
	int i;

	for (i = 0; i < NPAGES; i++)
		if (i * PM_PAGE != OFF &&
		    pm_checksum(buf + i * PM_PAGE, PM_PAGE) != sums[i])
			return 0;
	return 1;
}

static int wait_for(int *flag, int secs)
{
	int i;

	for (i = 0; i < secs * 100 && !LOAD(*flag); i++)
		usleep(10000);
	return LOAD(*flag);
}

FIXTURE(hwp) {
	struct pm_binding b;
	int fd;
	char early_kill[16];
	pid_t kids[3];
};

FIXTURE_VARIANT(hwp) {
	const char *type;
	int madvise;		/* else hwpoison_inject's corrupt-pfn */
};

FIXTURE_VARIANT_ADD(hwp, plain_madvise) { .type = "plain", .madvise = 1 };
FIXTURE_VARIANT_ADD(hwp, plain_inject) { .type = "plain", .madvise = 0 };
FIXTURE_VARIANT_ADD(hwp, compr_madvise) { .type = "compressed", .madvise = 1 };
FIXTURE_VARIANT_ADD(hwp, compr_inject) { .type = "compressed", .madvise = 0 };

/* The setup of both fixtures. */
static void poison_setup(struct __test_metadata *_metadata,
			 struct pm_binding *b, int *fd, char *early_kill,
			 size_t len, const char *type, int inject)
{
	*fd = -1;
	if (access(EARLY_KILL, W_OK))
		SKIP(return, "no memory failure in this kernel (CONFIG_MEMORY_FAILURE)");
	ASSERT_EQ(0, pm_read_str(EARLY_KILL, early_kill, len));
	/* Late kill by default: only early-kill tasks hear at once. */
	ASSERT_EQ(0, pm_write_str(EARLY_KILL, "0"));
	if (system("modprobe hwpoison_inject 2>/dev/null"))
		TH_LOG("modprobe hwpoison_inject failed");
	if (inject && access(CORRUPT_PFN, W_OK))
		SKIP(return, "no %s (CONFIG_HWPOISON_INJECT)", CORRUPT_PFN);
	ASSERT_EQ(0, pm_bind(b, type));
	*fd = pm_open(b);
	ASSERT_GE(*fd, 0);
	/* The free counts below are the poisoned page's, not the balloon's. */
	ASSERT_EQ(0, pm_balloon_off(b));
}

static void poison_teardown(struct __test_metadata *_metadata,
			    struct pm_binding *b, int fd, const char *early_kill,
			    pid_t *kids)
{
	int i;

	for (i = 0; kids && i < 3; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	if (early_kill[0])
		pm_write_str(EARLY_KILL, early_kill);
	if (fd >= 0)
		close(fd);
	if (pm_restore(b))
		TH_LOG("could not restore %s", PM_DAX);
}

FIXTURE_SETUP(hwp)
{
	poison_setup(_metadata, &self->b, &self->fd, self->early_kill,
		     sizeof(self->early_kill), variant->type, !variant->madvise);
}

FIXTURE_TEARDOWN(hwp)
{
	poison_teardown(_metadata, &self->b, self->fd, self->early_kill,
			self->kids);
}

FIXTURE(hwfree) {
	struct pm_binding b;
	int fd;
	char early_kill[16];
};

FIXTURE_VARIANT(hwfree) {
	const char *type;
};

FIXTURE_VARIANT_ADD(hwfree, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(hwfree, compressed) { .type = "compressed" };

FIXTURE_SETUP(hwfree)
{
	poison_setup(_metadata, &self->b, &self->fd, self->early_kill,
		     sizeof(self->early_kill), variant->type, 1);
}

FIXTURE_TEARDOWN(hwfree)
{
	poison_teardown(_metadata, &self->b, self->fd, self->early_kill, NULL);
}

static int inject_pfn(unsigned long pfn)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", pfn);
	return pm_write_str(CORRUPT_PFN, buf);
}

/*
 * The poisoned count `privctl info DEV` prints (text), or its JSON's
 * "poisoned" (read with python3's json), or -1.
 */
static long privctl_poisoned(struct pm_binding *b, int json)
{
	const char *build = getenv("PRIVMEM_BUILD");
	char cmd[512], line[256];
	long v = -1, n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/privctl/privctl info %s%s",
		 build ? build : "build", strrchr(b->devpath, '/') + 1,
		 json ? " --json | python3 -c 'import json, sys; "
			"print(\"poisoned\", json.load(sys.stdin)[\"poisoned\"])'"
		      : "");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " poisoned %ld", &n) == 1)
			v = n;
	pclose(f);
	return v;
}

/* used + free is the capacity (the poisoned page counts as used). */
static int counts_consistent(struct pm_binding *b)
{
	long cap = pm_sys_long(b, "capacity");

	return cap > 0 &&
		pm_sys_long(b, "used") + pm_sys_long(b, "free") == cap;
}

/* The node was removed: not private, dax0.0 no longer privmem's. */
static void nodes_private_gone(struct __test_metadata *_metadata, int nid)
{
	EXPECT_EQ(0, pm_node_listed("has_private_memory", nid));
	EXPECT_NE(0, access(PM_DRV "/" PM_DAX, F_OK));
	EXPECT_GE(0, pm_node_meminfo(nid, "MemTotal"));
}

TEST_F_TIMEOUT(hwp, mapped_page, 300)
{
	struct shared *sh = pm_shared_page();
	struct privmem_migrate m;
	char *buf, *moved;
	__u64 sums[NPAGES];
	unsigned long pfn;
	long free0, free1, mf0 = -1, mf1;
	char mfpath[128];
	int i, status;

	ASSERT_NE(NULL, sh);
	snprintf(mfpath, sizeof(mfpath),
		 "/sys/devices/system/node/node%d/memory_failure/total",
		 self->b.nid);
	mf0 = pm_read_long(mfpath);
	EXPECT_EQ(0, pm_sys_long(&self->b, "poisoned"));
	free0 = pm_node_free_settled(self->b.nid);

	buf = pm_anon(LEN, 0);
	ASSERT_NE(NULL, buf);
	pm_fill(buf, LEN, 7);
	for (i = 0; i < NPAGES; i++)
		sums[i] = pm_checksum(buf + i * PM_PAGE, PM_PAGE);
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, buf, LEN,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	ASSERT_EQ(NPAGES, (int)m.moved);
	ASSERT_EQ(NPAGES, pm_count_on_node(buf, NPAGES, self->b.nid));
	pfn = pm_pfn_of(buf + OFF);
	ASSERT_NE(0UL, pfn);
	ASSERT_EQ(0, pm_page_flag(pfn, PM_KPF_HWPOISON));

	/* The early-kill mapper: its copy of the range moved elsewhere. */
	self->kids[0] = fork();
	ASSERT_GE(self->kids[0], 0);
	if (!self->kids[0]) {
		void *to = mmap(NULL, LEN, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		catch_sigbus(&sh->early);
		prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
		moved = mremap(buf, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
			       to);
		if (moved == MAP_FAILED)
			_exit(2);
		sh->early.expect = (unsigned long)moved + OFF;
		STORE(sh->early.ready, 1);
		for (i = 0; i < 3000 && !LOAD(sh->early.nsig); i++)
			usleep(10000);
		sh->early.data_ok = other_pages_ok(moved, sums);
		_exit(0);
	}
	/* The late-kill mapper: SIGBUS when it touches the page. */
	self->kids[1] = fork();
	ASSERT_GE(self->kids[1], 0);
	if (!self->kids[1]) {
		catch_sigbus(&sh->late);
		prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0);
		sh->late.expect = (unsigned long)buf + OFF;
		STORE(sh->late.ready, 1);
		if (!wait_for(&sh->go, 60))
			_exit(2);
		usleep(300 * 1000);	/* an early signal would come now */
		if (LOAD(sh->late.nsig))
			_exit(3);
		touch_faults(buf + OFF);
		sh->late.data_ok = other_pages_ok(buf, sums);
		_exit(0);
	}
	/* The bystander: early kill, but it does not map the page. */
	self->kids[2] = fork();
	ASSERT_GE(self->kids[2], 0);
	if (!self->kids[2]) {
		catch_sigbus(&sh->bystander);
		prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
		munmap(buf, LEN);
		STORE(sh->bystander.ready, 1);
		if (!wait_for(&sh->go, 60))
			_exit(2);
		sleep(1);
		_exit(0);
	}
	ASSERT_TRUE(wait_for(&sh->early.ready, 30));
	ASSERT_TRUE(wait_for(&sh->late.ready, 30));
	ASSERT_TRUE(wait_for(&sh->bystander.ready, 30));

	/* Poison it. */
	catch_sigbus(&sh->self);
	sh->self.expect = (unsigned long)buf + OFF;
	if (variant->madvise) {
		ASSERT_EQ(0, madvise(buf + OFF, PM_PAGE, MADV_HWPOISON));
		/* The caller maps it: BUS_MCEERR_AR at once. */
		EXPECT_EQ(1, sh->self.nsig);
		EXPECT_EQ(BUS_MCEERR_AR, sh->self.code);
		EXPECT_EQ(sh->self.expect, sh->self.addr);
	} else {
		ASSERT_EQ(0, inject_pfn(pfn));
		EXPECT_EQ(0, sh->self.nsig);
	}
	STORE(sh->go, 1);
	sh->self.nsig = 0;
	EXPECT_TRUE(touch_faults(buf + OFF));
	EXPECT_EQ(1, sh->self.nsig);
	EXPECT_EQ(BUS_MCEERR_AR, sh->self.code);
	EXPECT_EQ(sh->self.expect, sh->self.addr);
	EXPECT_TRUE(other_pages_ok(buf, sums));

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("child %d: status %#x", i, status);
		}
		self->kids[i] = 0;
	}
	EXPECT_EQ(1, sh->early.nsig);
	EXPECT_EQ(BUS_MCEERR_AO, sh->early.code);
	EXPECT_EQ(sh->early.expect, sh->early.addr);
	EXPECT_TRUE(sh->early.data_ok);
	EXPECT_EQ(1, sh->late.nsig);
	EXPECT_EQ(BUS_MCEERR_AR, sh->late.code);
	EXPECT_EQ(sh->late.expect, sh->late.addr);
	EXPECT_TRUE(sh->late.data_ok);
	EXPECT_EQ(0, sh->bystander.nsig);

	EXPECT_TRUE(pm_page_flag(pfn, PM_KPF_HWPOISON));
	EXPECT_EQ(1, pm_sys_long(&self->b, "poisoned"));
	EXPECT_EQ(1, privctl_poisoned(&self->b, 0));
	EXPECT_EQ(1, privctl_poisoned(&self->b, 1));
	if (mf0 >= 0) {
		mf1 = pm_read_long(mfpath);
		EXPECT_LE(mf0 + 1, mf1);
	}

	/* Every mapping gone: all pages but the poisoned one come back. */
	munmap(buf, LEN);
	free1 = pm_node_free_settled(self->b.nid);
	EXPECT_EQ(free0 - (long)(PM_PAGE / 1024), free1) {
		TH_LOG("node free %ld kB before, %ld kB after", free0, free1);
	}
	EXPECT_FALSE(pm_page_flag(pfn, PM_KPF_BUDDY));
	EXPECT_TRUE(counts_consistent(&self->b));
	EXPECT_EQ(1, pm_sys_long(&self->b, "poisoned"));

	/* The node can still be removed. */
	ASSERT_EQ(0, pm_restore(&self->b));
	nodes_private_gone(_metadata, self->b.nid);
	munmap(sh, PM_PAGE);
}

TEST_F_TIMEOUT(hwfree, free_page, 300)
{
	unsigned long pfn;
	long free0, free1;

	EXPECT_EQ(0, pm_sys_long(&self->b, "poisoned"));
	free0 = pm_node_free_settled(self->b.nid);
	pfn = pm_node_free_pfn(self->b.nid);
	ASSERT_NE(0UL, pfn);
	ASSERT_EQ(0, inject_pfn(pfn));
	EXPECT_TRUE(pm_page_flag(pfn, PM_KPF_HWPOISON));
	EXPECT_FALSE(pm_page_flag(pfn, PM_KPF_BUDDY));
	free1 = pm_node_free_settled(self->b.nid);
	EXPECT_EQ(free0 - (long)(PM_PAGE / 1024), free1) {
		TH_LOG("node free %ld kB before, %ld kB after", free0, free1);
	}
	EXPECT_EQ(1, pm_sys_long(&self->b, "poisoned"));
	EXPECT_TRUE(counts_consistent(&self->b));
	EXPECT_EQ(1, privctl_poisoned(&self->b, 0));
	EXPECT_EQ(1, privctl_poisoned(&self->b, 1));

	ASSERT_EQ(0, pm_restore(&self->b));
	nodes_private_gone(_metadata, self->b.nid);
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
