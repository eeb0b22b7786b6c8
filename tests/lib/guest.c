// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of the test library: start-up in 64-bit mode (IDT,
 * exception stubs, XSAVE), ucalls to the host, and exception dispatch.
 * Everything here runs inside the guest, with no libc and no host.
 */
#include "tvm.h"

/* 64-bit IDT gate (SDM Vol. 3A 6.14.1). */
struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

struct isr_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define GUEST_VECTORS	64

static struct idt_gate guest_idt[GUEST_VECTORS] __attribute__((aligned(16)));
static guest_handler_t handlers[GUEST_VECTORS];
volatile uint64_t guest_last_vector, guest_last_error;

/* The GDT the host points GDTR at: null, 64-bit code, data, TSS. */
uint64_t tvm_guest_gdt[4] __attribute__((aligned(16))) = {
	[SEL_CODE / 8] = GDT_CODE64,
	[SEL_DATA / 8] = GDT_DATA,
	[SEL_TSS / 8] = GDT_TSS(0),	/* never loaded */
};

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	volatile struct ucall uc = {
		.cmd = cmd, .args = { a0, a1, a2, a3 },
	};

	outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void ucall_assert(const char *file, int line, const char *expr, uint64_t a0,
		  uint64_t a1)
{
	volatile struct ucall uc = {
		.cmd = UCALL_ABORT, .args = { a0, a1 },
		.file = file, .expr = expr, .line = line,
	};

	for (;;)
		outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void guest_set_handler(int vector, guest_handler_t handler)
{
	handlers[vector] = handler;
}

uint64_t guest_make_as(uint64_t tables, uint64_t data, int pages)
{
	uint64_t *pml4 = (uint64_t *)tables;
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512;
	uint64_t cr3;
	int i;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	for (i = 0; i < 512; i++)
		pml4[i] = ((uint64_t *)cr3)[i];
	pml4[1] = (uint64_t)pdpt | 3;
	for (i = 0; i < 512; i++)
		pdpt[i] = pd[i] = pt[i] = 0;
	pdpt[0] = (uint64_t)pd | 3;
	pd[0] = (uint64_t)pt | 3;
	for (i = 0; i < pages; i++)
		pt[i] = (data + i * 4096) | 3;
	return tables;
}

void guest_exception_dispatch(struct isr_frame *f);
void guest_exception_dispatch(struct isr_frame *f)
{
	struct ex_regs r = {
		.vector = f->vector, .error_code = f->error_code, .rip = f->rip,
		.rflags = f->rflags,
	};

	if (f->vector < GUEST_VECTORS && handlers[f->vector]) {
		handlers[f->vector](&r);
		f->rip = r.rip;
		f->rflags = r.rflags;
		return;
	}
	for (;;)
		ucall(UCALL_EXCEPTION, f->vector, f->rip, f->error_code, 0);
}

/* Vectors 8, 10-14, 17, 21 push an error code; the others get a 0. */
#define ISR_NOERR(n) \
	"isr" #n ": pushq $0\n pushq $" #n "\n jmp isr_common\n"
#define ISR_ERR(n) \
	"isr" #n ": pushq $" #n "\n jmp isr_common\n"

__asm__(".text\n"
	ISR_NOERR(0) ISR_NOERR(1) ISR_NOERR(2) ISR_NOERR(3) ISR_NOERR(4)
	ISR_NOERR(5) ISR_NOERR(6) ISR_NOERR(7) ISR_ERR(8) ISR_NOERR(9)
	ISR_ERR(10) ISR_ERR(11) ISR_ERR(12) ISR_ERR(13) ISR_ERR(14)
	ISR_NOERR(15) ISR_NOERR(16) ISR_ERR(17) ISR_NOERR(18) ISR_NOERR(19)
	ISR_NOERR(20) ISR_ERR(21) ISR_NOERR(22) ISR_NOERR(23) ISR_NOERR(24)
	ISR_NOERR(25) ISR_NOERR(26) ISR_NOERR(27) ISR_NOERR(28)
	ISR_NOERR(29) ISR_NOERR(30) ISR_NOERR(31)
	/* 32-63: external interrupts (test_interrupts) */
	ISR_NOERR(32) ISR_NOERR(33) ISR_NOERR(34) ISR_NOERR(35)
	ISR_NOERR(36) ISR_NOERR(37) ISR_NOERR(38) ISR_NOERR(39)
	ISR_NOERR(40) ISR_NOERR(41) ISR_NOERR(42) ISR_NOERR(43)
	ISR_NOERR(44) ISR_NOERR(45) ISR_NOERR(46) ISR_NOERR(47)
	ISR_NOERR(48) ISR_NOERR(49) ISR_NOERR(50) ISR_NOERR(51)
	ISR_NOERR(52) ISR_NOERR(53) ISR_NOERR(54) ISR_NOERR(55)
	ISR_NOERR(56) ISR_NOERR(57) ISR_NOERR(58) ISR_NOERR(59)
	ISR_NOERR(60) ISR_NOERR(61) ISR_NOERR(62) ISR_NOERR(63)
	"isr_common:\n"
	" push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
	" push %r8\n push %r9\n push %r10\n push %r11\n"
	" mov %rsp, %rdi\n"
	" call guest_exception_dispatch\n"
	" pop %r11\n pop %r10\n pop %r9\n pop %r8\n pop %rdi\n"
	" pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
	" add $16, %rsp\n"
	" iretq\n"
	".data\n"
	"isr_table: .quad isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7\n"
	" .quad isr8, isr9, isr10, isr11, isr12, isr13, isr14, isr15\n"
	" .quad isr16, isr17, isr18, isr19, isr20, isr21, isr22, isr23\n"
	" .quad isr24, isr25, isr26, isr27, isr28, isr29, isr30, isr31\n"
	" .quad isr32, isr33, isr34, isr35, isr36, isr37, isr38, isr39\n"
	" .quad isr40, isr41, isr42, isr43, isr44, isr45, isr46, isr47\n"
	" .quad isr48, isr49, isr50, isr51, isr52, isr53, isr54, isr55\n"
	" .quad isr56, isr57, isr58, isr59, isr60, isr61, isr62, isr63\n"
	".text\n");

extern uint64_t isr_table[GUEST_VECTORS];

static void guest_idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {
		sizeof(guest_idt) - 1, (uint64_t)(uintptr_t)guest_idt
	};
	int i;

	for (i = 0; i < GUEST_VECTORS; i++) {
		uint64_t a = isr_table[i];

		guest_idt[i] = (struct idt_gate){
			.off0 = a, .sel = 0x08, .type = 0x8e,
			.off1 = a >> 16, .off2 = a >> 32,
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Enable XSAVE and AVX state if the CPUID the host set offers them. */
static void guest_xsave_init(void)
{
	uint32_t a, b, c, d;
	uint64_t cr4;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1U << 26)))
		return;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1U << 18;	/* OSXSAVE */
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	cpuid(0xd, 0, &a, &b, &c, &d);
	a &= 7;			/* x87, SSE, AVX */
	__asm__ volatile("xsetbv" : : "a"(a), "d"(0), "c"(0));
}

void tvm_guest_start(void (*entry)(uint64_t), uint64_t arg);
void tvm_guest_start(void (*entry)(uint64_t), uint64_t arg)
{
	guest_idt_init();
	guest_xsave_init();
	entry(arg);
	for (;;)
		GUEST_DONE();
}
