#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libvtxhv's shared library: its soname is libvtxhv.so.0; it exports
# exactly the functions lib/libvtxhv.h declares, at version VTXHV_1
# (lib/libvtxhv.map), and nothing of the vtxctl code it is built from;
# the header compiles alone as C and as C++.
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
so=$top/lib/libvtxhv.so.0.1.0
[ -f "$so" ] || skip_all "lib/libvtxhv.so.0.1.0 is not built: run 'make lib'"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

plan 4
soname_ok() {
	objdump -p "$so" | grep -q 'SONAME *libvtxhv.so.0$'
}
check soname soname_ok
grep -o 'vtxhv_[a-z0-9_]*(' "$top/lib/libvtxhv.h" | tr -d '(' | sort -u \
	> "$tmp/declared"
nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$tmp/exported"
exports_ok() {
	cmp -s "$tmp/declared" "$tmp/exported" && return 0
	diag "declared in libvtxhv.h (<) against exported (>):"
	diff "$tmp/declared" "$tmp/exported" | grep '^[<>]' | sed 's/^/# /'
	return 1
}
versioned_ok() {
	[ "$(nm -D --defined-only "$so" | grep -c '@@VTXHV_1$')" -eq \
	  "$(wc -l < "$tmp/declared")" ]
}
header_ok() {
	printf '#include "libvtxhv.h"\nint main(void) { return 0; }\n' \
		> "$tmp/h.c" &&
	cc -Wall -Wextra -Werror -I"$top/lib" -I"$top/uapi" -c -o "$tmp/h.o" \
		"$tmp/h.c" &&
	{ ! command -v c++ >/dev/null ||
	  c++ -Wall -Wextra -Werror -x c++ -I"$top/lib" -I"$top/uapi" -c \
		-o "$tmp/hpp.o" "$tmp/h.c"; }
}
check exports_only_the_header exports_ok
check symbols_versioned versioned_ok
check header_stands_alone header_ok
finish
