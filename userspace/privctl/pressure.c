// SPDX-License-Identifier: GPL-2.0
/*
 * privctl pressure: the pressure level, watermarks and counters of a node
 * (PRIVMEM_IOC_GET_PRESSURE); setting the watermarks or injecting a level
 * (SET_WATERMARKS, INJECT_PRESSURE); and --watch, which polls the device
 * for POLLPRI and prints each watermark crossing until interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include "privctl.h"

static const char pressure_usage[] =
"usage: privctl pressure DEV [--watch [--count N]] [--json] [--bytes]\n"
"       privctl pressure DEV --watermarks LOW,HIGH\n"
"       privctl pressure DEV --inject LEVEL | --clear\n"
"\n"
"Show the pressure level (0..1000), the watermarks, the state and the\n"
"node's use. With --watch, print each watermark crossing as the device\n"
"signals it (poll POLLPRI) until interrupted. DEV is privmemN, daxX.Y\n"
"or nodeN. Setting watermarks and injecting need root (CAP_SYS_ADMIN).\n"
"\n"
"  -w, --watch              print crossings as they happen\n"
"  -c, --count N            with --watch: stop after N crossings\n"
"  -W, --watermarks LOW,HIGH  set the watermarks (0 <= LOW < HIGH <= 1000)\n"
"  -i, --inject LEVEL       report LEVEL from now on, as a device would\n"
"                           signal it (emulation and tests)\n"
"  -C, --clear              stop injecting: back to measured occupancy\n"
"  -j, --json               JSON (--watch: one object per line)\n"
"  -b, --bytes              sizes in bytes\n"
"  -h, --help               this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int get_pressure(int fd, struct privmem_pressure *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return ioctl(fd, PRIVMEM_IOC_GET_PRESSURE, p) ? -errno : 0;
}

static void show(const struct pm_dev *d, const struct privmem_pressure *p,
		 bool json, bool raw)
{
	char a[SIZE_STR_LEN], b[SIZE_STR_LEN];

	if (json) {
		struct json_object *o = pressure_to_json(p);

		json_object_object_add(o, "chardev", json_object_new_string(d->name));
		json_object_object_add(o, "node", json_object_new_int(d->node));
		json_object_object_add(o, "used", json_object_new_uint64(p->logical_used));
		json_object_object_add(o, "capacity",
				       json_object_new_uint64(p->logical_capacity));
		json_print(o);
		json_object_put(o);
		return;
	}
	printf("%s (node %d): pressure %u of %d, %s%s%s\n", d->name, d->node,
	       p->level, PRIVMEM_PRESSURE_MAX, state_name(p->state),
	       p->flags & PRIVMEM_PRESSURE_INJECTED ? " (injected)" : "",
	       p->flags & PRIVMEM_PRESSURE_BLOCKED ? ", blocked: refuses new pages" : "");
	printf("  watermarks     low %u, high %u\n", p->low, p->high);
	printf("  crossings      %" PRIu64 "\n", (uint64_t)p->events);
	printf("  used           %s of %s\n",
	       size_str(p->logical_used, raw, a, sizeof(a)),
	       size_str(p->logical_capacity, raw, b, sizeof(b)));
	if (d->type == PRIVMEM_TYPE_COMPRESSED && p->physical_capacity)
		printf("  physical       %s of %s, ratio %.2f\n",
		       size_str(p->physical_used, raw, a, sizeof(a)),
		       size_str(p->physical_capacity, raw, b, sizeof(b)),
		       p->compression_ratio / 1000.0);
}

static void print_event(const struct pm_dev *d, const struct privmem_pressure *p,
			unsigned int old_state, uint64_t crossings, bool json)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (json) {
		struct json_object *o = pressure_to_json(p);

		json_object_object_add(o, "chardev", json_object_new_string(d->name));
		json_object_object_add(o, "time",
			json_object_new_double(ts.tv_sec + ts.tv_nsec / 1e9));
		json_object_object_add(o, "previous_state",
				       json_object_new_string(state_name(old_state)));
		json_object_object_add(o, "crossings", json_object_new_uint64(crossings));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s.%03ld %s: level %u, %s -> %s (%s, low %u, high %u)%s%s\n",
		       when, ts.tv_nsec / 1000000, d->name, p->level,
		       state_name(old_state), state_name(p->state),
		       p->state > old_state ? "rising" :
		       p->state < old_state ? "falling" : "crossed and back",
		       p->low, p->high,
		       crossings > 1 ? " [several crossings]" : "",
		       p->flags & PRIVMEM_PRESSURE_BLOCKED ? " BLOCKED" : "");
	}
	fflush(stdout);
}

static int watch(int fd, const struct pm_dev *d, long count, bool json)
{
	struct privmem_pressure p;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int state;
	uint64_t events;
	long seen = 0;
	int ret;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = get_pressure(fd, &p);	/* also acknowledges what is pending */
	if (ret)
		return ret;
	state = p.state;
	events = p.events;
	if (!json) {
		printf("watching %s: level %u, %s (low %u, high %u); Ctrl-C stops\n",
		       d->name, p.level, state_name(p.state), p.low, p.high);
		fflush(stdout);
	}
	while (!stop && (count <= 0 || seen < count)) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };

		ret = poll(&pfd, 1, -1);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			error("%s was removed", d->name);
			return -ENODEV;
		}
		if (!(pfd.revents & POLLPRI))
			continue;
		ret = get_pressure(fd, &p);
		if (ret == -ENXIO) {
			error("%s went offline: no pressure to watch ('privctl online %s' brings it back)",
			      d->name, d->name);
			return -ENODEV;
		}
		if (ret)
			return ret;
		if (p.events == events)
			continue;
		print_event(d, &p, state, p.events - events, json);
		seen += p.events - events;
		state = p.state;
		events = p.events;
	}
	return 0;
}

