#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gdb itself against 'vtxctl run --gdb', in the paging mode of
# VTXHV_PAGING (gdb.sh:shadow, gdb.sh:vtlb).  The gdb is Debian's
# gdb-minimal, which scripts/check puts in the test VM ($GDB, else the
# first gdb in PATH).
#
# 1. guests/gdb_guest.elf, with its symbols, under --gdb-wait: gdb attaches
#    before the first instruction, breaks on bump(), continues, steps a
#    source line, reads variables and control registers, loads FS with a
#    null selector and with the GDT's data selector, watches counter
#    change, then read (rwatch, which gdb sets as an access watchpoint: x86
#    has no read-only breakpoint) and read or written (awatch), stops on a
#    hardware breakpoint; the guest's own INT3, with gdb's breakpoints in,
#    goes to the guest's handler; gdb sets finish()'s argument
#    register (RDI) to 42, and continues to the end: gdb hears the guest
#    exit with code (42 << 1) | 1 = 85, vtxctl's own status, instead of
#    the 13 of an undisturbed run.
# 2. Linux (linux/bzImage) booting: gdb attaches to the running kernel
#    once it printed its first line, continues, is interrupted (SIGINT,
#    what ^C sends), reads the registers (a RIP in the kernel's text) and
#    the instructions there through the guest's page tables, and kills
#    the guest: vtxctl status 8.
#
# Figures: the wall seconds of each gdb session (gdb's start-up included).
. "$(dirname "$0")/lib.sh"

require_root
require_vmx
GDB=${GDB:-$(command -v gdb)}
[ -n "$GDB" ] || skip_all "gdb not found (scripts/check puts Debian's gdb-minimal in the test VM)"
G=$here/guests/gdb_guest.elf
[ -f "$G" ] || skip_all "$G missing (make -C tests)"
require_vtxctl
# The test VM's loopback is down (docs/testing.md).
ifconfig lo 127.0.0.1 up 2>/dev/null || ip link set lo up 2>/dev/null

mode=${VTXHV_PAGING:-ept}
PAGING=${VTXHV_PAGING:+--paging $VTXHV_PAGING}
tmp=$(mktemp -d) || exit 1
vpid= gpid=
trap 'kill -9 $vpid $gpid 2>/dev/null; rm -rf "$tmp"' EXIT

plan 20

