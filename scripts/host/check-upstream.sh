#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-upstream.sh PATCHED_BZIMAGE VANILLA_BZIMAGE BUILD VANILLA_MODROOT
#
# make check-upstream's guest part: boots three guests, one after the other,
# each running scripts/guest/guest-upstream.sh (the kernel's mm, memfd and
# memory-hotplug selftests, built into BUILD/upstream/kselftest):
#   vanilla         the unpatched 6.12 kernel (same config), its own modules
#   privmem         the patched kernel, no private node
#   privmem-nodes   the patched kernel, dax0.0 bound as a plain and dax1.0
#                   as a compressed private node
# then prints one table (scripts/host/upstream-report.py) and exits non-zero if a
# test that passes on the unpatched kernel fails on a patched one, or if a
# pass did not finish. Results in BUILD/check-upstream/<pass>/ (a pass that
# is not run keeps its previous results, which the table then shows).
#
# UPSTREAM_PASSES="vanilla privmem privmem-nodes" (the default) chooses the
# passes (UPSTREAM_REPORT, the passes the table shows: default the same);
# UPSTREAM_APPEND adds to every guest's command line (for example
# pm_upstream_only=REGEX, pm_upstream_scale=2). GUEST_TIMEOUT bounds each
# guest (default 2400 s).
set -euo pipefail
patched=$1 vanilla=$2 build=$3 vmodroot=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/check-upstream
passes=${UPSTREAM_PASSES:-vanilla privmem privmem-nodes}

for k in "$patched" "$vanilla"; do
	[ -f "$k" ] || { echo "check-upstream: no kernel at $k" >&2; exit 1; }
done
mkdir -p "$out"

for p in $passes; do
	case $p in
	vanilla) kernel=$vanilla append="pm_modroot=$vmodroot" ;;
	privmem) kernel=$patched append= ;;
	privmem-nodes) kernel=$patched append=pm_upstream_nodes=1 ;;
	*) echo "check-upstream: unknown pass $p" >&2; exit 2 ;;
	esac
	rm -rf "${out:?}/$p"
	mkdir -p "$out/$p"
	echo "  GUEST   $p: booting $kernel (TCG); console log in $out/$p/console.log"
	start=$(date +%s)
	rc=0
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-2400} \
	GUEST_APPEND="$append pm_kconfig=${kernel%/arch/x86/boot/bzImage}/.config ${UPSTREAM_APPEND:-} ${GUEST_APPEND:-}" \
		"$top/scripts/host/run-guest.sh" upstream "$kernel" "$build" "$out/$p" |
		tee "$out/$p/progress.log" | sed -n -u '/upstream: running/d; s/^\[guest\] upstream: /    /p' || rc=$?
	wall=$(( $(date +%s) - start ))
	# The guest's own run time, without the wait for the guest lock: from
	# the creation of its console log (when QEMU started) to its last write.
	secs=$wall
	born=$(stat -c %W "$out/$p/console.log" 2>/dev/null || echo 0)
	if [ "$born" -gt 0 ] 2>/dev/null; then
		secs=$(( $(stat -c %Y "$out/$p/console.log") - born ))
	fi
	echo "$rc" > "$out/$p/qemu-rc"
	echo "$secs" > "$out/$p/seconds"
	printf '  GUEST   %s: %d tests, guest %d s (wall %d s with the wait for the guest lock), qemu exit %d\n' \
		"$p" "$(wc -l < "$out/$p/upstream.tsv" 2>/dev/null || echo 0)" "$secs" "$wall" "$rc"
done

python3 "$top/scripts/host/upstream-report.py" "$out" ${UPSTREAM_REPORT:-$passes} | tee "$out/table.txt"
exit "${PIPESTATUS[0]}"
