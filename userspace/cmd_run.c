// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl run: create a VM, load an image into its RAM (loader.c), run each
 * vCPU in its own thread, and emulate the devices of devices.c until the
 * guest stops.
 *
 * Guest RAM is one slot of --mem bytes at guest-physical 0, an anonymous
 * mapping.  The initial state of a vCPU, by the mode the image starts in:
 *
 *   real mode (a flat image with --mode real)
 *     CR0 = ET (PE and PG off), CR4 = 0, EFER = 0.  An entry below 64 KiB
 *     starts at CS:IP = 0:entry, a higher one at CS:IP = (entry >> 4):
 *     (entry & 0xF).  DS = ES = FS = GS = SS = 0 (base 0, limit 0xFFFF).
 *     SS:SP = 0:0x7C00 if the 4 KiB below it are free, else SP = 0.
 *     IDTR = base 0, limit 0x3FF (the real-mode vector table).
 *
 *   protected mode (a flat image with --mode protected or no --mode, ELF32,
 *   multiboot)
 *     CR0 = PE | ET (paging off), CR4 = 0, EFER = 0.  CS = 0x08 (32-bit
 *     code), DS = ES = FS = GS = SS = 0x10 (data), all base 0 and limit
 *     4 GiB, TR = 0x18, from the GDT below.  EIP = the entry point, ESP =
 *     the top of RAM (at most 4 GiB, 16-byte aligned) if the 64 KiB below
 *     it are free, else 0.  Multiboot (spec 3.2): EAX = 0x2BADB002, EBX =
 *     the multiboot information structure.
 *
 *   long mode (a flat image with --mode long, ELF64)
 *     CR0 = PG | PE | NE | ET, CR4 = PAE | OSFXSR | OSXMMEXCPT (so that
 *     compiled code may use SSE), EFER = LME | LMA, CR3 = 4-level page
 *     tables from the loader that identity-map RAM below 4 GiB with 2 MiB
 *     pages.  CS = 0x08 (64-bit code), data segments 0x10, TR = 0x18 (a
 *     64-bit TSS).  RIP = the entry point, RSP as in protected mode.
 *
 *   every mode
 *     RFLAGS = 0x2 (interrupts disabled); general registers 0 except the
 *     ones named above and EDI/RDI, which holds the vCPU index (0 to
 *     --cpus - 1: every vCPU starts at the entry point).  The stack area
 *     above (4 KiB real mode, 64 KiB otherwise) is shared out: vCPU i's
 *     stack pointer is the initial one minus i * (area / --cpus), rounded
 *     down to 16 bytes.  IDTR is empty (base 0, limit 0) outside real mode,
 *     so any exception triple-faults (exit status 2) until the guest loads
 *     its own IDT.
 *
 * The GDT of protected and long mode lives in one 4 KiB page of guest RAM:
 * null, 0x08 code (32- or 64-bit), 0x10 data, 0x18 a busy TSS whose 104
 * zero bytes are in the same page, at offset 0x80.  The page is the first
 * one from 0xA0000 up (the 640 KiB - 1 MiB hole the multiboot memory map
 * leaves out, so that a multiboot kernel does not reuse it) that the image,
 * the page tables, the multiboot information, the module and the stack
 * area leave free; failing that, the first free page from 4 KiB up.
 */
#define _GNU_SOURCE		/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <asm/vmx.h>

#include "devices.h"
#include "loader.h"
#include "nl.h"
#include "nl_format.h"
#include "term.h"
#include "vtxctl.h"

/* Exit statuses of 'run' that tell how the guest ended (README.md). */
#define RUN_HALTED		0	/* every vCPU: HLT with IF = 0 */
#define RUN_TRIPLE_FAULT	2
#define RUN_ENTRY_FAILED	4
#define RUN_INTERNAL_ERROR	6	/* or an exit vtxctl cannot handle */
#define RUN_TIMEOUT		124
#define RUN_STOPPED		(-1)	/* stopped: another vCPU ended */
#define RUN_RESET		1000	/* 8042 reset: every vCPU stops, 0 */

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PAGE_SIZE	4096ULL

#define DEFAULT_MEM	(64 * MiB)
#define DEFAULT_MEM_BZIMAGE (128 * MiB)	/* Debian's 6.1 needs about 80M */
#define X86_EFLAGS_IF	(1ULL << 9)
#define X86_EFLAGS_FIXED (1ULL << 1)

/* Control-register and EFER bits (Intel SDM Vol. 3A 2.5, 2.2.1). */
#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* The GDT page (see the top of this file). */
#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define GDT_TSS_OFFSET	0x80
#define TSS_LIMIT	0x67		/* 104 bytes, no I/O bitmap */
/* Descriptors: base 0, limit 4 GiB, present, accessed (SDM Vol. 3A 3.4.5). */
#define GDT_CODE32	0x00cf9b000000ffffULL	/* execute/read, D */
#define GDT_CODE64	0x00af9b000000ffffULL	/* execute/read, L */
#define GDT_DATA	0x00cf93000000ffffULL	/* read/write, B */
#define SEG_TYPE_CODE	11	/* execute/read, accessed */
#define SEG_TYPE_DATA	3	/* read/write, accessed */
#define SEG_TYPE_TSS	11	/* busy 32- or 64-bit TSS */

/* The multiboot information block's fixed part, memory map and module
 * entry take 152 bytes (loader.c); the strings come on top. */
#define MBI_FIXED_MAX	256

struct run_opts {
	uint64_t mem;
	unsigned int cpus;
	enum guest_mode mode;
	uint64_t load, entry;
	bool has_load, has_entry, has_mem, stats;
	int paging;		/* VTXHV_PAGING_*, -1: EPT where offered */
	const char *append, *initrd, *image;
	double timeout;		/* seconds, 0 = none */
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct vtxhv_run *run;
	pthread_t thread;
	bool started, done;
	uint64_t exits[VTXHV_EXIT_IRQ_WINDOW_OPEN + 2];	/* last: other */
	/* vCPU 0, which takes the PIC's interrupts; under vm->dev_lock. */
	bool kicked;		/* a kick is on its way: no second one */
	bool halted;		/* waiting in HLT for an interrupt */
	bool window;		/* request_interrupt_window is set */
	bool queued;		/* VTXHV_INTERRUPT since the last real exit */
	uint64_t injected;
};

struct vm {
	int dev, fd;
	int paging;		/* VTXHV_PAGING_* of the VM */
	uint8_t *ram;
	uint64_t ram_size;
	long run_size;
	struct load_result res;
	uint64_t gdt;

	/*
	 * Devices are used by every vCPU thread, the timer thread and the
	 * input thread: dev_lock serialises them.  dev_cond wakes the timer
	 * thread (the PIT was programmed), a halted vCPU 0 (an interrupt
	 * came) and the input thread (the UART has room).  Lock order:
	 * vm->lock, then dev_lock.
	 */
	pthread_mutex_t dev_lock;
	pthread_cond_t dev_cond;
	struct devices devs;
	struct timespec t0;	/* CLOCK_MONOTONIC at the start: time 0 */
	uint64_t wall_ns;	/* from t0 to the end of the run */
	bool warned_vector;
	pthread_t timer, input;
	bool timer_started, input_started;
	int wake[2];		/* self-pipe: wakes the input thread's poll */

	/* How the run ends: under lock, cond signalled as vCPUs finish. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int ndone;
	int status;		/* -1 until a vCPU or the timeout decides */
	volatile int stopping;

	unsigned int ncpus;
	struct vcpu *vcpus;
};

#define NEXITS		(VTXHV_EXIT_IRQ_WINDOW_OPEN + 2)
#define EXIT_OTHER	(NEXITS - 1)

