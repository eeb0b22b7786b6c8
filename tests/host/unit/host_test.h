/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame the host unit tests share: assertions that end a test case
 * with its file and line as a TAP diagnostic, a table of cases, and a
 * TAP 13 runner.
 */
#ifndef VTXHV_HOST_TEST_H
#define VTXHV_HOST_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

struct host_test {
	const char *name;
	bool (*fn)(void);
};

#define TEST(fn) { #fn, fn }
#define NTESTS(table) (sizeof(table) / sizeof((table)[0]))

/* Run @n cases, calling @setup (if any) before each; 0 if all pass. */
static inline int run_host_tests(const struct host_test *t, size_t n,
				 void (*setup)(void))
{
	size_t i, failed = 0;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		bool ok;

		if (setup)
			setup();
		ok = t[i].fn();
		printf("%sok %zu %s\n", ok ? "" : "not ", i + 1, t[i].name);
		failed += !ok;
	}
	printf("# Totals: pass:%zu fail:%zu xfail:0 xpass:0 skip:0 error:0\n",
	       n - failed, failed);
	return failed ? 1 : 0;
}

#endif /* VTXHV_HOST_TEST_H */
