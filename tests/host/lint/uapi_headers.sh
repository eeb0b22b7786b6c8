#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every uapi header compiles on its own, as C and as C++, with nothing but
# the kernel's uapi headers, and its structures have no hidden padding.
top=$(cd "$(dirname "$0")/../../.." && pwd)
n=0 fail=0
headers=$(ls "$top"/uapi/*.h)
echo "TAP version 13"
echo "1..$(echo "$headers" | wc -w)"
tmp=$(mktemp -d)
for h in $headers; do
	n=$((n + 1))
	name=$(basename "$h")
	printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' \
		"$h" "$h" > "$tmp/t.c"
	if cc -std=c99 -Wall -Wextra -Werror -Wpadded -c "$tmp/t.c" \
		-o "$tmp/t.o" 2> "$tmp/err" &&
	   c++ -x c++ -Wall -Wextra -Werror -c "$tmp/t.c" -o "$tmp/t.o" \
		2>> "$tmp/err"; then
		echo "ok $n $name"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok $n $name"
		fail=1
	fi
done
rm -rf "$tmp"
exit $fail
