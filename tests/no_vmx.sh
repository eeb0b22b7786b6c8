#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# On a CPU without VMX, vtxhv refuses to load with ENODEV and one line
# naming the reason.  (make check runs this on a Bochs CPU model without
# VMX; on a VT-x host it is skipped.)
. "$(dirname "$0")/lib.sh"

require_root
[ -n "$KO" ] || skip_all "vtxhv.ko not found (set VTXHV_KO)"
grep -qw vmx /proc/cpuinfo && skip_all "the CPU has VMX"

plan 3
dmesg_mark
check_load_refused 19 enodev refusal_names_the_reason \
	"vtxhv: this CPU has no VMX (Intel VT-x): cannot load"
check "kernel_log_clean" dmesg_clean
finish
