// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: page-cache and shmem folios never live on a compressed node,
 * so a write to a file never changes a page of the node in place
 * (issue 14).
 *
 * The page-cache case as issue 14 reproduced it, on tmpfs and on a
 * loop-mounted ext4 (fixture variants): a 16 MiB file is written with
 * random data by a process in a memory cgroup, its folios on DRAM node 1
 * (tmpfs mounted with mpol=bind:1; the ext4 writer bound to node 1); with
 * demotion on, memory.reclaim of that cgroup would demote the folios into
 * the compressed node made from dax0.0. A write-protected node takes
 * anonymous folios only, so none of the file's pages may be on the node
 * after the reclaim, and the device stores nothing new. Then the file is
 * changed in every way that writes a page without a fault: pwrite(2) of
 * whole pages, a partial pwrite, fallocate(PUNCH_HOLE), ftruncate and
 * splice(2) from a pipe. Asserted: the file reads back as expected, no
 * page of it is on the node, and once the file is gone the device's
 * counters/inplace_writes is unchanged (the device checks a page's
 * checksum when it leaves the node or is freed).
 *
 * Before the anonymous-only rule this test failed with 16 of 16 written
 * tmpfs pages still on the node and 16 in-place writes counted.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define CG		"/sys/fs/cgroup/privmem-inplace"
#define MNT		"/run/privmem-inplace"
#define FILE_PATH	MNT "/file"
#define FILE_LEN	(16UL << 20)
#define FILE_PAGES	(FILE_LEN / PM_PAGE)
#define DEMOTION	"/sys/kernel/mm/numa/demotion_enabled"

static struct pm_binding B;

/* The whole file's expected content, 16 MiB of random data. */
static char *expect;

/*
 * Write the file from a child in the memory cgroup, its memory policy bound
 * to node 1; 0 on success.
 */
static int write_file_in_cgroup(void)
{
	unsigned long node1 = 1UL << 1;
	char buf[32];
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		size_t off;
		int fd;

		snprintf(buf, sizeof(buf), "%d", getpid());
		if (pm_write_str(CG "/cgroup.procs", buf))
			_exit(3);
		if (set_mempolicy(MPOL_BIND, &node1, 64))
			_exit(6);
		fd = open(FILE_PATH, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd < 0)
			_exit(4);
		for (off = 0; off < FILE_LEN; off += 1 << 20)
			if (pwrite(fd, expect + off, 1 << 20, off) != 1 << 20)
				_exit(5);
		/* Clean folios: ext4's can then be reclaimed (or demoted). */
		fsync(fd);
		close(fd);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Where each page of the file is: map it (its current size), read every
 * page (a read maps the page-cache folio where it is, it moves nothing)
 * and query move_pages(2); a hole reads as a page of its own. Returns the
 * number of pages on the node.
 */
static long file_placement(int fd, int *status)
{
	void **pages = calloc(FILE_PAGES, sizeof(*pages));
	size_t i, n;
	struct stat st;
	long on = 0;
	char *p;

	if (!pages || fstat(fd, &st) || !st.st_size) {
		free(pages);
		return -1;
	}
	n = st.st_size / PM_PAGE;
	p = mmap(NULL, n * PM_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		free(pages);
		return -1;
	}
	for (i = 0; i < n; i++) {
		pages[i] = p + i * PM_PAGE;
		__atomic_load_n((char *)pages[i], __ATOMIC_RELAXED);
	}
	if (move_pages(0, n, pages, NULL, status, 0))
		on = -1;
	else
		for (i = 0; i < n; i++)
			on += status[i] == B.nid;
	munmap(p, n * PM_PAGE);
	free(pages);
	return on;
}

/* Wait up to 5 s for the device to hold @want pages (frees may lag). */
static long wait_stored(long want)
{
	long now = -1;
	int i;

	for (i = 0; i < 250; i++) {
		now = pm_sys_long(&B, "cram/stored_pages");
		if (now == want)
			break;
		usleep(20000);
	}
	return now;
}

FIXTURE(inplace) {
	char saved_demotion[16];
	int mounted;
	int zram;		/* the ext4 variant's disk, or -1 */
};

/* A hot-added zram disk of 64M holding a fresh ext4; its id, or -1. */
static int ext4_disk(void)
{
	char buf[32], cmd[160];
	int id;

	if (pm_read_str("/sys/class/zram-control/hot_add", buf, sizeof(buf)))
		return -1;
	id = atoi(buf);
	snprintf(cmd, sizeof(cmd),
		 "echo 64M > /sys/block/zram%d/disksize && mkfs.ext4 -q /dev/zram%d && mount /dev/zram%d %s",
		 id, id, id, MNT);
	if (system(cmd)) {
		snprintf(buf, sizeof(buf), "%d", id);
		pm_write_str("/sys/class/zram-control/hot_remove", buf);
		return -1;
	}
	return id;
}

FIXTURE_VARIANT(inplace) {
	int ext4;
};

FIXTURE_VARIANT_ADD(inplace, tmpfs) {
	.ext4 = 0,
};

FIXTURE_VARIANT_ADD(inplace, ext4) {
	.ext4 = 1,
};

FIXTURE_SETUP(inplace)
{
	ASSERT_EQ(0, pm_read_str(DEMOTION, self->saved_demotion,
				 sizeof(self->saved_demotion)));
	ASSERT_EQ(0, pm_write_str(DEMOTION, "true"));
	pm_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755));
	mkdir(MNT, 0755);
	self->zram = -1;
	if (variant->ext4) {
		self->zram = ext4_disk();
		ASSERT_GE(self->zram, 0);
	} else {
		ASSERT_EQ(0, mount("privmem-inplace", MNT, "tmpfs", 0,
				   "size=64m,mpol=bind:1"));
	}
	self->mounted = 1;
	expect = malloc(FILE_LEN);
	ASSERT_NE(NULL, expect);
	pm_fill(expect, FILE_LEN, 1414);
}

