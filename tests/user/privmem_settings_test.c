// SPDX-License-Identifier: GPL-2.0
/*
 * A bound device's settings and state (drivers/privmem/state.c):
 *
 *  - st.defaults_offline: binding leaves the memory offline with the
 *    default settings; the node is not private, used/free/caps read
 *    empty; the device opens, but ioctls and mmaps fail with ENXIO;
 *  - st.settings_apply: settings written offline are what the node comes
 *    online with (caps, physical capacity, checksum, watermarks), they
 *    survive an offline, and a second online uses the changed ones;
 *  - st.refused_while_online: every setting write fails with EBUSY while
 *    online and changes nothing;
 *  - st.bad_values: negative, too large, unknown words, empty and huge
 *    values fail with EINVAL and change nothing;
 *  - st.state_concurrent: two processes write online and offline to the
 *    state at the same time; each write succeeds, and the node ends in
 *    the state the attribute shows;
 *  - st.unbind_while_online: unbinding a mapped online device fails with
 *    EBUSY, data intact; unmapped, it unbinds;
 *  - st.abi_documented: every attribute Documentation/ABI names exists
 *    and reads (plain and compressed, offline and online), every
 *    attribute that exists is documented,
 *    and the module has no parameter but inplace_writes;
 *  - pc.parallel_create: "privctl create" of a compressed node on dax0.0 and
 *    a plain one on dax1.0 at the same time (types swapped every round),
 *    PM_CREATE_ROUNDS times (default 100): each node gets its own type
 *    and physical size.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <time.h>
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MIB	(1024UL * 1024)

static long sys_long(struct pm_binding *b, const char *attr)
{
	return pm_sys_long(b, attr);
}

static int sys_str(struct pm_binding *b, const char *attr, char *buf,
		   size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", b->syspath, attr);
	return pm_read_str(path, buf, len);
}

static int sys_is(struct pm_binding *b, const char *attr, const char *want)
{
	char buf[128];

	return !sys_str(b, attr, buf, sizeof(buf)) && !strcmp(buf, want);
}

FIXTURE(st) {
	struct pm_binding b;
};

FIXTURE_SETUP(st)
{
	ASSERT_EQ(0, pm_rebind_offline(&self->b));
}

FIXTURE_TEARDOWN(st)
{
	if (pm_restore(&self->b))
		TH_LOG("could not put %s back", PM_DAX);
}

TEST_F(st, defaults_offline)
{
	struct privmem_info info;
	void *p;
	int fd;

	EXPECT_TRUE(sys_is(&self->b, "state", "offline"));
	EXPECT_TRUE(sys_is(&self->b, "type", "plain"));
	EXPECT_TRUE(sys_is(&self->b, "physical_size", "0"));
	EXPECT_TRUE(sys_is(&self->b, "numa_balancing", "0"));
	EXPECT_TRUE(sys_is(&self->b, "compaction", "0"));
	EXPECT_TRUE(sys_is(&self->b, "checksum", "1"));
	EXPECT_TRUE(sys_is(&self->b, "watermarks", "600 900"));
	EXPECT_TRUE(sys_is(&self->b, "caps", ""));
	EXPECT_EQ(0, sys_long(&self->b, "used"));
	EXPECT_EQ(0, sys_long(&self->b, "free"));
	EXPECT_GT(sys_long(&self->b, "capacity"), 0);
	EXPECT_EQ(self->b.nid, sys_long(&self->b, "node"));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));

	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, pm_info(fd, &info));
	EXPECT_EQ(ENXIO, errno);
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	/* The same file works once the device is online. */
	ASSERT_EQ(0, pm_online(&self->b));
	EXPECT_EQ(0, pm_info(fd, &info));
	EXPECT_EQ(self->b.nid, info.node);
	EXPECT_EQ(PRIVMEM_TYPE_PLAIN, info.type);
	close(fd);
}

