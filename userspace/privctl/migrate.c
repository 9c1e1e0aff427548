// SPDX-License-Identifier: GPL-2.0
/*
 * privctl migrate: move a process's pages to or from a private node with
 * PRIVMEM_IOC_MIGRATE, for one address range or for every mapping of the
 * process (--all, from /proc/PID/maps). Prints moved, failed, already
 * there and not present, in pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <json-c/json.h>
#include "privctl.h"

static const char migrate_usage[] =
"usage: privctl migrate [DEV] --pid PID (--range ADDR[:LEN] | --all)\n"
"                       --to private|dram[:NODE] [--json] [--bytes]\n"
"\n"
"Move pages of a process to a private node, or off it to normal memory\n"
"(the DRAM node nearest the private node, or NODE). Reports how many\n"
"pages moved, failed, were already there, or were not present.\n"
"DEV (privmemN, daxX.Y or nodeN) may be left out when there is only one\n"
"private node; with --to dram and no DEV every private node is emptied.\n"
"\n"
"  -p, --pid PID          the process (needs the rights move_pages(2) needs)\n"
"  -r, --range ADDR[:LEN] start address (hex) and length (K/M/G, default\n"
"                         one page); widened to whole pages\n"
"  -a, --all              every mapping of the process\n"
"  -t, --to WHERE         private, dram, or dram:NODE\n"
"  -A, --async            do not wait for busy pages: count them as failed\n"
"  -j, --json             print the counts as JSON\n"
"  -b, --bytes            print byte counts as well as pages\n"
"  -h, --help             this help\n";

struct counts {
	uint64_t moved, failed, already, absent;
	unsigned int ranges, skipped;
};

struct target {
	bool to_private;
	int node;		/* dram:NODE, or -1 */
};

static long page_size;

static void explain(int err, struct pm_dev *d, int pid, uint64_t addr,
		    uint64_t len, const struct target *t)
{
	switch (err) {
	case ESRCH:
		error("no process with pid %d", pid);
		break;
	case EPERM:
		error("not allowed to move the pages of pid %d: that needs CAP_SYS_NICE and ptrace access to it, as move_pages(2)",
		      pid);
		break;
	case EFAULT:
		error("0x%" PRIx64 "-0x%" PRIx64 " is not entirely mapped in pid %d (see /proc/%d/maps); nothing was moved",
		      addr, addr + len, pid, pid);
		break;
	case ENOSPC:
		error("%s (node %d) is at maximum pressure and refuses new pages; nothing was moved",
		      d->name, d->node);
		break;
	case ENODEV:
		error("%s is being removed", d->name);
		break;
	case ENXIO:
		dev_offline_error(d, err);
		break;
	case ENOMEM:
		error("out of memory while migrating (the target node may be full)");
		break;
	case EINVAL:
		if (!t->to_private && t->node >= 0)
			error("node %d cannot take the pages: it is not a normal memory node",
			      t->node);
		else
			error("the kernel rejected the range 0x%" PRIx64 "+0x%" PRIx64,
			      addr, len);
		break;
	default:
		error("migrating pages of pid %d: %s", pid, strerror(err));
	}
}

/* Returns 0 or the errno of the ioctl. */
static int migrate_one(int fd, int pid, uint64_t addr, uint64_t len,
		       const struct target *t, bool async, struct counts *c)
{
	struct privmem_migrate m = {
		.size = sizeof(m),
		.pid = pid,
		.addr = addr,
		.length = len,
		.target_node = t->to_private ? -1 : t->node,
		.flags = t->to_private ? PRIVMEM_MIGRATE_TO_NODE :
					 PRIVMEM_MIGRATE_FROM_NODE,
	};

	if (async)
		m.flags |= PRIVMEM_MIGRATE_ASYNC;
	if (ioctl(fd, PRIVMEM_IOC_MIGRATE, &m))
		return errno;
	c->moved += m.moved;
	c->failed += m.failed;
	c->already += m.already;
	c->absent += m.absent;
	c->ranges++;
	return 0;
}

