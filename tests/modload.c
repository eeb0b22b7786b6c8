// SPDX-License-Identifier: GPL-2.0
/*
 * modload: load a module with finit_module(2) and report the errno by name,
 * so tests can check the exact error vtxhv documents for each refusal.
 *
 *   modload FILE [PARAMS]   prints "loaded" or "error ENAME (text)"
 *
 * Exit status: 0 loaded, otherwise the errno value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static const char *errno_name(int e)
{
	switch (e) {
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EEXIST: return "EEXIST";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOEXEC: return "ENOEXEC";
	case ENOENT: return "ENOENT";
	default: return "E?";
	}
}

int main(int argc, char **argv)
{
	int fd, e;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: modload FILE [PARAMS]\n");
		return 64;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return ENOENT;
	}
	if (syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "", 0)) {
		e = errno;
		printf("error %s (%s)\n", errno_name(e), strerror(e));
		close(fd);
		return e;
	}
	close(fd);
	printf("loaded\n");
	return 0;
}