TEST_F_TIMEOUT(st, settings_apply, 180)
{
	char buf[128];

	ASSERT_EQ(0, pm_set(&self->b, "type", "compressed"));
	ASSERT_EQ(0, pm_set(&self->b, "physical_size", "64M"));
	ASSERT_EQ(0, pm_set(&self->b, "numa_balancing", "1"));
	ASSERT_EQ(0, pm_set(&self->b, "checksum", "0"));
	ASSERT_EQ(0, pm_set(&self->b, "watermarks", "100 200"));
	EXPECT_TRUE(sys_is(&self->b, "physical_size", "67108864"));
	ASSERT_EQ(0, pm_online(&self->b));
	EXPECT_TRUE(sys_is(&self->b, "state", "online"));
	EXPECT_EQ(1, pm_node_listed("has_private_memory", self->b.nid));
	ASSERT_EQ(0, sys_str(&self->b, "caps", buf, sizeof(buf)));
	TH_LOG("compressed caps: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "protect_write"));
	EXPECT_NE(NULL, strstr(buf, "numa_balancing"));
	EXPECT_EQ(NULL, strstr(buf, "mempolicy"));
	EXPECT_EQ((long)(64 * MIB), sys_long(&self->b, "cram/physical_capacity"));
	EXPECT_EQ(0, sys_long(&self->b, "cram/checksum"));
	EXPECT_EQ(100, sys_long(&self->b, "pressure/low"));
	EXPECT_EQ(200, sys_long(&self->b, "pressure/high"));

	ASSERT_EQ(0, pm_set(&self->b, "state", "offline"));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	EXPECT_TRUE(sys_is(&self->b, "type", "compressed"));
	EXPECT_TRUE(sys_is(&self->b, "watermarks", "100 200"));
	ASSERT_EQ(0, pm_set(&self->b, "type", "plain"));
	ASSERT_EQ(0, pm_set(&self->b, "compaction", "y"));
	ASSERT_EQ(0, pm_set(&self->b, "numa_balancing", "off"));
	ASSERT_EQ(0, pm_online(&self->b));
	ASSERT_EQ(0, sys_str(&self->b, "caps", buf, sizeof(buf)));
	TH_LOG("plain caps: %s", buf);
	EXPECT_TRUE(sys_is(&self->b, "caps", "migration mempolicy compaction"));
	/* A plain node has no emulated device. */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/cram", self->b.syspath);
		EXPECT_NE(0, access(path, F_OK));
	}
}

/* Every setting and a valid value for it that differs from the current. */
static const struct {
	const char *attr, *value;
} settings[] = {
	{ "type", "compressed" },
	{ "physical_size", "32M" },
	{ "numa_balancing", "1" },
	{ "compaction", "1" },
	{ "checksum", "0" },
	{ "watermarks", "10 20" },
};

TEST_F(st, refused_while_online)
{
	char before[128], after[128];
	size_t i;

	ASSERT_EQ(0, pm_online(&self->b));
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		ASSERT_EQ(0, sys_str(&self->b, settings[i].attr, before,
				     sizeof(before)));
		EXPECT_EQ(-EBUSY, pm_set(&self->b, settings[i].attr,
					 settings[i].value))
			TH_LOG("%s=%s while online", settings[i].attr,
			       settings[i].value);
		ASSERT_EQ(0, sys_str(&self->b, settings[i].attr, after,
				     sizeof(after)));
		EXPECT_STREQ(before, after);
	}
	/* Writing the state it is in is fine. */
	EXPECT_EQ(0, pm_online(&self->b));
	EXPECT_TRUE(sys_is(&self->b, "state", "online"));
}

