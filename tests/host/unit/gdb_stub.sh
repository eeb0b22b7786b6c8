#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'vtxctl run --gdb' against the host's gdb, with a stand-in for the module
# preloaded into vtxctl (tests/host/fake_vtxhv.c: a toy CPU in which every
# byte is an instruction, 0xF4 halts), so that the stub's threads, stops
# and protocol are tested without VT-x: waiting at the first instruction,
# a software breakpoint hidden from memory reads, steps, a hardware
# breakpoint, a register written, data segment selectors loaded from the
# guest's GDT (a TSS selector refused), the guest's end heard by gdb; attaching
# to a running guest with two vCPUs, ^C (SIGINT to gdb), a step of the
# second thread, kill (status 8); detach, which leaves no INT3 behind, and
# a second gdb after it.  tests/gdb.sh runs gdb against the real module.

# Functions run through check(), out of shellcheck's sight.
# shellcheck disable=SC2317
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
vtxctl=$top/userspace/vtxctl
fake=${FAKE_VTXHV:-$top/build/host-tests/fake_vtxhv.so}
gdb=$(command -v gdb) || skip_all "no gdb (scripts/setup installs it)"
[ -f "$fake" ] || skip_all "$fake missing (make -C tests/host)"
[ -x "$vtxctl" ] || skip_all "$vtxctl missing (make userspace)"
tmp=$(mktemp -d) || exit 1
vpid= gpid=
trap 'kill -9 $vpid $gpid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# 3000 one-byte instructions, then HLT: 6 s of toy CPU.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "\220"; printf "\364" }' \
	> "$tmp/short.bin"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "\220"; printf "\364" }' \
	> "$tmp/long.bin"

# vtxctl_start IMAGE ARGS...: vtxctl run on a free port ($port), in the
# background ($vpid); vtxctl_status waits for it: $rc.
vtxctl_start() {
	local img=$1 i=0
	shift
	LD_PRELOAD=$fake "$vtxctl" run --timeout 120 --gdb 0 --mode protected \
		"$@" "$img" >"$tmp/vtxctl.out" 2>"$tmp/vtxctl.err" &
	vpid=$!
	port=
	while [ -z "$port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' \
			"$tmp/vtxctl.err")
		i=$((i + 1))
	done
}

# gdb_cmds < COMMANDS: a gdb script that connects to $port first.
gdb_cmds() {
	printf 'set pagination off\nset confirm off\n'
	printf 'target remote 127.0.0.1:%s\n' "$port"
	cat
}

vtxctl_status() {
	wait $vpid
	rc=$?
	vpid=
}

# run_gdb: gdb on the script $tmp/cmds, its output in $tmp/gdb.out.
run_gdb() {
	timeout 60 "$gdb" -nx -batch -x "$tmp/cmds" >"$tmp/gdb.out" 2>&1
}

# ran_to_the_end: gdb heard the guest end, and vtxctl said it ended well.
ran_to_the_end() {
	grep -q 'exited normally' "$tmp/gdb.out" && [ "$rc" = 0 ]
}

has() {
	grep -q -F -- "$1" "$tmp/gdb.out" && return 0
	diag "gdb's output lacks \"$1\""
	sed 's/^/#   gdb: /' "$tmp/gdb.out"
	sed 's/^/#   vtxctl: /' "$tmp/vtxctl.err"
	return 1
}

plan 18

# ---- One vCPU, from its first instruction ----------------------------------
vtxctl_start "$tmp/short.bin" --gdb-wait
{
	cat <<'EOF'
printf "@@first pc=%#lx\n", $pc
break *0x100010
continue
printf "@@bp pc=%#lx\n", $pc
x/2xb 0x100010
stepi
stepi
printf "@@stepped pc=%#lx\n", $pc
delete
hbreak *0x100020
continue
printf "@@hbreak pc=%#lx\n", $pc
delete
set var $eax = 5
printf "@@eax=%d\n", $eax
EOF
	gdb_state_cmds
	cat <<'EOF'
maintenance packet Pf=18000000
continue
EOF
} | gdb_cmds > "$tmp/cmds"
run_gdb
vtxctl_status
check waits_at_the_first_instruction has "@@first pc=0x100000"
check software_breakpoint has "@@bp pc=0x100010"
check memory_reads_hide_int3 has "0x100010:	0x90	0x90"
check single_steps has "@@stepped pc=0x100012"
check hardware_breakpoint has "@@hbreak pc=0x100020"
check register_written has "@@eax=5"
check fpu_read has "@@fpu fctrl=0x37f mxcsr=0x1f80"
check sse_register_written has "@@xmm1=0x1234abcd"
check segment_selectors_loaded_from_the_gdt gdb_fs_loaded "$tmp/gdb.out"
# GS (register 15 of the i386 layout) = 0x18, the TSS: refused.
check system_descriptor_refused has 'received: "E'
check gdb_hears_the_end ran_to_the_end

# ---- Two vCPUs, running when gdb comes ---------------------------------------
vtxctl_start "$tmp/long.bin" --cpus 2
gdb_cmds > "$tmp/cmds" <<EOF
info threads
shell touch $tmp/continuing
continue
printf "@@interrupted pc=%#lx\n", \$pc
thread 2
printf "@@t2 pc=%#lx\n", \$pc
stepi
printf "@@t2 stepped pc=%#lx\n", \$pc
kill
EOF
gdb_interrupt "$gdb" 0.1 100 0.5
wait $gpid
gpid=
vtxctl_status
check one_thread_per_vcpu has "2    Thread 2"
check interrupted has "received signal SIGINT"
# One step of thread 2 moves its pc by one byte.
stepped_one() {
	local a b
	a=$(sed -n 's/^@@t2 pc=//p' "$tmp/gdb.out")
	b=$(sed -n 's/^@@t2 stepped pc=//p' "$tmp/gdb.out")
	[ -n "$a" ] && [ -n "$b" ] && [ $((b - a)) = 1 ] && return 0
	diag "thread 2: pc '$a', after stepi '$b'"
	return 1
}
check steps_the_second_thread stepped_one
check kill_ends_the_run_with_8 [ "$rc" = 8 ]

# ---- Detach, and a second gdb ------------------------------------------------
vtxctl_start "$tmp/short.bin" --gdb-wait
gdb_cmds > "$tmp/cmds" <<'EOF'
break *0x100100
continue
detach
EOF
run_gdb
gdb_cmds > "$tmp/cmds" <<'EOF'
printf "@@again pc=%#lx\n", $pc
x/2xb 0x100100
continue
EOF
run_gdb
vtxctl_status
check second_gdb_attaches has "@@again pc=0x10"
check detach_removed_the_breakpoint has "0x100100:	0x90	0x90"
check guest_ran_to_its_end ran_to_the_end
finish
