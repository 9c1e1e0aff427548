// SPDX-License-Identifier: GPL-2.0
/*
 * privctl run: execute a command whose memory is bound to a private node.
 * The memory policy (set_mempolicy(2), MPOL_BIND or MPOL_PREFERRED) is set
 * on privctl itself and inherited across execve(2). Only nodes that opted
 * into the mempolicy service (plain nodes) accept it; the kernel's own
 * allocations for the command (page tables, slab, page cache) stay in
 * normal memory whatever the policy says.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include "privctl.h"

/* How long a probe fault under the policy may take (TCG guests are slow). */
#define PROBE_SECONDS	5

static int set_policy(int mode, const unsigned long *mask)
{
	return syscall(SYS_set_mempolicy, mode, mask, (unsigned long)MAX_NODES + 1);
}

/*
 * Before handing the policy to COMMAND, make sure the kernel can honour
 * it: a child with the same policy writes one page and asks where it
 * landed. Returns 0 (on the node), 1 (elsewhere: only with --preferred),
 * or -ETIMEDOUT / -EIO when the fault did not complete or failed.
 */
static int probe(int mode, const unsigned long *mask, int node)
{
	struct timespec t0, t;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		long psz = sysconf(_SC_PAGESIZE);
		int st = -1;
		void *pg;
		char *p;

		if (set_policy(mode, mask))
			_exit(errno == EINVAL ? 5 : 4);
		p = mmap(NULL, psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(4);
		p[0] = 1;
		pg = p;
		if (syscall(SYS_move_pages, 0, 1UL, &pg, NULL, &st, 0))
			_exit(4);
		_exit(st == node ? 0 : 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (r < 0 || t.tv_sec - t0.tv_sec >= PROBE_SECONDS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		return -EINVAL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -EIO;
	return WEXITSTATUS(status);
}

static const char run_usage[] =
"usage: privctl run DEV [--preferred] -- COMMAND [ARGS...]\n"
"\n"
"Run COMMAND with its memory bound to the private node of DEV (privmemN,\n"
"daxX.Y or nodeN). Its anonymous and private memory is allocated on the\n"
"node; when the node is full the command is OOM-killed (MPOL_BIND).\n"
"Only plain nodes (with the mempolicy service) can run a program.\n"
"\n"
"  -p, --preferred  prefer the node, fall back to normal memory when it\n"
"                   is full (MPOL_PREFERRED)\n"
"  -h, --help       this help\n";

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "preferred", no_argument, NULL, 'p' },
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = run_usage };
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = { };
	bool preferred = false;
	const char *dev = NULL;
	char name[32];
	int pass;
	struct pm_dev d;
	int c, mode;

	/*
	 * '+': stop at the first non-option, COMMAND's options are its own.
	 * Options may come before and after DEV; "--" ends them.
	 */
	for (pass = 0; pass < 2; pass++) {
		while ((c = cmd_getopt(argc, argv, "+ph", opts, &o)) != -1)
			if (c == 'p')
				preferred = true;
		if (pass)
			break;
		if (optind >= argc)
			return usage_error("which device? (privmemN, see 'privctl list')");
		dev = argv[optind++];
		if (optind > 1 && !strcmp(argv[optind - 2], "--"))
			break;	/* "run -- DEV CMD": no options after DEV */
	}
	if (dev_resolve(dev, name, sizeof(name)) || dev_load(name, &d)) {
		error("%s: no such privmem device (see 'privctl list')", dev);
		return EXIT_FAIL;
	}
	if (optind >= argc)
		return usage_error("no command to run (privctl run DEV -- COMMAND ARGS...)");

	if (!d.online) {
		dev_offline_error(&d, ENXIO);
		return EXIT_FAIL;
	}
	if (d.type == PRIVMEM_TYPE_COMPRESSED) {
		error("%s is a compressed node: its pages are read-only and reach it only by demotion or migration, so a program cannot run with its memory there",
		      d.name);
		note("use a plain node, or let reclaim demote into %s ('privctl demotion %s --enable')",
		     d.name, d.name);
		return EXIT_FAIL;
	}
	if (!(d.caps & PRIVMEM_CAP_MEMPOLICY)) {
		error("%s (node %d) does not accept memory policies (no mempolicy service)",
		      d.name, d.node);
		return EXIT_FAIL;
	}
	if (d.node < 0 || d.node >= MAX_NODES) {
		error("%s has no valid node", d.name);
		return EXIT_FAIL;
	}
	mask[d.node / (8 * sizeof(unsigned long))] |=
		1UL << (d.node % (8 * sizeof(unsigned long)));
	mode = preferred ? MPOL_PREFERRED : MPOL_BIND;
	/*
	 * The probe child sets the policy itself: privctl takes it only once
	 * it is known to work, since every later fault of privctl (even a
	 * copy-on-write after fork) would be under it.
	 */
	switch (probe(mode, mask, d.node)) {
	case 0:
		break;
	case 1:
		if (!preferred) {
			error("a test page under MPOL_BIND to node %d landed on another node; not running %s",
			      d.node, argv[optind]);
			return EXIT_FAIL;
		}
		warning("node %d did not take a test page; %s starts in normal memory (--preferred)",
			d.node, argv[optind]);
		break;
	case -EINVAL:
		error("the kernel refused a memory policy on node %d (is the node still private, opted into mempolicy and allowed by this cpuset?)",
		      d.node);
		return EXIT_FAIL;
	case -ETIMEDOUT:
		error("the kernel cannot allocate on node %d under this memory policy: a test page fault did not complete in %d s; not running %s (see dmesg)",
		      d.node, PROBE_SECONDS, argv[optind]);
		return EXIT_FAIL;
	default:
		error("the kernel cannot allocate on node %d under this memory policy: a test page fault failed; not running %s (see dmesg)",
		      d.node, argv[optind]);
		return EXIT_FAIL;
	}
	if (set_policy(mode, mask)) {
		int err = errno;

		if (err == EINVAL)
			error("the kernel refused a memory policy on node %d (is the node still private, opted into mempolicy and allowed by this cpuset?)",
			      d.node);
		else
			error("set_mempolicy on node %d: %s", d.node, strerror(err));
		return EXIT_FAIL;
	}
	execvp(argv[optind], argv + optind);
	error("cannot run %s: %s", argv[optind], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
