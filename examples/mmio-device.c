// SPDX-License-Identifier: GPL-2.0
/*
 * mmio-device: a toy device behind an MMIO page, emulated by this
 * program.  Guest-physical DEV_BASE has no memory slot, so each guest
 * load or store there is an exit (VTXHV_EXIT_MMIO) that this program
 * answers.  The device multiplies:
 *
 *   0x00  A       write
 *   0x04  B       write
 *   0x08  A * B   read
 *   0x0c  REPORT  write: the guest's answer, printed
 *   0x10  IDENT   read: "TOY1"
 *
 * The 64-bit guest checks IDENT, sums i * i for i = 1..5 with the
 * device's help and writes the sum to REPORT.  It runs in long mode on
 * the identity map and boot GDT the library writes (vtxhv_identity_map(),
 * vtxhv_vcpu_set_mode()).
 *
 *   sudo build/examples/mmio-device
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtxhv/libvtxhv.h>

#define RAM_SIZE	(2 << 20)
#define GDT		0x8000
#define TABLES		0x10000		/* the identity map's tables */
#define CODE		0x100000
#define STACK		0x1f0000
#define DEV_BASE	0xfe000000ULL
#define DEV_IDENT	0x31594f54	/* "TOY1" */

extern const unsigned char guest[], guest_end[];
__asm__(".pushsection .rodata\n"
	"guest:\n"
	"	mov $0xfe000000, %ebx\n"	/* DEV_BASE */
	"	mov 0x10(%rbx), %eax\n"		/* IDENT */
	"	cmp $0x31594f54, %eax\n"
	"	jne 2f\n"
	"	xor %edi, %edi\n"
	"	mov $1, %ecx\n"
	"1:	mov %ecx, 0x0(%rbx)\n"		/* A = i */
	"	mov %ecx, 0x4(%rbx)\n"		/* B = i */
	"	mov 0x8(%rbx), %eax\n"		/* A * B (only MOV */
	"	add %eax, %edi\n"		/* reaches MMIO) */
	"	inc %ecx\n"
	"	cmp $5, %ecx\n"
	"	jbe 1b\n"
	"	mov %edi, 0xc(%rbx)\n"		/* REPORT = sum */
	"	hlt\n"
	"2:	movl $0xdead, 0xc(%rbx)\n"	/* REPORT: wrong device */
	"	hlt\n"
	"guest_end:\n"
	".popsection\n");

struct toy {
	uint32_t a, b, report;
	unsigned int reads, writes;
};

/* One access of the guest to the device's page. */
static void toy_mmio(struct toy *t, struct vtxhv_run *run)
{
	uint64_t off = run->mmio.phys_addr - DEV_BASE;
	uint32_t v = 0;

	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, run->mmio.len < 4 ?
		       run->mmio.len : 4);
		t->writes++;
		if (off == 0x0)
			t->a = v;
		else if (off == 0x4)
			t->b = v;
		else if (off == 0xc)
			t->report = v;
		return;
	}
	t->reads++;
	if (off == 0x8)
		v = t->a * t->b;
	else if (off == 0x10)
		v = DEV_IDENT;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, &v, run->mmio.len < 4 ? run->mmio.len : 4);
}

static void check(long ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "mmio-device: %s: %s\n", what,
			strerror(-ret));
		exit(1);
	}
}

int main(void)
{
	struct vtxhv_regs r = { .rip = CODE, .rsp = STACK, .rflags = 2 };
	struct toy toy = { 0 };
	struct vtxhv_vcpu *vcpu;
	struct vtxhv_run *run;
	struct vtxhv_vm *vm;
	int dev;

	check(dev = vtxhv_open(NULL), "/dev/vtxhv");
	check(vtxhv_vm_create(dev, VTXHV_PAGING_EPT, 0, &vm), "create VM");
	check(vtxhv_mem_anon(vm, 0, RAM_SIZE, 0, NULL), "memory");
	check(vtxhv_write_gpa(vm, CODE, guest, guest_end - guest), "code");
	/* The first 4 GiB, so that DEV_BASE is mapped too. */
	check(vtxhv_identity_map(vm, TABLES, 4ULL << 30), "page tables");
	check(vtxhv_vcpu_create(vm, 0, &vcpu), "create vCPU");
	check(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_LONG, GDT, TABLES),
	      "long mode");
	check(vtxhv_set_regs(vcpu, &r), "registers");

	run = vtxhv_vcpu_run_page(vcpu);
	for (;;) {
		check(vtxhv_run(vcpu), "run");
		if (run->exit_reason == VTXHV_EXIT_HLT)
			break;
		if (run->exit_reason != VTXHV_EXIT_MMIO ||
		    run->mmio.phys_addr - DEV_BASE >= 0x1000) {
			fprintf(stderr, "mmio-device: unexpected exit %s\n",
				vtxhv_exit_name(run->exit_reason));
			return 1;
		}
		toy_mmio(&toy, run);
	}
	printf("device: %u writes, %u reads\n", toy.writes, toy.reads);
	printf("the guest reported %u (1*1 + 2*2 + ... + 5*5 = 55)\n",
	       toy.report);
	vtxhv_vm_destroy(vm);
	return toy.report == 55 ? 0 : 1;
}
