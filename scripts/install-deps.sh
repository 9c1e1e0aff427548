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
)

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
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
