#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the 8259A pair of 'vtxctl run' (userspace/pic.c):
# build pic_test.c with the model into a temporary directory and run it.
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! cc -O2 -Wall -Wextra -Werror -I"$top/userspace" -I"$top/uapi" \
	-o "$tmp/pic_test" "$top/tests/host/unit/pic_test.c" \
	"$top/userspace/pic.c"; then
	printf 'TAP version 13\n1..1\nnot ok 1 build\n'
	exit 1
fi
"$tmp/pic_test"
