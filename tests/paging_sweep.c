// SPDX-License-Identifier: GPL-2.0
/*
 * paging_sweep: the trade-off between the two shadow paging strategies
 * (docs/shadow-paging.md), measured.  vtlb pays on every address-space
 * switch (a cold shadow), shadow on every write to a guest page table (a
 * write-protection trap); EPT pays for neither.  The guest does a fixed
 * unit of work, READS reads of tagged words spread over the pages of
 * SPACES address spaces, cut into SWITCHES slices per unit: before each
 * slice it rewrites WRITES PTEs of the next address space (each a page
 * remapped to the other of its two frames, as fork or exec rewrite
 * PTEs), loads that space's CR3, and reads its share of the unit there,
 * checking every tag.  Its RDTSC ticks per unit (in the Bochs test VM,
 * emulated instructions: the figures repeat) and the VM's counters over
 * the same units (vtxctl stats, generic netlink) explain each other.
 *
 *   paging_sweep                      the smoke test of make check (TAP):
 *                                     a few points in each mode, and the
 *                                     counters moving as the design says
 *   paging_sweep --csv [--mode M,..] [--switches N,..] [--writes N,..]
 *                [--spaces N] [--pages N] [--reads N] [--units N]
 *                [--min-switches N]
 *                                     one CSV row per mode and grid point
 *                                     (scripts/experiment)
 *
 * --mode defaults to $VTXHV_PAGING (ept).  Counters in the CSV are per
 * unit of work; in ept the shadow counters are empty.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/libvtxhv.h"	/* vtxhv_paging_from_name() */
#include "tvm.h"
#include "vtxhv_test.h"

#define MEM_SIZE	(32 << 20)
#define MAX_SPACES	16	/* the shadow mode caches 16 roots */
#define MAX_PAGES	64
#define MAX_POINTS	256
#define TABLES		0x100000ULL	/* 16 KiB of tables per space */
#define FRAMES		0x800000ULL	/* two frames per page of a space */
#define PTE_FLAGS	0x23ULL		/* present, writable, accessed */
#define TAG		0x5eed000000000000ULL

struct point {
	uint32_t switches, writes;	/* per unit; writes per switch */
	uint32_t warm, units;		/* units to warm up, to measure */
};

/* Set by the host before the binary is copied into the guest. */
static struct {
	uint32_t spaces, pages, reads, npoints;
	struct point pt[MAX_POINTS];
} cfg;

/* --- guest ---------------------------------------------------------------- */

static uint64_t as_cr3[MAX_SPACES];
static uint8_t variant[MAX_SPACES][MAX_PAGES];	/* frame each PTE maps */
static uint32_t cursor[MAX_SPACES];		/* next PTE to rewrite */
static uint32_t current;			/* space we run in */

static uint64_t frame(uint32_t n, uint32_t p, uint32_t v)
{
	return FRAMES + (((uint64_t)n * MAX_PAGES + p) * 2 + v) * 4096;
}

static uint64_t tag(uint32_t n, uint32_t p, uint32_t v)
{
	return TAG | n << 16 | p << 1 | v;
}

/* guest_make_as()'s layout: PML4, PDPT, PD, then the PT we rewrite. */
static uint64_t *space_pt(uint32_t n)
{
	return (uint64_t *)(TABLES + n * 0x4000 + 3 * 4096);
}

/*
 * Exactly one plain store per PTE write, whatever the compiler would make
 * of a loop of volatile stores.
 */
static inline void write_pte(uint64_t *pte, uint64_t v)
{
	__asm__ volatile("movq %1, %0" : "=m"(*pte) : "r"(v) : "memory");
}

static void make_spaces(void)
{
	uint32_t n, p, v;

	for (n = 0; n < cfg.spaces; n++) {
		as_cr3[n] = guest_make_as(TABLES + n * 0x4000, 0, 0);
		for (p = 0; p < cfg.pages; p++) {
			for (v = 0; v < 2; v++)
				*(volatile uint64_t *)frame(n, p, v) =
					tag(n, p, v);
			variant[n][p] = 0;
			write_pte(&space_pt(n)[p],
				  frame(n, p, 0) | PTE_FLAGS);
		}
		cursor[n] = 0;
	}
	current = 0;
}

