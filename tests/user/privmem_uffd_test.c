// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: userfaultfd on a /dev/privmemN mapping of a plain node, and the
 * same on ordinary anonymous memory (the control: fixture variant anon).
 *
 * copy_and_zeropage: the mapping is registered in MISSING mode; one thread
 * touches every page (reads, then writes half of them) while a handler
 * thread resolves each missing fault, UFFDIO_COPY for even pages (a
 * pattern) and UFFDIO_ZEROPAGE for odd ones. Each page faults to the
 * handler exactly once, the copied pages hold the pattern and are on the
 * private node (anon: on a DRAM node), the zero pages read as zeros and
 * are the shared zero page (on no node, as for anonymous memory) until
 * written, when they are allocated where an ordinary fault would put
 * them. After UFFDIO_UNREGISTER faults are ordinary ones again.
 *
 * register_like_anon: registering a /dev/privmemN mapping offers exactly
 * the ioctls it offers for anonymous memory.
 *
 * Runs as root (vm.unprivileged_userfaultfd does not apply); the value of
 * the sysctl is logged.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define UF_LEN		(8UL << 20)
#define UF_PAGES	(UF_LEN / PM_PAGE)

static struct pm_binding B;

static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Register [@addr, +@len) in MISSING mode; returns the ioctls offered. */
static long long uffd_register(int uffd, void *addr, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return reg.ioctls;
}

/* An anonymous mapping, or one of /dev/privmemN; both 2M-aligned. */
static char *map_region(int fd, size_t len)
{
	return fd >= 0 ? pm_map(fd, len, 0) : pm_anon(len, 1);
}

FIXTURE(uf) {
	int fd;		/* /dev/privmemN, or -1 for the anonymous control */
	int uffd;
};

FIXTURE_VARIANT(uf) {
	int privmem;
};

FIXTURE_VARIANT_ADD(uf, privmem) { .privmem = 1 };
FIXTURE_VARIANT_ADD(uf, anon) { .privmem = 0 };

FIXTURE_SETUP(uf)
{
	char buf[16] = "?";

	self->fd = -1;
	if (variant->privmem) {
		self->fd = pm_open(&B);
		ASSERT_GE(self->fd, 0);
	}
	pm_read_str("/proc/sys/vm/unprivileged_userfaultfd", buf, sizeof(buf));
	TH_LOG("uid %d, vm.unprivileged_userfaultfd = %s", getuid(), buf);
	if (access("/proc/sys/vm/unprivileged_userfaultfd", F_OK))
		SKIP(return, "no userfaultfd (CONFIG_USERFAULTFD) in this kernel");
	self->uffd = uffd_open();
	ASSERT_GE(self->uffd, 0) TH_LOG("userfaultfd: %s",
					strerror(-self->uffd));
}

FIXTURE_TEARDOWN(uf)
{
	close(self->uffd);
	if (self->fd >= 0)
		close(self->fd);
}

struct handler {
	int uffd;
	char *base;
	char *src;		/* one page, refilled per copy */
	int stop;
	int faults[UF_PAGES];
	long copies, zeropages, errors;
	int first_errno;	/* of the first failed ioctl */
	const char *first_op;
};

/*
 * A fault the handler cannot resolve would wait forever: note the error,
 * and unregister the range, which wakes the faulter and makes its fault
 * an ordinary one.
 */
static void handler_failed(struct handler *h, const char *op)
{
	struct uffdio_range r = { .start = (unsigned long)h->base,
				  .len = UF_LEN };

	if (!h->errors++) {
		h->first_errno = errno;
		h->first_op = op;
		ioctl(h->uffd, UFFDIO_UNREGISTER, &r);
	}
}

/* The pattern UFFDIO_COPY puts in page @pg. */
static void pattern(char *page, size_t pg)
{
	pm_fill(page, PM_PAGE, 1000 + pg);
}

static void *handler(void *arg)
{
	struct handler *h = arg;
	struct pollfd pfd = { .fd = h->uffd, .events = POLLIN };
	struct uffd_msg msg;
	unsigned long addr;
	size_t pg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(h->uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT) {
			h->errors++;
			continue;
		}
		addr = msg.arg.pagefault.address & ~(PM_PAGE - 1);
		pg = (addr - (unsigned long)h->base) / PM_PAGE;
		if (pg >= UF_PAGES) {
			h->errors++;
			continue;
		}
		h->faults[pg]++;
		if (pg % 2 == 0) {
			struct uffdio_copy c = {
				.dst = addr, .src = (unsigned long)h->src,
				.len = PM_PAGE,
			};

			pattern(h->src, pg);
			if (ioctl(h->uffd, UFFDIO_COPY, &c) ||
			    c.copy != (long)PM_PAGE)
				handler_failed(h, "UFFDIO_COPY");
			else
				h->copies++;
		} else {
			struct uffdio_zeropage z = {
				.range = { .start = addr, .len = PM_PAGE },
			};

			if (ioctl(h->uffd, UFFDIO_ZEROPAGE, &z) ||
			    z.zeropage != (long)PM_PAGE)
				handler_failed(h, "UFFDIO_ZEROPAGE");
			else
				h->zeropages++;
		}
	}
	return NULL;
}

