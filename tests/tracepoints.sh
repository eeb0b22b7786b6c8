#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vtxhv's tracepoints through tracefs, as trace-cmd and perf use them:
# with events/vtxhv/vtxhv_exit and vtxhv_entry enabled, a guest that
# executes a known number of CPUIDs (hold_vm --cpuid N, plus the one CPUID
# of the guest library's start-up) leaves exactly that many vtxhv_exit
# records with reason 10, as many entries as exits, and nothing lost; and
# for netlink_stats's VM, the records agree with the counters vtxctl read
# over netlink (CPUID exits and all exits).  The events are disabled and
# the buffer size restored afterwards.
. "$(dirname "$0")/lib.sh"

N=500			# CPUIDs of hold_vm --cpuid
STARTUP_CPUIDS=1	# guest_xsave_init's CPUID(1) (tests/lib/guest.c)

require_root
grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
[ -x "$here/hold_vm" ] || skip_all "hold_vm missing in $here (make -C tests)"
ensure_loaded || skip_all "vtxhv could not be loaded"
T=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
[ -n "$T" ] || { [ -d /sys/kernel/debug/tracing/events ] && T=/sys/kernel/debug/tracing; }
[ -n "$T" ] || skip_all "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)"
[ -d "$T/events/vtxhv/vtxhv_exit" ] || skip_all "no events/vtxhv/vtxhv_exit in $T"

tmp=$(mktemp -d) || exit 1
old_on=$(cat "$T/tracing_on")
# "7 (expanded: 1408)" before the first use: the size it will have.
old_kb=$(sed 's/.*expanded: \([0-9]*\).*/\1/; s/ .*//' "$T/buffer_size_kb")
restore() {
	echo 0 > "$T/events/vtxhv/vtxhv_exit/enable"
	echo 0 > "$T/events/vtxhv/vtxhv_entry/enable"
	echo > "$T/trace"
	echo "$old_kb" > "$T/buffer_size_kb"
	echo "$old_on" > "$T/tracing_on"
	rm -rf "$tmp"
}
trap restore EXIT

# trace COMMAND...: run COMMAND with the two events recorded into
# $tmp/trace; COMMAND's output in $tmp/out, its status in $rc.
trace() {
	echo 0 > "$T/tracing_on"
	echo > "$T/trace"
	echo 1 > "$T/events/vtxhv/vtxhv_exit/enable"
	echo 1 > "$T/events/vtxhv/vtxhv_entry/enable"
	echo 1 > "$T/tracing_on"
	"$@" > "$tmp/out" 2>&1
	rc=$?
	echo 0 > "$T/tracing_on"
	cat "$T/trace" > "$tmp/trace"
	echo 0 > "$T/events/vtxhv/vtxhv_exit/enable"
	echo 0 > "$T/events/vtxhv/vtxhv_entry/enable"
}

# count EVENT VM [REASON]: records of EVENT for VM (with REASON).
count() {
	grep -c " $1: vm $2 vcpu [0-9]* ${3:+reason $3 }" "$tmp/trace"
}

# nothing_lost: the header's "entries-in-buffer/entries-written: X/Y".
nothing_lost() {
	local e
	e=$(sed -n 's/.*entries-in-buffer\/entries-written: \([0-9]*\/[0-9]*\).*/\1/p' "$tmp/trace")
	[ -n "$e" ] && [ "${e%/*}" = "${e#*/}" ] && return 0
	diag "entries in buffer/written: $e"
	return 1
}

plan 7
dmesg_mark
echo 8192 > "$T/buffer_size_kb"

trace "$here/hold_vm" --cpuid $N
sed 's/^/#   /' "$tmp/out"
vms=$(sed -n 's/.* vtxhv_exit: vm \([0-9]*\) .*/\1/p' "$tmp/trace" | sort -u)
diag "VMs in the trace: $vms; $(grep -c ' vtxhv_exit: ' "$tmp/trace") exits"
grep -m 3 ' vtxhv_exit: ' "$tmp/trace" | sed 's/^/#   /'
nvms=$(echo "$vms" | wc -w)
check guest_ran_one_vm [ "$rc.$nvms" = 0.1 ]
check trace_complete nothing_lost
n=$(count vtxhv_exit "$vms" 10)
diag "$n CPUID exits recorded, $((N + STARTUP_CPUIDS)) executed"
check cpuid_exits_recorded [ "$n" = $((N + STARTUP_CPUIDS)) ]
ne=$(count vtxhv_entry "$vms") nx=$(count vtxhv_exit "$vms")
diag "$ne entries, $nx exits"
check one_entry_per_exit [ "$ne" = "$nx" ]

if [ -x "$here/netlink_stats" ] && command -v vtxctl >/dev/null; then
	trace "$here/netlink_stats"
	sed 's/^/#   /' "$tmp/out"
	# shellcheck disable=SC2046 # three words
	set -- $(sed -n 's/^# vm \([0-9]*\) cpuid_exits \([0-9]*\) exits_total \([0-9]*\)$/\1 \2 \3/p' "$tmp/out")
	vm=${1:-none} cpuid=${2:-} total=${3:-}
	nc=$(count vtxhv_exit "$vm" 10) nx=$(count vtxhv_exit "$vm")
	diag "VM $vm: netlink says $cpuid CPUID exits of $total, the trace $nc of $nx"
	matches() {
		[ "$rc" = 0 ] && nothing_lost && [ -n "$cpuid" ] &&
			[ "$nc" = "$cpuid" ] && [ "$nx" = "$total" ]
	}
	check trace_matches_netlink_counters matches
else
	skip_one trace_matches_netlink_counters \
		"netlink_stats or vtxctl missing"
fi
enabled=$(cat "$T/events/vtxhv/vtxhv_exit/enable" "$T/events/vtxhv/vtxhv_entry/enable" | tr -d '\n')
check events_disabled_after [ "$enabled" = 00 ]
check kernel_log_clean dmesg_clean
finish
