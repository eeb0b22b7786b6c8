#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 'vtxctl run' end to end: the guest images of tests/guests (built into
# guests/ next to this script) run through vtxctl, checking what each
# prints and how each run ends: status 0 (every vCPU halted with IF=0),
# 2 (triple fault, with a register dump), 6 (internal error, with the
# instruction bytes), 124 (--timeout), odd values from the exit device,
# 64 (usage), 65 (image not loadable), 69 (module not loaded); --stats;
# --cpus 2; the multiboot command line and module; the devices (UART,
# debug console, exit device, fw_cfg, local-APIC page, unclaimed ports and
# MMIO, string I/O).  Status 4 (VM entry failure) cannot be produced from
# an image: the ioctl tests cover it.
. "$(dirname "$0")/lib.sh"

require_root
require_vmx
G=$here/guests
[ -f "$G/elf64.elf" ] || skip_all "guest images missing in $G (make -C tests)"
require_vtxctl
make_tmp

# vrun NAME ARGS...: 'vtxctl run ARGS', output in $tmp/NAME.out and
# $tmp/NAME.err, status in $rc, wall-clock seconds in $secs.
vrun() {
	local name=$1 t0
	shift
	t0=$(date +%s)
	"$VTXCTL" run "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	secs=$(($(date +%s) - t0))
	diag "$name: vtxctl run $*: status $rc in ${secs}s"
}

# show NAME: the run's output as diagnostics.
show() {
	sed 's/^/#   out: /' "$tmp/$1.out"
	sed 's/^/#   err: /' "$tmp/$1.err"
}

# status_is NAME N: the run ended with status N.
status_is() {
	[ "$rc" -eq "$2" ] && return 0
	diag "$1: status $rc, expected $2"
	show "$1"
	return 1
}

# out_is NAME TEXT: stdout is exactly TEXT (plus a final newline).
out_is() {
	printf '%s\n' "$2" >"$tmp/$1.want"
	cmp -s "$tmp/$1.out" "$tmp/$1.want" && return 0
	diag "$1: stdout differs from the expected:"
	sed 's/^/#   want: /' "$tmp/$1.want"
	show "$1"
	return 1
}

# err_has NAME TEXT: stderr has a line containing TEXT.
err_has() {
	grep -qF -- "$2" "$tmp/$1.err" && return 0
	diag "$1: stderr lacks \"$2\""
	show "$1"
	return 1
}

# stat_is NAME REASON N: --stats reports a total of N for REASON.
stat_is() {
	local got
	got=$(awk -v r="$2" '$0 ~ "^" r "  " { print $NF }' "$tmp/$1.err")
	[ "$got" = "$3" ] && return 0
	diag "$1: --stats total for '$2' is '$got', expected $3"
	show "$1"
	return 1
}

plan 45
dmesg_mark

# Real mode, flat: the UART (DLAB, scratch, LSR polling), HLT with IF=0.
vrun hello16 --mode real "$G/hello16.bin"
check "real_mode_flat_halts_status_0" status_is hello16 0
check "real_mode_uart_output" out_is hello16 "hello"

# Multiboot with the address fields: magic, memory, command line, module.
printf 'INITRD-0123456789abcdef' >"$tmp/initrd.img"
vrun mb --mem 64M --append "console=ttyS0 vtxhv=1" \
	--initrd "$tmp/initrd.img" "$G/hello32-mb.bin"
check "multiboot_exit_device_status_33" status_is mb 33
check "multiboot_mem_cmdline_initrd" out_is mb \
	"$(printf 'mem_upper=64512\ncmdline=console=ttyS0 vtxhv=1\ninitrd=INITRD-012345678')"
vrun mb_plain --mem 32M "$G/hello32-mb.bin"
check "multiboot_without_cmdline_or_module" out_is mb_plain "mem_upper=31744"

# ELF64, long mode: fw_cfg, CPUID, VMCALL, string I/O, the exit device.
vrun elf64 --stats "$G/elf64.elf"
check "elf64_exit_device_status_67" status_is elf64 67
check "elf64_fwcfg_cpuid_vmcall" out_is elf64 \
	"elf64: sig=QEMU ram=0000000004000000 cpus=0001 hv=1 vmx=0 lm=1 vmcall=ffffffffffffffda rdi=0"
