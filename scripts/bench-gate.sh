#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-gate.sh [ROUNDS]
#
# Cost of the private node gate on the ordinary allocation path: the
# anonymous fault benchmark (tests/bench/anon_fault_bench.c) in the same
# guest image, on the patched kernel ($BUILD/linux, built by 'make kernel')
# and on an unpatched one built here from the same tarball and config
# without CONFIG_PRIVATE_NODE ($BUILD/linux-base), with boots alternated
# ROUNDS times (default 5). Prints each run, the medians and their ratio.
# No private node exists during the runs: this is the cost every system
# pays for the hooks.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
rounds=${1:-5}
jobs=${JOBS:-2}
out=$build/bench
patched=$build/linux/arch/x86/boot/bzImage
base=$build/linux-base
kmake=(make -C "$base" -j"$jobs" CC="ccache gcc" KBUILD_BUILD_TIMESTAMP=privmem
       KBUILD_BUILD_USER=privmem KBUILD_BUILD_HOST=privmem)

[ -f "$patched" ] || { echo "bench-gate: build the kernel first (make kernel)" >&2; exit 1; }
mkdir -p "$out"

# The unpatched kernel: the same tarball and fragment minus us, no patches.
if [ ! -f "$base/Makefile" ]; then
	rm -rf "$base" "$base.tmp"
	mkdir -p "$base.tmp"
	tar -C "$base.tmp" -xf /usr/src/linux-source-6.12.tar.xz
	mv "$base.tmp/linux-source-6.12" "$base"
	rmdir "$base.tmp"
fi
grep -v '^CONFIG_PRIVATE_NODE=' "$top/configs/privmem.config" > "$out/base.config"
make -s -C "$base" KCONFIG_ALLCONFIG="$out/base.config" allnoconfig > "$out/base-config.log" 2>&1
! grep -q '^CONFIG_PRIVATE_NODE=y' "$base/.config" ||
	{ echo "bench-gate: base kernel has CONFIG_PRIVATE_NODE" >&2; exit 1; }
"${kmake[@]}" bzImage > "$out/base-build.log" 2>&1 ||
	{ tail -20 "$out/base-build.log" >&2; exit 1; }

gcc -O2 -Wall -o "$out/anon_fault_bench" "$top/tests/bench/anon_fault_bench.c"

boot() {
	timeout -k 10 900 qemu-system-x86_64 -accel "${ACCEL:-tcg}" -machine pc,nvdimm=on \
		-m 2G,slots=4,maxmem=8G -smp 2 \
		-object memory-backend-ram,id=m0,size=1G \
		-object memory-backend-ram,id=m1,size=1G \
		-numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,memdev=m1 \
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
		-kernel "$1" \
		-append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro init=$top/scripts/bench-init.sh panic=-1 pm_bench=$out/anon_fault_bench pm_runs=3" \
		-nographic -no-reboot < /dev/null 2>&1 | tr -d '\r' |
		sed -n 's/^\[bench\] anon_fault_ns_per_page //p'
}

: > "$out/patched.txt"
: > "$out/base.txt"
for r in $(seq "$rounds"); do
	boot "$patched" | tee -a "$out/patched.txt" | sed "s/^/round $r patched: /"
	boot "$base/arch/x86/boot/bzImage" | tee -a "$out/base.txt" | sed "s/^/round $r base:    /"
done

python3 - "$out/patched.txt" "$out/base.txt" <<'PY'
import statistics, sys
p = [float(x) for x in open(sys.argv[1]) if x.strip()]
b = [float(x) for x in open(sys.argv[2]) if x.strip()]
if not p or not b:
    sys.exit("bench-gate: no results")
mp, mb = statistics.median(p), statistics.median(b)
print(f"patched median {mp:.1f} ns/fault ({len(p)} runs), "
      f"unpatched median {mb:.1f} ns/fault ({len(b)} runs), "
      f"ratio {mp / mb:.4f} ({(mp / mb - 1) * 100:+.2f}%)")
PY
