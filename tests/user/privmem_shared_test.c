// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(MAP_SHARED) of /dev/privmemN: the shared object of an open file
 * description (drivers/privmem/shared.c), on a plain node.
 *
 *  - two_processes: a forked child and its parent write halves of one
 *    shared mapping and each reads (checksums) the other's half; every
 *    page is on the node (move_pages query);
 *  - offsets: a second mapping at offset X sees the pages of the first at
 *    X, both ways;
 *  - scm_rights: a process that never had the descriptor receives it over
 *    a unix socket, maps it and reads and writes the sender's pages;
 *  - lifetime_fd_last / lifetime_map_last: the object's pages stay while
 *    either the descriptor or a mapping is left, and go back to the node
 *    (free count, shared_objects) once both are gone;
 *  - madv_remove: MADV_REMOVE gives a range's pages back to the node and
 *    the range reads zero afterwards;
 *  - private_and_shared: MAP_PRIVATE and MAP_SHARED of one descriptor
 *    are separate memory, both on the node;
 *  - migrate_for_all_sharers: MIGRATE out and back in of a range a child
 *    also maps moves every page (not "shared with another process"), the
 *    child sees its data throughout;
 *  - offline_busy: offline and unbind fail with EBUSY while the object is
 *    mapped, and while the descriptor keeps pages; data intact; they work
 *    once the pages are gone;
 *  - mbind_and_mremap_refused: mbind(MPOL_MF_MOVE) on a shared mapping
 *    fails with EINVAL and moves nothing; mremap cannot grow it (EFAULT)
 *    but can move it;
 *  - collapse_refused: MADV_COLLAPSE of a shared range with one page on
 *    DRAM fails, and its holes still fault onto the node;
 *  - pageout_keeps_offline_busy: pages MADV_PAGEOUT swapped out still
 *    keep the node online (EBUSY), and come back onto the node;
 *  - bounds: mappings that would reach past the node's capacity fail with
 *    EINVAL; the last page can be mapped; PROT_READ mappings work;
 *  - compressed_refuses: a compressed node refuses MAP_SHARED (EINVAL);
 *  - fuzz: random lengths, offsets, protections and flags: each mmap
 *    succeeds or fails with EINVAL/ENOMEM, no page leaves the node, and
 *    everything goes back when unmapped and closed.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
#include <numaif.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MIB	(1024UL * 1024)

static struct pm_binding B;

