// SPDX-License-Identifier: GPL-2.0
/*
 * The host half of the test library: a VM with one vCPU and one slot of
 * guest RAM at address 0, the test binary copied into it, 64-bit or real
 * mode start-up, and the ucall loop.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "../../lib/libvtxhv.h"	/* vtxhv_paging_from_name() */
#include "cpuid.h"
#include "tvm.h"
#include "vtxhv_test.h"

int tvm_use_kvm;

#define PML4_ADDR	0x1000	/* then PDPT, then 4 PDs: 4 GiB of 2 MiB pages */
#define STACK_SIZE	0x10000

extern uint64_t tvm_guest_gdt[4];
void tvm_guest_start(void (*entry)(uint64_t), uint64_t arg);

/*
 * The KVM backend: the same VM through <linux/kvm.h>, for comparisons in
 * the same boot (make bench).  tvm->run is kept in vtxhv's format: each
 * vCPU has KVM's run page mapped, and a page of its own into which KVM's
 * exits are translated.
 */
static void kvm_create_vcpu(struct tvm *t, unsigned int id)
{
	t->vcpu_id = id;
	t->vcpu = ioctl(t->vm, KVM_CREATE_VCPU, id);
	TEST_ASSERT(t->vcpu >= 0, "KVM_CREATE_VCPU %u", id);
	t->kvm_run_size = ioctl(t->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	t->kvm_run = mmap(NULL, t->kvm_run_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED, t->vcpu, 0);
	TEST_ASSERT(t->kvm_run != MAP_FAILED, "mmap kvm_run");
	t->run = calloc(1, 4096);
	TEST_ASSERT(t->run, "calloc");
}

static struct tvm *kvm_create(struct tvm *t)
{
	struct kvm_userspace_memory_region r;

	t->kvm = 1;
	t->dev = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->dev < 0)
		test_skip_all("/dev/kvm missing: kvm_intel is not loaded");
	t->vm = ioctl(t->dev, KVM_CREATE_VM, 0);
	TEST_ASSERT(t->vm >= 0, "KVM_CREATE_VM");
	t->mem = mmap(NULL, t->mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(t->mem != MAP_FAILED, "mmap guest memory");
	r = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = t->mem_size,
		.userspace_addr = (uintptr_t)t->mem,
	};
	TEST_ASSERT(!ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &r),
		    "KVM_SET_USER_MEMORY_REGION");
	/*
	 * Where KVM puts the real-mode TSS (three pages) when it has no
	 * unrestricted guest (kvm_intel ept=0), as QEMU does; without it
	 * 'KVM_SET_TSS_ADDR need to be called' lands in the kernel log.
	 * Above every slot the tests make.
	 */
	TEST_ASSERT(!ioctl(t->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL),
		    "KVM_SET_TSS_ADDR");
	/* KVM wants its irqchip before the first vCPU. */
	if (t->flags & VTXHV_VM_IRQCHIP)
		TEST_ASSERT(!ioctl(t->vm, KVM_CREATE_IRQCHIP, 0),
			    "KVM_CREATE_IRQCHIP");
	kvm_create_vcpu(t, 0);
	return t;
}

/*
 * The paging mode of the VMs tests create: VTXHV_PAGING=ept|vtlb|shadow
 * in the environment runs a whole test under another mode (tests/vm-suites).
 */
uint32_t tvm_paging_mode(void)
{
	const char *m = getenv("VTXHV_PAGING");
	int mode;

	if (!m || !*m)
		return VTXHV_PAGING_EPT;
	mode = vtxhv_paging_from_name(m);
	TEST_ASSERT(mode >= 0, "VTXHV_PAGING=%s: not a mode", m);
	return mode;
}

struct tvm *tvm_create(size_t mem_size)
{
	return tvm_create_paging(mem_size, tvm_paging_mode());
}

struct tvm *tvm_create_paging(size_t mem_size, uint32_t paging)
{
	return tvm_create_flags(mem_size, paging, 0);
}

struct tvm *tvm_create_flags(size_t mem_size, uint32_t paging, uint32_t flags)
{
	struct vtxhv_create_vm c = { .paging = paging, .flags = flags };
	struct vtxhv_memory_region r;
	struct tvm *t = calloc(1, sizeof(*t));

