// SPDX-License-Identifier: GPL-2.0
/*
 * paging: a guest mini-kernel (guests/paging_guest.c) run in each paging
 * mode of the module (ept, vtlb, shadow) and, in each, in the three
 * paging formats (32-bit with 4 MiB pages, PAE, 4-level with 2 MiB and
 * 1 GiB pages): address spaces switched thousands of times, remapping
 * with INVLPG and CR3 reloads, #PF error codes and CR2, CR0.WP, large
 * pages, accessed and dirty bits, MMIO beyond RAM through a mapping, a
 * page-table page reused as data, and the cost of a context switch.
 * One TAP result per mode, format and check; the results (and a digest
 * of every value the guest compared) must be identical across modes;
 * shadow must switch contexts at least 5x cheaper than vtlb.
 *
 *   paging [--kvm] [MODE...] [FORMAT...]
 *
 * MODE: ept, vtlb, shadow; FORMAT: 32bit, pae, 4level (default: all; the
 * others are skips).  --kvm runs the guest on Linux's KVM instead: in the
 * test VM, 'modprobe kvm_intel ept=0' first gives a reference with KVM's
 * own shadow paging (all checks pass there, with the same digests as on
 * EPT; ctxsw 1532 ticks in 4-level, 2950 PAE, 3112 32-bit; 156 on EPT).
 *
 * The guest images are built by tests/Makefile (-m32 for the 32-bit and
 * PAE formats, -m64 for 4-level) and linked into this binary.  A VM per
 * mode and format: the 32-bit image starts in protected mode with paging
 * off, the 64-bit one in long mode on boot tables written here; neither
 * needs real mode, which shadow paging cannot run.
 */
#include <signal.h>
#include <time.h>

#include "paging_host.h"

PG_GUEST_IMAGE(paging32, PAGING_GUESTS "/paging32.bin");
PG_GUEST_IMAGE(paging64, PAGING_GUESTS "/paging64.bin");

/* Wall-clock seconds a format may take (the test VM's clock is emulated:
 * about 7 s of ours each); then its remaining checks fail.
 */
#define FORMAT_TIMEOUT	60

static const char *const chk_names[CHK_NR] = {
	[CHK_AS_SWITCH] = "as_switch",
	[CHK_REMAP_INVLPG] = "remap_invlpg",
	[CHK_REMAP_CR3] = "remap_cr3_reload",
	[CHK_PAE_PDPTE] = "pdpte_registers",
	[CHK_PF_CODES] = "pf_error_codes",
	[CHK_PF_RSVD] = "pf_reserved_bit",
	[CHK_PF_NX] = "pf_nx_fetch",
	[CHK_CR0_WP] = "cr0_wp",
	[CHK_LARGE] = "large_pages",
	[CHK_LARGE_1G] = "large_1g",
	[CHK_AD_BITS] = "accessed_dirty",
	[CHK_MMIO] = "mmio_beyond_ram",
	[CHK_PT_REUSE] = "pt_page_reuse",
	[CHK_PAGING_OFF] = "paging_off_and_on",
	[CHK_CTXSW] = "ctxsw_cost",
};

_Static_assert(CHK_NR <= PG_CHECKS_MAX, "struct pg_outcome too small");

struct fmt_run {
	struct pg_outcome o;
	char why[CHK_NR][96];
	uint64_t ticks, iters;
	char stop[200];		/* why the guest stopped early */
	/* MMIO exits, in order. */
	struct {
		uint64_t gpa, data;
		uint32_t len;
		int write;
	} mmio[8];
	unsigned int nmmio;
};

static struct fmt_run runs[MODES + 1][FMT_NR];

/*
 * The image for @fmt (pg_load_image(), pg_setup_vcpu()), its stack at
 * PG_STACK_TOP.
 */
static void setup_guest(struct tvm *t, int fmt)
{
	int lm = fmt == FMT_4LEVEL;
	const uint8_t *img = lm ? paging64_img : paging32_img;
	size_t len = lm ? paging64_end - paging64_img :
			  paging32_end - paging32_img;

	TEST_ASSERT(PG_IMAGE + len < PG_STACK_TOP - 0x10000,
		    "guest image of %zu bytes too big", len);
	pg_load_image(t, fmt, img, len);
	pg_setup_vcpu(t, fmt, PG_STACK_TOP, 0);
}

/* The accesses beyond RAM each check makes; any other is a failure. */
static const struct {
	int check;
	uint64_t gpa, data;
	uint32_t len;
	int write;
} expected_mmio[] = {
	{ CHK_MMIO, PG_MMIO_GPA + PG_MMIO_ROFF, 0, 4, 0 },
	{ CHK_MMIO, PG_MMIO_GPA + PG_MMIO_WOFF, PG_MMIO_WVAL, 4, 1 },
	{ CHK_PAGING_OFF, PG_MMIO_GPA + PG_MMIO_OFF_ROFF, 0, 4, 0 },
	{ CHK_PAGING_OFF, PG_MMIO_GPA + PG_MMIO_OFF_WOFF, PG_MMIO_WVAL, 4, 1 },
};