FIXTURE_TEARDOWN(inplace)
{
	unlink(FILE_PATH);
	if (self->mounted)
		umount(MNT);
	if (self->zram >= 0) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%d", self->zram);
		pm_write_str("/sys/class/zram-control/hot_remove", buf);
	}
	rmdir(MNT);
	rmdir(CG);
	pm_write_str(DEMOTION, self->saved_demotion);
	free(expect);
}

/* Pages of the file on the node after every change; reads it back too. */
static long check_file(struct __test_metadata *_metadata, int fd,
		       int *status, char *got, size_t len)
{
	long bad = 0;
	size_t i;

	EXPECT_EQ((ssize_t)len, pread(fd, got, len, 0));
	for (i = 0; i < len / PM_PAGE; i++)
		bad += memcmp(got + i * PM_PAGE, expect + i * PM_PAGE,
			      PM_PAGE) != 0;
	EXPECT_EQ(0, bad);
	return file_placement(fd, status);
}

TEST_F_TIMEOUT(inplace, page_cache_stays_off_the_node, 300)
{
	int *status = calloc(FILE_PAGES, sizeof(*status));
	long stored0, stored1, inplace0, inplace1, on_node, on_node1 = 0;
	size_t len = FILE_LEN, i;
	char buf[32], *got;
	int fd, pfd[2];

	ASSERT_NE(NULL, status);
	got = malloc(FILE_LEN);
	ASSERT_NE(NULL, got);
	stored0 = pm_sys_long(&B, "cram/stored_pages");
	inplace0 = pm_sys_long(&B, "counters/inplace_writes");
	ASSERT_GE(inplace0, 0);

	ASSERT_EQ(0, write_file_in_cgroup());
	fd = open(FILE_PATH, O_RDWR);
	ASSERT_GE(fd, 0);
	file_placement(fd, status);
	for (i = 0; i < FILE_PAGES; i++)
		on_node1 += status[i] == 1;
	TH_LOG("written from %s: %ld pages on node 1", CG, on_node1);

	/* Reclaim would demote them; a compressed node takes none. */
	snprintf(buf, sizeof(buf), "%lu", FILE_LEN);
	pm_write_str(CG "/memory.reclaim", buf);
	on_node = file_placement(fd, status);
	stored1 = pm_sys_long(&B, "cram/stored_pages");
	TH_LOG("after memory.reclaim: %ld of %lu file pages on node %d",
	       on_node, FILE_PAGES, B.nid);
	TH_LOG("the device stores %ld pages (%ld before)", stored1, stored0);
	EXPECT_EQ(0, on_node);
	EXPECT_EQ(stored0, stored1);

	/* Whole pages, spread over the file. */
	for (i = 0; i < 16; i++) {
		size_t pg = i * (FILE_PAGES / 16) + 3;

		pm_fill(expect + pg * PM_PAGE, PM_PAGE, 7000 + i);
		EXPECT_EQ((ssize_t)PM_PAGE, pwrite(fd, expect + pg * PM_PAGE,
						   PM_PAGE, pg * PM_PAGE));
	}
	EXPECT_EQ(0, check_file(_metadata, fd, status, got, len));

	/* A partial page. */
	memset(expect + 100 * PM_PAGE + 1000, 0x5a, 100);
	EXPECT_EQ(100, pwrite(fd, expect + 100 * PM_PAGE + 1000, 100,
			      100 * PM_PAGE + 1000));
	EXPECT_EQ(0, check_file(_metadata, fd, status, got, len));

	/* A hole punched over two pages. */
	memset(expect + 200 * PM_PAGE, 0, 2 * PM_PAGE);
	EXPECT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       200 * PM_PAGE, 2 * PM_PAGE));
	EXPECT_EQ(0, check_file(_metadata, fd, status, got, len));

	/* Truncated in the middle of a page. */
	len -= PM_PAGE;
	memset(expect + len - PM_PAGE / 2, 0, PM_PAGE / 2);
	EXPECT_EQ(0, ftruncate(fd, len - PM_PAGE / 2));
	EXPECT_EQ(0, ftruncate(fd, len));
	EXPECT_EQ(0, check_file(_metadata, fd, status, got, len));

	/* splice(2) from a pipe into the file. */
	ASSERT_EQ(0, pipe(pfd));
	pm_fill(expect + 300 * PM_PAGE, PM_PAGE, 7100);
	ASSERT_EQ((ssize_t)PM_PAGE, write(pfd[1], expect + 300 * PM_PAGE,
					  PM_PAGE));
	{
		loff_t off = 300 * PM_PAGE;

		EXPECT_EQ((ssize_t)PM_PAGE, splice(pfd[0], NULL, fd, &off,
						   PM_PAGE, 0));
	}
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_EQ(0, check_file(_metadata, fd, status, got, len));

	/* The device checks each page as it leaves: delete the file. */
	close(fd);
	ASSERT_EQ(0, unlink(FILE_PATH));
	stored1 = wait_stored(stored0);
	inplace1 = pm_sys_long(&B, "counters/inplace_writes");
	TH_LOG("file deleted: the device stores %ld pages (%ld before); inplace_writes %ld -> %ld",
	       stored1, stored0, inplace0, inplace1);
	EXPECT_EQ(stored0, stored1);
	EXPECT_EQ(inplace0, inplace1);
	free(got);
	free(status);
}

int main(int argc, char **argv)
{
	int ret;

	/* dax0.0 goes back at exit as found (device_dax, privmem or none). */
	if (pm_rebind_restore_at_exit())
		return 1;
	ret = pm_rebind(&B, "compressed");
	if (ret) {
		printf("Bail out! cannot bind %s to privmem: %s\n", PM_DAX,
		       strerror(-ret));
		return 1;
	}
	return pm_test_harness_run(argc, argv);
}
