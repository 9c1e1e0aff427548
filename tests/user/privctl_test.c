// SPDX-License-Identifier: GPL-2.0
/*
 * privctl, run in the guest and checked against the kernel's own view:
 *
 * - --help, --version, and every usage error (exit 2, message);
 * - errors with no device (exit 1, message naming the cause);
 * - create/destroy of dax0.0: the dax bus and has_private_memory agree,
 *   a busy dax device and a busy node are explained, nothing is lost;
 * - create of a dax device bound to privmem, offline (as privmem leaves a
 *   CXL RAM region's dax device it binds on sight): taken over when
 *   nothing holds it, put back with its settings when the create fails;
 *   memmap_on_memory cleared for a compressed node and set back on failure;
 * - the per-device settings and the state: create with settings and
 *   services, set (refused while online, bad values refused with the
 *   valid ones named and nothing changed, applied in order), online and
 *   offline, list/info of an offline device;
 * - list/info --json against sysfs and PRIVMEM_IOC_INFO/GET_PRESSURE (and
 *   dax0.0 backed by an NVDIMM namespace), and the JSON schema through
 *   tests/lib/privctl_schema.py (python3);
 * - migrate against move_pages(2) queries, and its kernel error paths
 *   (no process, unmapped range, maximum pressure, no permission);
 * - demotion against the memory tiers and GET_DEMOTION;
 * - pressure: watermarks, injection, --watch seeing a crossing within a
 *   second, unprivileged callers;
 * - run: the command's policy and pages are on the node (numa_maps), and
 *   a compressed node is refused;
 * - kernel failures during a call: a probe the driver refuses, a modprobe
 *   that fails, a device removed under a running --watch.
 *
 * privctl is $PRIVMEM_BUILD/privctl/privctl. Every test that binds dax0.0
 * puts it back as it found it (device_dax).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/uio.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <json-c/json.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define NOBODY	65534

static long on_node_pages(void *p, unsigned long np, int nid)
{
	return pm_count_on_node(p, np, nid);
}

static char PRIVCTL[512];
static char OUT[1 << 16], ERR[1 << 14];

static void find_privctl(void)
{
	const char *b = getenv("PRIVMEM_BUILD");

	snprintf(PRIVCTL, sizeof(PRIVCTL), "%s/privctl/privctl", b ? b : "build");
}

static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = 0, r;

	buf[0] = '\0';
	if (fd < 0)
		return;
	while (n < (ssize_t)len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
	unlink(path);
}

/*
 * Run "privctl ARGS" (a shell word list) as @uid (-1: as we are). Its
 * stdout lands in OUT, stderr in ERR. Returns its exit status.
 */
static int pc_run_as(int uid, const char *fmt, ...)
{
	char args[2048], cmd[4096], o[64], e[64];
	int status;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(o, sizeof(o), "/tmp/privctl_test.%d.out", getpid());
	snprintf(e, sizeof(e), "/tmp/privctl_test.%d.err", getpid());
	/* Braces: a compound command (a & b; ...) goes to the files whole. */
	snprintf(cmd, sizeof(cmd), "{ %s %s; } >%s 2>%s", PRIVCTL, args, o, e);
	pid = fork();
	if (pid == 0) {
		if (uid >= 0 && (setgid(uid) || setuid(uid)))
			_exit(99);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	slurp(o, OUT, sizeof(OUT));
	slurp(e, ERR, sizeof(ERR));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define pc_run(...) pc_run_as(-1, __VA_ARGS__)

/* Expect exit status @rc and @needle in stderr (NULL: anything). */
#define EXPECT_PC(rc, needle, ...) do {					\
	const char *__n = (needle);					\
	int __rc = pc_run(__VA_ARGS__);					\
	EXPECT_EQ(rc, __rc) TH_LOG("stderr: %s", ERR);			\
	if (__n) {							\
		EXPECT_NE(NULL, strstr(ERR, __n ? __n : ""))		\
			TH_LOG("stderr lacks '%s': %s", __n, ERR);	\
	}								\
} while (0)

static const char *dax_driver_of(const char *dax)
{
	static char buf[256];
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", dax);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return "";
	buf[n] = '\0';
	return strrchr(buf, '/') + 1;
}

/* ---------------------------------------------------------------------
 * Without a device: help, version, usage errors.
 */

TEST(help_and_version)
{
	static const char * const cmds[] = {
		"list", "info", "create", "destroy", "online", "offline", "set",
		"migrate", "demotion", "pressure", "run",
	};
	char want[160];
	size_t i;

	find_privctl();
	ASSERT_EQ(0, pc_run("--help"));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(want, sizeof(want), "  %s ", cmds[i]);
		EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("--help lacks %s", cmds[i]);
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(0, pc_run("%s --help", cmds[i]));
		snprintf(want, sizeof(want), "usage: privctl %s", cmds[i]);
		EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s --help: %s", cmds[i], OUT);
	}
	EXPECT_EQ(0, pc_run("--version"));
	EXPECT_EQ(0, strncmp(OUT, "privctl ", 8));
}

TEST(usage_errors)
{
	static const struct { const char *args, *msg; } cases[] = {
		{ "", "no command given" },
		{ "bogus", "unknown command 'bogus'" },
		{ "--bogus", "unknown option '--bogus'" },
		{ "list --foo", "unrecognized option" },
		{ "list --node x", "--node wants a node number" },
		{ "list --node", "requires an argument" },
		{ "list extra", "unexpected argument 'extra'" },
		{ "info", "which device?" },
		{ "info a b", "unexpected argument 'b'" },
		{ "create", "--dax daxX.Y is required" },
		{ "create --dax dax0.0", "--type plain|compressed is required" },
		{ "create --dax dax0.0 --type fancy", "--type must be plain or compressed" },
		{ "create --dax dax0.0 --type compressed --physical-size 12Q", "is not a size" },
		{ "create --dax dax0.0 --type plain --physical-size 1G",
		  "only applies to --type compressed" },
		{ "create --dax dax0.0 --type plain --watermarks 900,600",
		  "LOW must be below HIGH" },
		{ "create --dax dax0.0 --type plain --watermarks 10,2000", "HIGH at most 1000" },
		{ "create --dax dax0.0 --type plain --watermarks abc", "wants LOW,HIGH" },
		{ "create --dax dax0.0 --type plain --no-checksum",
		  "--no-checksum only applies to --type compressed" },
		{ "create --dax dax0.0 --type compressed --compaction",
		  "--compaction only applies to --type plain" },
		{ "create --dax dax0.0 --type plain --numa-balancing=1",
		  "doesn't allow an argument" },
		{ "destroy", "which device?" },
		{ "online", "which device?" },
		{ "online a b", "unexpected argument 'b'" },
		{ "offline", "which device?" },
		{ "offline a b", "unexpected argument 'b'" },
		{ "set", "which device?" },
		{ "set privmem0", "nothing to set" },
		{ "set privmem0 type", "'type' is not KEY=VALUE" },
		{ "set privmem0 colour=red", "unknown setting 'colour'" },
		{ "set privmem0 =1", "unknown setting ''" },
		{ "set privmem0 type=plain bogus", "'bogus' is not KEY=VALUE" },
		{ "set privmem0 --bogus", "unrecognized option" },
		{ "migrate --pid 1", "give --range ADDR[:LEN] or --all" },
		{ "migrate --range 1000 --to private", "--pid PID is required" },
		{ "migrate --pid 1 --range zz --to private", "--range wants ADDR[:LEN]" },
		{ "migrate --pid 1 --range 1000:7Q --to private", "--range wants ADDR[:LEN]" },
		{ "migrate --pid 1 --range 1000 --all --to private", "exclude each other" },
		{ "migrate --pid 1 --all", "--to private|dram[:NODE] is required" },
		{ "migrate --pid 1 --all --to nowhere", "--to wants private, dram or dram:NODE" },
		{ "migrate --pid 1 --all --to dram:x", "--to wants private, dram or dram:NODE" },
		{ "migrate --pid abc --all --to dram", "--pid wants a process id" },
		{ "demotion", "which device?" },
		{ "demotion privmem0 --enable --disable", "exclude each other" },
		{ "demotion privmem0 --from x", "--from wants a node list" },
		{ "pressure", "which device?" },
		{ "pressure privmem0 --count 3", "--count only goes with --watch" },
		{ "pressure privmem0 --watch --count 0", "--count wants a positive number" },
		{ "pressure privmem0 --inject 2000", "--inject wants a level 0..1000" },
		{ "pressure privmem0 --inject 5 --clear", "exclude each other" },
		{ "pressure privmem0 --watch --inject 5", "does not combine" },
		{ "pressure privmem0 --watermarks 5", "wants LOW,HIGH" },
		{ "run", "which device?" },
		{ "run --bogus", "unrecognized option" },
	};
	size_t i;

	find_privctl();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = pc_run("%s", cases[i].args);

		EXPECT_EQ(2, rc) TH_LOG("privctl %s: exit %d, %s", cases[i].args, rc, ERR);
		EXPECT_NE(NULL, strstr(ERR, cases[i].msg))
			TH_LOG("privctl %s: want '%s', got: %s", cases[i].args,
			       cases[i].msg, ERR);
		EXPECT_NE(NULL, strstr(ERR, "--help"))
			TH_LOG("privctl %s: no hint to --help", cases[i].args);
	}
}

TEST(errors_without_a_device)
{
	find_privctl();
	/* dax0.0 is on device_dax here: no privmem device exists. */
	EXPECT_PC(1, "privmem9: no such privmem device", "info privmem9");
	EXPECT_PC(1, "privmem9: no such privmem device", "list --dev privmem9");
	EXPECT_PC(1, "node 0 is not a private node", "list --node 0");
	EXPECT_PC(1, "dax9.9: no such dax device", "create --dax dax9.9 --type plain");
	EXPECT_PC(1, "no such privmem device", "destroy privmem9");
	EXPECT_PC(1, "privmem9: no such privmem device", "online privmem9");
	EXPECT_PC(1, "privmem9: no such privmem device", "offline privmem9");
	EXPECT_PC(1, "privmem9: no such privmem device", "set privmem9 type=plain");
	EXPECT_PC(1, "no such privmem device", "pressure privmem9");
	EXPECT_PC(1, "no such privmem device", "demotion privmem9");
	EXPECT_PC(1, "no such privmem device", "run privmem9 -- true");
	EXPECT_PC(1, "no process with pid 999999", "migrate --pid 999999 --all --to dram");
	EXPECT_PC(1, "node 7 is not a normal memory node",
		  "migrate --pid 1 --all --to dram:7");
	EXPECT_PC(0, NULL, "list --json");
	EXPECT_EQ(0, pc_run("list"));
}

