#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt-get, every Debian package the project needs that is
# missing. When everything is present it only asks dpkg and returns.
set -euo pipefail

pkgs=(
	# kernel source and build
	linux-source-6.12 linux-config-6.12 gcc make bc flex bison libelf-dev libssl-dev cpio
	xz-utils kmod perl python3 ccache patch diffutils
	# guest
	qemu-system-x86 ndctl daxctl numactl fio
	# benchmark plot (make bench)
	gnuplot-nox
	# make check-debug copies the module sources for the debug kernel
	rsync
	# userspace build
	libnuma-dev libjson-c-dev liblz4-dev pkg-config
	# make check-upstream: the kernel's mm, memfd and memory-hotplug
	# selftests (mlock-random-test and memfd_secret link libcap, cow and
	# gup_longterm use liburing when present, memfd's fuse_mnt libfuse)
	libcap-dev liburing-dev libfuse-dev
	# make bench: the Redis rows
	redis-server redis-tools
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# QEMU 10 from Debian's bookworm-backports (the CXL guest needs volatile
# CXL type-3 devices, which Debian 12's QEMU 7.2 lacks). The suite is
# enabled with apt pinning: priority 100 for everything from it (never
# picked over bookworm's own packages), 990 for the QEMU packages only.
bp_list=/etc/apt/sources.list.d/privmem-backports.list
bp_pin=/etc/apt/preferences.d/privmem-backports-qemu
bp_pkgs="qemu-system-x86 qemu-system-common qemu-system-data qemu-system-gui qemu-utils qemu-block-extra seabios"
bp_want=$(printf '%s\n' 'Package: *' 'Pin: release n=bookworm-backports' \
	'Pin-Priority: 100' '' "Package: $bp_pkgs" \
	'Pin: release n=bookworm-backports' 'Pin-Priority: 990')
if [ "${PRIVMEM_QEMU:-10}" = 10 ] &&
   [ "$(cat "$bp_pin" 2>/dev/null)" != "$bp_want" ]; then
	echo "  DEPS    enabling bookworm-backports for QEMU 10 (pinned: $bp_pkgs)"
	echo "deb http://deb.debian.org/debian bookworm-backports main" |
		$sudo tee "$bp_list" > /dev/null
	echo "$bp_want" | $sudo tee "$bp_pin" > /dev/null
	$sudo apt-get update -qq
fi
qemu_ver=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
if [ -f "$bp_pin" ] && ! dpkg --compare-versions "${qemu_ver:-0}" ge 1:10; then
	echo "  DEPS    installing QEMU 10 from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends qemu-system-x86
fi

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "  DEPS    all ${#pkgs[@]} packages present"
	exit 0
fi

echo "  DEPS    installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