static const char *const exit_names[NEXITS] = {
	[VTXHV_EXIT_UNKNOWN] = "UNKNOWN",
	[VTXHV_EXIT_IO] = "IO",
	[VTXHV_EXIT_MMIO] = "MMIO",
	[VTXHV_EXIT_HLT] = "HLT",
	[VTXHV_EXIT_HYPERCALL] = "HYPERCALL",
	[VTXHV_EXIT_SHUTDOWN] = "SHUTDOWN",
	[VTXHV_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[VTXHV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[VTXHV_EXIT_INTR] = "INTR",
	[VTXHV_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[EXIT_OTHER] = "(other)",
};

void usage_run(FILE *out)
{
	fprintf(out,
		"usage: %s run [--mem SIZE] [--cpus N] [--mode real|protected|long]\n"
		"          [--load ADDR] [--entry ADDR] [--append CMDLINE] [--initrd FILE]\n"
		"          [--paging ept|vtlb|shadow] [--stats] [--timeout SEC] IMAGE\n\n"
		"Create a VM, load IMAGE (multiboot v1, ELF64, ELF32, a Linux bzImage or\n"
		"a flat binary) into its RAM and run it.\n\n"
		"  --mem SIZE       guest RAM at address 0 (default 64M, 128M for a bzImage;\n"
		"                   suffix K, M or G)\n"
		"  --cpus N         vCPUs, one thread each, all started at the entry with\n"
		"                   EDI/RDI = the vCPU index (default 1)\n"
		"  --mode MODE      flat images: real, protected (default) or long\n"
		"  --load ADDR      flat images: where the first byte goes (default 0x7c00\n"
		"                   in real mode, else 0x100000)\n"
		"  --entry ADDR     flat images: the first instruction (default: --load)\n"
		"  --append CMDLINE multiboot, bzImage: the command line (bzImage default:\n"
		"                   \"" LOADER_BZIMAGE_CMDLINE "\")\n"
		"  --initrd FILE    multiboot: module 0; bzImage: the initrd\n"
		"  --paging MODE    ept (default where offered), vtlb or shadow (shadow\n"
		"                   page tables: one vCPU, no real mode)\n"
		"  --stats          print the exit counts per vCPU, interrupts injected,\n"
		"                   PIT edges, wall and CPU seconds, the shadow paging\n"
		"                   counters, and each unhandled port and MMIO page\n"
		"                   once, on stderr\n"
		"  --timeout SEC    stop the guest after SEC seconds of wall-clock time\n\n"
		"Devices: 16550 UART at 0x3f8 (IRQ 4; output to stdout, input from stdin,\n"
		"a raw-mode console on a terminal), debug console at 0xe9, exit device\n"
		"at 0xf4, 8259A PICs at 0x20/0xa0, 8254 PIT at 0x40-0x43 (IRQ 0) and\n"
		"port 0x61, CMOS RTC at 0x70/0x71, 8042 reset (0xfe to port 0x64),\n"
		"fw_cfg at 0x510/0x511, local-APIC page at 0xfee00000 (reads zero).\n"
		"PIC interrupts go to vCPU 0.\n\n"
		"exit status: 0 every vCPU halted with interrupts disabled, or the guest\n"
		"  reset the machine through the keyboard controller (Linux's\n"
		"  'poweroff -f' and 'reboot -f' end the run so), 2 triple fault,\n"
		"  4 VM entry failed, 6 internal error or unhandled exit,\n"
		"  124 --timeout expired, (V << 1) | 1 the guest wrote V to port 0xf4,\n"
		"  64 usage error, 65 image not loadable, 69 vtxhv not loaded,\n"
		"  70 the VM could not be set up, 77 permission denied.\n",
		progname);
}

/* ---- Options ---------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s run: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see '%s run --help')\n", progname);
	return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static bool parse_size(const char *s, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;
	uint64_t n;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return false;
	}
	if (shift && end[1])
		return false;
	if (n > (UINT64_MAX >> shift))
		return false;
	*v = n << shift;
	return true;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'M' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "append", required_argument, NULL, 'a' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "stats", no_argument, NULL, 's' },
		{ "paging", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->paging = -1;
	o->mem = DEFAULT_MEM;
	o->cpus = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!parse_size(optarg, &o->mem) || !o->mem ||
			    o->mem % PAGE_SIZE)
				return usage_error("--mem '%s': give a positive multiple of 4 KiB, e.g. 64M",
						   optarg);
			o->has_mem = true;
			break;
		case 'c':
			if (!parse_u64(optarg, &n) || !n || n > 0xffff)
				return usage_error("--cpus '%s': give a number of vCPUs, 1 or more",
						   optarg);
			o->cpus = n;
			break;
		case 'M':
			if (!strcmp(optarg, "real"))
				o->mode = MODE_REAL;
			else if (!strcmp(optarg, "protected"))
				o->mode = MODE_PROTECTED;
			else if (!strcmp(optarg, "long"))
				o->mode = MODE_LONG;
			else
				return usage_error("--mode '%s': use real, protected or long",
						   optarg);
			break;
		case 'l':
			if (!parse_u64(optarg, &o->load))
				return usage_error("--load '%s': give an address, e.g. 0x100000",
						   optarg);
			o->has_load = true;
			break;
		case 'e':
			if (!parse_u64(optarg, &o->entry))
				return usage_error("--entry '%s': give an address, e.g. 0x100000",
						   optarg);
			o->has_entry = true;
			break;
		case 'a':
			o->append = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 's':
			o->stats = true;
			break;
		case 'p':
			for (n = VTXHV_PAGING_EPT; n <= VTXHV_PAGING_SHADOW &&
			     strcmp(optarg, paging_name(n)); n++)
				;
			if (n > VTXHV_PAGING_SHADOW)
				return usage_error("--paging '%s': use ept, vtlb or shadow",
						   optarg);
			o->paging = n;
			break;
		case 't':
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(o->timeout > 0) || o->timeout > 1e9)
				return usage_error("--timeout '%s': give a positive number of seconds",
						   optarg);
			break;
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ?
				   "give one IMAGE to run" :
				   "give exactly one IMAGE to run");
	o->image = argv[optind];
	return 0;
}

/* ---- Images ------------------------------------------------------------- */

/* The whole file in malloc'd memory, or NULL with a message. */
static void *read_file(const char *what, const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;	/* the file shrank */
			goto fail;
		}
		got += n;
	}
	close(fd);
	*size = got;
	return buf;
fail:
	fprintf(stderr, "%s run: cannot read the %s %s: %s\n", progname, what,
		path, strerror(errno));
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * A 4 KiB page for the GDT and TSS that nothing the loader placed uses
 * (see the top of this file), or 0 if RAM has none.
 */
static uint64_t place_gdt(const struct vm *vm, const struct run_opts *o)
{
	const struct load_result *r = &vm->res;
	uint64_t ram = vm->ram_size < 4 * GiB ? vm->ram_size : 4 * GiB;
	uint64_t used[5][2] = {
		{ r->image_lo, r->image_hi - r->image_lo },
		{ r->cr3, r->cr3 ? identity_map_bytes(ram) : 0 },
		{ r->initrd_lo, r->initrd_hi - r->initrd_lo },
		{ r->ebx, 0 },
		{ r->stack - LOADER_STACK_SIZE,
		  r->stack ? LOADER_STACK_SIZE : 0 },
	};
	uint64_t starts[2] = { LOADER_LOW_END, PAGE_SIZE }, a;
	unsigned int i, s;

	if (r->format == IMAGE_MULTIBOOT)
		used[3][1] = MBI_FIXED_MAX +
			     (o->append ? strlen(o->append) + 1 : 0) +
			     (o->initrd ? strlen(o->initrd) + 1 : 0);
	for (s = 0; s < 2; s++) {
		for (a = starts[s]; a + PAGE_SIZE <= ram; a += PAGE_SIZE) {
			for (i = 0; i < 5; i++)
				if (used[i][1] &&
				    overlaps(a, PAGE_SIZE, used[i][0],
					     used[i][1]))
					break;
			if (i == 5)
				return a;
		}
	}
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));	/* x86 host and guest: little endian */
}

