#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxhv and kvm_intel exclude each other.  kvm_intel enters VMX on every
# CPU while a KVM VM exists (6.1), or from its load on (6.12, whose
# kvm.enable_virt_at_load is 1): vtxhv must then refuse to load with EBUSY
# and say "rmmod kvm_intel first".  While vtxhv holds VMX, KVM cannot take
# it: 6.1's kvm_intel loads but cannot create a VM (EBUSY), 6.12's refuses
# to load.  Once vtxhv is unloaded, KVM runs a guest.
. "$(dirname "$0")/lib.sh"

require_root
[ -n "$KO" ] || skip_all "vtxhv.ko not found (set VTXHV_KO)"
grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"

plan 5
dmesg_mark
ensure_unloaded
modprobe kvm_intel 2>/dev/null || skip_all "kvm_intel unavailable"

kvm_probe hold > /tmp/kvm_hold.out &
holder=$!
i=0
while [ $i -lt 100 ] && ! grep -q holding /tmp/kvm_hold.out; do
	sleep 0.1
	i=$((i + 1))
done
out=$(modload "$KO")
rc=$?
diag "with a KVM VM alive: $out"
check "refused_with_ebusy_while_kvm_holds_vmx" [ $rc -eq 16 -a ! -d /sys/module/vtxhv ]
check "refusal_says_rmmod_kvm_intel" \
	sh -c 'dmesg | grep -q "vtxhv: VMX is in use by another hypervisor on CPU [0-9]* (CR4.VMXE is set): rmmod kvm_intel first"'
kill $holder
wait $holder 2>/dev/null
rmmod kvm_intel kvm

ensure_loaded
if modprobe kvm_intel 2>/dev/null; then
	out=$(kvm_probe run)
	rc=$?
else
	out="modprobe kvm_intel refused: $(dmesg | grep -o 'kvm: enabling virtualization on CPU[0-9]* failed' | tail -n 1)"
	rc=16
	[ -d /sys/module/kvm_intel ] && rc=1
fi
diag "KVM while vtxhv is loaded: $out"
check "kvm_cannot_take_vmx_from_vtxhv" [ $rc -eq 16 ]
rmmod vtxhv
[ -d /sys/module/kvm_intel ] || modprobe kvm_intel
out=$(kvm_probe run)
rc=$?
diag "KVM after vtxhv is unloaded: $out"
check "kvm_runs_after_vtxhv_unloaded" [ $rc -eq 0 ]
rmmod kvm_intel kvm
ensure_loaded
check "kernel_log_clean" dmesg_clean
finish
