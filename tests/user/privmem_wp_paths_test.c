// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: no page of a compressed node is written in place, on any mm
 * path that maps a folio writable or writes it.
 *
 * dax0.0 is bound as a compressed node. Each case puts incompressible
 * (random) data on the node with MIGRATE, drives one path that writes or
 * maps writable, and asserts three things: the data read back is what was
 * written, the written pages are no longer on the node (the write promoted
 * them first), and the device's in-place write counter
 * (counters/inplace_writes: the emulated device checksums each page when
 * it arrives and checks it when it leaves) has not moved.
 *
 *  - uffd_move: UFFDIO_MOVE of pages on the node into a registered range
 *    (the kernel makes the moved PTE writable for anonymous memory);
 *  - uffd_copy_from_node: UFFDIO_COPY whose source is on the node (the
 *    copy only reads it; a later write to the source still promotes);
 *  - shmem_never_on_node: shmem (memfd) folios are never migrated onto
 *    the node, so UFFDIO_CONTINUE or write(2) cannot reach one there;
 *  - swap_cache_refault: pages paged out of the node (MADV_PAGEOUT) to an
 *    asynchronous swap device are written while still in the swap cache;
 *  - pipe_read / process_vm_writev / odirect_read: the kernel writes into
 *    the buffer (copy_to_user, GUP for write);
 *  - vmsplice_then_write: the pipe holds a reference to the pages;
 *  - longterm_pin_for_write: a FOLL_LONGTERM | FOLL_WRITE pin moves the
 *    pages off the node before pinning;
 *  - mm_ops: mprotect round trip, mremap, MADV_DONTNEED, MADV_FREE then
 *    reuse, mlock and a THP split, each followed by a write;
 *  - fork_fan_out: 32 children read the same pages without promoting
 *    them; each child's write makes its own DRAM copy (copy on write only
 *    reads the shared folio, which stays on the node); the parent's data
 *    is unchanged; the node's free memory returns afterwards.
 */
#define _GNU_SOURCE
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_nodewalk.h"
#include "../../../mm/gup_test.h"

/* Debian 12's uapi headers predate UFFDIO_MOVE (Linux 6.8). */
#ifndef UFFDIO_MOVE
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};

#define _UFFDIO_MOVE		(0x05)
#define UFFDIO_MOVE		_IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE	0x10000	/* 1 << 16 */
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

#define LEN		(4UL << 20)
#define NPAGES		(LEN / PM_PAGE)
#define INPLACE		"counters/inplace_writes"
#define GUP_TEST	"/sys/kernel/debug/gup_test"

static struct pm_binding B;

FIXTURE(wp) {
	int fd;
	long inplace0;
};

FIXTURE_SETUP(wp)
{
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	/* fork_fan_out counts free pages: no balloon moving under it. */
	ASSERT_EQ(0, pm_balloon_off(&B));
	self->inplace0 = pm_sys_long(&B, INPLACE);
	ASSERT_GE(self->inplace0, 0) TH_LOG("no %s attribute", INPLACE);
}

FIXTURE_TEARDOWN(wp)
{
	close(self->fd);
}

/*
 * The device checks a page's checksum when it leaves the node; pages
 * freed by the test may take a moment (deferred frees, per-CPU batches).
 */
static long inplace_after(long before)
{
	long now = pm_sys_long(&B, INPLACE);
	int i;

	for (i = 0; i < 10 && now == before; i++) {
		usleep(100 * 1000);
		now = pm_sys_long(&B, INPLACE);
	}
	return now;
}

/* @len bytes of random data (seed @seed), migrated onto the node. */
static char *on_node(struct __test_metadata *_metadata, int fd, size_t len,
		     int thp, unsigned int seed)
{
	struct privmem_migrate m;
	char *p = pm_anon(len, thp);

	EXPECT_NE(NULL, p);
	if (!p)
		return NULL;
	pm_fill(p, len, seed);
	EXPECT_EQ(0, pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(len / PM_PAGE, m.moved);
	EXPECT_EQ((long)(len / PM_PAGE), pm_count_on_node(p, len / PM_PAGE, B.nid));
	return p;
}

/* Checksum of @len bytes of pm_fill(@seed) data. */
static __u64 fill_sum(size_t len, unsigned int seed)
{
	char *want = malloc(len);
	__u64 sum;

	if (!want)
		return 0;
	pm_fill(want, len, seed);
	sum = pm_checksum(want, len);
	free(want);
	return sum;
}

/* Write one random page into each page of [@p, @p + @len). */
static void write_pages(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += PM_PAGE)
		pm_fill(p + i, PM_PAGE, seed + i / PM_PAGE);
}

