/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the privmem user tests: binding dax0.0 to privmem (and
 * putting it back as it was), finding /dev/privmemN, node queries through
 * sysfs and move_pages(2), and data patterns with checksums.
 *
 * Self-contained, like every header of tests/lib: it includes the harness
 * (its helpers take a test's metadata and use ASSERT and SKIP), so the
 * headers may be included in any order.
 */
#ifndef _PRIVMEM_LIB_H
#define _PRIVMEM_LIB_H

#include "kselftest_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <numaif.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/privmem.h>
#include <linux/capability.h>
#include <sys/syscall.h>

/*
 * PM_DAX names the dax device a program that spells it out binds: the
 * NVDIMM guest's dax0.0. The library's binding helpers (pm_bind() and the
 * rest) bind pm_dax() instead: dax0.0 too, unless PRIVMEM_DAX names
 * another device, as the CXL guest does to run the programs that never
 * spell out PM_DAX on its CXL region's dax device
 * (scripts/guest/guest-check.sh, pm_dax=).
 */
#define PM_DAX		"dax0.0"
#define PM_DAX_DIR	"/sys/bus/dax/devices/" PM_DAX
#define PM_DEVDAX_DRV	"/sys/bus/dax/drivers/device_dax"
#define PM_DRV		"/sys/bus/dax/drivers/privmem"
#define PM_PAGE		4096UL
#define PM_HPAGE	(2 * 1024UL * 1024)

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

static inline int pm_read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static inline long pm_read_long(const char *path)
{
	char buf[128];

	if (pm_read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

/*
 * Run the shell command line @fmt, its stdout and stderr into @out (at most
 * @len - 1 bytes, NUL-terminated): its exit status, or -1 if it could not
 * run or was killed.
 */
static inline __printf(3, 4) int
pm_sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1040], line[1024];
	size_t n = 0;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "{ %s; } 2>&1", line);
	out[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);

		if (n + l < len) {
			memcpy(out + n, line, l + 1);
			n += l;
		}
	}
	st = pclose(f);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Returns 0 or -errno of the write. */
static inline int pm_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

/* "Node N Key: X kB" of /sys/devices/system/node/nodeN/meminfo, in kB. */
static inline long pm_node_meminfo(int nid, const char *key)
{
	char path[128], line[256], k[64];
	long val = -1, v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 nid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d %63[^:]: %ld", &n, k, &v) == 3 &&
		    !strcmp(k, key)) {
			val = v;
			break;
		}
	}
	fclose(f);
	return val;
}

/*
 * MemFree of node @nid once it has not changed for 4 s (at most 12 s).
 * Pages in per-cpu free lists are not counted as free, and freed THPs wait
 * there; the vmstat worker drains the lists of a node without CPUs about
 * 3 s after their last use. A settled reading is the node's real free
 * pool, so baselines and after-free readings compare like with like.
 */
static inline long pm_node_free_settled(int nid)
{
	long free_kb = pm_node_meminfo(nid, "MemFree"), now_kb;
	int stable = 0, i;

	for (i = 0; i < 60 && stable < 20; i++) {
		usleep(200 * 1000);
		now_kb = pm_node_meminfo(nid, "MemFree");
		stable = now_kb == free_kb ? stable + 1 : 0;
		free_kb = now_kb;
	}
	return free_kb;
}

/* The value of @key in /proc/vmstat, or -1 if it has no such line. */
static inline long pm_vmstat(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = atol(line + n + 1);
			break;
		}
	fclose(f);
	return v;
}

/*
 * The multi-gen LRU: its state (/sys/kernel/mm/lru_gen/enabled, a hex mask
 * whose bit 0 is the core). Tests run once with it on, as Debian boots,
 * and once with the classic LRU through fixture variants (lru_gen_on,
 * lru_gen_off) whose setup calls pm_lru_gen_setup().
 */
#define PM_LRU_GEN	"/sys/kernel/mm/lru_gen/enabled"

/* The mask read back, or -1. */
static inline long pm_lru_gen(void)
{
	return pm_read_long(PM_LRU_GEN);
}

/*
 * Switch the multi-gen LRU core on or off and check that it took, saving
 * the previous mask in @saved (for pm_lru_gen_restore()). Skips the test
 * when the kernel has no multi-gen LRU.
 */