/* ---------------------------------------------------------------------
 * With dax0.0 made a private node by privctl create.
 */

#define MEMMAP_ATTR	PM_DAX_DIR "/memmap_on_memory"

FIXTURE(pc) {
	int was_devdax;
	int nid;
	char name[64];		/* privmemN */
	char devpath[64];
	char syspath[128];
	int fd;
	char memmap_saved[8];	/* memmap_on_memory before the test changed it */
};

/* Find the privmem device of dax0.0 (again, after a takeover) and open it. */
static int pc_find(struct __test_metadata *_metadata,
		   struct _test_data_pc *self)
{
	struct pm_binding b = { };

	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	if (pm_find_dev(&b)) {
		TH_LOG("no privmem device names " PM_DAX);
		return -1;
	}
	snprintf(self->devpath, sizeof(self->devpath), "%s", b.devpath);
	snprintf(self->syspath, sizeof(self->syspath), "%s", b.syspath);
	snprintf(self->name, sizeof(self->name), "%.40s", b.devpath + 5);
	self->fd = open(self->devpath, O_RDWR | O_CLOEXEC);
	return self->fd < 0 ? -1 : 0;
}

/* Make dax0.0 a node of @type with privctl and find it. */
static int pc_create(struct __test_metadata *_metadata,
		     struct _test_data_pc *self, const char *type,
		     const char *extra)
{
	int rc;

	rc = pc_run("create --dax " PM_DAX " --type %s %s", type, extra ? extra : "");
	if (rc) {
		TH_LOG("privctl create: exit %d: %s", rc, ERR);
		return -1;
	}
	return pc_find(_metadata, self);
}

/*
 * Write @val to dax0.0's memmap_on_memory (only while no kmem-type driver
 * such as privmem has it); the teardown puts back what it was first.
 */
static int memmap_set(struct _test_data_pc *self, const char *val)
{
	if (!self->memmap_saved[0] &&
	    pm_read_str(MEMMAP_ATTR, self->memmap_saved, sizeof(self->memmap_saved)))
		return -ENOENT;
	return pm_write_str(MEMMAP_ATTR, val);
}

