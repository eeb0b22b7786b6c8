// SPDX-License-Identifier: GPL-2.0
/*
 * hello: a complete VMM on libvtxhv.  One VM, 1 MiB of RAM, one vCPU in
 * real mode running the 16-bit guest below, which writes a line to port
 * 0xe9 one byte at a time and halts.  Each OUT is an exit to this
 * program, which prints the byte; the HLT ends the run.
 *
 *   sudo build/examples/hello
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtxhv/libvtxhv.h>

#define GUEST_ADDR	0x1000		/* CS = 0, IP = 0x1000 */
#define PORT		0xe9		/* Bochs's and QEMU's debug port */

/* The guest, assembled with the program: 16-bit code, linked nowhere. */
extern const unsigned char guest[], guest_end[];
__asm__(".pushsection .rodata\n"
	"guest:\n"
	".code16\n"
	"	mov $0x1000 + (msg - guest), %si\n"	/* DS = 0 */
	"	mov $0xe9, %dx\n"
	"1:	lodsb\n"					/* AL = [DS:SI++] */
	"	test %al, %al\n"
	"	jz 2f\n"
	"	out %al, %dx\n"					/* exit: IO */
	"	jmp 1b\n"
	"2:	hlt\n"						/* exit: HLT */
	"msg:	.asciz \"Hello from a 16-bit guest on vtxhv!\\n\"\n"
	".code64\n"
	"guest_end:\n"
	".popsection\n");

static void check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "hello: %s: %s\n", what, strerror(-ret));
		exit(1);
	}
}

int main(void)
{
	struct vtxhv_vm *vm;
	struct vtxhv_vcpu *vcpu;
	struct vtxhv_sregs s;
	struct vtxhv_regs r = { .rip = GUEST_ADDR, .rflags = 2 };
	struct vtxhv_run *run;
	int dev = vtxhv_open(NULL);

	check(dev, "/dev/vtxhv");
	/* Real mode needs EPT (unrestricted guest). */
	check(vtxhv_vm_create(dev, VTXHV_PAGING_EPT, 0, &vm), "create VM");
	check(vtxhv_mem_anon(vm, 0, 1 << 20, 0, NULL), "memory");
	check(vtxhv_write_gpa(vm, GUEST_ADDR, guest, guest_end - guest),
	      "load the guest");
	check(vtxhv_vcpu_create(vm, 0, &vcpu), "create vCPU");
	/* From the reset state (CS:IP = F000:FFF0) to CS = DS = SS = 0. */
	check(vtxhv_get_sregs(vcpu, &s), "get sregs");
	s.cs = vtxhv_seg_real(0, true);
	s.ds = s.es = s.ss = vtxhv_seg_real(0, false);
	check(vtxhv_set_sregs(vcpu, &s), "set sregs");
	check(vtxhv_set_regs(vcpu, &r), "set regs");

	run = vtxhv_vcpu_run_page(vcpu);
	for (;;) {
		check(vtxhv_run(vcpu), "run");
		if (run->exit_reason == VTXHV_EXIT_HLT)
			break;
		if (run->exit_reason != VTXHV_EXIT_IO ||
		    run->io.direction != VTXHV_IO_OUT || run->io.port != PORT) {
			fprintf(stderr, "hello: unexpected exit %s\n",
				vtxhv_exit_name(run->exit_reason));
			return 1;
		}
		putchar(*((char *)run + run->io.data_offset));
	}
	printf("the guest halted\n");
	vtxhv_vm_destroy(vm);
	return 0;
}
