#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-demo.sh BUILD
#
# Runs inside the guest for `make demo`: a scripted tour a person can read.
# Every line goes to the console prefixed "[guest] " so the host shows it.
set -u
build=$1

step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" 2>&1; }

{
	step "The guest's NUMA nodes: node 0 has the CPUs, node 1 is CPU-less DRAM,"
	echo "    nodes 2 and 3 have neither CPUs nor memory: each holds an emulated NVDIMM"
	run numactl --hardware
	for f in possible online has_cpu has_memory; do
		printf '%-12s %s\n' "$f" "$(cat /sys/devices/system/node/$f)"
	done

	step "The NVDIMMs, made into devdax namespaces by the guest init (ndctl)"
	run ndctl list --namespaces --human

	step "The dax devices and the node each one would bring its memory to"
	for d in /sys/bus/dax/devices/dax*; do
		printf '%-8s target_node=%s size=%s driver=%s\n' "$(basename "$d")" \
			"$(cat "$d/target_node")" "$(cat "$d/size")" \
			"$(basename "$(readlink "$d/driver" 2>/dev/null || echo none)")"
	done
} 2>&1 | sed 's/^/[guest] /'