/* Attribute @attr of the fixture's device into @buf ("?" if unreadable). */
static const char *attr_get(struct _test_data_pc *self, const char *attr,
			    char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", self->syspath, attr);
	if (pm_read_str(path, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

#define ATTR_EQ(want, attr) do {					\
	char __b[128];							\
	EXPECT_STREQ(want, attr_get(self, attr, __b, sizeof(__b)));	\
} while (0)

FIXTURE_SETUP(pc)
{
	find_privctl();
	self->fd = -1;
	self->memmap_saved[0] = '\0';
	/* A test killed by its timeout skips its teardown: clean up after it. */
	if (!strcmp(dax_driver_of(PM_DAX), "privmem")) {
		TH_LOG(PM_DAX " was left bound to privmem; giving it back");
		pm_write_str(PM_DRV "/unbind", PM_DAX);
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
		pm_write_str(PM_DEVDAX_DRV "/bind", PM_DAX);
	}
	self->was_devdax = !strcmp(dax_driver_of(PM_DAX), "device_dax");
	self->nid = (int)pm_read_long(PM_DAX_DIR "/target_node");
	ASSERT_EQ(0, access(PM_DAX_DIR, F_OK)) TH_LOG("no " PM_DAX " in this guest");
}

FIXTURE_TEARDOWN(pc)
{
	int i;

	if (self->fd >= 0)
		close(self->fd);
	if (!strcmp(dax_driver_of(PM_DAX), "privmem")) {
		int ret = 0;

		for (i = 0; i < 10; i++) {
			ret = pm_write_str(PM_DRV "/unbind", PM_DAX);
			if (!ret)
				break;
			sleep(1);
		}
		if (ret)
			TH_LOG("teardown: unbind " PM_DAX ": %s", strerror(-ret));
	}
	pm_write_str(PM_DRV "/remove_id", PM_DAX);
	if (self->memmap_saved[0] &&
	    pm_write_str(MEMMAP_ATTR, self->memmap_saved))
		TH_LOG("teardown: could not write %s back to " MEMMAP_ATTR,
		       self->memmap_saved);
	if (self->was_devdax && strcmp(dax_driver_of(PM_DAX), "device_dax"))
		if (pm_write_str(PM_DEVDAX_DRV "/bind", PM_DAX))
			TH_LOG("could not give " PM_DAX " back to device_dax");
}

TEST_F_TIMEOUT(pc, create_and_destroy, 180)
{
	char want[160];

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	EXPECT_EQ(0, pm_node_listed("has_memory", self->nid));
	snprintf(want, sizeof(want), "%s: " PM_DAX ", node %d, plain", self->name,
		 self->nid);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("create printed: %s", OUT);

	/* Again: already a private node. */
	EXPECT_PC(1, "dax0.0 is already a private node", "create --dax dax0.0 --type plain");

	close(self->fd);
	self->fd = -1;
	EXPECT_PC(0, NULL, "destroy %s", self->name);
	EXPECT_NE(NULL, strstr(OUT, "back on device_dax")) TH_LOG("%s", OUT);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	EXPECT_NE(0, access(self->devpath, F_OK));
	/* Destroying it again: it is gone. */
	EXPECT_PC(1, "no such privmem device", "destroy %s", self->name);

	/* Create by the other names, destroy by the dax name. */
	ASSERT_EQ(0, pc_create(_metadata, self, "plain", "--json"));
	EXPECT_NE(NULL, strstr(OUT, "\"chardev\"")) TH_LOG("%s", OUT);
	close(self->fd);
	self->fd = -1;
	EXPECT_PC(0, NULL, "destroy " PM_DAX " --keep-unbound");
	EXPECT_STREQ("", dax_driver_of(PM_DAX));
}

TEST_F_TIMEOUT(pc, destroy_busy_explains_and_keeps_data, 180)
{
	size_t len = 4 << 20;
	char want[160];
	__u64 sum;
	char *p;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	p = pm_map(self->fd, len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 7);
	sum = pm_checksum(p, len);

	EXPECT_PC(1, "is busy", "destroy %s", self->name);
	EXPECT_NE(NULL, strstr(ERR, "is mapped")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "nothing was lost")) TH_LOG("%s", ERR);
	snprintf(want, sizeof(want), "pid %d", getpid());
	EXPECT_NE(NULL, strstr(ERR, want)) TH_LOG("no holder named: %s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
	EXPECT_EQ((long)(len / PM_PAGE), pm_count_on_node(p, len / PM_PAGE, self->nid));

	munmap(p, len);
	close(self->fd);
	self->fd = -1;
	EXPECT_PC(0, NULL, "destroy %s", self->name);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
}

/* Pages held by a pipe cannot move off the node: destroy explains. */
TEST_F_TIMEOUT(pc, destroy_busy_with_unmovable_pages, 300)
{
	size_t len = 1 << 20, np = len / PM_PAGE;
	struct iovec iov;
	int pfd[2];
	__u64 sum;
	char *p, *sink;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 42);
	sum = pm_checksum(p, len);
	ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to private", getpid(), p));
	EXPECT_EQ((long)np, on_node_pages(p, np, self->nid));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = p;
	iov.iov_len = 16 * PM_PAGE;
	ASSERT_EQ((ssize_t)iov.iov_len, vmsplice(pfd[1], &iov, 1, 0));

	EXPECT_PC(1, "could not be migrated off it", "destroy %s", self->name);
	EXPECT_NE(NULL, strstr(ERR, "nothing was lost")) TH_LOG("%s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(sum, pm_checksum(p, len));

	sink = malloc(iov.iov_len);
	ASSERT_NE(NULL, sink);
	ASSERT_EQ((ssize_t)iov.iov_len, read(pfd[0], sink, iov.iov_len));
	close(pfd[0]);
	close(pfd[1]);
	free(sink);
	EXPECT_PC(0, NULL, "destroy %s", self->name);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, on_node_pages(p, np, self->nid));
	EXPECT_EQ(sum, pm_checksum(p, len));
}

/* Creating, destroying, onlining, offlining and settings need root. */
TEST_F(pc, create_and_destroy_need_root)
{
	char path[256], state[32];

	EXPECT_EQ(1, pc_run_as(NOBODY, "create --dax " PM_DAX " --type plain"));
	EXPECT_NE(NULL, strstr(ERR, "needs root")) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	EXPECT_EQ(1, pc_run_as(NOBODY, "destroy %s", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs root")) TH_LOG("%s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(1, pc_run_as(NOBODY, "offline %s", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs root")) TH_LOG("%s", ERR);
	snprintf(path, sizeof(path), "%s/state", self->syspath);
	ASSERT_EQ(0, pm_read_str(path, state, sizeof(state)));
	EXPECT_STREQ("online", state);

	ASSERT_EQ(0, pc_run("offline %s", self->name)) TH_LOG("%s", ERR);
	EXPECT_EQ(1, pc_run_as(NOBODY, "set %s type=compressed", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs root")) TH_LOG("%s", ERR);
	snprintf(path, sizeof(path), "%s/type", self->syspath);
	ASSERT_EQ(0, pm_read_str(path, state, sizeof(state)));
	EXPECT_STREQ("plain", state);
	EXPECT_EQ(1, pc_run_as(NOBODY, "online %s", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs root")) TH_LOG("%s", ERR);
	/* Reading works for anyone, offline too. */
	EXPECT_EQ(0, pc_run_as(NOBODY, "info %s", self->name)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(OUT, "offline")) TH_LOG("%s", OUT);
	snprintf(path, sizeof(path), "%s/state", self->syspath);
	ASSERT_EQ(0, pm_read_str(path, state, sizeof(state)));
	EXPECT_STREQ("offline", state);
}

/* dax1.0 held open through device_dax: create refuses and names it. */
TEST_F(pc, create_refuses_a_dax_device_in_use)
{
	int fd;

	if (strcmp(dax_driver_of("dax1.0"), "device_dax"))
		SKIP(return, "dax1.0 is not on device_dax");
	fd = open("/dev/dax1.0", O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_PC(1, "dax1.0 is in use by device_dax", "create --dax dax1.0 --type plain");
	EXPECT_NE(NULL, strstr(ERR, "unbind it first")) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of("dax1.0"));
	close(fd);
}

static struct json_object *find_dev(struct json_object *arr, const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *c;

		if (json_object_object_get_ex(o, "chardev", &c) &&
		    json_object_get_string(c) && !strcmp(json_object_get_string(c), name))
			return o;
	}
	return NULL;
}

static int64_t jint(struct json_object *o, const char *path)
{
	char buf[128], *key, *save;
	struct json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, key, &cur))
			return -999;
	return json_object_get_int64(cur);
}

static const char *jstr(struct json_object *o, const char *path)
{
	char buf[128], *key, *save;
	struct json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, key, &cur))
			return "(missing)";
	return json_object_get_string(cur);
}

TEST_F(pc, list_json_matches_sysfs_and_ioctls)
{
	struct privmem_info info;
	struct privmem_pressure pr;
	struct json_object *arr, *o, *caps, *ps;
	char buf[256], ns[64] = "?";
	const char *bn;
	__u64 bits = 0;
	size_t i;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	/* dax0.0's parent, libnvdimm's nd_dax device, names its namespace. */
	pm_read_str(PM_DAX_DIR "/../namespace", ns, sizeof(ns));
	ASSERT_EQ(0, pc_run("list --json"));
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr) TH_LOG("not JSON: %s", OUT);
	ASSERT_TRUE(json_object_is_type(arr, json_type_array));
	o = find_dev(arr, self->name);
	ASSERT_NE(NULL, o) TH_LOG("%s not listed: %s", self->name, OUT);

	ASSERT_EQ(0, pm_info(self->fd, &info));
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ((int64_t)info.node, jint(o, "node"));
	snprintf(buf, sizeof(buf), "%s/node", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "node"));
	EXPECT_STREQ("plain", jstr(o, "type"));
	snprintf(buf, sizeof(buf), "%s/type", self->syspath);
	{
		char t[32];

		pm_read_str(buf, t, sizeof(t));
		EXPECT_STREQ(t, jstr(o, "type"));
	}
	EXPECT_STREQ(PM_DAX, jstr(o, "dax"));
	/* The guest's dax0.0 is an emulated NVDIMM's devdax namespace. */
	EXPECT_STREQ("nvdimm", jstr(o, "backing.kind")) TH_LOG("%s", OUT);
	bn = jstr(o, "backing.name");
	EXPECT_STREQ(ns, bn ? bn : "(null)") TH_LOG("%s", OUT);
	EXPECT_STREQ(self->devpath, jstr(o, "path"));
	EXPECT_EQ((int64_t)info.capacity, jint(o, "capacity"));
	snprintf(buf, sizeof(buf), "%s/capacity", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "capacity"));
	/* free and used move a little with the kernel's own use: 4 MiB slack. */
	EXPECT_LT(llabs((long long)info.free - jint(o, "free")), 4 << 20);
	EXPECT_LT(llabs((long long)pr.logical_used - jint(o, "used")), 4 << 20);
	EXPECT_EQ((int64_t)pr.low, jint(o, "pressure.low"));
	EXPECT_EQ((int64_t)pr.high, jint(o, "pressure.high"));
	EXPECT_EQ((int64_t)pr.level, jint(o, "pressure.level"));
	EXPECT_EQ((int64_t)pr.events, jint(o, "pressure.events"));
	EXPECT_STREQ("normal", jstr(o, "pressure.state"));
	snprintf(buf, sizeof(buf), "%s/demotion", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "demotion.enabled"));
	snprintf(buf, sizeof(buf), "%s/mappings", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "mappings"));
	snprintf(buf, sizeof(buf), "%s/shared_objects", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "shared_objects"));
	/* The state and the settings, as the attributes say. */
	EXPECT_STREQ("online", jstr(o, "state"));
	EXPECT_STREQ("plain", jstr(o, "settings.type"));
	snprintf(buf, sizeof(buf), "%s/physical_size", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "settings.physical_size"));
	snprintf(buf, sizeof(buf), "%s/numa_balancing", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "settings.numa_balancing"));
	snprintf(buf, sizeof(buf), "%s/compaction", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "settings.compaction"));
	snprintf(buf, sizeof(buf), "%s/checksum", self->syspath);
	EXPECT_EQ(pm_read_long(buf), jint(o, "settings.checksum"));
	EXPECT_EQ(1, jint(o, "settings.checksum"));
	EXPECT_EQ((int64_t)pr.low, jint(o, "settings.watermarks.low"));
	EXPECT_EQ((int64_t)pr.high, jint(o, "settings.watermarks.high"));

	ASSERT_TRUE(json_object_object_get_ex(o, "caps", &caps));
	for (i = 0; i < json_object_array_length(caps); i++) {
		static const char * const names[] = {
			"migration", "mempolicy", "demotion", "protect_write",
			"reclaim", "numa_balancing", "compaction", "longterm_pin",
		};
		const char *c = json_object_get_string(json_object_array_get_idx(caps, i));
		size_t k;

		for (k = 0; k < ARRAY_SIZE(names); k++)
			if (!strcmp(c, names[k]))
				bits |= 1ULL << k;
	}
	EXPECT_EQ((__u64)info.caps, (__u64)bits);
	ASSERT_TRUE(json_object_object_get_ex(o, "page_sizes", &ps));
	bits = 0;
	for (i = 0; i < json_object_array_length(ps); i++)
		bits |= json_object_get_int64(json_object_array_get_idx(ps, i));
	EXPECT_EQ((__u64)info.page_sizes, (__u64)bits);
	/* A plain node has no physical side. */
	EXPECT_FALSE(json_object_object_get_ex(o, "physical", NULL));
	json_object_put(arr);

	/* Filters. */
	ASSERT_EQ(0, pc_run("list --json --node %d", self->nid));
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr);
	EXPECT_EQ(1U, json_object_array_length(arr));
	json_object_put(arr);
	ASSERT_EQ(0, pc_run("list --json --dev " PM_DAX));
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr);
	EXPECT_EQ(1U, json_object_array_length(arr));
	json_object_put(arr);

	/* info --json is the same object. */
	ASSERT_EQ(0, pc_run("info %s --json", self->name));
	o = json_tokener_parse(OUT);
	ASSERT_NE(NULL, o);
	EXPECT_EQ((int64_t)info.capacity, jint(o, "capacity"));
	EXPECT_EQ((int64_t)info.node, jint(o, "node"));
	EXPECT_STREQ("nvdimm", jstr(o, "backing.kind"));
	json_object_put(o);

	/* The table: human units by default, bytes with --bytes. */
	ASSERT_EQ(0, pc_run("list"));
	EXPECT_NE(NULL, strstr(OUT, self->name));
	EXPECT_NE(NULL, strstr(OUT, "MiB")) TH_LOG("%s", OUT);
	snprintf(buf, sizeof(buf), " nvdimm:%s ", ns);
	EXPECT_NE(NULL, strstr(OUT, buf)) TH_LOG("no%sin: %s", buf, OUT);
	ASSERT_EQ(0, pc_run("list --bytes"));
	snprintf(buf, sizeof(buf), " %llu ", (unsigned long long)info.capacity);
	EXPECT_NE(NULL, strstr(OUT, buf)) TH_LOG("no %s in: %s", buf, OUT);
	ASSERT_EQ(0, pc_run("info %s", self->name));
	EXPECT_NE(NULL, strstr(OUT, "low 600, high 900")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "watermarks=600,900")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "state              online")) TH_LOG("%s", OUT);
	snprintf(buf, sizeof(buf), "backing            nvdimm %s", ns);
	EXPECT_NE(NULL, strstr(OUT, buf)) TH_LOG("no '%s' in: %s", buf, OUT);
	ASSERT_EQ(0, pc_run("list"));
	EXPECT_NE(NULL, strstr(OUT, " online ")) TH_LOG("%s", OUT);
}

TEST_F_TIMEOUT(pc, json_schema_python, 120)
{
	char cmd[1024];
	const char *top = getenv("PRIVMEM_TOP");

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/lib/privctl_schema.py %s",
		 top ? top : ".", PRIVCTL);
	EXPECT_EQ(0, system(cmd));
}

/* The six settings, with a valid value other than the default. */
static const char * const settings_changed[][2] = {
	{ "type", "compressed" }, { "physical_size", "64M" },
	{ "numa_balancing", "1" }, { "compaction", "1" },
	{ "checksum", "0" }, { "watermarks", "100,200" },
};

/* Online, every setting is refused (EBUSY), said so, and nothing changes. */
TEST_F_TIMEOUT(pc, set_refused_while_online, 180)
{
	char want[256], before[128], after[128];
	size_t i;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	snprintf(want, sizeof(want),
		 "%s is online: settings can only change while offline (privctl offline %s)",
		 self->name, self->name);
	for (i = 0; i < ARRAY_SIZE(settings_changed); i++) {
		attr_get(self, settings_changed[i][0], before, sizeof(before));
		EXPECT_PC(1, want, "set %s %s=%s", self->name, settings_changed[i][0],
			  settings_changed[i][1]);
		EXPECT_NE(NULL, strstr(ERR, "nothing was changed")) TH_LOG("%s", ERR);
		attr_get(self, settings_changed[i][0], after, sizeof(after));
		EXPECT_STREQ(before, after) TH_LOG("%s changed", settings_changed[i][0]);
	}
	/* Online, the watermarks change with pressure --watermarks: said. */
	EXPECT_PC(1, want, "set %s watermarks=100,200", self->name);
	EXPECT_NE(NULL, strstr(ERR, "--watermarks LOW,HIGH")) TH_LOG("%s", ERR);
	/* The first refused stops the rest; the other names of the device. */
	EXPECT_PC(1, want, "set " PM_DAX " numa_balancing=1 type=compressed");
	EXPECT_PC(1, want, "set node%d compaction=1", self->nid);
	EXPECT_PC(1, want, "set %s checksum=0", self->devpath);
	ATTR_EQ("0", "numa_balancing");
	ATTR_EQ("0", "compaction");
	ATTR_EQ("1", "checksum");
	ATTR_EQ("plain", "type");
	ATTR_EQ("online", "state");
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
}