	TEST_ASSERT(t, "calloc");
	t->flags = flags;
	if (tvm_use_kvm) {
		t->mem_size = mem_size;
		return kvm_create(t);
	}
	t->dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);
	if (t->dev < 0 && errno == ENOENT)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	TEST_ASSERT(t->dev >= 0, "open /dev/vtxhv");
	t->vm = ioctl(t->dev, VTXHV_CREATE_VM, &c);
	TEST_ASSERT(t->vm >= 0, "VTXHV_CREATE_VM (paging mode %u)", paging);
	t->mem_size = mem_size;
	t->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(t->mem != MAP_FAILED, "mmap guest memory");
	r = (struct vtxhv_memory_region){
		.slot = 0, .guest_phys_addr = 0, .size = mem_size,
		.userspace_addr = (uintptr_t)t->mem,
	};
	TEST_ASSERT(!ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r),
		    "VTXHV_SET_MEMORY_REGION");
	t->vcpu = ioctl(t->vm, VTXHV_CREATE_VCPU, 0);
	TEST_ASSERT(t->vcpu >= 0, "VTXHV_CREATE_VCPU");
	t->run = mmap(NULL, ioctl(t->dev, VTXHV_GET_RUN_SIZE, 0),
		      PROT_READ | PROT_WRITE, MAP_SHARED, t->vcpu, 0);
	TEST_ASSERT(t->run != MAP_FAILED, "mmap run page");
	return t;
}

struct tvm *tvm_add_vcpu(struct tvm *t, unsigned int id)
{
	struct tvm *v = malloc(sizeof(*v));

	TEST_ASSERT(v, "tvm_add_vcpu");
	*v = *t;
	v->parent = t;
	if (t->kvm) {
		kvm_create_vcpu(v, id);
		return v;
	}
	v->vcpu_id = id;
	v->vcpu = ioctl(t->vm, VTXHV_CREATE_VCPU, id);
	TEST_ASSERT(v->vcpu >= 0, "VTXHV_CREATE_VCPU %u", id);
	v->run = mmap(NULL, ioctl(t->dev, VTXHV_GET_RUN_SIZE, 0),
		      PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	TEST_ASSERT(v->run != MAP_FAILED, "mmap run page");
	return v;
}

void tvm_set_runnable(struct tvm *t)
{
	struct vtxhv_mp_state mp = { .mp_state = VTXHV_MP_STATE_RUNNABLE };
	struct kvm_mp_state kmp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (t->kvm)
		TEST_ASSERT(!ioctl(t->vcpu, KVM_SET_MP_STATE, &kmp),
			    "KVM_SET_MP_STATE");
	else
		TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_MP_STATE, &mp),
			    "VTXHV_SET_MP_STATE");
}

/* The run page(s) of one vCPU. */
static void unmap_run(struct tvm *t)
{
	if (t->kvm) {
		munmap(t->kvm_run, t->kvm_run_size);
		free(t->run);
	} else {
		munmap(t->run, 4096);
	}
}

void tvm_destroy(struct tvm *t)
{
	unmap_run(t);
	close(t->vcpu);
	if (t->parent) {
		free(t);
		return;
	}
	close(t->vm);
	close(t->dev);
	munmap(t->mem, t->mem_size);
	free(t);
}

void tvm_get_regs(struct tvm *t, struct vtxhv_regs *r)
{
	struct kvm_regs k;

	if (!t->kvm) {
		TEST_ASSERT(!ioctl(t->vcpu, VTXHV_GET_REGS, r),
			    "VTXHV_GET_REGS");
		return;
	}
	TEST_ASSERT(!ioctl(t->vcpu, KVM_GET_REGS, &k), "KVM_GET_REGS");
	*r = (struct vtxhv_regs){
		.rax = k.rax, .rcx = k.rcx, .rdx = k.rdx, .rbx = k.rbx,
		.rsp = k.rsp, .rbp = k.rbp, .rsi = k.rsi, .rdi = k.rdi,
		.r8 = k.r8, .r9 = k.r9, .r10 = k.r10, .r11 = k.r11,
		.r12 = k.r12, .r13 = k.r13, .r14 = k.r14, .r15 = k.r15,
		.rip = k.rip, .rflags = k.rflags,
	};
}

void tvm_set_regs(struct tvm *t, const struct vtxhv_regs *r)
{
	struct kvm_regs k = {
		.rax = r->rax, .rcx = r->rcx, .rdx = r->rdx, .rbx = r->rbx,
		.rsp = r->rsp, .rbp = r->rbp, .rsi = r->rsi, .rdi = r->rdi,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip, .rflags = r->rflags,
	};

	if (t->kvm)
		TEST_ASSERT(!ioctl(t->vcpu, KVM_SET_REGS, &k), "KVM_SET_REGS");
	else
		TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_REGS, r),
			    "VTXHV_SET_REGS");
}

