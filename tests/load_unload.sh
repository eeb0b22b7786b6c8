#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload vtxhv 50 times: every load takes each CPU into VMX root
# operation and creates /dev/vtxhv, every unload undoes both, and the
# kernel log stays clean.  Loaded with force_shadow=1, vtxhv offers only
# the shadow paging modes.
. "$(dirname "$0")/lib.sh"

require_root
[ -n "$KO" ] || skip_all "vtxhv.ko not found (set VTXHV_KO)"
grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
find_vtxctl
[ -n "$VTXCTL" ] || skip_all "vtxctl not found (set VTXCTL_BIN)"

plan 6
dmesg_mark
ensure_unloaded
loads=0 devs=0 unloads=0
i=0
while [ $i -lt 50 ]; do
	modload "$KO" >/dev/null && loads=$((loads + 1))
	[ -c /dev/vtxhv ] && devs=$((devs + 1))
	rmmod vtxhv && unloads=$((unloads + 1))
	i=$((i + 1))
done
diag "loads $loads, devices $devs, unloads $unloads of 50"
check "50_loads_and_unloads" [ $loads -eq 50 -a $unloads -eq 50 ]
check "device_present_while_loaded" [ $devs -eq 50 ]
check "device_gone_after_unload" [ ! -e /dev/vtxhv -a ! -d /sys/module/vtxhv ]
n=$(dmesg_since_mark | grep -c "vtxhv: VMX ready on $(nproc) CPUs")
diag "$n loads reported every CPU in VMX root operation"
check "every_load_reported_all_cpus" [ "$n" -eq 50 ]

# force_shadow=1: the capability query offers only the shadow modes.
ensure_unloaded
forced_ok() {
	modload "$KO" force_shadow=1 >/dev/null || return 1
	out=$("$VTXCTL" info 2>&1)
	diag "force_shadow=1: $(echo "$out" | grep 'paging modes')"
	echo "$out" | grep -q '^paging modes: *vtlb shadow$'
}
check "force_shadow_hides_ept" forced_ok
rmmod vtxhv 2>/dev/null
check "kernel_log_clean" dmesg_clean
ensure_loaded
finish
