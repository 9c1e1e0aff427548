// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: finding privmem devices and reading their state.
 *
 * Devices are found in /sys/class/privmem. Their state comes from the
 * sysfs attributes, which anyone may read, and, when the device is online
 * and /dev/privmemN can be opened (root: the node is mode 0600), from
 * PRIVMEM_IOC_INFO, PRIVMEM_IOC_GET_PRESSURE and PRIVMEM_IOC_GET_DEMOTION,
 * which add what sysfs does not show (the physical side of a compressed
 * node). An offline device (bound, its memory not hot-added) has only its
 * sysfs view: its ioctls fail with ENXIO. What backs the dax device comes
 * from backing.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "privctl.h"

/* Bit n of PRIVMEM_CAP_* is cap_names[n], as sysfs "caps" prints them. */
const char * const cap_names[] = {
	"migration", "mempolicy", "demotion", "protect_write", "reclaim",
	"numa_balancing", "compaction", "longterm_pin",
};
const int nr_cap_names = ARRAY_SIZE(cap_names);

/* @names[@v] of a table of @n names, or @unknown where @v has none. */
const char *name_of(const char * const *names, size_t n, unsigned int v,
		    const char *unknown)
{
	return v < n && names[v] ? names[v] : unknown;
}

static const char * const type_names[] = {
	[PRIVMEM_TYPE_PLAIN] = "plain",
	[PRIVMEM_TYPE_COMPRESSED] = "compressed",
};

const char *type_name(unsigned int type)
{
	return name_of(type_names, ARRAY_SIZE(type_names), type, "unknown");
}

static const char * const state_names[] = {
	[PRIVMEM_STATE_NORMAL] = "normal",
	[PRIVMEM_STATE_ELEVATED] = "elevated",
	[PRIVMEM_STATE_HIGH] = "high",
};

const char *state_name(unsigned int state)
{
	return name_of(state_names, ARRAY_SIZE(state_names), state, "unknown");
}

void caps_format(uint64_t caps, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < nr_cap_names && off < len; i++)
		if (caps & (1ULL << i))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", cap_names[i]);
}

