#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxhv beside kvm_intel.  kvm_intel enters VMX on every CPU while a KVM
# VM exists (6.1), or from its load on (6.12, whose kvm.enable_virt_at_load
# is 1): vtxhv must then refuse to load with EBUSY and say "rmmod kvm_intel
# first", and, once loaded, fail VTXHV_RUN with EBUSY.  vtxhv is in VMX
# operation only while it runs a guest (interrupts off), so KVM loads and
# runs its VMs beside an idle vtxhv, and vtxhv runs again once KVM is gone.
. "$(dirname "$0")/lib.sh"

require_root
[ -n "$KO" ] || skip_all "vtxhv.ko not found (set VTXHV_KO)"
require_vmx

plan 6
dmesg_mark
ensure_unloaded
modprobe kvm_intel 2>/dev/null || skip_all "kvm_intel unavailable"

hold_kvm_vm() {
	kvm_probe hold > /tmp/kvm_hold.out &
	holder=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q holding /tmp/kvm_hold.out; do
		sleep 0.1
		i=$((i + 1))
	done
}

hold_kvm_vm
diag "with a KVM VM alive:"
check_load_refused 16 ebusy_while_kvm_holds_vmx refusal_says_rmmod_kvm_intel \
	"vtxhv: VMX is in use by another hypervisor on CPU [0-9]* (CR4.VMXE is set): rmmod kvm_intel first"
kill $holder
wait $holder 2>/dev/null
rmmod kvm_intel kvm

ensure_loaded
if modprobe kvm_intel 2>/dev/null; then
	out=$(kvm_probe run)
	rc=$?
else
	out="modprobe kvm_intel refused"
	rc=1
fi
diag "KVM while vtxhv is loaded and idle: $out"
check "kvm_runs_beside_idle_vtxhv" [ $rc -eq 0 ]

hold_kvm_vm
find_vtxctl
"$VTXCTL" run --mode real "$(dirname "$0")/guests/hello16.bin" \
	> /tmp/vtxctl_kvm.out 2>&1
rc=$?
diag "vtxctl run while KVM holds VMX: status $rc: $(tail -n 1 /tmp/vtxctl_kvm.out)"
check "vtxhv_run_refused_while_kvm_holds_vmx" \
	sh -c "[ $rc -ne 0 ] && grep -q 'Device or resource busy' /tmp/vtxctl_kvm.out"
kill $holder
wait $holder 2>/dev/null
rmmod kvm_intel kvm
"$VTXCTL" run --mode real "$(dirname "$0")/guests/hello16.bin" > /dev/null 2>&1
check "vtxhv_runs_again_after_kvm_unloaded" [ $? -eq 0 ]
check "kernel_log_clean" dmesg_clean
finish