static inline void pm_lru_gen_setup(struct __test_metadata *_metadata, int on,
				    char *saved, size_t len)
{
	saved[0] = '\0';
	if (access(PM_LRU_GEN, F_OK))
		SKIP(return, "no multi-gen LRU (CONFIG_LRU_GEN) in this kernel");
	ASSERT_EQ(0, pm_read_str(PM_LRU_GEN, saved, len));
	ASSERT_EQ(0, pm_write_str(PM_LRU_GEN, on ? "y" : "n"));
	ASSERT_EQ(on, pm_lru_gen() & 1)
		TH_LOG("lru_gen/enabled is %s after writing %s",
		       saved, on ? "y" : "n");
}

static inline void pm_lru_gen_restore(const char *saved)
{
	if (saved[0])
		pm_write_str(PM_LRU_GEN, saved);
}

/* Is @nid in the node list /sys/devices/system/node/@file? */
static inline int pm_node_listed(const char *file, int nid)
{
	char path[128], buf[256], *p, *save;

	snprintf(path, sizeof(path), "/sys/devices/system/node/%s", file);
	if (pm_read_str(path, buf, sizeof(buf)))
		return -1;
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) == 2) {
			if (nid >= a && nid <= b)
				return 1;
		} else if (*p && atoi(p) == nid) {
			return 1;
		}
	}
	return 0;
}

/* How many of the @npages pages at @addr are on node @nid (query mode). */
static inline long pm_count_on_node(void *addr, unsigned long npages,
				    int nid)
{
	void **pages = calloc(npages, sizeof(void *));
	int *status = calloc(npages, sizeof(int));
	unsigned long i;
	long on = 0;

	if (!pages || !status) {
		free(pages);
		free(status);
		return -1;
	}
	for (i = 0; i < npages; i++)
		pages[i] = (char *)addr + i * PM_PAGE;
	if (move_pages(0, npages, pages, NULL, status, 0))
		on = -1;
	else
		for (i = 0; i < npages; i++)
			if (status[i] == nid)
				on++;
	free(pages);
	free(status);
	return on;
}

static inline __u64 pm_checksum(const void *addr, size_t len)
{
	const __u64 *p = addr;
	__u64 sum = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len / 8; i++)
		sum = (sum ^ p[i]) * 1099511628211ULL;
	return sum;
}

static inline void pm_fill(void *addr, size_t len, unsigned int seed)
{
	__u64 *p = addr, x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

/* A 2M-aligned anonymous (THP-able) or 4K-only buffer of @len bytes. */
static inline char *pm_anon(size_t len, int thp)
{
	char *raw, *p;

	raw = mmap(NULL, len + PM_HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)raw + PM_HPAGE - 1) & ~(PM_HPAGE - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + len, raw + PM_HPAGE - p);
	madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* AnonHugePages of the calling process in kB, or -1. */
static inline long pm_anon_huge_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* AnonHugePages in kB of the calling process's VMA holding @addr, or -1. */
static inline long pm_vma_huge_kb(const void *addr)
{
	unsigned long a = (unsigned long)addr, start, end;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			if (in)
				break;
			in = a >= start && a < end;
		} else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb;
}

/*
 * MADV_COLLAPSE of the 2M range at @addr, its pages all on node @nid: a
 * collapse needs a free 2M block on that node, which the kernel may not
 * have at once (fragmentation, pages on per-CPU lists), so compact the
 * node and try again, up to five times. Returns the AnonHugePages of the
 * range's VMA afterwards (2048 once it collapsed).
 */
static inline long pm_collapse_range(void *addr, int nid)
{
	char path[96];
	int i;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/compact",
		 nid);
	for (i = 0; i < 5; i++) {
		if (!madvise(addr, PM_HPAGE, MADV_COLLAPSE) &&
		    pm_vma_huge_kb(addr) >= 2048)
			break;
		pm_write_str(path, "1");
		usleep(200 * 1000);
	}
	return pm_vma_huge_kb(addr);
}

/*
 * A new cgroup "/sys/fs/cgroup/@name-PID" with @controller ("memory",
 * "cpuset") enabled for the root's children, its path in @path: 0,
 * -ENOENT if the kernel lacks the controller, or -errno.
 */
