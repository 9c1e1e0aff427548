/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private memory nodes: device memory onlined as an isolated NUMA node.
 */
#ifndef _LINUX_PRIVATE_NODE_H
#define _LINUX_PRIVATE_NODE_H

#include <linux/types.h>

#ifdef CONFIG_PRIVATE_NODE
bool private_node_core_ready(void);
#else
static inline bool private_node_core_ready(void)
{
	return false;
}
#endif

#endif /* _LINUX_PRIVATE_NODE_H */
