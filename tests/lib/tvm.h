/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test library: host helpers to create a VM through /dev/vtxhv and run
 * guest code, and the guest side (ucalls, assertions) in the spirit of the
 * KVM selftests.  A test is a guest_code() function and a host main() in
 * one statically linked file: the test binary's own segments are loaded
 * into guest memory at their link addresses and identity-mapped, so guest
 * code is ordinary C called in 64-bit mode.
 */
#ifndef VTXHV_TVM_H
#define VTXHV_TVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>
#include <sys/ioctl.h>

#include "vtxhv.h"
#include "x86.h"	/* exit_reason_name(), paging_name(), segments */

/* --- guest side -------------------------------------------------------- */

#define UCALL_PORT	0xe0

enum {
	UCALL_NONE,
	UCALL_SYNC,	/* GUEST_SYNC(arg): a checkpoint the host checks */
	UCALL_DONE,	/* GUEST_DONE(): the guest finished */
	UCALL_ABORT,	/* GUEST_ASSERT failed: file, line, expression */
	UCALL_EXCEPTION,/* an exception no handler took: vector, rip, code */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[4];
	const char *file;
	const char *expr;
	uint64_t line;
};

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void ucall_assert(const char *file, int line, const char *expr, uint64_t a0,
		  uint64_t a1);

#define GUEST_SYNC(arg)		ucall(UCALL_SYNC, (arg), 0, 0, 0)
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0, 0, 0)
#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			ucall_assert(__FILE__, __LINE__, #cond, 0, 0);	\
	} while (0)
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (a), __b = (b);				\
		if (__a != __b)						\
			ucall_assert(__FILE__, __LINE__, #a " == " #b,	\
				     __a, __b);				\
	} while (0)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

/* RDMSR and WRMSR; after a #GP a handler skipped, RDMSR returns 0. */
static inline uint64_t rdmsr(uint32_t idx)
{
	uint32_t lo = 0, hi = 0;

	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(idx));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			 uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

/*
 * Exceptions in the guest: a handler installed with guest_set_handler()
 * gets the vector, error code, the faulting RIP and the RFLAGS the event
 * pushed, and may change the RIP to resume at (e.g. past the faulting
 * instruction) and the RFLAGS.  Without one, the
 * guest reports UCALL_EXCEPTION.
 */
struct ex_regs {
	uint64_t vector, error_code, rip;
	uint64_t rflags;	/* as pushed; the IRET takes it back */
};

typedef void (*guest_handler_t)(struct ex_regs *regs);
void guest_set_handler(int vector, guest_handler_t handler);

/*
 * A new address space for guest code: a copy of the current PML4 whose
 * slot 1 (GUEST_AS_VA) maps @pages 4 KiB pages from guest-physical @data
 * on, with its four tables in the 16 KiB at @tables.  Returns its CR3.
 */
#define GUEST_AS_VA	0x8000000000ULL
uint64_t guest_make_as(uint64_t tables, uint64_t data, int pages);

/* Execute @insn-bytes-long instruction and return the vector it raised
 * (or 0xff), by way of a handler that skips it.
 */
extern volatile uint64_t guest_last_vector, guest_last_error;

/* --- host side --------------------------------------------------------- */

struct tvm {
	int dev, vm, vcpu;
	unsigned int vcpu_id;
	uint32_t flags;		/* VTXHV_VM_* the VM was created with */
	struct vtxhv_run *run;
	/*
	 * With the KVM backend (tvm_use_kvm), the same guests run on Linux's
	 * own KVM: @run is then a translation of KVM's run page, so tests
	 * read one format.  Each vCPU has its own pair.
	 */
	int kvm;
	void *kvm_run;
	size_t kvm_run_size;
	uint8_t *mem;		/* guest RAM at guest-physical 0 */
	size_t mem_size;
	struct tvm *parent;	/* tvm_add_vcpu(): the VM's first vCPU */
};

#define TVM_DEFAULT_MEM	(64 << 20)

/* Run the guests on /dev/kvm instead of /dev/vtxhv (benchmarks). */
extern int tvm_use_kvm;

uint32_t tvm_paging_mode(void);
struct tvm *tvm_create(size_t mem_size);
/* The same with a VTXHV_PAGING_* mode (the KVM backend ignores it). */
struct tvm *tvm_create_paging(size_t mem_size, uint32_t paging);
/*
 * ... and VTXHV_VM_* flags.  VTXHV_VM_IRQCHIP with the KVM backend is KVM's
 * in-kernel irqchip (KVM_CREATE_IRQCHIP: local APICs, I/O APIC, PICs).
 */