/*
 * Offline, bad values are refused (EINVAL) with the valid values of the
 * key named, and nothing changes; good ones are applied in order, up to
 * the first refused; online takes them.
 */
TEST_F_TIMEOUT(pc, set_bad_values_and_online_with_them, 240)
{
	static const struct { const char *key, *value; } bad[] = {
		{ "type", "fancy" }, { "type", "plain compressed" }, { "type", "" },
		{ "type", "-1" }, { "type", "99999999999999999999" },
		{ "physical_size", "-1" }, { "physical_size", "" },
		{ "physical_size", "abc" }, { "physical_size", "1Q" },
		{ "physical_size", "64G" }, { "physical_size", "99999999999999999999" },
		{ "physical_size", "18446744073709551615" },
		{ "numa_balancing", "2" }, { "numa_balancing", "-1" },
		{ "numa_balancing", "maybe" }, { "numa_balancing", "" },
		{ "numa_balancing", "99999999999999999999" },
		{ "compaction", "2" }, { "compaction", "yes please" }, { "compaction", "" },
		{ "checksum", "-1" }, { "checksum", "" }, { "checksum", "99999999999999999999" },
		{ "watermarks", "900,600" }, { "watermarks", "500,500" },
		{ "watermarks", "0,1001" }, { "watermarks", "5" }, { "watermarks", "abc" },
		{ "watermarks", "-1,5" }, { "watermarks", "" }, { "watermarks", "1,2,3" },
		{ "watermarks", "99999999999999999999,5" },
	};
	char before[ARRAY_SIZE(settings_changed)][128], now[128], want[256];
	struct privmem_pressure pr;
	struct privmem_info info;
	size_t i, k;
	long cap;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", "--offline"));
	ATTR_EQ("offline", "state");
	cap = strtol(attr_get(self, "capacity", now, sizeof(now)), NULL, 10);
	ASSERT_GT(cap, 64L << 20);
	for (k = 0; k < ARRAY_SIZE(settings_changed); k++)
		attr_get(self, settings_changed[k][0], before[k], sizeof(before[k]));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *valid = "";

		if (!strcmp(bad[i].key, "type"))
			valid = "plain or compressed";
		else if (!strcmp(bad[i].key, "physical_size"))
			valid = "0..";
		else if (!strcmp(bad[i].key, "watermarks"))
			valid = "LOW,HIGH with 0 <= LOW < HIGH <= 1000";
		else
			valid = "0 or 1";
		snprintf(want, sizeof(want), "%s=%s: invalid (valid: %s", bad[i].key,
			 bad[i].value, valid);
		EXPECT_PC(1, want, "set %s '%s=%s'", self->name, bad[i].key, bad[i].value);
		EXPECT_NE(NULL, strstr(ERR, "nothing was changed")) TH_LOG("%s", ERR);
		for (k = 0; k < ARRAY_SIZE(settings_changed); k++)
			EXPECT_STREQ(before[k], attr_get(self, settings_changed[k][0], now,
							 sizeof(now)))
				TH_LOG("%s=%s changed %s", bad[i].key, bad[i].value,
				       settings_changed[k][0]);
	}
	/* Just above the capacity: the message gives the range in bytes. */
	snprintf(want, sizeof(want), "physical_size=%ld: invalid (valid: 0..%ld bytes",
		 cap + 4096, cap);
	EXPECT_PC(1, want, "set %s physical_size=%ld", self->name, cap + 4096);
	EXPECT_STREQ(before[1], attr_get(self, "physical_size", now, sizeof(now)));
	ATTR_EQ("offline", "state");

	/* Good values, in order; a dash may stand for an underscore. */
	ASSERT_EQ(0, pc_run("set %s type=compressed physical-size=64M %s", self->name,
			    "numa_balancing=1 compaction=1 checksum=0 watermarks=100,200"))
		TH_LOG("%s", ERR);
	ATTR_EQ("compressed", "type");
	ATTR_EQ("67108864", "physical_size");
	ATTR_EQ("1", "numa_balancing");
	ATTR_EQ("1", "compaction");
	ATTR_EQ("0", "checksum");
	ATTR_EQ("100 200", "watermarks");
	/* The first refused stops the rest, and privctl says what was applied. */
	EXPECT_PC(1, "watermarks=9,1: invalid",
		  "set %s numa_balancing=0 watermarks=9,1 checksum=1", self->name);
	EXPECT_NE(NULL, strstr(ERR, "applied: numa_balancing=0; "
			       "not applied: watermarks=9,1 checksum=1")) TH_LOG("%s", ERR);
	ATTR_EQ("0", "numa_balancing");
	ATTR_EQ("100 200", "watermarks");
	ATTR_EQ("0", "checksum");
	/* Writing the same value again is fine. */
	EXPECT_PC(0, NULL, "set %s type=compressed", self->name);

	/* Online takes them. */
	ASSERT_EQ(0, pc_run("online %s", self->name)) TH_LOG("%s", ERR);
	snprintf(want, sizeof(want), "%s: " PM_DAX ", node %d, compressed", self->name,
		 self->nid);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	ATTR_EQ("online", "state");
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ((__u32)PRIVMEM_TYPE_COMPRESSED, info.type);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(100U, pr.low);
	EXPECT_EQ(200U, pr.high);
	EXPECT_EQ(64ULL << 20, (unsigned long long)pr.physical_capacity);
	ATTR_EQ("0", "cram/checksum");
}

/* online and offline: the node comes and goes, the device stays. */
TEST_F_TIMEOUT(pc, online_and_offline, 240)
{
	struct privmem_info info;
	size_t len = 2 << 20;
	char want[160];
	char *p;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	/* Mapped: offline refuses and explains, as destroy does. */
	p = pm_map(self->fd, len, 1);
	ASSERT_NE(NULL, p);
	EXPECT_PC(1, "is busy", "offline %s", self->name);
	EXPECT_NE(NULL, strstr(ERR, "is mapped")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "nothing was lost")) TH_LOG("%s", ERR);
	ATTR_EQ("online", "state");
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	munmap(p, len);

	EXPECT_PC(0, NULL, "offline %s", self->name);
	snprintf(want, sizeof(want), "%s is offline", self->name);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	ATTR_EQ("offline", "state");
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, access(self->devpath, F_OK));
	ATTR_EQ("0", "used");
	ATTR_EQ("", "caps");
	/* Offline: the ioctls and mmap fail with ENXIO; privctl says why. */
	EXPECT_EQ(-1, pm_info(self->fd, &info));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(ENXIO, errno);
	snprintf(want, sizeof(want), "%s is offline", self->name);
	EXPECT_PC(1, want, "pressure %s", self->name);
	EXPECT_PC(1, want, "demotion %s", self->name);
	EXPECT_PC(1, want, "run %s -- true", self->name);
	EXPECT_PC(1, want, "migrate %s --pid %d --range %p --to private", self->name,
		  getpid(), (void *)want);
	EXPECT_PC(1, "privctl set", "pressure %s --watermarks 100,200", self->name);
	/* Again: nothing to do. */
	EXPECT_PC(0, NULL, "offline %s", self->name);
	EXPECT_NE(NULL, strstr(OUT, "offline already")) TH_LOG("%s", OUT);

	EXPECT_PC(0, NULL, "online %s", self->name);
	snprintf(want, sizeof(want), "%s: " PM_DAX ", node %d, plain", self->name,
		 self->nid);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	ATTR_EQ("online", "state");
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	/* The descriptor opened before works again. */
	EXPECT_EQ(0, pm_info(self->fd, &info));
	EXPECT_PC(0, NULL, "online %s", self->name);
	EXPECT_NE(NULL, strstr(OUT, "online already")) TH_LOG("%s", OUT);

	/* By the dax name, and by the node name while offline. */
	EXPECT_PC(0, NULL, "offline " PM_DAX);
	ATTR_EQ("offline", "state");
	EXPECT_PC(0, NULL, "online node%d", self->nid);
	ATTR_EQ("online", "state");
}

/* create with the optional services and settings: the device has them. */
TEST_F_TIMEOUT(pc, create_with_services, 240)
{
	struct json_object *o;
	char caps[256];

	ASSERT_EQ(0, pc_create(_metadata, self, "plain",
			       "--numa-balancing --compaction --watermarks 300,700 --json"));
	o = json_tokener_parse(OUT);
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	EXPECT_STREQ("online", jstr(o, "state"));
	EXPECT_EQ(1, jint(o, "settings.numa_balancing"));
	EXPECT_EQ(1, jint(o, "settings.compaction"));
	EXPECT_EQ(1, jint(o, "settings.checksum"));
	EXPECT_EQ(300, jint(o, "settings.watermarks.low"));
	EXPECT_EQ(700, jint(o, "settings.watermarks.high"));
	EXPECT_EQ(300, jint(o, "pressure.low"));
	json_object_put(o);
	ATTR_EQ("1", "numa_balancing");
	ATTR_EQ("1", "compaction");
	ATTR_EQ("1", "checksum");
	ATTR_EQ("300 700", "watermarks");
	/* The services are in effect. */
	attr_get(self, "caps", caps, sizeof(caps));
	EXPECT_NE(NULL, strstr(caps, "numa_balancing")) TH_LOG("%s", caps);
	EXPECT_NE(NULL, strstr(caps, "compaction")) TH_LOG("%s", caps);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pc_run("destroy %s", self->name)) TH_LOG("%s", ERR);

	/* Without them: the defaults, and no service beyond the type's. */
	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	ATTR_EQ("0", "numa_balancing");
	ATTR_EQ("0", "compaction");
	ATTR_EQ("600 900", "watermarks");
	attr_get(self, "caps", caps, sizeof(caps));
	EXPECT_EQ(NULL, strstr(caps, "numa_balancing")) TH_LOG("%s", caps);
	EXPECT_EQ(NULL, strstr(caps, "compaction")) TH_LOG("%s", caps);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pc_run("destroy %s", self->name)) TH_LOG("%s", ERR);

	ASSERT_EQ(0, pc_create(_metadata, self, "compressed",
			       "--no-checksum --numa-balancing --physical-size 128M"));
	EXPECT_NE(NULL, strstr(OUT, "settings type=compressed physical_size=134217728"))
		TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, " numa_balancing=1 compaction=0 checksum=0 watermarks=600,900"))
		TH_LOG("%s", OUT);
	ATTR_EQ("0", "checksum");
	ATTR_EQ("0", "cram/checksum");
	ATTR_EQ("1", "numa_balancing");
	ATTR_EQ("134217728", "physical_size");
	attr_get(self, "caps", caps, sizeof(caps));
	EXPECT_NE(NULL, strstr(caps, "numa_balancing")) TH_LOG("%s", caps);
}

