#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Timer interrupts through 'vtxctl run': the guest guests/pit_timer.bin
# programs the 8259A pair and the 8254 at 100 Hz, halts between IRQ 0
# interrupts and counts them over two seconds of the CMOS RTC.  Checks:
# the count is near 200, every interrupt woke a HLT, vtxctl's exit counts
# and PIT figures agree, and vtxctl used little host CPU while the guest
# halted (the HLT exit sleeps until the next timer deadline).
. "$(dirname "$0")/lib.sh"

require_root
require_vmx
G=$here/guests
[ -f "$G/pit_timer.bin" ] || skip_all "guest image missing in $G (make -C tests)"
require_vtxctl
make_tmp

plan 6
"$VTXCTL" run --stats --timeout 60 "$G/pit_timer.bin" </dev/null \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/#   out: /' "$tmp/out"
sed 's/^/#   err: /' "$tmp/err"

# stat_of NAME: a value of --stats (the last column of its line).
stat_of() {
	awk -v n="$1" 'index($0, n) == 1 { v = $NF } END { print v + 0 }' \
		"$tmp/err"
}
ticks=$(sed -n 's/^ticks=\([0-9]*\) .*/\1/p' "$tmp/out")
halts=$(sed -n 's/.* halts=\([0-9]*\)$/\1/p' "$tmp/out")
ticks=${ticks:-0} halts=${halts:-0}
injected=$(stat_of "interrupts injected")
edges=$(stat_of "PIT IRQ 0 edges")
wall=$(stat_of "wall seconds")
cpu=$(stat_of "cpu seconds")
# Host CPU per wall second, in percent.
cpu_pct=$(awk -v c="$cpu" -v w="$wall" \
	'BEGIN { printf "%d", (w > 0) ? 100 * c / w : 100 }')

check "status_0_after_counting" [ "$rc" -eq 0 ]
# 100 Hz over two RTC seconds: 200.  Late wake-ups of a slow host merge
# edges (fewer interrupts), never add them.
check "ticks_in_two_rtc_seconds_near_200" [ "$ticks" -ge 170 -a "$ticks" -le 202 ]
check "each_tick_woke_a_halt" [ "$halts" -ge "$ticks" -a "$halts" -le $((ticks + 2)) ]
check "vtxctl_injected_what_the_pit_raised" \
	[ "$injected" -ge "$ticks" -a "$injected" -le "$edges" ]
check "pit_edges_over_the_whole_run" [ "$edges" -ge "$ticks" ]
# The guest halts nearly all the time: vtxctl must sleep, not spin.
check "host_cpu_low_while_guest_halts" [ "$cpu_pct" -le 25 ]
echo "# figure pit_timer_ticks_2s $ticks interrupts"
echo "# figure pit_timer_halts_2s $halts halts"
echo "# figure pit_timer_host_cpu_seconds $cpu s"
echo "# figure pit_timer_host_cpu $cpu_pct percent"
echo "# figure pit_timer_wall $wall s"
finish
