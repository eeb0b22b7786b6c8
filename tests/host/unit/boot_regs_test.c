// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the registers a vCPU of vtxctl run starts with
 * (userspace/boot_regs.c), mode by mode as its top comment and README.md
 * document them, and of the boot GDT of userspace/x86.h they rely on.
 */
#include <string.h>

#include "vtxhv_test.h"
#include "run.h"

#define GDT_PAGE	0xa0000ULL
#define STACK_TOP	0x4000000ULL

static struct load_result res;
static struct vtxhv_sregs s;
static struct vtxhv_regs r;

static void boot(enum guest_mode mode, uint64_t entry, uint64_t stack,
		 unsigned int id, unsigned int ncpus)
{
	res.mode = mode;
	res.entry = entry;
	res.stack = stack;
	boot_sregs(&s, &res, GDT_PAGE);
	boot_regs(&r, &res, id, ncpus);
}

/* Segments without hidden padding (uapi/vtxhv.h): bytes compare. */
#define SAME_SEG(a, b)	(!memcmp(&(a), &(b), sizeof(a)))

/*
 * The general registers: @want's, and every other one 0 (IF clear, the
 * fixed bit of RFLAGS set).
 */
static bool regs_are(struct vtxhv_regs want)
{
	want.rflags = X86_EFLAGS_FIXED;
	CHECK_EQ(r.rip, want.rip);
	CHECK_EQ(r.rsp, want.rsp);
	CHECK_EQ(r.rdi, want.rdi);
	CHECK(!memcmp(&r, &want, sizeof(r)));
	return true;
}

/* The fields every mode sets alike, and those it leaves alone. */
static bool common(void)
{
	CHECK(s.ldt.unusable);
	CHECK_EQ(s.cr2, 0);
	CHECK_EQ(s.cr8, 0);
	CHECK_EQ(s.interruptibility, 1);
	CHECK_EQ(s.reserved[0], 0xa5a5a5a5a5a5a5a5ULL);
	return true;
}

/* A data segment of real mode: selector 0, base 0, limit 64 KiB. */
static bool real_data(const struct vtxhv_segment *d)
{
	CHECK_EQ(d->selector, 0);
	CHECK_EQ(d->base, 0);
	CHECK_EQ(d->limit, 0xffff);
	CHECK_EQ(d->type, SEG_TYPE_DATA);
	CHECK(d->present && d->s && !d->db && !d->g);
	return true;
}

static bool real_mode_low_entry(void)
{
	boot(MODE_REAL, 0x7c00, LOADER_STACK_REAL, 0, 1);
	CHECK(common());
	CHECK_EQ(s.cr0, X86_CR0_ET);
	CHECK_EQ(s.cr3 | s.cr4 | s.efer, 0);
	CHECK_EQ(s.cs.selector, 0);
	CHECK_EQ(s.cs.base, 0);
	CHECK_EQ(s.cs.limit, 0xffff);
	CHECK_EQ(s.cs.type, SEG_TYPE_CODE);
	CHECK(real_data(&s.ds) && real_data(&s.es) && real_data(&s.fs) &&
	      real_data(&s.gs) && real_data(&s.ss));
	CHECK_EQ(s.idt.base, 0);
	CHECK_EQ(s.idt.limit, 0x3ff);		/* the real-mode IVT */
	CHECK(s.tr.present && s.tr.type == SEG_TYPE_TSS);
	CHECK(regs_are((struct vtxhv_regs){ .rip = 0x7c00, .rsp = 0x7c00 }));
	return true;
}

/* An entry at or above 64 KiB: CS:IP = (entry >> 4):(entry & 0xF). */
static bool real_mode_high_entry(void)
{
	boot(MODE_REAL, 0x12345, 0, 0, 1);
	CHECK_EQ(s.cs.selector, 0x1234);
	CHECK_EQ(s.cs.base, 0x12340);
	CHECK(regs_are((struct vtxhv_regs){ .rip = 5 }));	/* no stack */
	return true;
}

