// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/vtxhv, preloaded (LD_PRELOAD) into vtxctl by
 * tests/host/unit/gdb_stub.sh, so that 'vtxctl run --gdb' meets gdb on a
 * host without VT-x.  Its vCPUs run a toy CPU in which every byte is a
 * one-byte instruction, one each 2 ms: INT3 (0xCC) stops with exception 3
 * under USE_SW_BP, an enabled execute breakpoint in debugreg[] stops with
 * exception 1 and B0-B3 (and RF, so that resuming runs the byte), HLT
 * (0xF4) halts with IF = 0, SINGLESTEP stops after each byte; immediate_exit
 * and signals end VTXHV_RUN with EINTR, as vtxhv's does.  Registers are
 * kept as set.  Enough for the stub's stops, threads and protocol; the
 * real module's behaviour is tests/guest_debug.c's and tests/gdb.sh's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <asm/processor-flags.h>

#include "vtxhv.h"

#define MAX_FDS		1024
#define MAX_VCPUS	8
#define RF		(1ULL << 16)

enum fd_kind { FD_NONE, FD_DEV, FD_VM, FD_VCPU };

struct fake_vcpu {
	struct vtxhv_regs r;
	struct vtxhv_sregs s;
	struct vtxhv_guest_debug d;
	struct vtxhv_fpu fpu;
	struct vtxhv_run *run;
};

static enum fd_kind kind[MAX_FDS];
static int vcpu_of[MAX_FDS];
static struct fake_vcpu vcpus[MAX_VCPUS];
static uint8_t *ram;
static uint64_t ram_size;
static int (*real_open)(const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);