static void *map_shared(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* Node free bytes, once the count has stopped moving (at most 2 s). */
static long node_free(void)
{
	long f = pm_sys_long(&B, "free"), prev = -1;
	int i;

	for (i = 0; i < 20 && f != prev; i++) {
		usleep(100000);
		prev = f;
		f = pm_sys_long(&B, "free");
	}
	return f;
}

FIXTURE(sh) {
	int fd;
	long free0;
};

FIXTURE_SETUP(sh)
{
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	self->free0 = node_free();
	ASSERT_GT(self->free0, 0);
}

FIXTURE_TEARDOWN(sh)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(sh, two_processes, 120)
{
	size_t len = 16 * MIB, half = len / 2;
	int to_child[2], to_parent[2];
	char c, *p;
	pid_t pid;
	int status;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char *want = pm_anon(half, 0);

		if (!want)
			_exit(1);
		pm_fill(p, half, 1);
		if (write(to_parent[1], "w", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(1);
		/* The parent's half, written through its own mapping. */
		pm_fill(want, half, 2);
		_exit(pm_checksum(p + half, half) == pm_checksum(want, half) ?
		      0 : 2);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	pm_fill(p + half, half, 2);
	{
		char *want = pm_anon(half, 0);

		ASSERT_NE(NULL, want);
		pm_fill(want, half, 1);
		/* The child's half, as the child wrote it. */
		EXPECT_EQ(pm_checksum(want, half), pm_checksum(p, half));
		pm_fill(want, half, 2);
		EXPECT_EQ(pm_checksum(want, half), pm_checksum(p + half, half));
		munmap(want, half);
	}
	c = 0;
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(p, len / PM_PAGE, B.nid));
	EXPECT_EQ(1, pm_sys_long(&B, "shared_objects"));
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
	EXPECT_LE(node_free(), self->free0 - (long)len);
	munmap(p, len);
}

TEST_F(sh, offsets)
{
	size_t len = 8 * MIB, off = 4 * MIB;
	char *a, *b;

	a = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, a);
	b = map_shared(self->fd, len - off, off);
	ASSERT_NE(NULL, b);
	pm_fill(b, len - off, 3);
	EXPECT_EQ(pm_checksum(b, len - off), pm_checksum(a + off, len - off));
	pm_fill(a, len, 4);
	EXPECT_EQ(pm_checksum(a + off, len - off), pm_checksum(b, len - off));
	EXPECT_EQ((long)((len - off) / PM_PAGE),
		  pm_count_on_node(b, (len - off) / PM_PAGE, B.nid));
	munmap(a, len);
	munmap(b, len - off);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, d = 'f';
	struct iovec iov = { .iov_base = &d, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, d;
	struct iovec iov = { .iov_base = &d, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

TEST_F_TIMEOUT(sh, scm_rights, 120)
{
	size_t len = 8 * MIB;
	int sv[2], status;
	char *p, c;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	/* The child exists before the descriptor does. */
	close(self->fd);
	self->fd = -1;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd = recv_fd(sv[1]);
		char *q, *want;

		if (fd < 0)
			_exit(1);
		q = map_shared(fd, len, 0);
		want = pm_anon(len, 0);
		if (!q || !want)
			_exit(2);
		pm_fill(want, len, 5);
		if (pm_checksum(q, len) != pm_checksum(want, len))
			_exit(3);
		pm_fill(q, len, 6);
		close(fd);
		munmap(q, len);
		_exit(write(sv[1], "d", 1) == 1 ? 0 : 4);
	}
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 5);
	ASSERT_EQ(0, send_fd(sv[0], self->fd));
	ASSERT_EQ(1, read(sv[0], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	{
		char *want = pm_anon(len, 0);

		ASSERT_NE(NULL, want);
		pm_fill(want, len, 6);
		EXPECT_EQ(pm_checksum(want, len), pm_checksum(p, len));
		munmap(want, len);
	}
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(p, len / PM_PAGE, B.nid));
	munmap(p, len);
}

/* The pages stay while the descriptor or a mapping is left. */
static void lifetime(struct __test_metadata *_metadata, int *fd,
		     long free0, int fd_last)
{
	size_t len = 32 * MIB;
	long held;
	char *p;

	p = map_shared(*fd, len, 0);
	ASSERT_NE(NULL, p);
	memset(p, 0x7e, len);
	held = free0 - node_free();
	TH_LOG("the object holds %ld MiB of the node", held >> 20);
	EXPECT_GE(held, (long)len);
	EXPECT_EQ(1, pm_sys_long(&B, "shared_objects"));
	if (fd_last) {
		munmap(p, len);
	} else {
		close(*fd);
		*fd = -1;
	}
	/* One of the two is left: nothing goes back. */
	EXPECT_GE(free0 - node_free(), (long)len);
	EXPECT_EQ(1, pm_sys_long(&B, "shared_objects"));
	if (fd_last) {
		close(*fd);
		*fd = -1;
	} else {
		EXPECT_EQ(0x7e, p[len - 1]);
		munmap(p, len);
	}
	EXPECT_LT(free0 - node_free(), (long)MIB);
	EXPECT_EQ(0, pm_sys_long(&B, "shared_objects"));
}

TEST_F(sh, lifetime_fd_last)
{
	lifetime(_metadata, &self->fd, self->free0, 1);
}

TEST_F(sh, lifetime_map_last)
{
	lifetime(_metadata, &self->fd, self->free0, 0);
}

TEST_F(sh, madv_remove)
{
	size_t len = 16 * MIB, i;
	long before, after;
	char *p;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	memset(p, 0x11, len);
	before = node_free();
	ASSERT_EQ(0, madvise(p, len / 2, MADV_REMOVE));
	after = node_free();
	TH_LOG("MADV_REMOVE of %zu MiB: %ld MiB back on the node", len / 2 >> 20,
	       (after - before) >> 20);
	EXPECT_GE(after - before, (long)(len / 2 - MIB));
	for (i = 0; i < len / 2; i += PM_PAGE)
		if (p[i])
			break;
	EXPECT_EQ(len / 2, i);
	EXPECT_EQ(0x11, p[len / 2]);
	munmap(p, len);
}

TEST_F(sh, private_and_shared)
{
	size_t len = 4 * MIB;
	char *priv, *shr, *shr2;

	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	shr = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, shr);
	memset(priv, 0x22, len);
	memset(shr, 0x33, len);
	EXPECT_EQ(0x22, priv[len - 1]);
	EXPECT_EQ(1, pm_sys_long(&B, "mappings"));
	EXPECT_EQ(1, pm_sys_long(&B, "shared_objects"));
	/* A second shared mapping is the same object, not the private one. */
	shr2 = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, shr2);
	EXPECT_EQ(0x33, shr2[0]);
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(priv, len / PM_PAGE, B.nid));
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(shr, len / PM_PAGE, B.nid));
	munmap(priv, len);
	munmap(shr, len);
	munmap(shr2, len);
}

