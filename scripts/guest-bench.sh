#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-bench.sh BUILD RESULTS
#
# Runs inside the guest for `make bench`: binds dax0.0 to privmem as a
# plain private node, runs tests/user/privmem_bench against /dev/privmem0
# with /dev/dax1.0 (still a device_dax device) as the devdax baseline, then
# dax1.0 as a compressed node with tests/user/privmem_cram_bench, saves
# the report in RESULTS/bench.txt and puts dax0.0 back.
set -u
build=$1
out=$2
say() { echo "[guest] $*"; }

if ! modprobe privmem ||
   ! echo plain > /sys/module/privmem/parameters/type ||
   ! echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind ||
   ! echo dax0.0 > /sys/bus/dax/drivers/privmem/new_id; then
	say "bench: could not bind dax0.0 to privmem"
	exit 1
fi
dev=
for d in /sys/class/privmem/*; do
	[ "$(cat "$d/dax" 2>/dev/null)" = dax0.0 ] && dev=/dev/$(basename "$d")
done
[ -n "$dev" ] || { say "bench: no /dev/privmemN for dax0.0"; exit 1; }
say "bench: $dev (node $(cat /sys/bus/dax/devices/dax0.0/target_node)) vs /dev/dax1.0"
"$build/tests/user/privmem_bench" "$dev" /dev/dax1.0 "${PRIVMEM_BENCH_REPEATS:-7}" 2>&1 |
	tee "$out/bench.txt" | sed 's/^/[guest] /'

echo dax0.0 > /sys/bus/dax/drivers/privmem/unbind
echo dax0.0 > /sys/bus/dax/drivers/privmem/remove_id
echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind

# The compressed node: dax1.0 as a compressed node (512 MiB emulated).
say "bench: compressed node on dax1.0"
if echo compressed > /sys/module/privmem/parameters/type &&
   echo dax1.0 > /sys/bus/dax/drivers/device_dax/unbind &&
   echo dax1.0 > /sys/bus/dax/drivers/privmem/new_id; then
	cdev=
	for d in /sys/class/privmem/*; do
		[ "$(cat "$d/dax" 2>/dev/null)" = dax1.0 ] && cdev=/dev/$(basename "$d")
	done
	if [ -n "$cdev" ]; then
		"$build/tests/user/privmem_cram_bench" "$cdev" "${PRIVMEM_CRAM_BENCH_REPEATS:-3}" 2>&1 |
			tee -a "$out/bench.txt" | sed 's/^/[guest] /'
	fi
	echo dax1.0 > /sys/bus/dax/drivers/privmem/unbind
	echo dax1.0 > /sys/bus/dax/drivers/privmem/remove_id
	echo dax1.0 > /sys/bus/dax/drivers/device_dax/bind
else
	say "bench: could not bind dax1.0 as a compressed node"
fi
echo plain > /sys/module/privmem/parameters/type