/*
 * One unit of work.  The PTEs are rewritten before the switch, from the
 * space we leave: the CR3 load that follows flushes them from the TLB, as
 * it would on hardware, so no INVLPG is needed and vtlb pays nothing for
 * the writes themselves.  Each is one plain 64-bit store, which the
 * shadow mode emulates.
 */
static void unit(const struct point *pt)
{
	uint32_t s, k, r, n, p, lo, hi;
	uint64_t *pte;

	for (s = 0; s < pt->switches; s++) {
		n = current = (current + 1) % cfg.spaces;
		pte = space_pt(n);
		for (k = 0; k < pt->writes; k++) {
			p = cursor[n]++ % cfg.pages;
			variant[n][p] ^= 1;
			write_pte(&pte[p], frame(n, p, variant[n][p]) |
					   PTE_FLAGS);
		}
		__asm__ volatile("mov %0, %%cr3" : : "r"(as_cr3[n]) : "memory");
		lo = (uint64_t)s * cfg.reads / pt->switches;
		hi = (uint64_t)(s + 1) * cfg.reads / pt->switches;
		for (r = lo; r < hi; r++) {
			p = r % cfg.pages;
			GUEST_ASSERT_EQ(*(volatile uint64_t *)(GUEST_AS_VA +
							       p * 4096),
					tag(n, p, variant[n][p]));
		}
	}
}

static void guest_code(uint64_t arg)
{
	uint64_t t0, t1;
	uint32_t i, u;

	(void)arg;
	make_spaces();
	for (i = 0; i < cfg.npoints; i++) {
		const struct point *pt = &cfg.pt[i];

		for (u = 0; u < pt->warm; u++)
			unit(pt);
		GUEST_SYNC(0);		/* the host reads the counters */
		t0 = rdtsc();
		for (u = 0; u < pt->units; u++)
			unit(pt);
		t1 = rdtsc();
		GUEST_SYNC(t1 - t0);	/* ... and again */
	}
}

/* --- host: the VM's counters, read with vtxctl ---------------------------- */

static char buf[65536];
/* At least this many switches are measured at each point. */
static uint32_t min_switches = 128;

/* The id of this process's newest VM in 'vtxctl list --json', or 0. */
static unsigned int our_vm(void)
{
	char *argv[] = { "vtxctl", "list", "--json", NULL };
	unsigned int id, pid, found = 0;
	char *p;

	if (tvm_vtxctl(buf, sizeof(buf), argv, false))
		return 0;
	for (p = strstr(buf, "{\"id\":"); p; p = strstr(p + 1, "{\"id\":"))
		if (sscanf(p, "{\"id\":%u,\"pid\":%u,", &id, &pid) == 2 &&
		    pid == (unsigned int)getpid() && id > found)
			found = id;
	return found;
}

enum {
	C_EXITS, C_PF_EXITS, C_CR_EXITS,
	C_CR3_LOADS, C_ROOT_HITS, C_ROOT_MISSES, C_FAULTS_FIXED,
	C_FAULTS_REFLECTED, C_PT_WRITES, C_RESYNCED, C_UNSYNCED, C_INVLPG,
	C_NR,
};

/* CSV column, and the key in vtxctl's JSON totals. */
static const char *const counter_key[C_NR][2] = {
	[C_EXITS] = { "exits", "exits_total" },
	[C_PF_EXITS] = { "pf_exits", "EXCEPTION_NMI" },
	[C_CR_EXITS] = { "cr_exits", "CR_ACCESS" },
	[C_CR3_LOADS] = { "cr3_loads", "cr3_loads" },
	[C_ROOT_HITS] = { "root_hits", "root_hits" },
	[C_ROOT_MISSES] = { "root_misses", "root_misses" },
	[C_FAULTS_FIXED] = { "faults_fixed", "faults_fixed" },
	[C_FAULTS_REFLECTED] = { "faults_reflected", "faults_reflected" },
	[C_PT_WRITES] = { "pt_writes", "pt_writes" },
	[C_RESYNCED] = { "resynced", "resynced" },
	[C_UNSYNCED] = { "unsynced", "unsynced" },
	[C_INVLPG] = { "invlpg", "invlpg" },
};