/* An offline device lists, shows and checks fine, and destroys at once. */
TEST_F_TIMEOUT(pc, info_and_list_of_an_offline_device, 240)
{
	struct json_object *arr, *o, *caps;
	struct privmem_pressure pr;
	const char *top = getenv("PRIVMEM_TOP");
	char want[256], cmd[1024];

	ASSERT_EQ(0, pc_create(_metadata, self, "compressed", "--offline --physical-size 128M"));
	snprintf(want, sizeof(want), "%s: " PM_DAX ", node %d, compressed", self->name,
		 self->nid);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "offline")) TH_LOG("%s", OUT);
	ATTR_EQ("offline", "state");
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	/*
	 * Bound already, offline: create takes it over, but not while it is
	 * open (self->fd): it says so and what to do instead, and changes
	 * nothing. Closed, it is taken over; with --offline and the same
	 * type and size the new device is what the rest of the test expects.
	 */
	snprintf(want, sizeof(want), "%s is open in", self->devpath);
	EXPECT_PC(1, want, "create --dax " PM_DAX " --type plain");
	EXPECT_NE(NULL, strstr(ERR, "privctl online")) TH_LOG("%s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	ATTR_EQ("offline", "state");
	ATTR_EQ("compressed", "type");
	close(self->fd);
	self->fd = -1;
	snprintf(want, sizeof(want), "took over the offline %s", self->name);
	EXPECT_PC(0, want,
		  "create --dax " PM_DAX " --type compressed --offline --physical-size 128M");
	ASSERT_EQ(0, pc_find(_metadata, self));
	ATTR_EQ("offline", "state");
	ATTR_EQ("134217728", "physical_size");
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));

	ASSERT_EQ(0, pc_run("list")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(OUT, self->name)) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, " offline ")) TH_LOG("%s", OUT);

	ASSERT_EQ(0, pc_run("list --json")) TH_LOG("%s", ERR);
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr) TH_LOG("%s", OUT);
	o = find_dev(arr, self->name);
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	EXPECT_STREQ("offline", jstr(o, "state"));
	EXPECT_STREQ("compressed", jstr(o, "type"));
	EXPECT_STREQ("compressed", jstr(o, "settings.type"));
	EXPECT_EQ(self->nid, jint(o, "node"));
	EXPECT_EQ(0, jint(o, "used"));
	EXPECT_EQ(0, jint(o, "free"));
	EXPECT_EQ(128 << 20, jint(o, "settings.physical_size"));
	EXPECT_EQ(1, jint(o, "settings.checksum"));
	EXPECT_EQ(600, jint(o, "settings.watermarks.low"));
	EXPECT_EQ(600, jint(o, "pressure.low"));
	ASSERT_TRUE(json_object_object_get_ex(o, "caps", &caps));
	EXPECT_EQ(0U, json_object_array_length(caps));
	/* No memory, so no physical side, even for root. */
	EXPECT_FALSE(json_object_object_get_ex(o, "physical", NULL));
	json_object_put(arr);

	ASSERT_EQ(0, pc_run("list --json --node %d", self->nid)) TH_LOG("%s", ERR);
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr);
	EXPECT_EQ(1U, json_object_array_length(arr));
	json_object_put(arr);

	ASSERT_EQ(0, pc_run("info %s", self->name)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(OUT, "offline (no memory")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "physical_size=134217728")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "low 600, high 900")) TH_LOG("%s", OUT);
	ASSERT_EQ(0, pc_run("info " PM_DAX " --json")) TH_LOG("%s", ERR);
	o = json_tokener_parse(OUT);
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	EXPECT_STREQ("offline", jstr(o, "state"));
	json_object_put(o);

	/* The schema checker takes an offline device. */
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/lib/privctl_schema.py %s",
		 top ? top : ".", PRIVCTL);
	EXPECT_EQ(0, system(cmd));

	/* Online, the settings written offline are the node's. */
	ASSERT_EQ(0, pc_run("online %s", self->name)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(128ULL << 20, (unsigned long long)pr.physical_capacity);
	ASSERT_EQ(0, pc_run("offline %s", self->name)) TH_LOG("%s", ERR);

	/* An offline device is released at once. */
	close(self->fd);
	self->fd = -1;
	EXPECT_PC(0, NULL, "destroy %s", self->name);
	EXPECT_NE(NULL, strstr(OUT, "back on device_dax")) TH_LOG("%s", OUT);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_NE(0, access(self->devpath, F_OK));
}

/* How many pages of the range are on @nid, by move_pages(2) query. */
static long on_node(void *p, size_t len, int nid)
{
	return pm_count_on_node(p, len / PM_PAGE, nid);
}

static struct json_object *pc_json(void)
{
	return json_tokener_parse(OUT);
}

TEST_F_TIMEOUT(pc, migrate_matches_move_pages, 180)
{
	size_t len = 1 << 20, np = len / PM_PAGE;
	struct json_object *o;
	char *p;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 3);

	ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to private --json",
			    getpid(), p)) TH_LOG("%s", ERR);
	o = pc_json();
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	EXPECT_EQ((int64_t)np, jint(o, "moved") + jint(o, "failed"));
	EXPECT_EQ(jint(o, "moved"), on_node(p, len, self->nid));
	EXPECT_LE(jint(o, "failed"), 2);
	json_object_put(o);

	/* Again: already there. */
	ASSERT_EQ(0, pc_run("migrate %s --pid %d --range %p:256K --to private --json",
			    self->name, getpid(), p));
	o = pc_json();
	ASSERT_NE(NULL, o);
	EXPECT_EQ(on_node(p, 256 << 10, self->nid), jint(o, "already"));
	json_object_put(o);

	/* Out to node 1, named. */
	ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to dram:1", getpid(), p));
	EXPECT_NE(NULL, strstr(OUT, "moved")) TH_LOG("%s", OUT);
	EXPECT_EQ((long)np, on_node(p, len, 1));
	EXPECT_EQ(0, on_node(p, len, self->nid));

	/* Back in, then out to the nearest DRAM node. */
	ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to private", getpid(), p));
	ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to dram --json", getpid(), p));
	o = pc_json();
	ASSERT_NE(NULL, o);
	EXPECT_EQ(0, on_node(p, len, self->nid));
	EXPECT_EQ(jint(o, "moved"), on_node(p, len, 0) + on_node(p, len, 1) -
		  jint(o, "already"));
	json_object_put(o);

	/* Untouched pages are reported absent. */
	{
		char *q = pm_anon(len, 0);

		ASSERT_NE(NULL, q);
		ASSERT_EQ(0, pc_run("migrate --pid %d --range %p:1M --to private --json",
				    getpid(), q));
		o = pc_json();
		ASSERT_NE(NULL, o);
		EXPECT_EQ((int64_t)np, jint(o, "absent"));
		json_object_put(o);
	}
}

TEST_F_TIMEOUT(pc, migrate_all_of_another_process, 300)
{
	size_t len = 2 << 20;
	int ready[2], go[2];
	void *pages[512];
	int status[512];
	char *p, c;
	pid_t pid;
	size_t i;
	long on = 0;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pm_fill(p, len, 9);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));

	EXPECT_EQ(0, pc_run("migrate --pid %d --all --to private", pid)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(OUT, "moved")) TH_LOG("%s", OUT);
	for (i = 0; i < len / PM_PAGE; i++)
		pages[i] = p + i * PM_PAGE;
	ASSERT_EQ(0, move_pages(pid, len / PM_PAGE, pages, NULL, status, 0));
	for (i = 0; i < len / PM_PAGE; i++)
		on += status[i] == self->nid;
	EXPECT_GE(on, (long)(len / PM_PAGE) - 2);

	EXPECT_EQ(0, pc_run("migrate --pid %d --all --to dram", pid));
	ASSERT_EQ(0, move_pages(pid, len / PM_PAGE, pages, NULL, status, 0));
	on = 0;
	for (i = 0; i < len / PM_PAGE; i++)
		on += status[i] == self->nid;
	EXPECT_EQ(0, on);

	write(go[1], "g", 1);
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(pc, migrate_kernel_errors, 180)
{
	size_t len = 256 << 10;
	char *p, *hole;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	memset(p, 1, len);

	/* ESRCH */
	EXPECT_PC(1, "no process with pid 999999",
		  "migrate --pid 999999 --range %p:4K --to private", p);
	/* EFAULT: a range that is not mapped */
	hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, len);
	EXPECT_PC(1, "is not entirely mapped", "migrate --pid %d --range %p:256K --to private",
		  getpid(), hole);
	EXPECT_NE(NULL, strstr(ERR, "nothing was moved")) TH_LOG("%s", ERR);
	/* EINVAL: the private node itself is not DRAM */
	EXPECT_PC(1, "is not a normal memory node", "migrate --pid %d --range %p:4K --to dram:%d",
		  getpid(), p, self->nid);
	/* ENOSPC: maximum pressure */
	EXPECT_PC(0, NULL, "pressure %s --inject 1000", self->name);
	EXPECT_PC(1, "is at maximum pressure", "migrate --pid %d --range %p:256K --to private",
		  getpid(), p);
	EXPECT_EQ(0, on_node(p, len, self->nid));
	EXPECT_PC(0, NULL, "pressure %s --clear", self->name);
	/* Two private nodes would need a name; one is enough here. */
	EXPECT_PC(0, NULL, "migrate --pid %d --range %p:256K --to private", getpid(), p);

	/* EPERM: an unprivileged user with access to the device. */
	ASSERT_EQ(0, chmod(self->devpath, 0666));
	EXPECT_EQ(1, pc_run_as(NOBODY, "migrate --pid %d --range %p:4K --to dram",
			       getpid(), p));
	EXPECT_NE(NULL, strstr(ERR, "not allowed to move the pages")) TH_LOG("%s", ERR);
	chmod(self->devpath, 0600);
	/* EACCES: the device is root's */
	EXPECT_EQ(1, pc_run_as(NOBODY, "migrate --pid %d --range %p:4K --to dram",
			       getpid(), p));
	EXPECT_NE(NULL, strstr(ERR, "permission denied")) TH_LOG("%s", ERR);
}

