// SPDX-License-Identifier: GPL-2.0
/*
 * The address 'vtxctl run --gdb' listens on (gdb_listen.h).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gdb_listen.h"

int gdb_parse_addr(const char *s, char *host, size_t host_size,
		   unsigned int *port)
{
	const char *colon = strrchr(s, ':'), *p, *h = s;
	size_t hlen;
	unsigned long n;
	char *end;

	p = colon ? colon + 1 : s;
	if (!colon) {
		h = GDB_DEFAULT_HOST;
		hlen = strlen(h);
	} else if (*s == '[') {
		/* [IPv6]:PORT */
		if (colon == s || colon[-1] != ']' || colon - s < 3)
			return -EINVAL;
		h = s + 1;
		hlen = colon - 1 - h;
	} else {
		hlen = colon - s;
		/* An IPv6 address without brackets would be ambiguous. */
		if (!hlen || memchr(s, ':', hlen) || memchr(s, ']', hlen))
			return -EINVAL;
	}
	if (*s == '[' && !colon)
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(p, &end, 10);
	if (errno || *end || n > 65535 || hlen >= host_size)
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = n;
	return 0;
}

int gdb_listen(const char *host, unsigned int port, unsigned int *bound_port,
	       char *err, size_t err_size)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char serv[8];
	int fd = -1, one = 1, ret, saved = 0;

	snprintf(serv, sizeof(serv), "%u", port);
	ret = getaddrinfo(host, serv, &hints, &res);
	if (ret) {
		snprintf(err, err_size, "%s: %s", host, gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 1))
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, err_size, "%s:%u: %s", host, port,
			 strerror(saved));
		return -1;
	}
	*bound_port = port;
	if (!getsockname(fd, (struct sockaddr *)&sa, &len))
		*bound_port = ntohs(sa.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&sa)->sin6_port :
			((struct sockaddr_in *)&sa)->sin_port);
	return fd;
}