#define FIRST_SHADOW	C_CR3_LOADS

/* The VM's counters, summed over its vCPUs. */
static void read_counters(unsigned int vm, uint64_t *c)
{
	char id[16], pat[64];
	char *argv[] = { "vtxctl", "stats", id, "--json", NULL };
	const char *total, *p;
	int i, st;

	snprintf(id, sizeof(id), "%u", vm);
	st = tvm_vtxctl(buf, sizeof(buf), argv, false);
	TEST_ASSERT(st == 0, "vtxctl stats %u --json: status %d: %s", vm, st,
		    buf);
	total = strstr(buf, "\"total\":");
	TEST_ASSERT(total, "no totals in: %s", buf);
	for (i = 0; i < C_NR; i++) {
		snprintf(pat, sizeof(pat), "\"%s\":", counter_key[i][1]);
		p = strstr(total, pat);
		c[i] = p ? strtoull(p + strlen(pat), NULL, 10) : 0;
	}
}

/* --- host: running the points --------------------------------------------- */

struct result {
	uint64_t ticks;		/* per unit */
	uint64_t c[C_NR];	/* over the measured units */
};

static uint64_t next_sync(struct tvm *t)
{
	struct ucall uc;

	/* tvm_get_ucall() prints a guest assertion's file and line. */
	TEST_ASSERT(tvm_get_ucall(t, &uc) == UCALL_SYNC, "no GUEST_SYNC");
	return uc.args[0];
}

/*
 * How long a point runs: every space visited at least twice while warming
 * up, and at least min_switches switches measured, a whole number of
 * rounds over the spaces.
 */
static void size_point(struct point *pt, uint32_t units)
{
	uint32_t u = units;

	pt->warm = (2 * cfg.spaces + pt->switches - 1) / pt->switches;
	if ((uint64_t)u * pt->switches < min_switches)
		u = (min_switches + pt->switches - 1) / pt->switches;
	while ((uint64_t)u * pt->switches % cfg.spaces)
		u++;
	pt->units = u;
}

/* Run cfg's points in a VM of @mode; @res gets one result per point. */
static void run_points(uint32_t mode, struct result *res)
{
	struct tvm *t = tvm_create_paging(MEM_SIZE, mode);
	uint64_t base[C_NR];
	unsigned int vm;
	uint32_t i;
	int c;

	tvm_set_cpuid_host(t);
	tvm_setup_long_mode(t, guest_code, 0);
	vm = 0;
	for (i = 0; i < cfg.npoints; i++) {
		TEST_ASSERT(next_sync(t) == 0, "point %u: start", i);
		if (!vm)
			vm = our_vm();
		TEST_ASSERT(vm, "our VM is not in 'vtxctl list --json'");
		read_counters(vm, base);
		res[i].ticks = next_sync(t) / cfg.pt[i].units;
		read_counters(vm, res[i].c);
		for (c = 0; c < C_NR; c++)
			res[i].c[c] -= base[c];
	}
	tvm_expect_ucall(t, UCALL_DONE, 0);
	tvm_destroy(t);
}

static uint32_t paging_modes(void)
{
	struct vtxhv_caps caps = { .size = sizeof(caps) };
	int dev = open("/dev/vtxhv", O_RDWR | O_CLOEXEC);

	if (dev < 0)
		return 0;
	if (ioctl(dev, VTXHV_GET_CAPS, &caps))
		caps.paging_modes = 0;
	close(dev);
	return caps.paging_modes;
}

/* --- the CSV of scripts/experiment ------------------------------------------ */

