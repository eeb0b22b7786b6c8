/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where 'vtxctl run --gdb [HOST:]PORT' listens: the option's parser and
 * the listening TCP socket.  Unit-tested on the host.
 */
#ifndef VTXCTL_GDB_LISTEN_H
#define VTXCTL_GDB_LISTEN_H

#include <stddef.h>

#define GDB_DEFAULT_HOST	"127.0.0.1"

/*
 * Parse [HOST:]PORT: HOST a name, an IPv4 address or an IPv6 address in
 * brackets ("[::1]:1234"), GDB_DEFAULT_HOST if left out; PORT decimal,
 * 0 to 65535 (0: any free port).  Return 0 with @host (NUL-terminated,
 * brackets removed) and @port, or -EINVAL.
 */
int gdb_parse_addr(const char *s, char *host, size_t host_size,
		   unsigned int *port);

/*
 * A listening TCP socket (close-on-exec, SO_REUSEADDR) on @host:@port;
 * *@bound_port is the port it got.  Returns the fd, or -1 with @err
 * saying why.
 */
int gdb_listen(const char *host, unsigned int port, unsigned int *bound_port,
	       char *err, size_t err_size);

#endif /* VTXCTL_GDB_LISTEN_H */
