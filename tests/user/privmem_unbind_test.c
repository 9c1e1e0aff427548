// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: binding and unbinding dax0.0.
 *
 * - bind, unbind and rebind;
 * - unbind with a live mapping of /dev/privmemN fails with EBUSY and
 *   changes nothing: the data stays, the device keeps working;
 * - unbind with folios that cannot move (held by a pipe after vmsplice)
 *   fails with EBUSY, nothing lost; once released it succeeds;
 * - unbind with folios migrated onto the node but no mapping of the device
 *   succeeds: the folios move out with their data intact, and calls on
 *   the still-open file fail with ENODEV;
 * - a plain and a compressed node (fixture node, one variant each)
 *   report their type, services and accounting, and take data by MIGRATE
 *   (a compressed node as a demotion).
 *
 * Every test binds dax0.0 itself and puts it back as it found it.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/uio.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

FIXTURE(bind) {
	struct pm_binding b;
};

FIXTURE_SETUP(bind)
{
}

FIXTURE_TEARDOWN(bind)
{
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", pm_dax());
}

TEST_F_TIMEOUT(bind, bind_unbind_rebind, 120)
{
	struct privmem_info info;
	int fd;

	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_unbind(&self->b));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_NE(0, access(self->b.devpath, F_OK));
	/* Unbinding what is not bound. */
	EXPECT_EQ(-ENODEV, pm_write_str(PM_DRV "/unbind", pm_dax()));

	/* Rebind through the bind attribute (the device is in new_id). */
	ASSERT_EQ(0, pm_write_str(PM_DRV "/bind", pm_dax()));
	self->b.bound = 1;
	EXPECT_EQ(-EBUSY, pm_write_str(PM_DRV "/bind", pm_dax()));
	ASSERT_EQ(0, pm_find_dev(&self->b));
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	/* Bound again, offline: calls fail with ENXIO until it is online. */
	EXPECT_EQ(-1, pm_info(fd, &info));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, pm_online(&self->b));
	ASSERT_EQ(0, pm_info(fd, &info));
	EXPECT_EQ(self->b.nid, info.node);
	close(fd);
}

/*
 * Bind the plain node, open it into *@fd and move @len bytes of anonymous
 * memory (THP if @thp), filled with @seed, onto it: the memory, its
 * checksum in *@sum.
 */
static char *bind_and_move(struct __test_metadata *_metadata,
			   struct pm_binding *b, int *fd, size_t len, int thp,
			   unsigned int seed, __u64 *sum)
{
	struct privmem_migrate m;
	char *p;

	ASSERT_EQ(0, pm_bind(b, "plain"));
	*fd = pm_open(b);
	ASSERT_GE(*fd, 0);
	p = pm_anon(len, thp);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, seed);
	*sum = pm_checksum(p, len);
	ASSERT_EQ(0, pm_migrate(*fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE,
				-1));
	ASSERT_EQ(len / PM_PAGE, m.moved);
	return p;
}

TEST_F_TIMEOUT(bind, busy_with_live_mapping, 120)
{
	size_t len = 8 << 20, np = len / PM_PAGE;
	struct privmem_info info;
	__u64 sum;
	char *p, *q;
	int fd;

	ASSERT_EQ(0, pm_bind(&self->b, "plain"));
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	p = pm_map(fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 41);
	sum = pm_checksum(p, len);
	close(fd);	/* the mapping alone keeps the device busy */

	EXPECT_EQ(-EBUSY, pm_unbind(&self->b));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_EQ((long)np, pm_count_on_node(p, np, self->b.nid));

	/* Still usable: new opens, ioctls and faults. */
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, pm_info(fd, &info));
	q = pm_map(fd, 2 << 20, 1);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(512, pm_count_on_node(q, 512, self->b.nid));
	munmap(q, 2 << 20);
	close(fd);

	munmap(p, len);
	EXPECT_EQ(0, pm_unbind(&self->b));
}

