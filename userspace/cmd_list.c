// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl list: the VMs the caller may see, one per line, from the GET_VM
 * dump of the "vtxhv" generic-netlink family.  Without CAP_NET_ADMIN or
 * CAP_SYS_ADMIN the kernel shows only the caller's own user's VMs.
 */
#include <getopt.h>
#include <stdlib.h>

#include "nl.h"
#include "nl_format.h"
#include "vtxctl.h"

void usage_list(FILE *out)
{
	fprintf(out,
		"usage: %s list [--json]\n\n"
		"List the VMs, one per line after a header: id, creator's pid and\n"
		"command name, vCPUs, memory, paging mode, state (idle, running,\n"
		"shutdown) and creation time (ISO 8601, UTC).  Without CAP_NET_ADMIN\n"
		"or CAP_SYS_ADMIN only the VMs your own user created are listed.\n\n"
		"  --json    one JSON array of objects instead\n\n"
		"exit status: 0 success, 64 usage error, 69 vtxhv not loaded,\n"
		"  77 permission denied, 1 any other error.\n",
		progname);
}

int cmd_list(int argc, char **argv)
{
	struct vtxhv_vm_info *vms;
	struct vtxhv_nl_error err;
	struct vtxhv_nl *nl;
	size_t n, i;
	bool json;
	int ret;

	ret = cmd_json_option("list", argc, argv, 0, &json);
	if (ret)
		return ret;

	nl = vtxhv_nl_open();
	ret = vtxhv_nl_list_vms(nl, &vms, &n, &err);
	vtxhv_nl_close(nl);
	if (ret)
		return vtxhv_nl_report("listing the VMs", &err);
	if (json) {
		list_print_json(stdout, vms, n);
	} else {
		list_print_header(stdout);
		for (i = 0; i < n; i++)
			list_print_vm(stdout, &vms[i]);
	}
	free(vms);
	return 0;
}
