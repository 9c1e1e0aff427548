// SPDX-License-Identifier: GPL-2.0
/*
 * privctl create / destroy: binding a devdax device to the privmem dax
 * driver through the dax bus's sysfs, as <linux/privmem.h> describes:
 *
 *   type       -> /sys/module/privmem/parameters/type
 *   unbind     -> /sys/bus/dax/drivers/device_dax/unbind (if idle)
 *   new_id     -> /sys/bus/dax/drivers/privmem/new_id
 *
 * and back: privmem/unbind, privmem/remove_id, device_dax/bind.
 * Watermarks are set after binding with PRIVMEM_IOC_SET_WATERMARKS.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <json-c/json.h>
#include "privctl.h"

#define PARAMS_DIR	"/sys/module/privmem/parameters"
#define TYPE_PARAM	PARAMS_DIR "/type"
#define PHYS_PARAM	PARAMS_DIR "/physical_size"
#define DEVDAX_DRV	SYS_DAX_DRIVERS "/device_dax"

static const char create_usage[] =
"usage: privctl create --dax daxX.Y --type plain|compressed\n"
"                      [--physical-size SIZE] [--watermarks LOW,HIGH]\n"
"                      [--json] [--bytes]\n"
"\n"
"Make a devdax device a private node: load privmem if needed, take the\n"
"device from device_dax if nothing uses it, bind it to privmem and print\n"
"the new privmem device.\n"
"\n"
"  -d, --dax DEV            the devdax device (daxX.Y)\n"
"  -t, --type TYPE          plain (migration, mempolicy, writable) or\n"
"                           compressed (demotion, read-only, promotion on write)\n"
"  -p, --physical-size SIZE physical capacity of a compressed device (K/M/G);\n"
"                           applied only if the driver offers it\n"
"  -w, --watermarks LOW,HIGH  pressure watermarks, 0 <= LOW < HIGH <= 1000\n"
"  -j, --json               print the new device as JSON\n"
"  -b, --bytes              sizes in bytes\n"
"  -h, --help               this help\n";

static const char destroy_usage[] =
"usage: privctl destroy DEV [--keep-unbound]\n"
"\n"
"Remove a private node: offline and remove its memory, unbind its dax\n"
"device from privmem and give it back to device_dax. Fails, changing\n"
"nothing, while the memory is in use.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  -k, --keep-unbound  leave the dax device bound to no driver\n"
"  -h, --help          this help\n";

/* The last kernel log line that mentions @what, for a failed probe. */
static void kernel_says(const char *what, char *buf, size_t len)
{
	char line[512];
	FILE *f;

	buf[0] = '\0';
	f = popen("dmesg 2>/dev/null | tail -n 50", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, what);

		/* the driver's own reason, not the driver core's summary */
		if (!p || strstr(line, "probe of ") || strstr(line, "probe with driver"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, "] ");
		snprintf(buf, len, "%s", p ? p + 2 : line);
	}
	pclose(f);
}

static int find_by_dax(const char *dax, struct pm_dev *d)
{
	char name[32];

	if (dev_resolve(dax, name, sizeof(name)))
		return -ENOENT;
	return dev_load(name, d);
}

/* Put the dax device back after a failed create. */
static void undo_bind(const char *dax, bool was_devdax)
{
	sysfs_write(SYS_PRIVMEM_DRV "/remove_id", dax);
	if (was_devdax && sysfs_write(DEVDAX_DRV "/bind", dax))
		warning("could not give %s back to device_dax", dax);
}

