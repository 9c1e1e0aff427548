// SPDX-License-Identifier: GPL-2.0
/*
 * privctl create / destroy: binding a devdax device to the privmem dax
 * driver through the dax bus's sysfs, then configuring and onlining it
 * (Documentation/ABI/testing/sysfs-bus-dax-drivers-privmem and
 * sysfs-class-privmem):
 *
 *   unbind     -> /sys/bus/dax/drivers/device_dax/unbind (if idle), or
 *                 privmem/unbind of an offline privmem device nothing
 *                 holds (a takeover: privmem binds the dax device of a
 *                 CXL RAM region on sight and leaves it offline)
 *   memmap     -> /sys/bus/dax/devices/daxX.Y/memmap_on_memory: 0 for a
 *                 compressed node (dax_cxl sets it), while unbound
 *   new_id     -> /sys/bus/dax/drivers/privmem/new_id: privmemN, offline
 *   settings   -> /sys/class/privmem/privmemN/{type,physical_size,...}
 *   online     -> /sys/class/privmem/privmemN/state
 *
 * and back: state "offline", privmem/unbind, privmem/remove_id,
 * device_dax/bind. A failed create goes back the same way, to where the
 * dax device was: device_dax, no driver, or privmem (offline, with the
 * settings the device had). The settings belong to the device, so
 * concurrent creates need no lock.
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
"settings, bring its memory online and print the new privmem device.\n"
"A device bound to privmem already but offline and held by nothing (privmem\n"
"binds the dax device of a CXL RAM region on sight) is taken over: unbound\n"
"from privmem and bound anew with the settings given here.\n"
"For --type compressed, a dax device's memmap_on_memory of 1 (dax_cxl sets\n"
"it; a compressed node cannot have it) is set to 0 while it is unbound.\n"
"If the kernel refuses a setting or the online, the dax device is given\n"
"back as it was: to device_dax, or to privmem, offline, with its settings.\n"
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

/* The settings of a device, in the order of sysfs-class-privmem. */
static const char * const setting_keys[] = {
	"type", "physical_size", "numa_balancing", "compaction", "checksum",
	"watermarks",
};

/* What a create has done to the dax device so far, for undo_create(). */
struct create_state {
	const char *dax;
	bool was_devdax;	/* taken from device_dax */
	bool took_over;		/* unbound from privmem: it was offline */
	bool memmap_cleared;	/* memmap_on_memory was 1, written 0 */
	bool bound;		/* bound to privmem by this create */
	char old_name[32];	/* the device taken over (privmemN) */
	/* its settings as its attributes showed them ("" if unreadable) */
	char old[ARRAY_SIZE(setting_keys)][64];
};

static int find_by_dax(const char *dax, struct pm_dev *d)
{
	char name[32];

	if (dev_resolve(dax, name, sizeof(name)))
		return -ENOENT;
	return dev_load(name, d);
}

/* @dax's memmap_on_memory: 1, 0, or -errno if it cannot be read. */
static int memmap_read(const char *dax)
{
	char buf[16];
	int ret;

	ret = sysfs_readf(buf, sizeof(buf), SYS_DAX_DEVICES "/%s/memmap_on_memory",
			  dax);
	return ret ? ret : !strcmp(buf, "1");
}

static int memmap_write(const char *dax, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), SYS_DAX_DEVICES "/%s/memmap_on_memory", dax);
	return sysfs_write(path, val);
}

/*
 * Bind a dax device taken over to privmem again, offline, and write back
 * the settings its device had. @same: nothing else differs from before.
 */
static void undo_takeover(const struct create_state *s, bool same)
{
	struct pm_dev d;
	char now[64];
	size_t i;
	int ret;

	ret = sysfs_write(SYS_PRIVMEM_DRV "/new_id", s->dax);
	dax_driver(s->dax, now, sizeof(now));
	if (strcmp(now, "privmem") || find_by_dax(s->dax, &d)) {
		warning("could not bind %s to privmem again (%s): %s is gone",
			s->dax, ret ? strerror(-ret) : "see dmesg", s->old_name);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(setting_keys); i++)
		if (s->old[i][0] && setting_write(&d, setting_keys[i], s->old[i]))
			same = false;
	if (same)
		note("%s is back on privmem as %s, offline, settings as before; nothing changed",
		     s->dax, d.name);
	else
		warning("%s is back on privmem as %s, offline, but not as %s was (see above)",
			s->dax, d.name, s->old_name);
}

/*
 * Put the dax device back after a failed create: release it from privmem
 * if this create bound it (an offline device is released at once), set
 * its memmap_on_memory back while it is unbound, and give it back to
 * device_dax, or to privmem (offline, with its settings) if it was taken
 * over.
 */
