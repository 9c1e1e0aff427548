// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: no page on a compressed node is written in place (issue 14).
 *
 * The page-cache case, as issue 14 reproduced it: a 16 MiB tmpfs file
 * (mounted with mpol=bind:1, so its folios start on DRAM node 1) is
 * written with random data by a process in a memory cgroup; with demotion
 * on, memory.reclaim of that cgroup demotes the file's folios into the
 * compressed node made from dax0.0. Then pwrite(2) puts 4 KiB of new
 * random data over 16 of the pages that are on the node. Asserted:
 *
 *  - the data reads back (the 16 new pages and the rest of the file);
 *  - none of the 16 written pages is on the compressed node any more
 *    (the write promoted it; a write refused with a documented error
 *    would be the other correct outcome, and none is documented yet);
 *  - the node's device saw no in-place write: counters/inplace_writes is
 *    unchanged once the file is gone (the device checks a page's
 *    checksum when it leaves the node or is freed, so the file is
 *    deleted before the counter is read).
 *
 * This fails today: the kernel changes the folios in place (issue 14,
 * point 2 is the fix). tests/user/known-failing keeps it out of make
 * check until then; run it with GUEST_APPEND="pm_tests=privmem_inplace
 * pm_kunit=0".
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
#define NWRITE		16
#define DEMOTION	"/sys/kernel/mm/numa/demotion_enabled"
#define TOTAL		"/sys/module/privmem/parameters/inplace_writes"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif

static struct pm_binding B;

/* The whole file's expected content, 16 MiB of random data. */
static char *expect;

