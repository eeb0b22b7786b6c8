// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of where 'vtxctl run --gdb' listens (userspace/
 * gdb_listen.c): the [HOST:]PORT forms it takes and those it refuses, and
 * a socket on 127.0.0.1 port 0 that a client can connect to.  TAP 13.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gdb_listen.h"
#include "vtxhv_test.h"

static char host[64];
static unsigned int port;

static bool parses(const char *s, const char *h, unsigned int p)
{
	port = ~0U;
	host[0] = '\0';
	if (gdb_parse_addr(s, host, sizeof(host), &port)) {
		printf("# '%s' refused\n", s);
		return false;
	}
	if (strcmp(host, h) || port != p) {
		printf("# '%s' gave host '%s' port %u\n", s, host, port);
		return false;
	}
	return true;
}

static bool good_forms(void)
{
	CHECK(parses("1234", GDB_DEFAULT_HOST, 1234));
	CHECK(parses("0", GDB_DEFAULT_HOST, 0));
	CHECK(parses("65535", GDB_DEFAULT_HOST, 65535));
	CHECK(parses("localhost:1", "localhost", 1));
	CHECK(parses("0.0.0.0:1234", "0.0.0.0", 1234));
	CHECK(parses("[::1]:9", "::1", 9));
	CHECK(parses("[fe80::1%eth0]:9", "fe80::1%eth0", 9));
	return true;
}

static bool bad_forms(void)
{
	static const char *const bad[] = {
		"", ":", ":1234", "host:", "65536", "12x", "-1", "+5",
		"host:-1", "::1:1234", "[::1]", "[::1]1234", "[]:1", "[::1:1",
		" 1234", "99999999999999999999", "1234 ",
	};
	char small[4];
	size_t i;

	for (i = 0; i < NTESTS(bad); i++)
		if (!gdb_parse_addr(bad[i], host, sizeof(host), &port)) {
			printf("# '%s' taken: host '%s' port %u\n", bad[i],
			       host, port);
			return false;
		}
	/* A host longer than the buffer. */
	CHECK(gdb_parse_addr("abcd:1", small, sizeof(small), &port));
	CHECK(!gdb_parse_addr("abc:1", small, sizeof(small), &port));
	return true;
}

static bool listens(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned int bound = 0;
	char err[128];
	int fd, c, a;

	fd = gdb_listen("127.0.0.1", 0, &bound, err, sizeof(err));
	if (fd < 0)
		printf("# %s\n", err);
	CHECK(fd >= 0);
	CHECK(bound > 0 && bound < 65536);
	c = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = htons(bound);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(!connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	a = accept(fd, NULL, NULL);
	CHECK(a >= 0);
	close(a);
	close(c);
	/* The same port again while it is taken. */
	CHECK(gdb_listen("127.0.0.1", bound, &bound, err, sizeof(err)) < 0);
	CHECK(strstr(err, "in use"));
	close(fd);
	CHECK(gdb_listen("no-such-host.invalid", 1, &bound, err,
			 sizeof(err)) < 0);
	return true;
}

static const struct test_case tests[] = {
	TEST(good_forms),
	TEST(bad_forms),
	TEST(listens),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), NULL);
}
