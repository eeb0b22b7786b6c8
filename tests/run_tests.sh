#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run vtxhv tests the way the kernel's kselftest runner does: one TAP 13
# stream, each test's own TAP output nested behind "# ", and one line per
# test: "ok N selftests: vtxhv: NAME", "not ok ..." or "ok ... # SKIP".
#
#   run_tests.sh [-t SECONDS] [TEST...]   default: every test in test-list
#   TESTDIR=DIR[:DIR...] run_tests.sh ... run the tests of other directories:
#                                         each TEST from the first DIR that
#                                         has it, in the first DIR
#
# TEST:MODE runs TEST with its VMs in paging mode MODE (VTXHV_PAGING=MODE:
# ept, vtlb or shadow), reported under the name TEST:MODE; TEST:N, a
# number, runs it with N vCPUs where it takes a count (VTXHV_CPUS=N);
# TEST:MODE:N both.
#
# A TEST that is missing fails.  A C test that did not build leaves its
# compiler's errors in TEST.err instead (tests/host/Makefile): they are
# printed as the reason.
#
# Exit status: 0 when no test failed, 1 otherwise.
dirs=${TESTDIR:-$(dirname "$0")}
# Tests run in the first directory; $path is it and the others, absolute.
path=.
rest=${dirs#*:}
[ "$rest" = "$dirs" ] && rest=
IFS=:
for d in $rest; do
	d=$(cd "$d" 2>/dev/null && pwd) && path=$path:$d
done
unset IFS
cd "${dirs%%:*}" || exit 1

# in_path FILE: DIR/FILE for the first directory of $path that has FILE.
in_path() {
	IFS=:
	for d in $path; do
		[ -e "$d/$1" ] && { unset IFS; echo "$d/$1"; return 0; }
	done
	unset IFS
	return 1
}

# A test that timed out may have hung in the kernel: the blocked tasks'
# and every CPU's stacks (SysRq w and l, where this may write them) and
# the kernel log's tail go with its output.
hung_diag() {
	[ -w /proc/sysrq-trigger ] || return 0
	echo w > /proc/sysrq-trigger
	echo l > /proc/sysrq-trigger
	sleep 1
	dmesg | tail -n 80 | sed 's/^/# dmesg: /'
}

limit=300
if [ "${1:-}" = -t ]; then
	limit=$2
	shift 2
fi
tests=${*:-$(cat test-list)}
count=0
for t in $tests; do count=$((count + 1)); done

echo "TAP version 13"
echo "1..$count"
n=0 failed=0
for t in $tests; do
	n=$((n + 1))
	echo "# selftests: vtxhv: $t"
	prog=${t%%:*} cpus=${VTXHV_CPUS:-} mode=
	IFS=:
	for f in ${t#"$prog"}; do
		case $f in
		''|*[!0-9]*) mode=$f ;;
		*) cpus=$f ;;
		esac
	done
	unset IFS
	if ! exe=$(in_path "$prog") || [ ! -x "$exe" ]; then
		if err=$(in_path "$prog.err"); then
			sed 's/^/# /' "$err"
			echo "not ok $n selftests: vtxhv: $t # did not build"
		else
			echo "not ok $n selftests: vtxhv: $t # no such test"
		fi
		failed=1
		continue
	fi
	rcfile=/tmp/vtxhv-test.$$.rc
	{ VTXHV_PAGING=${mode:-${VTXHV_PAGING:-}} VTXHV_CPUS=$cpus \
		timeout "$limit" "$exe" 2>&1
	  echo $? > $rcfile; } | sed 's/^/# /'
	rc=$(cat $rcfile)
	rm -f $rcfile
	case $rc in
	0) echo "ok $n selftests: vtxhv: $t" ;;
	4) echo "ok $n selftests: vtxhv: $t # SKIP" ;;
	124) hung_diag
	     echo "not ok $n selftests: vtxhv: $t # TIMEOUT $limit seconds"
	     failed=1 ;;
	*) echo "not ok $n selftests: vtxhv: $t # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