static void write_gdt(struct vm *vm)
{
	uint8_t *p = vm->ram + vm->gdt;
	uint64_t tss = vm->gdt + GDT_TSS_OFFSET;
	uint64_t desc;

	memset(p, 0, PAGE_SIZE);
	put64(p + SEL_CODE, vm->res.mode == MODE_LONG ? GDT_CODE64 :
						       GDT_CODE32);
	put64(p + SEL_DATA, GDT_DATA);
	/* System descriptor, type 11 (busy TSS), P = 1 (SDM Vol. 3A 7.2.2). */
	desc = TSS_LIMIT | (tss & 0xffffff) << 16 | 0x8bULL << 40 |
	       (tss >> 24 & 0xff) << 56;
	put64(p + SEL_TSS, desc);
	put64(p + SEL_TSS + 8, tss >> 32);	/* 64-bit: base 63:32 */
}

/* ---- CPUID -------------------------------------------------------------- */

static void host_cpuid(uint32_t fn, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(fn), "c"(sub));
}

/*
 * CPUID bits the guest must not see: features vtxhv does not give guests
 * (a guest that used them would get #UD or #GP).  The hypervisor bit is
 * set instead.
 */
/* CPUID.1:ECX: DTES64, MONITOR/MWAIT (#UD), DS-CPL, VMX, SMX, EST, TM2,
 * xTPR, PDCM (MSRs not emulated), PCID (CR4.PCIDE is the host's), x2APIC
 * and TSC-deadline (no APIC), OSXSAVE (CR4.OSXSAVE starts 0). */
#define CPUID1_ECX_HIDE		(1U << 2 | 1U << 3 | 1U << 4 | 1U << 5 | \
				 1U << 6 | 1U << 7 | 1U << 8 | 1U << 14 | \
				 1U << 15 | 1U << 17 | 1U << 21 | 1U << 24 | \
				 1U << 27)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
/* CPUID.1:EDX: APIC (none yet), DS, ACPI thermal MSRs, TM, PBE. */
#define CPUID1_EDX_HIDE		(1U << 9 | 1U << 21 | 1U << 22 | 1U << 29 | \
				 1U << 31)
/* CPUID.7.0: TSC_ADJUST, INVPCID, RDT monitoring and allocation, MPX,
 * processor trace (EBX); WAITPKG, PKU, OSPKE, CET shadow stacks, LA57,
 * RDPID (ECX); MD_CLEAR, CET IBT, IBRS/IBPB, STIBP, L1D_FLUSH,
 * ARCH_CAPABILITIES, CORE_CAPABILITIES, SSBD (EDX): MSRs, CR4 bits or
 * controls guests lack. */
#define CPUID7_EBX_HIDE		(1U << 1 | 1U << 10 | 1U << 12 | 1U << 14 | \
				 1U << 15 | 1U << 25)
#define CPUID7_ECX_HIDE		(1U << 3 | 1U << 4 | 1U << 5 | 1U << 7 | \
				 1U << 16 | 1U << 22)
#define CPUID7_EDX_HIDE		(1U << 10 | 1U << 20 | 1U << 26 | 1U << 27 | \
				 1U << 28 | 1U << 29 | 1U << 30 | 1U << 31)
/*
 * Where the host kernel runs without XSAVE (CPUID.1:ECX.OSXSAVE clear),
 * vtxhv refuses a guest's CR4.OSXSAVE: XSAVE and what needs it go too
 * (FMA, AVX, F16C in leaf 1; AVX2 and AVX-512 in leaf 7).
 */
#define CPUID1_ECX_XSAVE_ONLY	(1U << 12 | 1U << 26 | 1U << 28 | 1U << 29)
#define CPUID7_EBX_XSAVE_ONLY	(1U << 5 | 1U << 16 | 1U << 17 | 1U << 21 | \
				 1U << 26 | 1U << 27 | 1U << 28 | 1U << 30 | \
				 1U << 31)

/* CPUID.80000001h:EDX: RDTSCP (not enabled in the VMCS: #UD; TSC_AUX). */
#define CPUID81_EDX_HIDE	(1U << 27)

/*
 * The guest's TSC runs at the host's rate (no TSC scaling).  Guests learn
 * that rate from CPUID 0x15 (TSC/crystal ratio and crystal clock) and
 * 0x16 (base frequency), as on recent Intel CPUs: Linux then needs no
 * calibration against the PIT, whose every read is an exit, and keeps the
 * TSC as its clock.  Measured once against CLOCK_MONOTONIC; 0 if that
 * failed, and the leaves are then left as the host has them.
 */
#define CPUID_TSC_LEAF		0x15
#define CPUID_FREQ_LEAF		0x16
static uint64_t guest_tsc_hz;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* TSC ticks per second over 20 ms of CLOCK_MONOTONIC. */
static uint64_t measure_tsc_hz(void)
{
	uint64_t t0 = mono_ns(), c0 = rdtsc(), t1, c1;

	do {
		t1 = mono_ns();
	} while (t1 - t0 < 20000000ULL);
	c1 = rdtsc();
	if (c1 <= c0)
		return 0;
	return (c1 - c0) * 1000000000ULL / (t1 - t0);
}

static void cpuid_tsc_leaves(struct vtxhv_cpuid_entry *e)
{
	uint64_t hz = guest_tsc_hz, k = hz / 0xffffffffULL + 1;

	memset(&e->eax, 0, 4 * sizeof(e->eax));
	if (e->function == CPUID_TSC_LEAF) {
		/* TSC = crystal * EBX / EAX; ECX = crystal Hz. */
		e->eax = 1;
		e->ebx = k;
		e->ecx = hz / k;
	} else {
		/* Base and maximum MHz, bus (reference) MHz. */
		e->eax = e->ebx = hz / 1000000;
		e->ecx = 100;
	}
}

/* The number of subleaves of an indexed leaf to copy (all, up to 64). */
static uint32_t cpuid_subleaves(uint32_t fn, const uint32_t r0[4])
{
	uint32_t r[4], n;

	switch (fn) {
	case 4:
	case 0x8000001d:
		/* Cache parameters: until the type field (EAX 4:0) is 0. */
		for (n = 1; n < 64; n++) {
			host_cpuid(fn, n, r);
			if (!(r[0] & 0x1f))
				break;
		}
		return n;
	case 0xb:
	case 0x1f:
		/* Topology: until the level type (ECX 15:8) is 0. */
		for (n = 1; n < 64; n++) {
			host_cpuid(fn, n, r);
			if (!(r[2] & 0xff00))
				break;
		}
		return n;
	case 0xd:
		return 64;	/* XSAVE components: sparse, zeros dropped */
	case 7:
	case 0x14:
	case 0x17:
	case 0x18:
	case 0x1d:
	case 0x20:
		/* EAX of subleaf 0 is the last subleaf. */
		return r0[0] < 63 ? r0[0] + 1 : 64;
	case 0xf:
	case 0x10:
	case 0x12:
		return 4;
	default:
		return 0;	/* not indexed */
	}
}