static void undo_create(const struct create_state *s)
{
	bool same = true;
	int ret;

	if (s->bound) {
		ret = sysfs_write(SYS_PRIVMEM_DRV "/unbind", s->dax);
		if (ret && ret != -ENODEV) {
			warning("could not unbind %s from privmem again: %s", s->dax,
				strerror(-ret));
			return;
		}
	}
	/* A device taken over keeps its id, as before: new_id binds it again. */
	if (!s->took_over)
		sysfs_write(SYS_PRIVMEM_DRV "/remove_id", s->dax);
	if (s->memmap_cleared) {
		ret = memmap_write(s->dax, "1");
		if (ret) {
			warning("could not write 1 back to %s's memmap_on_memory: %s",
				s->dax, strerror(-ret));
			same = false;
		}
	}
	if (s->took_over) {
		undo_takeover(s, same);
		return;
	}
	if (!s->was_devdax) {
		if (same)
			note("nothing changed: %s is bound to no driver, as before", s->dax);
		return;
	}
	ret = sysfs_write(DEVDAX_DRV "/bind", s->dax);
	if (ret)
		warning("could not give %s back to device_dax: %s", s->dax, strerror(-ret));
	else if (same)
		note("%s is back on device_dax; nothing changed", s->dax);
	else
		note("%s is back on device_dax", s->dax);
}

/*
 * @dax is bound to privmem: may create take its device over? Only an
 * offline one that nothing maps, holds pages of or has open. Returns 0
 * with @d loaded, or -1 with the reason printed.
 */
static int takeover_check(const char *dax, struct pm_dev *d)
{
	char users[512];

	if (find_by_dax(dax, d)) {
		error("%s is already bound to privmem", dax);
		return -1;
	}
	if (d->online) {
		error("%s is already a private node: %s (node %d)", dax, d->name, d->node);
		return -1;
	}
	if (strcmp(d->state, "offline")) {
		error("%s is bound to privmem as %s, which is %s; try again once offline",
		      dax, d->name, d->state);
		return -1;
	}
	if (d->mappings > 0 || d->shared_objects > 0 || d->used > 0) {
		error("%s is bound to privmem as %s, offline but in use (%ld mapped, %ld shared)",
		      dax, d->name, d->mappings, d->shared_objects);
		return -1;
	}
	if (proc_users(d->devpath, users, sizeof(users))) {
		error("%s is bound to privmem as %s, offline, but %s is open in %s",
		      dax, d->name, d->devpath, users);
		note("create takes over only a device nothing holds; 'privctl set %s' and %s",
		     d->name, "'privctl online' configure it where it is");
		return -1;
	}
	return 0;
}

/*
 * Release the dax device from its driver @drv ("" for none): device_dax,
 * or privmem, taking over its offline device @old (its settings are
 * remembered for undo_create()). On failure nothing changed and an error
 * has been printed. Returns EXIT_OK or EXIT_FAIL.
 */
static int release_dax(struct create_state *s, const char *drv,
		       const struct pm_dev *old)
{
	size_t i;
	int ret;

	if (!strcmp(drv, "device_dax")) {
		ret = sysfs_write(DEVDAX_DRV "/unbind", s->dax);
		if (ret) {
			error("could not unbind %s from device_dax: %s", s->dax,
			      strerror(-ret));
			return EXIT_FAIL;
		}
		s->was_devdax = true;
	} else if (!strcmp(drv, "privmem")) {
		snprintf(s->old_name, sizeof(s->old_name), "%s", old->name);
		for (i = 0; i < ARRAY_SIZE(setting_keys); i++)
			if (sysfs_readf(s->old[i], sizeof(s->old[i]), "%s/%s",
					old->syspath, setting_keys[i]))
				s->old[i][0] = '\0';
		ret = sysfs_write(SYS_PRIVMEM_DRV "/unbind", s->dax);
		if (ret) {
			error("could not take %s over: privmem did not release %s: %s",
			      old->name, s->dax, strerror(-ret));
			return EXIT_FAIL;
		}
		s->took_over = true;
		note("took over the offline %s: %s is unbound from privmem, to be bound anew",
		     old->name, s->dax);
	}
	return EXIT_OK;
}

/*
 * A compressed node cannot have memmap_on_memory (its struct pages would
 * be written in place): write 0 to it while the dax device is unbound.
 * On failure an error has been printed. Returns EXIT_OK or EXIT_FAIL.
 */
static int memmap_clear(struct create_state *s)
{
	int ret;

	char on[16];

	if (memmap_read(s->dax) != 1)
		return EXIT_OK;
	/* Without memory_hotplug's memmap_on_memory the flag changes nothing. */
	if (!sysfs_read("/sys/module/memory_hotplug/parameters/memmap_on_memory",
			on, sizeof(on)) && !strcmp(on, "N"))
		return EXIT_OK;
	ret = memmap_write(s->dax, "0");
	if (ret) {
		error("%s: writing 0 to its memmap_on_memory failed: %s", s->dax,
		      strerror(-ret));
		note("a compressed node cannot have memmap_on_memory: its memmap must be in DRAM");
		return EXIT_FAIL;
	}
	s->memmap_cleared = true;
	note("%s: memmap_on_memory was 1, wrote 0 (a compressed node keeps its memmap in DRAM)",
	     s->dax);
	return EXIT_OK;
}

