// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: memory cgroup accounting of pages on a private node (plain and
 * compressed, dax0.0 bound for each test).
 *
 * A child process in a new cgroup (memory controller enabled in the root's
 * subtree_control) puts 32 MiB of its anonymous memory on the node with
 * PRIVMEM_IOC_MIGRATE and, on a plain node, faults 32 MiB of a
 * /dev/privmemN mapping. While it holds them:
 *  - current_and_stat: memory.current and memory.stat's anon count them;
 *  - numa_stat: memory.numa_stat lists the node, "anon N<node>=" within
 *    4 MiB above the amount on the node (and DRAM no longer holding the
 *    migrated part).
 * When the child has exited, the cgroup holds nothing on the node.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"
#include "privmem_distro.h"

#define MIB		(1024UL * 1024)
#define PART		(32 * MIB)
#define SLACK		(4 * MIB)

FIXTURE(memcg) {
	struct pm_binding b;
	int fd;
	char cg[96];
	pid_t kid;
	int go[2], ready[2];
};

FIXTURE_VARIANT(memcg) {
	const char *type;
};

FIXTURE_VARIANT_ADD(memcg, plain) { .type = "plain" };
FIXTURE_VARIANT_ADD(memcg, compressed) { .type = "compressed" };

/* "@key N@nid=VALUE" of @cg's memory.numa_stat, or -1 if not listed. */
static long long cg_numa_stat(const char *cg, const char *key, int nid)
{
	char path[160], line[1024], tag[16], *p;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.numa_stat", cg);
	snprintf(tag, sizeof(tag), " N%d=", nid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)) || line[strlen(key)] != ' ')
			continue;
		p = strstr(line, tag);
		if (p)
			v = atoll(p + strlen(tag));
		break;
	}
	fclose(f);
	return v;
}

/* "@key VALUE" of @cg's memory.stat, or -1. */
static long long mem_stat(const char *cg, const char *key)
{
	char path[160], line[256], k[64];
	long long v = -1, n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", k, &n) == 2 && !strcmp(k, key)) {
			v = n;
			break;
		}
	fclose(f);
	return v;
}

static long long cg_long(const char *cg, const char *file)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return pm_read_long(path);
}

FIXTURE_SETUP(memcg)
{
	int ret;

	self->fd = -1;
	self->kid = 0;
	self->cg[0] = '\0';
	ret = pm_memcg_new(self->cg, sizeof(self->cg), "privmem-memcg");
	if (ret == -ENOENT)
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	ASSERT_EQ(0, ret);
	self->fd = pm_bind_open(&self->b, variant->type);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, pipe(self->go));
	ASSERT_EQ(0, pipe(self->ready));
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->kid > 0) {
		kill(self->kid, SIGKILL);
		waitpid(self->kid, NULL, 0);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (self->cg[0] && rmdir(self->cg))
		TH_LOG("rmdir %s: %s", self->cg, strerror(errno));
	if (pm_restore(&self->b))
		TH_LOG("could not restore %s", PM_DAX);
}

/*
 * The child: join the cgroup, put its pages on the node, report how many
 * bytes are there (a long on @ready), hold them until @go is written.
 */
static void child(int fd, const char *cg, int nid, int plain, int go,
		  int ready)
{
	struct privmem_migrate m;
	char path[160], pid[16], *anon, *dev;
	long on = 0, c;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (pm_write_str(path, pid))
		_exit(2);
	anon = pm_anon(PART, 0);
	if (!anon)
		_exit(3);
	pm_fill(anon, PART, 3);
	if (pm_migrate(fd, &m, 0, anon, PART, PRIVMEM_MIGRATE_TO_NODE, -1))
		_exit(4);
	c = pm_count_on_node(anon, PART / PM_PAGE, nid);
	on += c > 0 ? c : 0;
	if (plain) {
		dev = pm_map(fd, PART, 1);
		if (!dev)
			_exit(5);
		c = pm_count_on_node(dev, PART / PM_PAGE, nid);
		on += c > 0 ? c : 0;
	}
	on *= PM_PAGE;
	if (write(ready, &on, sizeof(on)) != sizeof(on))
		_exit(6);
	if (read(go, &c, 1) < 0)
		_exit(7);
	_exit(0);
}

/* Start the child; returns the bytes it holds on the node. */
#define START_CHILD(plain) start_child(self->fd, self->cg, self->b.nid, \
					 (plain), self->go, self->ready, \
					 &self->kid)

static long start_child(int fd, const char *cg, int nid, int plain, int *go,
			int *ready, pid_t *kid)
{
	long on = -1;

	*kid = fork();
	if (*kid < 0)
		return -1;
	if (!*kid)
		child(fd, cg, nid, plain, go[0], ready[1]);
	if (read(ready[0], &on, sizeof(on)) != sizeof(on))
		return -1;
	return on;
}

static void stop_child(struct __test_metadata *_metadata, int *go,
		       pid_t *kid)
{
	int status;

	EXPECT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(*kid, waitpid(*kid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	*kid = 0;
}

TEST_F_TIMEOUT(memcg, current_and_stat, 180)
{
	int plain = !strcmp(variant->type, "plain");
	long want = plain ? 2 * PART : PART, on;
	long long cur0 = cg_long(self->cg, "memory.current"), cur;

	on = START_CHILD(plain);
	ASSERT_EQ(want, on);
	cur = cg_long(self->cg, "memory.current");
	TH_LOG("memory.current %lld -> %lld, anon %lld", cur0, cur,
	       mem_stat(self->cg, "anon"));
	EXPECT_LE(cur0 + want, cur);
	EXPECT_LE(want, mem_stat(self->cg, "anon"));
	stop_child(_metadata, self->go, &self->kid);
	EXPECT_GT((long long)SLACK, cg_long(self->cg, "memory.current"));
}

TEST_F_TIMEOUT(memcg, numa_stat, 180)
{
	int plain = !strcmp(variant->type, "plain");
	long want = plain ? 2 * PART : PART, on;
	long long n0, n;

	n0 = cg_numa_stat(self->cg, "anon", self->b.nid);
	TH_LOG("before: anon N%d=%lld", self->b.nid, n0);
	on = START_CHILD(plain);
	ASSERT_EQ(want, on);
	/* The stats are flushed lazily: give them a moment. */
	usleep(2500 * 1000);
	n = cg_numa_stat(self->cg, "anon", self->b.nid);
	TH_LOG("with the child's pages: anon N%d=%lld (expected %ld), N0=%lld",
	       self->b.nid, n, on, cg_numa_stat(self->cg, "anon", 0));
	EXPECT_LE(on, n);
	EXPECT_GE(on + (long)SLACK, n);
	/* The migrated part left DRAM. */
	EXPECT_GT((long long)SLACK, cg_numa_stat(self->cg, "anon", 0));
	stop_child(_metadata, self->go, &self->kid);
	usleep(2500 * 1000);
	n = cg_numa_stat(self->cg, "anon", self->b.nid);
	EXPECT_GT((long long)SLACK, n) {
		TH_LOG("after the child exited: anon N%d=%lld",
		       self->b.nid, n);
	}
}

int main(int argc, char **argv)
{
	return pm_test_harness_run(argc, argv);
}
