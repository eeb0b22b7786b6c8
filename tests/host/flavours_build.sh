#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module builds warning-free (W=1, -Werror) against the headers of each
# Debian 12 kernel flavour: generic amd64, cloud-amd64 and rt-amd64
# (PREEMPT_RT), each in a temporary copy so the main build stays as it is.
# A flavour whose headers are not installed is skipped (scripts/setup
# installs all three).
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# newest_headers FLAVOUR: the newest /usr/src/linux-headers-ABI-FLAVOUR with
# a Makefile; "amd64" is the generic flavour only.
newest_headers() {
	for d in /usr/src/linux-headers-*-"$1"; do
		[ -f "$d/Makefile" ] || continue
		echo "${d#/usr/src/linux-headers-}"
	done | grep -E -x "[0-9.]+-[0-9]+-$1" | sort -V | tail -n 1
}

plan 3
skipped=0
for flavour in amd64 cloud-amd64 rt-amd64; do
	v=$(newest_headers "$flavour")
	if [ -z "$v" ]; then
		t_nr=$((t_nr + 1)) t_skip=$((t_skip + 1)) skipped=$((skipped + 1))
		echo "ok $t_nr $flavour # SKIP no linux-headers-*-$flavour installed (apt-get install linux-headers-$flavour)"
		continue
	fi
	src=$tmp/$flavour
	copy_module_source "$top" "$src" || exit 1
	make -j2 -C "/usr/src/linux-headers-$v" M="$src" W=1 KCFLAGS=-Werror \
		modules > "$tmp/$flavour.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ -f "$src/kmod/vtxhv.ko" ]; then
		ok "$flavour ($v)"
	else
		# The first diagnostics and the lines of ours they point at,
		# with the copy's paths made relative.
		sed "s|$src/||" "$tmp/$flavour.log" |
			grep -E '(error|warning):|^(kmod|uapi)/' |
			head -n 20 | sed 's/^/# /'
		not_ok "$flavour ($v)"
	fi
	rm -rf "$src"
done
[ $skipped -lt 3 ] || exit "$KSFT_SKIP"
finish
