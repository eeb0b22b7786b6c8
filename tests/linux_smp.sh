#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Linux on several vCPUs with the in-kernel irqchip: Debian's own kernel
# under 'vtxctl run --cpus N' (N = $VTXHV_CPUS, default 2; linux_smp.sh:4
# in tests/vm-suites) on vtxctl's default command line, which no longer
# has 'noapic nolapic'.  vCPU 0 boots; Linux finds the others in the ACPI
# MADT and starts each with INIT and SIPI, or, given the ACPI wake-up
# mailbox, by writing its trampoline's address there.  Checks: nproc is
# N, a busy loop pinned to every CPU runs there, a burst of short-lived
# processes (TLB shootdowns, IPIs) completes, /proc/interrupts counts
# local timer interrupts and IPIs on every CPU, the kernel log has no ACPI
# error, and 'poweroff -f' (ACPI S5 through the PM1a control register)
# ends vtxctl with status 0.  Figure: guest TSC ticks to the first
# userspace output.  The guest is linux/bzImage (6.1), or the test VM's
# own kernel when 'make check-smp' put it in linux/host/.
#
# VTXHV_PAGING (linux_smp.sh:shadow:2) is the VM's paging mode, default
# ept; VTXHV_AP_WAKEUP, sipi or mailbox, forces vtxctl's --ap-wakeup,
# whose default is sipi with ept and mailbox in the shadow modes, where
# there is no real mode for a SIPI.  Check and figure names carry the
# mode and a forced wake-up (_shadow, _mailbox).  With the mailbox two
# more checks: Linux's request is in it (Command 0: its AP took it,
# ApicId an AP's, WakeupVector below 1 MiB), and the guest kernel log shows
# the MADT's wake-up entry where the kernel prints it (before 6.9; later
# kernels print it only at pr_debug).  A module that runs one vCPU per VM
# in the shadow modes is a skip.
. "$(dirname "$0")/lib.sh"
. "$here/linux_guest.sh"

cpus=${VTXHV_CPUS:-2}
mode=${VTXHV_PAGING:-ept}
wakeup=${VTXHV_AP_WAKEUP:-sipi}
[ "$mode" != ept ] && wakeup=${VTXHV_AP_WAKEUP:-mailbox}
ptag=
[ "$mode" != ept ] && ptag=_$mode
tag=$ptag
[ -n "${VTXHV_AP_WAKEUP:-}" ] && tag=${tag}_$wakeup
BOOT_WAIT=${LINUX_BOOT_WAIT:-$((150 + 60 * cpus))}
CMD_WAIT=$((60 + 30 * cpus))
# Shadow paging: every first touch and page-table write exits.
if [ "$mode" != ept ]; then
	BOOT_WAIT=${LINUX_BOOT_WAIT:-$((400 + 100 * cpus))}
	CMD_WAIT=$((200 + 50 * cpus))
fi
# The wake-up mailbox vtxctl puts in the MADT (userspace/acpi.h).
MAILBOX=0xf8000

if [ -f "$L/host/bzImage" ]; then
	LINUX_BZIMAGE=$L/host/bzImage LINUX_VERSION=$(uname -r)
fi
linux_guest_start --stats --cpus "$cpus" ${VTXHV_PAGING:+--paging "$VTXHV_PAGING"} \
	${VTXHV_AP_WAKEUP:+--ap-wakeup "$VTXHV_AP_WAKEUP"} --append \
	"console=ttyS0 quiet nokaslr tsc=reliable mitigations=off panic=-1"

up=0
wait_for "VTXHV-GUEST-UP" $BOOT_WAIT && wait_for "guest# " $CMD_WAIT && up=1
[ $up = 0 ] && grep -q "one vCPU per VM" "$tmp/err" &&
	skip_all "$(head -n 1 "$tmp/err")"
