#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-compare.sh KERNEL BUILD OUT (make qemu-compare)
#
# The same guest under Debian 12's own QEMU (7.2, unpacked from its
# packages into BUILD/qemu-7.2, not installed) and under the QEMU that
# `make deps` installs (10.0 from bookworm-backports):
#   - boot: host seconds from starting QEMU to the guest's first line
#     (its init running), and to the end of a short check run
#     (privmem_node_test, no kunit);
#   - the node rows of `make bench` (pm_bench_only=node: fault-in and
#     MIGRATE against their baselines), COMPARE_ROUNDS rounds (default 3).
# Each QEMU's table goes to OUT/<version>/table.txt; a summary to stdout.
set -euo pipefail
kernel=$1 build=$2 out=$3
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${COMPARE_ROUNDS:-3}
q72=$build/qemu-7.2

if [ ! -x "$q72/usr/bin/qemu-system-x86_64" ]; then
	ver=$(apt-cache madison qemu-system-x86 | awk -F'|' '$2 ~ /1:7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	dver=$(apt-cache madison qemu-system-data | awk -F'|' '$2 ~ /1:7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$ver" ] && [ -n "$dver" ] || { echo "qemu-compare: no QEMU 7.2 in the apt sources" >&2; exit 1; }
	rm -rf "$q72" && mkdir -p "$q72/debs"
	(cd "$q72/debs" && apt-get download -q "qemu-system-x86=$ver" \
		"qemu-system-data=$dver" seabios 2>&1 | grep -v '^W: Download is performed unsandboxed')
	for d in "$q72"/debs/*.deb; do
		dpkg-deb -x "$d" "$q72"
	done
fi

# run LABEL QEMU DATA: boot and check timing, then the node bench rows.
run() {
	local label=$1 qemu=$2 data=$3 dir=$out/$1 t0 first= line
	rm -rf "$dir" && mkdir -p "$dir"
	echo "== $label: $("$qemu" --version | head -1)"
	t0=$(date +%s.%N)
	while IFS= read -r line; do
		[ -z "$first" ] && first=$(date +%s.%N)
		echo "$line" >> "$dir/check.log"
	done < <(QEMU=$qemu QEMU_DATA=$data GUEST_APPEND="pm_tests=privmem_node pm_kunit=0" \
		"$top/scripts/run-guest.sh" check "$kernel" "$build" "$dir/check" || true)
	printf '%s boot %.1f s, check run %.1f s\n' "$label" \
		"$(echo "${first:-0} - $t0" | bc)" "$(echo "$(date +%s.%N) - $t0" | bc)" |
		tee -a "$out/summary.txt"
	grep -E '^\[guest\] +(not )?ok' "$dir/check.log" | sed 's/^/  /' || true
	t0=$(date +%s)
	QEMU=$qemu QEMU_DATA=$data GUEST_APPEND="pm_bench_rounds=$rounds pm_bench_only=node" \
		"$top/scripts/run-guest.sh" bench "$kernel" "$build" "$dir/bench" > "$dir/bench.log" 2>&1 || true
	echo "$label bench (node rows, $rounds rounds): $(( $(date +%s) - t0 )) s" | tee -a "$out/summary.txt"
	if [ -f "$dir/bench/samples.txt" ]; then
		python3 "$top/scripts/bench-report.py" --samples "$dir/bench/samples.txt" \
			--out "$dir" > "$dir/table.txt" || true
		grep -E '^(fault-in|MIGRATE)' "$dir/table.txt" | sed "s/^/  $label  /" |
			tee -a "$out/summary.txt"
	else
		echo "  $label: the bench guest did not finish (see $dir/bench.log)" | tee -a "$out/summary.txt"
	fi
}

mkdir -p "$out"
: > "$out/summary.txt"
run qemu-7.2 "$q72/usr/bin/qemu-system-x86_64" "$q72/usr/share/qemu"
run qemu-installed qemu-system-x86_64 ""