check "stats_counts_hypercall" stat_is elf64 HYPERCALL 1
check "stats_counts_no_hlt" stat_is elf64 HLT 0
names_ok=1
for r in UNKNOWN IO MMIO HLT HYPERCALL SHUTDOWN FAIL_ENTRY INTERNAL_ERROR INTR; do
	grep -q "^$r " "$tmp/elf64.err" || { diag "--stats lacks $r"; names_ok=0; }
done
check "stats_names_every_exit_reason" [ $names_ok = 1 ]

# The same guest on shadow page tables: same output, and --stats adds the
# shadow paging counters; real mode, which shadow paging cannot run, is refused (64).
vrun elf64_shadow --paging shadow --stats "$G/elf64.elf"
check "paging_shadow_same_result" sh -c \
	"[ $rc -eq 67 ] && cmp -s '$tmp/elf64.out' '$tmp/elf64_shadow.out'"
check "paging_shadow_stats" err_has elf64_shadow "shadow paging: faults_fixed "
vrun shadow_real --paging shadow --mode real "$G/hello16.bin"
check "paging_shadow_real_mode_refused" sh -c "[ $rc -eq 64 ] &&
	grep -q 'a real-mode guest needs EPT paging' '$tmp/shadow_real.err'"

# ELF32, protected mode: the GDT, the initial ESP/EDI, the APIC page,
# unclaimed MMIO and ports, REP INSB.
vrun elf32 --stats "$G/elf32.elf"
check "elf32_halts_status_0" status_is elf32 0
check "elf32_gdt_apic_unclaimed_ins" out_is elf32 \
	"elf32: esp=04000000 edi=00000000 apic=00000000 mmio=00000000 p63=000000ff p1234w=0000ffff p1234l=ffffffff ins=e9e9e9e9"
check "stats_counts_unhandled_ports" stat_is elf32 "unhandled port I/O" 3
check "stats_counts_unhandled_mmio" stat_is elf32 "unhandled MMIO" 1
check "stats_reports_unhandled_port_once" \
	err_has elf32 "unhandled port I/O: read of 1 byte at port 0x63"

# Triple fault: status 2 and a register dump.
vrun triple "$G/triple.bin"
check "triple_fault_status_2" status_is triple 2
check "triple_fault_dumps_registers" sh -c \
	"grep -q 'triple fault' '$tmp/triple.err' && grep -q 'rax 000000007269706c' '$tmp/triple.err' && grep -q 'cr0 ' '$tmp/triple.err' && grep -q '^  cs 0008' '$tmp/triple.err'"

# Internal error: an ADD to MMIO, which the decoder does not take.
vrun unhandled "$G/unhandled.bin"
check "internal_error_status_6" status_is unhandled 6
check "internal_error_shows_instruction" \
	err_has unhandled "instruction bytes: f7 25 00 00 00 c0"
check "internal_error_stops_guest" out_is unhandled "unhandled: multiplying by MMIO"

# HLT with IF=1 resumes the guest; HLT with IF=0 ends it.
vrun hlt_if --stats "$G/hlt_if.bin"
check "hlt_with_if_resumes_then_status_0" status_is hlt_if 0
check "hlt_with_if_output" out_is hlt_if "$(printf 'before\nafter')"
check "stats_counts_two_hlts" stat_is hlt_if HLT 2

# --timeout on a spinning guest (emulated seconds).  It spins with IF=1:
# see tests/guests/spin.S for why not with interrupts off.
vrun spin --timeout 2 "$G/spin.bin"
check "timeout_status_124" status_is spin 124
check "timeout_within_bounds" [ "$secs" -ge 1 -a "$secs" -le 10 ]

# The keyboard controller's reset command ends the run with status 0 (how
# Linux's 'reboot -f' ends it), saying so on stderr.
vrun kbc_reset "$G/kbc_reset.bin"
check "kbc_reset_status_0" status_is kbc_reset 0
check "kbc_reset_stops_guest_and_says_so" sh -c \
	"[ \"\$(cat '$tmp/kbc_reset.out')\" = resetting ] && grep -q 'reset the machine' '$tmp/kbc_reset.err'"

