#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module builds through DKMS as a user would build it: a copy of the
# source tree as /usr/src/vtxhv-VERSION, 'dkms add', 'dkms build -k KVER'
# for the kernel the Makefile builds against, then 'dkms remove --all'.  The
# copy and the registration go away afterwards, also on failure.  Needs
# root; a vtxhv already in DKMS (a real install) is left alone: skipped.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"
require_root
command -v dkms >/dev/null || skip_all "dkms is missing: run scripts/setup (package dkms)"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || skip_all "no PACKAGE_VERSION in dkms.conf"
kdir=$(default_kdir) || kdir=
kver=$(kdir_release "$kdir")
if [ -z "$kver" ] || [ ! -f "/lib/modules/$kver/build/Makefile" ]; then
	skip_all "no /lib/modules/KVER/build for the kernel tree '$kdir': run scripts/setup"
fi
srcdir=/usr/src/vtxhv-$ver
# Our own copy carries this file, so a leftover of a killed run is ours.
marker=.vtxhv-dkms-test
if [ -e "$srcdir" ] && [ ! -e "$srcdir/$marker" ] ||
   { [ ! -e "$srcdir" ] && [ -n "$(dkms status "vtxhv/$ver" 2>/dev/null)" ]; }; then
	skip_all "vtxhv/$ver is already in DKMS or $srcdir here (a real install?): not touching it"
fi
# dkms build makes itself a module signing key on first use: remove it
# again if this test is what made it.
mok=/var/lib/dkms/mok.key
had_mok=0
[ -e "$mok" ] && had_mok=1
tmp=$(mktemp -d) || exit 1

# Only vtxhv/$ver: other versions in DKMS are not this test's.
unregister() {
	dkms remove "vtxhv/$ver" --all > /dev/null 2>&1
	rm -rf "$srcdir" "/var/lib/dkms/vtxhv/$ver"
	rmdir /var/lib/dkms/vtxhv 2>/dev/null
}
cleanup() {
	unregister
	[ "$had_mok" = 1 ] || rm -f "$mok" /var/lib/dkms/mok.pub
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
unregister	# a killed run's leftovers

# dkms_ok ARGS...: 'dkms ARGS' succeeds; its output is shown if not.
dkms_ok() {
	dkms "$@" > "$tmp/out" 2>&1 && return 0
	sed 's/^/# /' "$tmp/out"
	return 1
}

built_for_kernel() {
	[ -f "$ko" ] &&
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] &&
	[ "$(modinfo -F version "$ko")" = "$ver" ]
}

gone() {
	[ -z "$(dkms status "vtxhv/$ver" 2>/dev/null)" ] &&
	[ ! -e "/var/lib/dkms/vtxhv/$ver" ]
}

plan 5
diag "$(dkms --version 2>/dev/null), vtxhv/$ver for $kver"
{ copy_module_source "$top" "$srcdir" && touch "$srcdir/$marker"; } || exit 1
check dkms_add dkms_ok add "vtxhv/$ver"
if [ $t_fail -eq 0 ]; then
	check dkms_build dkms_ok build "vtxhv/$ver" -k "$kver"
else
	skip_one dkms_build "dkms add failed"
fi
if [ $t_fail -eq 0 ]; then
	ko=/var/lib/dkms/vtxhv/$ver/$kver/$(uname -m)/module/vtxhv.ko
	check module_for_kernel_and_version built_for_kernel
else
	log=/var/lib/dkms/vtxhv/$ver/build/make.log
	[ -f "$log" ] && tail -n 30 "$log" | sed 's/^/# /'
	skip_one module_for_kernel_and_version "not built"
fi
check dkms_remove dkms_ok remove "vtxhv/$ver" --all
check nothing_left_in_dkms gone
finish