/* Is this /proc/PID/maps line a mapping MIGRATE can work on? */
static bool migratable(const char *line)
{
	static const char * const special[] = {
		"[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]", "[uprobes]",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(special); i++)
		if (strstr(line, special[i]))
			return false;
	return true;
}

static int migrate_all(int fd, struct pm_dev *d, int pid,
		       const struct target *t, bool async, struct counts *c)
{
	char path[64], line[1024];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			error("no process with pid %d", pid);
		else
			error("cannot read %s: %s", path, strerror(errno));
		return errno == ENOENT ? ESRCH : errno;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3)
			continue;
		if (!migratable(line) || !strncmp(perms, "---", 3)) {
			c->skipped++;
			continue;
		}
		err = migrate_one(fd, pid, s, e - s, t, async, c);
		if (err == EFAULT || err == EINVAL) {
			/* Gone meanwhile, or a mapping migration cannot touch. */
			c->skipped++;
			err = 0;
			continue;
		}
		if (err) {
			explain(err, d, pid, s, e - s, t);
			break;
		}
	}
	fclose(f);
	return err;
}

static int parse_range(const char *s, uint64_t *addr, uint64_t *len)
{
	const char *colon = strchr(s, ':');
	char *end;

	errno = 0;
	*addr = strtoull(s, &end, 16);
	if (errno || end == s || (colon ? end != colon : *end))
		return -EINVAL;
	*len = page_size;
	if (colon && (size_parse(colon + 1, len) || !*len))
		return -EINVAL;
	/* Widen to whole pages. */
	*len += *addr & (page_size - 1);
	*addr &= ~(uint64_t)(page_size - 1);
	*len = (*len + page_size - 1) & ~(uint64_t)(page_size - 1);
	return 0;
}

static int parse_to(const char *s, struct target *t)
{
	t->node = -1;
	if (!strcmp(s, "private")) {
		t->to_private = true;
		return 0;
	}
	t->to_private = false;
	if (!strcmp(s, "dram"))
		return 0;
	if (!strncmp(s, "dram:", 5)) {
		char *end;
		long n = strtol(s + 5, &end, 10);

		if (end == s + 5 || *end || n < 0 || n >= MAX_NODES)
			return -EINVAL;
		t->node = n;
		return 0;
	}
	return -EINVAL;
}

static void report(const struct counts *c, bool json, bool raw, const char *dev,
		   const struct target *t)
{
	char a[SIZE_STR_LEN];

	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "moved", json_object_new_uint64(c->moved));
		json_object_object_add(o, "failed", json_object_new_uint64(c->failed));
		json_object_object_add(o, "already", json_object_new_uint64(c->already));
		json_object_object_add(o, "absent", json_object_new_uint64(c->absent));
		json_object_object_add(o, "page_size", json_object_new_uint64(page_size));
		json_object_object_add(o, "ranges", json_object_new_uint64(c->ranges));
		json_object_object_add(o, "skipped", json_object_new_uint64(c->skipped));
		json_print(o);
		json_object_put(o);
		return;
	}
	printf("%s: %s\n", dev, t->to_private ? "to the private node" : "to normal memory");
	printf("  moved          %" PRIu64 " pages (%s)\n", c->moved,
	       size_str(c->moved * page_size, raw, a, sizeof(a)));
	printf("  failed         %" PRIu64 " pages\n", c->failed);
	printf("  already there  %" PRIu64 " pages\n", c->already);
	printf("  not present    %" PRIu64 " pages\n", c->absent);
	if (c->skipped)
		printf("  skipped        %u mappings (special or inaccessible)\n", c->skipped);
}