TEST_F_TIMEOUT(sh, migrate_for_all_sharers, 120)
{
	size_t len = 8 * MIB, n = len / PM_PAGE;
	struct privmem_migrate m;
	int go[2], done[2], status;
	__u64 sum;
	char *p, c;
	pid_t pid;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 7);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* Map every page in the child too, then wait. */
		if (pm_checksum(p, len) != sum || write(done[1], "m", 1) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(pm_checksum(p, len) == sum ? 0 : 2);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_FROM_NODE, -1));
	TH_LOG("out: moved %llu failed %llu already %llu absent %llu",
	       m.moved, m.failed, m.already, m.absent);
	EXPECT_EQ(n, m.moved);
	EXPECT_EQ(0, pm_count_on_node(p, n, B.nid));
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, p, len,
				PRIVMEM_MIGRATE_TO_NODE, -1));
	EXPECT_EQ(n, m.moved);
	EXPECT_EQ((long)n, pm_count_on_node(p, n, B.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	munmap(p, len);
}

TEST_F_TIMEOUT(sh, offline_busy, 180)
{
	size_t len = 8 * MIB;
	__u64 sum;
	char *p;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 8);
	sum = pm_checksum(p, len);
	EXPECT_EQ(-EBUSY, pm_set(&B, "state", "offline"));
	EXPECT_EQ(-EBUSY, pm_write_str(PM_DRV "/unbind", PM_DAX));
	/* Unmapped, the descriptor still holds the pages. */
	munmap(p, len);
	EXPECT_EQ(-EBUSY, pm_set(&B, "state", "offline"));
	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_EQ((long)(len / PM_PAGE),
		  pm_count_on_node(p, len / PM_PAGE, B.nid));
	/* Holes everywhere: nothing is held, the node can go. */
	ASSERT_EQ(0, madvise(p, len, MADV_REMOVE));
	munmap(p, len);
	EXPECT_EQ(0, pm_set(&B, "state", "offline"));
	/* Offline: the descriptor maps nothing. */
	EXPECT_EQ(NULL, map_shared(self->fd, len, 0));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, pm_online(&B));
	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, p[0]);
	munmap(p, len);
}

/* mbind() and mremap() cannot move the object or grow past its binding. */
TEST_F(sh, mbind_and_mremap_refused)
{
	size_t len = 4 * MIB, n = len / PM_PAGE;
	unsigned long mask = 1UL;	/* node 0 */
	char *p, *q;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	memset(p, 0x44, len);
	EXPECT_EQ(-1, mbind(p, len, MPOL_BIND, &mask, sizeof(mask) * 8,
			    MPOL_MF_MOVE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((long)n, pm_count_on_node(p, n, B.nid));
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	/* Moving it whole is fine: the same pages, still bound. */
	q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   p + 64 * MIB);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0x44, q[len - 1]);
	EXPECT_EQ((long)n, pm_count_on_node(q, n, B.nid));
	munmap(q, len);
}

/*
 * A THP collapse would allocate its THP without the object's binding: with
 * one page of the range moved to DRAM (MIGRATE out), it would fill the
 * whole range from DRAM. Refused: the holes still fault onto the node.
 */
TEST_F(sh, collapse_refused)
{
	size_t len = 4 * MIB, n = PM_HPAGE / PM_PAGE;
	struct privmem_migrate m;
	char *p, *h;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	h = (char *)(((unsigned long)p + PM_HPAGE - 1) & ~(PM_HPAGE - 1));
	h[0] = 1;
	ASSERT_EQ(0, pm_migrate(self->fd, &m, 0, h, PM_PAGE,
				PRIVMEM_MIGRATE_FROM_NODE, 0));
	ASSERT_EQ(1, m.moved);
	EXPECT_EQ(-1, madvise(h, PM_HPAGE, MADV_COLLAPSE));
	memset(h + PM_PAGE, 0x55, PM_HPAGE - PM_PAGE);
	EXPECT_EQ((long)n - 1, pm_count_on_node(h, n, B.nid));
	EXPECT_EQ(1, pm_count_on_node(h, n, 0));
	munmap(p, len);
}

