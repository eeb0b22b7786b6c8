#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libvtxhv's examples (examples/, built into examples/ beside the tests'
# directory): each runs on the module and prints what its guest did,
# which is checked here: hello's line, count-exits' counts on both sides
# (the guest's 100 CPUIDs, 10 OUTs, 5 MMIO writes, 1 HLT), mmio-device's
# answer (55, computed through the toy device), paging-modes' sums in
# ept, vtlb and shadow and the shadow counters that set the modes apart.
# The examples link libvtxhv.so.0, so this also runs the shared library.
. "$(dirname "$0")/lib.sh"

require_root
require_vmx
E=$here/../examples
[ -x "$E/hello" ] || skip_all "examples missing in $E (make examples)"
ensure_loaded || skip_all "vtxhv could not be loaded"
make_tmp

# ex NAME ARGS...: run example NAME, output in $tmp/NAME.out and .err,
# status in $rc.
ex() {
	local name=$1 t0
	shift
	t0=$(date +%s)
	"$E/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	diag "$name $*: status $rc in $(($(date +%s) - t0))s"
	sed 's/^/#   out: /' "$tmp/$name.out"
	sed 's/^/#   err: /' "$tmp/$name.err"
}

# count NAME SECTION LABEL: the number after LABEL in the given section of
# count-exits' output (1: this program's exits, 2: the module's).
count() {
	awk -v sect="$2" -v label="$3" '
		/^exits/ { s++ }
		s == sect && $1 == label { print $2 }' "$tmp/$1.out"
}

# line_of MODE: paging-modes' line for MODE.
line_of() {
	awk -v m="$1" '$1 == m' "$tmp/paging-modes.out"
}

plan 10

hello_ok() {
	[ "$rc" -eq 0 ] &&
	printf 'Hello from a 16-bit guest on vtxhv!\nthe guest halted\n' |
		cmp -s - "$tmp/hello.out"
}
ex hello
check hello_prints_and_halts hello_ok

user_counts_ok() {
	[ "$(count count-exits 1 IO)" = 10 ] &&
	[ "$(count count-exits 1 MMIO)" = 5 ] &&
	[ "$(count count-exits 1 HLT)" = 1 ]
}
module_counts_ok() {
	[ "$(count count-exits 2 IO_INSTRUCTION)" = 10 ] &&
	[ "$(count count-exits 2 HLT)" = 1 ]
}
ex count-exits
check count_exits_runs [ "$rc" -eq 0 ]
check user_exits_counted user_counts_ok
check module_counted_cpuid [ "$(count count-exits 2 CPUID)" = 100 ]
check module_counted_io_and_hlt module_counts_ok

mmio_ok() {
	[ "$rc" -eq 0 ] &&
	grep -qxF 'the guest reported 55 (1*1 + 2*2 + ... + 5*5 = 55)' \
		"$tmp/mmio-device.out" &&
	grep -qxF 'device: 11 writes, 6 reads' "$tmp/mmio-device.out"
}
ex mmio-device
check mmio_device_answers mmio_ok

# paging-modes' columns: mode sum ok exits cr3-loads new-roots faults
# wp-traps us.  EPT has no shadow counters; both shadow modes see every
# CR3 load of the 400 rounds; vtlb builds a new root at each and never
# write-protects, the cached shadow reuses its 4 roots and traps the
# guest's page-table writes.
mode_ok() {
	line_of "$1" | awk "\$2 == 600 && \$3 == \"ok\" && $2 { f = 1 }
			    END { exit !f }"
}
ex paging-modes
check paging_modes_runs [ "$rc" -eq 0 ]
check ept_translates mode_ok ept '$5 == 0 && $6 == 0'
check vtlb_rebuilds_per_cr3_load mode_ok vtlb \
	'$5 >= 400 && $6 >= 400 && $8 == 0'
check shadow_caches_roots_traps_writes mode_ok shadow \
	'$5 >= 400 && $6 <= 8 && $8 > 0'
finish
