#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Linux on several vCPUs with the in-kernel irqchip: Debian's own kernel
# under 'vtxctl run --cpus N' (N = $VTXHV_CPUS, default 2; linux_smp.sh:4
# in tests/vm-suites) on vtxctl's default command line, which no longer
# has 'noapic nolapic'.  vCPU 0 boots; Linux finds the others in the ACPI
# MADT and starts each with INIT and SIPI.  Checks: nproc is N, a busy
# loop pinned to every CPU runs there, a burst of short-lived processes
# (TLB shootdowns, IPIs) completes, /proc/interrupts counts local timer
# interrupts and IPIs on every CPU, the kernel log has no ACPI error, and
# 'poweroff -f' (ACPI S5 through the PM1a control register) ends vtxctl with
# status 0.  Figure: guest TSC ticks to the first userspace output.  The
# guest is linux/bzImage (6.1), or the test VM's own kernel when
# 'make check-smp' put it in linux/host/.
. "$(dirname "$0")/lib.sh"
. "$here/linux_guest.sh"

cpus=${VTXHV_CPUS:-2}
BOOT_WAIT=${LINUX_BOOT_WAIT:-$((150 + 60 * cpus))}
CMD_WAIT=$((60 + 30 * cpus))

if [ -f "$L/host/bzImage" ]; then
	LINUX_BZIMAGE=$L/host/bzImage LINUX_VERSION=$(uname -r)
fi
plan 11
linux_guest_start --stats --cpus "$cpus" --append \
	"console=ttyS0 quiet nokaslr tsc=reliable mitigations=off panic=-1"

up=0
wait_for "VTXHV-GUEST-UP" $BOOT_WAIT && wait_for "guest# " $CMD_WAIT && up=1
check "boots_to_userspace_with_${cpus}_cpus" [ $up = 1 ]
tsc=$(sed -n 's/.*VTXHV-GUEST-UP tsc=\([0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
[ -n "$tsc" ] && echo "# figure linux_boot_ticks_to_userspace_${cpus}cpu $tsc guest TSC ticks"

check_guest_kernel_version

check_guest_tsc_rate

n=$((n + 1))
out=$(answer "nproc")
check "nproc_is_$cpus" [ "$out" = "$cpus" ]

# A busy loop pinned to each CPU: each reports the CPU it ran on
# (field 39 of /proc/self/stat).
n=$((n + 1))
out=$(answer 'i=0; while [ $i -lt '"$cpus"' ]; do taskset -c $i sh -c "j=0; while [ \$j -lt 3000 ]; do j=\$((j+1)); done; cut -d\" \" -f39 /proc/self/stat" & i=$((i+1)); done; wait')
diag "pinned loops ran on: $(echo $out)"
want=$(seq 0 $((cpus - 1)) | tr '\n' ' ')
check "pinned_busy_loop_on_every_cpu" [ "$(echo $out | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$want" ]

# Short-lived processes on every CPU writing a shared tmpfs file: forks,
# exits and munmaps that need TLB shootdowns between the CPUs.
n=$((n + 1))
out=$(answer 'i=0; while [ $i -lt 60 ]; do (echo x >> /tmp/shared) & i=$((i+1)); done; wait; wc -l < /tmp/shared')
check "ipi_heavy_burst_completes" [ "$out" = 60 ]

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
check "local_timer_interrupts_on_every_cpu" rows_ok LOC
# Rescheduling, function-call and TLB-shootdown IPIs.
check "ipis_on_every_cpu" rows_ok RES CAL TLB

n=$((n + 1))
out=$(answer "dmesg | grep -i -e 'ACPI.*Error' -e 'ACPI BIOS' -e 'No config space' -e 'Power off not' | head -5")
diag "kernel log: $out"
check "no_acpi_or_pci_error_in_guest_log" [ -z "$out" ]

linux_guest_poweroff "poweroff -f"
check "poweroff_ends_vtxctl_status_0" [ "$rc" = 0 ]
check "no_guest_kernel_error" sh -c "! tr -d '\r' <'$tmp/out' | grep -q -e 'Kernel panic' -e 'BUG:' -e 'Oops' -e 'WARNING:'"
sed 's/^/#   err: /' "$tmp/err"
tr -d '\r' <"$tmp/out" | tail -n 30 | sed 's/^/#   out: /'
# Returns to vtxctl over the whole run, boot to poweroff: with the
# irqchip, timer ticks and IPIs need none (docs/interrupts.md).
awk -v c="$cpus" '/^(IO|MMIO|HLT|INTR|IRQ_WINDOW_OPEN) / { print "# figure linux_smp_vtxctl_exits_" c "cpu_" $1, $NF, "exits" }' "$tmp/err"
finish