/* Is @nid in some /sys/devices/virtual/memory_tiering tier's nodelist? */
static int tier_of(int nid)
{
	char path[128];
	int t;

	for (t = 0; t < 4096; t++) {
		char buf[128], *s, *save;

		snprintf(path, sizeof(path),
			 "/sys/devices/virtual/memory_tiering/memory_tier%d/nodelist", t);
		if (pm_read_str(path, buf, sizeof(buf)))
			continue;
		for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			int a, b;

			if (sscanf(s, "%d-%d", &a, &b) == 2 ? nid >= a && nid <= b :
			    atoi(s) == nid)
				return t;
		}
	}
	return -1;
}

TEST_F_TIMEOUT(pc, demotion_matches_memory_tiers, 180)
{
	struct privmem_demotion d = { .size = sizeof(d) };
	struct json_object *o;
	char buf[256], want[64];
	int tier;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	ASSERT_EQ(0, pc_run("demotion %s", self->name));
	EXPECT_NE(NULL, strstr(OUT, "demotion disabled")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "memory tier    none")) TH_LOG("%s", OUT);
	EXPECT_EQ(-1, tier_of(self->nid));

	ASSERT_EQ(0, pc_run("demotion %s --enable --json", self->name)) TH_LOG("%s", ERR);
	o = pc_json();
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	tier = tier_of(self->nid);
	EXPECT_GE(tier, 0);
	snprintf(want, sizeof(want), "memory_tier%d", tier);
	EXPECT_STREQ(want, jstr(o, "memory_tier"));
	EXPECT_EQ(1, jint(o, "enabled"));
	EXPECT_EQ(1, jint(o, "all_sources"));
	json_object_put(o);
	snprintf(buf, sizeof(buf), "%s/demotion", self->syspath);
	EXPECT_EQ(1, pm_read_long(buf));
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_TRUE(d.flags & PRIVMEM_DEMOTION_ENABLE);

	/* Sources: node 1 only. */
	ASSERT_EQ(0, pc_run("demotion %s --from 1", self->name)) TH_LOG("%s", ERR);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ((__u32)PRIVMEM_DEMOTION_ENABLE, d.flags);
	EXPECT_EQ(2ULL, d.sources[0]);
	snprintf(buf, sizeof(buf), "%s/demotion_sources", self->syspath);
	{
		char s[64];

		pm_read_str(buf, s, sizeof(s));
		EXPECT_STREQ("1", s);
	}
	EXPECT_NE(NULL, strstr(OUT, "sources        1")) TH_LOG("%s", OUT);

	/* A node without normal memory cannot be a source. */
	EXPECT_PC(1, "has no normal memory", "demotion %s --from %d", self->name, self->nid);
	/* Unprivileged: EPERM from the kernel. */
	ASSERT_EQ(0, chmod(self->devpath, 0666));
	EXPECT_EQ(1, pc_run_as(NOBODY, "demotion %s --disable", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs CAP_SYS_ADMIN")) TH_LOG("%s", ERR);
	EXPECT_EQ(0, pc_run_as(NOBODY, "demotion %s", self->name));
	chmod(self->devpath, 0600);

	ASSERT_EQ(0, pc_run("demotion %s --disable --from all", self->name));
	EXPECT_EQ(-1, tier_of(self->nid));
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	ASSERT_EQ(0, ioctl(self->fd, PRIVMEM_IOC_GET_DEMOTION, &d));
	EXPECT_EQ((__u32)PRIVMEM_DEMOTION_ALL_SOURCES, d.flags);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read a line from @fd within @timeout seconds. Returns its length or -1. */
static int read_line(int fd, char *buf, size_t len, double timeout)
{
	double end = now() + timeout;
	size_t n = 0;

	while (n < len - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = (int)((end - now()) * 1000);

		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			return -1;
		if (read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

/* Wait until @pid sleeps in poll(2)/ppoll(2) (x86-64 syscall 7 or 271). */
static int wait_in_poll(pid_t pid, double timeout)
{
	double end = now() + timeout;
	char path[64], buf[64];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	while (now() < end) {
		if (!pm_read_str(path, buf, sizeof(buf))) {
			nr = strtol(buf, NULL, 10);
			if (nr == 7 || nr == 271)
				return 0;
		}
		usleep(20000);
	}
	return -1;
}

TEST_F_TIMEOUT(pc, pressure_watch_sees_injected_crossing, 120)
{
	struct privmem_pressure pr;
	char line[512], *argv[6];
	int out[2], status;
	double t0, dt;
	pid_t pid;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", "--watermarks 300,700"));
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(300U, pr.low);
	EXPECT_EQ(700U, pr.high);

	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		argv[0] = PRIVCTL;
		argv[1] = "pressure";
		argv[2] = self->name;
		argv[3] = "--watch";
		argv[4] = NULL;
		execv(PRIVCTL, argv);
		_exit(98);
	}
	close(out[1]);
	ASSERT_LT(0, read_line(out[0], line, sizeof(line), 10));
	EXPECT_NE(NULL, strstr(line, "watching")) TH_LOG("%s", line);

	t0 = now();
	ASSERT_EQ(0, pm_inject(self->fd, 800, 0));
	ASSERT_LT(0, read_line(out[0], line, sizeof(line), 1.0)) TH_LOG("no crossing within 1s");
	dt = now() - t0;
	EXPECT_LT(dt, 1.0);
	EXPECT_NE(NULL, strstr(line, "level 800")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "normal -> high")) TH_LOG("%s", line);

	t0 = now();
	ASSERT_EQ(0, pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR));
	ASSERT_LT(0, read_line(out[0], line, sizeof(line), 1.0));
	EXPECT_NE(NULL, strstr(line, "high -> normal")) TH_LOG("%s", line);
	EXPECT_LT(now() - t0, 1.0);

	/* Interrupted: it stops cleanly. */
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(out[0]);

	/* --count with JSON lines ends by itself. */
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		execl(PRIVCTL, PRIVCTL, "pressure", self->name, "--watch", "--count",
		      "1", "--json", (char *)NULL);
		_exit(98);
	}
	close(out[1]);
	/* let it take its baseline: it is in poll() when that is done */
	ASSERT_EQ(0, wait_in_poll(pid, 20.0));
	ASSERT_EQ(0, pm_inject(self->fd, 500, 0));
	ASSERT_LT(0, read_line(out[0], line, sizeof(line), 2.0));
	{
		struct json_object *o = json_tokener_parse(line);

		ASSERT_NE(NULL, o) TH_LOG("%s", line);
		EXPECT_EQ(500, jint(o, "level"));
		EXPECT_STREQ("elevated", jstr(o, "state"));
		EXPECT_STREQ("normal", jstr(o, "previous_state"));
		json_object_put(o);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(out[0]);
	pm_inject(self->fd, 0, PRIVMEM_INJECT_CLEAR);
}

TEST_F(pc, pressure_show_set_and_errors)
{
	struct privmem_pressure pr;
	struct json_object *o;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	ASSERT_EQ(0, pc_run("pressure %s", self->name));
	EXPECT_NE(NULL, strstr(OUT, "low 600, high 900")) TH_LOG("%s", OUT);
	ASSERT_EQ(0, pc_run("pressure %s --watermarks 100,200", self->name));
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(100U, pr.low);
	EXPECT_EQ(200U, pr.high);
	ASSERT_EQ(0, pc_run("pressure %s --inject 150 --json", self->name));
	o = pc_json();
	ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ((int64_t)pr.level, jint(o, "level"));
	EXPECT_EQ(150, jint(o, "level"));
	EXPECT_EQ(1, jint(o, "injected"));
	EXPECT_STREQ("elevated", jstr(o, "state"));
	EXPECT_EQ((int64_t)pr.events, jint(o, "events"));
	json_object_put(o);
	ASSERT_EQ(0, pc_run("pressure %s --clear --watermarks 600,900", self->name));
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_FALSE(pr.flags & PRIVMEM_PRESSURE_INJECTED);
	EXPECT_EQ(600U, pr.low);

	/* Unprivileged: reading works, changing gets EPERM, explained. */
	ASSERT_EQ(0, chmod(self->devpath, 0666));
	EXPECT_EQ(0, pc_run_as(NOBODY, "pressure %s", self->name));
	EXPECT_EQ(1, pc_run_as(NOBODY, "pressure %s --inject 10", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs CAP_SYS_ADMIN")) TH_LOG("%s", ERR);
	EXPECT_EQ(1, pc_run_as(NOBODY, "pressure %s --watermarks 1,2", self->name));
	EXPECT_NE(NULL, strstr(ERR, "needs CAP_SYS_ADMIN")) TH_LOG("%s", ERR);
	chmod(self->devpath, 0600);
	EXPECT_EQ(1, pc_run_as(NOBODY, "pressure %s", self->name));
	EXPECT_NE(NULL, strstr(ERR, "permission denied")) TH_LOG("%s", ERR);
	/* list still works for anyone, from sysfs. */
	EXPECT_EQ(0, pc_run_as(NOBODY, "list --json"));
	EXPECT_NE(NULL, strstr(OUT, self->name));
}

/*
 * "privctl_test --where": the command privctl run starts. It writes 1 MiB
 * of anonymous memory and prints how many of its pages move_pages(2) finds
 * on each node, and its /proc/self/numa_maps line for that memory.
 */
static int where_child(void)
{
	size_t len = 1 << 20, np = len / PM_PAGE, i;
	int counts[8] = { 0 };
	char *p = pm_anon(len, 0);

	if (!p)
		return 3;
	memset(p, 7, len);
	for (i = 0; i < 8; i++)
		counts[i] = (int)pm_count_on_node(p, np, i);
	for (i = 0; i < 8; i++)
		printf("node%zu=%d\n", i, counts[i]);
	/* and the kernel's own account of the mapping */
	{
		char line[1024], start[32];
		FILE *f = fopen("/proc/self/numa_maps", "r");

		snprintf(start, sizeof(start), "%lx ", (unsigned long)p);
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, start, strlen(start)))
				printf("numa_maps: %s", line);
		if (f)
			fclose(f);
	}
	return 0;
}

static long where_count(int nid)
{
	char key[32], *at;

	snprintf(key, sizeof(key), "node%d=", nid);
	at = strstr(OUT, key);
	return at ? atol(at + strlen(key)) : -1;
}

TEST_F_TIMEOUT(pc, run_binds_memory_to_the_node, 120)
{
	char self_exe[512];
	ssize_t n;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_GT(n, 0);
	self_exe[n] = '\0';

	/* timeout: a kernel that cannot fault under the policy must not hang us */
	ASSERT_EQ(0, pc_run("run %s -- timeout 20 %s --where", self->name, self_exe))
		TH_LOG("%s", ERR);
	EXPECT_EQ(256, where_count(self->nid)) TH_LOG("%s", OUT);
	/* numa_maps counts pages on private nodes too (patch 0015). */
	{
		char want[32], *at;

		snprintf(want, sizeof(want), " N%d=", self->nid);
		at = strstr(OUT, want);
		EXPECT_NE(NULL, at) TH_LOG("%s", OUT);
		if (at)
			EXPECT_LE(256, atol(at + strlen(want))) TH_LOG("%s", OUT);
	}
	/* The policy is the command's: cat sees it in its numa_maps. */
	ASSERT_EQ(0, pc_run("run %s -- timeout 20 cat /proc/self/status /proc/self/numa_maps",
			    self->name));
	{
		char want[32];

		snprintf(want, sizeof(want), " bind:%d", self->nid);
		EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	}

	/* Options after DEV, and MPOL_PREFERRED. */
	EXPECT_PC(0, NULL, "run %s --preferred -- timeout 20 %s --where", self->name, self_exe);
	EXPECT_EQ(256, where_count(self->nid)) TH_LOG("%s", OUT);
	EXPECT_PC(127, "cannot run", "run %s -- /nonexistent/command", self->name);
	EXPECT_PC(2, "no command to run", "run %s --", self->name);
}

TEST_F_TIMEOUT(pc, compressed_node, 180)
{
	struct privmem_info info;
	struct privmem_pressure pr;
	struct json_object *arr, *o;
	size_t len = 256 << 10;
	char path[256];
	char *p;

	ASSERT_EQ(0, pc_create(_metadata, self, "compressed",
			       "--physical-size 256M --watermarks 100,200"));
	EXPECT_STREQ("", ERR);
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ((__u32)PRIVMEM_TYPE_COMPRESSED, info.type);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(100U, pr.low);
	EXPECT_EQ(200U, pr.high);
	/* The size went to the device's attribute and the device has it. */
	snprintf(path, sizeof(path), "%s/physical_size", self->syspath);
	EXPECT_EQ(256L << 20, pm_read_long(path));
	EXPECT_EQ(256ULL << 20, (unsigned long long)pr.physical_capacity);

	EXPECT_PC(1, "is a compressed node", "run %s -- true", self->name);
	EXPECT_NE(NULL, strstr(ERR, "read-only")) TH_LOG("%s", ERR);

	ASSERT_EQ(0, pc_run("list --json"));
	arr = json_tokener_parse(OUT);
	ASSERT_NE(NULL, arr);
	o = find_dev(arr, self->name);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("compressed", jstr(o, "type"));
	EXPECT_EQ((int64_t)pr.physical_capacity, jint(o, "physical.capacity"));
	EXPECT_EQ((int64_t)pr.physical_used, jint(o, "physical.used"));
	json_object_put(arr);

	/* Migration into a compressed node is a demotion. */
	p = pm_anon(len, 0);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 5);
	EXPECT_PC(0, NULL, "migrate --pid %d --range %p:256K --to private", getpid(), p);
	EXPECT_EQ((long)(len / PM_PAGE), on_node(p, len, self->nid));
	EXPECT_PC(0, NULL, "migrate --pid %d --range %p:256K --to dram", getpid(), p);
	EXPECT_EQ(0, on_node(p, len, self->nid));
}

/*
 * The kernel refuses a setting of create (a physical size larger than the
 * node): privctl names the setting and its valid values, and dax0.0 is
 * unbound from privmem and back on device_dax. The next create without
 * --physical-size has the default (a new device, new settings).
 */
TEST_F_TIMEOUT(pc, create_undoes_a_refused_setting, 180)
{
	struct privmem_pressure pr;
	struct privmem_info info;
	struct pm_binding b = { };
	char want[256];
	long cap;

	EXPECT_PC(1, "physical_size=64G: invalid (valid: 0..",
		  "create --dax " PM_DAX " --type compressed --physical-size 64G");
	EXPECT_NE(NULL, strstr(ERR, "nothing changed")) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));
	EXPECT_NE(0, pm_find_dev(&b));

	/* The create --offline of an idle device: its capacity, for the message. */
	ASSERT_EQ(0, pc_create(_metadata, self, "compressed", "--offline"));
	snprintf(want, sizeof(want), "%s/capacity", self->syspath);
	cap = pm_read_long(want);
	ASSERT_GT(cap, 0);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pc_run("destroy %s", self->name)) TH_LOG("%s", ERR);
	EXPECT_PC(1, "invalid", "create --dax " PM_DAX " --type compressed --physical-size %ld",
		  cap + 4096);
	snprintf(want, sizeof(want), "(valid: 0..%ld bytes", cap);
	EXPECT_NE(NULL, strstr(ERR, want)) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));

	/* The refused size is gone: the default is half the logical size. */
	ASSERT_EQ(0, pc_create(_metadata, self, "compressed", NULL));
	ASSERT_EQ(0, pm_info(self->fd, &info));
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(info.capacity / 2, pr.physical_capacity);
	snprintf(want, sizeof(want), "%s/physical_size", self->syspath);
	EXPECT_EQ(0, pm_read_long(want));
}

