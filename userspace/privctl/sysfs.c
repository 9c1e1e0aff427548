// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: reading and writing sysfs attributes, the kernel's node lists
 * ("0-1,3"), and finding the processes that use a device (/proc).
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