static inline int pm_cgroup_new(char *path, size_t len, const char *name,
				const char *controller)
{
	char buf[256];
	int ret;

	path[0] = '\0';
	ret = pm_read_str("/sys/fs/cgroup/cgroup.controllers", buf,
			  sizeof(buf));
	if (ret)
		return ret;
	if (!strstr(buf, controller))
		return -ENOENT;
	snprintf(buf, sizeof(buf), "+%s", controller);
	ret = pm_write_str("/sys/fs/cgroup/cgroup.subtree_control", buf);
	if (ret)
		return ret;
	snprintf(path, len, "/sys/fs/cgroup/%s-%d", name, getpid());
	if (mkdir(path, 0755)) {
		ret = -errno;
		path[0] = '\0';
	}
	return ret;
}

static inline int pm_memcg_new(char *path, size_t len, const char *name)
{
	return pm_cgroup_new(path, len, name, "memory");
}

static inline char const *pm_dax(void)
{
	const char *dax = getenv("PRIVMEM_DAX");

	return dax && dax[0] ? dax : PM_DAX;
}

/* "@dir/daxX.Y[/@attr]" for pm_dax() in @buf. */
static inline char const *pm_dax_path(char *buf, size_t len, const char *dir,
				      const char *attr)
{
	snprintf(buf, len, "%s/%s%s%s", dir, pm_dax(), attr ? "/" : "",
		 attr ? attr : "");
	return buf;
}

/* Whether pm_dax() is bound to the dax driver whose sysfs dir is @drv. */
static inline int pm_dax_bound_to(const char *drv)
{
	char path[256];

	return !access(pm_dax_path(path, sizeof(path), drv, NULL), F_OK);
}

/* Binding state of pm_dax(), so that the test can put it back. */
struct pm_binding {
	int was_devdax;		/* pm_dax() was bound to device_dax */
	int bound;		/* we bound it to privmem */
	int memmap_cleared;	/* we wrote 0 to its memmap_on_memory */
	int nid;		/* its target node */
	char devpath[64];	/* /dev/privmemN */
	char syspath[128];	/* /sys/class/privmem/privmemN */
};