/* struct kvm_segment and struct vtxhv_segment have the same fields. */
#define SEG_COPY(D_, S_)							\
	do {								\
		(D_).base = (S_).base; (D_).limit = (S_).limit;		\
		(D_).selector = (S_).selector; (D_).type = (S_).type;	\
		(D_).present = (S_).present; (D_).dpl = (S_).dpl;		\
		(D_).db = (S_).db; (D_).s = (S_).s; (D_).l = (S_).l;		\
		(D_).g = (S_).g; (D_).avl = (S_).avl;			\
		(D_).unusable = (S_).unusable;				\
	} while (0)

#define SREGS_COPY(D_, S_)						\
	do {								\
		SEG_COPY((D_).cs, (S_).cs); SEG_COPY((D_).ds, (S_).ds);	\
		SEG_COPY((D_).es, (S_).es); SEG_COPY((D_).fs, (S_).fs);	\
		SEG_COPY((D_).gs, (S_).gs); SEG_COPY((D_).ss, (S_).ss);	\
		SEG_COPY((D_).tr, (S_).tr); SEG_COPY((D_).ldt, (S_).ldt);	\
		(D_).gdt.base = (S_).gdt.base;				\
		(D_).gdt.limit = (S_).gdt.limit;				\
		(D_).idt.base = (S_).idt.base;				\
		(D_).idt.limit = (S_).idt.limit;				\
		(D_).cr0 = (S_).cr0; (D_).cr2 = (S_).cr2;			\
		(D_).cr3 = (S_).cr3; (D_).cr4 = (S_).cr4;			\
		(D_).cr8 = (S_).cr8; (D_).efer = (S_).efer;			\
	} while (0)

void tvm_get_sregs(struct tvm *t, struct vtxhv_sregs *s)
{
	struct kvm_sregs k;

	if (!t->kvm) {
		TEST_ASSERT(!ioctl(t->vcpu, VTXHV_GET_SREGS, s),
			    "VTXHV_GET_SREGS");
		return;
	}
	TEST_ASSERT(!ioctl(t->vcpu, KVM_GET_SREGS, &k), "KVM_GET_SREGS");
	memset(s, 0, sizeof(*s));
	SREGS_COPY(*s, k);
}

void tvm_set_sregs(struct tvm *t, const struct vtxhv_sregs *s)
{
	struct kvm_sregs k;

	if (!t->kvm) {
		TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_SREGS, s),
			    "VTXHV_SET_SREGS");
		return;
	}
	TEST_ASSERT(!ioctl(t->vcpu, KVM_GET_SREGS, &k), "KVM_GET_SREGS");
	SREGS_COPY(k, *s);
	TEST_ASSERT(!ioctl(t->vcpu, KVM_SET_SREGS, &k), "KVM_SET_SREGS");
}

/*
 * vtxctl run's CPUID (userspace/cpuid.c), for this vCPU: a test's guest
 * sees the CPU a user's guest sees.  With an irqchip, the local APIC and
 * its TSC-deadline mode are there to see (KVM needs the latter in CPUID
 * before it lets the timer into that mode); x2APIC stays hidden, so that
 * guests use the xAPIC page on both backends.
 */
/*
 * What the backend runs beyond API version 1 (VTXHV_EXT_*): the module's
 * caps.extensions, read once; KVM runs RDTSCP and RDPID where the CPU
 * has them.
 */
uint64_t tvm_extensions(struct tvm *t)
{
	static uint64_t ext;
	static int known;
	struct vtxhv_caps caps;

	if (t->kvm)
		return VTXHV_EXT_RDTSCP;
	if (!known) {
		memset(&caps, 0, sizeof(caps));
		TEST_ASSERT(!ioctl(t->dev, VTXHV_GET_CAPS, &caps),
			    "VTXHV_GET_CAPS");
		ext = caps.extensions;
		known = 1;
	}
	return ext;
}

void tvm_set_cpuid_host(struct tvm *t)
{
	tvm_set_cpuid_ext(t, tvm_extensions(t));
}

