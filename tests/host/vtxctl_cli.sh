#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxctl's command line on a machine without vtxhv: help texts, usage
# errors, and the message telling the user to load the module.
top=$(cd "$(dirname "$0")/../.." && pwd)
vtxctl=$top/userspace/vtxctl
n=0 fail=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; fail=1; fi
}
echo "TAP version 13"
echo "1..5"
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
exit $fail