static void cpuid_fixup(struct vtxhv_cpuid_entry *e, unsigned int vcpu)
{
	if (guest_tsc_hz && (e->function == CPUID_TSC_LEAF ||
			     e->function == CPUID_FREQ_LEAF)) {
		cpuid_tsc_leaves(e);
	} else if (e->function == 0 && guest_tsc_hz &&
		   e->eax < CPUID_FREQ_LEAF) {
		e->eax = CPUID_FREQ_LEAF;	/* see build_cpuid() */
	} else if (e->function == 1) {
		if (!(e->ecx & 1U << 27))
			e->ecx &= ~CPUID1_ECX_XSAVE_ONLY;
		e->ecx &= ~CPUID1_ECX_HIDE;
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		e->edx &= ~CPUID1_EDX_HIDE;
		/* EBX 31:24: initial APIC ID. */
		e->ebx = (e->ebx & 0x00ffffff) | (vcpu & 0xff) << 24;
	} else if (e->function == 7 && e->index == 0) {
		uint32_t r1[4];

		host_cpuid(1, 0, r1);
		if (!(r1[2] & 1U << 27))
			e->ebx &= ~CPUID7_EBX_XSAVE_ONLY;
		e->ebx &= ~CPUID7_EBX_HIDE;
		e->ecx &= ~CPUID7_ECX_HIDE;
		e->edx &= ~CPUID7_EDX_HIDE;
	} else if (e->function == 0xb || e->function == 0x1f) {
		e->edx = vcpu;	/* x2APIC ID */
	} else if (e->function == 6 || e->function == 0xa) {
		/* Thermal and power management, performance monitoring:
		 * their MSRs are not emulated. */
		e->eax = e->ebx = e->ecx = e->edx = 0;
	} else if (e->function == 0x80000001) {
		e->edx &= ~CPUID81_EDX_HIDE;
	}
}

/*
 * The host's CPUID, basic and extended leaves, with the fix-ups above.
 * Leaves beyond VTXHV_MAX_CPUID_ENTRIES are dropped (they read as zero).
 */
static unsigned int build_cpuid(struct vtxhv_cpuid_entry *tab,
				unsigned int vcpu)
{
	uint32_t base, max, host_max, fn, sub, nsub, r0[4], r[4];
	unsigned int n = 0;

	for (base = 0; base <= 0x80000000U; base += 0x80000000U) {
		host_cpuid(base, 0, r);
		max = host_max = r[0];
		if (max < base || max - base > 0xff)
			max = host_max = base;	/* no such range, or nonsense */
		/* The TSC leaves are given even where the host lacks them. */
		if (!base && guest_tsc_hz && max < CPUID_FREQ_LEAF)
			max = CPUID_FREQ_LEAF;
		for (fn = base; fn <= max; fn++) {
			if (fn > host_max) {
				/* Only the TSC leaves: the others past the
				 * host's last read as zero anyway. */
				if (fn != CPUID_TSC_LEAF &&
				    fn != CPUID_FREQ_LEAF)
					continue;
				memset(r0, 0, sizeof(r0));
				nsub = 0;
			} else {
				host_cpuid(fn, 0, r0);
				nsub = cpuid_subleaves(fn, r0);
			}
			for (sub = 0; sub < (nsub ? nsub : 1); sub++) {
				struct vtxhv_cpuid_entry *e = &tab[n];

				if (n == VTXHV_MAX_CPUID_ENTRIES)
					return n;
				if (sub)
					host_cpuid(fn, sub, r);
				else
					memcpy(r, r0, sizeof(r));
				/* Zero subleaves read as zero anyway. */
				if (sub && !(r[0] | r[1] | r[2] | r[3]))
					continue;
				memset(e, 0, sizeof(*e));
				e->function = fn;
				e->index = sub;
				if (nsub)
					e->flags = VTXHV_CPUID_SIGNIFICANT_INDEX;
				e->eax = r[0];
				e->ebx = r[1];
				e->ecx = r[2];
				e->edx = r[3];
				cpuid_fixup(e, vcpu);
				n++;
			}
		}
	}
	return n;
}

/* ---- vCPU set-up -------------------------------------------------------- */

static struct vtxhv_segment flat_seg(uint16_t sel, uint8_t type, bool code64)
{
	struct vtxhv_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .db = !code64, .l = code64,
	};
	return s;
}

static struct vtxhv_segment real_seg(uint16_t sel, uint8_t type)
{
	struct vtxhv_segment s = {
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = type, .present = 1, .s = 1,
	};
	return s;
}

static void set_sregs_for_mode(const struct vm *vm, struct vtxhv_sregs *s)
{
	const struct load_result *r = &vm->res;
	bool lm = r->mode == MODE_LONG;

	s->ldt = (struct vtxhv_segment){ .unusable = 1 };
	s->cr2 = 0;
	s->cr8 = 0;
	if (r->mode == MODE_REAL) {
		uint16_t cs = r->entry < 0x10000 ? 0 : r->entry >> 4;

		s->cs = real_seg(cs, SEG_TYPE_CODE);
		s->ds = s->es = s->fs = s->gs = s->ss =
			real_seg(0, SEG_TYPE_DATA);
		s->tr = (struct vtxhv_segment){ .limit = 0xffff,
			.type = SEG_TYPE_TSS, .present = 1 };
		s->gdt = (struct vtxhv_dtable){ .base = 0, .limit = 0xffff };
		s->idt = (struct vtxhv_dtable){ .base = 0, .limit = 0x3ff };
		s->cr0 = CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
		return;
	}
	s->cs = flat_seg(SEL_CODE, SEG_TYPE_CODE, lm);
	s->ds = s->es = s->fs = s->gs = s->ss =
		flat_seg(SEL_DATA, SEG_TYPE_DATA, false);
	s->tr = (struct vtxhv_segment){
		.base = vm->gdt + GDT_TSS_OFFSET, .limit = TSS_LIMIT,
		.selector = SEL_TSS, .type = SEG_TYPE_TSS, .present = 1,
	};
	s->gdt = (struct vtxhv_dtable){ .base = vm->gdt,
					.limit = SEL_TSS + 16 - 1 };
	s->idt = (struct vtxhv_dtable){ .base = 0, .limit = 0 };
	if (lm) {
		s->cr0 = CR0_PG | CR0_PE | CR0_NE | CR0_ET;
		s->cr3 = r->cr3;
		s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		s->efer = EFER_LME | EFER_LMA;
	} else {
		s->cr0 = CR0_PE | CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
	}
}

static uint64_t vcpu_stack(const struct vm *vm, unsigned int id)
{
	uint64_t area = vm->res.mode == MODE_REAL ? LOADER_STACK_SIZE_REAL :
						    LOADER_STACK_SIZE;

	if (!vm->res.stack)
		return 0;
	return (vm->res.stack - id * (area / vm->ncpus)) & ~15ULL;
}

__attribute__((format(printf, 2, 3)))
static int setup_error(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s run: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	return EXIT_SETUP;
}

static int setup_vcpu(struct vm *vm, struct vcpu *v)
{
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[VTXHV_MAX_CPUID_ENTRIES];
	} cpuid;
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	void *run;

	v->fd = ioctl(vm->fd, VTXHV_CREATE_VCPU, (unsigned long)v->id);
	if (v->fd < 0)
		return setup_error(errno, "VTXHV_CREATE_VCPU %u", v->id);
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   v->fd, 0);
	if (run == MAP_FAILED)
		return setup_error(errno, "mapping the run page of vCPU %u",
				   v->id);
	v->run = run;

	memset(&cpuid, 0, sizeof(cpuid));
	if (!guest_tsc_hz)
		guest_tsc_hz = measure_tsc_hz();
	cpuid.c.nent = build_cpuid(cpuid.e, v->id);
	if (ioctl(v->fd, VTXHV_SET_CPUID, &cpuid))
		return setup_error(errno, "VTXHV_SET_CPUID");

	if (ioctl(v->fd, VTXHV_GET_SREGS, &s))
		return setup_error(errno, "VTXHV_GET_SREGS");
	set_sregs_for_mode(vm, &s);
	if (ioctl(v->fd, VTXHV_SET_SREGS, &s))
		return setup_error(errno, "VTXHV_SET_SREGS (%s mode)",
				   guest_mode_name(vm->res.mode));

	memset(&r, 0, sizeof(r));
	r.rax = vm->res.eax;
	r.rbx = vm->res.ebx;
	r.rsi = vm->res.rsi;
	r.rdi = v->id;
	r.rsp = vcpu_stack(vm, v->id);
	r.rflags = X86_EFLAGS_FIXED;
	r.rip = vm->res.entry;
	if (vm->res.mode == MODE_REAL && vm->res.entry >= 0x10000)
		r.rip = vm->res.entry & 0xf;
	if (ioctl(v->fd, VTXHV_SET_REGS, &r))
		return setup_error(errno, "VTXHV_SET_REGS");
	return 0;
}

