#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh MODE KERNEL BUILD RESULTS
#
# Boots the privmem guest under QEMU (TCG unless ACCEL=kvm):
#   node 0  CPUs 0-1 and 1G DRAM (GUEST_DRAM_MIB: MiB per DRAM node)
#   node 1  1G DRAM, no CPUs (the DRAM baseline for migrations)
#   node 2  no CPUs, no memory; NVDIMM 0 (1026M) -> dax0.0
#   node 3  no CPUs, no memory; NVDIMM 1 (1026M) -> dax1.0
# The host root is the guest's read-only root over 9p; RESULTS is a second,
# writable 9p share. MODE is passed to scripts/guest/guest-init.
#
# In the non-interactive modes the serial console goes to RESULTS/console.log
# and the guest's own progress lines ("[guest] ...") to stdout; the guest is
# killed after GUEST_TIMEOUT seconds. The exit status is QEMU's (124 on
# timeout). GUEST_QEMU_ARGS adds QEMU options (make bench: -icount).
#
# Kernel command line beyond Debian's defaults: memory_hotplug.memmap_on_memory=1
# lets a dax device's memmap_on_memory attribute be set (read-only at run
# time), which tests/user/privmem_memmap needs; it changes nothing for a
# device that leaves the attribute at 0, as every other test does.
set -euo pipefail
mode=$1 kernel=$2 build=$3 results=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
accel=${ACCEL:-tcg}
# make bench gives each DRAM node 2G: its 768 MiB curve points must not
# run node 0 into reclaim.
dram=${GUEST_DRAM_MIB:-1024}
timeout_s=${GUEST_TIMEOUT:-1800}

[ -f "$kernel" ] || { echo "run-guest: no kernel at $kernel; run 'make kernel'" >&2; exit 1; }
mkdir -p "$results"

# CXL=1: a q35 machine with a CXL host bridge, a root port and a volatile
# 1G type-3 device behind a 4G fixed memory window, besides the NVDIMMs
# (QEMU 10: volatile-memdev; make deps installs it from bookworm-backports).
machine=pc,nvdimm=on
cxl=()
if [ "${CXL:-0}" = 1 ]; then
	machine=q35,nvdimm=on,cxl=on
	cxl=(-object memory-backend-ram,id=cxlm0,size=1G
	     -device pxb-cxl,id=cxl.1,bus=pcie.0,bus_nr=12
	     -device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2
	     -device cxl-type3,bus=rp0,volatile-memdev=cxlm0,id=cxl-vmem0
	     -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
fi

qemu_data=()
[ -n "${QEMU_DATA:-}" ] && qemu_data=(-L "$QEMU_DATA")
qemu=("${QEMU:-qemu-system-x86_64}" "${qemu_data[@]}" -accel "$accel" -machine "$machine"
	-m "$((2 * dram))M,slots=4,maxmem=$((2 * dram + 6144))M" -smp 2
	-object "memory-backend-ram,id=m0,size=${dram}M"
	-object "memory-backend-ram,id=m1,size=${dram}M"
	-numa node,nodeid=0,cpus=0-1,memdev=m0
	-numa node,nodeid=1,memdev=m1
	-numa node,nodeid=2
	-numa node,nodeid=3
	-object memory-backend-ram,id=nv0,size=1026M
	-device nvdimm,id=nvdimm0,memdev=nv0,node=2,label-size=128K
	-object memory-backend-ram,id=nv1,size=1026M
	-device nvdimm,id=nvdimm1,memdev=nv1,node=3,label-size=128K
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	-fsdev "local,id=results,path=$results,security_model=none"
	-device virtio-9p-pci,fsdev=results,mount_tag=results
	"${cxl[@]}"
	-kernel "$kernel"
	-append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro init=$top/scripts/guest/guest-init panic=-1 oops=panic memory_hotplug.memmap_on_memory=1 pm_mode=$mode pm_top=$top pm_build=$build ${GUEST_APPEND:-}"
	-nographic -no-reboot ${GUEST_QEMU_ARGS:-})

if [ "$mode" = vm ]; then
	exec "${qemu[@]}"
fi

# One non-interactive guest at a time on this machine (2 cores): work trees
# that share it queue here.
exec 9> "${PRIVMEM_GUEST_LOCK:-/tmp/privmem-guest.lock}"
flock 9

# The demo and bench show the guest's lines as they are; check keeps the prefix.
strip='s/^\[guest\] \{0,1\}//p'
case "$mode" in
demo | bench) ;;
*) strip='/^\[guest\]/p' ;;
esac
set +e
timeout -k 10 "$timeout_s" "${qemu[@]}" < /dev/null 2>&1 | tr -d '\r' |
	tee "$results/console.log" | sed -n -u "$strip"
rc=${PIPESTATUS[0]}
set -e
exit "$rc"
