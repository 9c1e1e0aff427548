#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# upstream-build.sh KSRC OUT
#
# Builds the kernel tree's own selftests for make check-upstream:
# tools/testing/selftests/{mm,memfd,memory-hotplug}, installed (with
# run_vmtests.sh, the kselftest runner and the helper scripts) into
# OUT/kselftest.
#
# KSRC is a configured and built tree (make kernel's), shared with other
# builds: nothing is written into it. The sources the selftests need
# (tools/, the uapi headers and the bits of the top-level build that
# 'make headers' uses) are copied into OUT/src, without any build output, and
# 'make headers' and the selftests are built there. An rsync of an unchanged
# tree copies nothing, so a second run only rebuilds what changed.
#
# Without gcc-multilib the 32-bit protection_keys/pkey_sighandler_tests are
# not built (the selftests' Makefile decides this itself).
set -euo pipefail
ksrc=${1:?usage: upstream-build.sh KSRC OUT}
out=${2:?usage: upstream-build.sh KSRC OUT}
jobs=${JOBS:-$(nproc)}
targets="mm memfd memory-hotplug"

[ -f "$ksrc/Makefile" ] || { echo "upstream-build: no kernel tree at $ksrc" >&2; exit 1; }
mkdir -p "$out/src"

# Sources only: every build product of the shared tree is left out, so the
# copy is a clean tree in which 'make headers' runs in place.
echo "  COPY    $ksrc -> $out/src (tools, include, arch/x86, scripts, usr, 2 headers)"
rsync -a --delete --delete-excluded \
	--exclude='*.o' --exclude='*.a' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.so' --exclude='*.d' \
	--exclude='/include/generated/' --exclude='/include/config/' \
	--exclude='/arch/x86/include/generated/' --exclude='/usr/include/' \
	--exclude='/tools/testing/selftests/mm/local_config.*' \
	--include='/Makefile' --include='/Kbuild' --include='/Kconfig' \
	--include='/tools/***' --include='/include/***' --include='/scripts/***' \
	--include='/usr/***' --include='/arch/' --include='/arch/Kconfig' \
	--include='/arch/x86/***' --include='/mm/' --include='/mm/gup_test.h' \
	--include='/lib/' --include='/lib/test_hmm_uapi.h' --exclude='*' \
	"$ksrc/" "$out/src/"

echo "  HEADERS $out/src/usr/include"
make -s -C "$out/src" headers > "$out/headers.log" 2>&1 ||
	{ cat "$out/headers.log" >&2; echo "upstream-build: make headers failed" >&2; exit 1; }

# O= keeps the objects out of the copy (rsync --delete would remove them);
# the uapi headers are the copy's, not O='s (KHDR_INCLUDES). -k: one
# program that does not build (a missing library) must not hide the
# others; the guest reports every program that is missing.
echo "  SELFTEST $targets"
kst=(make -C "$out/src/tools/testing/selftests" TARGETS="$targets" O="$out/obj"
	KHDR_INCLUDES="-isystem $out/src/usr/include")
rc=0
# Debian's 6.12 khugepaged.c returns KSFT_SKIP (a stable backport) without
# including kselftest.h, which defines it: build that one program first
# with the header forced in, so 'all' finds it made.
sel=$out/src/tools/testing/selftests
mkdir -p "$out/obj/kselftest/mm"
make -C "$sel/mm" OUTPUT="$out/obj/kselftest/mm" KHDR_INCLUDES="-isystem $out/src/usr/include" \
	EXTRA_CFLAGS="-include $sel/kselftest.h" "$out/obj/kselftest/mm/khugepaged" \
	> "$out/build.log" 2>&1 || rc=$?
"${kst[@]}" -j"$jobs" -k all >> "$out/build.log" 2>&1 || rc=$?
rm -rf "$out/kselftest"
"${kst[@]}" KSFT_INSTALL_PATH="$out/kselftest" install >> "$out/build.log" 2>&1 || rc=$?
grep -E 'Warning: |error:|Error [0-9]' "$out/build.log" | sort -u | head -40 || true
if [ "$rc" != 0 ]; then
	echo "upstream-build: the selftest build reported errors (see $out/build.log);" \
		"the programs that built are installed" >&2
fi
n=$(find "$out/kselftest" -type f -perm -u+x | wc -l)
echo "  SELFTEST $n programs and scripts in $out/kselftest"
[ -x "$out/kselftest/mm/run_vmtests.sh" ] ||
	{ echo "upstream-build: run_vmtests.sh was not installed" >&2; exit 1; }
