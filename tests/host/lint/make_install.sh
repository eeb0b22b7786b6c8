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
if [ ! -f "$top/kmod/vtxhv.ko" ] || [ ! -f "$top/userspace/vtxctl" ] ||
   [ ! -f "$top/lib/libvtxhv.so.0.1.0" ]; then
	skip_all "build first: make module userspace"
fi
command -v modinfo >/dev/null || PATH=$PATH:/sbin:/usr/sbin
kver=$(modinfo -F vermagic "$top/kmod/vtxhv.ko" | cut -d' ' -f1)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
dest=$tmp/root
# A depmod and an ldconfig that record how they were called.
printf '#!/bin/sh\necho "$*" >> %s/depmod.log\n' "$tmp" > "$tmp/depmod"
printf '#!/bin/sh\necho "$*" >> %s/ldconfig.log\n' "$tmp" > "$tmp/ldconfig"
chmod +x "$tmp/depmod" "$tmp/ldconfig"

mk() {
	make -s -C "$top" KVER="$kver" DEPMOD="$tmp/depmod" \
		LDCONFIG="$tmp/ldconfig" "$@" \
		> "$tmp/out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/out"
	return $rc
}

# mode_is FILE MODE: FILE exists with permission bits MODE (octal).
mode_is() {
	[ -f "$1" ] && [ "$(stat -c %a "$1")" = "$2" ]
}

plan 14
diag "kernel: $kver"
mk install DESTDIR="$dest" PREFIX=/usr/local
check install_succeeds [ $? -eq 0 ]
check module_in_extra mode_is "$dest/lib/modules/$kver/extra/vtxhv.ko" 644
check vtxctl_in_sbin mode_is "$dest/usr/local/sbin/vtxctl" 755
check man_page_in_man8 mode_is "$dest/usr/local/share/man/man8/vtxctl.8" 644
check no_depmod_with_destdir [ ! -e "$tmp/depmod.log" ] && [ ! -e "$tmp/ldconfig.log" ]
lib=$dest/usr/local/lib
# libvtxhv: both libraries, the soname's link, the headers side by side.
lib_installed() {
	mode_is "$lib/libvtxhv.a" 644 && mode_is "$lib/libvtxhv.so.0.1.0" 755 &&
	[ "$(readlink "$lib/libvtxhv.so.0")" = libvtxhv.so.0.1.0 ] &&
	[ "$(readlink "$lib/libvtxhv.so")" = libvtxhv.so.0.1.0 ] &&
	objdump -p "$lib/libvtxhv.so.0.1.0" | grep -q 'SONAME *libvtxhv.so.0$'
}
check libvtxhv_installed lib_installed
headers_installed() {
	for h in libvtxhv.h vtxhv.h vtxhv_genl.h; do
		mode_is "$dest/usr/local/include/vtxhv/$h" 644 || return 1
	done
}
check headers_in_include_vtxhv headers_installed
# The pkg-config file names the installed paths; a program built with
# what it says compiles and links against the staged library.
pc_works() {
	pc=$lib/pkgconfig/vtxhv.pc
	mode_is "$pc" 644 && grep -q '^libdir=/usr/local/lib$' "$pc" || return 1
	cflags=$(PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$lib/pkgconfig" \
		pkg-config --cflags vtxhv) &&
	libs=$(PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$lib/pkgconfig" \
		pkg-config --libs vtxhv) || return 1
	diag "pkg-config: $cflags $libs"
	printf '#include <vtxhv/libvtxhv.h>\nint main(void) { return vtxhv_open("/nonexistent") == -ENOENT ? 0 : 1; }\n' |
		sed '1i #include <errno.h>' > "$tmp/p.c" &&
	cc -Wall -Werror $cflags -o "$tmp/p" "$tmp/p.c" $libs &&
	LD_LIBRARY_PATH=$lib "$tmp/p"
}
check pkg_config_builds_a_program pc_works
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
check ldconfig_for_the_library [ "$(cat "$tmp/ldconfig.log" 2>/dev/null)" = "$tmp/usr/lib" ]

# A module built for another kernel is refused, and nothing is installed.
rm -rf "$dest"
refused() {
	! mk install DESTDIR="$dest" KVER=0.0.0-other && [ ! -e "$dest" ] &&
	grep -q "built for $kver, not 0.0.0-other" "$tmp/out"
}
check wrong_kernel_refused refused
finish