static int new_fd(enum fd_kind k)
{
	int fd = memfd_create("fake_vtxhv", MFD_CLOEXEC);

	if (fd < 0 || fd >= MAX_FDS || ftruncate(fd, 4096))
		return -1;
	kind[fd] = k;
	return fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	if (!real_open)
		real_open = dlsym(RTLD_NEXT, "open");
	if (!strcmp(path, "/dev/vtxhv"))
		return new_fd(FD_DEV);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

static int stop(struct fake_vcpu *c, uint32_t exception, uint64_t pc,
		uint64_t dr6)
{
	c->run->exit_reason = VTXHV_EXIT_DEBUG;
	c->run->debug.exception = exception;
	c->run->debug.pc = pc;
	c->run->debug.dr6 = dr6;
	return 0;
}

static int intr(struct fake_vcpu *c)
{
	c->run->exit_reason = VTXHV_EXIT_INTR;
	errno = EINTR;
	return -1;
}

static int run(struct fake_vcpu *c)
{
	const struct timespec tick = { 0, 2000000 };
	uint64_t dr7 = c->d.debugreg[7];
	int i;

	for (;;) {
		uint64_t pc = c->r.rip;
		uint8_t b = pc < ram_size ? ram[pc] : 0;

		if (c->run->immediate_exit)
			return intr(c);
		for (i = 0; i < 4; i++)
			if ((c->d.control & VTXHV_GUESTDBG_USE_HW_BP) &&
			    !(c->r.rflags & RF) && (dr7 >> (2 * i) & 3) &&
			    !(dr7 >> (16 + 4 * i) & 3) &&
			    c->d.debugreg[i] == pc) {
				c->r.rflags |= RF;
				return stop(c, 1, pc, 0xffff0ff0 | 1U << i);
			}
		c->r.rflags &= ~RF;
		if (b == 0xcc && (c->d.control & VTXHV_GUESTDBG_USE_SW_BP))
			return stop(c, 3, pc, 0xffff0ff0);
		c->r.rip++;
		if (b == 0xf4) {
			c->r.rflags &= ~(uint64_t)X86_EFLAGS_IF;
			c->run->exit_reason = VTXHV_EXIT_HLT;
			return 0;
		}
		if (c->d.control & VTXHV_GUESTDBG_SINGLESTEP)
			return stop(c, 1, c->r.rip, 0xffff4ff0);
		if (nanosleep(&tick, NULL))
			return intr(c);
	}
}

/*
 * The vCPU state kept as set: the ioctls that copy it out (0: none) and
 * in, and where it lives in struct fake_vcpu.
 */
#define VCPU_STATE(get, set, field)					\
	{ get, set, offsetof(struct fake_vcpu, field),			\
	  sizeof(((struct fake_vcpu *)0)->field) }

static const struct {
	unsigned long get, set;
	size_t offset, size;
} vcpu_state[] = {
	VCPU_STATE(VTXHV_GET_REGS, VTXHV_SET_REGS, r),
	VCPU_STATE(VTXHV_GET_SREGS, VTXHV_SET_SREGS, s),
	VCPU_STATE(0, VTXHV_SET_GUEST_DEBUG, d),
	VCPU_STATE(VTXHV_GET_FPU, VTXHV_SET_FPU, fpu),
};

static int vcpu_ioctl(struct fake_vcpu *c, unsigned long req, void *arg)
{
	unsigned int i;

	if (req == VTXHV_RUN)
		return run(c);
	for (i = 0; i < sizeof(vcpu_state) / sizeof(vcpu_state[0]); i++) {
		char *state = (char *)c + vcpu_state[i].offset;

		if (vcpu_state[i].get && req == vcpu_state[i].get) {
			memcpy(arg, state, vcpu_state[i].size);
			break;
		}
		if (req == vcpu_state[i].set) {
			memcpy(state, arg, vcpu_state[i].size);
			break;
		}
	}
	return 0;	/* all taken, CPUID and the like too */
}

int ioctl(int fd, unsigned long req, ...)
{
	struct vtxhv_caps *caps;
	struct vtxhv_memory_region *mr;
	va_list ap;
	void *arg;
	int id, f;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	if (fd < 0 || fd >= MAX_FDS || kind[fd] == FD_NONE)
		return real_ioctl(fd, req, arg);
	switch (kind[fd]) {
	case FD_DEV:
		if (req == VTXHV_GET_API_VERSION)
			return VTXHV_API_VERSION;
		if (req == VTXHV_GET_RUN_SIZE)
			return 4096;
		if (req == VTXHV_CREATE_VM)
			return new_fd(FD_VM);
		if (req == VTXHV_GET_CAPS) {
			caps = arg;
			memset(caps, 0, sizeof(*caps));
			caps->size = sizeof(*caps);
			caps->api_version = VTXHV_API_VERSION;
			caps->max_vcpus = MAX_VCPUS;
			caps->max_mem_slots = 8;
			caps->paging_modes = 7;
			caps->extensions = VTXHV_EXT_GUEST_DEBUG |
					   VTXHV_EXT_FPU;
			return 0;
		}
		break;
	case FD_VM:
		if (req == VTXHV_SET_MEMORY_REGION) {
			mr = arg;
			ram = (uint8_t *)(uintptr_t)mr->userspace_addr;
			ram_size = mr->size;
			return 0;
		}
		id = (int)(uintptr_t)arg;
		if (req != VTXHV_CREATE_VCPU || id < 0 || id >= MAX_VCPUS)
			break;
		f = new_fd(FD_VCPU);
		if (f < 0)
			return -1;
		vcpu_of[f] = id;
		vcpus[id].run = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_SHARED, f, 0);
		vcpus[id].r.rflags = 2;
		/* The reset FCW and MXCSR, as vtxhv's. */
		vcpus[id].fpu.fxsave[0] = 0x7f, vcpus[id].fpu.fxsave[1] = 0x03;
		vcpus[id].fpu.fxsave[24] = 0x80, vcpus[id].fpu.fxsave[25] = 0x1f;
		return f;
	case FD_VCPU:
		return vcpu_ioctl(&vcpus[vcpu_of[fd]], req, arg);
	default:
		break;
	}
	errno = ENOTTY;
	return -1;
}