int cmd_pressure(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "watermarks", required_argument, NULL, 'W' },
		{ "inject", required_argument, NULL, 'i' },
		{ "clear", no_argument, NULL, 'C' },
		OPTION_JSON,
		OPTION_BYTES,
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = pressure_usage };
	bool do_watch = false, set_wm = false;
	bool inject = false, clear = false;
	unsigned int low = 0, high = 0, level = 0;
	struct privmem_pressure p;
	long count = 0;
	char *end;
	struct pm_dev d;
	int c, fd, ret;

	while ((c = cmd_getopt(argc, argv, "wc:W:i:Cjbh", opts, &o)) != -1) {
		switch (c) {
		case 'w':
			do_watch = true;
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (end == optarg || *end || count <= 0)
				return usage_error("--count wants a positive number, not '%s'", optarg);
			break;
		case 'W':
			if (watermarks_option(optarg, &low, &high))
				return EXIT_USAGE;
			set_wm = true;
			break;
		case 'i': {
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v < 0 || v > PRIVMEM_PRESSURE_MAX)
				return usage_error("--inject wants a level 0..%d, not '%s'",
						   PRIVMEM_PRESSURE_MAX, optarg);
			level = v;
			inject = true;
			break;
		}
		case 'C':
			clear = true;
			break;
		}
	}
	if (dev_operand_check(argc, argv))
		return EXIT_USAGE;
	if (inject && clear)
		return usage_error("--inject and --clear exclude each other");
	if (count && !do_watch)
		return usage_error("--count only goes with --watch");
	if (do_watch && (set_wm || inject || clear))
		return usage_error("--watch does not combine with --watermarks, --inject or --clear");
	if (dev_find(argv[optind], &d))
		return EXIT_FAIL;
	fd = dev_open_report(&d, O_RDONLY);
	if (fd < 0)
		return EXIT_FAIL;

	if (set_wm) {
		struct privmem_watermarks w = {
			.size = sizeof(w), .low = low, .high = high,
		};

		if (ioctl(fd, PRIVMEM_IOC_SET_WATERMARKS, &w)) {
			if (errno == ENXIO)
				error("%s is offline: its watermarks change with 'privctl set %s watermarks=%u,%u'",
				      d.name, d.name, low, high);
			else
				dev_ioctl_error(&d, "setting the watermarks of", errno, true);
			close(fd);
			return EXIT_FAIL;
		}
	}
	if (inject || clear) {
		struct privmem_inject in = {
			.size = sizeof(in), .level = level,
			.flags = clear ? PRIVMEM_INJECT_CLEAR : 0,
		};

		if (ioctl(fd, PRIVMEM_IOC_INJECT_PRESSURE, &in)) {
			dev_ioctl_error(&d, "injecting pressure into", errno, true);
			close(fd);
			return EXIT_FAIL;
		}
	}
	if (do_watch) {
		ret = watch(fd, &d, count, o.json);
		close(fd);
		if (ret && ret != -ENODEV && !dev_offline_error(&d, -ret))
			error("watching %s: %s", d.name, strerror(-ret));
		return ret ? EXIT_FAIL : EXIT_OK;
	}
	ret = get_pressure(fd, &p);
	close(fd);
	if (ret) {
		dev_ioctl_error(&d, "reading the pressure of", -ret, false);
		return EXIT_FAIL;
	}
	show(&d, &p, o.json, o.raw);
	return EXIT_OK;
}