/*
 * Bind the released dax device to privmem and find its device. On failure
 * the dax device is back where it was and an error has been printed.
 * Returns EXIT_OK or EXIT_FAIL.
 */
static int bind_dax(struct create_state *s, struct pm_dev *d)
{
	const char *dax = s->dax;
	char msg[512], now[64];
	int ret, mark;

	mark = kernel_log_mark();
	ret = sysfs_write(SYS_PRIVMEM_DRV "/new_id", dax);
	if (ret) {
		if (mark >= 0)
			close(mark);
		error("the dax bus refused to bind %s to privmem: %s", dax, strerror(-ret));
		undo_create(s);
		return EXIT_FAIL;
	}
	dax_driver(dax, now, sizeof(now));
	if (strcmp(now, "privmem")) {
		kernel_says(mark, dax, NULL, msg, sizeof(msg));
		error("privmem could not take %s%s%s", dax, msg[0] ? ": " : "; see dmesg",
		      msg);
		undo_create(s);
		return EXIT_FAIL;
	}
	if (mark >= 0)
		close(mark);
	s->bound = true;
	if (find_by_dax(dax, d)) {
		error("%s is bound to privmem, but no privmem device names it in %s",
		      dax, SYS_PRIVMEM_CLASS);
		undo_create(s);
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
		OPTION_JSON,
		OPTION_BYTES,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = create_usage };
	const char *dax = NULL, *type = NULL, *physical = NULL, *wm = NULL;
	bool offline = false;
	bool numa_balancing = false, compaction = false, no_checksum = false;
	unsigned int low, high;
	uint64_t bytes;
	char drv[64], users[512], msg[512], buf[64];
	struct create_state s = { };
	struct pm_dev d, old;
	size_t i;
	int c, ret, nid;

	while ((c = cmd_getopt(argc, argv, "d:t:p:w:ojbh", opts, &o)) != -1) {
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
			if (watermarks_option(optarg, &low, &high))
				return EXIT_USAGE;
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
	s.dax = dax;
	if (!strcmp(drv, "privmem") && takeover_check(dax, &old))
		return EXIT_FAIL;
	if (drv[0] && strcmp(drv, "device_dax") && strcmp(drv, "privmem")) {
		error("%s is in use by %s; unbind it first%s", dax, drv,
		      !strcmp(drv, "kmem") ?
		      " (kmem makes its memory System RAM: 'daxctl offline-memory' it, then unbind it from kmem)" : "");
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
	snprintf(buf, sizeof(buf), SYS_DAX_DEVICES "/%s/size", dax);
	if (!sysfs_read_u64(buf, &bytes) && !bytes) {
		error("%s has no memory (size 0): the dax bus binds no driver to it", dax);
		note("give it a size first: daxctl reconfigure-device -s SIZE %s", dax);
		return EXIT_FAIL;
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

	if (release_dax(&s, drv, &old))
		return EXIT_FAIL;
	if (!strcmp(type, "compressed") && memmap_clear(&s)) {
		undo_create(&s);
		return EXIT_FAIL;
	}
	ret = bind_dax(&s, &d);
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
			undo_create(&s);
			return EXIT_FAIL;
		}
	}
	if (!offline && state_write(&d, true)) {
		undo_create(&s);
		return EXIT_FAIL;
	}
	dev_print_summary(d.name, o.json, o.raw);
	return EXIT_OK;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-unbound", no_argument, NULL, 'k' },
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = destroy_usage };
	bool keep = false, offlined;
	char name[32], path[256];
	struct pm_dev d;
	int c, ret;

	while ((c = cmd_getopt(argc, argv, "kh", opts, &o)) != -1)
		if (c == 'k')
			keep = true;
	ret = cmd_dev_operand(argc, argv, &d);
	if (ret)
		return ret;
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
	if (ret == -ENODEV) {
		/*
		 * The dax bus matches device_dax only to devices of regions
		 * that are not kmem-type: a CXL RAM region's device is for
		 * kmem (System RAM) or privmem, so it stays unbound.
		 */
		printf("%s is left unbound: device_dax does not take it\n", d.dax);
		return EXIT_OK;
	}
	if (ret) {
		warning("%s could not be given back to device_dax: %s", d.dax,
			strerror(-ret));
		return EXIT_FAIL;
	}
	printf("%s is back on device_dax\n", d.dax);
	return EXIT_OK;
}
