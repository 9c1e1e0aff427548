// SPDX-License-Identifier: GPL-2.0
/*
 * privctl demotion: show whether a private node is a demotion target and
 * from which nodes (PRIVMEM_IOC_GET_DEMOTION, with the kernel's memory
 * tiers beside it), or change it (PRIVMEM_IOC_SET_DEMOTION).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <json-c/json.h>
#include "privctl.h"

#define DEMOTION_ENABLED "/sys/kernel/mm/numa/demotion_enabled"

static const char demotion_usage[] =
"usage: privctl demotion DEV [--enable|--disable] [--from NODES|all] [--json]\n"
"\n"
"Without options, show whether reclaim may demote pages into the private\n"
"node, from which nodes, and the memory tier the kernel placed it in.\n"
"With options, change it (root). DEV is privmemN, daxX.Y or nodeN.\n"
"\n"
"  -e, --enable        make the node a demotion target\n"
"  -d, --disable       stop demotion into the node\n"
"  -f, --from NODES    the normal memory nodes that may demote into it\n"
"                      (a node list such as 0-1 or 0,1; 'all' for any)\n"
"  -j, --json          JSON output\n"
"  -h, --help          this help\n";

static int show(struct pm_dev *d, const struct privmem_demotion *dm, bool json)
{
	char src[1024], tiernodes[256], global[16] = "";
	struct nodeset ns;
	int i, tier;

	for (i = 0; i < MAX_NODES / 64; i++)
		ns.bits[i] = dm->sources[i];
	nodeset_format(&ns, src, sizeof(src));
	tier = memory_tier_of(d->node, tiernodes, sizeof(tiernodes));
	sysfs_read(DEMOTION_ENABLED, global, sizeof(global));

	if (json) {
		struct json_object *o = json_object_new_object();
		char t[32];

		json_object_object_add(o, "chardev", json_object_new_string(d->name));
		json_object_object_add(o, "node", json_object_new_int(d->node));
		json_object_object_add(o, "enabled",
			json_object_new_boolean(dm->flags & PRIVMEM_DEMOTION_ENABLE));
		json_object_object_add(o, "all_sources",
			json_object_new_boolean(dm->flags & PRIVMEM_DEMOTION_ALL_SOURCES));
		json_object_object_add(o, "sources", json_object_new_string(src));
		snprintf(t, sizeof(t), "memory_tier%d", tier);
		json_object_object_add(o, "memory_tier",
				       tier >= 0 ? json_object_new_string(t) : NULL);
		json_object_object_add(o, "demotion_enabled",
			json_object_new_boolean(!strcmp(global, "true") || !strcmp(global, "1")));
		json_print(o);
		json_object_put(o);
		return EXIT_OK;
	}
	printf("%s (node %d): demotion %s\n", d->name, d->node,
	       dm->flags & PRIVMEM_DEMOTION_ENABLE ? "enabled" : "disabled");
	printf("  sources        %s%s\n", src[0] ? src : "none",
	       dm->flags & PRIVMEM_DEMOTION_ALL_SOURCES ? " (all nodes)" : "");
	if (tier >= 0)
		printf("  memory tier    memory_tier%d (nodes %s)\n", tier, tiernodes);
	else
		printf("  memory tier    none\n");
	if (global[0])
		printf("  reclaim        %s\n", !strcmp(global, "true") || !strcmp(global, "1") ?
		       "demotes (demotion_enabled is true)" :
		       "does not demote: " DEMOTION_ENABLED " is false");
	return EXIT_OK;
}

int cmd_demotion(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "enable", no_argument, NULL, 'e' },
		{ "disable", no_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		OPTION_JSON,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = demotion_usage };
	struct privmem_demotion dm = { .size = sizeof(dm) };
	int enable = -1, c, fd, i, ret;
	bool from_all = false, have_from = false;
	struct nodeset from = { }, mem;
	struct pm_dev d;

	while ((c = cmd_getopt(argc, argv, "edf:jh", opts, &o)) != -1) {
		switch (c) {
		case 'e':
		case 'd':
			if (enable >= 0 && enable != (c == 'e'))
				return usage_error("--enable and --disable exclude each other");
			enable = c == 'e';
			break;
		case 'f':
			have_from = true;
			if (!strcmp(optarg, "all"))
				from_all = true;
			else if (nodeset_parse(optarg, &from) || nodeset_empty(&from))
				return usage_error("--from wants a node list (e.g. 0-1) or 'all', not '%s'",
						   optarg);
			break;
		}
	}
	ret = cmd_dev_operand(argc, argv, &d);
	if (ret)
		return ret;
	fd = dev_open_report(&d, (enable >= 0 || have_from) ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return EXIT_FAIL;
	if (ioctl(fd, PRIVMEM_IOC_GET_DEMOTION, &dm)) {
		dev_ioctl_error(&d, "cannot read the demotion setup of", errno, false);
		close(fd);
		return EXIT_FAIL;
	}

	if (enable >= 0 || have_from) {
		struct privmem_demotion set = { .size = sizeof(set) };

		set.flags = dm.flags & PRIVMEM_DEMOTION_ENABLE;
		if (enable >= 0)
			set.flags = enable ? PRIVMEM_DEMOTION_ENABLE : 0;
		if (have_from && !from_all) {
			nodeset_read(SYS_NODES "/has_memory", &mem);
			for (i = 0; i < MAX_NODES; i++) {
				if (nodeset_has(&from, i) && !nodeset_has(&mem, i)) {
					char b[256];

					nodeset_format(&mem, b, sizeof(b));
					error("node %d has no normal memory; only nodes %s can demote",
					      i, b);
					close(fd);
					return EXIT_FAIL;
				}
			}
			for (i = 0; i < MAX_NODES / 64; i++)
				set.sources[i] = from.bits[i];
		} else if (from_all || (dm.flags & PRIVMEM_DEMOTION_ALL_SOURCES)) {
			set.flags |= PRIVMEM_DEMOTION_ALL_SOURCES;
		} else {
			memcpy(set.sources, dm.sources, sizeof(set.sources));
		}
		if (ioctl(fd, PRIVMEM_IOC_SET_DEMOTION, &set)) {
			int err = errno;

			if (err == EPERM)
				error("changing demotion needs CAP_SYS_ADMIN (run as root)");
			else if (err == ENODEV)
				error("%s is being removed", d.name);
			else if (err == EINVAL)
				error("the kernel refused the demotion setup of %s (sources must be normal memory nodes)",
				      d.name);
			else
				error("setting demotion on %s: %s", d.name, strerror(err));
			close(fd);
			return EXIT_FAIL;
		}
		memset(&dm, 0, sizeof(dm));
		dm.size = sizeof(dm);
		if (ioctl(fd, PRIVMEM_IOC_GET_DEMOTION, &dm)) {
			error("cannot read back the demotion setup: %s", strerror(errno));
			ret = EXIT_FAIL;
		}
	}
	close(fd);
	if (ret == EXIT_OK)
		ret = show(&d, &dm, o.json);
	return ret;
}