/* The names of the devices that are online (offline ones have no pages). */
static int online_names(char ***names)
{
	int i, j, n = dev_names(names);
	struct pm_dev d;

	for (i = j = 0; i < n; i++) {
		if (!dev_load((*names)[i], &d) && d.online)
			(*names)[j++] = (*names)[i];
		else
			free((*names)[i]);
	}
	return j;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "range", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "to", required_argument, NULL, 't' },
		{ "async", no_argument, NULL, 'A' },
		OPTION_JSON,
		OPTION_BYTES,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = migrate_usage };
	bool all = false, async = false, have_to = false;
	const char *range = NULL;
	uint64_t addr = 0, len = 0;
	struct counts c = { };
	struct target t = { };
	char **names = NULL, name[32];
	int ch, pid = -1, i, n, err = 0, ndev = 0;

	page_size = sysconf(_SC_PAGESIZE);
	while ((ch = cmd_getopt(argc, argv, "p:r:at:Ajbh", opts, &o)) != -1) {
		switch (ch) {
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v <= 0 || v > 0x3fffffff)
				return usage_error("--pid wants a process id, not '%s'", optarg);
			pid = v;
			break;
		}
		case 'r':
			range = optarg;
			if (parse_range(optarg, &addr, &len))
				return usage_error("--range wants ADDR[:LEN] (hex address, length with K/M/G), not '%s'",
						   optarg);
			break;
		case 'a':
			all = true;
			break;
		case 't':
			if (parse_to(optarg, &t))
				return usage_error("--to wants private, dram or dram:NODE, not '%s'",
						   optarg);
			have_to = true;
			break;
		case 'A':
			async = true;
			break;
		}
	}
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (pid < 0)
		return usage_error("--pid PID is required");
	if (!range && !all)
		return usage_error("give --range ADDR[:LEN] or --all");
	if (range && all)
		return usage_error("--range and --all exclude each other");
	if (!have_to)
		return usage_error("--to private|dram[:NODE] is required");
	if (!t.to_private && t.node >= 0 && node_in_list("has_memory", t.node) != 1) {
		char b[256];
		struct nodeset mem;

		nodeset_read(SYS_NODES "/has_memory", &mem);
		nodeset_format(&mem, b, sizeof(b));
		error("node %d is not a normal memory node; pages can go to %s",
		      t.node, b);
		return EXIT_FAIL;
	}
	if (kill(pid, 0) && errno == ESRCH) {
		error("no process with pid %d", pid);
		return EXIT_FAIL;
	}

	if (optind < argc) {
		if (dev_resolve(argv[optind], name, sizeof(name))) {
			error("%s: no such privmem device (see 'privctl list')", argv[optind]);
			return EXIT_FAIL;
		}
		names = malloc(sizeof(*names));
		names[0] = strdup(name);
		n = 1;
	} else {
		n = online_names(&names);
		if (!n) {
			error("there is no online privmem device (see 'privctl list' and 'privctl create')");
			return EXIT_FAIL;
		}
		if (n > 1 && t.to_private) {
			error("there are %d private nodes; name the one to move to (privctl migrate DEV ...)",
			      n);
			dev_names_free(names, n);
			return EXIT_USAGE;
		}
	}

	for (i = 0; i < n && !err; i++) {
		struct pm_dev d;
		int fd;

		if (dev_load(names[i], &d)) {
			error("%s disappeared", names[i]);
			err = ENODEV;
			break;
		}
		fd = dev_open_report(&d, O_RDWR);
		if (fd < 0) {
			err = -fd;
			break;
		}
		if (all) {
			err = migrate_all(fd, &d, pid, &t, async, &c);
		} else {
			err = migrate_one(fd, pid, addr, len, &t, async, &c);
			if (err)
				explain(err, &d, pid, addr, len, &t);
		}
		close(fd);
		ndev++;
	}
	if (!err)
		report(&c, o.json, o.raw, n == 1 ? names[0] : "all private nodes", &t);
	dev_names_free(names, n);
	return err ? EXIT_FAIL : EXIT_OK;
}