/* The CPUID policy for a module with just the @ext extensions. */
void tvm_set_cpuid_ext(struct tvm *t, uint64_t ext)
{
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[VTXHV_MAX_CPUID_ENTRIES];
	} tab;
	uint32_t i, n;

	memset(&tab, 0, sizeof(tab));
	n = build_cpuid(tab.e, t->vcpu_id, ext);
	tab.c.nent = n;
	if (t->flags & VTXHV_VM_IRQCHIP)
		cpuid_give_apic(tab.e, n, false);
	if (t->kvm) {
		struct {
			struct kvm_cpuid2 c;
			struct kvm_cpuid_entry2 e[VTXHV_MAX_CPUID_ENTRIES];
		} k;

		memset(&k, 0, sizeof(k));
		k.c.nent = n;
		for (i = 0; i < n; i++) {
			k.e[i].function = tab.e[i].function;
			k.e[i].index = tab.e[i].index;
			k.e[i].flags = tab.e[i].flags ?
				       KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
			k.e[i].eax = tab.e[i].eax;
			k.e[i].ebx = tab.e[i].ebx;
			k.e[i].ecx = tab.e[i].ecx;
			k.e[i].edx = tab.e[i].edx;
		}
		TEST_ASSERT(!ioctl(t->vcpu, KVM_SET_CPUID2, &k),
			    "KVM_SET_CPUID2");
		return;
	}
	TEST_ASSERT(!ioctl(t->vcpu, VTXHV_SET_CPUID, &tab), "VTXHV_SET_CPUID");
}

/*
 * Copy this process's loaded segments (code, data with its relocations
 * applied) into guest RAM at the same addresses: identity-mapped, the
 * guest then runs the very functions the host linked.
 */
static void load_self(struct tvm *t)
{
	const ElfW(Phdr) *ph = (const void *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);

	for (i = 0; i < n; i++) {
		uint64_t start = ph[i].p_vaddr & ~0xfffULL;
		uint64_t end = ph[i].p_vaddr + ph[i].p_memsz;

		if (ph[i].p_type != PT_LOAD)
			continue;
		TEST_ASSERT(end <= t->mem_size - STACK_SIZE,
			    "segment %#lx-%#lx beyond guest RAM", start, end);
		memcpy(t->mem + start, (void *)(uintptr_t)start, end - start);
	}
}

void tvm_setup_long_mode(struct tvm *t, void (*entry)(uint64_t), uint64_t arg)
{
	load_self(t);
	TEST_ASSERT(build_identity_map(t->mem, t->mem_size, PML4_ADDR,
				       4ULL << 30) > 0, "identity map");
	tvm_start_long_mode(t, entry, arg, t->mem_size - 8);
}

void tvm_set_entry_regs(struct tvm *t, uint64_t rip, uint64_t rsp,
			uint64_t rdi, uint64_t rsi)
{
	struct vtxhv_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = rip;
	r.rsp = rsp;
	r.rdi = rdi;
	r.rsi = rsi;
	r.rflags = X86_EFLAGS_FIXED;
	tvm_set_regs(t, &r);
}

void tvm_start_long_mode(struct tvm *t, void (*entry)(uint64_t), uint64_t arg,
			 uint64_t rsp)
{
	struct vtxhv_sregs s;

	tvm_get_sregs(t, &s);
	x86_sregs_flat(&s, true, (uintptr_t)tvm_guest_gdt,
		       sizeof(tvm_guest_gdt) - 1, 0);
	s.cr0 = X86_CR0_PG | X86_CR0_AM | X86_CR0_WP | X86_CR0_NE |
		X86_CR0_ET | X86_CR0_MP | X86_CR0_PE;
	s.cr3 = PML4_ADDR;
	s.cr4 = X86_CR4_OSXMMEXCPT | X86_CR4_OSFXSR | X86_CR4_PAE;
	s.efer = EFER_NXE | EFER_LMA | EFER_LME | EFER_SCE;
	tvm_set_sregs(t, &s);
	/* @rsp: 16-byte aligned minus the return */
	tvm_set_entry_regs(t, (uintptr_t)tvm_guest_start, rsp,
			   (uintptr_t)entry, arg);
}

void tvm_setup_real_mode(struct tvm *t, const void *code, size_t len)
{
	struct vtxhv_sregs s;

	memcpy(t->mem + 0x1000, code, len);
	tvm_get_sregs(t, &s);
	s.cs.base = 0;
	s.cs.selector = 0;
	tvm_set_sregs(t, &s);
	tvm_set_entry_regs(t, 0x1000, 0x8000, 0, 0);
}

/* KVM_RUN, with KVM's exit translated into t->run (and IN/MMIO-read
 * data taken back from it before the next entry).
 */
