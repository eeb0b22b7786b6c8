#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every uapi header compiles on its own, as C and as C++, with nothing but
# the kernel's uapi headers, and its structures have no hidden padding.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
headers=$(ls "$top"/uapi/*.h)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# compiles HEADER: HEADER, included twice, builds as C and as C++.
compiles() {
	printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' \
		"$1" "$1" > "$tmp/t.c"
	cc -std=c99 -Wall -Wextra -Werror -Wpadded -c "$tmp/t.c" \
		-o "$tmp/t.o" 2> "$tmp/err" &&
	c++ -x c++ -Wall -Wextra -Werror -c "$tmp/t.c" -o "$tmp/t.o" \
		2>> "$tmp/err" && return 0
	sed 's/^/# /' "$tmp/err"
	return 1
}

plan "$(echo "$headers" | wc -w)"
for h in $headers; do
	check "$(basename "$h")" compiles "$h"
done
finish
