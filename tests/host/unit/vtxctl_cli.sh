#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxctl's command line on a machine without vtxhv: help texts, usage
# errors, and the message telling the user to load the module.
top=$(cd "$(dirname "$0")/../../.." && pwd)
vtxctl=$top/userspace/vtxctl
n=0 fail=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; fail=1; fi
}
echo "TAP version 13"
echo "1..9"
name=help_lists_commands t sh -c "'$vtxctl' --help | grep -q '^  info '"
name=info_help t sh -c "'$vtxctl' info --help | grep -q '^usage: vtxctl info'"
name=unknown_command_is_usage_error t sh -c \
	"'$vtxctl' frobnicate 2>/dev/null; [ \$? -eq 64 ]"
name=no_command_is_usage_error t sh -c "'$vtxctl' 2>/dev/null; [ \$? -eq 64 ]"
if [ -e /dev/vtxhv ] || [ -d /sys/module/vtxhv ]; then
	n=$((n + 1))
	echo "ok $n info_without_module # SKIP vtxhv is loaded here"
else
	name=info_without_module t sh -c \
		"'$vtxctl' info 2>&1 | grep -q 'the vtxhv module is not loaded'; [ \$? -eq 0 ] && { '$vtxctl' info 2>/dev/null; [ \$? -eq 69 ]; }"
fi

# Bad Linux images and initrds: refused with a message and status 65
# before the module is needed.  The bzImage is the one tests/Makefile
# copies for linux_boot.sh.
bz=$top/build/tests/linux/bzImage
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# refused NAME PATTERN ARGS...: 'vtxctl run ARGS' exits 65 saying PATTERN.
refused() {
	local pat=$1
	shift
	"$vtxctl" run "$@" >/dev/null 2>"$tmp/err"
	[ $? -eq 65 ] && grep -q -- "$pat" "$tmp/err" && return 0
	sed 's/^/# /' "$tmp/err"
	return 1
}
if [ -f "$bz" ]; then
	head -c 600 "$bz" >"$tmp/trunc"
	cp "$bz" "$tmp/old"
	printf '\001\000' | dd of="$tmp/old" bs=1 seek=518 conv=notrunc 2>/dev/null
	name=bzimage_too_little_memory t refused "give at least" --mem 16M "$bz"
	name=bzimage_missing_initrd t refused "cannot read the initrd" \
		--initrd "$tmp/none" "$bz"
	name=bzimage_truncated t refused "truncated bzImage" "$tmp/trunc"
	name=bzimage_bad_protocol t refused "boot protocol" "$tmp/old"
else
	for c in too_little_memory missing_initrd truncated bad_protocol; do
		n=$((n + 1))
		echo "ok $n bzimage_$c # SKIP no bzImage (make -C tests)"
	done
fi
exit $fail
