// SPDX-License-Identifier: GPL-2.0
/*
 * count-exits: which exits a guest causes, seen from both sides.  The
 * 32-bit guest below runs CPUID 100 times (exits the module handles
 * itself), writes port 0x80 10 times and an MMIO address 5 times (exits
 * that come out to this program), and halts.  It is loaded as vtxctl run
 * loads a flat image (vtxhv_load_image(), vtxhv_vcpu_boot()); then this
 * program prints the exits it saw, by VTXHV_EXIT_* reason, and the VM's
 * counters from the module, by basic VMX exit reason.
 *
 *   sudo build/examples/count-exits [ept|vtlb|shadow]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtxhv/libvtxhv.h>

#define MMIO_ADDR	0xd0000000	/* no memory slot there */

extern const unsigned char guest[], guest_end[];
__asm__(".pushsection .rodata\n"
	"guest:\n"
	".code32\n"
	"	mov $100, %esi\n"
	"1:	xor %eax, %eax\n"
	"	cpuid\n"			/* in the kernel */
	"	dec %esi\n"
	"	jnz 1b\n"
	"	mov $10, %esi\n"
	"	mov $0x80, %dx\n"
	"2:	out %al, %dx\n"			/* VTXHV_EXIT_IO */
	"	dec %esi\n"
	"	jnz 2b\n"
	"	mov $5, %esi\n"
	"3:	movl %esi, 0xd0000000\n"	/* VTXHV_EXIT_MMIO */
	"	dec %esi\n"
	"	jnz 3b\n"
	"	hlt\n"				/* VTXHV_EXIT_HLT */
	".code64\n"
	"guest_end:\n"
	".popsection\n");

static void check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "count-exits: %s: %s\n", what, strerror(-ret));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct vtxhv_load_opts opts = { .size = sizeof(opts),
					.mode = VTXHV_MODE_PROTECTED };
	static struct vtxhv_vcpu_counters c;
	uint64_t seen[VTXHV_EXIT_DEBUG + 1] = { 0 };
	int paging = VTXHV_PAGING_EPT, dev, n;
	struct vtxhv_image img;
	struct vtxhv_vcpu *vcpu;
	struct vtxhv_run *run;
	struct vtxhv_vm *vm;
	char err[256];
	uint32_t r;

	if (argc > 1)
		check(paging = vtxhv_paging_from_name(argv[1]), argv[1]);
	check(dev = vtxhv_open(NULL), "/dev/vtxhv");
	check(vtxhv_vm_create(dev, paging, 0, &vm), "create VM");
	check(vtxhv_mem_anon(vm, 0, 4 << 20, 0, NULL), "memory");
	if (vtxhv_load_image(vm, guest, guest_end - guest, &opts, &img, err,
			     sizeof(err))) {
		fprintf(stderr, "count-exits: load: %s\n", err);
		return 1;
	}
	check(vtxhv_vcpu_create(vm, 0, &vcpu), "create vCPU");
	check(vtxhv_vcpu_set_cpuid_policy(vcpu), "CPUID");
	check(vtxhv_vcpu_boot(vcpu, &img), "registers");

	run = vtxhv_vcpu_run_page(vcpu);
	do {
		check(vtxhv_run(vcpu), "run");
		r = run->exit_reason;
		if (r != VTXHV_EXIT_IO && r != VTXHV_EXIT_MMIO &&
		    r != VTXHV_EXIT_HLT) {
			fprintf(stderr, "count-exits: unexpected exit %s\n",
				vtxhv_exit_name(r));
			return 1;
		}
		seen[r]++;	/* an OUT and a write need no answer */
	} while (r != VTXHV_EXIT_HLT);

	printf("exits to this program (%s):\n", vtxhv_paging_name(paging));
	for (r = 0; r <= VTXHV_EXIT_DEBUG; r++)
		if (seen[r])
			printf("  %-20s %8" PRIu64 "\n", vtxhv_exit_name(r),
			       seen[r]);
	n = vtxhv_vm_counters(vm, &c, 1, NULL);
	check(n, "counters");
	printf("exits the module counted (basic VMX exit reasons):\n");
	for (r = 0; r < VTXHV_COUNTER_EXITS; r++)
		if (c.exits[r])
			printf("  %-20s %8" PRIu64 "\n",
			       vtxhv_vmx_exit_name(r) ?: "?", c.exits[r]);
	printf("time in the guest %" PRIu64 " us, in exits %" PRIu64 " us\n",
	       c.guest_ns / 1000, c.exit_ns / 1000);
	vtxhv_vm_destroy(vm);
	return 0;
}