/* The privmem device made from dax device @dax: its paths into @b. */
static inline int pm_find_dev_of(struct pm_binding *b, const char *dax)
{
	char path[256], buf[64];
	glob_t g;
	size_t i;
	int ret = -ENOENT;

	if (glob("/sys/class/privmem/privmem*", 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc; i++) {
		snprintf(path, sizeof(path), "%s/dax", g.gl_pathv[i]);
		if (pm_read_str(path, buf, sizeof(buf)) || strcmp(buf, dax))
			continue;
		snprintf(b->syspath, sizeof(b->syspath), "%s", g.gl_pathv[i]);
		snprintf(b->devpath, sizeof(b->devpath), "/dev/%s",
			 strrchr(g.gl_pathv[i], '/') + 1);
		ret = 0;
		break;
	}
	globfree(&g);
	return ret;
}

static inline int pm_find_dev(struct pm_binding *b)
{
	return pm_find_dev_of(b, pm_dax());
}

/*
 * Bind pm_dax() to privmem with its memory offline, so that its settings
 * (/sys/class/privmem/privmemN/type, physical_size, ...) can be written:
 * 0 or -errno.
 */
static inline int pm_bind_offline_for(struct pm_binding *b, const char *type)
{
	char path[256], buf[64];
	int ret;

	memset(b, 0, sizeof(*b));
	if (access(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices", NULL), F_OK))
		return -ENODEV;
	if (system("modprobe privmem") != 0)
		return -ENOENT;
	if (pm_dax_bound_to(PM_DEVDAX_DRV)) {
		ret = pm_write_str(PM_DEVDAX_DRV "/unbind", pm_dax());
		if (ret)
			return ret;
		b->was_devdax = 1;
	}
	/*
	 * A compressed node refuses a device with memmap_on_memory (dax_cxl
	 * sets it), which can only change while no kmem-type driver has it.
	 */
	pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices", "memmap_on_memory");
	if (type && !strcmp(type, "compressed") && !pm_read_str(path, buf, sizeof(buf)) &&
	    !strcmp(buf, "1")) {
		/* privmem may hold a CXL region's device, offline, since modprobe. */
		if (pm_dax_bound_to(PM_DRV)) {
			ret = pm_write_str(PM_DRV "/unbind", pm_dax());
			if (ret)
				return ret;
		}
		ret = pm_write_str(path, "0");
		if (ret)
			return ret;
		b->memmap_cleared = 1;
	}
	ret = pm_write_str(PM_DRV "/new_id", pm_dax());
	if (ret)
		return ret;
	if (!pm_dax_bound_to(PM_DRV))
		return -EIO;
	b->bound = 1;
	if (pm_read_str(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices", "target_node"),
			buf, sizeof(buf)))
		return -EIO;
	b->nid = atoi(buf);
	return pm_find_dev(b);
}

static inline int pm_bind_offline(struct pm_binding *b)
{
	return pm_bind_offline_for(b, NULL);
}

/* Write @val to the attribute @attr of the bound device: 0 or -errno. */
static inline int pm_set(struct pm_binding *b, const char *attr,
			 const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", b->syspath, attr);
	return pm_write_str(path, val);
}

static inline int pm_online(struct pm_binding *b)
{
	return pm_set(b, "state", "online");
}

/*
 * Bind dax0.0 to privmem and bring it online as a node of @type ("plain"
 * or "compressed") with the other settings at their defaults.
 */
static inline int pm_type_online(struct pm_binding *b, const char *type)
{
	int ret = pm_set(b, "type", type);

	return ret ? ret : pm_online(b);
}

static inline int pm_bind(struct pm_binding *b, const char *type)
{
	int ret = pm_bind_offline_for(b, type);

	return ret ? ret : pm_type_online(b, type);
}

static inline int pm_unbind(struct pm_binding *b)
{
	int ret = 0;

	if (b->bound) {
		ret = pm_write_str(PM_DRV "/unbind", pm_dax());
		if (ret)
			return ret;
		b->bound = 0;
	}
	return 0;
}

/* Put pm_dax() back as it was found. */
static inline int pm_restore(struct pm_binding *b)
{
	char path[256];
	int ret = pm_unbind(b);

	if (ret)
		return ret;
	pm_write_str(PM_DRV "/remove_id", pm_dax());
	if (b->memmap_cleared &&
	    !pm_write_str(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices",
				      "memmap_on_memory"), "1"))
		b->memmap_cleared = 0;
	if (b->was_devdax) {
		ret = pm_write_str(PM_DEVDAX_DRV "/bind", pm_dax());
		if (!ret)
			b->was_devdax = 0;
	}
	return ret;
}

static struct pm_binding *pm_exit_binding;
static pid_t pm_exit_pid;

static void pm_restore_handler(void)
{
	/* Forked children that call exit() must not unbind the device. */
	if (!pm_exit_binding || getpid() != pm_exit_pid)
		return;
	if (pm_restore(pm_exit_binding)) {
		printf("# could not put %s back\n", pm_dax());
		fflush(stdout);
		_exit(1);
	}
}

/*
 * Put dax0.0 back when the test program exits. test_harness_run() ends
 * with exit(), so code after it never runs; the harness's own test
 * children leave with _exit() and do not run the handler. A failed
 * restore fails the program.
 */
static inline void pm_restore_at_exit(struct pm_binding *b)
{
	pm_exit_binding = b;
	pm_exit_pid = getpid();
	atexit(pm_restore_handler);
}

/*
 * Bind dax0.0 as a node of @type for a whole test program and have it put
 * back when the program exits. Returns 0, or prints a TAP "Bail out!" line
 * and returns non-zero: the program should then exit with status 1.
 */
static inline int pm_bind_for_program(struct pm_binding *b, const char *type)
{
	int ret = pm_bind(b, type);

	if (ret) {
		printf("Bail out! cannot bind %s to privmem: %s\n", pm_dax(),
		       strerror(-ret));
		pm_restore(b);
		return 1;
	}
	pm_restore_at_exit(b);
	return 0;
}

/*
 * For a program whose tests need several node types: each test (a child
 * of the harness) binds dax0.0 with pm_rebind(), and the program puts it
 * back at exit as pm_rebind_restore_at_exit() found it at the start
 * (bound to device_dax, to privmem as a plain node, or to nothing).
 */
static inline int pm_rebind_offline_for(struct pm_binding *b, const char *type)
{
	int ret;

	if (pm_dax_bound_to(PM_DRV)) {
		ret = pm_write_str(PM_DRV "/unbind", pm_dax());
		if (ret)
			return ret;
		pm_write_str(PM_DRV "/remove_id", pm_dax());
	}
	return pm_bind_offline_for(b, type);
}

static inline int pm_rebind_offline(struct pm_binding *b)
{
	return pm_rebind_offline_for(b, NULL);
}

static inline int pm_rebind(struct pm_binding *b, const char *type)
{
	int ret = pm_rebind_offline_for(b, type);

	return ret ? ret : pm_type_online(b, type);
}

static int pm_found_devdax, pm_found_privmem;
static char pm_found_memmap[8];

static void pm_rebind_restore(void)
{
	char path[256];

	if (getpid() != pm_exit_pid)
		return;
	if (pm_dax_bound_to(PM_DRV) &&
	    pm_write_str(PM_DRV "/unbind", pm_dax())) {
		printf("# could not put %s back\n", pm_dax());
		fflush(stdout);
		_exit(1);
	}
	pm_write_str(PM_DRV "/remove_id", pm_dax());
	if (pm_found_memmap[0])
		pm_write_str(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices",
					 "memmap_on_memory"), pm_found_memmap);
	if (pm_found_devdax) {
		pm_write_str(PM_DEVDAX_DRV "/bind", pm_dax());
	} else if (pm_found_privmem) {
		struct pm_binding b = { 0 };

		pm_write_str(PM_DRV "/new_id", pm_dax());
		if (!pm_find_dev(&b))
			pm_online(&b);
	}
}

/* Returns 0, or prints a TAP "Bail out!" line and returns non-zero. */
static inline int pm_rebind_restore_at_exit(void)
{
	char path[256];

	if (access(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices", NULL), F_OK) ||
	    system("modprobe privmem") != 0) {
		printf("Bail out! no %s or no privmem module\n", pm_dax());
		return 1;
	}
	pm_found_devdax = pm_dax_bound_to(PM_DEVDAX_DRV);
	pm_found_privmem = pm_dax_bound_to(PM_DRV);
	pm_read_str(pm_dax_path(path, sizeof(path), "/sys/bus/dax/devices",
				"memmap_on_memory"), pm_found_memmap,
		    sizeof(pm_found_memmap));
	pm_exit_pid = getpid();
	atexit(pm_rebind_restore);
	return 0;
}

static inline int pm_open(struct pm_binding *b)
{
	return open(b->devpath, O_RDWR | O_CLOEXEC);
}

/*
 * The standard device fixture of a program that tests one device: its
 * binding B (the program's main() binds it) and FIXTURE(pm) { int fd; }
 * whose setup opens B's device and fails the test if it does not open.
 * The program writes its own FIXTURE_TEARDOWN(pm), which closes self->fd.
 */
#define PM_DEV_FIXTURE						\
	static struct pm_binding B;				\
	FIXTURE(pm) {						\
		int fd;						\
	};							\
	FIXTURE_SETUP(pm)					\
	{							\
		self->fd = pm_open(&B);				\
		ASSERT_GE(self->fd, 0);				\
	}

/*
 * The setup of a fixture with the multi-gen LRU on and off (variants
 * lru_gen_on, lru_gen_off): open the device of @b into *@fd, failing the
 * test if it does not open, then pm_lru_gen_setup(@on, @saved, @len).
 */
static inline void pm_lru_fixture_setup(struct __test_metadata *_metadata,
					struct pm_binding *b, int *fd, int on,
					char *saved, size_t len)
{
	*fd = pm_open(b);
	ASSERT_GE(*fd, 0);
	pm_lru_gen_setup(_metadata, on, saved, len);
}

/*
 * In a forked child: join the cgroup @cg (its directory), map @len bytes of
 * anonymous 4K memory bound to node 1 and fill them (pm_fill(@seed)). The
 * memory; the child exits with 3 if it cannot join the cgroup, with 4 if
 * it cannot map or bind the memory.
 */
static inline char *pm_child_node1_fill(const char *cg, size_t len,
					unsigned int seed)
{
	unsigned long node1 = 1UL << 1;
	char path[256], pid[32];
	char *p;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (pm_write_str(path, pid))
		_exit(3);
	p = pm_anon(len, 0);
	if (!p || mbind(p, len, MPOL_BIND, &node1, 64, 0))
		_exit(4);
	pm_fill(p, len, seed);
	return p;
}

/*
 * Drop every capability but keep the uid (root): ptrace access remains.
 * 0 or -1 (errno) of capset(2).
 */
static inline int pm_drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data);
}

