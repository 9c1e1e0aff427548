#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-gate.sh BUILD RESULTS
#
# Runs inside the guest for scripts/bench-gate.sh, on the patched or the
# unpatched kernel alike: the anonymous-fault microbenchmark on node 0
# (tests/user/gate_fault_bench) and the mixed fork/exec/file workload
# (tests/user/gate_mixed_bench, run from a tmpfs copy on files in
# /dev/shm), each after a warm-up run. RESULTS/gate.txt gets their output,
# whose median_* lines bench-gate.sh collects.
set -u
build=$1
out=$2
fault=$build/tests/user/gate_fault_bench
mixed=/dev/shm/gate_mixed_bench
cp "$build/tests/user/gate_mixed_bench" "$mixed"
mkdir -p /dev/shm/gate-files
{
	"$fault" 64 1 > /dev/null
	numactl --cpunodebind=0 --membind=0 "$fault" "${GATE_MIB:-256}" "${GATE_REPEATS:-5}"
	"$mixed" /dev/shm/gate-files 5 1 > /dev/null
	numactl --cpunodebind=0 --membind=0 "$mixed" /dev/shm/gate-files \
		"${GATE_MIXED_ITERS:-40}" "${GATE_REPEATS:-5}"
} > "$out/gate.txt" 2>&1
sed 's/^/[guest] /' "$out/gate.txt"
