/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kunit test driver private_node_testdrv from userspace: it registers
 * dax1.0's range as a private node with chosen capabilities, without
 * privmem (tests/user/private_node_test.c, private_node_skips_test.c).
 */
#ifndef PRIVATE_NODE_TESTDRV_H
#define PRIVATE_NODE_TESTDRV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "privmem_lib.h"

#define DAX		"dax1.0"
#define DAX_DIR		"/sys/bus/dax/devices/" DAX
#define DAX_DRV		"/sys/bus/dax/drivers/device_dax"
#define TESTDRV		"/sys/kernel/debug/private_node_testdrv"
#define CONTROL		TESTDRV "/control"

/* dax1.0's range and what was done to it, for pn_put_back(). */
struct pn_range {
	int nid;
	unsigned long long start, size;
	int unbound;	/* taken from device_dax */
	int added;	/* registered with the test driver */
};

/*
 * Load the test driver, remove a node a test killed by its timeout left
 * behind, take dax1.0 from device_dax and read its node and range into @r.
 * Return: 0; 1 if dax1.0 or the test driver is not available; -1 if
 * dax1.0 could not be taken or read.
 */
static inline int pn_take_dax(struct pn_range *r)
{
	char buf[64];

	memset(r, 0, sizeof(*r));
	if (access(DAX_DIR, F_OK) || system("modprobe private_node_testdrv") ||
	    access(CONTROL, W_OK))
		return 1;
	pm_write_str(CONTROL, "remove");
	if (!access(DAX_DRV "/" DAX, F_OK)) {
		if (pm_write_str(DAX_DRV "/unbind", DAX))
			return -1;
		r->unbound = 1;
	}
	if (pm_read_str(DAX_DIR "/target_node", buf, sizeof(buf)))
		return -1;
	r->nid = atoi(buf);
	if (pm_read_str(DAX_DIR "/resource", buf, sizeof(buf)))
		return -1;
	r->start = strtoull(buf, NULL, 0);
	if (pm_read_str(DAX_DIR "/size", buf, sizeof(buf)))
		return -1;
	r->size = strtoull(buf, NULL, 0);
	return r->size ? 0 : -1;
}

/* Register @r as a private node with PRIVATE_NODE_CAP_* @caps: 0 or -errno. */
static inline int pn_add(struct pn_range *r, unsigned long caps)
{
	char cmd[128];
	int ret;

	snprintf(cmd, sizeof(cmd), "add %d %llx %llx %lx", r->nid, r->start,
		 r->size, caps);
	ret = pm_write_str(CONTROL, cmd);
	if (!ret)
		r->added = 1;
	return ret;
}

/* Undo pn_add() and pn_take_dax(), as far as they went. */
static inline void pn_put_back(struct pn_range *r)
{
	if (r->added)
		pm_write_str(CONTROL, "remove");
	if (r->unbound)
		pm_write_str(DAX_DRV "/bind", DAX);
	system("modprobe -r private_node_testdrv 2>/dev/null");
}

#endif /* PRIVATE_NODE_TESTDRV_H */
