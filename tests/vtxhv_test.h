/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TAP helpers of every C test, in the test VM (tests/) and on the host
 * (tests/host/unit/), in the kernel's kselftest style: TAP 13 on stdout (a
 * plan, "ok N name", "not ok N name", "ok N name # SKIP reason"), and the
 * exit statuses of kselftest: 0 pass, 1 fail, 4 skip.  Assertions print the
 * file and line that failed.
 *
 * A test either calls test_plan(), then test_result() or test_skip_one()
 * once per case, and test_finish(); or, for a table of cases that are each
 * a function ending at the first CHECK() that fails, run_test_cases().
 */
#ifndef VTXHV_TEST_H
#define VTXHV_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

static unsigned int test_nr, test_pass, test_fail, test_skip;

static inline void test_plan(unsigned int n)
{
	/* Line by line, so a test killed by a timeout leaves its story. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%u\n", n);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 2, 3)))
test_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u ", ok ? "" : "not ", ++test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		test_pass++;
	else
		test_fail++;
}

static inline void test_skip_one(const char *name, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++test_nr, name, why);
	fflush(stdout);
	test_skip++;
}

/*
 * Skip the whole program: no plan was printed yet.  Under VTXHV_REQUIRE=1
 * (make check, whose VMs have every prerequisite) a skip is a failure.
 */
static inline void __attribute__((noreturn)) test_skip_all(const char *why)
{
	const char *req = getenv("VTXHV_REQUIRE");

	if (req && !strcmp(req, "1")) {
		printf("TAP version 13\n1..1\nnot ok 1 prerequisite # %s\n",
		       why);
		exit(KSFT_FAIL);
	}
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	exit(KSFT_SKIP);
}

/* Print the totals; return the exit status they make. */
static inline int test_totals(void)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       test_pass, test_fail, test_skip);
	if (test_fail)
		return KSFT_FAIL;
	return test_pass ? KSFT_PASS : KSFT_SKIP;
}

static inline void __attribute__((noreturn)) test_finish(void)
{
	exit(test_totals());
}

/*
 * TEST_CHECK(cond, fmt, ...): print a diagnostic with file and line when
 * @cond is false and evaluate to it, so a test case can go on collecting.
 */
#define TEST_CHECK(cond, fmt, ...)					\
	({								\
		int __ok = !!(cond);					\
		if (!__ok)						\
			printf("# %s:%d: check '%s' failed: " fmt "\n",	\
			       __FILE__, __LINE__, #cond, ##__VA_ARGS__); \
		__ok;							\
	})

/* TEST_ASSERT: a failed setup step ends the program as a failure. */
#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: assertion '%s' failed: " fmt	\
			       " (errno %d: %s)\n", __FILE__, __LINE__,	\
			       #cond, ##__VA_ARGS__, errno,		\
			       strerror(errno));			\
			printf("Bail out!\n");				\
			exit(KSFT_FAIL);				\
		}							\
	} while (0)

/*
 * CHECK(cond), CHECK_EQ(a, b): end the test case, a function returning
 * bool, as failed when @cond is false or @a differs from @b.
 */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: %s\n", __FILE__, __LINE__,	\
			       #cond);					\
			return false;					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_) {						\
			printf("# %s:%d: %s is %llu (%#llx), expected %s = %llu (%#llx)\n", \
			       __FILE__, __LINE__, #a, a_, a_, #b, b_, b_); \
			return false;					\
		}							\
	} while (0)

struct test_case {
	const char *name;
	bool (*fn)(void);
};

#define TEST(fn) { #fn, fn }
#define NTESTS(table) (sizeof(table) / sizeof((table)[0]))

/*
 * Run @n cases, calling @setup (if any) before each; return the exit
 * status.
 */
static inline int run_test_cases(const struct test_case *t, size_t n,
				 void (*setup)(void))
{
	size_t i;

	test_plan(n);
	for (i = 0; i < n; i++) {
		if (setup)
			setup();
		test_result(t[i].fn(), "%s", t[i].name);
	}
	return test_totals();
}

#endif /* VTXHV_TEST_H */
