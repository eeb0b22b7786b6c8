// SPDX-License-Identifier: GPL-2.0
/*
 * isolation: two VMs with different memory patterns run at once, and each
 * guest scans all of its guest-physical space up to 4 GiB: every byte of
 * its RAM holds its own pattern, and everything else is an MMIO exit to
 * its own VMM, never memory of the host or of the other VM.
 */
#include <pthread.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define MEM		(32 << 20)
#define STEP		(4 << 20)
#define MARK		0x6d6d6d6d6d6d6d6dULL

/* Code and stack live in RAM too: only the pattern area is checked. */
#define PATTERN_START	(8 << 20)
#define PATTERN_END	(MEM - (1 << 20))

static void guest_scan(uint64_t pattern)
{
	uint64_t a;

	for (a = PATTERN_START; a < PATTERN_END; a += 8)
		GUEST_ASSERT_EQ(*(volatile uint64_t *)a, pattern);
	GUEST_SYNC(1);
	for (a = MEM; a < (4ULL << 30); a += STEP)
		GUEST_ASSERT_EQ(*(volatile uint64_t *)a, MARK);
	GUEST_SYNC(2);
}

struct scanner {
	struct tvm *t;
	uint64_t pattern;
	unsigned int mmio, bad;
	int ok;
};

static void *scan(void *arg)
{
	struct scanner *s = arg;
	struct ucall uc;
	int syncs = 0;

	for (;;) {
		if (tvm_run(s->t))
			return NULL;
		if (s->t->run->exit_reason == VTXHV_EXIT_MMIO) {
			if (s->t->run->mmio.phys_addr < MEM ||
			    s->t->run->mmio.is_write)
				s->bad++;
			memset(s->t->run->mmio.data, 0x6d, 8);
			s->mmio++;
			continue;
		}
		if (s->t->run->exit_reason != VTXHV_EXIT_IO ||
		    s->t->run->io.port != UCALL_PORT)
			return NULL;
		tvm_ucall_at(s->t, s->t->run, &uc);
		if (uc.cmd == UCALL_ABORT) {
			printf("# pattern %#lx: guest saw %#lx, not %#lx\n",
			       (unsigned long)s->pattern,
			       (unsigned long)uc.args[0],
			       (unsigned long)uc.args[1]);
			return NULL;
		}
		if (uc.cmd == UCALL_DONE) {
			s->ok = syncs == 2;
			return NULL;
		}
		syncs++;
	}
}

int main(void)
{
	struct scanner s[2] = {
		{ .pattern = 0xaaaa5555aaaa5555ULL },
		{ .pattern = 0x1234567812345678ULL },
	};
	pthread_t th[2];
	uint64_t a;
	int i;

	test_plan(2);
	for (i = 0; i < 2; i++) {
		s[i].t = tvm_create(MEM);
		for (a = PATTERN_START; a < PATTERN_END; a += 8)
			*(uint64_t *)(s[i].t->mem + a) = s[i].pattern;
		tvm_setup_long_mode(s[i].t, guest_scan, s[i].pattern);
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, scan, &s[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("# MMIO exits: %u and %u\n", s[0].mmio, s[1].mmio);
	test_result(TEST_CHECK(s[0].ok && s[1].ok, "scan failed"),
		    "each_vm_sees_only_its_own_ram");
	test_result(TEST_CHECK(!s[0].bad && !s[1].bad &&
			       s[0].mmio == ((4ULL << 30) - MEM) / STEP &&
			       s[1].mmio == s[0].mmio, "mmio %u %u bad %u %u",
			       s[0].mmio, s[1].mmio, s[0].bad, s[1].bad),
		    "everything_else_is_mmio");
	for (i = 0; i < 2; i++)
		tvm_destroy(s[i].t);
	test_finish();
}
