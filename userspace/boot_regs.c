// SPDX-License-Identifier: GPL-2.0
/*
 * The registers a vCPU of vtxctl run starts with, by the mode the image
 * starts in:
 *
 *   real mode (a flat image with --mode real)
 *     CR0 = ET (PE and PG off), CR4 = 0, EFER = 0.  An entry below 64 KiB
 *     starts at CS:IP = 0:entry, a higher one at CS:IP = (entry >> 4):
 *     (entry & 0xF).  DS = ES = FS = GS = SS = 0 (base 0, limit 0xFFFF).
 *     SS:SP = 0:0x7C00 if the 4 KiB below it are free, else SP = 0.
 *     IDTR = base 0, limit 0x3FF (the real-mode vector table).
 *
 *   protected mode (a flat image with --mode protected or no --mode, ELF32,
 *   multiboot)
 *     CR0 = PE | ET (paging off), CR4 = 0, EFER = 0.  CS = 0x08 (32-bit
 *     code), DS = ES = FS = GS = SS = 0x10 (data), all base 0 and limit
 *     4 GiB, TR = 0x18, from the GDT page (cmd_run.c).  EIP = the entry point, ESP =
 *     the top of RAM (at most 4 GiB, 16-byte aligned) if the 64 KiB below
 *     it are free, else 0.  Multiboot (spec 3.2): EAX = 0x2BADB002, EBX =
 *     the multiboot information structure.
 *
 *   long mode (a flat image with --mode long, ELF64)
 *     CR0 = PG | PE | NE | ET, CR4 = PAE | OSFXSR | OSXMMEXCPT (so that
 *     compiled code may use SSE), EFER = LME | LMA, CR3 = 4-level page
 *     tables from the loader that identity-map RAM below 4 GiB with 2 MiB
 *     pages.  CS = 0x08 (64-bit code), data segments 0x10, TR = 0x18 (a
 *     64-bit TSS).  RIP = the entry point, RSP as in protected mode.
 *
 *   an AP waiting in the ACPI wake-up mailbox (acpi.h, mp_wakeup.c)
 *     long mode as above on the firmware's GDT (FW_AP_GDT) and page
 *     tables (FW_AP_TABLES), and EFER.NXE too; RIP = FW_AP_LOOP, RSI =
 *     FW_MAILBOX, EDI = the AP's APIC ID, RSP = 0 (the loop needs no
 *     stack).  NXE because Linux's trampoline_start64 (6.12 seen) stays
 *     in long mode, loads its own page tables, whose direct map sets XD,
 *     and pushes on its stack before it writes EFER: with NXE clear, XD
 *     is a reserved bit and the push a page fault, with no IDT yet.
 *
 *   every mode
 *     RFLAGS = 0x2 (interrupts disabled); general registers 0 except the
 *     ones named above and EDI/RDI, which holds the vCPU index (0 to
 *     --cpus - 1: every vCPU starts at the entry point).  The stack area
 *     above (4 KiB real mode, 64 KiB otherwise) is shared out: vCPU i's
 *     stack pointer is the initial one minus i * (area / --cpus), rounded
 *     down to 16 bytes.  IDTR is empty (base 0, limit 0) outside real mode,
 *     so any exception triple-faults (exit status 2) until the guest loads
 *     its own IDT.
 */
#include <string.h>

#include "acpi.h"
#include "boot_regs.h"
#include "x86.h"

void boot_sregs(struct vtxhv_sregs *s, const struct load_result *r,
		uint64_t gdt)
{
	bool lm = r->mode == MODE_LONG;

	s->ldt = (struct vtxhv_segment){ .unusable = 1 };
	s->cr2 = 0;
	s->cr8 = 0;
	if (r->mode == MODE_REAL) {
		uint16_t cs = r->entry < 0x10000 ? 0 : r->entry >> 4;

		s->cs = x86_seg_real(cs, SEG_TYPE_CODE);
		s->ds = s->es = s->fs = s->gs = s->ss =
			x86_seg_real(0, SEG_TYPE_DATA);
		s->tr = (struct vtxhv_segment){ .limit = 0xffff,
			.type = SEG_TYPE_TSS, .present = 1 };
		s->gdt = (struct vtxhv_dtable){ .base = 0, .limit = 0xffff };
		s->idt = (struct vtxhv_dtable){ .base = 0, .limit = 0x3ff };
		s->cr0 = X86_CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
		return;
	}
	x86_sregs_flat(s, lm, gdt, SEL_TSS + 16 - 1, gdt + GDT_TSS_OFFSET);
	if (lm) {
		s->cr0 = X86_CR0_PG | X86_CR0_PE | X86_CR0_NE | X86_CR0_ET;
		s->cr3 = r->cr3;
		s->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
		s->efer = EFER_LME | EFER_LMA;
	} else {
		s->cr0 = X86_CR0_PE | X86_CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
	}
}

static uint64_t vcpu_stack(const struct load_result *r, unsigned int id,
			   unsigned int ncpus)
{
	uint64_t area = r->mode == MODE_REAL ? LOADER_STACK_SIZE_REAL :
					       LOADER_STACK_SIZE;

	if (!r->stack)
		return 0;
	return (r->stack - id * (area / ncpus)) & ~15ULL;
}

void boot_regs(struct vtxhv_regs *regs, const struct load_result *r,
	       unsigned int id, unsigned int ncpus)
{
	memset(regs, 0, sizeof(*regs));
	regs->rax = r->eax;
	regs->rbx = r->ebx;
	regs->rsi = r->rsi;
	regs->rdi = id;
	regs->rsp = vcpu_stack(r, id, ncpus);
	regs->rflags = X86_EFLAGS_FIXED;
	regs->rip = r->entry;
	if (r->mode == MODE_REAL && r->entry >= 0x10000)
		regs->rip = r->entry & 0xf;
}

void mp_wakeup_regs(struct vtxhv_sregs *s, struct vtxhv_regs *regs,
		    uint32_t apic_id)
{
	const struct load_result fw = {
		.mode = MODE_LONG, .entry = FW_AP_LOOP, .rsi = FW_MAILBOX,
		.cr3 = FW_AP_TABLES,
	};

	boot_sregs(s, &fw, FW_AP_GDT);
	s->efer |= EFER_NXE;
	boot_regs(regs, &fw, apic_id, 1);
}