/* Lock the driver's parameters (see cmd_create); -1 if there are none. */
static int params_lock(void)
{
	int fd = open(PARAMS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Set the driver's parameters for @dax and bind it; the caller holds the
 * parameters lock. On failure @dax is back where it was and an error has
 * been printed. Returns EXIT_OK or EXIT_FAIL.
 */
static int bind_locked(const char *dax, const char *type, uint64_t physical,
		       const char *drv, bool *was_devdax, struct pm_dev *d)
{
	char buf[32], msg[512], now[64];
	int ret;

	ret = sysfs_write(TYPE_PARAM, type);
	if (ret) {
		error("the privmem driver refused type '%s': %s", type, strerror(-ret));
		return EXIT_FAIL;
	}
	/* Always set: a size left from an earlier create must not apply. */
	if (!strcmp(type, "compressed") && !access(PHYS_PARAM, F_OK)) {
		snprintf(buf, sizeof(buf), "%" PRIu64, physical);
		ret = sysfs_write(PHYS_PARAM, buf);
		if (ret) {
			error("the privmem driver refused physical size %s: %s",
			      buf, strerror(-ret));
			return EXIT_FAIL;
		}
	}

	if (!strcmp(drv, "device_dax")) {
		ret = sysfs_write(DEVDAX_DRV "/unbind", dax);
		if (ret) {
			error("could not unbind %s from device_dax: %s", dax, strerror(-ret));
			return EXIT_FAIL;
		}
		*was_devdax = true;
	}
	ret = sysfs_write(SYS_PRIVMEM_DRV "/new_id", dax);
	if (ret) {
		error("the dax bus refused to bind %s to privmem: %s", dax, strerror(-ret));
		undo_bind(dax, *was_devdax);
		return EXIT_FAIL;
	}
	dax_driver(dax, now, sizeof(now));
	if (strcmp(now, "privmem") || find_by_dax(dax, d)) {
		kernel_says(dax, msg, sizeof(msg));
		error("privmem could not take %s%s%s", dax, msg[0] ? ": " : "; see dmesg",
		      msg);
		undo_bind(dax, *was_devdax);
		if (*was_devdax)
			note("%s is back on device_dax; nothing changed", dax);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int set_watermarks(struct pm_dev *d, unsigned int low, unsigned int high)
{
	struct privmem_watermarks w = {
		.size = sizeof(w), .low = low, .high = high,
	};
	int fd, ret = 0;

	fd = dev_open(d, O_RDWR);
	if (fd < 0)
		return fd;
	if (ioctl(fd, PRIVMEM_IOC_SET_WATERMARKS, &w))
		ret = -errno;
	close(fd);
	return ret;
}

static void print_dev(const char *name, bool json, bool raw)
{
	struct pm_dev d;

	if (dev_load(name, &d))
		return;
	if (json) {
		struct json_object *o = dev_to_json(&d);

		json_print(o);
		json_object_put(o);
		return;
	}
	{
		char cap[SIZE_STR_LEN], caps[256];

		caps_format(d.caps, caps, sizeof(caps));
		printf("%s: %s, node %d, %s, %s, services %s\n", d.name, d.dax,
		       d.node, type_name(d.type),
		       size_str(d.capacity, raw, cap, sizeof(cap)), caps);
		printf("  watermarks low %u high %u\n", d.pressure.low, d.pressure.high);
	}
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dax", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "physical-size", required_argument, NULL, 'p' },
		{ "watermarks", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dax = NULL, *type = NULL;
	bool json = false, raw = false, was_devdax = false, have_wm = false;
	unsigned int low = 0, high = 0;
	uint64_t physical = 0;
	bool physical_ignored = false;
	char drv[64], users[512], msg[512], buf[64];
	struct pm_dev d;
	int c, ret, nid, lock;

	while ((c = getopt_long(argc, argv, "d:t:p:w:jbh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dax = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'p':
			if (size_parse(optarg, &physical) || !physical)
				return usage_error("--physical-size: '%s' is not a size (e.g. 512M, 1G)",
						   optarg);
			break;
		case 'w':
			ret = watermarks_parse(optarg, &low, &high);
			if (ret == -ERANGE)
				return usage_error("--watermarks %s: LOW must be below HIGH, and HIGH at most %d",
						   optarg, PRIVMEM_PRESSURE_MAX);
			if (ret)
				return usage_error("--watermarks wants LOW,HIGH (e.g. 600,900), not '%s'",
						   optarg);
			have_wm = true;
			break;
		case 'j':
			json = true;
			break;
		case 'b':
			raw = true;
			break;
		case 'h':
			fputs(create_usage, stdout);
			return EXIT_OK;
		default:
			return usage_hint();
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!dax)
		return usage_error("--dax daxX.Y is required");
	if (!type)
		return usage_error("--type plain|compressed is required");
	if (strcmp(type, "plain") && strcmp(type, "compressed"))
		return usage_error("--type must be plain or compressed, not '%s'", type);
	if (physical && strcmp(type, "compressed"))
		return usage_error("--physical-size only applies to --type compressed");
	if (!strncmp(dax, "/dev/", 5))
		dax += 5;

	if (dax_driver(dax, drv, sizeof(drv))) {
		error("%s: no such dax device (see 'daxctl list')", dax);
		return EXIT_FAIL;
	}
	if (!strcmp(drv, "privmem")) {
		if (!find_by_dax(dax, &d))
			error("%s is already a private node: %s (node %d)", dax,
			      d.name, d.node);
		else
			error("%s is already bound to privmem", dax);
		return EXIT_FAIL;
	}
	if (drv[0] && strcmp(drv, "device_dax")) {
		error("%s is in use by %s; unbind it first%s", dax, drv,
		      !strcmp(drv, "kmem") ?
		      " (its memory is online as System RAM: 'daxctl offline-memory' and 'daxctl reconfigure-device -m devdax')" : "");
		return EXIT_FAIL;
	}
	if (!strcmp(drv, "device_dax")) {
		snprintf(buf, sizeof(buf), "/dev/%s", dax);
		if (proc_users(buf, users, sizeof(users))) {
			error("%s is in use by device_dax: %s is open or mapped by %s; stop it or unbind it first",
			      dax, buf, users);
			return EXIT_FAIL;
		}
	}
	nid = dax_target_node(dax);
	if (nid < 0) {
		error("%s has no target node; privmem needs a memory-less NUMA node to make private",
		      dax);
		return EXIT_FAIL;
	}
	if (node_in_list("has_memory", nid) == 1 ||
	    node_in_list("has_private_memory", nid) == 1) {
		error("%s's target node %d already has memory; privmem needs a node with none",
		      dax, nid);
		return EXIT_FAIL;
	}
	if (geteuid() != 0) {
		error("binding a dax device needs root");
		return EXIT_FAIL;
	}
	if (privmem_load(msg, sizeof(msg))) {
		error("the privmem driver is not loaded and 'modprobe privmem' failed%s%s",
		      msg[0] ? ": " : "", msg);
		return EXIT_FAIL;
	}
	/*
	 * The driver takes the type and physical size of the next bind from
	 * module parameters: hold the parameters directory locked until the
	 * bind is done, so concurrent privctl create calls cannot mix them up.
	 */
	lock = params_lock();
	ret = bind_locked(dax, type, physical, drv, &was_devdax, &d);
	if (lock >= 0)
		close(lock);
	if (ret)
		return ret;
	if (physical && access(PHYS_PARAM, F_OK))
		physical_ignored = true;


	ret = EXIT_OK;
	if (have_wm) {
		int err = set_watermarks(&d, low, high);

		if (err) {
			error("%s was created, but its watermarks could not be set: %s",
			      d.name, err == -EPERM ? "needs CAP_SYS_ADMIN" : strerror(-err));
			ret = EXIT_FAIL;
		}
	}
	if (physical_ignored) {
		char s[SIZE_STR_LEN];

		warning("--physical-size %s was not applied: the privmem driver has no physical-size parameter (%s); %s",
			size_str(physical, raw, s, sizeof(s)), PHYS_PARAM,
			"the node's physical capacity is what the driver reports ('privctl info')");
	}
	print_dev(d.name, json, raw);
	return ret;
}

/* Why unbind said EBUSY, from what the kernel shows. */
static void explain_busy(struct pm_dev *d)
{
	char users[1024], u[SIZE_STR_LEN], c[SIZE_STR_LEN];

	if (d->mappings > 0) {
		int n = proc_users(d->devpath, users, sizeof(users));

		error("%s is busy: %s is mapped (%ld mapping%s%s%s)", d->name,
		      d->devpath, d->mappings, d->mappings == 1 ? "" : "s",
		      n ? " by " : "", n ? users : "");
	} else {
		error("%s is busy: %s of memory on node %d could not be migrated off it (pages pinned or in use, e.g. by I/O or vmsplice)",
		      d->name, size_str(d->used, false, u, sizeof(u)), d->node);
	}
	note("nothing was lost: node %d keeps its %s of memory and all its data; stop the users and try again",
	     d->node, size_str(d->capacity, false, c, sizeof(c)));
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-unbound", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool keep = false;
	char name[32];
	struct pm_dev d;
	int c, ret;

	while ((c = getopt_long(argc, argv, "kh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keep = true;
			break;
		case 'h':
			fputs(destroy_usage, stdout);
			return EXIT_OK;
		default:
			return usage_hint();
		}
	}
	if (optind >= argc)
		return usage_error("which device? (privmemN, see 'privctl list')");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (dev_resolve(argv[optind], name, sizeof(name)) || dev_load(name, &d)) {
		error("%s: no such privmem device (see 'privctl list')", argv[optind]);
		return EXIT_FAIL;
	}
	if (geteuid() != 0) {
		error("removing a private node needs root");
		return EXIT_FAIL;
	}
	ret = sysfs_write(SYS_PRIVMEM_DRV "/unbind", d.dax);
	if (ret == -EBUSY) {
		dev_load(name, &d);	/* fresh counts */
		explain_busy(&d);
		return EXIT_FAIL;
	}
	if (ret == -ENODEV) {
		error("%s is no longer bound to privmem (removed meanwhile?)", d.dax);
		return EXIT_FAIL;
	}
	if (ret) {
		error("removing %s failed: %s; the node is kept (see dmesg)", d.name,
		      strerror(-ret));
		return EXIT_FAIL;
	}
	sysfs_write(SYS_PRIVMEM_DRV "/remove_id", d.dax);
	printf("%s removed: node %d has no memory now, %s unbound from privmem\n",
	       d.name, d.node, d.dax);
	if (keep)
		return EXIT_OK;
	ret = sysfs_write(DEVDAX_DRV "/bind", d.dax);
	if (ret) {
		warning("%s could not be given back to device_dax: %s", d.dax,
			strerror(-ret));
		return EXIT_FAIL;
	}
	printf("%s is back on device_dax\n", d.dax);
	return EXIT_OK;
}
