#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Telemetry over generic netlink, end to end through vtxctl: 'vtxctl list'
# while two VMs run (hold_vm), 'vtxctl top' for three refreshes showing
# both with nonzero exit rates per VM and per reason, 'vtxctl stats' of
# one of them and of a VM that does not exist, and 'vtxctl events'
# (--count, and --json until stopped) following the creation and
# destruction of both and of a guest that triple-faults: each event
# exactly once, with the right VM id, pid, command, vCPU, exit reason and
# RIP.  nl_abuse covers malformed and unprivileged requests.
. "$(dirname "$0")/lib.sh"

require_root
grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
find_vtxctl
[ -n "$VTXCTL" ] || skip_all "vtxctl not found (set VTXCTL_BIN)"
[ -x "$here/hold_vm" ] || skip_all "hold_vm missing in $here (make -C tests)"
ensure_loaded || skip_all "vtxhv could not be loaded"

tmp=$(mktemp -d) || exit 1
pids=
cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	[ -n "$pids" ] && kill $pids 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS: FILE gets a line matching PATTERN.
wait_for() {
	local i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && { diag "no '$2' in $1 after $3 s"; return 1; }
		sleep 1
	done
}

# wait_exit PID SECONDS: the background job PID ends; its status in $rc.
wait_exit() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$2" ] && { diag "pid $1 still running after $2 s"; rc=124; return 1; }
		sleep 1
	done
	wait "$1"
	rc=$?
}

show() {
	sed 's/^/#   /' "$1"
}

plan 15
dmesg_mark
[ -z "$("$VTXCTL" list | tail -n +2)" ] || diag "VMs exist already: $("$VTXCTL" list)"

# Two listeners: one stops by itself after the 7 events expected, the
# other (JSON) runs until stopped, so that a duplicate would show.
"$VTXCTL" events --count 7 > "$tmp/ev" 2> "$tmp/ev.err" &
evpid=$!
"$VTXCTL" events --json > "$tmp/evj" 2> "$tmp/evj.err" &
evjpid=$!
pids="$evpid $evjpid"
check events_listening wait_for "$tmp/ev.err" listening 60
wait_for "$tmp/evj.err" listening 60

"$here/hold_vm" > "$tmp/a" 2>&1 &
apid=$!
"$here/hold_vm" > "$tmp/b" 2>&1 &
bpid=$!
pids="$pids $apid $bpid"
both_running() {
	wait_for "$tmp/a" running 120 && wait_for "$tmp/b" running 120
}
check two_vms_running both_running

"$VTXCTL" list > "$tmp/list"
rc=$?
show "$tmp/list"
aid=$(awk -v p="$apid" 'NR > 1 && $2 == p { print $1 }' "$tmp/list")
bid=$(awk -v p="$bpid" 'NR > 1 && $2 == p { print $1 }' "$tmp/list")
list_ok() {
	[ "$rc" = 0 ] && [ -n "$aid" ] && [ -n "$bid" ] &&
		[ "$(wc -l < "$tmp/list")" -eq 3 ] &&
		head -n 1 "$tmp/list" |
		grep -q '^ *ID  *PID  *COMM  *VCPUS  *MEMORY  *PAGING  *STATE  *CREATED$'
}
check list_shows_both_vms list_ok
# shellcheck disable=SC2016 # awk's own $N
check list_fields awk -v a="$aid" -v b="$bid" '
	$1 == a || $1 == b {
		if ($3 != "hold_vm" || $4 != 1 || $5 != "16M" || $6 != "ept" ||
		    ($7 != "idle" && $7 != "running") ||
		    $8 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$/)
			bad = 1
		n++
	}
	END { exit bad || n != 2 }' "$tmp/list"
"$VTXCTL" list --json > "$tmp/listj"
show "$tmp/listj"
# The two VMs were created concurrently: either may come first.
vm_json() {
	echo "\\{\"id\":$1,\"pid\":$2,\"uid\":[0-9]*,\"comm\":\"hold_vm\",\"vcpus\":1,\"mem_bytes\":16777216,\"paging\":\"ept\",[^}]*\\}"
}
check list_json grep -q -E "^\[($(vm_json "$aid" "$apid"),$(vm_json "$bid" "$bpid")|$(vm_json "$bid" "$bpid"),$(vm_json "$aid" "$apid"))\]\$" "$tmp/listj"

"$VTXCTL" top --iterations 3 --interval 1 > "$tmp/top" 2>&1
rc=$?
show "$tmp/top"
refreshes=$(grep -c '^vtxhv top ' "$tmp/top")
check top_three_refreshes [ "$rc.$refreshes" = 0.3 ]
# In each refresh, both VMs with a nonzero rate, and for each of them
# nonzero rates of CPUID and IO_INSTRUCTION exits (what the guest does).
# shellcheck disable=SC2016
check top_rates_both_vms awk -v a="$aid" -v ap="$apid" -v b="$bid" -v bp="$bpid" '
	/^vtxhv top / { refresh++ }
	($1 == a && $2 == ap) || ($1 == b && $2 == bp) { if ($4 > 0) vm[$1]++ }
	($1 == a || $1 == b) && ($2 == "CPUID" || $2 == "IO_INSTRUCTION") { if ($3 > 0) r[$1 $2]++ }
	END {
		exit !(refresh == 3 && vm[a] == 3 && vm[b] == 3 &&
		       r[a "CPUID"] == 3 && r[a "IO_INSTRUCTION"] == 3 &&
		       r[b "CPUID"] == 3 && r[b "IO_INSTRUCTION"] == 3)
	}' "$tmp/top"