/* ---- Ending the run ----------------------------------------------------- */

static void on_stop_signal(int sig)
{
	(void)sig;	/* only to make VTXHV_RUN return -EINTR */
}

/*
 * Make every vCPU still running leave the guest: immediate_exit stops the
 * next VTXHV_RUN before it enters, the signal interrupts the current one
 * (a guest spinning with interrupts off included).  Called under vm->lock.
 */
static void stop_all(struct vm *vm)
{
	unsigned int i;

	vm->stopping = 1;
	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->run)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (v->started && !v->done &&
		    !pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, SIGUSR1);
	}
	/* A halted vCPU 0, the timer and the input thread wait here. */
	pthread_mutex_lock(&vm->dev_lock);
	pthread_cond_broadcast(&vm->dev_cond);
	pthread_mutex_unlock(&vm->dev_lock);
	if (vm->wake[1] >= 0 && write(vm->wake[1], "", 1) < 0) {
		/* Full: a wake-up is pending anyway. */
	}
}

/* The first vCPU to end with anything but a halt decides the status. */
static void vcpu_finished(struct vcpu *v, int status)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	v->done = true;
	vm->ndone++;
	if (status != RUN_HALTED && status != RUN_STOPPED && vm->status < 0) {
		vm->status = status == RUN_RESET ? RUN_HALTED : status;
		stop_all(vm);
	}
	pthread_cond_signal(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

/* ---- Diagnostics -------------------------------------------------------- */

static const char *vmx_exit_name(uint32_t reason)
{
	static const struct {
		uint32_t reason;
		const char *name;
	} names[] = { VMX_EXIT_REASONS };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].reason == (reason & 0xffff))
			return names[i].name;
	return "unknown";
}

/* VM-instruction errors a VM entry can report (SDM Vol. 3C 31.4). */
static const char *vm_insn_error_name(uint32_t err)
{
	switch (err) {
	case 4:
		return "VMLAUNCH with non-clear VMCS";
	case 5:
		return "VMRESUME with non-launched VMCS";
	case 6:
		return "VMRESUME after VMXOFF";
	case 7:
		return "VM entry with invalid control field(s)";
	case 8:
		return "VM entry with invalid host-state field(s)";
	case 26:
		return "VM entry with events blocked by MOV SS";
	default:
		return "see the Intel SDM, Vol. 3C 31.4";
	}
}

static const char *suberror_name(uint32_t sub)
{
	switch (sub) {
	case VTXHV_INTERNAL_UNHANDLED_EXIT:
		return "exit reason vtxhv does not handle";
	case VTXHV_INTERNAL_EMULATION:
		return "instruction not decoded";
	case VTXHV_INTERNAL_EPT_MISCONFIG:
		return "EPT misconfiguration";
	case VTXHV_INTERNAL_GUEST_MEMORY:
		return "instruction unreadable";
	default:
		return "unknown";
	}
}

static void dump_seg(const char *name, const struct vtxhv_segment *s)
{
	fprintf(stderr,
		"  %s %04x base %016llx limit %08x type %u s %u dpl %u p %u db %u l %u g %u%s\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->s, s->dpl, s->present, s->db, s->l, s->g,
		s->unusable ? " unusable" : "");
}

static void dump_registers(const struct vcpu *v)
{
	struct vtxhv_regs r;
	struct vtxhv_sregs s;

	if (ioctl(v->fd, VTXHV_GET_REGS, &r) ||
	    ioctl(v->fd, VTXHV_GET_SREGS, &s)) {
		fprintf(stderr, "  (registers unreadable: %s)\n",
			strerror(errno));
		return;
	}
	fprintf(stderr,
		"  rip %016llx rsp %016llx rflags %016llx\n"
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx\n"
		"  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
		"  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
		"  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n"
		"  efer %016llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx, (unsigned long long)r.rsi,
		(unsigned long long)r.rdi, (unsigned long long)r.rbp,
		(unsigned long long)r.r8, (unsigned long long)r.r9,
		(unsigned long long)r.r10, (unsigned long long)r.r11,
		(unsigned long long)r.r12, (unsigned long long)r.r13,
		(unsigned long long)r.r14, (unsigned long long)r.r15,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	fprintf(stderr, "  gdt %016llx/%x idt %016llx/%x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}

static void report_internal_error(const struct vcpu *v)
{
	const struct vtxhv_run *run = v->run;
	unsigned int i;

	fprintf(stderr,
		"%s run: vCPU %u: internal error: suberror %u (%s), exit reason %u (%s), qualification %#llx, gpa %#llx, rip %#llx\n",
		progname, v->id, run->internal.suberror,
		suberror_name(run->internal.suberror),
		run->internal.exit_reason,
		vmx_exit_name(run->internal.exit_reason),
		(unsigned long long)run->internal.qualification,
		(unsigned long long)run->internal.gpa,
		(unsigned long long)run->internal.rip);
	if (run->internal.insn_len) {
		fprintf(stderr, "  instruction bytes:");
		for (i = 0; i < run->internal.insn_len &&
			    i < sizeof(run->internal.insn); i++)
			fprintf(stderr, " %02x", run->internal.insn[i]);
		fprintf(stderr, "\n");
	}
}

static void report_fail_entry(const struct vcpu *v)
{
	const struct vtxhv_run *run = v->run;
	uint32_t reason = run->fail_entry.exit_reason;
	uint32_t err = run->fail_entry.vm_instruction_error;

	/* Exit reason 0: VMLAUNCH/VMRESUME itself failed (VMfail). */
	fprintf(stderr,
		"%s run: vCPU %u: VM entry failed: exit reason %#x (%s), VM-instruction error %u (%s), qualification %#llx\n",
		progname, v->id, reason,
		reason ? vmx_exit_name(reason) : "VMLAUNCH/VMRESUME failed",
		err, err ? vm_insn_error_name(err) : "none",
		(unsigned long long)run->fail_entry.qualification);
	dump_registers(v);
}

/* ---- Time, interrupts and the device threads --------------------------- */

/* Nanoseconds of CLOCK_MONOTONIC since the run started: the PIT's time. */
static uint64_t run_ns(const struct vm *vm)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (int64_t)(ts.tv_sec - vm->t0.tv_sec) * 1000000000 +
	     (ts.tv_nsec - vm->t0.tv_nsec);
	return ns > 0 ? ns : 0;
}

/* The absolute CLOCK_MONOTONIC time of run time ns, at most 1 s ahead. */
static struct timespec abs_time(const struct vm *vm, uint64_t ns)
{
	uint64_t now = run_ns(vm), t = ns;
	struct timespec ts;

	if (t > now + 1000000000ULL)
		t = now + 1000000000ULL;
	ts.tv_sec = vm->t0.tv_sec + t / 1000000000ULL;
	ts.tv_nsec = vm->t0.tv_nsec + t % 1000000000ULL;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Bring the devices' clock to now: PIT edges reach the PIC.  dev_lock. */
static void advance_locked(struct vm *vm)
{
	dev_advance(&vm->devs, run_ns(vm), time(NULL));
}

/*
 * The PIC has an interrupt for vCPU 0: wake it if it halts, kick it out of
 * VTXHV_RUN if it runs (immediate_exit covers the moment before it enters,
 * the signal the time inside), unless it will exit anyway (a kick on its
 * way, or an interrupt window requested).  Under dev_lock.
 */
static void notify_vcpu0_locked(struct vm *vm)
{
	struct vcpu *v = &vm->vcpus[0];

	if (pic_pending_vector(&vm->devs.pic) < 0)
		return;
	if (v->halted) {
		pthread_cond_broadcast(&vm->dev_cond);
		return;
	}
	if (v->kicked || v->window || !v->started || !v->run)
		return;
	v->kicked = true;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, SIGUSR1);
}

/*
 * The timer thread: sleeps until the PIT's next IRQ 0 edge (or until the
 * guest reprograms the PIT), then lets the edge reach the PIC and vCPU 0.
 * It also pushes out what the guest wrote, so that output shows while
 * the guest runs.
 */
static void *timer_thread(void *arg)
{
	struct vm *vm = arg;
	struct timespec ts;

	pthread_mutex_lock(&vm->dev_lock);
	while (!vm->stopping) {
		advance_locked(vm);
		notify_vcpu0_locked(vm);
		fflush(stdout);
		ts = abs_time(vm, dev_next_deadline(&vm->devs));
		pthread_cond_timedwait(&vm->dev_cond, &vm->dev_lock, &ts);
	}
	pthread_mutex_unlock(&vm->dev_lock);
	return NULL;
}

/*
 * The input thread: bytes from stdin go to the UART's receive FIFO as it
 * has room.  It ends at end of file, at a read error, or with the run.
 */
static void *input_thread(void *arg)
{
	struct vm *vm = arg;
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = vm->wake[0], .events = POLLIN },
	};
	uint8_t buf[UART_RX_SIZE];
	ssize_t n, i;

	while (!vm->stopping) {
		/* Wait for room in the FIFO first. */
		pthread_mutex_lock(&vm->dev_lock);
		while (!vm->stopping && !dev_uart_can_receive(&vm->devs))
			pthread_cond_wait(&vm->dev_cond, &vm->dev_lock);
		n = UART_RX_SIZE - vm->devs.uart.rx_count;
		pthread_mutex_unlock(&vm->dev_lock);
		if (vm->stopping)
			break;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;		/* the run ends */
		if (!pfd[0].revents)
			continue;
		n = read(STDIN_FILENO, buf, n);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;		/* end of file or error: no more input */
		pthread_mutex_lock(&vm->dev_lock);
		advance_locked(vm);
		for (i = 0; i < n; i++)
			dev_uart_receive(&vm->devs, buf[i]);
		notify_vcpu0_locked(vm);
		pthread_mutex_unlock(&vm->dev_lock);
	}
	return NULL;
}

