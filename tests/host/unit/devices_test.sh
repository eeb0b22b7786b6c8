#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the devices of 'vtxctl run' (userspace/devices.c):
# build devices_test.c with the device models into a temporary directory
# and run it.
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! cc -O2 -Wall -Wextra -Werror -I"$top/userspace" -I"$top/uapi" \
	-o "$tmp/devices_test" "$top/tests/host/unit/devices_test.c" \
	"$top/userspace/devices.c" "$top/userspace/pic.c" \
	"$top/userspace/pit.c" "$top/userspace/rtc.c"; then
	printf 'TAP version 13\n1..1\nnot ok 1 build\n'
	exit 1
fi
"$tmp/devices_test"