if [ "$wakeup" = mailbox ]; then plan 13; else plan 11; fi
check "boots_to_userspace_with_${cpus}_cpus$tag" [ $up = 1 ]
tsc=$(sed -n 's/.*VTXHV-GUEST-UP tsc=\([0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
[ -n "$tsc" ] && echo "# figure linux_boot_ticks_to_userspace_${cpus}cpu$tag $tsc guest TSC ticks"

check_guest_kernel_version

check_guest_tsc_rate

n=$((n + 1))
out=$(answer "nproc")
check "nproc_is_$cpus$tag" [ "$out" = "$cpus" ]

# A busy loop pinned to each CPU: each reports the CPU it ran on
# (field 39 of /proc/self/stat).
n=$((n + 1))
out=$(answer 'i=0; while [ $i -lt '"$cpus"' ]; do taskset -c $i sh -c "j=0; while [ \$j -lt 3000 ]; do j=\$((j+1)); done; cut -d\" \" -f39 /proc/self/stat" & i=$((i+1)); done; wait')
diag "pinned loops ran on: $(echo $out)"
want=$(seq 0 $((cpus - 1)) | tr '\n' ' ')
check "pinned_busy_loop_on_every_cpu$tag" [ "$(echo $out | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$want" ]

# Short-lived processes on every CPU writing a shared tmpfs file: forks,
# exits and munmaps that need TLB shootdowns between the CPUs.
n=$((n + 1))
out=$(answer 'i=0; while [ $i -lt 60 ]; do (echo x >> /tmp/shared) & i=$((i+1)); done; wait; wc -l < /tmp/shared')
check "ipi_heavy_burst_completes$tag" [ "$out" = 60 ]

n=$((n + 1))
out=$(answer "cat /proc/interrupts")
echo "$out" | sed 's/^/#   interrupts: /'
# rows_ok ROW...: the rows' counts, summed per CPU, are non-zero on each.
rows_ok() {
	echo "$out" | awk -v rows=" $* " -v n="$cpus" '
		index(rows, " " substr($1, 1, length($1) - 1) " ") {
			seen++; for (i = 2; i <= n + 1; i++) sum[i] += $i }
		END { if (!seen) exit 1
		      for (i = 2; i <= n + 1; i++) if (!sum[i]) exit 1 }'
}
check "local_timer_interrupts_on_every_cpu$tag" rows_ok LOC
# Rescheduling, function-call and TLB-shootdown IPIs.
check "ipis_on_every_cpu$tag" rows_ok RES CAL TLB

# With the mailbox, Linux 6.9 and later zero its address in the MADT
# (acpi_mp_disable_offlining(): no kexec kernel may use it) without
# fixing the checksum, and ACPICA then finds the APIC table's checksum off
# by exactly those bytes: Linux's own write, not vtxctl's table.
n=$((n + 1))
[ "$wakeup" = mailbox ] && own="Incorrect checksum in table \\[APIC\\]" ||
	own="^$"
out=$(answer "dmesg | grep -i -e 'ACPI.*Error' -e 'ACPI BIOS' -e 'No config space' -e 'Power off not' | grep -v '$own' | head -5")
diag "kernel log: $out"
check "no_acpi_or_pci_error_in_guest_log$tag" [ -z "$out" ]

# mailbox_ok COMMAND APICID VECTOR: what Linux's last request left.
mailbox_ok() {
	[ $# = 3 ] || return 1
	case "$*" in *[!0-9a-fA-Fx\ ]*) return 1 ;; esac
	[ $(($1)) = 0 ] && [ $(($2)) -ge 1 ] && [ $(($2)) -lt "$cpus" ] &&
		[ $(($3)) -gt 0 ] && [ $(($3)) -lt $((0x100000)) ]
}
if [ "$wakeup" = mailbox ]; then
	n=$((n + 1))
	out=$(answer "devmem $MAILBOX 16; devmem $((MAILBOX + 4)) 32; devmem $((MAILBOX + 8)) 64")
	diag "mailbox: command, APIC ID, wakeup vector: $(echo $out)"
	check "linux_woke_aps_through_mailbox$ptag" mailbox_ok $out
	n=$((n + 1))
	out=$(answer "dmesg | grep -e 'MADT entry (type = 0x10)' -e 'MP Wakeup'")
	diag "kernel log: $out"
	case ${LINUX_VERSION:-$(cat "$L/version")} in
	[1-5].*|6.[0-8].*)
		check "guest_log_shows_mp_wakeup_entry$ptag" [ -n "$out" ] ;;
	*)
		skip_one "guest_log_shows_mp_wakeup_entry$ptag" \
			"Linux 6.9 and later print the entry only at pr_debug" ;;
	esac
fi

linux_guest_poweroff "poweroff -f"
check "poweroff_ends_vtxctl_status_0$tag" [ "$rc" = 0 ]
check "no_guest_kernel_error$tag" sh -c "! tr -d '\r' <'$tmp/out' | grep -q -e 'Kernel panic' -e 'BUG:' -e 'Oops' -e 'WARNING:'"
sed 's/^/#   err: /' "$tmp/err"
tr -d '\r' <"$tmp/out" | tail -n 30 | sed 's/^/#   out: /'
# Returns to vtxctl over the whole run, boot to poweroff: with the
# irqchip, timer ticks and IPIs need none (docs/interrupts.md).
awk -v c="$cpus" -v t="$tag" '/^(IO|MMIO|HLT|INTR|IRQ_WINDOW_OPEN) / { print "# figure linux_smp_vtxctl_exits_" c "cpu" t "_" $1, $NF, "exits" }' "$tmp/err"
finish
