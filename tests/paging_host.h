/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host half that paging and paging_smp share: their command lines,
 * the guest image and boot state of a format, the modes the module
 * offers, the skips, and the comparison of every mode's results and
 * digests.  Static, in this header, because the TAP counters of
 * vtxhv_test.h are each program's own.
 */
#ifndef VTXHV_PAGING_HOST_H
#define VTXHV_PAGING_HOST_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"
#include "guests/paging_guest.h"

/*
 * The guest image at @path (built by tests/Makefile), linked into the
 * test as @name_img up to @name_end.
 */
#define PG_GUEST_IMAGE(name, path)					\
	extern const uint8_t name##_img[], name##_end[];		\
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		#name "_img: .incbin \"" path "\"\n"			\
		#name "_end:\n"						\
		".popsection\n")

#define MODES		3
#define KVM_MODE	MODES	/* name index of the --kvm run */

#define PG_CHECKS_MAX	16

enum { R_NONE, R_PASS, R_FAIL, R_SKIP };

static const char *const fmt_names[FMT_NR] = { "32bit", "pae", "4level" };

/* The formats selected on the command line (none: all). */
static int want_fmt[FMT_NR], any_fmt;

/* Modes that ran (KVM_MODE for --kvm). */
static int ran[MODES + 1];

/* What pg_check_identical() compares of a format's run. */
struct pg_outcome {
	int res[PG_CHECKS_MAX];	/* R_* per check */
	int done;		/* the guest (every vCPU) reached its end */
	uint64_t digest;	/* of the values the guest compared */
};

/* The test's checks, by number: pg_init(). */
static const char *const *pg_chk_names;
static int pg_nchk;

/* The name of KVM_MODE: what --kvm runs on. */
static const char *kvm_mode_name = "kvm";

static inline void pg_init(const char *const *names, int n)
{
	pg_chk_names = names;
	pg_nchk = n;
}

/* ept, vtlb, shadow, and kvm_mode_name for the --kvm run. */
static inline const char *mode_name(int mode)
{
	return mode == KVM_MODE ? kvm_mode_name : paging_name(mode);
}


/*
 * [--kvm] [MODE...] [FORMAT...]: sets tvm_use_kvm, want_fmt and any_fmt,
 * and @want for the modes; returns whether any mode was named.  Exits 2
 * on anything else.
 */
static inline int pg_parse_args(int argc, char **argv, int want[MODES])
{
	int any = 0, mode, f, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kvm")) {
			tvm_use_kvm = 1;
			continue;
		}
		for (f = 0; f < FMT_NR; f++)
			if (!strcmp(argv[i], fmt_names[f]))
				break;
		if (f < FMT_NR) {
			want_fmt[f] = any_fmt = 1;
			continue;
		}
		for (mode = 0; mode < MODES; mode++)
			if (!strcmp(argv[i], paging_name(mode)))
				break;
		if (mode == MODES) {
			fprintf(stderr, "usage: %s [--kvm] [ept|vtlb|shadow]... [32bit|pae|4level]...\n",
				argv[0]);
			exit(2);
		}
		want[mode] = any = 1;
	}
	return any;
}

/*
 * The guest image at PG_IMAGE; the GDT at PG_GDT (null, code, data,
 * TSS); for 4-level, an identity map of the low 1 GiB with 2 MiB pages
 * at PG_BOOT_PML4.
 */
static inline void pg_load_image(struct tvm *t, int fmt, const uint8_t *img,
				 size_t len)
{
	int lm = fmt == FMT_4LEVEL;
	uint64_t *gdt = (uint64_t *)(t->mem + PG_GDT);

	memcpy(t->mem + PG_IMAGE, img, len);
	gdt[0] = 0;
	gdt[SEL_CODE / 8] = lm ? GDT_CODE64 : GDT_CODE32;
	gdt[SEL_DATA / 8] = GDT_DATA;
	gdt[SEL_TSS / 8] = GDT_TSS(0);
	if (lm)
		TEST_ASSERT(build_identity_map(t->mem, t->mem_size,
					       PG_BOOT_PML4, 1ULL << 30) > 0,
			    "boot tables");
}

/*
 * A vCPU at the image's entry: for 32-bit and PAE in protected mode with
 * paging off, for 4-level in long mode on the boot tables; flat segments,
 * no IDT (the guest loads one), the stack at @rsp, EDI/RDI the format,
 * ESI/RSI @id.
 */