/* Pages paged out to swap still belong to the object: offline waits. */
TEST_F_TIMEOUT(sh, pageout_keeps_offline_busy, 120)
{
	size_t len = 8 * MIB, n = len / PM_PAGE;
	long on;
	__u64 sum;
	char *p;

	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 12);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, madvise(p, len, MADV_PAGEOUT));
	on = pm_count_on_node(p, n, B.nid);
	TH_LOG("after MADV_PAGEOUT %ld of %zu pages still on the node", on, n);
	munmap(p, len);
	EXPECT_EQ(-EBUSY, pm_set(&B, "state", "offline"));
	p = map_shared(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(sum, pm_checksum(p, len));
	/* Swapped back in through the object's binding. */
	EXPECT_EQ((long)n, pm_count_on_node(p, n, B.nid));
	munmap(p, len);
}

TEST_F(sh, bounds)
{
	long cap = pm_sys_long(&B, "capacity");
	char *p;

	ASSERT_GT(cap, 0);
	EXPECT_EQ(NULL, map_shared(self->fd, cap + PM_PAGE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, map_shared(self->fd, 2 * PM_PAGE, cap - PM_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, map_shared(self->fd, PM_PAGE, cap));
	EXPECT_EQ(EINVAL, errno);
	p = map_shared(self->fd, PM_PAGE, cap - PM_PAGE);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	EXPECT_EQ(1, pm_count_on_node(p, 1, B.nid));
	munmap(p, PM_PAGE);
	p = mmap(NULL, PM_PAGE, PROT_READ, MAP_SHARED, self->fd, cap - PM_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, p[0]);
	munmap(p, PM_PAGE);
}

TEST_F_TIMEOUT(sh, compressed_refuses, 180)
{
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pm_set(&B, "state", "offline"));
	ASSERT_EQ(0, pm_set(&B, "type", "compressed"));
	ASSERT_EQ(0, pm_online(&B));
	self->fd = pm_open(&B);
	ASSERT_GE(self->fd, 0);
	EXPECT_EQ(NULL, map_shared(self->fd, 4 * MIB, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pm_sys_long(&B, "shared_objects"));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pm_set(&B, "state", "offline"));
	ASSERT_EQ(0, pm_set(&B, "type", "plain"));
	ASSERT_EQ(0, pm_online(&B));
}

TEST_F_TIMEOUT(sh, fuzz, 300)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_NONE, PROT_WRITE };
	static const int flags[] = { MAP_SHARED, MAP_SHARED | MAP_POPULATE,
				     MAP_SHARED_VALIDATE, MAP_SHARED | MAP_FIXED_NOREPLACE,
				     MAP_SHARED | MAP_NORESERVE };
	long cap = pm_sys_long(&B, "capacity"), ok = 0, refused = 0;
	unsigned int seed = 42;
	int i, fd2;

	ASSERT_GT(cap, 0);
	fd2 = pm_open(&B);
	ASSERT_GE(fd2, 0);
	for (i = 0; i < 2000; i++) {
		size_t len = ((size_t)rand_r(&seed) % 64 + 1) * PM_PAGE;
		off_t off = (off_t)(rand_r(&seed) % (cap / PM_PAGE + 32)) * PM_PAGE;
		int prot = prots[rand_r(&seed) % 4];
		int fl = flags[rand_r(&seed) % 5];
		int fd = (rand_r(&seed) & 1) ? self->fd : fd2;
		void *hint = (fl & MAP_FIXED_NOREPLACE) ? (void *)0x600000000000UL : NULL;
		char *p;

		if (rand_r(&seed) % 8 == 0)
			off += rand_r(&seed) % PM_PAGE;	/* unaligned */
		p = mmap(hint, len, prot, fl, fd, off);
		if (p == MAP_FAILED) {
			refused++;
			ASSERT_TRUE(errno == EINVAL || errno == ENOMEM ||
				    errno == EEXIST || errno == EACCES)
				TH_LOG("mmap(%zu, off %lld, prot %d, flags %#x): %s",
				       len, (long long)off, prot, fl,
				       strerror(errno));
			continue;
		}
		ok++;
		if (prot & PROT_WRITE && prot & PROT_READ) {
			p[0] = (char)i;
			p[len - 1] = (char)i;
			EXPECT_EQ(2 - (len == PM_PAGE),
				  pm_count_on_node(p, 1, B.nid) +
				  (len > PM_PAGE ?
				   pm_count_on_node(p + len - PM_PAGE, 1, B.nid) : 0));
		}
		if (i % 3)
			madvise(p, len, MADV_REMOVE);
		munmap(p, len);
	}
	TH_LOG("2000 mmaps: %ld mapped, %ld refused", ok, refused);
	EXPECT_GT(ok, 100);
	EXPECT_GT(refused, 10);
	close(fd2);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, pm_sys_long(&B, "shared_objects"));
	EXPECT_LT(self->free0 - node_free(), (long)MIB);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
