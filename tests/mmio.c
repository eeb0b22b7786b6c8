// SPDX-License-Identifier: GPL-2.0
/*
 * mmio: guest accesses outside RAM become MMIO exits with address, size,
 * direction and data, for 1, 2, 4 and 8 bytes through each decoded form
 * (MOV to/from register and immediate, moffs, MOVZX, MOVSX, MOVSXD, high
 * byte registers, REX registers, SIB); read-only slots; slots replaced and
 * deleted while the VM exists; guest and host see each other's writes;
 * and a scan of guest-physical space outside the slots sees only MMIO.
 */
#include <sys/mman.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define MMIO	0xc0000000ULL
#define RO_GPA	0x8000000ULL	/* slot 1: 2 MiB read-only, at 128 MiB */
#define RO_SIZE	0x200000ULL

struct access {
	uint64_t addr;
	uint32_t len;
	int write;
	uint64_t data;		/* written by the guest, or returned to it */
};

static const struct access accesses[] = {
	{ MMIO, 1, 1, 0x11 },
	{ MMIO, 2, 1, 0x2222 },
	{ MMIO, 4, 1, 0x33333333 },
	{ MMIO, 8, 1, 0x4444444444444444ULL },
	{ MMIO + 1, 1, 1, 0x5a },			/* imm8 */
	{ MMIO + 2, 2, 1, 0x1234 },			/* imm16 */
	{ MMIO + 4, 4, 1, 0x89abcdef },			/* imm32 */
	{ MMIO + 8, 8, 1, 0xfffffffffffffffeULL },	/* imm32 sign-extended */
	{ MMIO + 0x10, 1, 1, 0x77 },			/* moffs8 */
	{ MMIO + 0x18, 8, 1, 0x0102030405060708ULL },	/* moffs64 */
	{ MMIO + 3, 1, 1, 0xbe },			/* AH */
	{ MMIO + 0x28, 8, 1, 0x9999999999999999ULL },	/* R9, disp8 */
	{ MMIO + 0x34, 4, 1, 0x600dcafe },		/* SIB [rbx+rcx*4+4] */
	{ MMIO, 1, 0, 0x81 },
	{ MMIO, 2, 0, 0x8282 },
	{ MMIO, 4, 0, 0x83838383 },
	{ MMIO, 8, 0, 0x8484848484848484ULL },
	{ MMIO, 1, 0, 0x85 },				/* movzbl */
	{ MMIO, 2, 0, 0x8686 },				/* movzwq */
	{ MMIO, 1, 0, 0x87 },				/* movsbq */
	{ MMIO, 2, 0, 0x8888 },				/* movswl */
	{ MMIO, 4, 0, 0x89898989 },			/* movslq */
	{ MMIO + 0x20, 4, 0, 0x12345678 },		/* moffs32 */
	{ MMIO + 5, 1, 0, 0x4b },			/* BH */
	{ MMIO + 0x40, 8, 0, 0x0badc0ffee0ddf00dULL },	/* R12, disp32 */
};

#define NACC (sizeof(accesses) / sizeof(accesses[0]))

/*
 * The load @insn from (%1) = @addr into %0 = RAX, all ones before it (so
 * that the check sees what the form leaves of the rest of the register):
 * RAX must be @want.
 */
#define LOAD_EQ(insn, addr, want)					\
	do {								\
		uint64_t rax_ = ~0ULL;					\
									\
		__asm__ volatile(insn : "+a"(rax_) : "b"(addr) : "memory"); \
		GUEST_ASSERT_EQ(rax_, want);				\
	} while (0)

