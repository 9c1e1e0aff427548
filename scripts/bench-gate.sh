#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-gate.sh PATCHED_BZIMAGE VANILLA_BZIMAGE BUILD OUT [ROUNDS]
#
# The cost of the isolation gate on the ordinary allocation path: boots the
# patched and the unpatched kernel (same config, same guest image) in
# alternation, ABBA order so slow drift of the host cancels, and runs the
# anonymous-fault microbenchmark (tests/user/gate_fault_bench) in each boot.
# Prints each boot's median, then per kernel the median of the boot medians
# with its spread, and the ratio patched/vanilla. Writes OUT/gate.csv.
# The guest runs under TCG: only the ratio means anything.
set -euo pipefail
patched=$1 vanilla=$2 build=$3 out=$4 rounds=${5:-5}
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$out"
mkdir -p "$out"
echo "round,kernel,median_pages_per_sec" > "$out/gate.csv"

boot() { # ROUND NAME BZIMAGE
	local dir=$out/$1-$2 m
	mkdir -p "$dir"
	GUEST_TIMEOUT=600 "$top/scripts/run-guest.sh" gate "$3" "$build" "$dir" > /dev/null || true
	m=$(sed -n 's/^median_pages_per_sec //p' "$dir/gate.txt" 2>/dev/null)
	[ -n "$m" ] || { echo "bench-gate: no result from $2 boot $1; see $dir/console.log" >&2; exit 1; }
	echo "$1,$2,$m" >> "$out/gate.csv"
	printf '  round %d  %-8s %10.0f pages/s\n' "$1" "$2" "$m"
}

for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then
		boot "$r" patched "$patched"; boot "$r" vanilla "$vanilla"
	else
		boot "$r" vanilla "$vanilla"; boot "$r" patched "$patched"
	fi
done

python3 - "$out/gate.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
per = {}
for r in rows:
    per.setdefault(r['kernel'], []).append(float(r['median_pages_per_sec']))
p, v = statistics.median(per['patched']), statistics.median(per['vanilla'])
print('anonymous 4K fault throughput, node 0, median of %d boots each (TCG: ratios only)'
      % len(per['patched']))
for k in ('vanilla', 'patched'):
    xs = per[k]
    print(f'  {k:8} median {statistics.median(xs):10.0f} pages/s  '
          f'spread {min(xs):.0f}..{max(xs):.0f}')
print(f'  ratio patched/vanilla {p / v:.4f}  (gate cost {100 * (1 - p / v):+.2f}%)')
PY
