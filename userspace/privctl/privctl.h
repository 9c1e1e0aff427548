/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privctl: command-line tool for privmem private memory nodes.
 *
 * Interfaces between the files:
 *   privctl.c   main, subcommand dispatch, --help/--version, messages
 *   options.c   the options (-j, -b, -h) and the DEV operand subcommands share
 *   device.c    finding privmem devices (sysfs) and reading their state
 *               (ioctls where /dev/privmemN can be opened, sysfs otherwise)
 *   sysfs.c     small sysfs/proc file helpers, node lists, memory tiers,
 *               the kernel log
 *   size.c      parsing and printing sizes
 *   backing.c   what backs a dax device: CXL region, NVDIMM namespace
 *   json.c      the JSON shape of a device (list, info, create)
 *   list.c      list and info, and the one-line summary of a device
 *   bind.c      create and destroy (the dax bus)
 *   settings.c  the per-device settings and the state: set, online,
 *               offline
 *   migrate.c   migrate
 *   demotion.c  demotion
 *   pressure.c  pressure and pressure --watch
 *   run.c       run
 *
 * It talks to the kernel only through <linux/privmem.h> and sysfs.
 */
#ifndef _PRIVCTL_H
#define _PRIVCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/privmem.h>

#define PRIVCTL_VERSION	"0.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define SYS_PRIVMEM_CLASS	"/sys/class/privmem"
#define SYS_DAX_DEVICES		"/sys/bus/dax/devices"
#define SYS_DAX_DRIVERS		"/sys/bus/dax/drivers"
#define SYS_PRIVMEM_DRV		SYS_DAX_DRIVERS "/privmem"
#define SYS_ND_DEVICES		"/sys/bus/nd/devices"
#define SYS_NODES		"/sys/devices/system/node"
#define SYS_TIERS		"/sys/devices/virtual/memory_tiering"

#define MAX_NODES	PRIVMEM_MAX_NODES

/* A node set as the kernel's node lists print it ("0-1,3"). */
struct nodeset {
	uint64_t bits[MAX_NODES / 64];
};

/* What backs a dax device (backing.c). */
enum backing_kind {
	BACKING_OTHER,
	BACKING_NVDIMM,
	BACKING_CXL,
};

struct backing {
	enum backing_kind kind;
	char name[32];		/* namespaceX.Y, regionN; "" for other */
	char region[32];	/* the nd or CXL region */
	char nd_dax[32];	/* NVDIMM: the nd_dax device (daxR.K) */
};

/* Everything privctl knows about one privmem device. */
struct pm_dev {
	char name[32];		/* privmemN */
	char devpath[64];	/* /dev/privmemN */
	char syspath[128];	/* /sys/class/privmem/privmemN */
	char dax[32];		/* daxX.Y */
	struct backing backing;	/* what backs the dax device */
	int id;
	int node;
	unsigned int type;	/* PRIVMEM_TYPE_* */
	uint64_t caps;		/* PRIVMEM_CAP_* */
	uint64_t capacity, used, free;
	uint64_t page_sizes;
	long mappings;
	long poisoned;		/* hardware-poisoned pages, -1 if unknown */
	bool demotion;
	struct nodeset demotion_sources;
	bool all_sources;
	/* counters/inplace_writes: pages the device found written in place */
	uint64_t inplace_writes;
	long shared_objects;	/* MAP_SHARED objects alive, -1 if unknown */
	/*
	 * The state and the settings, from sysfs. A driver without a state
	 * attribute binds online. A setting it does not show is -1 (false
	 * for have_watermarks).
	 */
	char state[16];		/* online, offline, going-offline, ... */
	bool online;
	int64_t physical_size;	/* bytes, 0: half the capacity */
	int numa_balancing, compaction, checksum;
	bool have_watermarks;
	unsigned int wm_low, wm_high;
	/* Filled from the ioctls when the device could be opened. */
	bool have_ioctl;
	struct privmem_info info;
	struct privmem_pressure pressure;
};

/* privctl.c */
extern const char *progname;
extern const char *cmdname;
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_hint(void);

