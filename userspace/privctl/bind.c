// SPDX-License-Identifier: GPL-2.0
/*
 * privctl create / destroy: binding a devdax device to the privmem dax
 * driver through the dax bus's sysfs, then configuring and onlining it
 * (Documentation/ABI/testing/sysfs-bus-dax-drivers-privmem and
 * sysfs-class-privmem):
 *
 *   unbind     -> /sys/bus/dax/drivers/device_dax/unbind (if idle)
 *   new_id     -> /sys/bus/dax/drivers/privmem/new_id: privmemN, offline
 *   settings   -> /sys/class/privmem/privmemN/{type,physical_size,...}
 *   online     -> /sys/class/privmem/privmemN/state
 *
 * and back: state "offline", privmem/unbind, privmem/remove_id,
 * device_dax/bind. The settings belong to the device, so concurrent
 * creates need no lock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "privctl.h"

#define DEVDAX_DRV	SYS_DAX_DRIVERS "/device_dax"

static const char create_usage[] =
"usage: privctl create --dax daxX.Y --type plain|compressed\n"
"                      [--physical-size SIZE] [--watermarks LOW,HIGH]\n"
"                      [--numa-balancing] [--compaction] [--no-checksum]\n"
"                      [--offline] [--json] [--bytes]\n"
"\n"
"Make a devdax device a private node: load privmem if needed, take the\n"
"device from device_dax if nothing uses it, bind it to privmem, write its\n"
"settings, bring its memory online and print the new privmem device. If\n"
"the kernel refuses a setting or the online, the dax device is given back.\n"
"\n"
"  -d, --dax DEV            the devdax device (daxX.Y)\n"
"  -t, --type TYPE          plain (migration, mempolicy, writable) or\n"
"                           compressed (demotion, read-only, promotion on write)\n"
"  -p, --physical-size SIZE physical capacity of a compressed device (K/M/G),\n"
"                           at most the node's capacity (default: half of it)\n"
"  -w, --watermarks LOW,HIGH  pressure watermarks, 0 <= LOW < HIGH <= 1000\n"
"                           (default 600,900)\n"
"      --numa-balancing     let NUMA balancing scan the node's pages\n"
"      --compaction         let compaction run on the node (plain only)\n"
"      --no-checksum        the compressed device does not checksum pages\n"
"                           (only to measure what the check costs)\n"
"  -o, --offline            bind and configure, but leave the memory offline\n"
"                           ('privctl online DEV' later)\n"
"  -j, --json               print the new device as JSON\n"
"  -b, --bytes              sizes in bytes\n"
"  -h, --help               this help\n"
"\n"
"The settings can be changed later while the node is offline: see\n"
"'privctl set --help'.\n";

static const char destroy_usage[] =
"usage: privctl destroy DEV [--keep-unbound]\n"
"\n"
"Remove a private node: offline and remove its memory, unbind its dax\n"
"device from privmem and give it back to device_dax. Fails, changing\n"
"nothing, while the memory is in use. An offline device is released at\n"
"once.\n"
"DEV is privmemN, /dev/privmemN, daxX.Y or nodeN.\n"
"\n"
"  -k, --keep-unbound  leave the dax device bound to no driver\n"
"  -h, --help          this help\n";

static int find_by_dax(const char *dax, struct pm_dev *d)
{
	char name[32];

	if (dev_resolve(dax, name, sizeof(name)))
		return -ENOENT;
	return dev_load(name, d);
}

/*
 * Put the dax device back after a failed create: release it from privmem
 * if it was bound (an offline device is released at once), and give it to
 * device_dax if it came from there.
 */
static void undo_create(const char *dax, bool bound, bool was_devdax)
{
	int ret;

	if (bound) {
		ret = sysfs_write(SYS_PRIVMEM_DRV "/unbind", dax);
		if (ret && ret != -ENODEV) {
			warning("could not unbind %s from privmem again: %s", dax,
				strerror(-ret));
			return;
		}
	}
	sysfs_write(SYS_PRIVMEM_DRV "/remove_id", dax);
	if (!was_devdax) {
		note("nothing changed: %s is bound to no driver, as before", dax);
		return;
	}
	ret = sysfs_write(DEVDAX_DRV "/bind", dax);
	if (ret)
		warning("could not give %s back to device_dax: %s", dax, strerror(-ret));
	else
		note("%s is back on device_dax; nothing changed", dax);
}

/*
 * Bind @dax (now on driver @drv: "" or device_dax) to privmem and find its
 * device. On failure @dax is back where it was and an error has been
 * printed. Returns EXIT_OK or EXIT_FAIL.
 */
static int bind_dax(const char *dax, const char *drv, bool *was_devdax,
		    struct pm_dev *d)
{
	char msg[512], now[64];
	int ret, mark;

