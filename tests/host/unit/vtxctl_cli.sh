#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxctl's command line on a machine without vtxhv: help texts, usage
# errors, and the message telling the user to load the module.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
vtxctl=$top/userspace/vtxctl

plan 12
check help_lists_commands sh -c "'$vtxctl' --help | grep -q '^  info '"
check info_help sh -c "'$vtxctl' info --help | grep -q '^usage: vtxctl info'"
check unknown_command_is_usage_error sh -c \
	"'$vtxctl' frobnicate 2>/dev/null; [ \$? -eq 64 ]"
check no_command_is_usage_error sh -c "'$vtxctl' 2>/dev/null; [ \$? -eq 64 ]"
if [ -e /dev/vtxhv ] || [ -d /sys/module/vtxhv ]; then
	skip_one info_without_module "vtxhv is loaded here"
else
	check info_without_module sh -c \
		"'$vtxctl' info 2>&1 | grep -q 'the vtxhv module is not loaded'; [ \$? -eq 0 ] && { '$vtxctl' info 2>/dev/null; [ \$? -eq 69 ]; }"
fi

# Bad Linux images and initrds: refused with a message and status 65
# before the module is needed.  The bzImage is the one tests/Makefile
# copies for linux_boot.sh.
bz=$top/build/tests/linux/bzImage
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# fails STATUS PATTERN ARGS...: 'vtxctl run ARGS' exits STATUS saying
# PATTERN.
fails() {
	local status=$1 pat=$2
	shift 2
	"$vtxctl" run "$@" >/dev/null 2>"$tmp/err"
	[ $? -eq "$status" ] && grep -q -- "$pat" "$tmp/err" && return 0
	sed 's/^/# /' "$tmp/err"
	return 1
}
# refused PATTERN ARGS...: refused with 65 (the image or the initrd);
# usage_error PATTERN ARGS...: with 64 (the command line).
refused() { fails 65 "$@"; }
usage_error() { fails 64 "$@"; }
printf '\364' >"$tmp/flat"
check ap_wakeup_bad_value usage_error "use sipi or mailbox" \
	--ap-wakeup init "$tmp/flat"
check ap_wakeup_mailbox_needs_bzimage usage_error "only a bzImage" \
	--ap-wakeup mailbox --cpus 2 "$tmp/flat"
if [ -f "$bz" ]; then
	check ap_wakeup_mailbox_needs_irqchip usage_error "irqchip" \
		--ap-wakeup mailbox --no-irqchip --cpus 2 "$bz"
	head -c 600 "$bz" >"$tmp/trunc"
	cp "$bz" "$tmp/old"
	printf '\001\000' | dd of="$tmp/old" bs=1 seek=518 conv=notrunc 2>/dev/null
	check bzimage_too_little_memory refused "give at least" --mem 16M "$bz"
	check bzimage_missing_initrd refused "cannot read the initrd" \
		--initrd "$tmp/none" "$bz"
	check bzimage_truncated refused "truncated bzImage" "$tmp/trunc"
	check bzimage_bad_protocol refused "boot protocol" "$tmp/old"
else
	skip_one ap_wakeup_mailbox_needs_irqchip "no bzImage (make -C tests)"
	for c in too_little_memory missing_initrd truncated bad_protocol; do
		skip_one "bzimage_$c" "no bzImage (make -C tests)"
	done
fi
finish