static inline void pg_setup_vcpu(struct tvm *t, int fmt, uint64_t rsp,
				 unsigned int id)
{
	int lm = fmt == FMT_4LEVEL;
	struct vtxhv_sregs s;

	tvm_set_cpuid_host(t);
	tvm_get_sregs(t, &s);
	x86_sregs_flat(&s, lm, PG_GDT, 4 * 8 - 1, 0);
	if (lm) {
		s.cr0 = X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET |
			X86_CR0_PE;
		s.cr3 = PG_BOOT_PML4;
		s.cr4 = X86_CR4_PAE;
		s.efer = EFER_LMA | EFER_LME;	/* the guest sets NXE */
	} else {
		s.cr0 = X86_CR0_NE | X86_CR0_ET | X86_CR0_PE;
		s.cr3 = 0;
		s.cr4 = 0;
		s.efer = 0;
	}
	tvm_set_sregs(t, &s);
	tvm_set_entry_regs(t, PG_IMAGE, rsp, fmt, id);
}

/*
 * Run vCPU @t: tvm_run()'s return, with "VTXHV_RUN: ..." in @stop for an
 * error other than -EINTR (a signal, which each host judges on its own).
 */
static inline int pg_vcpu_run(struct tvm *t, char *stop, size_t size)
{
	int ret = tvm_run(t);

	if (ret && ret != -EINTR)
		snprintf(stop, size, "VTXHV_RUN: %s", strerror(-ret));
	return ret;
}

/*
 * A message of the guest, when vCPU @t's exit is its OUT of the message's
 * address to PG_PORT: 1 with the message in @m; 0 for any other exit; -1,
 * with why in @stop, for a message outside RAM or about no check of the
 * test.
 */
static inline int pg_get_msg(struct tvm *t, struct pg_msg *m, char *stop,
			     size_t size)
{
	const struct vtxhv_run *run = t->run;
	uint32_t gpa;

	if (run->exit_reason != VTXHV_EXIT_IO || run->io.port != PG_PORT ||
	    run->io.size != 4 || run->io.direction != VTXHV_IO_OUT)
		return 0;
	memcpy(&gpa, (const uint8_t *)run + run->io.data_offset, 4);
	if (gpa + sizeof(*m) > t->mem_size) {
		snprintf(stop, size, "message at %#x", gpa);
		return -1;
	}
	memcpy(m, t->mem + gpa, sizeof(*m));
	if (m->cmd != PG_DONE && m->check >= (uint32_t)pg_nchk) {
		snprintf(stop, size, "bad message: cmd %u check %u", m->cmd,
			 m->check);
		return -1;
	}
	return 1;
}

/* The string at guest address @a, or "" if there is none. */
static inline const char *pg_guest_str(struct tvm *t, uint64_t a)
{
	if (!a || a >= t->mem_size)
		return "";
	/* Bounded: the image's strings end well inside RAM. */
	return (const char *)t->mem + a;
}

/* Why the guest stopped, for an exit the test never expects. */
static inline void pg_describe_exit(const struct vtxhv_run *run, char *buf,
				    size_t size)
{
	int n = snprintf(buf, size, "exit %s (%u)",
			 exit_reason_name(run->exit_reason), run->exit_reason);
	size_t left = size - n;

	switch (run->exit_reason) {
	case VTXHV_EXIT_HLT:
	case VTXHV_EXIT_SHUTDOWN:
		snprintf(buf + n, left, " at rip %#llx",
			 (unsigned long long)run->stop.rip);
		break;
	case VTXHV_EXIT_IO:
		snprintf(buf + n, left, ": port %#x size %u direction %u",
			 run->io.port, run->io.size, run->io.direction);
		break;
	case VTXHV_EXIT_FAIL_ENTRY:
		snprintf(buf + n, left,
			 ": reason %#x VM-instruction error %u qual %#llx",
			 run->fail_entry.exit_reason,
			 run->fail_entry.vm_instruction_error,
			 (unsigned long long)run->fail_entry.qualification);
		break;
	case VTXHV_EXIT_INTERNAL_ERROR:
		snprintf(buf + n, left,
			 ": suberror %u reason %u qual %#llx gpa %#llx rip %#llx",
			 run->internal.suberror, run->internal.exit_reason,
			 (unsigned long long)run->internal.qualification,
			 (unsigned long long)run->internal.gpa,
			 (unsigned long long)run->internal.rip);
		break;
	}
}

