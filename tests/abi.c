// SPDX-License-Identifier: GPL-2.0
/*
 * abi: the ioctl ABI as userspace sees it: register and special-register
 * round trips, and a clear errno for every malformed request on the
 * device, VM and vCPU file descriptors.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define EXPECT_ERR(call, err)						\
	({								\
		int __r = (call);					\
		TEST_CHECK(__r == -1 && errno == (err),			\
			   "%s: ret %d errno %d, wanted %d", #call, __r,	\
			   errno, (err));				\
	})

/* A flat segment with its own base and limit, to tell them apart. */
static struct vtxhv_segment segment(uint16_t sel, uint8_t type, int l)
{
	struct vtxhv_segment s = x86_seg_flat(sel, type, l);

	s.base = 0x1000 * sel;
	s.limit = 0xfffff;
	return s;
}

static int same_seg(const struct vtxhv_segment *a,
		    const struct vtxhv_segment *b)
{
	return a->base == b->base && a->limit == b->limit &&
	       a->selector == b->selector && a->type == b->type &&
	       a->present == b->present && a->dpl == b->dpl &&
	       a->db == b->db && a->s == b->s && a->l == b->l &&
	       a->g == b->g && a->unusable == b->unusable;
}

static void test_regs(struct tvm *t)
{
	struct vtxhv_regs in, out;
	uint64_t *p = (uint64_t *)&in;
	unsigned int i;

	for (i = 0; i < sizeof(in) / 8; i++)
		p[i] = 0x0101010101010101ULL * (i + 1);
	in.rflags = 0x202;
	tvm_set_regs(t, &in);
	memset(&out, 0, sizeof(out));
	tvm_get_regs(t, &out);
	test_result(TEST_CHECK(!memcmp(&in, &out, sizeof(in)), "differs"),
		    "regs_round_trip");

	in.rflags = 0;
	test_result(EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_REGS, &in), EINVAL),
		    "regs_rflags_bit1_clear_einval");
	in.rflags = 0x2 | 0x8;
	test_result(EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_REGS, &in), EINVAL),
		    "regs_rflags_reserved_einval");
	test_result(EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_REGS, (void *)8),
			       EFAULT), "regs_bad_pointer_efault");
}

static void test_sregs(struct tvm *t)
{
	struct vtxhv_sregs in, out, bad;
	int ok;

	tvm_get_sregs(t, &in);
	in.cs = segment(0x08, 11, 1);
	in.ds = segment(0x10, 3, 0);
	in.es = segment(0x18, 3, 0);
	in.fs = segment(0x20, 3, 0);
	in.gs = segment(0x28, 3, 0);
	in.ss = segment(0x30, 3, 0);
	in.tr = (struct vtxhv_segment){ .base = 0x7000, .selector = 0x38,
					.limit = 0x67, .type = 11,
					.present = 1 };
	in.ldt = (struct vtxhv_segment){ .unusable = 1 };
	in.gdt = (struct vtxhv_dtable){ .base = 0x5000, .limit = 0x3f };
	in.idt = (struct vtxhv_dtable){ .base = 0x6000, .limit = 0xfff };
	in.cr0 = X86_CR0_PG | X86_CR0_AM | X86_CR0_WP | X86_CR0_NE |
		 X86_CR0_ET | X86_CR0_MP | X86_CR0_PE;
	in.cr2 = 0x123456;
	in.cr3 = 0x9000;
	in.cr4 = X86_CR4_OSXMMEXCPT | X86_CR4_OSFXSR | X86_CR4_PGE |
		 X86_CR4_PAE;
	in.cr8 = 7;
	in.efer = EFER_NXE | EFER_LMA | EFER_LME | EFER_SCE;
	in.interruptibility = 1;
	tvm_set_sregs(t, &in);
	tvm_get_sregs(t, &out);
	ok = TEST_CHECK(same_seg(&in.cs, &out.cs) && same_seg(&in.ds, &out.ds) &&
			same_seg(&in.es, &out.es) && same_seg(&in.fs, &out.fs) &&
			same_seg(&in.gs, &out.gs) && same_seg(&in.ss, &out.ss) &&
			same_seg(&in.tr, &out.tr) && out.ldt.unusable,
			"segments differ");
	ok &= TEST_CHECK(in.gdt.base == out.gdt.base &&
			 in.gdt.limit == out.gdt.limit &&
			 in.idt.base == out.idt.base &&
			 in.idt.limit == out.idt.limit, "tables differ");
	ok &= TEST_CHECK(in.cr0 == out.cr0 && in.cr2 == out.cr2 &&
			 in.cr3 == out.cr3 && in.cr4 == out.cr4 &&
			 in.cr8 == out.cr8 && in.efer == out.efer &&
			 in.interruptibility == out.interruptibility,
			 "cr0 %#llx cr4 %#llx efer %#llx",
			 (unsigned long long)out.cr0,
			 (unsigned long long)out.cr4,
			 (unsigned long long)out.efer);
	test_result(ok, "sregs_round_trip");

	bad = in;
	bad.reserved[2] = 1;
	ok = EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	bad = in;
	bad.cr0 = X86_CR0_PG | X86_CR0_ET;	/* PG without PE */
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	bad = in;
	bad.efer |= 1 << 14;			/* reserved */
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	bad = in;
	bad.efer &= ~EFER_LMA;			/* off with LME and PG */
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	bad = in;
	bad.cr4 |= X86_CR4_VMXE;
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	bad = in;
	bad.cr8 = 16;
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_SREGS, &bad), EINVAL);
	test_result(ok, "sregs_invalid_einval");
}

