#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install / uninstall / install-udev / uninstall-udev into a DESTDIR:
# what goes where with which mode, depmod for the right kernel, a module
# built for another kernel refused, and nothing left behind.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
if [ ! -f "$top/kmod/vtxhv.ko" ] || [ ! -f "$top/userspace/vtxctl" ]; then
	skip_all "build first: make module userspace"
fi
command -v modinfo >/dev/null || PATH=$PATH:/sbin:/usr/sbin
kver=$(modinfo -F vermagic "$top/kmod/vtxhv.ko" | cut -d' ' -f1)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
dest=$tmp/root
# A depmod that records how it was called.
printf '#!/bin/sh\necho "$*" >> %s/depmod.log\n' "$tmp" > "$tmp/depmod"
chmod +x "$tmp/depmod"

mk() {
	make -s -C "$top" KVER="$kver" DEPMOD="$tmp/depmod" "$@" \
		> "$tmp/out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/out"
	return $rc
}

# mode_is FILE MODE: FILE exists with permission bits MODE (octal).
mode_is() {
	[ -f "$1" ] && [ "$(stat -c %a "$1")" = "$2" ]
}

plan 10
diag "kernel: $kver"
mk install DESTDIR="$dest" PREFIX=/usr/local
check install_succeeds [ $? -eq 0 ]
check module_in_extra mode_is "$dest/lib/modules/$kver/extra/vtxhv.ko" 644
check vtxctl_in_sbin mode_is "$dest/usr/local/sbin/vtxctl" 755
check man_page_in_man8 mode_is "$dest/usr/local/share/man/man8/vtxctl.8" 644
check no_depmod_with_destdir [ ! -e "$tmp/depmod.log" ]
check udev_rule_only_on_request [ ! -e "$dest/etc/udev/rules.d/60-vtxhv.rules" ]

mk install-udev DESTDIR="$dest"
rule=$dest/etc/udev/rules.d/60-vtxhv.rules
rule_ok() {
	mode_is "$rule" 644 &&
	grep -q '^KERNEL=="vtxhv",.*GROUP="vtxhv", MODE="0660"$' "$rule"
}
check install_udev rule_ok

mk uninstall DESTDIR="$dest"
left=$(find "$dest" -type f)
[ -z "$left" ] || diag "left behind: $left"
check uninstall_removes_everything [ -z "$left" ]

# Without DESTDIR, depmod runs for the module's kernel (everything else
# pointed into the temporary directory).
mk install MODDIR="$tmp/mod" PREFIX="$tmp/usr" UDEVRULESDIR="$tmp/udev"
diag "depmod called with: $(cat "$tmp/depmod.log" 2>/dev/null)"
check depmod_for_the_module_kernel [ "$(cat "$tmp/depmod.log" 2>/dev/null)" = "-a $kver" ]

# A module built for another kernel is refused, and nothing is installed.
rm -rf "$dest"
refused() {
	! mk install DESTDIR="$dest" KVER=0.0.0-other && [ ! -e "$dest" ] &&
	grep -q "built for $kver, not 0.0.0-other" "$tmp/out"
}
check wrong_kernel_refused refused
finish
