# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the shell tests: TAP 13 output in the kselftest style, the
# module's location, loading and unloading it, and a kernel-log check.
#
# VTXHV_KO      the module to load (default: found next to the tests)
# VTXHV_REQUIRE if 1, a missing prerequisite fails the test instead of
#               skipping it (make check sets it: its VMs are built to have
#               what each test needs)

KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
t_nr=0 t_pass=0 t_fail=0 t_skip=0
here=$(cd "$(dirname "$0")" && pwd)
PATH=$here:$PATH

find_ko() {
	local k
	for k in "${VTXHV_KO:-}" "$here/vtxhv.ko" /vtxhv/vtxhv.ko \
		 "$here/../../kmod/vtxhv.ko" "$here/../kmod/vtxhv.ko"; do
		[ -n "$k" ] && [ -f "$k" ] && { echo "$k"; return 0; }
	done
	return 1
}

plan() {
	echo "TAP version 13"
	echo "1..$1"
}

skip_all() {
	if [ "${VTXHV_REQUIRE:-0}" = 1 ]; then
		echo "TAP version 13"
		echo "1..1"
		echo "not ok 1 prerequisite # $*"
		exit $KSFT_FAIL
	fi
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

ok() {
	t_nr=$((t_nr + 1)) t_pass=$((t_pass + 1))
	echo "ok $t_nr $*"
}

not_ok() {
	t_nr=$((t_nr + 1)) t_fail=$((t_fail + 1))
	echo "not ok $t_nr $*"
}

# check NAME COMMAND...: one test case, passing when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# skip_one NAME WHY: one test case skipped.
skip_one() {
	t_nr=$((t_nr + 1)) t_skip=$((t_skip + 1))
	echo "ok $t_nr $1 # SKIP $2"
}

diag() {
	echo "# $*"
}

finish() {
	echo "# Totals: pass:$t_pass fail:$t_fail xfail:0 xpass:0 skip:$t_skip error:0"
	[ $t_fail -eq 0 ] || exit $KSFT_FAIL
	exit $KSFT_PASS
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "must run as root"
}

require_vmx() {
	grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
}

loaded() {
	[ -d /sys/module/vtxhv ]
}

# Load vtxhv if it is not loaded; print modload's answer on failure.
ensure_loaded() {
	local out
	loaded && return 0
	out=$(modload "$KO") || { diag "loading $KO: $out"; return 1; }
}

ensure_unloaded() {
	loaded || return 0
	rmmod vtxhv
}

# check_load_refused ERRNO NAME WHY PATTERN: loading vtxhv fails with
# errno ERRNO and leaves no module (check refused_with_NAME), and the
# kernel log gives the reason (check WHY: a line matching PATTERN).
check_load_refused() {
	local out rc
	out=$(modload "$KO")
	rc=$?
	diag "$out"
	check "refused_with_$2" [ $rc -eq "$1" -a ! -d /sys/module/vtxhv ]
	check "$3" sh -c 'dmesg | grep -q "$1"' sh "$4"
}

# The kernel log since the last dmesg_mark must show no error report.
dmesg_mark() {
	mark=$(dmesg | wc -l)
}

dmesg_since_mark() {
	dmesg | tail -n +$((mark + 1))
}

dmesg_clean() {
	local bad
	bad=$(dmesg_since_mark | grep -E 'WARNING:|BUG:|Oops|general protection|soft lockup|hard LOCKUP|blocked for more than|circular locking|lockdep|KASAN|UBSAN|Call Trace:')
	[ -z "$bad" ] && return 0
	echo "$bad" | sed 's/^/# /'
	return 1
}

KO=$(find_ko) || KO=

# The vtxctl binary next to the tests, in the test VM, or in the tree:
# sets VTXCTL (empty when there is none).
find_vtxctl() {
	local v
	VTXCTL=
	for v in "${VTXCTL_BIN:-}" "$here/../vtxctl" /vtxhv/vtxctl \
		 "$here/../../userspace/vtxctl"; do
		[ -n "$v" ] && [ -x "$v" ] && { VTXCTL=$v; break; }
	done
}

# require_vtxctl: vtxctl found (VTXCTL) and vtxhv loaded, or a skip.
require_vtxctl() {
	find_vtxctl
	[ -n "$VTXCTL" ] || skip_all "vtxctl not found (set VTXCTL_BIN)"
	ensure_loaded || skip_all "vtxhv could not be loaded"
}

# make_tmp: $tmp, a directory removed when the test exits.
make_tmp() {
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
}

# gdb_state_cmds: the gdb commands that gdb.sh and the host's gdb_stub.sh
# both send to test the stub's register access: read the x87 and SSE
# control words (@@fpu), write XMM1 and read it back (@@xmm1), load FS
# with a null selector and with the GDT's data selector 0x10 (@@fs null,
# @@fs); the flushes make gdb read each register again from the stub.
gdb_state_cmds() {
	cat <<'CMDS'
printf "@@fpu fctrl=%#x mxcsr=%#x\n", (int)$fctrl, (int)$mxcsr
set var $xmm1.v4_int32[0] = 0x1234abcd
maintenance flush register-cache
printf "@@xmm1=%#x\n", $xmm1.v4_int32[0]
set var $fs = 0
maintenance flush register-cache
printf "@@fs null=%#x\n", $fs
set var $fs = 0x10
maintenance flush register-cache
printf "@@fs=%#x\n", $fs
CMDS
}

# gdb_fs_loaded GDB_OUTPUT: after gdb_state_cmds, FS read back 0, then 0x10.
gdb_fs_loaded() {
	grep -q '@@fs null=0$' "$1" && grep -q '@@fs=0x10' "$1"
}

# gdb_interrupt GDB POLL TRIES SETTLE: GDB on the script $tmp/cmds in the
# background ($gpid), its output in $tmp/gdb.out; when the script has run
# 'shell touch $tmp/continuing' (gdb's output to a file is buffered: it
# tells by a file that it continues; looked for every POLL seconds, TRIES
# times), SETTLE seconds later, ^C to it (SIGINT).  Not under timeout(1),
# which would pass SIGINT on twice (to gdb, and to its process group), and
# gdb gives up on a target after a second ^C: vtxctl's --timeout ends a
# session that hangs.
gdb_interrupt() {
	local i=0
	"$1" -nx -batch -x "$tmp/cmds" >"$tmp/gdb.out" 2>&1 &
	gpid=$!
	while [ ! -e "$tmp/continuing" ] && [ $i -lt "$3" ]; do
		sleep "$2"
		i=$((i + 1))
	done
	sleep "$4"
	kill -INT $gpid
}
