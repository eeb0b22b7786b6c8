// SPDX-License-Identifier: GPL-2.0
/*
 * What vtxctl's netlink commands print when the family cannot be reached
 * or refuses a request, and the exit status for it; nl.c itself prints
 * nothing, so that libvtxhv links it too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <netlink/errno.h>

#include "nl.h"
#include "vtxctl.h"

static void __attribute__((noreturn)) open_failed(int nlerr)
{
	struct stat st;

	if (nlerr == -NLE_OBJ_NOTFOUND) {
		if (stat("/sys/module/vtxhv", &st))
			fprintf(stderr,
				"%s: the vtxhv module is not loaded (generic-netlink family '%s' not found): load it with 'insmod kmod/vtxhv.ko'\n",
				progname, VTXHV_GENL_NAME);
		else
			fprintf(stderr,
				"%s: vtxhv is loaded but has no generic-netlink family '%s': it is older than this vtxctl; rebuild both\n",
				progname, VTXHV_GENL_NAME);
		exit(EXIT_NOMODULE);
	}
	if (nlerr == -NLE_PERM || nlerr == -NLE_NOACCESS) {
		fprintf(stderr, "%s: generic netlink: permission denied (%s)\n",
			progname, nl_geterror(nlerr));
		exit(EXIT_NOPERM);
	}
	fprintf(stderr, "%s: generic netlink: %s\n", progname,
		nl_geterror(nlerr));
	exit(1);
}

struct vtxhv_nl *vtxhv_nl_open(void)
{
	struct vtxhv_nl *nl;
	int ret = vtxhv_nl_connect(&nl);

	if (ret < 0)
		open_failed(ret);
	return nl;
}

int vtxhv_nl_report(const char *what, const struct vtxhv_nl_error *err)
{
	char buf[512];

	fprintf(stderr, "%s: %s: %s\n", progname, what,
		vtxhv_nl_strerror(err, buf, sizeof(buf)));
	if (err->error == EPERM || err->error == EACCES)
		return EXIT_NOPERM;
	return 1;
}