# wait_text FILE TEXT SECONDS: TEXT appears in FILE.
wait_text() {
	local i=0
	while [ $i -lt "$3" ]; do
		grep -q -F -- "$2" "$1" 2>/dev/null && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# end_session: wait for gdb, then vtxctl; their statuses in $grc and
# $rc, the wall seconds since $t0 in $secs.
end_session() {
	wait $gpid
	grc=$?
	gpid=
	wait $vpid
	rc=$?
	vpid=
	secs=$(($(date +%s) - t0))
}

# has TEXT: gdb's output of the session has a line with TEXT.
has() {
	grep -q -F -- "$1" "$tmp/gdb.out" && return 0
	diag "gdb's output lacks \"$1\""
	return 1
}

# CR0.PG and PE, EFER.LMA and LME: the guest runs in long mode.
cr_ok() {
	local cr0 efer
	cr0=$(sed -n 's/^@@cr0=\(0x[0-9a-f]*\) efer=.*/\1/p' "$tmp/gdb.out")
	efer=$(sed -n 's/^@@cr0=.* efer=\(0x[0-9a-f]*\)$/\1/p' "$tmp/gdb.out")
	[ -n "$cr0" ] && [ -n "$efer" ] &&
		[ $((cr0 & 0x80000001)) = $((0x80000001)) ] &&
		[ $((efer & 0x500)) = $((0x500)) ] && return 0
	diag "CR0 '$cr0', EFER '$efer': not long mode"
	return 1
}

# Stopped in the kernel's text, whose bytes gdb read through the guest's
# page tables at that RIP.
linux_regs_ok() {
	grep -q '@@rip=0xffffffff[89a-f]' "$tmp/gdb.out" &&
		grep -q '^=> 0xffffffff' "$tmp/gdb.out" &&
		! grep -q 'Cannot access memory' "$tmp/gdb.out"
}

show_session() {
	sed 's/^/#   gdb: /' "$tmp/gdb.out"
	sed 's/^/#   vtxctl: /' "$tmp/vtxctl.err"
}

# ---- 1. A guest with symbols -------------------------------------------------
# The source, for the line gdb prints after a step, is next to the guest.
cat > "$tmp/cmds" <<EOF
directory $here
EOF
cat >> "$tmp/cmds" <<'EOF'
set pagination off
set confirm off
target remote 127.0.0.1:1234
printf "@@attached rip=%#lx\n", $rip
info threads
break bump
continue
printf "@@bp n=%lu counter=%lu\n", n, counter
step
printf "@@stepped old=%lu\n", old
printf "@@cr0=%#lx efer=%#lx\n", $cr0, $efer
EOF
gdb_state_cmds >> "$tmp/cmds"
cat >> "$tmp/cmds" <<'EOF'
delete
watch counter
continue
printf "@@watched counter=%lu\n", counter
delete
rwatch counter
continue
printf "@@rwatch n=%lu\n", n
delete
awatch counter
continue
printf "@@awatch counter=%lu\n", counter
delete
hbreak bump
continue
printf "@@hbreak n=%lu\n", n
delete
break *finish
continue
printf "@@own_bps=%lu\n", own_bps
set var $rdi = 42
printf "@@rdi=%lu\n", $rdi
continue
EOF
t0=$(date +%s)
"$VTXCTL" run $PAGING --timeout 300 --gdb 1234 --gdb-wait "$G" \
	>"$tmp/vtxctl.out" 2>"$tmp/vtxctl.err" &
vpid=$!
wait_text "$tmp/vtxctl.err" "listening on" 60
timeout 600 "$GDB" -nx -batch -x "$tmp/cmds" "$G" >"$tmp/gdb.out" 2>&1 &
gpid=$!
end_session
diag "figure gdb_session_${mode}_s $secs (wall seconds, gdb's start-up included; gdb status $grc, vtxctl status $rc)"

check attaches_before_the_first_instruction has "@@attached rip=0x100"
check one_thread_per_vcpu has "Thread 1"
check breaks_on_a_function has "@@bp n=1 counter=0"
check steps_a_source_line has "counter = old + n;"
check reads_a_local_after_the_step has "@@stepped old=0"
check reads_control_registers cr_ok
check reads_x87_and_sse_state has "@@fpu fctrl=0x37f mxcsr=0x1f80"
check writes_an_sse_register has "@@xmm1=0x1234abcd"
check loads_a_segment_selector gdb_fs_loaded "$tmp/gdb.out"
check watchpoint_sees_the_write sh -c \
	"grep -q 'Old value = 0' '$tmp/gdb.out' && grep -q 'New value = 1' '$tmp/gdb.out' && grep -q '@@watched counter=1' '$tmp/gdb.out'"
check read_watchpoint_sees_the_read sh -c \
	"grep -q '^Value = 1$' '$tmp/gdb.out' && grep -q '@@rwatch n=2' '$tmp/gdb.out'"
check access_watchpoint_sees_the_write sh -c \
	"grep -q 'New value = 3' '$tmp/gdb.out' && grep -q '@@awatch counter=3' '$tmp/gdb.out'"
check hardware_breakpoint has "@@hbreak n=3"
check guest_int3_is_the_guests_own has "@@own_bps=1"
check sets_a_register has "@@rdi=42"
check gdb_hears_the_exit has "exited with code 0125]"
check exit_status_follows_the_register [ "$rc" = 85 ]
[ $t_fail = 0 ] || show_session

# ---- 2. Linux, interrupted -----------------------------------------------------
L=$here/linux
linux_skip() {
	for t in linux_interrupted linux_registers_and_memory linux_killed; do
		skip_one $t "$1"
	done
	finish
}
if [ ! -f "$L/bzImage" ] || [ ! -f "$L/initrd.cpio" ]; then
	linux_skip "no Linux guest in $L (make -C tests)"
fi
# The Linux session costs minutes of Bochs in the shadow modes (48 and 38
# emulated seconds), which make check cannot spend; the stub's own paging
# paths are covered by part 1 there.  VTXHV_GDB_LINUX=1 runs it anyway.
if [ "$mode" != ept ] && [ "${VTXHV_GDB_LINUX:-}" != 1 ]; then
	linux_skip "the Linux session runs with ept paging (VTXHV_GDB_LINUX=1 runs it with $mode)"
fi
cat > "$tmp/cmds" <<EOF
set pagination off
set confirm off
target remote 127.0.0.1:1235
shell touch $tmp/continuing
continue
printf "@@rip=%#lx cr3=%#lx\n", \$rip, \$cr3
info registers rip rsp cs
x/2i \$pc
kill
EOF
t0=$(date +%s)
"$VTXCTL" run $PAGING --timeout 300 --gdb 1235 --no-irqchip --mem 128M \
	--append "console=ttyS0 nokaslr noapic nolapic tsc=reliable mitigations=off" \
	--initrd "$L/initrd.cpio" "$L/bzImage" \
	</dev/null >"$tmp/vtxctl.out" 2>"$tmp/vtxctl.err" &
vpid=$!
wait_text "$tmp/vtxctl.err" "listening on" 60
# Attach once the kernel runs at its own addresses, past its decompressor:
# its first line on the console.
wait_text "$tmp/vtxctl.out" "Linux version" 120
gdb_interrupt "$GDB" 1 120 3
end_session
diag "figure gdb_linux_session_${mode}_s $secs (wall seconds; vtxctl status $rc)"
check linux_interrupted has "received signal SIGINT"
check linux_registers_and_memory linux_regs_ok
check linux_killed [ "$rc" = 8 ]
[ $t_fail = 0 ] || show_session
finish