/* Flat segments from the GDT page, its TSS in the same page. */
static bool flat(bool lm)
{
	CHECK_EQ(s.cs.selector, SEL_CODE);
	CHECK_EQ(s.cs.base, 0);
	CHECK_EQ(s.cs.limit, 0xffffffff);
	CHECK_EQ(s.cs.type, SEG_TYPE_CODE);
	CHECK(s.cs.present && s.cs.s && s.cs.g);
	CHECK_EQ(s.cs.l, lm);
	CHECK_EQ(s.cs.db, !lm);
	CHECK_EQ(s.ss.selector, SEL_DATA);
	CHECK_EQ(s.ss.type, SEG_TYPE_DATA);
	CHECK(s.ss.db && s.ss.g && !s.ss.l && s.ss.limit == 0xffffffff);
	CHECK(SAME_SEG(s.ds, s.ss) && SAME_SEG(s.es, s.ss) &&
	      SAME_SEG(s.fs, s.ss) && SAME_SEG(s.gs, s.ss));
	CHECK_EQ(s.tr.selector, SEL_TSS);
	CHECK_EQ(s.tr.base, GDT_PAGE + GDT_TSS_OFFSET);
	CHECK_EQ(s.tr.limit, TSS_LIMIT);
	CHECK_EQ(s.tr.type, SEG_TYPE_TSS);
	CHECK_EQ(s.gdt.base, GDT_PAGE);
	CHECK_EQ(s.gdt.limit, SEL_TSS + 16 - 1);
	CHECK_EQ(s.idt.base | s.idt.limit, 0);	/* exceptions: triple fault */
	return true;
}

static bool protected_mode_multiboot(void)
{
	res.eax = 0x2badb002;
	res.ebx = 0x9500;
	boot(MODE_PROTECTED, 0x100000, STACK_TOP, 0, 1);
	CHECK(common());
	CHECK(flat(false));
	CHECK_EQ(s.cr0, X86_CR0_PE | X86_CR0_ET);
	CHECK_EQ(s.cr3 | s.cr4 | s.efer, 0);
	CHECK(regs_are((struct vtxhv_regs){ .rax = 0x2badb002, .rbx = 0x9500,
					    .rip = 0x100000,
					    .rsp = STACK_TOP }));
	return true;
}

static bool long_mode(void)
{
	res.cr3 = 0x200000;
	res.rsi = 0x7000;		/* a bzImage's zero page */
	boot(MODE_LONG, 0x100200, STACK_TOP, 0, 1);
	CHECK(common());
	CHECK(flat(true));
	CHECK_EQ(s.cr0, X86_CR0_PG | X86_CR0_PE | X86_CR0_NE | X86_CR0_ET);
	CHECK_EQ(s.cr4, X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	CHECK_EQ(s.efer, EFER_LME | EFER_LMA);
	CHECK_EQ(s.cr3, 0x200000);
	CHECK(regs_are((struct vtxhv_regs){ .rsi = 0x7000, .rip = 0x100200,
					    .rsp = STACK_TOP }));
	return true;
}

/* vCPU i: EDI = i, the stack area shared out, 16-byte aligned. */
static bool stacks_per_vcpu(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		boot(MODE_PROTECTED, 0x100000, STACK_TOP, i, 4);
		CHECK(regs_are((struct vtxhv_regs){ .rdi = i, .rip = 0x100000,
			.rsp = STACK_TOP - i * (LOADER_STACK_SIZE / 4) }));
	}
	for (i = 0; i < 3; i++) {
		boot(MODE_REAL, 0x7c00, LOADER_STACK_REAL, i, 3);
		CHECK_EQ(r.rsp, (LOADER_STACK_REAL -
				 i * (LOADER_STACK_SIZE_REAL / 3)) & ~15ULL);
		CHECK_EQ(r.rsp % 16, 0);
	}
	return true;
}

/*
 * An AP of the ACPI wake-up mailbox: long mode with NXE on the firmware's
 * GDT and tables (acpi.h), in its loop, RSI = the mailbox, EDI = its APIC
 * ID, no stack.
 */