/* Node of the page at @p, or the (negative) status move_pages gives. */
static int node_of(void *p)
{
	int status = -1;

	if (move_pages(0, 1, &p, NULL, &status, 0))
		return -errno - 1000;
	return status;
}

TEST_F_TIMEOUT(uf, copy_and_zeropage, 120)
{
	static struct handler h;
	long long ioctls;
	int want_nid = variant->privmem ? B.nid : -1, bad_data = 0;
	int bad_node = 0, zero_status = 0, bad_faults = 0, nid;
	char *want, *p;
	pthread_t th;
	size_t pg, i;

	p = map_region(self->fd, UF_LEN);
	ASSERT_NE(NULL, p);
	ioctls = uffd_register(self->uffd, p, UF_LEN);
	ASSERT_GE(ioctls, 0) TH_LOG("UFFDIO_REGISTER: %s",
				    strerror(-ioctls));
	EXPECT_TRUE(ioctls & (1ULL << _UFFDIO_COPY));
	EXPECT_TRUE(ioctls & (1ULL << _UFFDIO_ZEROPAGE));

	memset(&h, 0, sizeof(h));
	h.uffd = self->uffd;
	h.base = p;
	h.src = pm_anon(PM_HPAGE, 0);
	ASSERT_NE(NULL, h.src);
	ASSERT_EQ(0, pthread_create(&th, NULL, handler, &h));

	/* Read every page: each fault goes to the handler. */
	want = malloc(PM_PAGE);
	ASSERT_NE(NULL, want);
	for (pg = 0; pg < UF_PAGES; pg++) {
		char *page = p + pg * PM_PAGE;

		if (pg % 2 == 0) {
			pattern(want, pg);
			bad_data += !!memcmp(want, page, PM_PAGE);
		} else {
			for (i = 0; i < PM_PAGE; i++)
				if (page[i]) {
					bad_data++;
					break;
				}
		}
	}
	/* Copied pages: where an ordinary fault would allocate them. */
	for (pg = 0; pg < UF_PAGES; pg += 2) {
		nid = node_of(p + pg * PM_PAGE);
		if (variant->privmem ? nid != want_nid :
		    (nid != 0 && nid != 1))
			bad_node++;
	}
	/* Zero pages: the shared zero page, on no node. */
	nid = node_of(p + PM_PAGE);
	zero_status = nid;
	for (pg = 1; pg < UF_PAGES; pg += 2)
		if (node_of(p + pg * PM_PAGE) >= 0)
			bad_node++;
	/* Writing a zero page allocates it (copy on write), no new fault. */
	for (pg = 1; pg < UF_PAGES; pg += 2)
		p[pg * PM_PAGE] = 1;
	for (pg = 1; pg < UF_PAGES; pg += 2) {
		nid = node_of(p + pg * PM_PAGE);
		if (variant->privmem ? nid != want_nid :
		    (nid != 0 && nid != 1))
			bad_node++;
	}
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	for (pg = 0; pg < UF_PAGES; pg++)
		bad_faults += h.faults[pg] != 1;

	TH_LOG("%ld copies, %ld zero pages, %ld errors; zero page status %d",
	       h.copies, h.zeropages, h.errors, zero_status);
	EXPECT_EQ(0, h.errors) TH_LOG("first error: %s: %s", h.first_op,
				      strerror(h.first_errno));
	EXPECT_EQ((long)UF_PAGES / 2, h.copies);
	EXPECT_EQ((long)UF_PAGES / 2, h.zeropages);
	EXPECT_EQ(0, bad_faults);
	EXPECT_EQ(0, bad_data);
	EXPECT_EQ(0, bad_node);
	EXPECT_EQ(variant->privmem ? (long)UF_PAGES : 0,
		  pm_count_on_node(p, UF_PAGES, B.nid));

	/* Unregistered: a missing page is an ordinary fault again. */
	{
		struct uffdio_range r = { .start = (unsigned long)p,
					  .len = UF_LEN };

		EXPECT_EQ(0, ioctl(self->uffd, UFFDIO_UNREGISTER, &r));
	}
	ASSERT_EQ(0, madvise(p, PM_PAGE, MADV_DONTNEED));
	EXPECT_EQ(0, p[5]);
	p[5] = 2;
	nid = node_of(p);
	EXPECT_TRUE(variant->privmem ? nid == want_nid : nid == 0 || nid == 1)
		TH_LOG("page on node %d after unregistering", nid);
	free(want);
	munmap(h.src, PM_HPAGE);
	munmap(p, UF_LEN);
}

TEST_F(uf, register_like_anon)
{
	long long mine, anon;
	char *p, *a;
	int uffd2;

	p = map_region(self->fd, UF_LEN);
	ASSERT_NE(NULL, p);
	a = pm_anon(UF_LEN, 1);
	ASSERT_NE(NULL, a);
	uffd2 = uffd_open();
	ASSERT_GE(uffd2, 0);
	mine = uffd_register(self->uffd, p, UF_LEN);
	anon = uffd_register(uffd2, a, UF_LEN);
	TH_LOG("ioctls: this mapping %#llx, anonymous %#llx", mine, anon);
	ASSERT_GE(mine, 0);
	ASSERT_GE(anon, 0);
	EXPECT_EQ(anon, mine);
	close(uffd2);
	munmap(a, UF_LEN);
	munmap(p, UF_LEN);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
