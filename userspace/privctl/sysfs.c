// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: reading and writing sysfs attributes, the kernel's node lists
 * ("0-1,3") and memory tiers, finding the processes that use a device
 * (/proc), and the kernel log's word on a device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "privctl.h"

/* Read one attribute, without its trailing newline. Returns 0 or -errno. */
int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int sysfs_readf(char *buf, size_t len, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return sysfs_read(path, buf, len);
}

int sysfs_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* Write one attribute. Returns 0 or the -errno the kernel gave. */
int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

bool nodeset_empty(const struct nodeset *ns)
{
	size_t i;

	for (i = 0; i < MAX_NODES / 64; i++)
		if (ns->bits[i])
			return false;
	return true;
}

/* Parse "0-1,3" (an empty string is the empty set). Returns 0 or -EINVAL. */
int nodeset_parse(const char *s, struct nodeset *ns)
{
	const char *p = s;

	memset(ns, 0, sizeof(*ns));
	while (*p) {
		char *end;
		long a, b;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			b = strtol(p, &end, 10);
		}
		if (a < 0 || b < a || b >= MAX_NODES)
			return -ERANGE;
		for (; a <= b; a++)
			nodeset_set(ns, a);
		p = end;
		if (*p != ',') {
			if (*p && *p != '\n')
				return -EINVAL;
			break;
		}
		p++;
	}
	return 0;
}

void nodeset_format(const struct nodeset *ns, char *buf, size_t len)
{
	size_t off = 0;
	int n = 0;

	buf[0] = '\0';
	while (n < MAX_NODES) {
		int start;

		if (!nodeset_has(ns, n)) {
			n++;
			continue;
		}
		start = n;
		while (n + 1 < MAX_NODES && nodeset_has(ns, n + 1))
			n++;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "",
					start);
		if (n > start && off < len)
			off += snprintf(buf + off, len - off, "-%d", n);
		n++;
	}
}

int nodeset_read(const char *path, struct nodeset *ns)
{
	char buf[1024];
	int ret;

	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	return nodeset_parse(buf, ns);
}

/* Is @node in /sys/devices/system/node/@file? 1, 0, or -errno. */
int node_in_list(const char *file, int node)
{
	struct nodeset ns;
	char path[256];
	int ret;

	snprintf(path, sizeof(path), SYS_NODES "/%s", file);
	ret = nodeset_read(path, &ns);
	if (ret)
		return ret;
	return nodeset_has(&ns, node);
}

/*
 * The memory tier (memory_tierN) that lists @node, its node list in @nodes
 * unless that is NULL; -1 if none does.
 */
int memory_tier_of(int node, char *nodes, size_t len)
{
	char path[320];
	struct nodeset ns;
	int t;

	for (t = 0; t < 4096; t++) {
		snprintf(path, sizeof(path), SYS_TIERS "/memory_tier%d/nodelist", t);
		if (nodeset_read(path, &ns) || !nodeset_has(&ns, node))
			continue;
		if (nodes)
			nodeset_format(&ns, nodes, len);
		return t;
	}
	if (nodes)
		nodes[0] = '\0';
	return -1;
}

static bool proc_maps_have(const char *pid, const char *devpath)
{
	char path[64], line[1024];
	size_t dl = strlen(devpath);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (p && !strncmp(p, devpath, dl) &&
		    (p[dl] == '\n' || p[dl] == ' ' || !p[dl]))
			found = true;
	}
	fclose(f);
	return found;
}

static bool proc_fds_have(const char *pid, const char *devpath)
{
	char path[600], target[256];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = !strcmp(target, devpath);
	}
	closedir(d);
	return found;
}

/*
 * List the processes that map or hold open @devpath, as "pid 12 (fio),
 * pid 40 (a.out)" in @buf. Returns how many were found.
 */
int proc_users(const char *devpath, char *buf, size_t len)
{
	struct dirent *e;
	size_t off = 0;
	int n = 0;
	DIR *d;

	buf[0] = '\0';
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char comm[64] = "?";

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (!proc_maps_have(e->d_name, devpath) &&
		    !proc_fds_have(e->d_name, devpath))
			continue;
		sysfs_readf(comm, sizeof(comm), "/proc/%s/comm", e->d_name);
		if (off < len)
			off += snprintf(buf + off, len - off, "%spid %s (%s)",
					n ? ", " : "", e->d_name, comm);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * The kernel log from now on: /dev/kmsg opened at its end, for
 * kernel_says() after an operation that may fail with the reason in the
 * log. -1 if it cannot be read (then kernel_says() looks at dmesg).
 */
int kernel_log_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool mentions(const char *msg, const char *what, const char *what2)
{
	return (strstr(msg, what) || (what2 && strstr(msg, what2))) &&
	       !strstr(msg, "probe of ") && !strstr(msg, "probe with driver");
}

/* The last line of dmesg's last 50 that mentions @what or @what2. */
static void dmesg_says(const char *what, const char *what2, char *buf, size_t len)
{
	char line[512];
	FILE *f;

	f = popen("dmesg 2>/dev/null | tail -n 50", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (!mentions(line, what, what2))
			continue;
		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, "] ");
		snprintf(buf, len, "%s", p ? p + 2 : line);
	}
	pclose(f);
}

/*
 * The last kernel log message since kernel_log_mark() returned @mark (and
 * closes it) that mentions @what or @what2 (may be NULL), in @buf ("" if
 * none): the driver's own reason for a failed probe or online, not the
 * driver core's summary.
 */
void kernel_says(int mark, const char *what, const char *what2, char *buf,
		 size_t len)
{
	char rec[1024], *msg;
	ssize_t n;

	buf[0] = '\0';
	if (mark < 0) {
		dmesg_says(what, what2, buf, len);
		return;
	}
	/* One record per read: "PRIO,SEQ,TIME,FLAGS;text\n continuation" */
	for (;;) {
		n = read(mark, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten meanwhile */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (mentions(msg, what, what2))
			snprintf(buf, len, "%s", msg);
	}
	close(mark);
}
