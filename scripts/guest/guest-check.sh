#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-check.sh BUILD RESULTS
#
# Runs inside the guest: loads every kunit module we built and saves each
# suite's KTAP from debugfs, then runs every tests/user program and saves its
# TAP and exit status. The host (scripts/host/collect-results.py) reads RESULTS.
# RESULTS/done is written last: its absence means the guest died on the way.
#
# For quicker iterations, GUEST_APPEND="pm_tests=GLOB pm_kunit=0" (kernel
# command line, seen here as environment) runs only the user tests whose
# name matches GLOB (without the _test suffix; several globs separated by
# commas) and skips kunit. pm_args="-t CASE" passes arguments to each
# program (kselftest harness: -t, -v, -f); pm_repeat=N runs each program N
# times (its TAP accumulates), to chase a flaky case.
#
# tests/user/known-failing lists tests that fail today on purpose (they
# reproduce an open bug): they are not run unless pm_tests names one
# exactly (pm_tests=privmem_inplace), and RESULTS/user/NAME.not-run says so.
#
# In-place writes: after kunit and after every program the module-wide
# count of in-place writes that compressed nodes detected
# (/sys/module/privmem/parameters/inplace_writes: it outlives the devices
# the tests create and destroy, but not an unload of privmem, which one
# test does; the driver's own log line covers that case) is read, and
# its increase accumulated. RESULTS/inplace_writes.txt gets a line
# "NAME N" for each step that added writes and a last line "total N"; the
# host fails the run if the total is not 0.
set -u
build=$1
out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$(uname -r)
say() { echo "[guest] $*"; }

mkdir -p "$out/kunit" "$out/user"

inplace_param=/sys/module/privmem/parameters/inplace_writes
inplace_prev=0
inplace_total=0
: > "$out/inplace_writes.txt"
# inplace_step NAME: account the writes detected since the last step.
inplace_step() {
	local cur
	cur=$(cat "$inplace_param" 2>/dev/null || echo 0)
	# Lower than before: privmem was unloaded (and maybe loaded again).
	[ "$cur" -lt "$inplace_prev" ] && inplace_prev=0
	if [ "$cur" -gt "$inplace_prev" ]; then
		echo "$1 $((cur - inplace_prev))" >> "$out/inplace_writes.txt"
		say "in-place writes: $1 added $((cur - inplace_prev))"
		inplace_total=$((inplace_total + cur - inplace_prev))
	fi
	inplace_prev=$cur
}
known_failing=$top/tests/user/known-failing

# --- kunit -------------------------------------------------------------------
kunit_setup() { :; }
kunit_teardown() { :; }
# shellcheck source=/dev/null
[ -f "$top/tests/kunit/guest-setup.sh" ] && . "$top/tests/kunit/guest-setup.sh"

[ "${pm_kunit:-1}" = 0 ] && kunit_setup() { :; } && kunit_teardown() { :; }
kunit_setup
# The kunit modules: tests/kunit/*.ko, and each driver's tests/*_kunit.ko
# (the suites beside the code they test).
kunit_kos=$(ls "/lib/modules/$kver/updates/tests/kunit/"*.ko \
	"/lib/modules/$kver/updates/drivers/"*/tests/*_kunit.ko 2>/dev/null)
for ko in ${kunit_kos:-none.ko}; do
	[ "${pm_kunit:-1}" = 0 ] && break
	[ -e "$ko" ] || { say "no kunit modules found"; break; }
	name=$(basename "$ko" .ko)
	var=kunit_args_${name//-/_}
	say "kunit: loading $name ${!var:-}"
	# shellcheck disable=SC2086
	if ! modprobe "$name" ${!var:-}; then
		echo "modprobe $name failed" > "$out/kunit/$name.load-failed"
		say "kunit: modprobe $name failed"
	fi
done
for dir in /sys/kernel/debug/kunit/*/; do
	[ -f "$dir/results" ] || continue
	suite=$(basename "$dir")
	cat "$dir/results" > "$out/kunit/$suite.ktap"
done
for ko in $kunit_kos; do
	modprobe -r "$(basename "$ko" .ko)" 2>/dev/null
done
kunit_teardown
inplace_step kunit

# --- tests/user ----------------------------------------------------------------
export PRIVMEM_TOP=$top PRIVMEM_BUILD=$build
# A debug kernel (make check-debug) is several times slower: every test's
# timeout and the per-program one are multiplied (pm_timeout_scale= on the
# kernel command line overrides the factor).
scale=1
case $kver in *-debug) scale=${pm_timeout_scale:-8} ;; esac
export PRIVMEM_TIMEOUT_SCALE=$scale
prog_timeout=$(( ${PRIVMEM_TEST_TIMEOUT:-600} * scale ))
# pm_dax=cxl (the CXL guest): the programs bind the dax device of the
# guest's CXL region instead of dax0.0 (PRIVMEM_DAX, tests/lib/privmem_lib.h;
# only programs that never spell out PM_DAX honour it). With no such
# device, PRIVMEM_DAX names none and every program bails out: a failure.
if [ "${pm_dax:-}" = cxl ]; then
	PRIVMEM_DAX="no-cxl-dax-device"
	for d in /sys/bus/dax/devices/dax*; do
		case $(readlink -f "$d") in
		*/decoder*/region*/dax_region*/*) PRIVMEM_DAX=$(basename "$d") ;;
		esac
	done
	export PRIVMEM_DAX
	say "user: PRIVMEM_DAX=$PRIVMEM_DAX (the CXL region's dax device)"
fi
# pm_tests may list several globs, separated by commas.
progs=()
IFS=, read -ra globs <<< "${pm_tests:-*}"
for g in "${globs[@]}"; do
	# shellcheck disable=SC2206
	progs+=("$build/tests/user/"${g}_test)
done
for t in "${progs[@]}"; do
	[ -x "$t" ] || { say "no user tests match $(basename "$t")"; continue; }
	name=$(basename "$t")
	why=$(awk -v n="${name%_test}" '$1 == n { $1 = ""; sub(/^ +/, ""); print; exit }' \
		"$known_failing" 2>/dev/null)
	if [ -n "$why" ] && [ "${pm_tests:-}" != "${name%_test}" ]; then
		say "user: not running $name (tests/user/known-failing: $why)"
		echo "$why" > "$out/user/$name.not-run"
		continue
	fi
	say "user: running $name"
	start=$(date +%s)
	: > "$out/user/$name.tap"
	rc=0
	for _ in $(seq "${pm_repeat:-1}"); do
		# shellcheck disable=SC2086 # pm_args is a word list
		timeout -k 10 "$prog_timeout" "$t" ${pm_args:-} >> "$out/user/$name.tap" 2>&1 ||
			rc=$?
	done
	echo $rc > "$out/user/$name.rc"
	say "user: $name took $(( $(date +%s) - start )) s"
	grep -E '^(not )?ok ' "$out/user/$name.tap" | sed "s/^/[guest]   /"
	inplace_step "$name"
done

# Debug kernels: a kmemleak scan once everything has run; any report fails
# the run (the host reads kmemleak.txt, and the lines reach the console).
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$out/kmemleak.txt"
	say "kmemleak scan: $(grep -c '^unreferenced' "$out/kmemleak.txt") leak reports"
	head -200 "$out/kmemleak.txt" | sed 's/^/[guest] kmemleak: /'
fi

# Devices still bound count too (their writes are in the module's total).
inplace_step end
echo "total $inplace_total" >> "$out/inplace_writes.txt"
say "in-place writes detected on compressed nodes: $inplace_total"

dmesg > "$out/dmesg.txt"
echo complete > "$out/done"
say "tests finished"
