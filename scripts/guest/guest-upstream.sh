#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-upstream.sh BUILD RESULTS
#
# Runs inside the guest for make check-upstream: the kernel's own mm, memfd
# and memory-hotplug selftests (built by scripts/host/upstream-build.sh into
# BUILD/upstream/kselftest), one program at a time, in the order and with
# the arguments and the system settings of tools/testing/selftests/mm/
# run_vmtests.sh (6.12), each under its own timeout sized for TCG.
#
# The kernel command line selects the pass (seen here as environment):
#   pm_upstream_nodes=1   bind dax0.0 as a plain and dax1.0 as a compressed
#                         private node (privctl) before the tests
#   pm_upstream_only=RE   run only the tests whose name matches the
#                         extended regular expression RE (quicker iterations)
#   pm_upstream_scale=N   multiply every timeout by N (default 1)
#
# RESULTS/upstream.tsv gets one line per test:
#   name <TAB> pass|fail|skip <TAB> seconds <TAB> reason
# and RESULTS/logs/NAME.log its output. A test that exits 0 passed, 4
# (KSFT_SKIP) skipped, anything else failed; a timeout is a failure whose
# reason says so. Tests this guest cannot run are written as skip with the
# reason, without running them. RESULTS/done is written last.
set -u
build=$1
out=$2
src=$build/upstream/kselftest
privctl=$build/privctl/privctl
scale=${pm_upstream_scale:-1}
say() { echo "[guest] $*"; }

mkdir -p "$out/logs"

# Some tests read the kernel's config where a distribution installs it
# (va_high_addr_switch.sh: /boot/config-$(uname -r)); /boot is in the
# guest's writable overlay. pm_kconfig names the booted tree's .config.
if [ -n "${pm_kconfig:-}" ] && [ -f "$pm_kconfig" ]; then
	cp "$pm_kconfig" "/boot/config-$(uname -r)" ||
		say "upstream: could not install $pm_kconfig as /boot/config-$(uname -r)"
fi
: > "$out/upstream.tsv"

# The selftests write next to themselves (mnt/, temporary files): run them
# from a copy in the guest's writable overlay.
work=/tmp/kselftest
rm -rf "$work"
if ! cp -a "$src" "$work"; then
	say "upstream: no selftests at $src (make check-upstream builds them)"
	echo failed > "$out/done"
	exit 1
fi

record() { # NAME RESULT SECONDS REASON
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$out/upstream.tsv"
	say "upstream: $(printf '%-44s %-4s %4s s  %s' "$1" "$2" "$3" "$4")"
}

selected() {
	[ -z "${pm_upstream_only:-}" ] || [[ $1 =~ ${pm_upstream_only} ]]
}

# The reason a program gave for a skip or a failure: its last line that
# says so (kselftest "# SKIP ..."/"not ok ..." lines, or plain text).
reason_of() { # LOG RESULT
	local pat
	if [ "$2" = skip ]; then
		pat='skip|not (available|supported|enabled|found)|no .* support|unsupported|requires?|please'
	else
		pat='not ok|fail|error|unexpected|bail|abort|assert'
	fi
	{ grep -aiE "$pat" "$1" || grep -av '^[#[:space:]]*$' "$1"; } |
		grep -aviE '^# (totals|pass|planned)|# *SUMMARY' | tail -1 |
		tr -d '\r' | sed -e 's/^[# ]*//' -e 's/\t/ /g' | cut -c1-150
}

# run1 LOG LIMIT DIR CMD... : run a test once; sets res, why, secs.
run1() {
	local log=$1 limit=$2 dir=$3 rc start
	shift 3
	start=$(date +%s)
	(cd "$work/$dir" && exec timeout -k 10 "$limit" "$@") > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) res=pass why= ;;
	4) res=skip why=$(reason_of "$log" skip) ;;
	124) res=fail why="timeout after ${limit} s" ;;
	137) if [ "$secs" -ge "$limit" ]; then
		res=fail why="timeout after ${limit} s (killed)"
	     else
		res=fail why="killed by SIGKILL after $secs s$(dmesg | grep -q 'Killed process' && echo ' (the OOM killer ran: see console.log)')"
	     fi ;;
	*) res=fail why="exit $rc: $(reason_of "$log" fail)" ;;
	esac
	[ "$res" = skip ] && [ -z "$why" ] && why="exit 4 (KSFT_SKIP)"
}