/* ---- The run loop ------------------------------------------------------- */

/*
 * Port I/O: each element of a string instruction (count > 1) in turn, from
 * or to the data area in the run page.  Returns the exit status if the
 * access ended the run, else -1.
 */
static int handle_io(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	unsigned int size = run->io.size, i;
	uint64_t off = run->io.data_offset;
	uint8_t *data = (uint8_t *)run + off;
	bool out = run->io.direction == VTXHV_IO_OUT, ended = false;
	int status = -1;

	if ((size != 1 && size != 2 && size != 4) ||
	    off > (uint64_t)vm->run_size ||
	    (uint64_t)run->io.count * size > vm->run_size - off) {
		fprintf(stderr,
			"%s run: vCPU %u: malformed I/O exit: port %#x size %u count %u data offset %#llx\n",
			progname, v->id, run->io.port, size, run->io.count,
			(unsigned long long)off);
		return RUN_INTERNAL_ERROR;
	}
	pthread_mutex_lock(&vm->dev_lock);
	advance_locked(vm);
	for (i = 0; i < run->io.count && !ended; i++) {
		uint32_t val = 0;

		if (out)
			memcpy(&val, data + i * size, size);
		ended = dev_pio(&vm->devs, run->io.port, size, out, &val);
		if (!out)
			memcpy(data + i * size, &val, size);
	}
	if (ended)
		status = vm->devs.reset_requested ? RUN_RESET :
						    vm->devs.exit_status;
	/* The PIT was programmed: the timer thread's deadline moves. */
	if (out && run->io.port >= PIT_PORT_CH0 && run->io.port <= PIT_PORT_CMD)
		pthread_cond_broadcast(&vm->dev_cond);
	pthread_mutex_unlock(&vm->dev_lock);
	if (status == RUN_RESET)
		fprintf(stderr,
			"%s run: vCPU %u: the guest reset the machine (8042 command 0xfe): the run ends\n",
			progname, v->id);
	return status;
}

static int handle_mmio(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	unsigned int len = run->mmio.len;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		fprintf(stderr,
			"%s run: vCPU %u: malformed MMIO exit: address %#llx length %u\n",
			progname, v->id,
			(unsigned long long)run->mmio.phys_addr, len);
		return RUN_INTERNAL_ERROR;
	}
	pthread_mutex_lock(&vm->dev_lock);
	dev_mmio(&vm->devs, run->mmio.phys_addr, len, run->mmio.is_write,
		 run->mmio.data);
	pthread_mutex_unlock(&vm->dev_lock);
	return -1;
}

/*
 * HLT: the end of this vCPU with IF = 0.  With IF = 1, vCPU 0 sleeps
 * until the PIC has an interrupt for it (the next PIT edge, a byte on the
 * UART) or the run ends: no host CPU is used while the guest idles.  Other
 * vCPUs, which no interrupt can reach (there is no APIC), and vCPU 0
 * before the guest has initialised the PIC pause 1 ms and resume.
 */
static int handle_hlt(struct vcpu *v)
{
	static const struct timespec ms = { 0, 1000000 };
	struct vm *vm = v->vm;
	struct vtxhv_regs r;
	struct timespec ts;
	uint64_t deadline;

	if (ioctl(v->fd, VTXHV_GET_REGS, &r)) {
		fprintf(stderr, "%s run: vCPU %u: VTXHV_GET_REGS: %s\n",
			progname, v->id, strerror(errno));
		return RUN_INTERNAL_ERROR;
	}
	if (!(r.rflags & X86_EFLAGS_IF))
		return RUN_HALTED;
	pthread_mutex_lock(&vm->dev_lock);
	if (v->id != 0 || !vm->devs.pic.chip[0].ready) {
		pthread_mutex_unlock(&vm->dev_lock);
		nanosleep(&ms, NULL);
		return -1;
	}
	fflush(stdout);		/* the guest waits: show what it wrote */
	v->halted = true;
	while (!vm->stopping) {
		advance_locked(vm);
		if (pic_pending_vector(&vm->devs.pic) >= 0)
			break;
		deadline = dev_next_deadline(&vm->devs);
		ts = abs_time(vm, deadline);
		pthread_cond_timedwait(&vm->dev_cond, &vm->dev_lock, &ts);
	}
	v->halted = false;
	pthread_mutex_unlock(&vm->dev_lock);
	return -1;
}

/*
 * Before each entry of vCPU 0: take the PIC's interrupt if the guest can
 * take one now (ready_for_interrupt_injection, from the last exit), else
 * ask for an exit when it can (request_interrupt_window).
 */
