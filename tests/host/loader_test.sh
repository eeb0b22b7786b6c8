#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the guest image loaders (userspace/loader.c): build
# loader_test.c with the loader into a temporary directory and run it.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! cc -O2 -Wall -Wextra -Werror -I"$top/userspace" -I"$top/uapi" \
	-o "$tmp/loader_test" "$top/tests/host/loader_test.c" \
	"$top/userspace/loader.c" "$top/userspace/x86.c"; then
	printf 'TAP version 13\n1..1\nnot ok 1 build\n'
	exit 1
fi
"$tmp/loader_test"