static int kvm_run(struct tvm *t)
{
	struct kvm_run *k = t->kvm_run;
	struct vtxhv_run *r = t->run;
	uint8_t *data = (uint8_t *)r + sizeof(*r);
	size_t n;

	if (k->exit_reason == KVM_EXIT_IO && k->io.direction == KVM_EXIT_IO_IN)
		memcpy((uint8_t *)k + k->io.data_offset, data,
		       (size_t)k->io.size * k->io.count);
	if (k->exit_reason == KVM_EXIT_MMIO && !k->mmio.is_write)
		memcpy(k->mmio.data, r->mmio.data, 8);
	k->immediate_exit = r->immediate_exit;
	if (ioctl(t->vcpu, KVM_RUN, 0)) {
		r->exit_reason = VTXHV_EXIT_INTR;
		return -errno;
	}
	memset(r, 0, sizeof(*r));
	switch (k->exit_reason) {
	case KVM_EXIT_IO:
		r->exit_reason = VTXHV_EXIT_IO;
		r->io.direction = k->io.direction == KVM_EXIT_IO_OUT ?
				  VTXHV_IO_OUT : VTXHV_IO_IN;
		r->io.size = k->io.size;
		r->io.port = k->io.port;
		r->io.count = k->io.count;
		r->io.data_offset = sizeof(*r);
		n = (size_t)k->io.size * k->io.count;
		if (n <= VTXHV_RUN_IO_DATA_MAX)
			memcpy(data, (uint8_t *)k + k->io.data_offset, n);
		break;
	case KVM_EXIT_MMIO:
		r->exit_reason = VTXHV_EXIT_MMIO;
		r->mmio.phys_addr = k->mmio.phys_addr;
		r->mmio.len = k->mmio.len;
		r->mmio.is_write = k->mmio.is_write;
		memcpy(r->mmio.data, k->mmio.data, 8);
		break;
	case KVM_EXIT_HLT:
		r->exit_reason = VTXHV_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		r->exit_reason = VTXHV_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		r->exit_reason = VTXHV_EXIT_FAIL_ENTRY;
		break;
	case KVM_EXIT_INTR:
		r->exit_reason = VTXHV_EXIT_INTR;
		break;
	default:
		r->exit_reason = VTXHV_EXIT_INTERNAL_ERROR;
		r->internal.exit_reason = k->exit_reason;
	}
	return 0;
}

int tvm_run(struct tvm *t)
{
	if (t->kvm)
		return kvm_run(t);
	return ioctl(t->vcpu, VTXHV_RUN, 0) ? -errno : 0;
}

void tvm_run_ok(struct tvm *t)
{
	int ret = tvm_run(t);

	TEST_ASSERT(!ret, "VTXHV_RUN: %d", ret);
}

static const char *guest_str(struct tvm *t, const char *p)
{
	uintptr_t a = (uintptr_t)p;

	if (!p || a >= t->mem_size)
		return "?";
	return (const char *)t->mem + a;
}

void tvm_ucall_at(struct tvm *t, const struct vtxhv_run *run,
		  struct ucall *uc)
{
	uint32_t gpa;

	memcpy(&gpa, (const uint8_t *)run + run->io.data_offset, 4);
	TEST_ASSERT(gpa + sizeof(*uc) <= t->mem_size, "ucall at %#x", gpa);
	memcpy(uc, t->mem + gpa, sizeof(*uc));
}

uint64_t tvm_get_ucall(struct tvm *t, struct ucall *uc)
{
	memset(uc, 0, sizeof(*uc));
	tvm_run_ok(t);
	if (t->run->exit_reason != VTXHV_EXIT_IO ||
	    t->run->io.port != UCALL_PORT ||
	    t->run->io.direction != VTXHV_IO_OUT || t->run->io.size != 4) {
		printf("# exit %s (%u) instead of a ucall\n",
		       exit_reason_name(t->run->exit_reason),
		       t->run->exit_reason);
		if (t->run->exit_reason == VTXHV_EXIT_IO)
			printf("# port %#x size %u dir %u\n", t->run->io.port,
			       t->run->io.size, t->run->io.direction);
		if (t->run->exit_reason == VTXHV_EXIT_INTERNAL_ERROR)
			printf("# suberror %u reason %u qual %#llx rip %#llx\n",
			       t->run->internal.suberror,
			       t->run->internal.exit_reason,
			       (unsigned long long)t->run->internal.qualification,
			       (unsigned long long)t->run->internal.rip);
		return UCALL_NONE;
	}
	tvm_ucall_at(t, t->run, uc);
	if (uc->cmd == UCALL_ABORT)
		printf("# guest assertion failed at %s:%lu: %s (%#lx, %#lx)\n",
		       guest_str(t, uc->file), (unsigned long)uc->line,
		       guest_str(t, uc->expr), (unsigned long)uc->args[0],
		       (unsigned long)uc->args[1]);
	if (uc->cmd == UCALL_EXCEPTION)
		printf("# guest exception %lu at rip %#lx, error code %#lx\n",
		       (unsigned long)uc->args[0], (unsigned long)uc->args[1],
		       (unsigned long)uc->args[2]);
	return uc->cmd;
}