/* Write the file from a child in the memory cgroup; 0 on success. */
static int write_file_in_cgroup(void)
{
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
		fd = open(FILE_PATH, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		if (fd < 0)
			_exit(4);
		for (off = 0; off < FILE_LEN; off += 1 << 20)
			if (pwrite(fd, expect + off, 1 << 20, off) != 1 << 20)
				_exit(5);
		close(fd);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Where each page of the file is: map it, fault every page in with a
 * read (a read maps the page-cache folio where it is, it moves nothing)
 * and query move_pages(2). Returns the number of pages on @nid.
 */
static long file_placement(int fd, int *status)
{
	void **pages = calloc(FILE_PAGES, sizeof(*pages));
	long on = 0;
	size_t i;
	char *p;

	if (!pages)
		return -1;
	p = mmap(NULL, FILE_LEN, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		free(pages);
		return -1;
	}
	for (i = 0; i < FILE_PAGES; i++)
		pages[i] = p + i * PM_PAGE;
	if (madvise(p, FILE_LEN, MADV_POPULATE_READ) ||
	    move_pages(0, FILE_PAGES, pages, NULL, status, 0))
		on = -1;
	else
		for (i = 0; i < FILE_PAGES; i++)
			on += status[i] == B.nid;
	munmap(p, FILE_LEN);
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
	ASSERT_EQ(0, mount("privmem-inplace", MNT, "tmpfs", 0,
			   "size=64m,mpol=bind:1"));
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
	rmdir(MNT);
	rmdir(CG);
	pm_write_str(DEMOTION, self->saved_demotion);
	free(expect);
}

TEST_F_TIMEOUT(inplace, tmpfs_pwrite_after_demotion, 300)
{
	int *status = calloc(FILE_PAGES, sizeof(*status));
	long stored0, stored1, on_node, on_node1 = 0, still = 0, bad = 0;
	long written = 0;
	long inplace0, inplace1, total0, total1;
	size_t pg[NWRITE], i;
	char buf[32], *got;
	int fd, n = 0;

	ASSERT_NE(NULL, status);
	got = malloc(FILE_LEN);
	ASSERT_NE(NULL, got);
	stored0 = pm_sys_long(&B, "cram/stored_pages");
	inplace0 = pm_sys_long(&B, "counters/inplace_writes");
	total0 = pm_read_long(TOTAL);
	ASSERT_GE(inplace0, 0);

	ASSERT_EQ(0, write_file_in_cgroup());
	fd = open(FILE_PATH, O_RDWR);
	ASSERT_GE(fd, 0);
	on_node = file_placement(fd, status);
	for (i = 0; i < FILE_PAGES; i++)
		on_node1 += status[i] == 1;
	TH_LOG("written from %s: %ld pages on node 1, %ld on node %d",
	       CG, on_node1, on_node, B.nid);

	/* One reclaim of the cgroup; EAGAIN if it fell short is fine. */
	snprintf(buf, sizeof(buf), "%lu", FILE_LEN);
	pm_write_str(CG "/memory.reclaim", buf);
	on_node = file_placement(fd, status);
	stored1 = pm_sys_long(&B, "cram/stored_pages");
	TH_LOG("after memory.reclaim: %ld of %lu file pages on node %d",
	       on_node, FILE_PAGES, B.nid);
	TH_LOG("the device stores %ld pages (%ld before)", stored1, stored0);
	ASSERT_GE(on_node, NWRITE)
		TH_LOG("the tmpfs folios were not demoted: nothing to test");

	/* 16 pages on the node, spread over the file. */
	for (i = 0; i < FILE_PAGES && n < NWRITE; i += FILE_PAGES / 64)
		if (status[i] == B.nid)
			pg[n++] = i;
	for (i = 0; i < FILE_PAGES && n < NWRITE; i++)
		if (status[i] == B.nid && (n == 0 || pg[n - 1] < i))
			pg[n++] = i;
	ASSERT_EQ(NWRITE, n);

	for (i = 0; i < NWRITE; i++) {
		char *want = expect + pg[i] * PM_PAGE;
		ssize_t r;

		pm_fill(want, PM_PAGE, 7000 + i);
		r = pwrite(fd, want, PM_PAGE, pg[i] * PM_PAGE);
		/* No buffered-write error is documented for a compressed node. */
		EXPECT_EQ((ssize_t)PM_PAGE, r)
			TH_LOG("pwrite of page %zu: %s", pg[i],
			       r < 0 ? strerror(errno) : "short");
		written += r == (ssize_t)PM_PAGE;
	}

	/* The data reads back: the new pages and the rest of the file. */
	ASSERT_EQ((ssize_t)FILE_LEN, pread(fd, got, FILE_LEN, 0));
	for (i = 0; i < FILE_PAGES; i++)
		bad += memcmp(got + i * PM_PAGE, expect + i * PM_PAGE, PM_PAGE) != 0;
	EXPECT_EQ(0, bad);

	/* The written pages left the node (promoted before the write). */
	file_placement(fd, status);
	for (i = 0; i < NWRITE; i++) {
		if (status[pg[i]] == B.nid) {
			still++;
			if (still == 1)
				TH_LOG("page %zu of the file is still on node %d after pwrite",
				       pg[i], B.nid);
		}
	}
	TH_LOG("%ld of the %d written pages are still on compressed node %d",
	       still, NWRITE, B.nid);
	EXPECT_EQ(0, still);

	/* The device checks each page as it leaves: delete the file. */
	close(fd);
	ASSERT_EQ(0, unlink(FILE_PATH));
	stored1 = wait_stored(stored0);
	inplace1 = pm_sys_long(&B, "counters/inplace_writes");
	total1 = pm_read_long(TOTAL);
	TH_LOG("file deleted: the device stores %ld pages (%ld before)",
	       stored1, stored0);
	TH_LOG("%ld pages written; inplace_writes %ld -> %ld, module total %ld -> %ld",
	       written, inplace0, inplace1, total0, total1);
	EXPECT_EQ(stored0, stored1);
	EXPECT_EQ(inplace0, inplace1)
		TH_LOG("the device found %ld pages changed in place",
		       inplace1 - inplace0);
	free(got);
	free(status);
}

static int was_privmem;
static pid_t main_pid;

/* Put dax0.0 back as found (see privmem_cram_test.c). */
static void inplace_restore(void)
{
	if (getpid() != main_pid)
		return;
	if (pm_restore(&B)) {
		printf("# could not put %s back\n", PM_DAX);
		fflush(stdout);
		_exit(1);
	}
	if (was_privmem) {
		pm_write_str("/sys/module/privmem/parameters/type", "plain");
		if (!access(PM_DEVDAX_DRV "/" PM_DAX, F_OK))
			pm_write_str(PM_DEVDAX_DRV "/unbind", PM_DAX);
		pm_write_str(PM_DRV "/new_id", PM_DAX);
	}
}

int main(int argc, char **argv)
{
	int ret;

	if (system("modprobe privmem") == 0)
		pm_write_str("/sys/module/privmem/parameters/physical_size", "0");
	/* An earlier test may have left dax0.0 bound (plain): rebind it. */
	if (!access(PM_DRV "/" PM_DAX, F_OK)) {
		was_privmem = 1;
		if (pm_write_str(PM_DRV "/unbind", PM_DAX)) {
			printf("Bail out! %s is busy as a privmem node\n", PM_DAX);
			return 1;
		}
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
	}
	ret = pm_bind(&B, "compressed");
	main_pid = getpid();
	atexit(inplace_restore);
	if (ret) {
		printf("Bail out! cannot bind %s to privmem: %s\n", PM_DAX,
		       strerror(-ret));
		return 1;
	}
	return pm_test_harness_run(argc, argv);
}
