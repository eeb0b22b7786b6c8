#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build_run.sh NAME SOURCE...: the build rule of the host unit tests of
# userspace/.  Builds tests/host/NAME.c with the SOURCEs (paths from the
# top of the tree) against userspace/ and uapi/ into a temporary
# directory, runs it and passes its TAP output and exit status on.  A
# build that fails is one failed case, with the compiler's messages.
top=$(cd "$(dirname "$0")/../.." && pwd)
name=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$top" && ${CC:-cc} -O2 -Wall -Wextra -Werror -Iuserspace -Iuapi \
	-o "$tmp/$name" "tests/host/$name.c" "$@") 2> "$tmp/err"; then
	echo "TAP version 13"
	echo "1..1"
	sed 's/^/# /' "$tmp/err"
	echo "not ok 1 build_$name"
	exit 1
fi
"$tmp/$name"