# A terminal stdin: raw mode while the guest runs (no line editing, no
# echo; signals still work), restored when the run ends by --timeout and
# when SIGTERM kills vtxctl (pty_run runs it on a pseudo-terminal; the
# test VM's init does not mount devpts, so mount it here).
if [ ! -c /dev/pts/ptmx ]; then
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
fi
if [ -c /dev/pts/ptmx ] || [ -c /dev/ptmx ]; then
	"$here/pty_run" -q 1000 -- "$VTXCTL" run --timeout 3 "$G/spin.bin" \
		>"$tmp/pty1" 2>&1
	"$here/pty_run" -q 1000 -k 2000 -- "$VTXCTL" run --timeout 20 \
		"$G/spin.bin" >"$tmp/pty2" 2>&1
	sed 's/^/#   pty: /' "$tmp/pty1" "$tmp/pty2"
	check "tty_raw_while_running" \
		grep -q "^during: icanon=0 echo=0 isig=1" "$tmp/pty1"
	check "tty_restored_after_timeout" sh -c \
		"grep -q '^after: icanon=1 echo=1 isig=1' '$tmp/pty1' && grep -q '^status: 124' '$tmp/pty1'"
	check "tty_raw_before_sigterm" \
		grep -q "^during: icanon=0 echo=0 isig=1" "$tmp/pty2"
	check "tty_restored_after_sigterm" sh -c \
		"grep -q '^after: icanon=1 echo=1 isig=1' '$tmp/pty2' && grep -q '^status: 143' '$tmp/pty2'"
else
	for c in raw_while_running restored_after_timeout \
		 raw_before_sigterm restored_after_sigterm; do
		skip_one "tty_$c" "no pseudo-terminals (devpts)"
	done
fi

# Two vCPUs: both halt (status 0); one exits while the other spins.
vrun mp_hlt --cpus 2 --stats "$G/mp_hlt.bin"
check "two_vcpus_halt_status_0" status_is mp_hlt 0
sort "$tmp/mp_hlt.out" >"$tmp/mp_hlt.sorted"
check "two_vcpus_each_ran_with_its_index" \
	cmp -s "$tmp/mp_hlt.sorted" - <<EOF
cpu0 ok
cpu1 ok
EOF
check "stats_per_vcpu_columns" grep -q "vcpu1" "$tmp/mp_hlt.err"
vrun mp_exit --cpus 2 --timeout 60 "$G/mp_exit.bin"
check "exit_device_stops_spinning_vcpu_status_11" status_is mp_exit 11

# Usage errors: 64.
usage_ok=1
for args in "" "--mem 12X $G/spin.bin" "--mem 1000 $G/spin.bin" \
	    "--cpus 0 $G/spin.bin" "--mode flat $G/spin.bin" \
	    "--frobnicate $G/spin.bin" "--timeout -1 $G/spin.bin" \
	    "$G/spin.bin $G/spin.bin" "--cpus 99 $G/spin.bin"; do
	# shellcheck disable=SC2086
	"$VTXCTL" run $args >/dev/null 2>"$tmp/usage.err"
	rc=$?
	[ $rc -eq 64 ] || { diag "vtxctl run $args: status $rc"; usage_ok=0; }
done
check "usage_errors_status_64" [ $usage_ok = 1 ]

# Images that cannot be loaded: 65, with the loader's message.
vrun missing "$tmp/no-such-image"
check "missing_image_status_65" status_is missing 65
vrun elf_load --load 0x200000 "$G/elf64.elf"
check "load_option_on_elf_status_65" sh -c \
	"[ $rc -eq 65 ] && grep -q 'only to flat images' '$tmp/elf_load.err'"
vrun too_big --mem 1M "$G/spin.bin"
check "image_outside_ram_status_65" status_is too_big 65
vrun no_initrd --initrd "$tmp/no-such-initrd" "$G/hello32-mb.bin"
check "missing_initrd_status_65" status_is no_initrd 65

# Without the module: 69 and the message saying how to load it.
if ensure_unloaded; then
	vrun nomod "$G/spin.bin"
	check "module_not_loaded_status_69" sh -c \
		"[ $rc -eq 69 ] && grep -q 'module is not loaded' '$tmp/nomod.err'"
else
	not_ok "module_not_loaded_status_69 # could not unload vtxhv"
fi
ensure_loaded

check "kernel_log_clean" dmesg_clean
finish
