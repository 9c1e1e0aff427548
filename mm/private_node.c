// SPDX-License-Identifier: GPL-2.0
/*
 * Private memory nodes: core bookkeeping.
 */
#include <linux/export.h>
#include <linux/private_node.h>

/**
 * private_node_core_ready() - report whether the private-node core is built in
 *
 * Return: true when the kernel was built with CONFIG_PRIVATE_NODE.
 */
bool private_node_core_ready(void)
{
	return true;
}
EXPORT_SYMBOL_GPL(private_node_core_ready);
