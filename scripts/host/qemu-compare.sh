#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-compare.sh KERNEL BUILD OUT (make qemu-compare)
#
# The same guest under Debian 12's own QEMU (7.2, unpacked from its
# packages into BUILD/qemu-7.2, not installed) and under the QEMU that
# `make deps` installs (10.0 from bookworm-backports):
#   - boot: the kernel's timestamp when it starts the guest's init (guest
#     seconds since the kernel started; without -icount the guest clock
#     follows the host's), and host seconds for a whole short check run
#     (QEMU start to exit: firmware, boot, privmem_migrate_test, power off);
#   - the node rows of `make bench` (pm_bench_only=node: fault-in and
#     MIGRATE against their baselines), COMPARE_ROUNDS rounds (default 3).
# Each QEMU's table goes to OUT/<version>/table.txt; a summary to stdout.
set -euo pipefail
kernel=$1 build=$2 out=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${COMPARE_ROUNDS:-3}
q72=$build/qemu-7.2

if [ ! -x "$q72/usr/bin/qemu-system-x86_64" ]; then
	ver=$(apt-cache madison qemu-system-x86 | awk -F'|' '$2 ~ /1:7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	dver=$(apt-cache madison qemu-system-data | awk -F'|' '$2 ~ /1:7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	cver=$(apt-cache madison qemu-system-common | awk -F'|' '$2 ~ /1:7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$ver" ] && [ -n "$dver" ] && [ -n "$cver" ] ||
		{ echo "qemu-compare: no QEMU 7.2 in the apt sources" >&2; exit 1; }
	rm -rf "$q72" && mkdir -p "$q72/debs"
	(cd "$q72/debs" && apt-get download -q "qemu-system-x86=$ver" \
		"qemu-system-data=$dver" "qemu-system-common=$cver" seabios 2>&1 | { grep -v '^W: Download is performed unsandboxed' || true; })
	for d in "$q72"/debs/*.deb; do
		dpkg-deb -x "$d" "$q72"
	done
fi

# run LABEL QEMU DATA MODULES: boot and check timing, then the node bench
# rows. Both without a NIC (the guest uses none; 7.2's NIC ROMs are in
# another package). MODULES is QEMU's module directory (its TCG
# accelerator is a module), empty for the installed QEMU.
run() {
	local label=$1 qemu=$2 data=$3 dir=$out/$1 t0 init
	export QEMU_MODULE_DIR=$4 GUEST_QEMU_ARGS="-nic none"
	[ -n "$QEMU_MODULE_DIR" ] || unset QEMU_MODULE_DIR
	rm -rf "$dir" && mkdir -p "$dir"
	echo "== $label: $("$qemu" --version | head -1)"
	t0=$(date +%s.%N)
	QEMU=$qemu QEMU_DATA=$data GUEST_APPEND="pm_tests=privmem_migrate pm_kunit=0" \
		"$top/scripts/host/run-guest.sh" check "$kernel" "$build" "$dir/check" \
		> "$dir/check.log" 2>&1 || true
	init=$(sed -n 's/^\[ *\([0-9.]*\)\] Run .*guest-init as init process.*/\1/p' \
		"$dir/check/console.log" | head -1)
	printf '%s: init at %s s (guest clock), check run %.1f s (host)\n' "$label" \
		"${init:-?}" "$(echo "$(date +%s.%N) - $t0" | bc)" | tee -a "$out/summary.txt"
	grep -E '^\[guest\] +(not )?ok|round trips' "$dir/check.log" \
		"$dir/check/user/privmem_migrate_test.tap" | sed 's/^[^:]*:/  /' || true
	t0=$(date +%s)
	QEMU=$qemu QEMU_DATA=$data GUEST_APPEND="pm_bench_rounds=$rounds pm_bench_only=node" \
		"$top/scripts/host/run-guest.sh" bench "$kernel" "$build" "$dir/bench" > "$dir/bench.log" 2>&1 || true
	echo "$label bench (node rows, $rounds rounds): $(( $(date +%s) - t0 )) s" | tee -a "$out/summary.txt"
	if [ -f "$dir/bench/samples.txt" ]; then
		python3 "$top/scripts/host/bench-report.py" --samples "$dir/bench/samples.txt" \
			--out "$dir" > "$dir/table.txt" || true
		grep -E '^(fault-in|MIGRATE)' "$dir/table.txt" | sed "s/^/  $label  /" |
			tee -a "$out/summary.txt"
	else
		echo "  $label: the bench guest did not finish (see $dir/bench.log)" | tee -a "$out/summary.txt"
	fi
}

mkdir -p "$out"
: > "$out/summary.txt"
run qemu-7.2 "$q72/usr/bin/qemu-system-x86_64" "$q72/usr/share/qemu" \
	"$q72/usr/lib/x86_64-linux-gnu/qemu"
run qemu-installed qemu-system-x86_64 "" ""
