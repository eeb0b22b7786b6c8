// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_stats: the counters vtxhv reports over generic netlink match
 * what the guest is known to have done.  The guest executes exactly
 * N_CPUID CPUIDs, M_OUT writes to port 0x80 and K_MMIO writes outside its
 * RAM, between two ucalls; at each, the host reads its own VM's counters
 * with 'vtxctl stats VM --json' (vtxctl is the netlink client: this binary
 * is static and does not link libnl).  CPUID and IO_INSTRUCTION exits are
 * counted exactly by the kernel, so they must match exactly; EPT
 * violations also come from the first touch of guest pages, so the MMIO
 * writes give a lower bound.  Prints "# vm ID cpuid_exits N exits_total
 * T" for tracepoints.sh.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define N_CPUID		37
#define M_OUT		23
#define K_MMIO		11
#define POST_PORT	0x80
#define MMIO_ADDR	0xc0000000ULL	/* beyond the 64 MiB of RAM */

/* Basic exit reasons (SDM Vol. 3D, Appendix C). */
#define REASON_CPUID		10
#define REASON_IO		30
#define REASON_EPT_VIOLATION	48

/*
 * What the guest library's start-up does before guest_code: one CPUID(1)
 * (guest_xsave_init), and no CPUID(0xD) because without a CPUID table
 * vtxhv answers zeros, so OSXSAVE looks absent.
 */
#define STARTUP_CPUIDS	1

static void guest_code(uint64_t arg)
{
	uint32_t a, b, c, d;
	int i;

	(void)arg;
	GUEST_SYNC(0);
	for (i = 0; i < N_CPUID; i++)
		cpuid(0, 0, &a, &b, &c, &d);
	for (i = 0; i < M_OUT; i++)
		outb(POST_PORT, i);
	for (i = 0; i < K_MMIO; i++)
		*(volatile uint32_t *)MMIO_ADDR = i;
	GUEST_DONE();
}

/* Port 0x80 and MMIO exits seen on the way to the next ucall. */
static unsigned int post_exits, mmio_exits, ucalls;

static uint64_t next_ucall(struct tvm *t)
{
	struct ucall uc;

	for (;;) {
		tvm_run_ok(t);
		if (t->run->exit_reason == VTXHV_EXIT_IO &&
		    t->run->io.port == POST_PORT) {
			post_exits++;
			continue;
		}
		if (t->run->exit_reason == VTXHV_EXIT_MMIO) {
			mmio_exits++;
			continue;
		}
		TEST_ASSERT(t->run->exit_reason == VTXHV_EXIT_IO &&
			    t->run->io.port == UCALL_PORT, "exit %s",
			    exit_reason_name(t->run->exit_reason));
		tvm_ucall_at(t, t->run, &uc);
		ucalls++;
		return uc.cmd;
	}
}