TEST_F(st, bad_values)
{
	char over[32], before[128], after[128];
	const struct {
		const char *attr, *value;
	} bad[] = {
		{ "type", "fancy" }, { "type", "Plain" }, { "type", "\n" },
		{ "type", "plain compressed" },
		{ "physical_size", "-1" }, { "physical_size", over },
		{ "physical_size", "12Q" }, { "physical_size", "\n" },
		{ "physical_size", "99999999999999999999" },
		{ "physical_size", "1.5G" }, { "physical_size", "+1M" },
		{ "numa_balancing", "2" }, { "numa_balancing", "-1" },
		{ "numa_balancing", "yes please" }, { "numa_balancing", "\n" },
		{ "compaction", "10" }, { "checksum", "maybe" },
		{ "watermarks", "900 600" }, { "watermarks", "0 1001" },
		{ "watermarks", "-1 500" }, { "watermarks", "500" },
		{ "watermarks", "1 2 3" }, { "watermarks", "\n" },
		{ "watermarks", "99999999999999999999 5" },
		{ "watermarks", "100,200" },
		{ "state", "bogus" }, { "state", "\n" }, { "state", "online!" },
	};
	size_t i;

	snprintf(over, sizeof(over), "%ld",
		 sys_long(&self->b, "capacity") + 4096);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, sys_str(&self->b, bad[i].attr, before,
				     sizeof(before)));
		EXPECT_EQ(-EINVAL, pm_set(&self->b, bad[i].attr, bad[i].value))
			TH_LOG("%s=\"%s\"", bad[i].attr, bad[i].value);
		ASSERT_EQ(0, sys_str(&self->b, bad[i].attr, after,
				     sizeof(after)));
		EXPECT_STREQ(before, after);
	}
	/* The largest valid sizes still go in. */
	snprintf(over, sizeof(over), "%ld", sys_long(&self->b, "capacity"));
	EXPECT_EQ(0, pm_set(&self->b, "physical_size", over));
	EXPECT_EQ(0, pm_set(&self->b, "watermarks", "0 1000"));
	EXPECT_TRUE(sys_is(&self->b, "state", "offline"));
}

TEST_F_TIMEOUT(st, state_concurrent, 600)
{
	int i, status, failures = 0;
	pid_t pid[2];
	char state[32];

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i]) {
			unsigned int seed = 7 + i;
			int n, bad = 0;

			for (n = 0; n < 25; n++) {
				const char *w = (rand_r(&seed) & 1) ?
						"online" : "offline";
				int ret = pm_set(&self->b, "state", w);

				if (ret) {
					printf("# %s: %s\n", w, strerror(-ret));
					bad++;
				}
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failures++;
	}
	EXPECT_EQ(0, failures);
	ASSERT_EQ(0, sys_str(&self->b, "state", state, sizeof(state)));
	TH_LOG("ended %s", state);
	EXPECT_EQ(!strcmp(state, "online"),
		  pm_node_listed("has_private_memory", self->b.nid));
	ASSERT_EQ(0, pm_online(&self->b));
	{
		int fd = pm_open(&self->b);
		char *p;

		ASSERT_GE(fd, 0);
		p = pm_map(fd, 4 * MIB, 1);
		ASSERT_NE(NULL, p);
		EXPECT_EQ((long)(4 * MIB / PM_PAGE),
			  pm_count_on_node(p, 4 * MIB / PM_PAGE, self->b.nid));
		munmap(p, 4 * MIB);
		close(fd);
	}
}

TEST_F_TIMEOUT(st, unbind_while_online, 120)
{
	size_t len = 8 * MIB;
	__u64 sum;
	char *p;
	int fd;

	ASSERT_EQ(0, pm_online(&self->b));
	fd = pm_open(&self->b);
	ASSERT_GE(fd, 0);
	p = pm_map(fd, len, 1);
	ASSERT_NE(NULL, p);
	pm_fill(p, len, 9);
	sum = pm_checksum(p, len);
	EXPECT_EQ(-EBUSY, pm_write_str(PM_DRV "/unbind", PM_DAX));
	EXPECT_EQ(-EBUSY, pm_set(&self->b, "state", "offline"));
	EXPECT_TRUE(sys_is(&self->b, "state", "online"));
	EXPECT_EQ(sum, pm_checksum(p, len));
	munmap(p, len);
	EXPECT_EQ(0, pm_unbind(&self->b));
	EXPECT_NE(0, access(self->b.syspath, F_OK));
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	close(fd);
}