/*
 * Bind dax0.0 as a node of @type (a compressed one with the default
 * physical size, half the logical) and open it: the fd, or -errno.
 */
static inline int pm_bind_open(struct pm_binding *b, const char *type)
{
	int ret = pm_bind(b, type);

	if (ret)
		return ret;
	ret = pm_open(b);
	return ret < 0 ? -errno : ret;
}

static inline long pm_sys_long(struct pm_binding *b, const char *attr)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", b->syspath, attr);
	return pm_read_long(path);
}

/*
 * Hold a compressed node's balloon at 0 (an explicit target) and wait (at
 * most 5 s) until it holds nothing, for a test that counts the node's free
 * pages for another reason: the balloon (cram_balloon.c) would take pages
 * as the device's data demands. Nothing to do on a plain node. Returns 0,
 * or -errno if the target could not be set, or -ETIMEDOUT.
 */
static inline int pm_balloon_off(struct pm_binding *b)
{
	char path[256];
	int i, ret;

	snprintf(path, sizeof(path), "%s/cram/balloon_target", b->syspath);
	if (access(path, F_OK))
		return 0;
	ret = pm_write_str(path, "0");
	if (ret)
		return ret;
	for (i = 0; i < 250; i++) {
		if (pm_sys_long(b, "cram/balloon") == 0)
			return 0;
		usleep(20 * 1000);
	}
	return -ETIMEDOUT;
}