static void csv_row(uint32_t mode, const struct point *pt,
		    const struct result *r)
{
	int c;

	printf("%s,%u,%u,%u,%u,%u,%u,%lu", paging_name(mode), cfg.spaces,
	       cfg.pages, cfg.reads, pt->switches, pt->writes, pt->units,
	       (unsigned long)r->ticks);
	for (c = 0; c < C_NR; c++) {
		if (mode == VTXHV_PAGING_EPT && c >= FIRST_SHADOW)
			printf(",");
		else
			printf(",%.6g", (double)r->c[c] / pt->units);
	}
	printf("\n");
	fflush(stdout);
}

/* "1,2,4": up to @max numbers into @v; how many, or -1. */
static int parse_list(const char *s, uint32_t *v, int max)
{
	int n = 0;
	char *end;

	while (*s) {
		if (n == max)
			return -1;
		v[n++] = strtoul(s, &end, 0);
		if (end == s || (*end && *end != ','))
			return -1;
		s = *end ? end + 1 : end;
	}
	return n;
}

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: paging_sweep                (the smoke test, TAP)\n"
		"       paging_sweep --csv [--mode ept,vtlb,shadow] [--switches N,...]\n"
		"                    [--writes N,...] [--spaces N] [--pages N] [--reads N]\n"
		"                    [--units N] [--min-switches N]\n");
	exit(status);
}

static int csv_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "switches", required_argument, NULL, 's' },
		{ "writes", required_argument, NULL, 'w' },
		{ "spaces", required_argument, NULL, 'S' },
		{ "pages", required_argument, NULL, 'P' },
		{ "reads", required_argument, NULL, 'R' },
		{ "units", required_argument, NULL, 'u' },
		{ "min-switches", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t sw[64] = { 1, 4, 16 }, wr[64] = { 0, 4, 16 };
	uint32_t modes[3] = { tvm_paging_mode() }, units = 2;
	int nsw = 3, nwr = 3, nmodes = 1, o, i, j, c;
	static struct result res[MAX_POINTS];
	char *m, *save = NULL;

	cfg.spaces = 4;
	cfg.pages = 16;
	cfg.reads = 1024;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			break;
		case 'm':
			nmodes = 0;
			for (m = strtok_r(optarg, ",", &save); m;
			     m = strtok_r(NULL, ",", &save)) {
				j = vtxhv_paging_from_name(m);
				if (nmodes == 3 || j < 0)
					usage(2);
				modes[nmodes++] = j;
			}
			break;
		case 's':
			nsw = parse_list(optarg, sw, 64);
			break;
		case 'w':
			nwr = parse_list(optarg, wr, 64);
			break;
		case 'S':
			cfg.spaces = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			cfg.pages = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			cfg.reads = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			units = strtoul(optarg, NULL, 0);
			break;
		case 'M':
			min_switches = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc || nsw <= 0 || nwr <= 0 || !nmodes ||
	    nsw * nwr > MAX_POINTS || !cfg.spaces ||
	    cfg.spaces > MAX_SPACES || !cfg.pages || cfg.pages > MAX_PAGES ||
	    !cfg.reads || !units)
		usage(2);
	for (i = 0; i < nsw; i++)
		if (!sw[i])
			usage(2);
	TEST_ASSERT(tvm_in_path("vtxctl"), "vtxctl is not on PATH");
	cfg.npoints = 0;
	for (i = 0; i < nsw; i++)
		for (j = 0; j < nwr; j++) {
			struct point *pt = &cfg.pt[cfg.npoints++];

			pt->switches = sw[i];
			pt->writes = wr[j];
			size_point(pt, units);
		}
	printf("mode,spaces,pages,reads,switches,writes,units,ticks_per_unit");
	for (c = 0; c < C_NR; c++)
		printf(",%s", counter_key[c][0]);
	printf("\n");
	for (i = 0; i < nmodes; i++) {
		run_points(modes[i], res);
		for (j = 0; j < (int)cfg.npoints; j++)
			csv_row(modes[i], &cfg.pt[j], &res[j]);
	}
	return 0;
}

/* --- the smoke test ------------------------------------------------------- */

/*
 * Points of the smoke test: few switches, more switches, then writes, then
 * more writes than GPT_RECYCLE_WRITES (32) per switch.
 */
enum { P_FEW, P_MANY, P_WRITES, P_RECYCLE, P_NR };