struct tvm *tvm_create_flags(size_t mem_size, uint32_t paging, uint32_t flags);
/*
 * vCPU @id of @t's VM as a struct tvm of its own (same VM and memory; the
 * tvm_* calls then act on that vCPU), on either backend.  tvm_destroy() it
 * before @t.
 */
struct tvm *tvm_add_vcpu(struct tvm *t, unsigned int id);
/*
 * Make an AP of an irqchip VM runnable without INIT and SIPI (VTXHV_ or
 * KVM_SET_MP_STATE), to start it where tvm_start_long_mode() put it.
 */
void tvm_set_runnable(struct tvm *t);
/* Long mode, the test binary loaded, RIP at @entry(@arg). */
void tvm_setup_long_mode(struct tvm *t, void (*entry)(uint64_t), uint64_t arg);
/*
 * The GPRs at a guest's entry: 0 but RIP, RSP, RDI and RSI (the entry's
 * first two arguments), RFLAGS 2 (only its fixed bit).
 */
void tvm_set_entry_regs(struct tvm *t, uint64_t rip, uint64_t rsp,
			uint64_t rdi, uint64_t rsi);
/*
 * The vCPU in long mode on the tables tvm_setup_long_mode() built, at
 * @entry(@arg) with the stack at @rsp (16-byte aligned minus 8).
 */
void tvm_start_long_mode(struct tvm *t, void (*entry)(uint64_t), uint64_t arg,
			 uint64_t rsp);
void tvm_destroy(struct tvm *t);

int tvm_run(struct tvm *t);			/* VTXHV_RUN: 0 or -errno */
void tvm_run_ok(struct tvm *t);			/* run, assert no error */
/*
 * The ucall of an exit to UCALL_PORT in @run, the run page of one of @t's
 * vCPUs; a guest address outside RAM fails the test.
 */
void tvm_ucall_at(struct tvm *t, const struct vtxhv_run *run,
		  struct ucall *uc);
/* Run until a ucall; I/O exits for other ports fail the test. */
uint64_t tvm_get_ucall(struct tvm *t, struct ucall *uc);
/* Run, expect a ucall @cmd (printing an abort's file and line). */
void tvm_expect_ucall(struct tvm *t, uint64_t cmd, uint64_t arg0);
/*
 * Run through the GUEST_SYNCs to GUEST_DONE: true; any other ucall or exit
 * returns false with what it was in @why (a vCPU thread's verdict).
 */
bool tvm_run_to_done(struct tvm *t, char *why, size_t len);

void tvm_get_regs(struct tvm *t, struct vtxhv_regs *r);
void tvm_set_regs(struct tvm *t, const struct vtxhv_regs *r);
void tvm_get_sregs(struct tvm *t, struct vtxhv_sregs *s);
void tvm_set_sregs(struct tvm *t, const struct vtxhv_sregs *s);
/*
 * vtxctl run's CPUID (userspace/cpuid.h) for this vCPU's id; in an irqchip
 * VM with the APIC and TSC-deadline bits.
 */
void tvm_set_cpuid_host(struct tvm *t);
void tvm_set_cpuid_ext(struct tvm *t, uint64_t ext);
/* "vtxctl ARGV..." from PATH: its output in @out, its exit status. */
int tvm_vtxctl(char *out, size_t len, char *const argv[], bool err);
bool tvm_in_path(const char *name);

/* The host's TSC ticks per millisecond, measured over 100 ms. */
uint64_t tvm_host_tsc_per_ms(void);
/*
 * 32-bit protected mode, paging off: flat CS (SEL_CODE) and data
 * segments (SEL_DATA), CR0 PE|ET, CR4 and EFER 0, the GDT @gdt (NULL: as
 * it is), at @rip with RFLAGS 2 and the GPRs 0.
 */
void tvm_start_pm32(struct tvm *t, const struct vtxhv_dtable *gdt,
		    uint64_t rip);
/* The backend's VTXHV_EXT_* (the module's caps.extensions). */
uint64_t tvm_extensions(struct tvm *t);

/* The module's accounting (debugfs vtxhv/counts): one value, or -1. */
long tvm_module_count(const char *name);
/* Print the accounting as TAP diagnostics; true when it is all zero. */
int tvm_module_counts_zero(void);

/* Real-mode guest at 0x1000 running @code. */
void tvm_setup_real_mode(struct tvm *t, const void *code, size_t len);

#endif /* VTXHV_TVM_H */
