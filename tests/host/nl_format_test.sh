#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for vtxctl's telemetry (userspace/nl.c, nl_format.c):
# build nl_format_test.c with them and libnl into a temporary directory
# and run it, with the built vtxctl for the command-line cases.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046 # pkg-config's flags are words
if ! cc -O2 -Wall -Wextra -Werror -I"$top/userspace" -I"$top/uapi" \
	$(pkg-config --cflags libnl-genl-3.0) \
	-o "$tmp/nl_format_test" "$top/tests/host/nl_format_test.c" \
	"$top/userspace/nl.c" "$top/userspace/nl_format.c" \
	"$top/userspace/x86.c" \
	$(pkg-config --libs libnl-genl-3.0); then
	printf 'TAP version 13\n1..1\nnot ok 1 build\n'
	exit 1
fi
"$tmp/nl_format_test" "$top/userspace/vtxctl"