static const struct point smoke[P_NR] = {
	[P_FEW] = { .switches = 2, .writes = 0 },
	[P_MANY] = { .switches = 8, .writes = 0 },
	[P_WRITES] = { .switches = 8, .writes = 8 },
	[P_RECYCLE] = { .switches = 8, .writes = 40 },
};

#define RECYCLE_WRITES	32	/* kmod/shadow.c's GPT_RECYCLE_WRITES */

static void show(uint32_t mode, const struct result *r)
{
	int i, c;

	for (i = 0; i < P_NR; i++) {
		printf("# %s switches %u writes %u units %u: %lu ticks/unit",
		       paging_name(mode), cfg.pt[i].switches,
		       cfg.pt[i].writes, cfg.pt[i].units,
		       (unsigned long)r[i].ticks);
		for (c = 0; c < C_NR; c++)
			if (r[i].c[c])
				printf(" %s %lu", counter_key[c][0],
				       (unsigned long)r[i].c[c]);
		printf("\n");
	}
}

/* Switches measured at point @i. */
static uint64_t switches(int i)
{
	return (uint64_t)cfg.pt[i].switches * cfg.pt[i].units;
}

static int smoke_main(void)
{
	static struct result res[3][P_NR];
	const struct result *e = res[VTXHV_PAGING_EPT];
	const struct result *v = res[VTXHV_PAGING_VTLB];
	const struct result *s = res[VTXHV_PAGING_SHADOW];
	uint32_t modes = paging_modes(), m;
	uint64_t k;
	int i;

	if (!tvm_in_path("vtxctl"))
		test_skip_all("vtxctl is not on PATH");
	if (!modes)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	cfg.spaces = 4;
	cfg.pages = 16;
	cfg.reads = 256;
	min_switches = 16;
	cfg.npoints = P_NR;
	for (i = 0; i < P_NR; i++) {
		cfg.pt[i] = smoke[i];
		size_point(&cfg.pt[i], 1);
	}
	test_plan(8);
	for (m = VTXHV_PAGING_EPT; m <= VTXHV_PAGING_SHADOW; m++) {
		if (!(modes & 1U << m))
			continue;
		run_points(m, res[m]);
		show(m, res[m]);
	}
	/* Every read found its tag, or run_points() would have failed. */
	test_result(true, "tags_read_back");

	if (!(modes & 1U << VTXHV_PAGING_EPT)) {
		test_skip_one("ept_floor", "no EPT (force_shadow)");
	} else {
		bool ok = true;

		for (i = 0; i < P_NR; i++)
			ok &= TEST_CHECK(e[i].ticks < v[i].ticks &&
					 e[i].ticks < s[i].ticks,
					 "point %d: ept %lu, vtlb %lu, shadow %lu",
					 i, (unsigned long)e[i].ticks,
					 (unsigned long)v[i].ticks,
					 (unsigned long)s[i].ticks);
		test_result(ok, "ept_floor");
	}

	/* vtlb: every CR3 load empties the shadow; writes are not seen. */
	k = cfg.pages;
	test_result(TEST_CHECK(v[P_MANY].c[C_CR3_LOADS] == switches(P_MANY),
			       "%lu CR3 loads",
			       (unsigned long)v[P_MANY].c[C_CR3_LOADS]) &&
		    TEST_CHECK(v[P_MANY].c[C_ROOT_MISSES] == switches(P_MANY),
			       "%lu root misses",
			       (unsigned long)v[P_MANY].c[C_ROOT_MISSES]) &&
		    TEST_CHECK(v[P_FEW].c[C_FAULTS_FIXED] >= k * switches(P_FEW) &&
			       v[P_MANY].c[C_FAULTS_FIXED] >= k * switches(P_MANY),
			       "faults %lu, %lu: not %lu per switch",
			       (unsigned long)v[P_FEW].c[C_FAULTS_FIXED],
			       (unsigned long)v[P_MANY].c[C_FAULTS_FIXED],
			       (unsigned long)k) &&
		    TEST_CHECK(v[P_MANY].c[C_FAULTS_FIXED] * cfg.pt[P_FEW].units >
			       v[P_FEW].c[C_FAULTS_FIXED] * cfg.pt[P_MANY].units * 2,
			       "faults per unit do not grow with switches"),
		    "vtlb_faults_grow_with_switches");
	test_result(TEST_CHECK(!v[P_WRITES].c[C_PT_WRITES] &&
			       !v[P_RECYCLE].c[C_PT_WRITES] &&
			       !v[P_RECYCLE].c[C_UNSYNCED],
			       "vtlb trapped page-table writes"),
		    "vtlb_writes_free");

	/* shadow: cached roots, so switching alone faults nothing. */
	test_result(TEST_CHECK(s[P_MANY].c[C_ROOT_HITS] == switches(P_MANY) &&
			       s[P_MANY].c[C_CR3_LOADS] == switches(P_MANY),
			       "%lu CR3 loads, %lu root hits",
			       (unsigned long)s[P_MANY].c[C_CR3_LOADS],
			       (unsigned long)s[P_MANY].c[C_ROOT_HITS]) &&
		    TEST_CHECK(s[P_FEW].c[C_FAULTS_FIXED] < switches(P_FEW) &&
			       s[P_MANY].c[C_FAULTS_FIXED] < switches(P_MANY),
			       "faults %lu, %lu",
			       (unsigned long)s[P_FEW].c[C_FAULTS_FIXED],
			       (unsigned long)s[P_MANY].c[C_FAULTS_FIXED]) &&
		    TEST_CHECK(s[P_MANY].ticks < v[P_MANY].ticks,
			       "shadow %lu ticks, vtlb %lu",
			       (unsigned long)s[P_MANY].ticks,
			       (unsigned long)v[P_MANY].ticks),
		    "shadow_roots_cached");
	/*
	 * Each PTE write is trapped and emulated, and drops the one shadow
	 * entry built from it, which the reads then fault back in.
	 */
	k = (uint64_t)cfg.pt[P_WRITES].writes * switches(P_WRITES);
	test_result(TEST_CHECK(s[P_WRITES].c[C_PT_WRITES] == k,
			       "%lu page-table writes emulated, %lu done",
			       (unsigned long)s[P_WRITES].c[C_PT_WRITES],
			       (unsigned long)k) &&
		    TEST_CHECK(s[P_WRITES].c[C_RESYNCED] == k,
			       "%lu shadow entries dropped",
			       (unsigned long)s[P_WRITES].c[C_RESYNCED]) &&
		    TEST_CHECK(s[P_WRITES].c[C_FAULTS_FIXED] >= k,
			       "%lu faults fixed",
			       (unsigned long)s[P_WRITES].c[C_FAULTS_FIXED]) &&
		    TEST_CHECK(!s[P_MANY].c[C_PT_WRITES] &&
			       !s[P_WRITES].c[C_UNSYNCED],
			       "%lu writes trapped without writes, %lu unsynced",
			       (unsigned long)s[P_MANY].c[C_PT_WRITES],
			       (unsigned long)s[P_WRITES].c[C_UNSYNCED]),
		    "shadow_traps_grow_with_writes");
	/*
	 * Past GPT_RECYCLE_WRITES writes with no walk in between, the page
	 * goes out of sync once per switch and the rest of the writes run
	 * natively.
	 */
	k = switches(P_RECYCLE);
	test_result(TEST_CHECK(s[P_RECYCLE].c[C_PT_WRITES] ==
			       RECYCLE_WRITES * k,
			       "%lu page-table writes emulated for %lu switches",
			       (unsigned long)s[P_RECYCLE].c[C_PT_WRITES],
			       (unsigned long)k) &&
		    TEST_CHECK(s[P_RECYCLE].c[C_UNSYNCED] == k,
			       "%lu pages let out of sync",
			       (unsigned long)s[P_RECYCLE].c[C_UNSYNCED]),
		    "shadow_recycled_tables_unsync");
	test_result(tvm_module_counts_zero(), "nothing_left");
	test_finish();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return csv_main(argc, argv);
	return smoke_main();
}
