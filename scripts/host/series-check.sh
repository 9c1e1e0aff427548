#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# series-check.sh SERIESDIR TREE CONFIG [CCACHE]
#
# Apply the series `make series` wrote (SERIESDIR/0001-*.patch ...) with
# `git am` to a pristine linux-source-6.12 tree (TREE, a git repository made
# from the Debian tarball once and reset to its first commit on every run)
# and build vmlinux after every patch with the guest kernel's .config
# (CONFIG, re-applied with olddefconfig after each patch: patch 1 adds
# CONFIG_PRIVATE_NODE). Objects go to TREE.out (O=), so the source tree
# stays clean for git am and the next run is incremental (ccache makes it
# cheap). scripts/checkpatch.pl --strict runs on every patch.
#
# SERIES_CHECK_FROM=N applies patches 1..N-1 without building them (to
# resume after fixing patch N); a full check builds every prefix.
#
# One line per patch; stops at the first patch that does not apply, does
# not build or adds a checkpatch error. Exit 0 only if every prefix built.
set -euo pipefail

series=$(cd "${1:?usage: series-check.sh SERIESDIR TREE CONFIG [CCACHE]}" && pwd)
tree=${2:?tree}
mkdir -p "$(dirname "$tree")"
tree=$(cd "$(dirname "$tree")" && pwd)/$(basename "$tree")
# git -C "$tree" must never find the repository above it (this checkout).
export GIT_CEILING_DIRECTORIES=$(dirname "$tree")
config=$(cd "$(dirname "${3:?config}")" && pwd)/$(basename "$3")
ccache=${4:-}
pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz
out=$tree.out
jobs=$(nproc)

die() { echo "series-check: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "$tarball not found: run 'make deps'"
[ -f "$config" ] || die "no kernel config at $config: run 'make kernel' first"
ls "$series"/0001-*.patch > /dev/null 2>&1 || die "no series in $series: run 'make series'"
pkgver=$(dpkg-query -W -f='${Version}' $pkg)

export GIT_AUTHOR_NAME=series-check GIT_AUTHOR_EMAIL=series-check@localhost
export GIT_COMMITTER_NAME=series-check GIT_COMMITTER_EMAIL=series-check@localhost
if [ "$(git -C "$tree" log -1 --format=%s base 2>/dev/null)" != "$pkg $pkgver" ]; then
	echo "  TREE    extracting $tarball into $tree (once)"
	rm -rf "$tree" "$out"
	mkdir -p "$(dirname "$tree")"
	tmp=$(mktemp -d "$(dirname "$tree")/.extract.XXXXXX")
	tar -C "$tmp" -xf "$tarball"
	mv "$tmp/$pkg" "$tree"
	rmdir "$tmp"
	git -C "$tree" init -q
	git -C "$tree" add -A -f	# Debian's tarball ignores everything (.gitignore: /*)
	git -C "$tree" commit -q -m "$pkg $pkgver"
	git -C "$tree" tag base
fi
git -C "$tree" am --abort > /dev/null 2>&1 || true
git -C "$tree" checkout -q --detach base
git -C "$tree" reset -q --hard base
git -C "$tree" clean -q -fdx
mkdir -p "$out"

kmake() {
	make -C "$tree" O="$out" -j"$jobs" ${ccache:+CC="$ccache gcc"} \
		KBUILD_BUILD_TIMESTAMP=privmem KBUILD_BUILD_USER=privmem \
		KBUILD_BUILD_HOST=privmem "$@"
}

patches=("$series"/[0-9][0-9][0-9][0-9]-*.patch)
total=$((${#patches[@]} - 1))	# without the cover letter
n=0
start=$SECONDS
for p in "${patches[@]}"; do
	case $(basename "$p") in 0000-*) continue ;; esac
	n=$((n + 1))
	# the Subject: header, unfolded
	subject=$(awk '/^Subject: /{s=$0; getline; while ($0 ~ /^ /) {s = s $0; getline}; print s; exit}' "$p" |
		sed 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //')
	t0=$SECONDS
	if ! git -C "$tree" am -q "$p" > "$out/am.log" 2>&1; then
		echo "FAIL [$n/$total] $subject: git am failed"
		cat "$out/am.log"
		exit 1
	fi
	if [ "$n" -lt "${SERIES_CHECK_FROM:-1}" ]; then
		echo "skip [$n/$total] $subject (applied, not built: SERIES_CHECK_FROM=${SERIES_CHECK_FROM})"
		continue
	fi
	cp "$config" "$out/.config"
	if ! kmake olddefconfig > "$out/build.log" 2>&1 ||
	   ! kmake vmlinux >> "$out/build.log" 2>&1; then
		echo "FAIL [$n/$total] $subject: does not build"
		grep -E 'error|Error' "$out/build.log" | head -20
		exit 1
	fi
	grep -q '^CONFIG_PRIVATE_NODE=y' "$out/.config" ||
		die "CONFIG_PRIVATE_NODE is not set after patch $n"
	cp=$("$tree/scripts/checkpatch.pl" --strict --no-tree -q "$p" 2>&1 || true)
	errors=$(grep -c '^ERROR:' <<< "$cp" || true)
	warnings=$(grep -c '^WARNING:' <<< "$cp" || true)
	checks=$(grep -c '^CHECK:' <<< "$cp" || true)
	if [ "$errors" != 0 ]; then
		echo "FAIL [$n/$total] $subject: checkpatch: $errors errors"
		grep -A4 '^ERROR:' <<< "$cp"
		exit 1
	fi
	printf 'ok   [%d/%d] %s (built in %ds; checkpatch: 0 errors, %d warnings, %d checks)\n' \
		"$n" "$total" "$subject" $((SECONDS - t0)) "$warnings" "$checks"
done
echo "series-check: all $total patches apply to $pkg $pkgver with git am and every prefix builds ($((SECONDS - start)) s)"
