/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The randomised ioctl fuzzer of /dev/privmemN, shared by
 * privmem_badinput_test (100,000 calls) and privmem_fuzz_test (1,000,000
 * calls on plain and compressed nodes, as root and as nobody).
 *
 * Arguments are mostly well-formed (right size, small or zero words) so
 * that the deeper checks run, sometimes anything: other commands, NULL,
 * random and read-only pointers. MIGRATE ranges mostly fall in or around
 * the caller's buffer; its pid is the caller or a process that does not
 * exist, never another one. A valid SET_DEMOTION is rare (each rebuilds
 * the memory tiers).
 */
#ifndef _PRIVMEM_FUZZ_H
#define _PRIVMEM_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/privmem.h>
#include "privmem_lib.h"

static const unsigned long pm_cmds[] = {
	PRIVMEM_IOC_INFO, PRIVMEM_IOC_MIGRATE, PRIVMEM_IOC_GET_DEMOTION,
	PRIVMEM_IOC_SET_DEMOTION, PRIVMEM_IOC_GET_PRESSURE,
	PRIVMEM_IOC_SET_WATERMARKS, PRIVMEM_IOC_INJECT_PRESSURE,
};

static const size_t pm_sizes[] = {
	sizeof(struct privmem_info), sizeof(struct privmem_migrate),
	sizeof(struct privmem_demotion), sizeof(struct privmem_demotion),
	sizeof(struct privmem_pressure), sizeof(struct privmem_watermarks),
	sizeof(struct privmem_inject),
};

struct pm_fuzz_stats {
	long calls, ok, err[256];
	long ok_cmd[7];		/* successes of each command of pm_cmds */
};

static __u64 pm_rnd_state = 88172645463325252ULL;

static inline __u64 pm_rnd(void)
{
	pm_rnd_state ^= pm_rnd_state << 13;
	pm_rnd_state ^= pm_rnd_state >> 7;
	pm_rnd_state ^= pm_rnd_state << 17;
	return pm_rnd_state;
}

/* A word that is usually small or zero, sometimes anything. */
static inline __u64 pm_rnd_word(void)
{
	switch (pm_rnd() % 8) {
	case 0: case 1: case 2: case 3:
		return 0;
	case 4:
		return pm_rnd() % 4;
	case 5:
		return pm_rnd() % 2048;
	case 6:
		return -(pm_rnd() % 4);
	default:
		return pm_rnd();
	}
}

/*
 * Make @calls random ioctls on @fd. @buf is a mapped buffer of at least
 * 512 pages that MIGRATE ranges aim at, @ro a read-only page.
 */
static inline void pm_fuzz(int fd, long calls, char *buf, char *ro,
			   struct pm_fuzz_stats *st)
{
	union {
		char raw[512];
		__u64 w[64];
	} arg;
	pid_t self_pid = getpid();
	long c;

	for (c = 0; c < calls; c++) {
		unsigned int i = pm_rnd() % 7, k;
		unsigned long cmd = pm_cmds[i];
		void *ptr = arg.raw;
		long r;

		for (k = 0; k < 64; k++)
			arg.w[k] = pm_rnd_word();
		*(__u32 *)arg.raw = pm_rnd() % 4 ? pm_sizes[i] :
						   (__u32)pm_rnd_word();
		switch (pm_rnd() % 16) {
		case 0:		/* some other command */
			cmd = pm_rnd() % 2 ? (unsigned long)pm_rnd() :
				_IOC(pm_rnd() % 4, PRIVMEM_IOC_MAGIC,
				     pm_rnd() % 16, pm_rnd() % 600);
			break;
		case 1:
			ptr = NULL;
			break;
		case 2:
			ptr = (void *)(uintptr_t)pm_rnd();
			break;
		case 3:
			ptr = ro;
			break;
		default:
			break;
		}
		if (cmd == PRIVMEM_IOC_MIGRATE) {
			struct privmem_migrate *m = (void *)arg.raw;

			if (pm_rnd() % 2) {
				m->addr = (uintptr_t)buf +
					  (pm_rnd() % 300) * PM_PAGE -
					  (pm_rnd() % 4) * PM_PAGE;
				m->length = (pm_rnd() % 300) * PM_PAGE;
			}
			if (m->pid != 0)
				m->pid = pm_rnd() % 2 ? self_pid : 0x3ffffff;
			/* One in 8: a valid request on the buffer. */
			if (pm_rnd() % 8 == 0) {
				memset(m, 0, sizeof(*m));
				m->size = sizeof(*m);
				m->flags = (pm_rnd() % 2 ?
					    PRIVMEM_MIGRATE_TO_NODE :
					    PRIVMEM_MIGRATE_FROM_NODE) |
					   (pm_rnd() % 2 ?
					    PRIVMEM_MIGRATE_ASYNC : 0);
				m->target_node = -1;
				m->addr = (uintptr_t)buf +
					  (pm_rnd() % 256) * PM_PAGE;
				m->length = (1 + pm_rnd() % 256) * PM_PAGE;
			}
		}
		if (cmd == PRIVMEM_IOC_SET_DEMOTION && pm_rnd() % 32)
			((struct privmem_demotion *)arg.raw)->reserved0 = 1;
		r = ioctl(fd, cmd, ptr);
		st->calls++;
		if (!r) {
			st->ok++;
			if (cmd == pm_cmds[i])
				st->ok_cmd[i]++;
		} else {
			st->err[errno & 255]++;
		}
	}
}

static inline long pm_fuzz_other(const struct pm_fuzz_stats *st)
{
	return st->calls - st->ok - st->err[EINVAL] - st->err[EFAULT] -
	       st->err[ENOTTY] - st->err[EPERM] - st->err[ESRCH] -
	       st->err[ENOSPC];
}

#endif /* _PRIVMEM_FUZZ_H */