static uint64_t caps_parse(char *s)
{
	uint64_t caps = 0;
	char *tok, *save;
	int i;

	for (tok = strtok_r(s, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
		for (i = 0; i < nr_cap_names; i++)
			if (!strcmp(tok, cap_names[i]))
				caps |= 1ULL << i;
	return caps;
}

static int id_of(const char *name)
{
	return atoi(name + strlen("privmem"));
}

static int cmp_names(const void *a, const void *b)
{
	return id_of(*(char * const *)a) - id_of(*(char * const *)b);
}

/* The names (privmemN) of all devices, sorted by N. Returns the count. */
int dev_names(char ***names)
{
	struct dirent *e;
	char **v = NULL;
	int n = 0;
	DIR *d;

	*names = NULL;
	d = opendir(SYS_PRIVMEM_CLASS);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char **nv;

		if (strncmp(e->d_name, "privmem", 7) ||
		    e->d_name[7] < '0' || e->d_name[7] > '9')
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(e->d_name);
		if (v[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	return n;
}

void dev_names_free(char **names, int n)
{
	while (n-- > 0)
		free(names[n]);
	free(names);
}

/*
 * Turn what the user typed (privmemN, /dev/privmemN, daxX.Y, nodeN) into
 * a device name. Returns 0, or -ENOENT with nothing printed.
 */
int dev_resolve(const char *arg, char *name, size_t len)
{
	char **names, buf[64];
	int i, n, ret = -ENOENT;

	if (!strncmp(arg, "/dev/", 5))
		arg += 5;
	n = dev_names(&names);
	for (i = 0; i < n && ret; i++) {
		bool match = !strcmp(arg, names[i]);

		if (!match && !strncmp(arg, "dax", 3) &&
		    !sysfs_readf(buf, sizeof(buf), SYS_PRIVMEM_CLASS "/%s/dax",
				 names[i]))
			match = !strcmp(arg, buf);
		if (!match && !strncmp(arg, "node", 4) &&
		    !sysfs_readf(buf, sizeof(buf), SYS_PRIVMEM_CLASS "/%s/node",
				 names[i]))
			match = !strcmp(arg + 4, buf);
		if (match) {
			snprintf(name, len, "%s", names[i]);
			ret = 0;
		}
	}
	dev_names_free(names, n);
	return ret;
}

static int read_attr_u64(struct pm_dev *d, const char *attr, uint64_t *v)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", d->syspath, attr);
	return sysfs_read_u64(path, v);
}

/* An attribute's value, 0 if it cannot be read. */
static uint64_t attr_u64(struct pm_dev *d, const char *attr)
{
	uint64_t v = 0;

	read_attr_u64(d, attr, &v);
	return v;
}

/* A boolean attribute as the kernel prints it: 1, 0, or -1 if unreadable. */
static int attr_bool(struct pm_dev *d, const char *attr)
{
	char buf[16];

	if (sysfs_readf(buf, sizeof(buf), "%s/%s", d->syspath, attr) || !buf[0])
		return -1;
	if (strchr("1yYtT", buf[0]) || !strcasecmp(buf, "on"))
		return 1;
	if (strchr("0nNfF", buf[0]) || !strcasecmp(buf, "off"))
		return 0;
	return -1;
}

/* The state and the settings (sysfs-class-privmem). */
static void load_settings(struct pm_dev *d)
{
	char buf[64];
	uint64_t v;

	/* A driver without states bound its devices online. */
	if (sysfs_readf(d->state, sizeof(d->state), "%s/state", d->syspath) ||
	    !d->state[0])
		snprintf(d->state, sizeof(d->state), "online");
	d->online = !strcmp(d->state, "online");
	d->physical_size = -1;
	if (!sysfs_readf(buf, sizeof(buf), "%s/physical_size", d->syspath) &&
	    !size_parse(buf, &v))
		d->physical_size = (int64_t)v;
	d->numa_balancing = attr_bool(d, "numa_balancing");
	d->compaction = attr_bool(d, "compaction");
	d->checksum = attr_bool(d, "checksum");
	if (!sysfs_readf(buf, sizeof(buf), "%s/watermarks", d->syspath) &&
	    sscanf(buf, "%u %u", &d->wm_low, &d->wm_high) == 2)
		d->have_watermarks = true;
	/* Offline, the watermarks the next online takes are the ones to show. */
	if (!d->online && d->have_watermarks) {
		d->pressure.low = d->wm_low;
		d->pressure.high = d->wm_high;
	}
}

static void load_sysfs(struct pm_dev *d)
{
	struct privmem_pressure *p = &d->pressure;
	char buf[512], path[256];
	uint64_t v;

	if (!read_attr_u64(d, "node", &v))
		d->node = (int)v;
	if (!sysfs_readf(buf, sizeof(buf), "%s/type", d->syspath))
		d->type = !strcmp(buf, "compressed") ? PRIVMEM_TYPE_COMPRESSED :
			  !strcmp(buf, "plain") ? PRIVMEM_TYPE_PLAIN : 0;
	sysfs_readf(d->dax, sizeof(d->dax), "%s/dax", d->syspath);
	read_attr_u64(d, "capacity", &d->capacity);
	read_attr_u64(d, "used", &d->used);
	read_attr_u64(d, "free", &d->free);
	if (!sysfs_readf(buf, sizeof(buf), "%s/caps", d->syspath))
		d->caps = caps_parse(buf);
	if (!sysfs_readf(buf, sizeof(buf), "%s/page_sizes", d->syspath)) {
		char *tok, *save;

		for (tok = strtok_r(buf, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			d->page_sizes |= strtoull(tok, NULL, 0);
	}
	if (!read_attr_u64(d, "mappings", &v))
		d->mappings = (long)v;
	d->poisoned = -1;
	if (!read_attr_u64(d, "poisoned", &v))
		d->poisoned = (long)v;
	if (!read_attr_u64(d, "demotion", &v))
		d->demotion = v;
	snprintf(path, sizeof(path), "%s/demotion_sources", d->syspath);
	nodeset_read(path, &d->demotion_sources);

	p->size = sizeof(*p);
	if (!read_attr_u64(d, "pressure/level", &v))
		p->level = v;
	if (!read_attr_u64(d, "pressure/low", &v))
		p->low = v;
	if (!read_attr_u64(d, "pressure/high", &v))
		p->high = v;
	if (!read_attr_u64(d, "pressure/state", &v))
		p->state = v;
	p->events = attr_u64(d, "pressure/events");
	if (!read_attr_u64(d, "pressure/injected", &v) && v)
		p->flags |= PRIVMEM_PRESSURE_INJECTED;
	if (!read_attr_u64(d, "pressure/blocked", &v) && v)
		p->flags |= PRIVMEM_PRESSURE_BLOCKED;
	p->logical_capacity = d->capacity;
	p->logical_used = d->used;
	p->logical_free = d->free;
	p->demotions_in = attr_u64(d, "counters/demotions_in");
	p->demotions_refused = attr_u64(d, "counters/demotions_refused");
	p->promotions = attr_u64(d, "counters/promotions");
	p->migrations_in = attr_u64(d, "counters/migrations_in");
	p->migrations_out = attr_u64(d, "counters/migrations_out");
	/* Not in GET_PRESSURE: sysfs only, for every user. */
	d->inplace_writes = attr_u64(d, "counters/inplace_writes");
	d->shared_objects = -1;
	if (!read_attr_u64(d, "shared_objects", &v))
		d->shared_objects = (long)v;
	load_settings(d);
}

/* The ioctl view overrides sysfs where both know a value. */
static void load_ioctls(struct pm_dev *d)
{
	struct privmem_demotion dm = { .size = sizeof(dm) };
	struct privmem_pressure p = { .size = sizeof(p) };
	struct privmem_info info = { .size = sizeof(info) };
	int fd, i;

	fd = dev_open(d, O_RDONLY);
	if (fd < 0)
		return;
	if (ioctl(fd, PRIVMEM_IOC_INFO, &info) || ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, &p)) {
		close(fd);
		return;
	}
	d->have_ioctl = true;
	d->info = info;
	d->pressure = p;
	d->node = info.node;
	d->type = info.type;
	d->caps = info.caps;
	d->capacity = info.capacity;
	d->free = info.free;
	d->used = p.logical_used;
	d->page_sizes = info.page_sizes;
	snprintf(d->dax, sizeof(d->dax), "dax%u.%u", info.dax_region, info.dax_id);
	if (!ioctl(fd, PRIVMEM_IOC_GET_DEMOTION, &dm)) {
		d->demotion = dm.flags & PRIVMEM_DEMOTION_ENABLE;
		d->all_sources = dm.flags & PRIVMEM_DEMOTION_ALL_SOURCES;
		for (i = 0; i < MAX_NODES / 64; i++)
			d->demotion_sources.bits[i] = dm.sources[i];
	}
	close(fd);
}

/* Read a device's state. Returns 0 or -ENOENT if it does not exist. */
int dev_load(const char *name, struct pm_dev *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->devpath, sizeof(d->devpath), "/dev/%s", name);
	snprintf(d->syspath, sizeof(d->syspath), SYS_PRIVMEM_CLASS "/%s", name);
	if (access(d->syspath, F_OK))
		return -ENOENT;
	d->id = id_of(name);
	d->node = -1;
	load_sysfs(d);
	/* Offline, the ioctls fail with ENXIO: there is nothing to add. */
	if (d->online)
		load_ioctls(d);
	backing_load(d->dax, &d->backing);
	return 0;
}

/* Open /dev/privmemN. Returns the fd or -errno, with nothing printed. */
int dev_open(struct pm_dev *d, int flags)
{
	int fd = open(d->devpath, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* dev_open(), with the reason printed when it fails. */
int dev_open_report(struct pm_dev *d, int flags)
{
	int fd = dev_open(d, flags);

	if (fd < 0)
		error("cannot open %s: %s", d->devpath,
		      fd == -EACCES ? "permission denied (root only)" : strerror(-fd));
	return fd;
}

/* The driver a dax device is bound to ("" if none). 0 or -ENOENT. */
int dax_driver(const char *dax, char *drv, size_t len)
{
	char path[256], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), SYS_DAX_DEVICES "/%s", dax);
	if (access(path, F_OK))
		return -ENOENT;
	snprintf(path, sizeof(path), SYS_DAX_DEVICES "/%s/driver", dax);
	n = readlink(path, target, sizeof(target) - 1);
	drv[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(drv, len, "%s", strrchr(target, '/') + 1);
	}
	return 0;
}

int dax_target_node(const char *dax)
{
	char buf[32];

	if (sysfs_readf(buf, sizeof(buf), SYS_DAX_DEVICES "/%s/target_node", dax))
		return -1;
	return atoi(buf);
}

bool privmem_loaded(void)
{
	return !access(SYS_PRIVMEM_DRV, F_OK);
}

/*
 * Load the privmem module if its driver is not registered yet. On failure
 * @why gets modprobe's last line of output (may be empty).
 */
int privmem_load(char *why, size_t len)
{
	char line[512];
	FILE *f;
	int status;

	why[0] = '\0';
	if (privmem_loaded())
		return 0;
	f = popen("modprobe privmem 2>&1", "r");
	if (!f) {
		snprintf(why, len, "cannot run modprobe: %s", strerror(errno));
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			snprintf(why, len, "%s", line);
	}
	status = pclose(f);
	if (status == 0 && privmem_loaded())
		return 0;
	if (!why[0] && status != 0)
		snprintf(why, len, "modprobe exited with status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -ENOENT;
}

/*
 * Explain an ioctl's ENXIO: the device is offline. Returns true if @err
 * (a positive errno) was that and a message was printed.
 */
bool dev_offline_error(const struct pm_dev *d, int err)
{
	if (err != ENXIO)
		return false;
	error("%s is offline: node %d has no memory now ('privctl online %s' brings it online)",
	      d->name, d->node, d->name);
	return true;
}

/*
 * Explain an ioctl's failure with @err (a positive errno): that @d is
 * offline, or "@what privmemN: the cause". @admin: the ioctl needs
 * CAP_SYS_ADMIN, which is what EPERM means.
 */
void dev_ioctl_error(const struct pm_dev *d, const char *what, int err,
		     bool admin)
{
	if (dev_offline_error(d, err))
		return;
	error("%s %s: %s", what, d->name,
	      admin && err == EPERM ? "needs CAP_SYS_ADMIN (run as root)" :
	      err == ENODEV ? "it is being removed" : strerror(err));
}

/*
 * A subcommand's single DEV operand (at optind): a usage error (printed,
 * non-zero return) if it is missing or followed by more.
 */
int dev_operand_check(int argc, char **argv)
{
	if (optind >= argc)
		return usage_error("which device? (privmemN, see 'privctl list')");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	return 0;
}

/* Resolve @arg (privmemN, /dev/privmemN, daxX.Y, nodeN) and load it. */
int dev_find(const char *arg, struct pm_dev *d)
{
	char name[32];

	if (dev_resolve(arg, name, sizeof(name)) || dev_load(name, d)) {
		error("%s: no such privmem device (see 'privctl list')", arg);
		return -ENOENT;
	}
	return 0;
}