/*
 * The host's half of a check: the MMIO exits seen since the previous
 * result are exactly those @check makes (none if it was skipped).
 */
static int mmio_as_expected(struct fmt_run *fr, const char *tag, int check,
			    int skipped)
{
	unsigned int i, n = 0;
	int ok = 1;

	for (i = 0; i < sizeof(expected_mmio) / sizeof(expected_mmio[0]);
	     i++) {
		if (expected_mmio[i].check != check || skipped)
			continue;
		if (n >= fr->nmmio || fr->mmio[n].gpa != expected_mmio[i].gpa ||
		    fr->mmio[n].len != expected_mmio[i].len ||
		    fr->mmio[n].write != expected_mmio[i].write ||
		    fr->mmio[n].data != expected_mmio[i].data) {
			printf("# %s %s: expected a %u-byte MMIO %s at %#llx (data %#llx)\n",
			       tag, chk_names[check], expected_mmio[i].len,
			       expected_mmio[i].write ? "write" : "read",
			       (unsigned long long)expected_mmio[i].gpa,
			       (unsigned long long)expected_mmio[i].data);
			ok = 0;
		}
		n++;
	}
	if (fr->nmmio != n)
		ok = 0;
	if (!ok) {
		printf("# %s %s: the host saw %u MMIO exits:\n", tag,
		       chk_names[check], fr->nmmio);
		for (i = 0; i < fr->nmmio && i < 8; i++)
			printf("#   %s %#llx len %u data %#llx\n",
			       fr->mmio[i].write ? "write" : "read",
			       (unsigned long long)fr->mmio[i].gpa,
			       fr->mmio[i].len,
			       (unsigned long long)fr->mmio[i].data);
	}
	fr->nmmio = 0;
	return ok;
}

/* SIGALRM only interrupts VTXHV_RUN (no SA_RESTART). */
static void on_alarm(int sig)
{
	(void)sig;
}

static void report_format(int mode, int fmt, struct fmt_run *fr)
{
	const char *m = mode_name(mode), *f = fmt_names[fmt];
	char name[64];
	int c;

	if (!fr->o.done)
		printf("# %s/%s: the guest stopped before the end: %s\n", m, f,
		       fr->stop);
	for (c = 0; c < CHK_NR; c++) {
		snprintf(name, sizeof(name), "%s_%s_%s", m, f, chk_names[c]);
		switch (fr->o.res[c]) {
		case R_SKIP:
			test_skip_one(name, fr->why[c]);
			break;
		case R_NONE:
			printf("# %s: no result from the guest\n", name);
			test_result(0, "%s", name);
			break;
		default:
			test_result(fr->o.res[c] == R_PASS, "%s", name);
		}
	}
	if (fr->o.res[CHK_CTXSW] == R_PASS) {
		unsigned long ticks = fr->ticks / fr->iters;

		if (fmt == FMT_4LEVEL)
			printf("# figure ctxsw_%s %lu ticks\n", m, ticks);
		else
			printf("# figure ctxsw_%s_%s %lu ticks\n", m, f, ticks);
	}
}

