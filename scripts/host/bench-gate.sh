#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-gate.sh PATCHED_BZIMAGE VANILLA_BZIMAGE BUILD OUT [ROUNDS]
#
# The cost of the isolation gate on the ordinary allocation path: boots the
# patched and the unpatched kernel (same config, same guest image) in
# alternation, ABBA order so that slow drift of the host cancels, and runs
# scripts/guest/guest-gate.sh in each boot: the anonymous-fault microbenchmark
# (tests/bench/gate_fault_bench) and the mixed fork/exec/file workload
# (tests/bench/gate_mixed_bench). A round is one boot of each kernel.
# Writes OUT/gate.csv (round,kernel,workload,value: each boot's median)
# and, unless GATE_NO_REPORT is set (make bench reports everything at
# once), prints the table of scripts/host/bench-report.py.
# The guest runs under TCG: only the ratio means anything. By default
# QEMU runs with -icount shift=3,sleep=off: the guest's clock advances by
# the instructions it executes, so a boot's figures do not depend on the
# host's load (repeats agree to well under 1% on a loaded host) and the
# comparison is of the instructions each kernel executes, the gate's cost
# under an emulator without a cache model. GATE_QEMU_ARGS= (empty) times
# with the host's clock instead.
set -euo pipefail
patched=$1 vanilla=$2 build=$3 out=$4 rounds=${5:-4}
top=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$out"
mkdir -p "$out"
echo "round,kernel,workload,value" > "$out/gate.csv"
qargs=${GATE_QEMU_ARGS--icount shift=3,sleep=off}
echo "${qargs:-none (host clock)}" > "$out/qemu-args"

boot() { # ROUND NAME BZIMAGE
	local dir=$out/$1-$2 f= m= try
	# One -icount boot hung early in boot once (13:50 run, vanilla
	# kernel): a boot without a result is retried once.
	for try in 1 2; do
		rm -rf "$dir" && mkdir -p "$dir"
		GUEST_QEMU_ARGS=$qargs \
		GUEST_TIMEOUT=${GATE_BOOT_TIMEOUT:-600} "$top/scripts/host/run-guest.sh" gate "$3" "$build" "$dir" > /dev/null || true
		# (|| true: under set -e a missing gate.txt would end the script
		# here instead of retrying)
		f=$(sed -n 's/^median_pages_per_sec //p' "$dir/gate.txt" 2>/dev/null || true)
		m=$(sed -n 's/^median_iters_per_sec //p' "$dir/gate.txt" 2>/dev/null || true)
		[ -z "$f" ] || [ -z "$m" ] || break
		echo "bench-gate: no result from the $2 kernel, round $1, try $try" >&2
	done
	if [ -z "$f" ] || [ -z "$m" ]; then
		echo "bench-gate: no result from the $2 kernel, round $1; see $dir/console.log" >&2
		exit 1
	fi
	echo "$1,$2,fault,$f" >> "$out/gate.csv"
	echo "$1,$2,mixed,$m" >> "$out/gate.csv"
	printf '  GATE    round %d  %-8s anon faults %9.0f pages/s  mixed %8.3f iter/s\n' \
		"$1" "$2" "$f" "$m"
}

for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then
		boot "$r" patched "$patched"; boot "$r" vanilla "$vanilla"
	else
		boot "$r" vanilla "$vanilla"; boot "$r" patched "$patched"
	fi
done

[ -n "${GATE_NO_REPORT:-}" ] ||
	python3 "$top/scripts/host/bench-report.py" --gate "$out/gate.csv" --out "$out"
