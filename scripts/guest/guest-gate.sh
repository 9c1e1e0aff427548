#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-gate.sh BUILD RESULTS
#
# Runs inside the guest for scripts/host/bench-gate.sh, on the patched or the
# unpatched kernel alike: the anonymous-fault microbenchmark on node 0
# (tests/bench/gate_fault_bench) and the mixed fork/exec/file workload
# (tests/bench/gate_mixed_bench, run from a tmpfs copy on files in
# /dev/shm), each after a warm-up run. RESULTS/gate.txt gets their output,
# whose median_* lines bench-gate.sh collects.
#
# On the patched kernel two private nodes are bound and in use while it
# measures (issue 19, point 5): dax0.0 as a plain node and dax1.0 as a
# compressed one, each holding the memory of a process that sleeps
# through the run (64 MiB of text records, migrated there with privctl).
# The unpatched kernel has no privmem module: its dax devices stay
# device_dax. pm_gate_nodes=0 (kernel command line) measures the patched
# kernel with no node bound instead.
set -u
build=$1
out=$2
fault=$build/tests/bench/gate_fault_bench
privctl=$build/privctl/privctl

# hold DEV: a process with 64 MiB of text on private node DEV.
hold() {
	local pid
	python3 -c 'import time
d = [("{\"key\": %d, \"value\": \"record-%d\"}\n" % (i, i % 997)).encode() * 32 for i in range(64 * 1024 * 1024 // 1200)]
print("ready", flush=True)
time.sleep(100000)' > /dev/shm/hold-$1 &
	pid=$!
	while ! grep -q ready /dev/shm/hold-$1 2>/dev/null; do sleep 0.2; done
	"$privctl" migrate "$1" --pid "$pid" --all --to private | sed 's/^/[guest] gate: /'
}

if [ "${pm_gate_nodes:-1}" = 1 ] && modprobe privmem 2>/dev/null; then
	"$privctl" create --dax dax0.0 --type plain > /dev/null &&
		"$privctl" create --dax dax1.0 --type compressed > /dev/null ||
		echo "[guest] gate: could not bind the private nodes"
	hold dax0.0
	hold dax1.0
	"$privctl" list | sed 's/^/[guest] gate: /'
fi
mixed=/dev/shm/gate_mixed_bench
cp "$build/tests/bench/gate_mixed_bench" "$mixed"
mkdir -p /dev/shm/gate-files
{
	"$fault" 64 1 > /dev/null
	numactl --cpunodebind=0 --membind=0 "$fault" "${GATE_MIB:-256}" "${GATE_REPEATS:-5}"
	"$mixed" /dev/shm/gate-files 5 1 > /dev/null
	numactl --cpunodebind=0 --membind=0 "$mixed" /dev/shm/gate-files \
		"${GATE_MIXED_ITERS:-40}" "${GATE_REPEATS:-5}"
} > "$out/gate.txt" 2>&1
sed 's/^/[guest] /' "$out/gate.txt"
