#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit test of the MMIO instruction decoder: builds decode_test.c with
# the module's own kmod/insn_decode.c and runs it (TAP output).
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! ${CC:-cc} -O2 -Wall -Wextra -Werror -I"$top/kmod" \
	-o "$tmp/decode_test" "$top/tests/host/unit/decode_test.c" \
	"$top/kmod/insn_decode.c" 2> "$tmp/err"; then
	echo "TAP version 13"
	echo "1..1"
	sed 's/^/# /' "$tmp/err"
	echo "not ok 1 build_decode_test"
	exit 1
fi
"$tmp/decode_test"
