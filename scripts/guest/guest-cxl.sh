#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-cxl.sh: run by scripts/guest/guest-init in a CXL guest (CXL=1, an
# ACPI0017 CXL root). Loads the CXL drivers (Debian builds them as modules
# and the guest runs no udev) and makes a RAM region over the type-3
# device's volatile capacity with the cxl tool, as a user would. The
# region's dax device is left alone: dax/kmem, which would online it as
# ordinary memory, is never loaded here, so privmem can take it.
say() { echo "[guest] $*"; }

for m in cxl_acpi cxl_port cxl_pci cxl_mem dax_cxl; do
	modprobe "$m" || say "modprobe $m failed"
done
# The memdev and the root decoder appear asynchronously.
for i in $(seq 50); do
	cxl list -M 2>/dev/null | grep -q '"memdev"' && break
	sleep 0.2
done
if [ -n "${pm_cxl_debug:-}" ]; then
	lspci 2>&1 | sed 's/^/[guest] lspci: /'
	cxl list -vvv 2>&1 | tr -d '\n' | cut -c1-1500 | sed 's/^/[guest] cxl list: /'
	echo
	dmesg | grep -i cxl | tail -20 | sed 's/^/[guest] dmesg: /'
fi
# Debian 12's cxl tool (ndctl 76.1) refuses RAM regions ("region type
# 'ram' not supported yet"): where it does, make the region through the
# kernel's CXL region ABI (Documentation/ABI/testing/sysfs-bus-cxl), the
# steps the tool takes.
cxl_sys=/sys/bus/cxl/devices
region_by_sysfs() {
	local root=$cxl_sys/decoder0.0 ep r size
	ep=$(ls -d $cxl_sys/decoder2.* 2>/dev/null | head -1)
	size=$(cxl list -m mem0 2>/dev/null | sed -n 's/.*"ram_size":\([0-9]*\).*/\1/p')
	[ -n "$ep" ] && [ -n "$size" ] || return 1
	r=$(cat $root/create_ram_region) &&
	echo "$r" > $root/create_ram_region &&
	echo 1 > $cxl_sys/$r/interleave_ways &&
	echo "$(cat $root/interleave_granularity)" > $cxl_sys/$r/interleave_granularity &&
	echo "$size" > $cxl_sys/$r/size &&
	echo ram > "$ep/mode" &&
	echo "$size" > "$ep/dpa_size" &&
	echo "$(basename "$ep")" > $cxl_sys/$r/target0 &&
	echo 1 > $cxl_sys/$r/commit &&
	echo "$r" > /sys/bus/cxl/drivers/cxl_region/bind &&
	echo "$r"
}

out=$(cxl create-region -m -t ram -d decoder0.0 -w 1 mem0 2>&1)
[ -n "${pm_cxl_debug:-}" ] && echo "$out" | tr -d '\n' | sed 's/^/[guest] create-region: /' && echo
region=$(echo "$out" | sed -n 's/.*"region":"\(region[0-9]*\)".*/\1/p' | head -1)
if [ -z "$region" ] && ! region=$(region_by_sysfs 2>&1); then
	say "cxl: no RAM region over mem0 ($region)"
	exit 0
fi
say "cxl: $region over mem0, $(ls /sys/bus/cxl/devices/$region/ 2>/dev/null | grep -o 'dax_region[0-9]*') $(ls /sys/bus/dax/devices/ | tr '\n' ' ')"