static void guest_code(uint64_t arg)
{
	volatile uint8_t *ro = (volatile uint8_t *)RO_GPA;
	uint64_t m = MMIO, v, i;
	register uint64_t r9 __asm__("r9") = 0x9999999999999999ULL;
	register uint64_t r12 __asm__("r12");

	(void)arg;
	/* Stores: register, immediate, moffs, AH, REX register, SIB. */
	__asm__ volatile("movb %b0, (%1)" : : "a"(0x11), "b"(m) : "memory");
	__asm__ volatile("movw %w0, (%1)" : : "a"(0x2222), "b"(m) : "memory");
	__asm__ volatile("movl %k0, (%1)" : : "a"(0x33333333), "b"(m)
			 : "memory");
	__asm__ volatile("movq %0, (%1)" : : "a"(0x4444444444444444ULL),
			 "b"(m) : "memory");
	__asm__ volatile("movb $0x5a, 1(%0)" : : "b"(m) : "memory");
	__asm__ volatile("movw $0x1234, 2(%0)" : : "b"(m) : "memory");
	__asm__ volatile("movl $0x89abcdef, 4(%0)" : : "b"(m) : "memory");
	__asm__ volatile("movq $-2, 8(%0)" : : "b"(m) : "memory");
	__asm__ volatile("movabs %%al, 0xc0000010" : : "a"(0x77) : "memory");
	__asm__ volatile("movabs %%rax, 0xc0000018"
			 : : "a"(0x0102030405060708ULL) : "memory");
	__asm__ volatile("movb %%ah, 3(%0)" : : "b"(m), "a"(0xbe00)
			 : "memory");
	__asm__ volatile("movq %0, 0x28(%1)" : : "r"(r9), "b"(m) : "memory");
	__asm__ volatile("movl %k0, 4(%1,%2,4)" : : "a"(0x600dcafe), "b"(m),
			 "c"(0xcULL) : "memory");

	/* Loads, with what each form does to the rest of the register. */
	LOAD_EQ("movb (%1), %b0", m, 0xffffffffffffff81ULL);
	LOAD_EQ("movw (%1), %w0", m, 0xffffffffffff8282ULL);
	LOAD_EQ("movl (%1), %k0", m, 0x83838383ULL);
	LOAD_EQ("movq (%1), %0", m, 0x8484848484848484ULL);
	LOAD_EQ("movzbl (%1), %k0", m, 0x85);
	LOAD_EQ("movzwq (%1), %0", m, 0x8686);
	LOAD_EQ("movsbq (%1), %0", m, 0xffffffffffffff87ULL);
	LOAD_EQ("movswl (%1), %k0", m, 0xffff8888ULL);
	LOAD_EQ("movslq (%1), %0", m, 0xffffffff89898989ULL);
	__asm__ volatile("movabs 0xc0000020, %%eax" : "=a"(v) : : "memory");
	GUEST_ASSERT_EQ(v, 0x12345678);
	v = 0x1111;
	__asm__ volatile("movb 5(%1), %%bh" : "+b"(v) : "S"(m) : "memory");
	GUEST_ASSERT_EQ(v & 0xffff, 0x4b11);
	__asm__ volatile("movq 0x40(%1), %0" : "=r"(r12) : "b"(m) : "memory");
	GUEST_ASSERT_EQ(r12, 0x0badc0ffee0ddf00dULL);
	GUEST_SYNC(1);

	/* Read-only slot: reads are RAM, writes become MMIO. */
	GUEST_ASSERT_EQ(ro[0], 0xa5);
	GUEST_ASSERT_EQ(ro[RO_SIZE - 1], 0xa5);
	ro[16] = 0x42;
	GUEST_ASSERT_EQ(ro[16], 0xa5);
	GUEST_SYNC(2);
	/* The host replaced slot 1 with other memory. */
	GUEST_ASSERT_EQ(ro[0], 0x5a);
	/* Host and guest see each other's writes in slot 0. */
	GUEST_ASSERT_EQ(*(volatile uint64_t *)0x3000000, 0xfeedface);
	*(volatile uint64_t *)0x3000008 = 0xdeadbeef;
	GUEST_SYNC(3);
	/* Slot 1 deleted: its range is MMIO now. */
	GUEST_ASSERT_EQ(ro[0], 0xee);
	GUEST_SYNC(4);

	/* Everything outside RAM, every 16 MiB up to 4 GiB, is MMIO. */
	for (i = 64 << 20; i < (4ULL << 30); i += 16 << 20) {
		v = *(volatile uint64_t *)i;
		GUEST_ASSERT_EQ(v, 0x6d6d6d6d6d6d6d6dULL);
	}
	GUEST_SYNC(5);
}

