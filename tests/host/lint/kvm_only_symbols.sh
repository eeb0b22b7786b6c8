#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module imports no symbol that Linux exports only to KVM's own modules
# (kvm-only-exports.txt here, a copy of the list kept with the project's
# shared notes): from 6.19 a module that does cannot load.  'nm -u' on every
# built vtxhv.ko (kmod/vtxhv.ko and build/kmod/*/vtxhv.ko), one TAP line per
# module, naming the symbols found.
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
list=$top/tests/host/lint/kvm-only-exports.txt
command -v nm >/dev/null || skip_all "nm is missing: run scripts/setup (package binutils)"
[ -f "$list" ] || skip_all "$list is missing"
kos=
for ko in "$top"/build/kmod/*/vtxhv.ko "$top"/kmod/vtxhv.ko; do
	[ -f "$ko" ] || continue
	# kmod/vtxhv.ko is usually also build/kmod/KVER/vtxhv.ko: once.
	for k in $kos; do cmp -s "$k" "$ko" && continue 2; done
	kos="$kos $ko"
done
[ -n "$kos" ] || skip_all "no vtxhv.ko built: run 'make module'"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$list" | sort -u > "$tmp/kvm-only"

plan "$(echo "$kos" | wc -w)"
for ko in $kos; do
	kver=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	nm -u "$ko" | awk '{ print $NF }' | sort -u > "$tmp/undef"
	found=$(comm -12 "$tmp/undef" "$tmp/kvm-only" | tr '\n' ' ')
	name="${ko#"$top"/} (${kver:-?})"
	if [ -n "$found" ]; then
		diag "$name imports KVM-only symbols: $found"
		not_ok "$name"
	else
		ok "$name"
	fi
done
finish
