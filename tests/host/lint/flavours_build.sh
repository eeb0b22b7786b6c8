#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module builds warning-free (W=1, -Werror) against the headers of each
# test kernel series (6.1 and 6.12, scripts/lib.sh VTXHV_TEST_SERIES) in
# each Debian flavour: generic amd64, cloud-amd64 and rt-amd64
# (PREEMPT_RT), each in a temporary copy so the main build stays as it is.
# A series or flavour whose headers are not installed is skipped
# (scripts/setup installs all six).
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

n=0
for series in $VTXHV_TEST_SERIES; do
	n=$((n + 3))
done
plan $n
skipped=0
for series in $VTXHV_TEST_SERIES; do
	for flavour in amd64 cloud-amd64 rt-amd64; do
		v=$(installed_headers "$series" "$flavour")
		if [ -z "$v" ]; then
			skip_one "$series $flavour" \
				"no $series linux-headers-*-$flavour installed (scripts/setup)"
			skipped=$((skipped + 1))
			continue
		fi
		src=$tmp/$v
		copy_module_source "$top" "$src" || exit 1
		make -j2 -C "/usr/src/linux-headers-$v" M="$src" W=1 \
			KCFLAGS=-Werror modules > "$tmp/$v.log" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && [ -f "$src/kmod/vtxhv.ko" ]; then
			ok "$series $flavour ($v)"
		else
			# The first diagnostics and the lines of ours they
			# point at, with the copy's paths made relative.
			sed "s|$src/||" "$tmp/$v.log" |
				grep -E '(error|warning):|^(kmod|uapi)/' |
				head -n 20 | sed 's/^/# /'
			not_ok "$series $flavour ($v)"
		fi
		rm -rf "$src"
	done
done
[ $skipped -lt $n ] || exit "$KSFT_SKIP"
finish