static bool mp_wakeup_ap(void)
{
	mp_wakeup_regs(&s, &r, 3);
	CHECK(common());
	CHECK_EQ(s.cs.selector, SEL_CODE);
	CHECK(s.cs.l && !s.cs.db && s.cs.present);
	CHECK_EQ(s.ss.selector, SEL_DATA);
	CHECK_EQ(s.tr.base, FW_AP_GDT + GDT_TSS_OFFSET);
	CHECK_EQ(s.gdt.base, FW_AP_GDT);
	CHECK_EQ(s.gdt.limit, SEL_TSS + 16 - 1);
	CHECK_EQ(s.idt.base | s.idt.limit, 0);
	CHECK_EQ(s.cr0, X86_CR0_PG | X86_CR0_PE | X86_CR0_NE | X86_CR0_ET);
	CHECK_EQ(s.cr4, X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	CHECK_EQ(s.efer, EFER_LME | EFER_LMA | EFER_NXE);
	CHECK_EQ(s.cr3, FW_AP_TABLES);
	CHECK(regs_are((struct vtxhv_regs){ .rsi = FW_MAILBOX, .rdi = 3,
					    .rip = FW_AP_LOOP }));
	return true;
}

/* The hidden parts of x86_seg_flat() are what its descriptor says. */
static bool descriptor_matches(uint64_t d, const struct vtxhv_segment *seg)
{
	CHECK_EQ((d & 0xffff) | (d >> 48 & 0xf) << 16, 0xfffff);
	CHECK_EQ((d >> 16 & 0xffffff) | (d >> 56) << 24, seg->base);
	CHECK_EQ(d >> 40 & 0xf, seg->type);
	CHECK_EQ(d >> 44 & 1, seg->s);
	CHECK_EQ(d >> 45 & 3, seg->dpl);
	CHECK_EQ(d >> 47 & 1, seg->present);
	CHECK_EQ(d >> 53 & 1, seg->l);
	CHECK_EQ(d >> 54 & 1, seg->db);
	CHECK_EQ(d >> 55 & 1, seg->g);
	return true;
}

static bool boot_gdt_descriptors(void)
{
	struct vtxhv_segment c32 = x86_seg_flat(SEL_CODE, SEG_TYPE_CODE, false);
	struct vtxhv_segment c64 = x86_seg_flat(SEL_CODE, SEG_TYPE_CODE, true);
	struct vtxhv_segment d = x86_seg_flat(SEL_DATA, SEG_TYPE_DATA, false);
	uint64_t tss = GDT_TSS(0x12345678ULL);

	CHECK(descriptor_matches(GDT_CODE32, &c32));
	CHECK(descriptor_matches(GDT_CODE64, &c64));
	CHECK(descriptor_matches(GDT_DATA, &d));
	CHECK_EQ(tss & 0xffff, TSS_LIMIT);
	CHECK_EQ((tss >> 16 & 0xffffff) | (tss >> 56) << 24, 0x12345678);
	CHECK_EQ(tss >> 40 & 0xff, 0x80 | SEG_TYPE_TSS);	/* P, busy */
	return true;
}

/* Before each case: no image yet, and registers VTXHV_GET_* filled. */
static void reset(void)
{
	memset(&res, 0, sizeof(res));
	/* What VTXHV_GET_SREGS left: boot_sregs() must not touch these. */
	memset(&s, 0xa5, sizeof(s));
	s.interruptibility = 1;
	s.pending_event = 0;
	s.pending_error_code = 0;
	memset(&r, 0xa5, sizeof(r));
}

static const struct test_case tests[] = {
	TEST(real_mode_low_entry),
	TEST(real_mode_high_entry),
	TEST(protected_mode_multiboot),
	TEST(long_mode),
	TEST(stacks_per_vcpu),
	TEST(mp_wakeup_ap),
	TEST(boot_gdt_descriptors),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), reset);
}