/* The number after "KEY": in @json, from @from on; 0 if KEY is absent. */
static uint64_t json_num(const char *json, const char *from, const char *key)
{
	char pat[64];
	const char *p = from ? strstr(json, from) : json;

	if (!p)
		return 0;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

struct counters {
	uint64_t cpuid, io, ept_exits, ept_violations, injected, total;
	uint64_t guest_ns, exit_ns;
	uint64_t pf_exits, faults_fixed, cr3_loads;	/* shadow modes */
};

static char buf[65536];

static void read_counters(unsigned int vm, struct counters *c)
{
	char id[16];
	char *argv[] = { "vtxctl", "stats", id, "--json", NULL };
	int st;

	snprintf(id, sizeof(id), "%u", vm);
	st = tvm_vtxctl(buf, sizeof(buf), argv, true);
	TEST_ASSERT(st == 0, "vtxctl stats %u --json: status %d: %s", vm, st,
		    buf);
	/* The totals are the last object: what follows "total" is theirs. */
	c->cpuid = json_num(buf, "\"total\":", "CPUID");
	c->io = json_num(buf, "\"total\":", "IO_INSTRUCTION");
	c->ept_exits = json_num(buf, "\"total\":", "EPT_VIOLATION");
	c->ept_violations = json_num(buf, "\"total\":", "ept_violations");
	c->injected = json_num(buf, "\"total\":", "injected");
	c->total = json_num(buf, "\"total\":", "exits_total");
	c->guest_ns = json_num(buf, "\"total\":", "guest_ns");
	c->exit_ns = json_num(buf, "\"total\":", "exit_ns");
	c->pf_exits = json_num(buf, "\"total\":", "EXCEPTION_NMI");
	c->faults_fixed = json_num(buf, "\"total\":", "faults_fixed");
	c->cr3_loads = json_num(buf, "\"total\":", "cr3_loads");
	printf("# cpuid %lu io %lu ept_violation exits %lu (counter %lu) injected %lu total %lu guest %lu ns exits %lu ns\n",
	       (unsigned long)c->cpuid, (unsigned long)c->io,
	       (unsigned long)c->ept_exits, (unsigned long)c->ept_violations,
	       (unsigned long)c->injected, (unsigned long)c->total,
	       (unsigned long)c->guest_ns, (unsigned long)c->exit_ns);
}

/* Our VM in 'vtxctl list --json': its id, or 0. */
static unsigned int find_our_vm(char *obj, size_t len)
{
	char *argv[] = { "vtxctl", "list", "--json", NULL };
	unsigned int id, pid;
	char *p, *end;
	int st;

	st = tvm_vtxctl(buf, sizeof(buf), argv, true);
	TEST_ASSERT(st == 0, "vtxctl list --json: status %d: %s", st, buf);
	for (p = strstr(buf, "{\"id\":"); p; p = strstr(p + 1, "{\"id\":")) {
		if (sscanf(p, "{\"id\":%u,\"pid\":%u,", &id, &pid) != 2 ||
		    pid != (unsigned int)getpid())
			continue;
		end = strchr(p, '}');
		snprintf(obj, len, "%.*s", end ? (int)(end - p + 1) : 0, p);
		return id;
	}
	printf("# pid %d not in: %s", getpid(), buf);
	return 0;
}

int main(void)
{
	struct counters base, fin;
	unsigned int vm;
	char obj[1024], paging[64];
	struct tvm *t;
	uint64_t mmio_faults;
	int st, shadow, mmio_ok;

	if (!tvm_in_path("vtxctl"))
		test_skip_all("vtxctl is not on PATH");
	t = tvm_create(TVM_DEFAULT_MEM);
	snprintf(paging, sizeof(paging), "\"paging\":\"%s\"",
		 paging_name(tvm_paging_mode()));
	test_plan(8);
	tvm_setup_long_mode(t, guest_code, 0);	/* no CPUID table */

	TEST_ASSERT(next_ucall(t) == UCALL_SYNC, "the first ucall");
	vm = find_our_vm(obj, sizeof(obj));
	test_result(vm != 0, "vm_listed");
	TEST_ASSERT(vm, "our VM is not in the list");
	printf("# %s\n", obj);
	test_result(TEST_CHECK(strstr(obj, "\"comm\":\"netlink_stats\""),
			       "comm") &&
		    TEST_CHECK(strstr(obj, "\"vcpus\":1,"), "vCPUs") &&
		    TEST_CHECK(strstr(obj, "\"mem_bytes\":67108864,"),
			       "memory") &&
		    TEST_CHECK(strstr(obj, paging), "%s", paging) &&
		    TEST_CHECK(strstr(obj, "\"state\":\"idle\""),
			       "not in VTXHV_RUN now") &&
		    TEST_CHECK(strstr(obj, "\"created\":\"20"), "created"),
		    "vm_fields");

	read_counters(vm, &base);
	test_result(TEST_CHECK(base.cpuid == STARTUP_CPUIDS,
			       "%lu CPUID exits before guest_code's",
			       (unsigned long)base.cpuid) &&
		    TEST_CHECK(base.io == ucalls, "%lu IO exits, %u ucalls",
			       (unsigned long)base.io, ucalls),
		    "counters_at_start");

	TEST_ASSERT(next_ucall(t) == UCALL_DONE, "GUEST_DONE");
	read_counters(vm, &fin);
	test_result(TEST_CHECK(fin.cpuid - base.cpuid == N_CPUID,
			       "%lu CPUID exits", (unsigned long)(fin.cpuid -
								  base.cpuid)) &&
		    TEST_CHECK(fin.cpuid == N_CPUID + STARTUP_CPUIDS,
			       "%lu in all", (unsigned long)fin.cpuid),
		    "cpuid_exits_exact");
	test_result(TEST_CHECK(post_exits == M_OUT, "%u port 0x80 exits seen",
			       post_exits) &&
		    TEST_CHECK(fin.io == M_OUT + ucalls,
			       "%lu IO exits, %u port writes and %u ucalls",
			       (unsigned long)fin.io, M_OUT, ucalls),
		    "io_exits_exact");
	/*
	 * The MMIO writes are #PF exits under shadow paging, EPT violations
	 * under EPT.
	 */
	shadow = tvm_paging_mode() != VTXHV_PAGING_EPT;
	mmio_faults = shadow ? fin.pf_exits - base.pf_exits :
			       fin.ept_exits - base.ept_exits;
	mmio_ok = TEST_CHECK(mmio_exits == K_MMIO, "%u MMIO exits seen",
			     mmio_exits) &&
		  TEST_CHECK(mmio_faults >= K_MMIO,
			     "%lu %s during the MMIO writes",
			     (unsigned long)mmio_faults,
			     shadow ? "#PF exits" : "EPT violations");
	if (shadow) {
		test_result(mmio_ok &&
			    TEST_CHECK(fin.faults_fixed > 0 &&
				       fin.cr3_loads > 0,
				       "shadow counters: %lu faults fixed, %lu CR3 loads",
				       (unsigned long)fin.faults_fixed,
				       (unsigned long)fin.cr3_loads) &&
			    TEST_CHECK(!fin.ept_exits && !fin.ept_violations,
				       "EPT violations without EPT"),
			    "page_faults_at_least_mmio");
	} else {
		test_result(mmio_ok &&
			    TEST_CHECK(fin.ept_violations == fin.ept_exits,
				       "counter %lu, exits %lu",
				       (unsigned long)fin.ept_violations,
				       (unsigned long)fin.ept_exits),
			    "ept_violations_at_least_mmio");
	}
	test_result(TEST_CHECK(fin.total >= fin.cpuid + fin.io + fin.ept_exits +
			       fin.pf_exits,
			       "%lu exits in all", (unsigned long)fin.total) &&
		    TEST_CHECK(fin.guest_ns > base.guest_ns, "guest time") &&
		    TEST_CHECK(fin.exit_ns > base.exit_ns, "exit time") &&
		    TEST_CHECK(fin.injected == 0, "%lu injected",
			       (unsigned long)fin.injected),
		    "totals_and_times");

	/* A VM that does not exist: the kernel's extended ack, shown. */
	{
		char id[16];
		char *argv[] = { "vtxctl", "stats", id, NULL };

		snprintf(id, sizeof(id), "%u", vm + 1000);
		st = tvm_vtxctl(buf, sizeof(buf), argv, true);
		printf("# vtxctl stats %s: status %d: %s", id, st, buf);
		test_result(st == 1 && strstr(buf, "no such VM"),
			    "unknown_vm_refused");
	}
	printf("# vm %u cpuid_exits %lu exits_total %lu\n", vm,
	       (unsigned long)fin.cpuid, (unsigned long)fin.total);
	tvm_destroy(t);
	test_finish();
}