/* The attributes Documentation/ABI names under @prefix, one per line. */
static int abi_names(const char *file, const char *prefix, char *out,
		     size_t len)
{
	const char *top = getenv("PRIVMEM_TOP");
	char path[512], line[512];
	size_t used = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Documentation/ABI/testing/%s",
		 top ? top : ".", file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, prefix);

		if (strncmp(line, "What:", 5) || !p)
			continue;
		p += strlen(prefix);
		p[strcspn(p, "\n")] = '\0';
		if (!*p)
			continue;
		used += snprintf(out + used, len - used, "%s\n", p);
	}
	fclose(f);
	return 0;
}

/* Every file of @dir (and of its groups) must be in @names. */
static int undocumented(const char *dir, const char *sub, const char *names,
			char *bad, size_t len)
{
	char path[512], name[256];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "", sub);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "uevent") ||
		    !strcmp(e->d_name, "dev") || !strcmp(e->d_name, "power") ||
		    !strcmp(e->d_name, "subsystem") ||
		    !strcmp(e->d_name, "device"))
			continue;
		snprintf(name, sizeof(name), "%s%s%s\n", sub, *sub ? "/" : "",
			 e->d_name);
		if (e->d_type == DT_DIR && !*sub) {
			name[strlen(name) - 1] = '\0';
			n += undocumented(dir, name, names, bad, len);
			continue;
		}
		if (!strstr(names, name)) {
			strncat(bad, name, len - strlen(bad) - 1);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void check_abi(struct __test_metadata *_metadata, struct pm_binding *b,
		      int compressed)
{
	static char names[8192], bad[1024];
	char path[512], *line, *save = NULL, copy[8192], value[256];
	int missing = 0;

	ASSERT_EQ(0, abi_names("sysfs-class-privmem",
			       "/sys/class/privmem/privmemN/", names,
			       sizeof(names)));
	ASSERT_NE(NULL, strstr(names, "state\n"));
	snprintf(copy, sizeof(copy), "%s", names);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!compressed && !strncmp(line, "cram/", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->syspath, line);
		if (access(path, F_OK)) {
			TH_LOG("documented, missing: %s", line);
			missing++;
			continue;
		}
		/* Every one of them reads, online or offline. */
		if (pm_read_str(path, value, sizeof(value))) {
			TH_LOG("documented, does not read: %s", line);
			missing++;
		}
	}
	EXPECT_EQ(0, missing);
	bad[0] = '\0';
	EXPECT_EQ(0, undocumented(b->syspath, "", names, bad, sizeof(bad)))
		TH_LOG("not documented: %s", bad);
}

TEST_F_TIMEOUT(st, abi_documented, 180)
{
	static char names[2048];
	struct dirent *e;
	DIR *d;

	check_abi(_metadata, &self->b, 0);
	ASSERT_EQ(0, pm_set(&self->b, "type", "compressed"));
	check_abi(_metadata, &self->b, 1);
	ASSERT_EQ(0, pm_online(&self->b));
	check_abi(_metadata, &self->b, 1);

	ASSERT_EQ(0, abi_names("sysfs-bus-dax-drivers-privmem",
			       "/sys/bus/dax/drivers/privmem/", names,
			       sizeof(names)));
	EXPECT_NE(NULL, strstr(names, "unbind\n"));
	EXPECT_EQ(0, access(PM_DRV "/bind", W_OK));
	EXPECT_EQ(0, access(PM_DRV "/unbind", W_OK));
	EXPECT_EQ(0, access(PM_DRV "/new_id", W_OK));
	EXPECT_EQ(0, access(PM_DRV "/remove_id", W_OK));
	EXPECT_NE(0, access(PM_DRV "/type", F_OK));

	ASSERT_EQ(0, abi_names("sysfs-module-privmem",
			       "/sys/module/privmem/parameters/", names,
			       sizeof(names)));
	EXPECT_STREQ("inplace_writes\n", names);
	d = opendir("/sys/module/privmem/parameters");
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			EXPECT_STREQ("inplace_writes", e->d_name);
	closedir(d);
}

