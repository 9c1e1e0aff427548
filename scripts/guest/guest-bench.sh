#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-bench.sh BUILD RESULTS
#
# Runs inside the guest for `make bench`, PM_BENCH_ROUNDS rounds (kernel
# command line pm_bench_rounds=N, default 5) of each benchmark:
#   1. dax0.0 bound to privmem as a plain node: tests/bench/privmem_bench
#      (fault-in, MIGRATE vs move_pages) against anonymous memory on node 1
#      and /dev/dax1.0 (still a device_dax device);
#   2. fio ioengine=mmap (tests/bench/fio/*.fio) on /dev/privmemN,
#      /dev/dax1.0 and a file on a huge=always tmpfs, the three targets
#      alternated within each round;
#   3. dax1.0 as a compressed node: tests/bench/privmem_cram_bench
#      (demotion vs zswap, promotion fault vs move_pages).
# Everything the programs print goes to RESULTS/bench.txt; their "sample"
# lines (one measurement each) to RESULTS/samples.txt, which
# scripts/host/bench-report.py turns into the table on the host.
# pm_bench_only=node|fio|cram (kernel command line) runs one part only.
#   4. the cost of the compressed device's in-place write check: the cram
#      benchmark on dax1.0 bound with the checksum module parameter on and
#      off, alternating, one repeat per bind and PM_BENCH_ROUNDS binds of
#      each; samples "csum-on.NAME" and "csum-off.NAME" (the "checksum"
#      rows of the table). pm_bench_only=checksum runs only this part.
#   5. pm_bench_only=cxl (the CXL guest): see bench_cxl below.
#   6. the cost curves (pm_bench_only=curves): the fault-in, MIGRATE,
#      demotion and promotion rows and their baselines at each size of
#      pm_bench_sizes (MiB, default 16,64,256,768), pm_curve_rounds rounds
#      (default 2); samples "curve.KEY.SIZE". Part of every bench run
#      unless pm_bench_only names other parts.
# pm_bench_only takes a comma-separated list of parts.
set -u
build=$1
out=$2
rounds=${pm_bench_rounds:-5}
only=${pm_bench_only:-}
sizes=${pm_bench_sizes:-16,64,256,768}
crounds=${pm_curve_rounds:-2}
# fio's measured seconds per job (plus 1 s of ramp): 5 on the wall clock,
# where 3 left the rand-read ratio to noise; make bench's -icount run
# passes 2 (its figures repeat to the MiB/s).
fio_runtime=${pm_fio_runtime:-5}
want() {
	case ",$only," in
	,,) [ "$1" != cxl ] ;;
	*",$1,"*) true ;;
	*) false ;;
	esac
}
top=$(cd "$(dirname "$0")/../.." && pwd)
log=$out/bench.txt
say() { echo "[guest] $*"; }
run() { "$@" 2>&1 | tee -a "$log" | grep -v '^sample ' | sed 's/^/[guest] /'; }
: > "$log"

# bind_privmem, unbind_privmem
. "$top/scripts/guest/guest-privmem-bind.sh"

modprobe privmem
if ! dev=$(bind_privmem dax0.0 type=plain); then
	say "bench: could not bind dax0.0 to privmem"
	exit 1
fi
say "bench: $rounds rounds; $dev (node $(cat /sys/bus/dax/devices/dax0.0/target_node)) vs /dev/dax1.0"
want node && run "$build/tests/bench/privmem_bench" "$dev" /dev/dax1.0 "$rounds"
want curves && run "$build/tests/bench/privmem_bench" "$dev" /dev/dax1.0 "$crounds" "$sizes"

# fio. A read fault on a MAP_PRIVATE mapping maps the shared zero page
# and reads would never touch the node: with use_zero_page=0 a read fault
# on a THP-aligned privmem mapping allocates a (zeroed) THP on the node.
bench_fio() {
	say "bench: fio ioengine=mmap on $dev, /dev/dax1.0, tmpfs (huge=always)"
	local thp=/sys/kernel/mm/transparent_hugepage zp r job i name file mthp fout res
	zp=$(cat $thp/use_zero_page)
	echo 0 > $thp/use_zero_page
	mkdir -p /run/pm-fio
	mount -t tmpfs -o size=256m,huge=always pm-fio /run/pm-fio
	for r in $(seq 0 $((rounds - 1))); do
		for job in seq-read seq-write rand-read rand-write; do
			# Rotate the order of the targets from round to round.
			# privmem-shared: thp=0 makes fio map MAP_SHARED (the
			# open file's shared object).
			targets=(privmem:"$dev":1 devdax:/dev/dax1.0:0 tmpfs:/run/pm-fio/file:0
				 privmem-shared:"$dev":0)
			for i in 0 1 2 3; do
				IFS=: read -r name file mthp <<< "${targets[$(((i + r) % 4))]}"
				fout=$(PM_FIO_FILE=$file PM_FIO_THP=$mthp PM_FIO_RUNTIME=$fio_runtime \
					fio --output-format=terse "$top/tests/bench/fio/mmap-$job.fio" 2>&1)
				res=$(echo "$fout" |
					awk -F';' '$1 == 3 && $5 == 0 { printf "%.1f", ($7 + $48) / 1024 }')
				if [ -n "$res" ]; then
					echo "sample fio.$job.$name $r $res" >> "$log"
					say "fio $job round $r $name $res MiB/s"
				else
					echo "$fout" >> "$log"
					say "fio $job on $file failed: $(echo "$fout" | head -3)"
				fi
			done
		done
	done
	umount /run/pm-fio
	echo "$zp" > $thp/use_zero_page
}
want fio && bench_fio

