#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The test VM's kernel-log judge (scripts/lib.sh kernel_log_errors): a clean
# log passes, and each kind of report the brief names fails the run.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# passes LOG: the judge finds nothing in LOG; flagged LOG: it finds a report.
passes() {
	[ -z "$(printf '%s\n' "$1" | kernel_log_errors)" ]
}
flagged() {
	! passes "$1"
}
# flags KIND LOG: test case flags_KIND, LOG is flagged.
flags() {
	check "flags_$1" flagged "$2"
}

plan 12
check clean_log_passes passes '[    7.2] vtxhv: VMX ready on 1 CPUs (VMCS revision 0x2b)
[    7.3] vtxhv: version 0.1 loaded, API 1
[    7.4] kvm: enabling virtualization on CPU0 failed'
flags warning '[ 1.0] WARNING: CPU: 0 PID: 1 at kmod/vmx_root.c:10 x+0x1/0x2'
flags bug '[ 1.0] BUG: unable to handle page fault for address: 0'
flags oops '[ 1.0] Oops: 0000 [#1] PREEMPT SMP NOPTI'
flags soft_lockup '[ 1.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!'
flags hung_task '[ 1.0] INFO: task insmod:99 blocked for more than 120 seconds.'
flags lockdep '[ 1.0] WARNING: possible circular locking dependency detected'
flags kasan '[ 1.0] BUG: KASAN: slab-out-of-bounds in vtxhv_ioctl'
flags gpf '[ 1.0] general protection fault, probably for non-canonical address'
check user_crash_is_not_a_kernel_error passes \
	'[ 9.5] traps: fuzz[97] general protection fault ip:4023ad sp:7f15 error:0 in fuzz[401000+8e000]'
# 6.12's boot-time topology warning in Bochs is dropped as a whole block;
# the same warning from another task, or another one after it, is not.
boot_warn='[    0.000000] ------------[ cut here ]------------
[    0.000000] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/cpu/topology_common.c:57 parse_legacy+0x10e/0x130
[    0.000000] Modules linked in:
[    0.000000] Call Trace:
[    0.000000]  <TASK>
[    0.000000]  ? cpu_init_topology+0x3e/0xe0
[    0.000000]  </TASK>
[    0.000000] ---[ end trace 0000000000000000 ]---
[    0.000000] Disabled fast string operations'
check known_boot_warning_is_dropped passes "$boot_warn"
flags warning_after_known_one "$boot_warn
[ 1.0] ------------[ cut here ]------------
[ 1.0] WARNING: CPU: 0 PID: 7 at arch/x86/kernel/cpu/topology_common.c:57 parse_legacy+0x10e/0x130
[ 1.0] Call Trace:"
finish
