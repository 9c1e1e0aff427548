#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-tree.sh [--vanilla] TREE FRAGMENT...
#
# Bring the kernel tree TREE up to date with this project:
#   1. extract /usr/src/linux-source-6.12.tar.xz if TREE is missing or came
#      from another package version;
#   2. copy our mm/ and include/ files in (only files whose content changed
#      get a new mtime, so kbuild rebuilds exactly what changed);
#   3. bring the applied patch series in line with patches/series: if the
#      series or any patch changed, the previously applied series is reversed
#      and the new one applied, every patch dry-run first;
#   4. configure from `make allnoconfig` plus the fragments, with Debian's
#      value of every mm option (scripts/host/config-vs-debian fragment) merged
#      right after the first fragment; verify that every option the
#      fragments ask for (the last word on each symbol wins) is in the
#      resulting .config, and that the mm options equal Debian's but for
#      configs/debian-mm.allow (scripts/host/config-vs-debian diff).
#
# It is run before every kernel build, so a stale tree is never built.
#
# --vanilla prepares the unpatched baseline instead: no patches, no overlay,
# and the fragment without the options our patches add (CONFIG_PRIVATE_NODE),
# with LOCALVERSION "-vanilla" so the two kernels are never confused.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
vanilla=0
if [ "${1:-}" = --vanilla ]; then
	vanilla=1
	shift
