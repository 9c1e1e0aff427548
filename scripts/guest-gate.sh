#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-gate.sh BUILD RESULTS
#
# Runs inside the guest for scripts/bench-gate.sh: the anonymous-fault
# microbenchmark on node 0, after one warm-up run.
set -u
build=$1
out=$2
bench=$build/tests/user/gate_fault_bench
"$bench" 64 1 > /dev/null
numactl --cpunodebind=0 --membind=0 "$bench" "${GATE_MIB:-256}" "${GATE_REPEATS:-9}" > "$out/gate.txt" 2>&1
sed 's/^/[guest] /' "$out/gate.txt"