/* options.c */
struct option;
/* Entries of a subcommand's option table that cmd_getopt() handles. */
#define OPTION_JSON	{ "json", no_argument, NULL, 'j' }
#define OPTION_BYTES	{ "bytes", no_argument, NULL, 'b' }
#define OPTION_HELP	{ "help", no_argument, NULL, 'h' }
struct cmd_opts {
	const char *usage;	/* what -h prints */
	bool json;		/* -j, --json */
	bool raw;		/* -b, --bytes: sizes in bytes */
};
int cmd_getopt(int argc, char **argv, const char *optstring,
	       const struct option *opts, struct cmd_opts *o);
void cmd_help_only(int argc, char **argv, const char *usage);
int cmd_dev_operand(int argc, char **argv, struct pm_dev *d);
int watermarks_option(const char *arg, unsigned int *low, unsigned int *high);

/* Subcommands: argc/argv start at the subcommand name. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_online(int argc, char **argv);
int cmd_offline(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demotion(int argc, char **argv);
int cmd_pressure(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* sysfs.c */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_read_u64(const char *path, uint64_t *val);
int sysfs_write(const char *path, const char *val);
int sysfs_readf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nodeset_parse(const char *s, struct nodeset *ns);
void nodeset_format(const struct nodeset *ns, char *buf, size_t len);
int nodeset_read(const char *path, struct nodeset *ns);
static inline void nodeset_set(struct nodeset *ns, int n)
{
	ns->bits[n / 64] |= 1ULL << (n % 64);
}
static inline bool nodeset_has(const struct nodeset *ns, int n)
{
	return n >= 0 && n < MAX_NODES && (ns->bits[n / 64] >> (n % 64)) & 1;
}
bool nodeset_empty(const struct nodeset *ns);
int node_in_list(const char *file, int node);
int memory_tier_of(int node, char *nodes, size_t len);
int proc_users(const char *devpath, char *buf, size_t len);
int kernel_log_mark(void);
void kernel_says(int mark, const char *what, const char *what2, char *buf,
		 size_t len);

/* size.c */
int size_parse(const char *s, uint64_t *bytes);
int watermarks_parse(const char *s, unsigned int *low, unsigned int *high);
const char *size_str(uint64_t bytes, bool raw, char *buf, size_t len);
#define SIZE_STR_LEN 32

/* backing.c */
const char *backing_kind_name(enum backing_kind kind);
enum backing_kind backing_classify(const char *path, struct backing *b);
void backing_load(const char *dax, struct backing *b);
void backing_format(const struct backing *b, char *buf, size_t len);
#define BACKING_STR_LEN 48

/* device.c */
int dev_names(char ***names);
void dev_names_free(char **names, int n);
int dev_resolve(const char *arg, char *name, size_t len);
int dev_load(const char *name, struct pm_dev *d);
int dev_operand_check(int argc, char **argv);
int dev_find(const char *arg, struct pm_dev *d);
int dev_open(struct pm_dev *d, int flags);
int dev_open_report(struct pm_dev *d, int flags);
const char *name_of(const char * const *names, size_t n, unsigned int v,
		    const char *unknown);
const char *type_name(unsigned int type);
const char *state_name(unsigned int state);
void caps_format(uint64_t caps, char *buf, size_t len);
extern const char * const cap_names[];
extern const int nr_cap_names;
int dax_driver(const char *dax, char *drv, size_t len);
int dax_target_node(const char *dax);
bool privmem_loaded(void);
int privmem_load(char *why, size_t len);
bool dev_offline_error(const struct pm_dev *d, int err);
void dev_ioctl_error(const struct pm_dev *d, const char *what, int err,
		     bool admin);

/* list.c */
void dev_print_summary(const char *name, bool json, bool raw);

/* settings.c */
int setting_write(struct pm_dev *d, const char *key, const char *value);
int state_write(struct pm_dev *d, bool online);
void explain_busy(struct pm_dev *d);

/* json.c */
struct json_object;
struct json_object *dev_to_json(const struct pm_dev *d);
struct json_object *pressure_to_json(const struct privmem_pressure *p);
void json_print(struct json_object *jobj);

#endif /* _PRIVCTL_H */