unbind_privmem dax0.0

# The compressed node: dax1.0 as a compressed node (512 MiB emulated).
bench_cram() {
	local cdev

	say "bench: compressed node on dax1.0"
	if ! cdev=$(bind_privmem dax1.0 type=compressed); then
		say "bench: could not bind dax1.0 as a compressed node"
		unbind_privmem dax1.0
		return
	fi
	want cram && run "$build/tests/bench/privmem_cram_bench" "$cdev" "$rounds"
	unbind_privmem dax1.0
	want curves || return
	# The curves measure the paths, not device pressure: 768 MiB of text
	# (about 355 MiB compressed) would fill the default physical size
	# (half the node) past the low watermark, where the device has
	# kswapd reclaim the node under the promotion faults. The whole node
	# as physical size keeps every point below it.
	if ! cdev=$(bind_privmem dax1.0 type=compressed physical_size=896M); then
		say "bench: could not bind dax1.0 as a compressed node of 896M"
		unbind_privmem dax1.0
		return
	fi
	run "$build/tests/bench/privmem_cram_bench" "$cdev" "$crounds" "$sizes"
	unbind_privmem dax1.0
}
{ want cram || want curves; } && bench_cram

bench_checksum() {
	local r on cdev

	for r in $(seq 0 $((rounds - 1))); do
		for on in Y N; do
			# Alternate which goes first from round to round.
			[ $((r % 2)) = 1 ] && on=$([ "$on" = Y ] && echo N || echo Y)
			if ! cdev=$(bind_privmem dax1.0 type=compressed checksum="$on"); then
				say "bench: could not bind dax1.0 as a compressed node"
				unbind_privmem dax1.0
				return
			fi
			say "bench: checksum=$on round $r on $cdev (cram/checksum $(cat /sys/class/privmem/"${cdev#/dev/}"/cram/checksum))"
			"$build/tests/bench/privmem_cram_bench" "$cdev" 1 2>&1 |
				sed "s/^sample \([^ ]*\) 0 /sample csum-$([ "$on" = Y ] && echo on || echo off).\1 $r /" |
				tee -a "$log" | grep -v '^sample ' | sed 's/^/[guest] /'
			unbind_privmem dax1.0
		done
	done
}
want checksum && bench_checksum

# 5. The CXL guest (make bench runs it with pm_bench_only=cxl): the same
# benchmarks on a node of the CXL region's dax device and on dax1.0 (an
# NVDIMM), alternating, one repeat per bind and PM_BENCH_ROUNDS binds of
# each; samples "cxl.NAME" and "nvdimm.NAME" (the "CXL" rows of the table:
# what TCG's emulation of CXL memory costs against ordinary guest RAM).
bench_cxl() {
	local r t i name dax cxl= d dev prog

	for d in /sys/bus/dax/devices/dax*; do
		case $(readlink -f "$d") in
		*/decoder*/region*/dax_region*/*) cxl=$(basename "$d") ;;
		esac
	done
	if [ -z "$cxl" ]; then
		say "bench: no dax device of a CXL region (not the CXL guest)"
		return
	fi
	say "bench: CXL $cxl (node $(cat /sys/bus/dax/devices/$cxl/target_node)) vs NVDIMM dax1.0"
	for r in $(seq 0 $((rounds - 1))); do
		for t in plain compressed; do
			for i in 0 1; do
				# Alternate which goes first from round to round.
				case $(((i + r) % 2)) in
				0) name=cxl dax=$cxl ;;
				1) name=nvdimm dax=dax1.0 ;;
				esac
				# A compressed node cannot have the memmap_on_memory
				# dax_cxl asks for; it changes only while no kmem-type
				# driver holds the device, and privmem takes it on
				# sight (another device's new_id attaches it too).
				if [ "$t" = compressed ] && [ "$name" = cxl ]; then
					[ -e "/sys/bus/dax/drivers/privmem/$cxl" ] &&
						echo "$cxl" > /sys/bus/dax/drivers/privmem/unbind
					echo 0 > "/sys/bus/dax/devices/$cxl/memmap_on_memory"
				fi
				if ! dev=$(bind_privmem "$dax" type=$t); then
					say "bench: could not bind $dax as a $t node"
					unbind_privmem "$dax" 2>/dev/null
					continue
				fi
				if [ "$t" = plain ]; then
					prog=("$build/tests/bench/privmem_bench" "$dev" /dev/dax0.0 1)
				else
					prog=("$build/tests/bench/privmem_cram_bench" "$dev" 1)
				fi
				say "bench: $name $t round $r on $dev"
				"${prog[@]}" 2>&1 |
					sed "s/^sample \([^ ]*\) 0 /sample $name.\1 $r /" |
					tee -a "$log" | grep -v '^sample ' | sed 's/^/[guest] /'
				unbind_privmem "$dax" 2>/dev/null
				# Back to dax_cxl's default for the plain rows.
				[ "$t" = compressed ] && [ "$name" = cxl ] &&
					echo 1 > "/sys/bus/dax/devices/$cxl/memmap_on_memory"
			done
		done
	done
}
want cxl && bench_cxl
grep '^sample ' "$log" > "$out/samples.txt"