/* Run one format in a fresh VM of @mode until the guest is done. */
static void run_format(int mode, int fmt)
{
	struct fmt_run *fr = &runs[mode][fmt];
	struct tvm *t = tvm_create_paging(PG_RAM, mode == KVM_MODE ?
					  VTXHV_PAGING_EPT : (uint32_t)mode);
	char tag[32];
	unsigned long exits = 0;
	struct timespec t0, t1;

	snprintf(tag, sizeof(tag), "%s/%s", mode_name(mode),
		 fmt_names[fmt]);
	setup_guest(t, fmt);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(FORMAT_TIMEOUT);
	for (;; exits++) {
		struct vtxhv_run *run = t->run;
		struct pg_msg m;
		int ret = pg_vcpu_run(t, fr->stop, sizeof(fr->stop));

		if (ret == -EINTR)
			snprintf(fr->stop, sizeof(fr->stop),
				 "no end after %d s", FORMAT_TIMEOUT);
		if (ret)
			break;
		if (run->exit_reason == VTXHV_EXIT_MMIO) {
			uint64_t data = 0;
			uint32_t v = PG_MMIO_RVAL(run->mmio.phys_addr);

			if (run->mmio.is_write)
				memcpy(&data, run->mmio.data,
				       run->mmio.len <= 8 ? run->mmio.len : 8);
			else
				memcpy(run->mmio.data, &v, sizeof(v));
			if (fr->nmmio < 8) {
				fr->mmio[fr->nmmio].gpa = run->mmio.phys_addr;
				fr->mmio[fr->nmmio].len = run->mmio.len;
				fr->mmio[fr->nmmio].write = run->mmio.is_write;
				fr->mmio[fr->nmmio].data = data;
			}
			fr->nmmio++;
			continue;
		}
		ret = pg_get_msg(t, &m, fr->stop, sizeof(fr->stop));
		if (!ret)
			pg_describe_exit(run, fr->stop, sizeof(fr->stop));
		if (ret <= 0)
			break;
		switch (m.cmd) {
		case PG_NOTE:
			printf("# %s %s: line %u: %s: got %#llx, expected %#llx\n",
			       tag, chk_names[m.check], m.line,
			       pg_guest_str(t, m.expr), (unsigned long long)m.a,
			       (unsigned long long)m.b);
			continue;
		case PG_RESULT:
			if (!mmio_as_expected(fr, tag, m.check, 0))
				m.ok = 0;
			fr->o.res[m.check] = m.ok ? R_PASS : R_FAIL;
			continue;
		case PG_SKIP:
			if (!mmio_as_expected(fr, tag, m.check, 1)) {
				fr->o.res[m.check] = R_FAIL;
				continue;
			}
			fr->o.res[m.check] = R_SKIP;
			snprintf(fr->why[m.check], sizeof(fr->why[0]), "%s",
				 pg_guest_str(t, m.expr));
			continue;
		case PG_FIGURE:
			fr->ticks = m.a;
			fr->iters = m.b;
			continue;
		case PG_DONE:
			fr->o.done = 1;
			fr->o.digest = m.a;
			break;
		default:
			snprintf(fr->stop, sizeof(fr->stop),
				 "bad message: cmd %u", m.cmd);
			break;
		}
		break;
	}
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %lu exits to userspace, %.2f s, digest %#llx\n", tag,
	       exits + 1, (double)(t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (unsigned long long)fr->o.digest);
	if (fr->nmmio)
		printf("# %s: %u MMIO exits after the last result\n", tag,
		       fr->nmmio);
	if (fr->o.res[CHK_CTXSW] == R_PASS && !(fr->ticks && fr->iters)) {
		printf("# %s: no context-switch figure\n", tag);
		fr->o.res[CHK_CTXSW] = R_FAIL;
	}
	tvm_destroy(t);
	report_format(mode, fmt, fr);
}

static struct pg_outcome *outcome(int mode, int fmt)
{
	return &runs[mode][fmt].o;
}

/* The target: the cached shadow at least 5x cheaper than vtlb. */
static void check_shadow_vs_vtlb(void)
{
	struct fmt_run *v = &runs[VTXHV_PAGING_VTLB][FMT_4LEVEL];
	struct fmt_run *s = &runs[VTXHV_PAGING_SHADOW][FMT_4LEVEL];
	double tv, ts;

	if (!ran[VTXHV_PAGING_VTLB] || !ran[VTXHV_PAGING_SHADOW]) {
		test_skip_one("ctxsw_shadow_5x_cheaper_than_vtlb",
			      "needs both vtlb and shadow");
		return;
	}
	if (!v->iters || !s->iters || !s->ticks) {
		printf("# a context-switch figure is missing\n");
		test_result(0, "ctxsw_shadow_5x_cheaper_than_vtlb");
		return;
	}
	tv = (double)v->ticks / v->iters;
	ts = (double)s->ticks / s->iters;
	printf("# figure ctxsw_vtlb_over_shadow %.2f (vtlb %.0f, shadow %.0f ticks)\n",
	       tv / ts, tv, ts);
	test_result(TEST_CHECK(tv >= 5 * ts, "vtlb/shadow = %.2f", tv / ts),
		    "ctxsw_shadow_5x_cheaper_than_vtlb");
}

int main(int argc, char **argv)
{
	int want[MODES] = { 0 }, any;
	uint32_t offered;

	pg_init(chk_names, CHK_NR);
	any = pg_parse_args(argc, argv, want);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	if (tvm_use_kvm) {
		test_plan(FMT_NR * CHK_NR + 2);
		pg_run_mode(KVM_MODE, run_format);
		pg_check_identical(outcome, 0);
		check_shadow_vs_vtlb();
		test_finish();
	}

	offered = pg_paging_modes();
	test_plan(MODES * FMT_NR * CHK_NR + 2);
	printf("# paging modes offered by the module: %#x\n", offered);
	pg_run_modes(offered, want, any, run_format);
	pg_check_identical(outcome, 0);
	check_shadow_vs_vtlb();
	test_finish();
}
