#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An unmodified Linux guest under 'vtxctl run': Debian's own kernel (the
# bzImage in linux/, the one the test VM boots) with a busybox initramfs
# boots to a shell on the serial console; the test types commands into
# vtxctl's stdin (a fifo), waiting for each answer: uname -r, the
# hypervisor flag in /proc/cpuinfo, the guest's TSC rate against the
# host's, a file written and read back; then 'poweroff -f', which must end
# vtxctl with status 0 (without ACPI the kernel halts with interrupts off).
# Figures: guest TSC ticks from the VM's creation to the first userspace
# output (the guest's /init reads its TSC, which vtxhv starts at zero), and
# the exits by reason until then (vtxctl stats while the guest waits at its
# prompt).
. "$(dirname "$0")/lib.sh"
. "$here/linux_guest.sh"

# Emulated seconds to wait for the boot (in Bochs about 7 wall seconds
# each), and for each command's answer.
BOOT_WAIT=${LINUX_BOOT_WAIT:-150}
CMD_WAIT=60
# Under shadow paging (linux_boot.sh:vtlb, linux_boot.sh:shadow) every
# first touch of a page and every page-table write of the guest exits:
# give it more time.  Figures are named after the mode.
mode=${VTXHV_PAGING:-ept}
if [ "$mode" != ept ]; then
	BOOT_WAIT=${LINUX_BOOT_WAIT:-400}
	CMD_WAIT=200
fi
CMDLINE="console=ttyS0 quiet nokaslr noapic nolapic tsc=reliable mitigations=off panic=-1"

plan 10
linux_guest_start --no-irqchip --stats ${VTXHV_PAGING:+--paging $VTXHV_PAGING} --mem 128M \
	--append "$CMDLINE"

up=0
wait_for "VTXHV-GUEST-UP" $BOOT_WAIT && up=1
check "boots_to_userspace" [ $up = 1 ]
tsc=$(sed -n 's/.*VTXHV-GUEST-UP tsc=\([0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
if [ $up = 1 ] && [ -n "$tsc" ]; then
	echo "# figure linux_boot_ticks_to_userspace_$mode $tsc guest TSC ticks"
	# Exits by reason until the prompt, from the module's counters.
	wait_for "guest# " $CMD_WAIT
	id=$("$VTXCTL" list | awk -v p="$pid" '$2 == p { print $1 }')
	if [ -n "$id" ] && "$VTXCTL" stats "$id" >"$tmp/stats" 2>&1; then
		sed 's/^/#   stats: /' "$tmp/stats"
		sed -n '/^total:/,$p' "$tmp/stats" | awk -v m="$mode" '
			/^total:/ { for (i = 1; i <= NF; i++)
				if ($(i) == "exits") print "# figure linux_boot_exits_" m, $(i - 1), "exits" }
			/^ *[0-9]+ [A-Z_]+ +[0-9]+$/ {
				print "# figure linux_boot_exits_" m "_" $2, $3, "exits" }
			/^  shadow paging:/ { for (i = 3; i < NF; i += 2)
				print "# figure linux_boot_shadow_" m "_" $(i), $(i + 1) }'
	fi
fi

check_guest_kernel_version

n=$((n + 1))
out=$(answer "grep -c -w hypervisor /proc/cpuinfo")
check "cpuinfo_has_hypervisor_flag" [ "$out" = 1 ]
n=$((n + 1))
out=$(answer "grep -c -w -e vmx -e x2apic /proc/cpuinfo")
check "cpuinfo_hides_vmx_and_x2apic" [ "$out" = 0 ]

# Floating point in the guest's userspace (SSE), 20 times, with the
# guest's FPU state kept across exits, interrupts and host context
# switches: each sum is exactly 100005000.
n=$((n + 1))
out=$(answer 'for i in $(seq 20); do awk "BEGIN { for (i = 1; i <= 20000; i++) s += i * 0.5; print s }"; done | sort | uniq -c')
diag "20 floating-point sums: $(echo $out)"
check "guest_fpu_sums_exact" [ "$(echo $out)" = "20 100005000" ]

check_guest_tsc_rate

n=$((n + 1))
out=$(answer "echo vtxhv-$$-data > /tmp/f && cat /tmp/f")
check "file_written_and_read_back" [ "$out" = "vtxhv-$$-data" ]

linux_guest_poweroff "poweroff -f"
check "poweroff_ends_vtxctl_status_0" [ "$rc" = 0 ]
check "no_unexpected_exit" sh -c "! grep -q -e 'triple fault' -e 'internal error' '$tmp/err'"
check "no_guest_kernel_error" sh -c "! tr -d '\r' <'$tmp/out' | grep -q -e 'Kernel panic' -e 'BUG:' -e 'Oops' -e 'WARNING:'"
sed 's/^/#   err: /' "$tmp/err"
tr -d '\r' <"$tmp/out" | tail -n 40 | sed 's/^/#   out: /'
# Exits seen by vtxctl over the whole run, boot to poweroff.
awk -v m="$mode" '/^(IO|MMIO|HLT|INTR|IRQ_WINDOW_OPEN) / { print "# figure linux_run_vtxctl_exits_" m "_" $1, $NF, "exits" }' "$tmp/err"
finish