TEST_F_TIMEOUT(bind, busy_with_unmovable_folios, 300)
{
	size_t len = 1 << 20, np = len / PM_PAGE;
	int fd, pfd[2];
	struct iovec iov;
	__u64 sum;
	char *p, *sink;

	p = bind_and_move(_metadata, &self->b, &fd, len, 0, 42, &sum);
	close(fd);

	/* The pipe holds references on the first pages: they cannot move. */
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = p;
	iov.iov_len = 16 * PM_PAGE;
	ASSERT_EQ((ssize_t)iov.iov_len, vmsplice(pfd[1], &iov, 1, 0));

	EXPECT_EQ(-EBUSY, pm_unbind(&self->b));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_GE(pm_count_on_node(p, np, self->b.nid), 16);
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	close(fd);

	/* Drain the pipe: now everything moves out and the node goes. */
	sink = malloc(iov.iov_len);
	ASSERT_NE(NULL, sink);
	ASSERT_EQ((ssize_t)iov.iov_len, read(pfd[0], sink, iov.iov_len));
	EXPECT_EQ(0, memcmp(sink, p, iov.iov_len));
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_EQ(0, pm_unbind(&self->b));
	EXPECT_EQ(0, pm_count_on_node(p, np, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	free(sink);
	munmap(p, len);
}

TEST_F_TIMEOUT(bind, unbind_migrates_out, 300)
{
	size_t len = 32 << 20, np = len / PM_PAGE;
	struct privmem_migrate m;
	struct privmem_info info;
	struct pollfd pfd;
	__u64 sum;
	char *p;
	int fd;

	p = bind_and_move(_metadata, &self->b, &fd, len, 1, 43, &sum);

	/* An open file (no mapping) does not keep the node. */
	ASSERT_EQ(0, pm_unbind(&self->b));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_EQ(0, pm_count_on_node(p, np, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));

	/* The orphaned file: every call fails with ENODEV. */
	errno = 0;
	EXPECT_EQ(-1, pm_info(fd, &info));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE,
				 -1));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PM_PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	pfd.fd = fd;
	pfd.events = POLLPRI;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	close(fd);

	/* Rebind: a fresh node. */
	ASSERT_EQ(0, pm_write_str(PM_DRV "/bind", pm_dax()));
	self->b.bound = 1;
	ASSERT_EQ(0, pm_find_dev(&self->b));
	ASSERT_EQ(0, pm_online(&self->b));
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE,
				-1));
	EXPECT_EQ(np, m.moved);
	EXPECT_EQ(sum, pm_checksum(p, len));
	close(fd);
	munmap(p, len);
}

/*
 * Each node type reports its type, services and accounting, and takes data
 * by MIGRATE (on a compressed node as a demotion, read-only there).
 */
FIXTURE(node) {
	struct pm_binding b;
};

FIXTURE_VARIANT(node) {
	const char *type;
	__u32 info_type;
	__u64 caps;
	int demotion;		/* demotion into it enabled by default */
	int emulated;		/* physical capacity: half the logical size */
};

FIXTURE_VARIANT_ADD(node, plain) {
	.type = "plain", .info_type = PRIVMEM_TYPE_PLAIN,
	.caps = PRIVMEM_CAP_MIGRATION | PRIVMEM_CAP_MEMPOLICY,
};

FIXTURE_VARIANT_ADD(node, compressed) {
	.type = "compressed", .info_type = PRIVMEM_TYPE_COMPRESSED,
	.caps = PRIVMEM_CAP_DEMOTION | PRIVMEM_CAP_PROTECT_WRITE |
		PRIVMEM_CAP_RECLAIM,
	.demotion = 1, .emulated = 1,
};

FIXTURE_SETUP(node)
{
}

FIXTURE_TEARDOWN(node)
{
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", pm_dax());
}

TEST_F_TIMEOUT(node, reports_type_and_takes_migrate, 120)
{
	struct privmem_demotion d = { .size = sizeof(d) };
	struct privmem_pressure pr;
	struct privmem_migrate m;
	struct privmem_info info;
	size_t len = 1 << 20, np = len / PM_PAGE;
	char buf[64], path[256];
	__u64 sum;
	char *p;
	int fd;

	ASSERT_EQ(0, pm_bind(&self->b, variant->type));
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, pm_info(fd, &info));
	EXPECT_EQ(variant->info_type, info.type);
	EXPECT_EQ(variant->caps, info.caps);
	snprintf(path, sizeof(path), "%s/type", self->b.syspath);
	ASSERT_EQ(0, pm_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ(variant->type, buf);
	ASSERT_EQ(0, ioctl(fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ(variant->demotion, !!(d.flags & PRIVMEM_DEMOTION_ENABLE));
	ASSERT_EQ(0, pm_pressure(fd, &pr));
	/*
	 * The emulated device of a compressed node: half the logical size,
	 * nothing stored. A plain node has no physical accounting.
	 */
	EXPECT_EQ(variant->emulated ? pr.logical_capacity / 2 : 0,
		  pr.physical_capacity);
	EXPECT_EQ(0U, pr.compression_ratio);

	/* Data arrives by MIGRATE (as a demotion on a compressed node). */
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 44);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pm_migrate(fd, &m, 0, p, len, PRIVMEM_MIGRATE_TO_NODE,
				-1));
	EXPECT_EQ(np, m.moved);
	EXPECT_EQ((long)np, pm_count_on_node(p, np, self->b.nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	/*
	 * Write-protection and promotion on write are the compressed node's
	 * behaviour (privmem_cram_test): not checked here.
	 */
	ASSERT_EQ(0, pm_pressure(fd, &pr));
	EXPECT_EQ(np, pr.migrations_in);
	close(fd);
	munmap(p, len);
	EXPECT_EQ(0, pm_unbind(&self->b));
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
