// SPDX-License-Identifier: GPL-2.0
/*
 * hold_vm: a helper of netlink.sh and tracepoints.sh, not a test.
 *
 *   hold_vm            a VM whose guest spins on CPUID and a write to port
 *                      0x80; prints "running" once the guest has exited to
 *                      userspace, then runs until killed
 *   hold_vm --triple   a guest that triple-faults (an exception with an
 *                      empty IDT); prints "shutdown rip X expected Y" and
 *                      exits 0 if vtxhv reported the shutdown at Y
 *   hold_vm --cpuid N  a guest that executes N CPUIDs and ends; prints
 *                      "done pid P" and exits 0
 */
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define POST_PORT	0x80
#define HOLD_MEM	(16 << 20)

extern char triple_fault_insn[];

static void spin_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	uint8_t i = 0;

	(void)arg;
	for (;;) {
		cpuid(0, 0, &a, &b, &c, &d);
		outb(POST_PORT, i++);
	}
}

static void cpuid_code(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < n; i++)
		cpuid(0, 0, &a, &b, &c, &d);
}

/*
 * With an IDT limit of 0, UD2's #UD cannot be delivered (#GP), nor can
 * the #GP (#DF), nor the #DF: a triple fault (SDM Vol. 3A 6.15,
 * "Interrupt 8").  The RIP left in the guest state is UD2's.
 */
static void __attribute__((noinline)) triple_code(uint64_t arg)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	(void)arg;
	__asm__ volatile("lidt %0\n\t"
			 ".globl triple_fault_insn\n"
			 "triple_fault_insn:\n\t"
			 "ud2"
			 : : "m"(no_idt));
}

int main(int argc, char **argv)
{
	uint64_t rip, n = 0;
	bool said = false;
	struct tvm *t;
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--cpuid")) {
		n = strtoull(argv[2], &end, 0);
		if (*end)
			argc = 0;
	}
	if (argc > 2 && n == 0) {
		fprintf(stderr, "usage: hold_vm [--triple | --cpuid N]\n");
		return 64;
	}
	if (argc == 2 && strcmp(argv[1], "--triple")) {
		fprintf(stderr, "usage: hold_vm [--triple | --cpuid N]\n");
		return 64;
	}
	t = tvm_create(HOLD_MEM);
	if (argc == 2) {
		tvm_setup_long_mode(t, triple_code, 0);
		tvm_run_ok(t);
		if (t->run->exit_reason != VTXHV_EXIT_SHUTDOWN) {
			printf("exit %s instead of a shutdown\n",
			       exit_reason_name(t->run->exit_reason));
			return 1;
		}
		rip = t->run->stop.rip;
		printf("shutdown rip %#lx expected %#lx\n",
		       (unsigned long)rip,
		       (unsigned long)(uintptr_t)triple_fault_insn);
		tvm_destroy(t);
		return rip == (uintptr_t)triple_fault_insn ? 0 : 1;
	}
	if (n) {
		tvm_setup_long_mode(t, cpuid_code, n);
		tvm_expect_ucall(t, UCALL_DONE, 0);
		tvm_destroy(t);
		printf("done pid %d\n", getpid());
		return 0;
	}
	tvm_setup_long_mode(t, spin_code, 0);
	for (;;) {
		tvm_run_ok(t);
		if (t->run->exit_reason != VTXHV_EXIT_IO ||
		    t->run->io.port != POST_PORT) {
			printf("unexpected exit %s\n",
			       exit_reason_name(t->run->exit_reason));
			return 1;
		}
		if (!said)
			printf("running\n");
		said = true;
	}
}