"$VTXCTL" stats "$aid" > "$tmp/stats" 2>&1
rc=$?
show "$tmp/stats"
stats_ok() {
	[ "$rc" = 0 ] &&
		grep -q "^VM $aid: pid $apid (hold_vm), 1 vCPU, 16M, ept, " "$tmp/stats" &&
		grep -q '^ *10 CPUID  *[1-9][0-9]*$' "$tmp/stats" &&
		grep -q '^ *30 IO_INSTRUCTION  *[1-9][0-9]*$' "$tmp/stats"
}
check stats_of_running_vm stats_ok
"$VTXCTL" stats 99999 > "$tmp/nosuch" 2>&1
rc=$?
show "$tmp/nosuch"
said=$(grep -c 'VM 99999: no such VM' "$tmp/nosuch")
check stats_of_missing_vm [ "$rc.$said" = 1.1 ]

kill "$apid" "$bpid"
wait "$apid" "$bpid" 2>/dev/null
pids="$evpid $evjpid"

"$here/hold_vm" --triple > "$tmp/t" 2>&1 &
tpid=$!
wait_exit "$tpid" 120
show "$tmp/t"
rip=$(sed -n 's/^shutdown rip \(0x[0-9a-f]*\) expected .*/\1/p' "$tmp/t")
check triple_fault_reported [ "$rc" = 0 -a -n "$rip" ]

wait_exit "$evpid" 60
show "$tmp/ev"
sed 's/^/#   err: /' "$tmp/ev.err"
lines=$(wc -l < "$tmp/ev")
check events_count_exits [ "$rc.$lines" = 0.7 ]
# once EVENT VM PID [EXTRA]: exactly one such line in $tmp/ev
once() {
	local n
	n=$(grep -c " $1 vm=$2 pid=$3 ${4:+$4 }value=0 comm=hold_vm\$" "$tmp/ev")
	[ "$n" = 1 ] || { diag "$n lines of '$1 vm=$2 pid=$3 $4'"; return 1; }
}
tid=$(sed -n "s/.* vm-created vm=\([0-9]*\) pid=$tpid .*/\1/p" "$tmp/ev")
lifecycle_ok() {
	once vm-created "$aid" "$apid" && once vm-destroyed "$aid" "$apid" &&
		once vm-created "$bid" "$bpid" &&
		once vm-destroyed "$bid" "$bpid" && [ -n "$tid" ] &&
		once vm-created "$tid" "$tpid" &&
		once vm-destroyed "$tid" "$tpid"
}
check events_created_and_destroyed lifecycle_ok
# line EVENT VM PID: the line number of that event in $tmp/ev (VM ids
# are reused: the pid tells the VMs apart)
line() {
	grep -n " $1 vm=$2 pid=$3 " "$tmp/ev" | head -n 1 | cut -d: -f1
}
shutdown_ok() {
	local c s d
	once shutdown "$tid" "$tpid" "vcpu=0 reason=TRIPLE_FAULT rip=$rip" ||
		return 1
	c=$(line vm-created "$tid" "$tpid") s=$(line shutdown "$tid" "$tpid")
	d=$(line vm-destroyed "$tid" "$tpid")
	if [ "$c" -lt "$s" ] && [ "$s" -lt "$d" ]; then
		return 0
	fi
	diag "created, shutdown, destroyed at lines $c $s $d"
	return 1
}
check events_shutdown shutdown_ok

# The JSON listener: nothing more, nothing twice, after a moment.
sleep 2
kill "$evjpid"
wait "$evjpid" 2>/dev/null
pids=
show "$tmp/evj"
json_ok() {
	[ "$(wc -l < "$tmp/evj")" = 7 ] &&
		[ "$(sed 's/^{"time":"[^"]*",//' "$tmp/evj" | sort -u | wc -l)" = 7 ] &&
		grep -q "^{\"time\":\"20[-0-9T:.]*Z\",\"type\":\"shutdown\",\"vm\":$tid,\"pid\":$tpid,\"comm\":\"hold_vm\",\"vcpu\":0,\"reason\":2,\"reason_name\":\"TRIPLE_FAULT\",\"rip\":\"$rip\",\"value\":0}\$" "$tmp/evj" &&
		[ "$(grep -c '"type":"vm-created"' "$tmp/evj")" = 3 ] &&
		[ "$(grep -c '"type":"vm-destroyed"' "$tmp/evj")" = 3 ]
}
check events_json_each_once json_ok
check kernel_log_clean dmesg_clean
finish
