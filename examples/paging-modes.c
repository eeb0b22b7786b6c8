// SPDX-License-Identifier: GPL-2.0
/*
 * paging-modes: one guest under EPT and both shadow paging modes, and
 * what the module's counters say each mode cost (docs/shadow-paging.md).
 *
 * The 64-bit guest loops ITERS times over: load CR3 with one of 4 address
 * spaces (4 PML4s sharing one identity map), rewrite the page-directory
 * entry that maps virtual 14 MiB (to physical 8 MiB on even rounds, 10
 * MiB on odd ones), INVLPG it and read a word there.  8 MiB holds 1 and
 * 10 MiB holds 2, so the sum the guest reports (port 0x80) is 3 *
 * ITERS / 2 if every mode translated every read right.  Under EPT the
 * CPU walks the guest's tables and nothing exits; vtlb rebuilds its
 * shadow at each CR3 load; shadow keeps one per address space and traps
 * the guest's writes to its page tables.
 *
 *   sudo build/examples/paging-modes
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtxhv/libvtxhv.h>
#include <vtxhv/vtxhv_genl.h>	/* VTXHV_SH_*: the shadow counters */

#define RAM_SIZE	(16 << 20)
#define GDT		0x8000
#define TABLES		0x10000		/* PML4, PDPT, PD of the map */
#define PD		(TABLES + 0x2000)
#define SPACES		0x20000		/* 4 more PML4s */
#define CODE		0x100000
#define ITERS		400

extern const unsigned char guest[], guest_end[];
__asm__(".pushsection .rodata\n"
	"guest:\n"
	"	xor %edi, %edi\n"		/* the sum */
	"	xor %ecx, %ecx\n"		/* the round */
	"1:	mov %ecx, %eax\n"
	"	and $3, %eax\n"
	"	shl $12, %eax\n"
	"	add $0x20000, %eax\n"		/* SPACES + 4K * (i % 4) */
	"	mov %rax, %cr3\n"
	"	mov $0x800083, %eax\n"		/* 8 MiB: 2 MiB page, RW, P */
	"	test $1, %ecx\n"
	"	jz 2f\n"
	"	mov $0xa00083, %eax\n"		/* 10 MiB */
	"2:	mov %rax, 0x12038\n"		/* PD[7]: virtual 14 MiB */
	"	invlpg 0xe00000\n"
	"	add 0xe00000, %edi\n"
	"	inc %ecx\n"
	"	cmp $400, %ecx\n"		/* ITERS */
	"	jb 1b\n"
	"	mov %edi, %eax\n"
	"	out %eax, $0x80\n"
	"	hlt\n"
	"guest_end:\n"
	".popsection\n");

static void check(long ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "paging-modes: %s: %s\n", what,
			strerror(-ret));
		exit(1);
	}
}

static uint64_t sum(const uint64_t *v, unsigned int n)
{
	uint64_t s = 0;

	while (n--)
		s += *v++;
	return s;
}

/* Run the guest in @paging; print one line; 0 if its sum is right. */
static int run_mode(int dev, uint32_t paging)
{
	struct vtxhv_regs r = { .rip = CODE, .rflags = 2 };
	static struct vtxhv_vcpu_counters c;
	uint32_t one = 1, two = 2, result = 0;
	struct vtxhv_vcpu *vcpu;
	struct vtxhv_run *run;
	struct vtxhv_vm *vm;
	uint8_t *ram;
	int i;

	check(vtxhv_vm_create(dev, paging, 0, &vm), "create VM");
	check(vtxhv_mem_anon(vm, 0, RAM_SIZE, 0, (void **)&ram), "memory");
	check(vtxhv_write_gpa(vm, CODE, guest, guest_end - guest), "code");
	check(vtxhv_identity_map(vm, TABLES, RAM_SIZE), "page tables");
	for (i = 0; i < 4; i++)		/* the same map under 4 roots */
		memcpy(ram + SPACES + i * 0x1000, ram + TABLES, 0x1000);
	check(vtxhv_write_gpa(vm, 8 << 20, &one, 4), "data");
	check(vtxhv_write_gpa(vm, 10 << 20, &two, 4), "data");
	check(vtxhv_vcpu_create(vm, 0, &vcpu), "create vCPU");
	check(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_LONG, GDT, TABLES),
	      "long mode");
	check(vtxhv_set_regs(vcpu, &r), "registers");

	run = vtxhv_vcpu_run_page(vcpu);
	for (;;) {
		check(vtxhv_run(vcpu), "run");
		if (run->exit_reason == VTXHV_EXIT_HLT)
			break;
		if (run->exit_reason != VTXHV_EXIT_IO) {
			fprintf(stderr, "paging-modes: %s: unexpected exit %s\n",
				vtxhv_paging_name(paging),
				vtxhv_exit_name(run->exit_reason));
			return 1;
		}
		memcpy(&result, (char *)run + run->io.data_offset, 4);
	}
	check(vtxhv_vm_counters(vm, &c, 1, NULL), "counters");
	printf("%-7s %6u %-5s %7" PRIu64 " %9" PRIu64 " %9" PRIu64
	       " %9" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n",
	       vtxhv_paging_name(paging), result,
	       result == ITERS / 2 * 3 ? "ok" : "WRONG",
	       sum(c.exits, VTXHV_COUNTER_EXITS),
	       c.shadow[VTXHV_SH_CR3_LOADS], c.shadow[VTXHV_SH_ROOT_MISSES],
	       c.shadow[VTXHV_SH_FAULTS_FIXED], c.shadow[VTXHV_SH_WP_TRAPS],
	       (c.guest_ns + c.exit_ns) / 1000);
	vtxhv_vm_destroy(vm);
	return result == ITERS / 2 * 3 ? 0 : 1;
}

int main(void)
{
	struct vtxhv_caps caps = { .size = sizeof(caps) };
	int dev, bad = 0;
	uint32_t m;

	check(dev = vtxhv_open(NULL), "/dev/vtxhv");
	check(vtxhv_get_caps(dev, &caps), "capabilities");
	printf("%d rounds: CR3 load, page-table write, INVLPG, read\n", ITERS);
	printf("%-7s %6s %-5s %7s %9s %9s %9s %9s %10s\n", "mode", "sum", "",
	       "exits", "cr3-loads", "new-roots", "faults", "wp-traps",
	       "us");
	for (m = VTXHV_PAGING_EPT; m <= VTXHV_PAGING_SHADOW; m++) {
		if (!(caps.paging_modes & 1U << m)) {
			printf("%-7s not offered by this module or CPU\n",
			       vtxhv_paging_name(m));
			continue;
		}
		bad |= run_mode(dev, m);
	}
	return bad;
}
