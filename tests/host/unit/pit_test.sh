#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the 8254 and port 0x61 of 'vtxctl run' (userspace/pit.c):
# build pit_test.c with the model into a temporary directory and run it.
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! cc -O2 -Wall -Wextra -Werror -I"$top/userspace" -I"$top/uapi" \
	-o "$tmp/pit_test" "$top/tests/host/unit/pit_test.c" \
	"$top/userspace/pit.c"; then
	printf 'TAP version 13\n1..1\nnot ok 1 build\n'
	exit 1
fi
"$tmp/pit_test"
