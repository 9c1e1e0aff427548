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
# A shell command line (redirections), shown as typed.
sh_run() { printf '$ %s\n' "$1"; sh -c "$1" 2>&1; }

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

	step "Make dax0.0 a private node: bind it to the privmem driver, type 'plain'"
	echo "    (plain: its pages can be migrated and named in memory policies)"
	run modprobe privmem
	sh_run 'echo plain > /sys/module/privmem/parameters/type'
	sh_run 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind'
	sh_run 'echo dax0.0 > /sys/bus/dax/drivers/privmem/new_id'
	dmesg | grep -E 'privmem|Demotion' | tail -n 3

	step "Node 2 now has memory, but it is private: listed in has_private_memory,"
	echo "    not in has_memory, so no ordinary allocation and no tool that reads"
	echo "    has_memory will ever use it"
	for f in online has_memory has_private_memory; do
		printf '%-20s %s\n' "$f" "$(cat /sys/devices/system/node/$f)"
	done
	grep -E 'MemTotal|MemFree' /sys/devices/system/node/node2/meminfo

	step "Its character device and what sysfs says about it"
	run ls -l /dev/privmem0
	for a in type node dax capacity free caps page_sizes demotion \
		pressure/level pressure/low pressure/high; do
		printf '%-16s %s\n' "$a" "$(cat /sys/class/privmem/privmem0/$a)"
	done

	step "A program that maps /dev/privmem0, then migrates memory in and out"
	run "$build/tests/user/privmem_demo" /dev/privmem0

	step "Put dax0.0 back (unbind offlines and removes the memory)"
	sh_run 'echo dax0.0 > /sys/bus/dax/drivers/privmem/unbind'
	sh_run 'echo dax0.0 > /sys/bus/dax/drivers/privmem/remove_id'
	sh_run 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind'
	printf '%-20s %s\n' has_private_memory \
		"$(cat /sys/devices/system/node/has_private_memory)"

	step "A compressed node on dax1.0: type 'compressed', a 32 MiB emulated device"
	echo "    (its folios are read-only; a write promotes them back to DRAM;"
	echo "    every page that arrives is compressed with lz4 to charge its real size)"
	run sh -c 'echo compressed > /sys/module/privmem/parameters/type'
	run sh -c 'echo 32M > /sys/module/privmem/parameters/physical_size'
	run sh -c 'echo dax1.0 > /sys/bus/dax/drivers/device_dax/unbind'
	run sh -c 'echo dax1.0 > /sys/bus/dax/drivers/privmem/new_id'
	echo 0 > /sys/module/privmem/parameters/physical_size
	cdev=
	for c in /sys/class/privmem/privmem*; do
		[ "$(cat "$c/dax" 2>/dev/null)" = dax1.0 ] && cdev=$(basename "$c")
	done
	if [ -n "$cdev" ]; then
		for a in type node caps demotion cram/physical_capacity; do
			printf '%-22s %s\n' "$a" "$(cat /sys/class/privmem/$cdev/$a)"
		done
		run "$build/tests/user/privmem_cram_demo" "/dev/$cdev"
		for a in counters/demotions_in counters/demotions_refused \
			counters/promotions cram/reclaim_demotions_refused \
			cram/bytes_charged cram/bytes_uncharged; do
			printf '%-32s %s\n' "$a" "$(cat /sys/class/privmem/$cdev/$a)"
		done
	fi
	run sh -c 'echo dax1.0 > /sys/bus/dax/drivers/privmem/unbind'
	run sh -c 'echo dax1.0 > /sys/bus/dax/drivers/privmem/remove_id'
	run sh -c 'echo dax1.0 > /sys/bus/dax/drivers/device_dax/bind'
	echo plain > /sys/module/privmem/parameters/type
} 2>&1 | sed 's/^/[guest] /'