/* Run privctl with @args, output to /dev/null: its exit status. */
static int run_privctl(const char *fmt, ...)
{
	const char *b = getenv("PRIVMEM_BUILD");
	char cmd[512], args[256];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s/privctl/privctl %s >/dev/null 2>&1",
		 b ? b : "build", args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Type and physical capacity of the privmem device of @dax. */
static int node_of(const char *dax, char *type, size_t len, long *phys)
{
	struct pm_binding b = { 0 };
	char path[256];

	if (pm_find_dev_of(&b, dax))
		return -1;
	if (sys_str(&b, "type", type, len) || !sys_is(&b, "state", "online"))
		return -1;
	snprintf(path, sizeof(path), "%s/cram/physical_capacity", b.syspath);
	*phys = access(path, F_OK) ? 0 : pm_read_long(path);
	return 0;
}

FIXTURE(pc) {
	int unused;
};

FIXTURE_SETUP(pc)
{
}

FIXTURE_TEARDOWN(pc)
{
}

TEST_F_TIMEOUT(pc, parallel_create, 3600)
{
	const char *r = getenv("PM_CREATE_ROUNDS");
	int rounds = r ? atoi(r) : 100, i, j, wrong = 0;
	time_t t0 = time(NULL);

	if (access("/sys/bus/dax/devices/dax1.0", F_OK))
		SKIP(return, "no dax1.0");
	/* Both devices as found: device_dax. */
	run_privctl("destroy dax0.0");
	run_privctl("destroy dax1.0");
	for (i = 0; i < rounds; i++) {
		const char *dax[2] = { "dax0.0", "dax1.0" };
		const char *type[2] = { i & 1 ? "plain" : "compressed",
					i & 1 ? "compressed" : "plain" };
		long want[2] = { (i % 7 + 1) * 16 * MIB, (i % 5 + 1) * 32 * MIB };
		int status[2];
		pid_t pid[2];

		for (j = 0; j < 2; j++) {
			pid[j] = fork();
			ASSERT_GE(pid[j], 0);
			if (!pid[j] && !strcmp(type[j], "compressed"))
				_exit(run_privctl("create --dax %s --type compressed %s %ld",
						  dax[j], "--physical-size",
						  want[j]));
			if (!pid[j])
				_exit(run_privctl("create --dax %s --type plain",
						  dax[j]));
		}
		for (j = 0; j < 2; j++) {
			char got[32];
			long phys;

			ASSERT_EQ(pid[j], waitpid(pid[j], &status[j], 0));
			EXPECT_EQ(0, WEXITSTATUS(status[j]))
				TH_LOG("round %d: create %s %s failed", i,
				       dax[j], type[j]);
			ASSERT_EQ(0, node_of(dax[j], got, sizeof(got), &phys));
			if (strcmp(got, type[j]) ||
			    phys != (!strcmp(type[j], "compressed") ? want[j] : 0)) {
				TH_LOG("round %d: %s is %s with %ld bytes, asked %s with %ld",
				       i, dax[j], got, phys, type[j], want[j]);
				wrong++;
			}
		}
		for (j = 0; j < 2; j++)
			ASSERT_EQ(0, run_privctl("destroy %s", dax[j]));
		if (wrong)
			break;
	}
	TH_LOG("%d rounds in %ld s", i, (long)(time(NULL) - t0));
	EXPECT_EQ(0, wrong);
}

int main(int argc, char **argv)
{
	if (pm_rebind_restore_at_exit())
		return 1;
	return pm_test_harness_run(argc, argv);
}