static int prepare_interrupts(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	struct vtxhv_interrupt irq = { 0 };
	int vec, status = -1;

	pthread_mutex_lock(&vm->dev_lock);
	advance_locked(vm);
	v->kicked = false;
	vec = pic_pending_vector(&vm->devs.pic);
	/*
	 * ready_for_interrupt_injection is from the last exit.  A VTXHV_RUN
	 * that a kick stopped before it entered the guest updates nothing:
	 * after queueing one, trust the flag again only after a real exit
	 * (the window exit says when the queued one is in).
	 */
	if (vec >= 0 && run->ready_for_interrupt_injection && !v->queued) {
		irq.vector = pic_ack(&vm->devs.pic);
		if (irq.vector < 16) {
			/* Exception vectors: a guest that programmed its
			 * PIC so cannot get them. */
			if (!vm->warned_vector)
				fprintf(stderr,
					"%s run: the guest programmed the PIC with vector %u, which is an exception vector: its interrupts are dropped\n",
					progname, irq.vector);
			vm->warned_vector = true;
		} else if (ioctl(v->fd, VTXHV_INTERRUPT, &irq)) {
			fprintf(stderr,
				"%s run: vCPU %u: VTXHV_INTERRUPT vector %u: %s\n",
				progname, v->id, irq.vector, strerror(errno));
			status = RUN_INTERNAL_ERROR;
		} else {
			v->injected++;
			v->queued = true;
		}
		vec = pic_pending_vector(&vm->devs.pic);
	}
	v->window = vec >= 0;
	run->request_interrupt_window = v->window;
	pthread_mutex_unlock(&vm->dev_lock);
	return status;
}

/* Run one vCPU until it halts or the run ends; returns its status. */
static int vcpu_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	uint32_t reason;
	int status;

	for (;;) {
		/*
		 * A kick sets immediate_exit; clear it, then look at
		 * stopping: stop_all() sets stopping before immediate_exit,
		 * so a stop is never lost between the two.
		 */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST))
			return RUN_STOPPED;
		if (v->id == 0) {
			status = prepare_interrupts(v);
			if (status >= 0)
				return status;
		}
		if (ioctl(v->fd, VTXHV_RUN, 0)) {
			if (errno == EINTR) {
				v->exits[VTXHV_EXIT_INTR]++;
				continue;
			}
			fprintf(stderr, "%s run: vCPU %u: VTXHV_RUN: %s\n",
				progname, v->id, strerror(errno));
			return RUN_INTERNAL_ERROR;
		}
		reason = run->exit_reason;
		v->exits[reason < EXIT_OTHER ? reason : EXIT_OTHER]++;
		v->queued = false;	/* the run page is up to date */
		status = -1;
		switch (reason) {
		case VTXHV_EXIT_IO:
			status = handle_io(v);
			break;
		case VTXHV_EXIT_MMIO:
			status = handle_mmio(v);
			break;
		case VTXHV_EXIT_HLT:
			status = handle_hlt(v);
			break;
		case VTXHV_EXIT_HYPERCALL:
			/* No hypercalls are defined yet. */
			run->hypercall.ret = (uint64_t)-ENOSYS;
			break;
		case VTXHV_EXIT_INTR:
		case VTXHV_EXIT_IRQ_WINDOW_OPEN:
			break;	/* prepare_interrupts() does the rest */
		case VTXHV_EXIT_SHUTDOWN:
			fprintf(stderr,
				"%s run: vCPU %u: triple fault (shutdown) at rip %#llx\n",
				progname, v->id,
				(unsigned long long)run->stop.rip);
			dump_registers(v);
			return RUN_TRIPLE_FAULT;
		case VTXHV_EXIT_FAIL_ENTRY:
			report_fail_entry(v);
			return RUN_ENTRY_FAILED;
		case VTXHV_EXIT_INTERNAL_ERROR:
			report_internal_error(v);
			return RUN_INTERNAL_ERROR;
		default:
			fprintf(stderr,
				"%s run: vCPU %u: unknown exit reason %u from vtxhv: is vtxctl older than the module?\n",
				progname, v->id, reason);
			return RUN_INTERNAL_ERROR;
		}
		if (status >= 0)
			return status;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	vcpu_finished(v, vcpu_loop(v));
	return NULL;
}

/* The shadow paging counters of this process's VM, over netlink. */
static void print_shadow_stats(void)
{
	struct vtxhv_nl *nl = vtxhv_nl_open();
	struct vtxhv_vcpu_stats total;
	struct vtxhv_vm_info *vms = NULL;
	struct vtxhv_nl_error err;
	struct vtxhv_vm_stats st;
	size_t i, n = 0;

	if (!vtxhv_nl_list_vms(nl, &vms, &n, &err)) {
		for (i = 0; i < n && vms[i].pid != (uint32_t)getpid(); i++)
			;
		if (i < n && !vtxhv_nl_get_stats(nl, vms[i].id, &st, &err)) {
			stats_total(&st, &total);
			shadow_stats_print(stderr, total.shadow);
			fprintf(stderr, "  shadow pages in use: %llu\n",
				(unsigned long long)st.shadow_pages);
			vtxhv_vm_stats_free(&st);
		}
	}
	free(vms);
	vtxhv_nl_close(nl);
}

static void print_stats(const struct vm *vm)
{
	struct rusage ru;
	unsigned int i, r;

	fprintf(stderr, "%-22s", "exit reason");
	for (i = 0; i < vm->ncpus; i++)
		fprintf(stderr, " %9s%-3u", "vcpu", i);
	fprintf(stderr, " %12s\n", "total");
	for (r = 0; r < NEXITS; r++) {
		uint64_t total = 0;

		fprintf(stderr, "%-22s", exit_names[r]);
		for (i = 0; i < vm->ncpus; i++) {
			fprintf(stderr, " %12llu",
				(unsigned long long)vm->vcpus[i].exits[r]);
			total += vm->vcpus[i].exits[r];
		}
		fprintf(stderr, " %12llu\n", (unsigned long long)total);
	}
	fprintf(stderr, "%-22s %12llu\n%-22s %12llu\n", "unhandled port I/O",
		(unsigned long long)vm->devs.unhandled_pio, "unhandled MMIO",
		(unsigned long long)vm->devs.unhandled_mmio);
	fprintf(stderr, "%-22s %12llu\n%-22s %12llu\n", "interrupts injected",
		(unsigned long long)vm->vcpus[0].injected, "PIT IRQ 0 edges",
		(unsigned long long)vm->devs.irq0_edges);
	if (vm->paging != VTXHV_PAGING_EPT)
		print_shadow_stats();
	if (!getrusage(RUSAGE_SELF, &ru))
		fprintf(stderr, "%-22s %12.3f\n%-22s %12.3f\n",
			"wall seconds", vm->wall_ns / 1e9, "cpu seconds",
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* Start every vCPU thread, wait for the end or the timeout. */
static int run_vcpus(struct vm *vm, const struct run_opts *o)
{
	struct sigaction sa;
	struct timespec deadline;
	pthread_condattr_t ca;
	bool timed = o->timeout > 0;
	unsigned int i;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART: a kick must not fail the output a vCPU thread is
	 * writing; VTXHV_RUN returns EINTR all the same (it is never
	 * restarted), which is what the kick is for.
	 */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timed) {
		double whole = (double)(time_t)o->timeout;

		deadline.tv_sec += (time_t)o->timeout;
		deadline.tv_nsec += (long)((o->timeout - whole) * 1e9);
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->dev_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pipe2(vm->wake, O_NONBLOCK | O_CLOEXEC))
		vm->wake[0] = vm->wake[1] = -1;
	clock_gettime(CLOCK_MONOTONIC, &vm->t0);

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		/* The device threads take vCPU 0's fields under dev_lock. */
		pthread_mutex_lock(&vm->dev_lock);
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (!err)
			v->started = true;
		pthread_mutex_unlock(&vm->dev_lock);
		if (err) {
			setup_error(err, "creating the thread of vCPU %u", i);
			vm->status = EXIT_SETUP;
			vm->ndone += vm->ncpus - i;
			stop_all(vm);
			break;
		}
	}
	if (vm->status < 0) {
		vm->timer_started = !pthread_create(&vm->timer, NULL,
						    timer_thread, vm);
		/* Input only where it can come from (see term.h). */
		if (vm->wake[0] >= 0 && term_stdin_usable())
			vm->input_started = !pthread_create(&vm->input, NULL,
							    input_thread, vm);
	}
	while (vm->ndone < vm->ncpus) {
		if (!timed) {
			pthread_cond_wait(&vm->cond, &vm->lock);
			continue;
		}
		err = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
		if (err == ETIMEDOUT && vm->ndone < vm->ncpus) {
			if (vm->status < 0)
				vm->status = RUN_TIMEOUT;
			stop_all(vm);
			timed = false;
		}
	}
	/* Every vCPU is done: end the device threads, then join all. */
	stop_all(vm);
	pthread_mutex_unlock(&vm->lock);

	vm->wall_ns = run_ns(vm);
	if (vm->timer_started)
		pthread_join(vm->timer, NULL);
	if (vm->input_started)
		pthread_join(vm->input, NULL);
	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	if (vm->status == RUN_TIMEOUT)
		fprintf(stderr, "%s run: timeout: stopped after %g seconds\n",
			progname, o->timeout);
	return vm->status < 0 ? RUN_HALTED : vm->status;
}

