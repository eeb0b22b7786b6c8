#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU hotplug: a CPU going offline leaves VMX operation, one coming back
# enters it again; after unloading, VMX is off on every CPU, which Debian's
# own kvm_intel proves by running a guest (it must enter VMX everywhere).
. "$(dirname "$0")/lib.sh"

require_root
[ -n "$KO" ] || skip_all "vtxhv.ko not found (set VTXHV_KO)"
[ "$(nproc)" -ge 2 ] || skip_all "needs 2 online CPUs"
cpu1=/sys/devices/system/cpu/cpu1/online
[ -w $cpu1 ] || skip_all "CPU 1 cannot be taken offline"

in_vmx() {
	vtxctl info | grep -q "^CPUs: *$1 online, $2 in VMX root operation"
}

plan 6
dmesg_mark
ensure_loaded || { not_ok "load"; finish; }
check "all_cpus_in_vmx" in_vmx 2 2

echo 0 > $cpu1
check "offline_cpu_left_vmx" in_vmx 1 1
echo 1 > $cpu1
check "online_cpu_entered_vmx" in_vmx 2 2

i=0 good=0
while [ $i -lt 10 ]; do
	echo 0 > $cpu1 && in_vmx 1 1 && echo 1 > $cpu1 && in_vmx 2 2 &&
		good=$((good + 1))
	i=$((i + 1))
done
check "10_offline_online_cycles" [ $good -eq 10 ]

rmmod vtxhv
if modprobe kvm_intel 2>/dev/null; then
	out=$(kvm_probe run)
	rc=$?
	diag "kvm_probe: $out"
	check "vmx_off_everywhere_after_unload_kvm_runs_guest" [ $rc -eq 0 ]
	rmmod kvm_intel kvm 2>/dev/null
elif [ "${VTXHV_REQUIRE:-0}" = 1 ]; then
	not_ok "vmx_off_everywhere_after_unload_kvm_runs_guest # no kvm_intel"
else
	skip_one vmx_off_everywhere_after_unload_kvm_runs_guest \
		"kvm_intel unavailable"
fi
ensure_loaded
check "kernel_log_clean" dmesg_clean
finish