/*
 * dax0.0 bound to privmem, its device offline, as privmem leaves the dax
 * device of a CXL RAM region it binds on sight: create takes it over
 * (not while /dev/privmemN is open: refused, nothing changed) and brings
 * it online with the type and settings asked for, not those of the
 * device taken over. Online, it is a private node already: refused.
 */
TEST_F_TIMEOUT(pc, create_takes_over_an_offline_device, 240)
{
	struct privmem_info info;
	char want[256];

	ASSERT_EQ(0, pc_create(_metadata, self, "plain",
			       "--offline --numa-balancing --compaction --watermarks 300,700"));
	ATTR_EQ("offline", "state");

	snprintf(want, sizeof(want), "%s is open in", self->devpath);
	EXPECT_PC(1, want, "create --dax " PM_DAX " --type compressed");
	snprintf(want, sizeof(want), "pid %d", getpid());
	EXPECT_NE(NULL, strstr(ERR, want)) TH_LOG("no holder named: %s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(0, access(self->syspath, F_OK));
	ATTR_EQ("offline", "state");
	ATTR_EQ("plain", "type");
	ATTR_EQ("1", "numa_balancing");
	ATTR_EQ("300 700", "watermarks");

	close(self->fd);
	self->fd = -1;
	snprintf(want, sizeof(want), "took over the offline %s", self->name);
	EXPECT_PC(0, want, "create --dax " PM_DAX
		  " --type compressed --physical-size 64M --watermarks 100,200");
	ASSERT_EQ(0, pc_find(_metadata, self));
	snprintf(want, sizeof(want), "%s: " PM_DAX ", node %d, compressed", self->name,
		 self->nid);
	EXPECT_NE(NULL, strstr(OUT, want)) TH_LOG("%s", OUT);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	ATTR_EQ("online", "state");
	ATTR_EQ("compressed", "type");
	ATTR_EQ("67108864", "physical_size");
	ATTR_EQ("100 200", "watermarks");
	/* A device bound anew: the defaults where create gave nothing. */
	ATTR_EQ("0", "numa_balancing");
	ATTR_EQ("0", "compaction");
	ATTR_EQ("1", "checksum");
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
	ASSERT_EQ(0, pm_info(self->fd, &info));
	EXPECT_EQ((__u32)PRIVMEM_TYPE_COMPRESSED, info.type);

	EXPECT_PC(1, PM_DAX " is already a private node", "create --dax " PM_DAX " --type plain");
	ATTR_EQ("online", "state");
	ATTR_EQ("compressed", "type");
}

/*
 * A create that fails after it took the offline device over (the kernel
 * refuses a physical size beyond the node's capacity) puts dax0.0 back:
 * bound to privmem, offline, with every setting the device had (none of
 * them the default, so a device bound anew would show the difference),
 * and the device comes online with them.
 */
TEST_F_TIMEOUT(pc, create_failed_takeover_restores_the_device, 240)
{
	char before[ARRAY_SIZE(settings_changed)][128], after[128], want[256];
	struct privmem_pressure pr;
	size_t i;

	ASSERT_EQ(0, pc_create(_metadata, self, "compressed",
			       "--offline -p 96M --numa-balancing --no-checksum -w 150,250"));
	ASSERT_EQ(0, pc_run("set %s compaction=1", self->name)) TH_LOG("%s", ERR);
	close(self->fd);
	self->fd = -1;
	for (i = 0; i < ARRAY_SIZE(settings_changed); i++)
		attr_get(self, settings_changed[i][0], before[i], sizeof(before[i]));
	EXPECT_STREQ("compressed", before[0]);
	EXPECT_STREQ("100663296", before[1]);
	EXPECT_STREQ("1", before[2]);
	EXPECT_STREQ("1", before[3]);
	EXPECT_STREQ("0", before[4]);
	EXPECT_STREQ("150 250", before[5]);

	snprintf(want, sizeof(want), "took over the offline %s", self->name);
	EXPECT_PC(1, want, "create --dax " PM_DAX
		  " --type compressed --physical-size 64G --watermarks 300,700");
	EXPECT_NE(NULL, strstr(ERR, "physical_size=64G: invalid")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "back on privmem as")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "nothing changed")) TH_LOG("%s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	ASSERT_EQ(0, pc_find(_metadata, self));
	ATTR_EQ("offline", "state");
	for (i = 0; i < ARRAY_SIZE(settings_changed); i++) {
		attr_get(self, settings_changed[i][0], after, sizeof(after));
		EXPECT_STREQ(before[i], after) TH_LOG("%s", settings_changed[i][0]);
	}
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->nid));

	ASSERT_EQ(0, pc_run("online %s", self->name)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, pm_pressure(self->fd, &pr));
	EXPECT_EQ(96ULL << 20, (unsigned long long)pr.physical_capacity);
	EXPECT_EQ(150U, pr.low);
	EXPECT_EQ(250U, pr.high);
	ATTR_EQ("0", "cram/checksum");
}