static inline int pm_info(int fd, struct privmem_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, PRIVMEM_IOC_INFO, info);
}

static inline int pm_pressure(int fd, struct privmem_pressure *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, p);
}

static inline int pm_inject(int fd, unsigned int level, unsigned int flags)
{
	struct privmem_inject in = { .size = sizeof(in), .flags = flags,
				     .level = level };

	return ioctl(fd, PRIVMEM_IOC_INJECT_PRESSURE, &in);
}

/* MIGRATE a range of @pid; fills @m. Returns ioctl's result. */
static inline int pm_migrate(int fd, struct privmem_migrate *m, pid_t pid,
			     void *addr, size_t len, unsigned int flags,
			     int target)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->flags = flags;
	m->pid = pid;
	m->target_node = target;
	m->addr = (uintptr_t)addr;
	m->length = len;
	return ioctl(fd, PRIVMEM_IOC_MIGRATE, m);
}

/* Map @len bytes of /dev/privmemN (MAP_PRIVATE) and touch every page. */
static inline char *pm_map(int fd, size_t len, int touch)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	if (touch)
		for (i = 0; i < len; i += PM_PAGE)
			p[i] = 1;
	return p;
}

/* Kernel log lines since the last call (dmesg is root-only). */
static inline int pm_dmesg_contains(const char *needle)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "dmesg | grep -qF '%s'", needle);
	return system(cmd) == 0;
}

/*
 * test_harness_run() with every test's timeout multiplied by
 * $PRIVMEM_TIMEOUT_SCALE (guest-check.sh sets it on a debug kernel, where
 * KASAN, lockdep and kmemleak make the kernel side several times slower).
 */
static inline int pm_test_harness_run(int argc, char **argv)
{
	const char *s = getenv("PRIVMEM_TIMEOUT_SCALE");
	int scale = s ? atoi(s) : 1;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (scale > 1)
		for (f = __fixture_list; f; f = f->next)
			for (t = f->tests; t; t = t->next)
				t->timeout *= scale;
	return test_harness_run(argc, argv);
}

#endif /* _PRIVMEM_LIB_H */