void tvm_expect_ucall(struct tvm *t, uint64_t cmd, uint64_t arg0)
{
	struct ucall uc;
	uint64_t got = tvm_get_ucall(t, &uc);

	TEST_ASSERT(got == cmd, "ucall %lu, expected %lu", (unsigned long)got,
		    (unsigned long)cmd);
	if (cmd == UCALL_SYNC)
		TEST_ASSERT(uc.args[0] == arg0, "GUEST_SYNC(%lu), expected %lu",
			    (unsigned long)uc.args[0], (unsigned long)arg0);
}

bool tvm_run_to_done(struct tvm *t, char *why, size_t len)
{
	struct ucall uc;
	uint64_t cmd;

	do
		cmd = tvm_get_ucall(t, &uc);
	while (cmd == UCALL_SYNC);
	if (cmd == UCALL_DONE)
		return true;
	snprintf(why, len, "ucall %llu exit %s", (unsigned long long)cmd,
		 exit_reason_name(t->run->exit_reason));
	return false;
}

#define COUNTS "/sys/kernel/debug/vtxhv/counts"

long tvm_module_count(const char *name)
{
	char line[64], key[32];
	long v, found = -1;
	FILE *f = fopen(COUNTS, "r");

	TEST_ASSERT(f, "open " COUNTS);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %ld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

int tvm_module_counts_zero(void)
{
	static const char *const names[] = {
		"vms", "vcpus", "ept_pages", "pinned_pages", "shadow_pages",
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		long v = tvm_module_count(names[i]);

		printf("# %s %ld\n", names[i], v);
		ok &= v == 0;
	}
	return TEST_CHECK(ok, "the module still holds something");
}

extern char **environ;

/*
 * Run "vtxctl ARGS..." from PATH, its stdout (and stderr with @err) into
 * @out (at most @len - 1 bytes, NUL-terminated); its exit status, or -1.
 * posix_spawn (vfork-like) spares copying the pinned guest memory.
 */
int tvm_vtxctl(char *out, size_t len, char *const argv[], bool err)
{
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	ssize_t r;
	pid_t pid;
	int p[2], st;

	if (pipe(p))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if (err)
		posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	if (posix_spawnp(&pid, "vtxctl", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (n + 1 < len && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Is there an executable @name in a directory of $PATH? */
bool tvm_in_path(const char *name)
{
	char path[4096], *dir, *save = NULL;
	const char *env = getenv("PATH");

	if (!env)
		return false;
	snprintf(path, sizeof(path), "%s", env);
	for (dir = strtok_r(path, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char f[4352];

		snprintf(f, sizeof(f), "%s/%s", dir, name);
		if (!access(f, X_OK))
			return true;
	}
	return false;
}

uint64_t tvm_host_tsc_per_ms(void)
{
	struct timespec a, b;
	uint64_t t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec -
		     a.tv_nsec;
	} while (ns < 100000000ULL);
	t1 = rdtsc();
	return (t1 - t0) * 1000000ULL / ns;
}

void tvm_start_pm32(struct tvm *t, const struct vtxhv_dtable *gdt,
		    uint64_t rip)
{
	struct vtxhv_sregs s;

	tvm_get_sregs(t, &s);
	s.cs = x86_seg_flat(SEL_CODE, SEG_TYPE_CODE, false);
	s.ds = s.es = s.fs = s.gs = s.ss =
		x86_seg_flat(SEL_DATA, SEG_TYPE_DATA, false);
	if (gdt)
		s.gdt = *gdt;
	s.cr0 = X86_CR0_ET | X86_CR0_PE;
	s.cr4 = 0;
	s.efer = 0;
	tvm_set_sregs(t, &s);
	tvm_set_entry_regs(t, rip, 0, 0, 0);
}