/*
 * dax_cxl sets memmap_on_memory, which a compressed node cannot have:
 * create --type compressed writes 0 to it while dax0.0 is unbound, coming
 * from device_dax or taken over from privmem, and a create that fails
 * writes 1 back. A plain node keeps it. Needs
 * memory_hotplug.memmap_on_memory=1 (scripts/host/run-guest.sh passes it).
 */
TEST_F_TIMEOUT(pc, create_compressed_clears_memmap_on_memory, 300)
{
	char want[256];

	ASSERT_STREQ("device_dax", dax_driver_of(PM_DAX));
	ASSERT_EQ(0, memmap_set(self, "1")) {
		TH_LOG("memory_hotplug.memmap_on_memory=1 missing from the kernel command line?");
	}
	ASSERT_EQ(1, pm_read_long(MEMMAP_ATTR));

	/* From device_dax, failing (the kernel refuses the size): 1 again. */
	EXPECT_PC(1, "physical_size=64G: invalid",
		  "create --dax " PM_DAX " --type compressed --physical-size 64G");
	EXPECT_NE(NULL, strstr(ERR, "memmap_on_memory was 1, wrote 0")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "back on device_dax; nothing changed")) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_EQ(1, pm_read_long(MEMMAP_ATTR));

	/* From device_dax: 0, and the compressed node comes online. */
	ASSERT_EQ(0, pc_create(_metadata, self, "compressed", NULL));
	EXPECT_NE(NULL, strstr(ERR, "memmap_on_memory was 1, wrote 0")) TH_LOG("%s", ERR);
	EXPECT_EQ(0, pm_read_long(MEMMAP_ATTR));
	ATTR_EQ("online", "state");
	ATTR_EQ("compressed", "type");
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pc_run("destroy %s", self->name)) TH_LOG("%s", ERR);
	ASSERT_STREQ("device_dax", dax_driver_of(PM_DAX));

	/* A plain node keeps it: bound offline, as privmem binds a CXL device. */
	ASSERT_EQ(0, memmap_set(self, "1"));
	ASSERT_EQ(0, pc_create(_metadata, self, "plain", "--offline"));
	EXPECT_EQ(NULL, strstr(ERR, "memmap_on_memory")) TH_LOG("%s", ERR);
	EXPECT_EQ(1, pm_read_long(MEMMAP_ATTR));
	close(self->fd);
	self->fd = -1;

	/* Taken over, failing: 1 again, bound to privmem, offline, plain. */
	snprintf(want, sizeof(want), "took over the offline %s", self->name);
	EXPECT_PC(1, want, "create --dax " PM_DAX " --type compressed --physical-size 64G");
	EXPECT_NE(NULL, strstr(ERR, "memmap_on_memory was 1, wrote 0")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "back on privmem as")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "nothing changed")) TH_LOG("%s", ERR);
	EXPECT_STREQ("privmem", dax_driver_of(PM_DAX));
	EXPECT_EQ(1, pm_read_long(MEMMAP_ATTR));
	ASSERT_EQ(0, pc_find(_metadata, self));
	ATTR_EQ("offline", "state");
	ATTR_EQ("plain", "type");
	close(self->fd);
	self->fd = -1;

	/* Taken over: 0, and the compressed node comes online. */
	snprintf(want, sizeof(want), "took over the offline %s", self->name);
	EXPECT_PC(0, want, "create --dax " PM_DAX " --type compressed");
	EXPECT_NE(NULL, strstr(ERR, "memmap_on_memory was 1, wrote 0")) TH_LOG("%s", ERR);
	EXPECT_EQ(0, pm_read_long(MEMMAP_ATTR));
	ASSERT_EQ(0, pc_find(_metadata, self));
	ATTR_EQ("online", "state");
	ATTR_EQ("compressed", "type");
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->nid));
}

/* modprobe cannot load privmem: privctl passes modprobe's reason on. */
#define MODPROBE_SAYS \
	"'modprobe privmem' failed: modprobe: FATAL: Module privmem not found (test)"

TEST_F_TIMEOUT(pc, create_when_modprobe_fails, 180)
{
	static const char bin[] = "/tmp/privctl_test.fakebin";
	char path[4096], *old;
	FILE *f;
	int rc;

	/* Nothing is bound, so the module can go. */
	if (!access("/sys/module/privmem", F_OK))
		ASSERT_EQ(0, system("rmmod privmem")) TH_LOG("privmem is in use");
	ASSERT_NE(0, access("/sys/module/privmem", F_OK));

	mkdir(bin, 0755);
	snprintf(path, sizeof(path), "%s/modprobe", bin);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("#!/bin/sh\necho \"modprobe: FATAL: Module $1 not found (test)\" >&2\nexit 1\n", f);
	fclose(f);
	ASSERT_EQ(0, chmod(path, 0755));

	old = strdup(getenv("PATH") ? getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(path, sizeof(path), "%s:%s", bin, old);
	setenv("PATH", path, 1);
	rc = pc_run("create --dax " PM_DAX " --type plain");
	setenv("PATH", old, 1);
	free(old);
	EXPECT_EQ(1, rc) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, MODPROBE_SAYS)) TH_LOG("%s", ERR);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_NE(0, access("/sys/module/privmem", F_OK));

	/* With the real modprobe the driver loads and the create works. */
	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	EXPECT_EQ(0, access("/sys/module/privmem", F_OK));
}

/*
 * Two creates at once, of different types and settings: each node gets
 * the type and the settings it asked for (they are attributes of each
 * device; privctl takes no lock).
 */
TEST_F_TIMEOUT(pc, concurrent_creates_keep_their_types, 300)
{
	struct pm_binding b = { };
	char type[32], path[256], other[64];
	struct json_object *o;
	int i, rc;

	if (strcmp(dax_driver_of("dax1.0"), "device_dax"))
		SKIP(return, "dax1.0 is not on device_dax");
	for (i = 0; i < 3; i++) {
		/* "A & B; wait for A": exit with B's status, or A's if it failed */
		rc = pc_run("create --dax %s --type plain %s >/dev/null & %s %s; %s",
			    PM_DAX, "--watermarks 300,700", PRIVCTL,
			    "create --dax dax1.0 --type compressed --physical-size 64M --json",
			    "r=$?; wait $! && exit $r");
		EXPECT_EQ(0, rc) TH_LOG("%s", ERR);
		ASSERT_EQ(0, pm_find_dev(&b));
		snprintf(path, sizeof(path), "%s/type", b.syspath);
		ASSERT_EQ(0, pm_read_str(path, type, sizeof(type)));
		EXPECT_STREQ("plain", type);
		snprintf(path, sizeof(path), "%s/watermarks", b.syspath);
		ASSERT_EQ(0, pm_read_str(path, type, sizeof(type)));
		EXPECT_STREQ("300 700", type);
		snprintf(path, sizeof(path), "%s/physical_size", b.syspath);
		EXPECT_EQ(0, pm_read_long(path));
		/* dax1.0's create printed its device */
		o = json_tokener_parse(OUT);
		ASSERT_NE(NULL, o) TH_LOG("%s", OUT);
		EXPECT_STREQ("dax1.0", jstr(o, "dax"));
		EXPECT_STREQ("compressed", jstr(o, "type"));
		EXPECT_STREQ("online", jstr(o, "state"));
		EXPECT_EQ(64 << 20, jint(o, "settings.physical_size"));
		EXPECT_EQ(600, jint(o, "settings.watermarks.low"));
		snprintf(other, sizeof(other), "%s", jstr(o, "chardev"));
		json_object_put(o);
		snprintf(path, sizeof(path), "/sys/class/privmem/%s/physical_size", other);
		EXPECT_EQ(64L << 20, pm_read_long(path));
		EXPECT_PC(0, NULL, "info dax1.0");
		EXPECT_NE(NULL, strstr(OUT, "compressed")) TH_LOG("%s", OUT);
		EXPECT_PC(0, NULL, "destroy dax1.0");
		EXPECT_PC(0, NULL, "destroy " PM_DAX);
		EXPECT_STREQ("device_dax", dax_driver_of("dax1.0"));
	}
	if (!strcmp(dax_driver_of("dax1.0"), "privmem"))
		pc_run("destroy dax1.0");
}

/* The device goes away under a running "pressure --watch": exit 1, said. */
TEST_F_TIMEOUT(pc, watch_ends_when_the_device_is_removed, 120)
{
	char line[512];
	int out[2], err[2], status;
	double t0;
	pid_t pid;

	ASSERT_EQ(0, pc_create(_metadata, self, "plain", NULL));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, pipe(err));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execl(PRIVCTL, PRIVCTL, "pressure", self->name, "--watch", (char *)NULL);
		_exit(98);
	}
	close(out[1]);
	close(err[1]);
	ASSERT_LT(0, read_line(out[0], line, sizeof(line), 10));
	EXPECT_NE(NULL, strstr(line, "watching")) TH_LOG("%s", line);

	/* An open, unmapped device can be removed; the watcher is told. */
	EXPECT_PC(0, NULL, "destroy %s", self->name);
	t0 = now();
	ASSERT_LT(0, read_line(err[0], line, sizeof(line), 5.0))
		TH_LOG("the watcher said nothing within 5 s");
	EXPECT_NE(NULL, strstr(line, "was removed")) TH_LOG("%s", line);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_LT(now() - t0, 5.0);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status));
	close(out[0]);
	close(err[0]);
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
}

/*
 * Last: the guest as we found it. A fixture test stopped by a failed
 * ASSERT may skip its teardown; give dax0.0 back to device_dax here.
 */
TEST(guest_left_as_found)
{
	if (!strcmp(dax_driver_of(PM_DAX), "privmem")) {
		TH_LOG(PM_DAX " was left bound to privmem; giving it back");
		EXPECT_EQ(0, pm_write_str(PM_DRV "/unbind", PM_DAX));
	}
	pm_write_str(PM_DRV "/remove_id", PM_DAX);
	if (!strcmp(dax_driver_of(PM_DAX), ""))
		EXPECT_EQ(0, pm_write_str(PM_DEVDAX_DRV "/bind", PM_DAX));
	EXPECT_STREQ("device_dax", dax_driver_of(PM_DAX));
	EXPECT_NE(0, access("/sys/class/privmem/privmem0", F_OK));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--where"))
		return where_child();
	return pm_test_harness_run(argc, argv);
}
