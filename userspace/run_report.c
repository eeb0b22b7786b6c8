// SPDX-License-Identifier: GPL-2.0
/*
 * What vtxctl run prints about how a vCPU ended, beyond its exit status:
 * the registers and the VMX details of a triple fault, a failed VM entry
 * or an internal error; and the counts of --stats at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <asm/vmx.h>

#include "nl.h"
#include "nl_format.h"
#include "run.h"
#include "x86.h"

static const char *vmx_exit_name(uint32_t reason)
{
	static const struct {
		uint32_t reason;
		const char *name;
	} names[] = { VMX_EXIT_REASONS };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].reason == (reason & 0xffff))
			return names[i].name;
	return "unknown";
}

/* VM-instruction errors a VM entry can report (SDM Vol. 3C 31.4). */
static const char *vm_insn_error_name(uint32_t err)
{
	switch (err) {
	case 4:
		return "VMLAUNCH with non-clear VMCS";
	case 5:
		return "VMRESUME with non-launched VMCS";
	case 6:
		return "VMRESUME after VMXOFF";
	case 7:
		return "VM entry with invalid control field(s)";
	case 8:
		return "VM entry with invalid host-state field(s)";
	case 26:
		return "VM entry with events blocked by MOV SS";
	default:
		return "see the Intel SDM, Vol. 3C 31.4";
	}
}

static const char *suberror_name(uint32_t sub)
{
	switch (sub) {
	case VTXHV_INTERNAL_UNHANDLED_EXIT:
		return "exit reason vtxhv does not handle";
	case VTXHV_INTERNAL_EMULATION:
		return "instruction not decoded";
	case VTXHV_INTERNAL_EPT_MISCONFIG:
		return "EPT misconfiguration";
	case VTXHV_INTERNAL_GUEST_MEMORY:
		return "instruction unreadable";
	default:
		return "unknown";
	}
}

static void dump_seg(const char *name, const struct vtxhv_segment *s)
{
	fprintf(stderr,
		"  %s %04x base %016llx limit %08x type %u s %u dpl %u p %u db %u l %u g %u%s\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->s, s->dpl, s->present, s->db, s->l, s->g,
		s->unusable ? " unusable" : "");
}

void dump_registers(const struct vcpu *v)
{
	struct vtxhv_regs r;
	struct vtxhv_sregs s;

	if (ioctl(v->fd, VTXHV_GET_REGS, &r) ||
	    ioctl(v->fd, VTXHV_GET_SREGS, &s)) {
		fprintf(stderr, "  (registers unreadable: %s)\n",
			strerror(errno));
		return;
	}
	fprintf(stderr,
		"  rip %016llx rsp %016llx rflags %016llx\n"
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx\n"
		"  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
		"  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
		"  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n"
		"  efer %016llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx, (unsigned long long)r.rsi,
		(unsigned long long)r.rdi, (unsigned long long)r.rbp,
		(unsigned long long)r.r8, (unsigned long long)r.r9,
		(unsigned long long)r.r10, (unsigned long long)r.r11,
		(unsigned long long)r.r12, (unsigned long long)r.r13,
		(unsigned long long)r.r14, (unsigned long long)r.r15,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	fprintf(stderr, "  gdt %016llx/%x idt %016llx/%x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}

void report_internal_error(const struct vcpu *v)
{
	const struct vtxhv_run *run = v->run;
	unsigned int i;

	fprintf(stderr,
		"%s run: vCPU %u: internal error: suberror %u (%s), exit reason %u (%s), qualification %#llx, gpa %#llx, rip %#llx\n",
		progname, v->id, run->internal.suberror,
		suberror_name(run->internal.suberror),
		run->internal.exit_reason,
		vmx_exit_name(run->internal.exit_reason),
		(unsigned long long)run->internal.qualification,
		(unsigned long long)run->internal.gpa,
		(unsigned long long)run->internal.rip);
	if (run->internal.insn_len) {
		fprintf(stderr, "  instruction bytes:");
		for (i = 0; i < run->internal.insn_len &&
			    i < sizeof(run->internal.insn); i++)
			fprintf(stderr, " %02x", run->internal.insn[i]);
		fprintf(stderr, "\n");
	}
}

void report_fail_entry(const struct vcpu *v)
{
	const struct vtxhv_run *run = v->run;
	uint32_t reason = run->fail_entry.exit_reason;
	uint32_t err = run->fail_entry.vm_instruction_error;

	/* Exit reason 0: VMLAUNCH/VMRESUME itself failed (VMfail). */
	fprintf(stderr,
		"%s run: vCPU %u: VM entry failed: exit reason %#x (%s), VM-instruction error %u (%s), qualification %#llx\n",
		progname, v->id, reason,
		reason ? vmx_exit_name(reason) : "VMLAUNCH/VMRESUME failed",
		err, err ? vm_insn_error_name(err) : "none",
		(unsigned long long)run->fail_entry.qualification);
	dump_registers(v);
}

/* The shadow paging counters of this process's VM, over netlink. */
static void print_shadow_stats(void)
{
	struct vtxhv_nl *nl = vtxhv_nl_open();
	struct vtxhv_vcpu_stats total;
	struct vtxhv_vm_info *vms = NULL;
	struct vtxhv_nl_error err;
	struct vtxhv_vm_stats st;
	size_t i, n = 0;

	if (!vtxhv_nl_list_vms(nl, &vms, &n, &err)) {
		for (i = 0; i < n && vms[i].pid != (uint32_t)getpid(); i++)
			;
		if (i < n && !vtxhv_nl_get_stats(nl, vms[i].id, &st, &err)) {
			stats_total(&st, &total);
			shadow_stats_print(stderr, total.shadow);
			fprintf(stderr, "  shadow pages in use: %llu\n",
				(unsigned long long)st.shadow_pages);
			vtxhv_vm_stats_free(&st);
		}
	}
	free(vms);
	vtxhv_nl_close(nl);
}

void print_stats(const struct vm *vm)
{
	struct rusage ru;
	unsigned int i, r;

	fprintf(stderr, "%-22s", "exit reason");
	for (i = 0; i < vm->ncpus; i++)
		fprintf(stderr, " %9s%-3u", "vcpu", i);
	fprintf(stderr, " %12s\n", "total");
	for (r = 0; r < NEXITS; r++) {
		uint64_t total = 0;

		fprintf(stderr, "%-22s",
			r == EXIT_OTHER ? "(other)" : exit_reason_name(r));
		for (i = 0; i < vm->ncpus; i++) {
			fprintf(stderr, " %12llu",
				(unsigned long long)vm->vcpus[i].exits[r]);
			total += vm->vcpus[i].exits[r];
		}
		fprintf(stderr, " %12llu\n", (unsigned long long)total);
	}
	fprintf(stderr, "%-22s %12llu\n%-22s %12llu\n", "unhandled port I/O",
		(unsigned long long)vm->devs.unhandled_pio, "unhandled MMIO",
		(unsigned long long)vm->devs.unhandled_mmio);
	fprintf(stderr, "%-22s %12llu\n%-22s %12llu\n", "interrupts injected",
		(unsigned long long)vm->vcpus[0].injected, "PIT IRQ 0 edges",
		(unsigned long long)vm->devs.irq0_edges);
	if (vm->paging != VTXHV_PAGING_EPT)
		print_shadow_stats();
	if (!getrusage(RUSAGE_SELF, &ru))
		fprintf(stderr, "%-22s %12.3f\n%-22s %12.3f\n",
			"wall seconds", vm->wall_ns / 1e9, "cpu seconds",
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}