static int pages_match(const char *p, size_t len, unsigned int seed)
{
	char page[PM_PAGE];
	size_t i;

	for (i = 0; i < len; i += PM_PAGE) {
		pm_fill(page, PM_PAGE, seed + i / PM_PAGE);
		if (memcmp(p + i, page, PM_PAGE))
			return 0;
	}
	return 1;
}

/* --- userfaultfd ------------------------------------------------------ */

static int uffd_open(__u64 features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int uffd_register(int uffd, void *addr, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg);
}

TEST_F(wp, uffd_move)
{
	struct uffdio_move mv;
	char *src, *dst;
	int uffd;

	src = on_node(_metadata, self->fd, LEN, 0, 11);
	ASSERT_NE(NULL, src);
	dst = pm_anon(LEN, 0);
	ASSERT_NE(NULL, dst);
	uffd = uffd_open(UFFD_FEATURE_MOVE);
	ASSERT_GE(uffd, 0);
	ASSERT_EQ(0, uffd_register(uffd, dst, LEN));

	memset(&mv, 0, sizeof(mv));
	mv.dst = (uintptr_t)dst;
	mv.src = (uintptr_t)src;
	mv.len = LEN;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_MOVE, &mv)) TH_LOG("UFFDIO_MOVE: %s",
							   strerror(errno));
	ASSERT_EQ((__s64)LEN, mv.move);
	/* The moved pages are the node's pages, now mapped at dst. */
	EXPECT_EQ((long)NPAGES, pm_count_on_node(dst, NPAGES, B.nid));
	EXPECT_EQ(fill_sum(LEN, 11), pm_checksum(dst, LEN));

	write_pages(dst, LEN, 1100);
	EXPECT_TRUE(pages_match(dst, LEN, 1100));
	EXPECT_EQ(0, pm_count_on_node(dst, NPAGES, B.nid));
	close(uffd);
	munmap(dst, LEN);
	munmap(src, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F(wp, uffd_copy_from_node)
{
	struct uffdio_copy cp;
	char *src, *dst;
	int uffd;

	src = on_node(_metadata, self->fd, LEN, 0, 12);
	ASSERT_NE(NULL, src);
	dst = pm_anon(LEN, 0);
	ASSERT_NE(NULL, dst);
	uffd = uffd_open(0);
	ASSERT_GE(uffd, 0);
	ASSERT_EQ(0, uffd_register(uffd, dst, LEN));

	memset(&cp, 0, sizeof(cp));
	cp.dst = (uintptr_t)dst;
	cp.src = (uintptr_t)src;
	cp.len = LEN;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &cp));
	EXPECT_EQ((__s64)LEN, cp.copy);
	/* The copies are new pages; the source stays on the node, intact. */
	EXPECT_EQ(0, pm_count_on_node(dst, NPAGES, B.nid));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(src, NPAGES, B.nid));
	EXPECT_EQ(fill_sum(LEN, 12), pm_checksum(dst, LEN));
	write_pages(dst, LEN, 1200);
	EXPECT_TRUE(pages_match(dst, LEN, 1200));
	EXPECT_EQ(fill_sum(LEN, 12), pm_checksum(src, LEN));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(src, NPAGES, B.nid));
	/* Read by the copy, the source is still write-protected. */
	write_pages(src, PM_PAGE, 1201);
	EXPECT_TRUE(pages_match(src, PM_PAGE, 1201));
	EXPECT_EQ(0, pm_count_on_node(src, 1, B.nid));
	close(uffd);
	munmap(dst, LEN);
	munmap(src, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F(wp, shmem_never_on_node)
{
	struct privmem_migrate m;
	int mfd = memfd_create("privmem-wp", MFD_CLOEXEC);
	char *p;

	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, LEN));
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pm_fill(p, LEN, 13);
	/* MIGRATE into a compressed node is a demotion: shmem is refused. */
	pm_migrate(self->fd, &m, 0, p, LEN, PRIVMEM_MIGRATE_TO_NODE, -1);
	EXPECT_EQ(0, m.moved);
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	/* So write(2) into the file writes no page of the node. */
	ASSERT_EQ((ssize_t)PM_PAGE, pwrite(mfd, p + PM_PAGE, PM_PAGE, 0));
	EXPECT_EQ(0, memcmp(p, p + PM_PAGE, PM_PAGE));
	munmap(p, LEN);
	close(mfd);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

/* --- swap cache --------------------------------------------------------- */

/*
 * A swap device whose writes complete asynchronously (a loop device over a
 * tmpfs file): a folio paged out stays in the swap cache, unmapped, until
 * its write completes, and a fault in that window maps the swap-cache
 * folio, still on the node, back in.
 */
