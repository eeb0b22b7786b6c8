// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_probe: drive Debian's own KVM to prove who holds VMX.
 *
 *   kvm_probe run    create a VM and run a 16-bit guest (OUT, then HLT);
 *                    succeeds only if KVM could enter VMX on every CPU
 *   kvm_probe hold   create a VM, which puts every CPU in VMX operation
 *                    under kvm_intel, print "holding" and wait for a signal
 *
 * Exit status: 0 success, 2 KVM unavailable, otherwise the errno of the
 * failed call (e.g. EBUSY when another hypervisor holds VMX).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static int fail(const char *what)
{
	int e = errno;

	printf("error %s: %s%s\n", what, e == EBUSY ? "EBUSY " : "",
	       strerror(e));
	return e ? e : 1;
}

int main(int argc, char **argv)
{
	/* mov $0x42,%al; out %al,$0x10; hlt */
	static const unsigned char code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu, size;
	unsigned char *mem;

	if (argc != 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: kvm_probe run|hold\n");
		return 64;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("/dev/kvm");
		return 2;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (!strcmp(argv[1], "hold")) {
		printf("holding\n");
		fflush(stdout);
		pause();
		return 0;
	}

	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memcpy(mem + 0x1000, code, sizeof(code));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		return fail("KVM_SET_REGS");

	if (ioctl(vcpu, KVM_RUN, 0))
		return fail("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x10 ||
	    *((unsigned char *)run + run->io.data_offset) != 0x42) {
		printf("error: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	if (ioctl(vcpu, KVM_RUN, 0))
		return fail("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_HLT) {
		printf("error: unexpected exit %u, wanted HLT\n",
		       run->exit_reason);
		return 1;
	}
	printf("kvm guest ran: OUT 0x42 to port 0x10, then HLT\n");
	return 0;
}