# t NAME TIMEOUT DIR CMD... : run one test. A failure is retried once (on
# every kernel alike): some upstream tests race under TCG's timing. A pass
# on the retry is recorded as a pass whose reason keeps the first failure,
# and both logs are kept (NAME.log, NAME.try1.log).
t() {
	local name=$1 limit=$(( $2 * scale )) dir=$3 res why secs log first
	shift 3
	selected "$name" || return 0
	log=$out/logs/${name//[\/ ]/_}.log
	say "upstream: running $name"
	run1 "$log" "$limit" "$dir" "$@"
	if [ "$res" = fail ]; then
		first=$why
		mv "$log" "${log%.log}.try1.log"
		say "upstream: $name failed ($first); retrying once"
		run1 "$log" "$limit" "$dir" "$@"
		if [ "$res" = pass ]; then
			why="passed on the retry; first try: $first"
		else
			why="$why (twice; first try: $first)"
		fi
	fi
	record "$name" "$res" "$secs" "$why"
}

# s NAME REASON : a test this guest does not run.
s() {
	selected "$1" || return 0
	record "$1" skip 0 "$2"
}

# run_vmtests.sh drops the caches and compacts before every thp and
# hugetlb test.
settle() {
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
	sleep 1
}

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# --- the pass's private nodes ------------------------------------------------
nodes_before=
if [ "${pm_upstream_nodes:-0}" = 1 ]; then
	if "$privctl" create --dax dax0.0 --type plain > "$out/privctl-create.txt" 2>&1 &&
	   "$privctl" create --dax dax1.0 --type compressed >> "$out/privctl-create.txt" 2>&1; then
		"$privctl" list > "$out/privctl-list.txt" 2>&1
		say "upstream: private nodes bound:"
		sed 's/^/[guest]   /' "$out/privctl-list.txt"
	else
		say "upstream: privctl could not bind the private nodes:"
		sed 's/^/[guest]   /' "$out/privctl-create.txt"
		record privmem/bind-private-nodes fail 0 "privctl create failed: $(tail -1 "$out/privctl-create.txt")"
	fi
	# The used memory of each private node before the tests: they must
	# leave it as it was (no upstream test may land pages there).
	for f in /sys/devices/system/node/node[23]/meminfo; do
		[ -f "$f" ] && nodes_before+="$(awk '/MemUsed/ { printf "%s=%s ", $2, $4 }' "$f")"
	done
fi
# What a program that sizes itself from /proc/meminfo sees (compaction_test
# mlocks 80% of MemFree), against the free memory of the nodes it can use.
say "upstream: /proc/meminfo: $(awk '/^Mem(Total|Free|Available):/ { printf "%s %s kB  ", $1, $2 }' /proc/meminfo)"
for f in /sys/devices/system/node/node[0-9]*/meminfo; do
	say "upstream: $(awk '/MemTotal|MemFree/ { printf "node %s %s %s kB  ", $2, $3, $4 }' "$f")"
done
for f in possible online has_cpu has_memory has_private_memory; do
	[ -f /sys/devices/system/node/$f ] &&
		say "upstream: nodes $f: $(cat /sys/devices/system/node/$f)"
done

# --- mm: run_vmtests.sh's sequence --------------------------------------------
mm=mm
hpgsize_KB=$(meminfo Hugepagesize)
nr_cpus=$(nproc)
needmem_KB=$(( 256 * 1024 ))
[ $(( hpgsize_KB * nr_cpus * 2 )) -gt $needmem_KB ] && needmem_KB=$(( hpgsize_KB * nr_cpus * 2 ))
needpgs=$(( needmem_KB / hpgsize_KB ))
nr_hugepgs=$(cat /proc/sys/vm/nr_hugepages)
echo 3 > /proc/sys/vm/drop_caches
echo "$needpgs" > /proc/sys/vm/nr_hugepages
freepgs=$(meminfo HugePages_Free)
say "upstream: $freepgs of $needpgs huge pages of $hpgsize_KB kB reserved"

settle; t mm/hugepage-mmap 120 $mm ./hugepage-mmap
shmmax=$(cat /proc/sys/kernel/shmmax) shmall=$(cat /proc/sys/kernel/shmall)
echo 268435456 > /proc/sys/kernel/shmmax
echo 4194304 > /proc/sys/kernel/shmall
settle; t mm/hugepage-shm 120 $mm ./hugepage-shm
echo "$shmmax" > /proc/sys/kernel/shmmax
echo "$shmall" > /proc/sys/kernel/shmall
settle; t mm/map_hugetlb 120 $mm ./map_hugetlb
settle; t mm/hugepage-mremap 120 $mm ./hugepage-mremap
settle; t mm/hugepage-vmemmap 120 $mm ./hugepage-vmemmap
settle; t mm/hugetlb-madvise 120 $mm ./hugetlb-madvise
settle; t mm/hugetlb_dio 120 $mm ./hugetlb_dio
nr_tmp=$(cat /proc/sys/vm/nr_hugepages)
echo 1 > /proc/sys/vm/nr_hugepages
settle; t mm/hugetlb_fault_after_madv 120 $mm ./hugetlb_fault_after_madv
settle; t mm/hugetlb_madv_vs_map 120 $mm ./hugetlb_madv_vs_map
echo "$nr_tmp" > /proc/sys/vm/nr_hugepages

t mm/map_fixed_noreplace 60 $mm ./map_fixed_noreplace
t "mm/gup_test -u" 300 $mm ./gup_test -u
t "mm/gup_test -a" 300 $mm ./gup_test -a
t "mm/gup_test -ct" 120 $mm ./gup_test -ct -F 0x1 0 19 0x1000
t mm/gup_longterm 300 $mm ./gup_longterm

t mm/uffd-unit-tests 600 $mm ./uffd-unit-tests
t "mm/uffd-stress anon" 300 $mm ./uffd-stress anon 20 16
half_ufd_size_MB=$(( (freepgs * hpgsize_KB) / 1024 / 2 ))
t "mm/uffd-stress hugetlb" 300 $mm ./uffd-stress hugetlb "$half_ufd_size_MB" 32
t "mm/uffd-stress hugetlb-private" 300 $mm ./uffd-stress hugetlb-private "$half_ufd_size_MB" 32
t "mm/uffd-stress shmem" 300 $mm ./uffd-stress shmem 20 16
t "mm/uffd-stress shmem-private" 300 $mm ./uffd-stress shmem-private 20 16
echo "$nr_hugepgs" > /proc/sys/vm/nr_hugepages

t mm/compaction_test 300 $mm ./compaction_test
# run_vmtests.sh runs it as nobody through sudo; setpriv does the same.
t mm/on-fault-limit 60 $mm setpriv --reuid=nobody --regid=nogroup --clear-groups ./on-fault-limit
t mm/map_populate 60 $mm ./map_populate
t mm/mlock-random-test 120 $mm ./mlock-random-test
t mm/mlock2-tests 120 $mm ./mlock2-tests
t mm/mrelease_test 120 $mm ./mrelease_test
t mm/mremap_test 600 $mm ./mremap_test
if grep -qw pdpe1gb /proc/cpuinfo; then
	settle; t mm/thuge-gen 120 $mm ./thuge-gen
else
	s mm/thuge-gen "the guest CPU (QEMU qemu64, TCG) has no 1 GiB pages (pdpe1gb); the program bails out"
fi
settle; t mm/charge_reserved_hugetlb 600 $mm ./charge_reserved_hugetlb.sh -cgroup-v2
settle; t mm/hugetlb_reparenting_test 300 $mm ./hugetlb_reparenting_test.sh -cgroup-v2
# run_vmtests.sh -d (destructive): each pass is a fresh boot, so they run.
nr_tmp=$(cat /proc/sys/vm/nr_hugepages)
soft=$(cat /proc/sys/vm/enable_soft_offline 2>/dev/null || echo)
echo 8 > /proc/sys/vm/nr_hugepages
settle; t mm/hugetlb-soft-offline 120 $mm ./hugetlb-soft-offline
echo "$nr_tmp" > /proc/sys/vm/nr_hugepages
[ -n "$soft" ] && echo "$soft" > /proc/sys/vm/enable_soft_offline
settle; t mm/hugetlb-read-hwpoison 120 $mm ./hugetlb-read-hwpoison

prev_policy=$(cat /proc/sys/vm/overcommit_memory)
echo 1 > /proc/sys/vm/overcommit_memory
t mm/virtual_address_range 300 $mm ./virtual_address_range
echo "$prev_policy" > /proc/sys/vm/overcommit_memory
t mm/va_high_addr_switch 120 $mm bash ./va_high_addr_switch.sh

if modinfo test_vmalloc > /dev/null 2>&1; then
	t mm/test_vmalloc 300 $mm bash ./test_vmalloc.sh smoke
else
	s mm/test_vmalloc "CONFIG_TEST_VMALLOC is off in the guest config (Debian: off too)"
fi
t mm/mremap_dontunmap 120 $mm ./mremap_dontunmap
t mm/test_hmm 600 $mm bash ./test_hmm.sh smoke
t mm/madv_populate 120 $mm ./madv_populate
echo 0 > /proc/sys/kernel/yama/ptrace_scope 2>/dev/null
t mm/memfd_secret 60 $mm ./memfd_secret

t "mm/ksm_tests -H" 300 $mm ./ksm_tests -H -s 100
t "mm/ksm_tests -P" 300 $mm ./ksm_tests -P -s 100
t "mm/ksm_tests -M" 120 $mm ./ksm_tests -M -p 10
t "mm/ksm_tests -U" 120 $mm ./ksm_tests -U
t "mm/ksm_tests -Z -z 0" 120 $mm ./ksm_tests -Z -p 10 -z 0
t "mm/ksm_tests -Z -z 1" 120 $mm ./ksm_tests -Z -p 10 -z 1
t "mm/ksm_tests -N -m 1" 300 $mm ./ksm_tests -N -m 1
t "mm/ksm_tests -N -m 0" 300 $mm ./ksm_tests -N -m 0
t mm/ksm_functional_tests 300 $mm ./ksm_functional_tests

nr_tmp=$(cat /proc/sys/vm/nr_hugepages)
s mm/protection_keys_32 "not built: no gcc-multilib on the build host (32-bit programs)"
t mm/protection_keys_64 300 $mm ./protection_keys_64
echo "$nr_tmp" > /proc/sys/vm/nr_hugepages
t mm/soft-dirty 120 $mm ./soft-dirty
t mm/pagemap_ioctl 300 $mm ./pagemap_ioctl
t mm/cow 900 $mm ./cow
settle; t mm/khugepaged 600 $mm ./khugepaged
settle; t "mm/khugepaged -s 2" 600 $mm ./khugepaged -s 2
settle; t mm/transhuge-stress 120 $mm ./transhuge-stress -d 20
# Without an XFS mount (the guest config has no XFS) the program skips its
# file-backed cases itself, as under run_vmtests.sh.
settle; t mm/split_huge_page_test 600 $mm ./split_huge_page_test
t mm/migration 300 $mm ./migration
t mm/mkdirty 120 $mm ./mkdirty
t mm/mdwe_test 60 $mm ./mdwe_test

# In the Makefile's list but not in 6.12's run_vmtests.sh.
t mm/mseal_test 120 $mm ./mseal_test
t mm/seal_elf 60 $mm ./seal_elf
t mm/droppable 120 $mm ./droppable
# It executes WRPKRU without checking for protection keys (SIGILL, exit 132,
# on a CPU without them); protection_keys_64 checks and runs its no-pkeys
# cases.
if grep -qw pku /proc/cpuinfo; then
	t mm/pkey_sighandler_tests_64 120 $mm ./pkey_sighandler_tests_64
else
	s mm/pkey_sighandler_tests_64 "the guest CPU (QEMU qemu64, TCG) has no protection keys (pku); the program dies of SIGILL"
fi

# --- memfd ---------------------------------------------------------------------
t memfd/memfd_test 300 memfd ./memfd_test
t memfd/run_hugetlbfs_test 300 memfd ./run_hugetlbfs_test.sh
if grep -qw fuse /proc/filesystems; then
	t memfd/run_fuse_test 300 memfd ./run_fuse_test.sh
else
	s memfd/run_fuse_test "CONFIG_FUSE_FS is off in the guest config"
fi

# --- memory-hotplug (the kselftest default, 2% of the hotpluggable blocks) ----
t memory-hotplug/mem-on-off-test 600 memory-hotplug ./mem-on-off-test.sh

# --- the private nodes after the tests -----------------------------------------
if [ "${pm_upstream_nodes:-0}" = 1 ] && selected privmem/private-nodes-untouched; then
	nodes_after=
	for f in /sys/devices/system/node/node[23]/meminfo; do
		[ -f "$f" ] && nodes_after+="$(awk '/MemUsed/ { printf "%s=%s ", $2, $4 }' "$f")"
	done
	"$privctl" list > "$out/privctl-list-after.txt" 2>&1
	if [ -n "$nodes_before" ] && [ "$nodes_before" = "$nodes_after" ]; then
		record privmem/private-nodes-untouched pass 0 "MemUsed kB: $nodes_after"
	else
		record privmem/private-nodes-untouched fail 0 "MemUsed kB before: ${nodes_before:-none}; after: ${nodes_after:-none}"
	fi
fi

dmesg > "$out/dmesg.txt"
echo complete > "$out/done"
say "upstream: finished"