/* The module's paging modes (VTXHV_GET_CAPS); a skip without it. */
static inline uint32_t pg_paging_modes(void)
{
	struct vtxhv_caps caps;
	int dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);

	if (dev < 0)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	memset(&caps, 0, sizeof(caps));
	TEST_ASSERT(!ioctl(dev, VTXHV_GET_CAPS, &caps), "VTXHV_GET_CAPS");
	close(dev);
	return caps.paging_modes;
}

static inline void pg_skip_format(int mode, int fmt, const char *why)
{
	char name[80];
	int c;

	for (c = 0; c < pg_nchk; c++) {
		snprintf(name, sizeof(name), "%s_%s_%s", mode_name(mode),
			 fmt_names[fmt], pg_chk_names[c]);
		test_skip_one(name, why);
	}
}

/*
 * Every selected format of @mode run (@run_format: in a fresh VM, and its
 * results reported), the others skipped.
 */
static inline void pg_run_mode(int mode,
			       void (*run_format)(int mode, int fmt))
{
	int f;

	ran[mode] = 1;
	for (f = 0; f < FMT_NR; f++) {
		if (any_fmt && !want_fmt[f]) {
			pg_skip_format(mode, f,
				       "not selected on the command line");
			continue;
		}
		run_format(mode, f);
	}
}

static inline void pg_skip_mode(int mode, const char *why)
{
	int f;

	for (f = 0; f < FMT_NR; f++)
		pg_skip_format(mode, f, why);
}

/*
 * Each mode in turn: skipped if not in @want (when @any), or if not in
 * @offered (a failure under VTXHV_REQUIRE=1), else run.
 */
static inline void pg_run_modes(uint32_t offered, const int want[MODES],
				int any, void (*run_format)(int mode, int fmt))
{
	int mode;

	for (mode = 0; mode < MODES; mode++) {
		char why[64];

		if (any && !want[mode]) {
			pg_skip_mode(mode, "not selected on the command line");
			continue;
		}
		if (!(offered & (1U << mode))) {
			snprintf(why, sizeof(why),
				 "mode %s not offered by the module",
				 mode_name(mode));
			printf("# %s (caps.paging_modes %#x)\n", why, offered);
			/* The test VM's module offers all three. */
			TEST_ASSERT(!getenv("VTXHV_REQUIRE") ||
				    strcmp(getenv("VTXHV_REQUIRE"), "1"),
				    "VTXHV_REQUIRE=1: %s", why);
			pg_skip_mode(mode, why);
			continue;
		}
		pg_run_mode(mode, run_format);
	}
}

/* Format @f of the first mode that ran, @a, and of @mode, @b, agree. */
static inline int pg_identical(struct pg_outcome *(*outcome)(int mode,
								 int fmt),
			       int needs_end, int first, int mode, int f)
{
	const struct pg_outcome *a = outcome(first, f);
	const struct pg_outcome *b = outcome(mode, f);
	int ok = 1, c;

	for (c = 0; c < pg_nchk; c++)
		if (a->res[c] != b->res[c]) {
			printf("# %s_%s: %s and %s differ\n", fmt_names[f],
			       pg_chk_names[c], mode_name(first),
			       mode_name(mode));
			ok = 0;
		}
	if (a->digest != b->digest ||
	    (needs_end && (!a->done || !b->done))) {
		printf("# %s: digest of observed values %#llx in %s, %#llx in %s\n",
		       fmt_names[f], (unsigned long long)a->digest,
		       mode_name(first), (unsigned long long)b->digest,
		       mode_name(mode));
		ok = 0;
	}
	return ok;
}

/*
 * results_identical_across_modes: verdicts and digests (@outcome: of
 * format @fmt in @mode) of every mode; with @needs_end, only if the guest
 * reached its end in both.
 */
static inline void
pg_check_identical(struct pg_outcome *(*outcome)(int mode, int fmt),
		   int needs_end)
{
	int first = -1, nran = 0, ok = 1, mode, f;

	for (mode = 0; mode <= MODES; mode++) {
		if (!ran[mode])
			continue;
		nran++;
		if (first < 0) {
			first = mode;
			continue;
		}
		for (f = 0; f < FMT_NR; f++)
			if (!any_fmt || want_fmt[f])
				ok &= pg_identical(outcome, needs_end, first,
						   mode, f);
	}
	if (nran < 2)
		test_skip_one("results_identical_across_modes",
			      "fewer than two paging modes ran");
	else
		test_result(ok, "results_identical_across_modes");
}

#endif