struct slow_swap {
	char dir[64];
	char loop[32];
};

static int slow_swap_on(struct slow_swap *s)
{
	char cmd[512];
	FILE *f;

	snprintf(s->dir, sizeof(s->dir), "/tmp/privmem-wp-swap");
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %1$s && mount -t tmpfs -o size=80M none %1$s && dd if=/dev/zero of=%1$s/swap bs=1M count=64 status=none && losetup -f --show %1$s/swap",
		 s->dir);
	f = popen(cmd, "r");
	if (!f || !fgets(s->loop, sizeof(s->loop), f)) {
		if (f)
			pclose(f);
		return -1;
	}
	pclose(f);
	s->loop[strcspn(s->loop, "\n")] = '\0';
	/* Above zram's priority, so that page-outs go to the loop device. */
	snprintf(cmd, sizeof(cmd), "mkswap %s > /dev/null && swapon -p 1000 %s",
		 s->loop, s->loop);
	return system(cmd) ? -1 : 0;
}

static void slow_swap_off(struct slow_swap *s)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "swapoff %s; losetup -d %s; umount %s; rmdir %s",
		 s->loop, s->loop, s->dir, s->dir);
	if (system(cmd))
		printf("# could not remove the test's swap device\n");
}

struct pager {
	char *p;
	int stop;		/* __atomic */
};

static void *pager_thread(void *arg)
{
	struct pager *pg = arg;

	while (!__atomic_load_n(&pg->stop, __ATOMIC_RELAXED))
		madvise(pg->p, LEN, MADV_PAGEOUT);
	return NULL;
}