/* ---- The command ------------------------------------------------------- */

static int create_vm(struct vm *vm, const struct run_opts *o)
{
	struct vtxhv_create_vm c = { .paging = VTXHV_PAGING_EPT };
	struct vtxhv_memory_region mr;
	struct vtxhv_caps caps;
	unsigned int i;
	int ret;

	vm->dev = vtxhv_open_device();
	memset(&caps, 0, sizeof(caps));
	if (ioctl(vm->dev, VTXHV_GET_CAPS, &caps))
		return setup_error(errno, "VTXHV_GET_CAPS");
	if (o->cpus > caps.max_vcpus) {
		fprintf(stderr,
			"%s run: --cpus %u: this vtxhv runs at most %u vCPUs per VM\n",
			progname, o->cpus, caps.max_vcpus);
		return EXIT_USAGE;
	}
	if (o->paging < 0)
		c.paging = caps.paging_modes & (1U << VTXHV_PAGING_EPT) ?
			   VTXHV_PAGING_EPT : VTXHV_PAGING_SHADOW;
	else
		c.paging = o->paging;
	if (!(caps.paging_modes & (1U << c.paging))) {
		fprintf(stderr,
			"%s run: this vtxhv cannot run guests with %s paging (paging modes %#x)%s\n",
			progname, paging_name(c.paging), caps.paging_modes,
			c.paging == VTXHV_PAGING_EPT ?
			": the CPU lacks EPT, or the module was loaded with force_shadow=1" : "");
		return EXIT_SETUP;
	}
	/* Shadow paging: one vCPU, and no unrestricted guest for real mode. */
	if (c.paging != VTXHV_PAGING_EPT &&
	    (o->cpus > 1 || vm->res.mode == MODE_REAL)) {
		fprintf(stderr, "%s run: --paging %s: %s\n", progname,
			paging_name(c.paging), o->cpus > 1 ?
			"shadow paging runs one vCPU per VM" :
			"a real-mode guest needs EPT paging");
		return EXIT_USAGE;
	}
	vm->paging = c.paging;
	vm->fd = ioctl(vm->dev, VTXHV_CREATE_VM, &c);
	if (vm->fd < 0)
		return setup_error(errno, "VTXHV_CREATE_VM");
	mr = (struct vtxhv_memory_region){
		.slot = 0, .guest_phys_addr = 0, .size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->fd, VTXHV_SET_MEMORY_REGION, &mr))
		return setup_error(errno, "VTXHV_SET_MEMORY_REGION (%llu bytes)",
				   (unsigned long long)vm->ram_size);
	vm->run_size = ioctl(vm->dev, VTXHV_GET_RUN_SIZE, 0);
	if (vm->run_size < (long)sizeof(struct vtxhv_run))
		return setup_error(errno, "VTXHV_GET_RUN_SIZE");

	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return setup_error(errno, "allocating %u vCPUs", vm->ncpus);
	for (i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		vm->vcpus[i].fd = -1;
		ret = setup_vcpu(vm, &vm->vcpus[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Read the image (and initrd) and place them in freshly mapped RAM. */
static int load(struct vm *vm, const struct run_opts *o)
{
	struct load_opts lo = {
		.load_addr = o->load, .entry = o->entry,
		.has_load = o->has_load, .has_entry = o->has_entry,
		.mode = o->mode, .cmdline = o->append,
		.initrd_name = o->initrd,
	};
	char err[512];
	void *image, *initrd = NULL;
	size_t image_size, initrd_size = 0;
	enum image_format fmt;
	int ret = 0;

	image = read_file("image", o->image, &image_size);
	if (!image)
		return EXIT_IMAGE;
	if (o->initrd) {
		initrd = read_file("initrd", o->initrd, &initrd_size);
		if (!initrd) {
			free(image);
			return EXIT_IMAGE;
		}
		lo.initrd = initrd;
		lo.initrd_size = initrd_size;
	}
	/* A Linux kernel gets enough RAM to boot unless told otherwise. */
	if (!o->has_mem && !detect_image(image, image_size, &fmt) &&
	    fmt == IMAGE_BZIMAGE) {
		vm->ram_size = DEFAULT_MEM_BZIMAGE;
		vm->devs.ram_size = vm->ram_size;
	}

	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		ret = setup_error(errno, "mapping %llu bytes of guest RAM",
				  (unsigned long long)vm->ram_size);
		goto out;
	}
	if (load_image(image, image_size, vm->ram, vm->ram_size, &lo,
		       &vm->res, err, sizeof(err))) {
		fprintf(stderr, "%s run: cannot load %s: %s\n", progname,
			o->image, err);
		ret = EXIT_IMAGE;
		goto out;
	}
	if (vm->res.mode != MODE_REAL) {
		vm->gdt = place_gdt(vm, o);
		if (!vm->gdt) {
			fprintf(stderr,
				"%s run: cannot load %s: no free 4 KiB page in guest RAM for the GDT: give more memory\n",
				progname, o->image);
			ret = EXIT_IMAGE;
			goto out;
		}
		write_gdt(vm);
	}
out:
	free(image);
	free(initrd);
	return ret;
}

static void destroy_vm(struct vm *vm)
{
	unsigned int i;

	for (i = 0; vm->vcpus && i < vm->ncpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	for (i = 0; i < 2; i++)
		if (vm->wake[i] >= 0)
			close(vm->wake[i]);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->dev >= 0)
		close(vm->dev);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct vm vm;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;

	memset(&vm, 0, sizeof(vm));
	vm.dev = vm.fd = -1;
	vm.wake[0] = vm.wake[1] = -1;
	vm.ram_size = o.mem;
	vm.ncpus = o.cpus;
	vm.status = -1;
	pthread_mutex_init(&vm.lock, NULL);
	pthread_mutex_init(&vm.dev_lock, NULL);
	devices_init(&vm.devs, stdout, o.stats ? stderr : NULL, o.mem,
		     o.cpus, time(NULL));

	/* The image first: its errors need no module. */
	ret = load(&vm, &o);
	if (!ret)
		ret = create_vm(&vm, &o);
	if (!ret) {
		term_enter(TERM_RAW);
		ret = run_vcpus(&vm, &o);
		term_restore();
		fflush(stdout);
		if (o.stats)
			print_stats(&vm);
	}
	destroy_vm(&vm);
	return ret;
}