static int check_access(struct tvm *t, const struct access *a, int n)
{
	uint64_t data = 0;

	tvm_run_ok(t);
	if (!TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO,
			"access %d: exit %s", n,
			exit_reason_name(t->run->exit_reason)))
		return 0;
	memcpy(&data, t->run->mmio.data, 8);
	if (!TEST_CHECK(t->run->mmio.phys_addr == a->addr &&
			t->run->mmio.len == a->len &&
			t->run->mmio.is_write == a->write &&
			(!a->write || data == a->data),
			"access %d: addr %#llx len %u write %u data %#llx", n,
			(unsigned long long)t->run->mmio.phys_addr,
			t->run->mmio.len, t->run->mmio.is_write,
			(unsigned long long)data))
		return 0;
	if (!a->write)
		memcpy(t->run->mmio.data, &a->data, 8);
	return 1;
}

static void set_slot(struct tvm *t, uint32_t slot, uint64_t gpa,
		     uint64_t size, void *mem, uint32_t flags)
{
	struct vtxhv_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.size = size, .userspace_addr = (uintptr_t)mem,
	};

	TEST_ASSERT(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r),
		    "SET_MEMORY_REGION slot %u", slot);
}

int main(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);
	uint8_t *ro, *ro2;
	unsigned int i, ok = 1, scans = 0;

	test_plan(5);
	ro = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro2 = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ro != MAP_FAILED && ro2 != MAP_FAILED, "mmap");
	memset(ro, 0xa5, RO_SIZE);
	memset(ro2, 0x5a, RO_SIZE);
	set_slot(t, 1, RO_GPA, RO_SIZE, ro, VTXHV_MEM_READONLY);
	tvm_setup_long_mode(t, guest_code, 0);

	for (i = 0; i < NACC && ok; i++)
		ok &= check_access(t, &accesses[i], i);
	tvm_expect_ucall(t, UCALL_SYNC, 1);
	test_result(ok, "mmio_all_sizes_and_forms");

	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
			t->run->mmio.is_write &&
			t->run->mmio.phys_addr == RO_GPA + 16 &&
			t->run->mmio.data[0] == 0x42, "exit %s",
			exit_reason_name(t->run->exit_reason));
	tvm_expect_ucall(t, UCALL_SYNC, 2);
	ok &= TEST_CHECK(ro[16] == 0xa5, "read-only memory written");
	test_result(ok, "readonly_slot");

	set_slot(t, 1, RO_GPA, RO_SIZE, ro2, 0);
	*(uint64_t *)(t->mem + 0x3000000) = 0xfeedface;
	tvm_expect_ucall(t, UCALL_SYNC, 3);
	ok = TEST_CHECK(*(uint64_t *)(t->mem + 0x3000008) == 0xdeadbeef,
			"guest write not in the host mapping");
	test_result(ok, "slot_replaced_and_shared_memory");

	set_slot(t, 1, 0, 0, NULL, 0);
	tvm_run_ok(t);
	ok = TEST_CHECK(t->run->exit_reason == VTXHV_EXIT_MMIO &&
			t->run->mmio.phys_addr == RO_GPA, "exit %s",
			exit_reason_name(t->run->exit_reason));
	t->run->mmio.data[0] = 0xee;
	tvm_expect_ucall(t, UCALL_SYNC, 4);
	test_result(ok, "slot_deleted_becomes_mmio");

	for (;;) {
		tvm_run_ok(t);
		if (t->run->exit_reason != VTXHV_EXIT_MMIO)
			break;
		if (!TEST_CHECK(t->run->mmio.phys_addr >= t->mem_size &&
				!t->run->mmio.is_write, "addr %#llx",
				(unsigned long long)t->run->mmio.phys_addr))
			ok = 0;
		memset(t->run->mmio.data, 0x6d, 8);
		scans++;
	}
	printf("# %u MMIO exits in the scan\n", scans);
	/* The loop ended on the SYNC(5) ucall's I/O exit. */
	ok &= TEST_CHECK(scans == 252 && t->run->exit_reason == VTXHV_EXIT_IO,
			 "scans %u exit %s", scans,
			 exit_reason_name(t->run->exit_reason));
	test_result(ok, "scan_outside_slots_sees_only_mmio");
	tvm_destroy(t);
	test_finish();
}