static void test_cpuid_msrs(struct tvm *t)
{
	struct {
		struct vtxhv_msrs m;
		struct vtxhv_msr_entry e[3];
	} msrs = {
		.m.nmsrs = 3,
		.e = { { .index = 0xc0000082, .data = 0xffffffff81234560ULL },
		       { .index = 0x12345678, .data = 1 },
		       { .index = 0xc0000081, .data = 5 } },
	};
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[1];
	} cpuid = { .c.nent = 1, .e = { { .function = 0, .flags = 2 } } };
	int ok;

	ok = EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_CPUID, &cpuid), EINVAL);
	cpuid.c.nent = VTXHV_MAX_CPUID_ENTRIES + 1;
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_SET_CPUID, &cpuid), E2BIG);
	cpuid.c.nent = 1;
	cpuid.e[0].flags = 0;
	ok &= TEST_CHECK(!ioctl(t->vcpu, VTXHV_SET_CPUID, &cpuid), "valid");
	test_result(ok, "cpuid_table_validated");

	/* Entries are processed up to the first MSR vtxhv lacks. */
	ok = TEST_CHECK(ioctl(t->vcpu, VTXHV_SET_MSRS, &msrs) == 1, "set");
	msrs.e[0].data = 0;
	ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_GET_MSRS, &msrs) == 1 &&
			 msrs.e[0].data == 0xffffffff81234560ULL, "get %#llx",
			 (unsigned long long)msrs.e[0].data);
	msrs.m.nmsrs = VTXHV_MAX_MSR_ENTRIES + 1;
	ok &= EXPECT_ERR(ioctl(t->vcpu, VTXHV_GET_MSRS, &msrs), E2BIG);
	msrs.m.nmsrs = 1;
	msrs.e[0].data = 0x0000800000000000ULL;	/* non-canonical LSTAR */
	ok &= TEST_CHECK(ioctl(t->vcpu, VTXHV_SET_MSRS, &msrs) == 0,
			 "non-canonical accepted");
	test_result(ok, "msrs_get_set");
}

static void test_device_vm(struct tvm *t)
{
	struct vtxhv_create_vm c = { .paging = VTXHV_PAGING_EPT, .flags = 2 };
	struct vtxhv_memory_region r = {
		.slot = 2, .guest_phys_addr = 0x10000000, .size = 0x10000,
		.userspace_addr = (uintptr_t)t->mem,
	};
	struct vtxhv_memory_region bad;
	int ok;

	ok = EXPECT_ERR(ioctl(t->dev, VTXHV_CREATE_VM, &c), EINVAL);
	c.flags = 0;
	c.paging = 99;
	ok &= EXPECT_ERR(ioctl(t->dev, VTXHV_CREATE_VM, &c), EINVAL);
	c.paging = VTXHV_PAGING_EPT;
	c.reserved[1] = 1;
	ok &= EXPECT_ERR(ioctl(t->dev, VTXHV_CREATE_VM, &c), EINVAL);
	ok &= EXPECT_ERR(ioctl(t->dev, VTXHV_CREATE_VM, (void *)16), EFAULT);
	ok &= EXPECT_ERR(ioctl(t->dev, _IO(VTXHV_IO, 0x7e)), ENOTTY);
	test_result(ok, "create_vm_validated");

	bad = r;
	bad.slot = 1000;
	ok = EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EINVAL);
	bad = r;
	bad.guest_phys_addr += 1;
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EINVAL);
	bad = r;
	bad.size = 0x1001;
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EINVAL);
	bad = r;
	bad.flags = 0x80;
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EINVAL);
	bad = r;
	bad.guest_phys_addr = 0x100000;		/* inside slot 0 */
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EEXIST);
	bad = r;
	bad.userspace_addr = 0xffff888000000000ULL;	/* kernel address */
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EFAULT);
	bad = r;
	bad.guest_phys_addr = 0xfffffffffffff000ULL;
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &bad), EINVAL);
	ok &= TEST_CHECK(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r), "valid");
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_CREATE_VCPU, 0), EEXIST);
	ok &= EXPECT_ERR(ioctl(t->vm, VTXHV_CREATE_VCPU, 4096), EINVAL);
	ok &= EXPECT_ERR(ioctl(t->vm, _IO(VTXHV_IO, 0x7e)), ENOTTY);
	test_result(ok, "vm_ioctls_validated");
}

static void test_vcpu_fd(struct tvm *t)
{
	pid_t pid;
	int status, ok;

	ok = EXPECT_ERR(ioctl(t->vcpu, VTXHV_RUN, 1), EINVAL);
	ok &= EXPECT_ERR(ioctl(t->vcpu, _IO(VTXHV_IO, 0x7e)), ENOTTY);
	ok &= TEST_CHECK(mmap(NULL, 8192, PROT_READ, MAP_SHARED, t->vcpu, 0) ==
			 MAP_FAILED && errno == EINVAL, "2-page mmap");
	ok &= TEST_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, t->vcpu,
			      4096) == MAP_FAILED && errno == EINVAL,
			 "mmap at offset 1");
	/* A child holds the fds but not the VM's memory: refused. */
	pid = fork();
	if (pid == 0)
		_exit(ioctl(t->vcpu, VTXHV_RUN, 0) == -1 && errno == EIO ? 0 : 1);
	ok &= TEST_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			 !WEXITSTATUS(status), "child could run the vCPU");
	test_result(ok, "vcpu_fd_validated");
}

int main(void)
{
	struct tvm *t = tvm_create(TVM_DEFAULT_MEM);

	test_plan(11);
	test_regs(t);
	test_sregs(t);
	test_cpuid_msrs(t);
	test_device_vm(t);
	test_vcpu_fd(t);
	tvm_destroy(t);
	test_finish();
}
