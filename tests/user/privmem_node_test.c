// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: a plain private node made from dax0.0, seen by its users.
 *
 * - the node is private: in has_private_memory, not in has_memory;
 * - /dev/privmemN is 0600, INFO and sysfs agree;
 * - placement: faults of a /dev/privmemN mapping land on the node, 4K and
 *   2M (THP), zeroed, and nowhere else (move_pages(2) query mode);
 * - mmap semantics: MAP_SHARED and offsets refused; fork, mremap, partial
 *   munmap and exit behave and give the memory back to the node;
 * - isolation: a process that never opened the device gets no page on the
 *   node, even with DRAM nearly full.
 *
 * main() binds dax0.0 to privmem before the tests and puts it back after.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"

PM_DEV_FIXTURE

FIXTURE_TEARDOWN(pm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(pm, node_is_private)
{
	char buf[256] = "";
	struct stat st;

	EXPECT_EQ(1, pm_node_listed("has_private_memory", B.nid));
	EXPECT_EQ(0, pm_node_listed("has_memory", B.nid));
	EXPECT_EQ(1, pm_node_listed("online", B.nid));
	ASSERT_EQ(0, stat(B.devpath, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	/* dax0.0 is bound to privmem. */
	ASSERT_LT(0, readlink(PM_DAX_DIR "/driver", buf, sizeof(buf) - 1));
	EXPECT_NE(NULL, strstr(buf, "privmem"));
}

TEST_F(pm, info_matches_sysfs)
{
	struct privmem_info info;
	char buf[64], path[256];

	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(B.nid, info.node);
	EXPECT_EQ(PRIVMEM_TYPE_PLAIN, info.type);
	EXPECT_EQ(PRIVMEM_CAP_MIGRATION | PRIVMEM_CAP_MEMPOLICY, info.caps);
	EXPECT_GT(info.capacity, 256ULL << 20);
	EXPECT_LE(info.free, info.capacity);
	EXPECT_GT(info.free, 0ULL);
	EXPECT_TRUE(info.page_sizes & PM_PAGE);
	EXPECT_TRUE(info.page_sizes & PM_HPAGE);
	EXPECT_EQ(0, info.dax_region);
	EXPECT_EQ(0, info.dax_id);
	snprintf(buf, sizeof(buf), "/dev/privmem%u", info.id);
	EXPECT_STREQ(B.devpath, buf);

	EXPECT_EQ(B.nid, pm_sys_long(&B, "node"));
	EXPECT_EQ((long)info.capacity, pm_sys_long(&B, "capacity"));
	snprintf(path, sizeof(path), "%s/type", B.syspath);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("plain", buf);
	snprintf(path, sizeof(path), "%s/caps", B.syspath);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("migration mempolicy", buf);
	EXPECT_EQ(0, pm_sys_long(&B, "demotion"));
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
	/* Read-only: writes are refused. */
	snprintf(path, sizeof(path), "%s/node", B.syspath);
	EXPECT_NE(0, pm_write_str(path, "1"));
}

/* MAP_SHARED maps the file's shared object (privmem_shared_test.c). */
TEST_F(pm, mmap_private_refuses_offsets)
{
	void *p;

	p = mmap(NULL, PM_HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, PM_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
}

TEST_F(pm, placement_4k)
{
	size_t len = 4 << 20, i;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, pm_sys_long(&B, "mappings"));
	ASSERT_EQ(0, madvise(p, len, MADV_NOHUGEPAGE));
	for (i = 0; i < len; i += PM_PAGE) {
		p[i] = 0x5a;
		/* A fresh page is zeroed. */
		ASSERT_EQ(0, p[i + 1]);
		ASSERT_EQ(0, p[i + PM_PAGE - 1]);
	}
	EXPECT_EQ((long)(len / PM_PAGE), pm_count_on_node(p, len / PM_PAGE,
							  B.nid));
	EXPECT_EQ(0, pm_vma_huge_kb(p));
	munmap(p, len);
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
}

TEST_F(pm, placement_2m)
{
	size_t len = 16 << 20, i;
	long thp;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Mappings of 2M and more are THP-aligned. */
	EXPECT_EQ(0UL, (unsigned long)p & (PM_HPAGE - 1));
	for (i = 0; i < len; i += PM_PAGE)
		p[i] = 0x5a;
	for (i = 0; i < len; i += 4096 * 7 + 8)
		if (i % PM_PAGE)
			ASSERT_EQ(0, p[i]);
	EXPECT_EQ((long)(len / PM_PAGE), pm_count_on_node(p, len / PM_PAGE,
							  B.nid));
	thp = pm_vma_huge_kb(p);
	TH_LOG("AnonHugePages of a 16M mapping: %ld kB", thp);
	EXPECT_GE(thp, 14L << 10);
	munmap(p, len);
}

/* Freed folios go back to the node, and recycled ones come back zeroed. */
TEST_F(pm, memory_returns_to_node)
{
	size_t len = 64 << 20, i;
	long free0, free1, free2;
	char *p;

	free0 = pm_node_free_settled(B.nid);
	p = pm_map(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	memset(p, 0xff, len);
	free1 = pm_node_meminfo(B.nid, "MemFree");
	TH_LOG("node %d MemFree %ld -> %ld kB", B.nid, free0, free1);
	/* Per-cpu lists may serve a few THPs without touching MemFree. */
	EXPECT_GE(free0 - free1, 48L << 10);
	munmap(p, len);
	free2 = pm_node_free_settled(B.nid);
	TH_LOG("MemFree after munmap %ld kB", free2);
	EXPECT_GE(free2, free0 - 16384);

	p = pm_map(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	for (i = 0; i < len; i += PM_PAGE) {
		p[i] = 1;
		ASSERT_EQ(0, p[i + 8]);
	}
	munmap(p, len);
}

TEST_F_TIMEOUT(pm, fork_cow_and_exit, 120)
{
	size_t len = 8 << 20;
	long free0, free_child, free_end;
	__u64 sum;
	int status;
	pid_t pid;
	char *p;

	free0 = pm_node_free_settled(B.nid);
	p = pm_map(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 3);
	sum = pm_checksum(p, len);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char *q;

		/* The child sees the parent's data, its writes copy on node. */
		if (pm_checksum(p, len) != sum)
			_exit(1);
		pm_fill(p, len, 4);
		if (pm_count_on_node(p, len / PM_PAGE, B.nid) !=
		    (long)(len / PM_PAGE))
			_exit(2);
		/* A new mapping in the child, left for exit to free. */
		q = pm_map(self->fd, 16 << 20, 1);
		if (!q || pm_count_on_node(q, 4096, B.nid) != 4096)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_EQ(1, pm_sys_long(&B, "mappings"));
	free_child = pm_node_meminfo(B.nid, "MemFree");
	munmap(p, len);
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
	/* Everything the child and the parent had is back. */
	free_end = pm_node_free_settled(B.nid);
	EXPECT_GE(free_end, free0 - 16384);
	TH_LOG("MemFree %ld, after child exit %ld, after munmap %ld kB",
	       free0, free_child, free_end);
}

TEST_F(pm, mremap_and_partial_munmap)
{
	size_t len = 8 << 20, big = 16 << 20;
	__u64 sum, sum_tail;
	char *p, *q;

	p = pm_map(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 5);
	sum = pm_checksum(p, len);

	/* Grow it (it may move): data kept, new pages on the node too. */
	q = mremap(p, len, big, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(sum, pm_checksum(q, len));
	memset(q + len, 7, big - len);
	EXPECT_EQ((long)(big / PM_PAGE), pm_count_on_node(q, big / PM_PAGE,
							  B.nid));

	/* Punch a hole: the two halves stay mapped, on the node, intact. */
	sum_tail = pm_checksum(q + len / 2 + (1 << 20), len / 2 - (1 << 20));
	ASSERT_EQ(0, munmap(q + len / 2, 1 << 20));
	EXPECT_EQ(sum_tail, pm_checksum(q + len / 2 + (1 << 20),
					len / 2 - (1 << 20)));
	EXPECT_EQ((long)(len / 2 / PM_PAGE),
		  pm_count_on_node(q, len / 2 / PM_PAGE, B.nid));
	EXPECT_EQ(1, pm_sys_long(&B, "mappings"));
	munmap(q, len / 2);
	EXPECT_EQ(1, pm_sys_long(&B, "mappings"));
	munmap(q + len / 2 + (1 << 20), big - len / 2 - (1 << 20));
	EXPECT_EQ(0, pm_sys_long(&B, "mappings"));
}

/*
 * A process that never opened the device fills DRAM (anonymous memory and
 * tmpfs) until little is left: none of it lands on the private node.
 */
TEST_F_TIMEOUT(pm, isolation_under_pressure, 300)
{
	long used0, used1, free0, free1, target;
	int status;
	pid_t pid;

	close(self->fd);
	self->fd = -1;
	used0 = pm_node_meminfo(B.nid, "MemUsed");
	free0 = pm_node_meminfo(0, "MemFree");
	free1 = pm_node_meminfo(1, "MemFree");
	ASSERT_GT(free0, 0);
	ASSERT_GT(free1, 0);
	target = (free0 + free1 - 2 * 96 * 1024) * 1024;
	ASSERT_GT(target, 64L << 20);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		size_t anon_len = (target * 3 / 5) & ~(PM_PAGE - 1);
		size_t shm_len = (target - anon_len) & ~(PM_PAGE - 1);
		char *anon, *shm;
		int fd;

		anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (anon == MAP_FAILED)
			_exit(10);
		memset(anon, 0xa5, anon_len);
		fd = open("/dev/shm/privmem_isolation", O_RDWR | O_CREAT |
			  O_TRUNC, 0600);
		if (fd < 0)
			_exit(11);
		unlink("/dev/shm/privmem_isolation");
		if (ftruncate(fd, shm_len))
			_exit(12);
		shm = mmap(NULL, shm_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (shm == MAP_FAILED)
			_exit(13);
		memset(shm, 0x5a, shm_len);
		if (pm_count_on_node(anon, anon_len / PM_PAGE, B.nid) != 0)
			_exit(1);
		if (pm_count_on_node(shm, shm_len / PM_PAGE, B.nid) != 0)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	used1 = pm_node_meminfo(B.nid, "MemUsed");
	TH_LOG("filled %ld MiB of DRAM; node %d MemUsed %ld -> %ld kB",
	       target >> 20, B.nid, used0, used1);
	EXPECT_LE(used1, used0 + 1024);
}

int main(int argc, char **argv)
{
	if (pm_bind_for_program(&B, "plain"))
		return 1;
	return pm_test_harness_run(argc, argv);
}