	if (!strcmp(drv, "device_dax")) {
		ret = sysfs_write(DEVDAX_DRV "/unbind", dax);
		if (ret) {
			error("could not unbind %s from device_dax: %s", dax, strerror(-ret));
			return EXIT_FAIL;
		}
		*was_devdax = true;
	}
	mark = kernel_log_mark();
	ret = sysfs_write(SYS_PRIVMEM_DRV "/new_id", dax);
	if (ret) {
		if (mark >= 0)
			close(mark);
		error("the dax bus refused to bind %s to privmem: %s", dax, strerror(-ret));
		undo_create(dax, false, *was_devdax);
		return EXIT_FAIL;
	}
	dax_driver(dax, now, sizeof(now));
	if (strcmp(now, "privmem")) {
		kernel_says(mark, dax, NULL, msg, sizeof(msg));
		error("privmem could not take %s%s%s", dax, msg[0] ? ": " : "; see dmesg",
		      msg);
		undo_create(dax, false, *was_devdax);
		return EXIT_FAIL;
	}
	if (mark >= 0)
		close(mark);
	if (find_by_dax(dax, d)) {
		error("%s is bound to privmem, but no privmem device names it in %s",
		      dax, SYS_PRIVMEM_CLASS);
		undo_create(dax, true, *was_devdax);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

enum {
	OPT_NUMA_BALANCING = 256,
	OPT_COMPACTION,
	OPT_NO_CHECKSUM,
};

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dax", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "physical-size", required_argument, NULL, 'p' },
		{ "watermarks", required_argument, NULL, 'w' },
		{ "numa-balancing", no_argument, NULL, OPT_NUMA_BALANCING },
		{ "compaction", no_argument, NULL, OPT_COMPACTION },
		{ "no-checksum", no_argument, NULL, OPT_NO_CHECKSUM },
		{ "offline", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dax = NULL, *type = NULL, *physical = NULL, *wm = NULL;
	bool json = false, raw = false, was_devdax = false, offline = false;
	bool numa_balancing = false, compaction = false, no_checksum = false;
	unsigned int low, high;
	uint64_t bytes;
	char drv[64], users[512], msg[512], buf[64];
	struct pm_dev d;
	size_t i;
	int c, ret, nid;

	while ((c = getopt_long(argc, argv, "d:t:p:w:ojbh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dax = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'p':
			if (size_parse(optarg, &bytes))
				return usage_error("--physical-size: '%s' is not a size (e.g. 512M, 1G)",
						   optarg);
			physical = optarg;
			break;
		case 'w':
			ret = watermarks_parse(optarg, &low, &high);
			if (ret == -ERANGE)
				return usage_error("--watermarks %s: LOW must be below HIGH, and HIGH at most %d",
						   optarg, PRIVMEM_PRESSURE_MAX);
			if (ret)
				return usage_error("--watermarks wants LOW,HIGH (e.g. 600,900), not '%s'",
						   optarg);
			wm = optarg;
			break;
		case OPT_NUMA_BALANCING:
			numa_balancing = true;
			break;
		case OPT_COMPACTION:
			compaction = true;
			break;
		case OPT_NO_CHECKSUM:
			no_checksum = true;
			break;
		case 'o':
			offline = true;
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
	if (no_checksum && strcmp(type, "compressed"))
		return usage_error("--no-checksum only applies to --type compressed");
	if (compaction && strcmp(type, "plain"))
		return usage_error("--compaction only applies to --type plain");
	if (!strncmp(dax, "/dev/", 5))
		dax += 5;

	if (dax_driver(dax, drv, sizeof(drv))) {
		error("%s: no such dax device (see 'daxctl list')", dax);
		return EXIT_FAIL;
	}
	if (!strcmp(drv, "privmem")) {
		if (find_by_dax(dax, &d))
			error("%s is already bound to privmem", dax);
		else if (d.online)
			error("%s is already a private node: %s (node %d)", dax,
			      d.name, d.node);
		else
			error("%s is already bound to privmem as %s, offline: 'privctl set %s KEY=VALUE' and 'privctl online %s' configure it, 'privctl destroy %s' releases it",
			      dax, d.name, d.name, d.name, d.name);
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

	ret = bind_dax(dax, drv, &was_devdax, &d);
	if (ret)
		return ret;
	{
		/* In the order of sysfs-class-privmem; the rest keep their defaults. */
		const struct { const char *key, *value; } set[] = {
			{ "type", type },
			{ "physical_size", physical },
			{ "numa_balancing", numa_balancing ? "1" : NULL },
			{ "compaction", compaction ? "1" : NULL },
			{ "checksum", no_checksum ? "0" : NULL },
			{ "watermarks", wm },
		};

		for (i = 0; i < ARRAY_SIZE(set); i++) {
			if (!set[i].value || !setting_write(&d, set[i].key, set[i].value))
				continue;
			undo_create(dax, true, was_devdax);
			return EXIT_FAIL;
		}
	}
	if (!offline && state_write(&d, true)) {
		undo_create(dax, true, was_devdax);
		return EXIT_FAIL;
	}
	dev_print_summary(d.name, json, raw);
	return EXIT_OK;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-unbound", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool keep = false, offlined;
	char name[32], path[256];
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
	if (dev_operand_check(argc, argv))
		return EXIT_USAGE;
	if (dev_find(argv[optind], &d))
		return EXIT_FAIL;
	if (geteuid() != 0) {
		error("removing a private node needs root");
		return EXIT_FAIL;
	}
	/*
	 * Unbinding an online device offlines it first, but the state
	 * attribute's EBUSY is the clearer error; an offline device (or one
	 * of a driver without states) goes straight to the unbind.
	 */
	snprintf(path, sizeof(path), "%s/state", d.syspath);
	offlined = strcmp(d.state, "offline") && !access(path, F_OK);
	if (offlined && state_write(&d, false))
		return EXIT_FAIL;
	ret = sysfs_write(SYS_PRIVMEM_DRV "/unbind", d.dax);
	if (ret == -EBUSY) {
		/* online again meanwhile and in use */
		snprintf(name, sizeof(name), "%s", d.name);
		dev_load(name, &d);	/* fresh counts */
		explain_busy(&d);
		return EXIT_FAIL;
	}
	if (ret == -ENODEV) {
		error("%s is no longer bound to privmem (removed meanwhile?)", d.dax);
		return EXIT_FAIL;
	}
	if (ret) {
		error("removing %s failed: %s; the device stays bound%s (see dmesg)", d.name,
		      strerror(-ret), offlined ? ", offline" : "");
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