fi
tree=${1:?usage: prepare-tree.sh TREE FRAGMENT...}
shift
mkdir -p "$(dirname "$tree")"
tree=$(cd "$(dirname "$tree")" && pwd)/$(basename "$tree")
[ $# -ge 1 ] || { echo "prepare-tree: no config fragment given" >&2; exit 2; }
frags=()
for f in "$@"; do frags+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done

pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz
state=$tree/.privmem

die() { echo "prepare-tree: $*" >&2; exit 1; }
say() { echo "  PREP    $*"; }

[ -r "$tarball" ] || die "$tarball not found: run 'make deps'"
pkgver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || die "$pkg is not installed: run 'make deps'"
echo "  KSRC    $pkg $pkgver ($tarball)"

extract() {
	local tmp
	say "extracting $tarball"
	rm -rf "$tree"
	tmp=$(mktemp -d "$(dirname "$tree")/.extract.XXXXXX")
	tar -C "$tmp" -xf "$tarball"
	mv "$tmp/$pkg" "$tree"
	rmdir "$tmp"
	mkdir -p "$state/applied"
	: > "$state/applied/series"
	: > "$state/overlay.list"
	echo "$pkgver" > "$state/source-version"
}

mkdir -p "$(dirname "$tree")"
if [ "$(cat "$state/source-version" 2>/dev/null)" != "$pkgver" ]; then
	extract
fi

# --- 1. patches -------------------------------------------------------------
series=$top/patches/series
want=$(mktemp -d)
trap 'rm -rf "$want"' EXIT
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$series" > "$want/series" || true
[ $vanilla = 0 ] || : > "$want/series"
while read -r p; do
	[ -f "$top/patches/$p" ] || die "patches/series names $p, which does not exist"
	cp "$top/patches/$p" "$want/$p"
done < "$want/series"

if ! diff -qr "$state/applied" "$want" > /dev/null 2>&1; then
	say "patch series changed: reversing the applied series"
	reversed=ok
	while read -r p; do
		if ! (cd "$tree" && patch -p1 -R -s -f --dry-run < "$state/applied/$p" > /dev/null); then
			reversed=failed
			break
		fi
		(cd "$tree" && patch -p1 -R -s -f --no-backup-if-mismatch < "$state/applied/$p")
		sed -i "\|^$p\$|d" "$state/applied/series"
		rm -f "$state/applied/$p"
	done < <(tac "$state/applied/series")
	if [ "$reversed" != ok ]; then
		say "tree does not reverse cleanly; starting from a fresh extraction"
		extract
	fi
	while read -r p; do
		say "applying $p"
		(cd "$tree" && patch -p1 -s -f --dry-run < "$want/$p" > /dev/null) ||
			die "patches/$p does not apply to $pkg $pkgver"
		(cd "$tree" && patch -p1 -s -f --no-backup-if-mismatch < "$want/$p")
		cp "$want/$p" "$state/applied/$p"
		echo "$p" >> "$state/applied/series"
	done < "$want/series"
	cmp -s "$state/applied/series" "$want/series" || die "applied series is inconsistent"
fi

# --- 2. overlay of our own kernel files -------------------------------------
if [ $vanilla = 0 ]; then
	(cd "$top" && find mm include -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort) > "$want/overlay.list"
else
	: > "$want/overlay.list"
fi
while read -r f; do
	if [ -e "$tree/$f" ] && ! grep -qxF "$f" "$state/overlay.list"; then
		die "$f would overwrite a file of the kernel tree; change it with a patch"
	fi
	if ! cmp -s "$top/$f" "$tree/$f"; then
		say "overlay $f"
		mkdir -p "$(dirname "$tree/$f")"
		cp "$top/$f" "$tree/$f"
	fi
done < "$want/overlay.list"
while read -r f; do
	if ! grep -qxF "$f" "$want/overlay.list"; then
		say "remove stale overlay $f"
		rm -f "$tree/$f"
	fi
done < "$state/overlay.list"
cp "$want/overlay.list" "$state/overlay.list"

# --- 3. configuration -------------------------------------------------------
# Debian's mm options come after our base fragment and before the others,
# so a later fragment (the tests', the debug kernel's) can still add to them.
debian_cfg=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
[ -r "$debian_cfg" ] || die "$debian_cfg not found: run 'make deps'"
"$top/scripts/host/config-vs-debian" fragment "$tree" > "$want/debian-mm.config"
merged=("${frags[0]}" "$want/debian-mm.config" "${frags[@]:1}")
# The config depends on the fragments and on the Kconfig files the patches
# touch, so key it on both.
cfgkey=$( (echo "vanilla=$vanilla"; cat "${merged[@]}" "$want/series" "$top/configs/debian-mm.allow";
	find "$want" -name '*.patch' | LC_ALL=C sort | xargs -r cat) | sha256sum | cut -d' ' -f1)
if [ ! -f "$tree/.config" ] || [ "$(cat "$state/config-key" 2>/dev/null)" != "$cfgkey" ]; then
	say "configuring: allnoconfig + ${frags[0]##*/} + Debian's mm options${frags[1]:+ + }$(for f in "${frags[@]:1}"; do printf '%s ' "${f##*/}"; done)"
	if [ $vanilla = 0 ]; then
		cat "${merged[@]}" > "$state/allconfig"
	else
		cat "${merged[@]}" | grep -v -e 'CONFIG_PRIVATE_NODE' > "$state/allconfig"
		echo 'CONFIG_LOCALVERSION="-vanilla"' >> "$state/allconfig"
	fi
	make -s -C "$tree" KCONFIG_ALLCONFIG="$state/allconfig" allnoconfig > "$state/config.log" 2>&1 ||
		{ cat "$state/config.log" >&2; die "kernel configuration failed"; }
	# Our own requests, the last word on each symbol winning; the Debian
	# lines are checked by config-vs-debian below.
	awk 'FNR == 1 { gen = (FILENAME ~ /debian-mm\.config$/) }
	     /^CONFIG_[A-Za-z0-9_]+=/ { s = $0; sub(/=.*/, "", s) }
	     /^# CONFIG_[A-Za-z0-9_]+ is not set/ { s = $2 }
	     s != "" { last[s] = gen ? "" : $0; if (!(s in seen)) { seen[s] = 1; order[n++] = s } s = "" }
	     END { for (i = 0; i < n; i++) if (last[order[i]] != "") print last[order[i]] }' \
		"${merged[@]}" | { [ $vanilla = 0 ] && cat || grep -v CONFIG_PRIVATE_NODE; } > "$state/requested"
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$tree/.config" && continue
			echo "prepare-tree: requested '$line' but .config has:" \
				"$(grep -E "^(# )?${line%%=*}[= ]" "$tree/.config" || echo 'nothing')" >&2
			missing=1
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$tree/.config" || continue
			echo "prepare-tree: requested $sym off but .config has it on" >&2
			missing=1
			;;
		esac
	done < "$state/requested"
	[ $missing = 0 ] || { rm -f "$tree/.config"; die "config fragment not satisfied (missing dependencies?)"; }
	if ! "$top/scripts/host/config-vs-debian" diff "$tree" > "$state/config-vs-debian.txt"; then
		grep -v '^allowed' "$state/config-vs-debian.txt" >&2
		rm -f "$tree/.config"
		die "the mm configuration differs from Debian's (configs/debian-mm.allow lists the allowed differences)"
	fi
	say "$(tail -1 "$state/config-vs-debian.txt")"
	echo "$cfgkey" > "$state/config-key"
fi