TEST_F_TIMEOUT(wp, swap_cache_refault, 180)
{
	struct privmem_migrate m;
	struct slow_swap s;
	struct pager pg;
	pthread_t t;
	int round;
	char *p;

	ASSERT_EQ(0, slow_swap_on(&s));
	p = on_node(_metadata, self->fd, LEN, 0, 14);
	if (!p) {
		slow_swap_off(&s);
		ASSERT_NE(NULL, p);
	}
	pg.p = p;
	pg.stop = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, pager_thread, &pg));
	/*
	 * Each round puts the range back on the node and writes every page
	 * while the pager pushes them out: many writes land on folios that
	 * are in the swap cache, unmapped, still on the node.
	 */
	for (round = 0; round < 20; round++) {
		pm_migrate(self->fd, &m, 0, p, LEN, PRIVMEM_MIGRATE_TO_NODE, -1);
		write_pages(p, LEN, 1400 + round * NPAGES);
	}
	__atomic_store_n(&pg.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	EXPECT_TRUE(pages_match(p, LEN, 1400 + (round - 1) * NPAGES));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	munmap(p, LEN);
	slow_swap_off(&s);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

/* --- the kernel writes into the buffer ----------------------------------- */

TEST_F(wp, pipe_read)
{
	int fds[2];
	char *p;

	p = on_node(_metadata, self->fd, LEN, 0, 15);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(fds));
	/* One page at a time: a pipe holds 64 KiB by default. */
	for (size_t i = 0; i < 16; i++) {
		char page[PM_PAGE];

		pm_fill(page, PM_PAGE, 1500 + i);
		ASSERT_EQ((ssize_t)PM_PAGE, write(fds[1], page, PM_PAGE));
		ASSERT_EQ((ssize_t)PM_PAGE, read(fds[0], p + i * PM_PAGE,
						 PM_PAGE));
	}
	EXPECT_TRUE(pages_match(p, 16 * PM_PAGE, 1500));
	EXPECT_EQ(0, pm_count_on_node(p, 16, B.nid));
	EXPECT_EQ((long)NPAGES - 16, pm_count_on_node(p, NPAGES, B.nid));
	close(fds[0]);
	close(fds[1]);
	munmap(p, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F(wp, process_vm_writev)
{
	struct iovec local, remote;
	int go[2], status;
	char *p, *src;
	pid_t child;

	src = malloc(LEN);
	ASSERT_NE(NULL, src);
	write_pages(src, LEN, 1600);
	/*
	 * Another process writes into our buffer (GUP for write). It is
	 * forked before the buffer exists, so that the buffer's pages are
	 * exclusive to us: forked after, they would be shared and a write
	 * would copy them (which only reads the node) whatever the kernel
	 * does for an exclusive folio.
	 */
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		ssize_t n;

		close(go[1]);
		if (read(go[0], &p, sizeof(p)) != sizeof(p))
			_exit(2);
		local.iov_base = src;
		local.iov_len = LEN;
		remote.iov_base = p;
		remote.iov_len = LEN;
		n = process_vm_writev(getppid(), &local, 1, &remote, 1, 0);
		if (n != (ssize_t)LEN)
			printf("# process_vm_writev: %zd of %lu bytes: %s\n", n,
			       LEN, strerror(errno));
		fflush(stdout);
		_exit(n == (ssize_t)LEN ? 0 : 1);
	}
	close(go[0]);
	p = on_node(_metadata, self->fd, LEN, 0, 16);
	ASSERT_NE(NULL, p);
	ASSERT_EQ((ssize_t)sizeof(p), write(go[1], &p, sizeof(p)));
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(pages_match(p, LEN, 1600));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	free(src);
	munmap(p, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

/* O_DIRECT read from a block device: the bio pins the buffer for write. */
TEST_F(wp, odirect_read)
{
	char dev[64], buf[32], *p, *src;
	int bfd, id;

	ASSERT_EQ(0, pm_read_str("/sys/class/zram-control/hot_add", buf,
				 sizeof(buf)));
	id = atoi(buf);
	snprintf(dev, sizeof(dev), "/sys/block/zram%d/disksize", id);
	ASSERT_EQ(0, pm_write_str(dev, "16M"));
	snprintf(dev, sizeof(dev), "/dev/zram%d", id);
	src = pm_anon(LEN, 0);
	ASSERT_NE(NULL, src);
	write_pages(src, LEN, 1700);
	bfd = open(dev, O_RDWR | O_DIRECT);
	ASSERT_GE(bfd, 0);
	ASSERT_EQ((ssize_t)LEN, pwrite(bfd, src, LEN, 0));

	p = on_node(_metadata, self->fd, LEN, 0, 17);
	ASSERT_NE(NULL, p);
	ASSERT_EQ((ssize_t)LEN, pread(bfd, p, LEN, 0));
	EXPECT_TRUE(pages_match(p, LEN, 1700));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	close(bfd);
	snprintf(buf, sizeof(buf), "%d", id);
	pm_write_str("/sys/class/zram-control/hot_remove", buf);
	munmap(src, LEN);
	munmap(p, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F(wp, vmsplice_then_write)
{
	struct iovec iov;
	int fds[2];
	char *p;

	p = on_node(_metadata, self->fd, LEN, 0, 18);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(fds));
	/* The pipe takes references to 16 pages of the node. */
	iov.iov_base = p;
	iov.iov_len = 16 * PM_PAGE;
	ASSERT_EQ((ssize_t)(16 * PM_PAGE), vmsplice(fds[1], &iov, 1, 0));
	write_pages(p, 16 * PM_PAGE, 1800);
	EXPECT_TRUE(pages_match(p, 16 * PM_PAGE, 1800));
	EXPECT_EQ(0, pm_count_on_node(p, 16, B.nid));
	close(fds[0]);
	close(fds[1]);
	munmap(p, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F(wp, longterm_pin_for_write)
{
	struct pin_longterm_test pin = { 0 };
	int gfd;
	char *p;

	gfd = open(GUP_TEST, O_RDWR);
	ASSERT_GE(gfd, 0) TH_LOG("%s: %s", GUP_TEST, strerror(errno));
	p = on_node(_metadata, self->fd, LEN, 0, 19);
	ASSERT_NE(NULL, p);
	pin.addr = (uintptr_t)p;
	pin.size = LEN;
	pin.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	ASSERT_EQ(0, ioctl(gfd, PIN_LONGTERM_TEST_START, &pin))
		TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
	/* A longterm pin moves the pages off the node before pinning. */
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	EXPECT_EQ(fill_sum(LEN, 19), pm_checksum(p, LEN));
	write_pages(p, LEN, 1900);
	EXPECT_EQ(0, ioctl(gfd, PIN_LONGTERM_TEST_STOP));
	EXPECT_TRUE(pages_match(p, LEN, 1900));
	close(gfd);
	munmap(p, LEN);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

/* --- ordinary mm operations after the data arrived --------------------- */

TEST_F(wp, mm_ops)
{
	size_t half = LEN / 2;
	char *p, *q;

	/* mprotect round trip, then a write. */
	p = on_node(_metadata, self->fd, LEN, 0, 20);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mprotect(p, LEN, PROT_READ));
	ASSERT_EQ(0, mprotect(p, LEN, PROT_READ | PROT_WRITE));
	EXPECT_EQ((long)NPAGES, pm_count_on_node(p, NPAGES, B.nid));
	write_pages(p, LEN, 2000);
	EXPECT_TRUE(pages_match(p, LEN, 2000));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	munmap(p, LEN);

	/* mremap to a new address, then a write. */
	p = on_node(_metadata, self->fd, LEN, 0, 21);
	ASSERT_NE(NULL, p);
	q = mremap(p, LEN, 2 * LEN, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ((long)NPAGES, pm_count_on_node(q, NPAGES, B.nid));
	EXPECT_EQ(fill_sum(LEN, 21), pm_checksum(q, LEN));
	write_pages(q, LEN, 2100);
	EXPECT_TRUE(pages_match(q, LEN, 2100));
	EXPECT_EQ(0, pm_count_on_node(q, NPAGES, B.nid));
	munmap(q, 2 * LEN);

	/* MADV_DONTNEED drops the pages: zeros, nothing left on the node. */
	p = on_node(_metadata, self->fd, LEN, 0, 22);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, half, MADV_DONTNEED));
	EXPECT_EQ(0, pm_count_on_node(p, half / PM_PAGE, B.nid));
	EXPECT_EQ(0, p[0] | p[half - 1]);
	write_pages(p, LEN, 2200);
	EXPECT_TRUE(pages_match(p, LEN, 2200));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	munmap(p, LEN);

	/* MADV_FREE, then reuse before reclaim takes the pages. */
	p = on_node(_metadata, self->fd, LEN, 0, 23);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, LEN, MADV_FREE));
	write_pages(p, LEN, 2300);
	EXPECT_TRUE(pages_match(p, LEN, 2300));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	munmap(p, LEN);

	/* mlock, then a write. */
	p = on_node(_metadata, self->fd, LEN, 0, 24);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mlock(p, LEN));
	write_pages(p, LEN, 2400);
	EXPECT_TRUE(pages_match(p, LEN, 2400));
	EXPECT_EQ(0, pm_count_on_node(p, NPAGES, B.nid));
	munlock(p, LEN);
	munmap(p, LEN);

	/* A THP on the node split by a partial mprotect, then written. */
	p = on_node(_metadata, self->fd, PM_HPAGE, 1, 25);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mprotect(p, PM_HPAGE / 2, PROT_READ));
	ASSERT_EQ(0, mprotect(p, PM_HPAGE / 2, PROT_READ | PROT_WRITE));
	EXPECT_EQ(fill_sum(PM_HPAGE, 25), pm_checksum(p, PM_HPAGE));
	write_pages(p, PM_HPAGE, 2500);
	EXPECT_TRUE(pages_match(p, PM_HPAGE, 2500));
	EXPECT_EQ(0, pm_count_on_node(p, PM_HPAGE / PM_PAGE, B.nid));
	munmap(p, PM_HPAGE);

	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

TEST_F_TIMEOUT(wp, fork_fan_out, 240)
{
	struct privmem_pressure p0, p1;
	struct pm_walk w0, w1;
	int i, status, bad = 0;
	pid_t kids[32];
	char *p;

	ASSERT_EQ(0, pm_walk_load());
	ASSERT_EQ(0, pm_walk_node(B.nid, &w0));
	p = on_node(_metadata, self->fd, LEN, 0, 26);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pm_pressure(self->fd, &p0));
	for (i = 0; i < 32; i++) {
		kids[i] = fork();
		ASSERT_GE(kids[i], 0);
		if (kids[i] == 0) {
			/* Read everything; then write page i (our copy). */
			if (pm_checksum(p, LEN) != fill_sum(LEN, 26))
				_exit(2);
			usleep(300 * 1000);
			pm_fill(p + i * PM_PAGE, PM_PAGE, 2600 + i);
			if (pm_count_on_node(p + i * PM_PAGE, 1, B.nid) != 0)
				_exit(3);
			_exit(pages_match(p + i * PM_PAGE, PM_PAGE, 2600 + i) ?
			      0 : 4);
		}
	}
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, pm_pressure(self->fd, &p1));
	/*
	 * A shared folio is not written in place but copied (copy on write
	 * reads it): each child's copy is a new DRAM page, no folio left the
	 * node and nothing was promoted.
	 */
	EXPECT_EQ(p0.promotions, p1.promotions);
	EXPECT_EQ((long)NPAGES, pm_count_on_node(p, NPAGES, B.nid));
	EXPECT_EQ(fill_sum(LEN, 26), pm_checksum(p, LEN));
	munmap(p, LEN);
	/* Every page is free again (the walk counts per-CPU lists too). */
	ASSERT_EQ(0, pm_walk_node(B.nid, &w1));
	EXPECT_EQ(w0.free, w1.free);
	EXPECT_EQ(self->inplace0, inplace_after(self->inplace0));
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "compressed"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
