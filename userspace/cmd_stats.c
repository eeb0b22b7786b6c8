// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl stats VM: one VM's counters per vCPU and in total (exits by
 * reason, time in the guest and in exit handling, injected events, EPT
 * violations), from the GET_VM and GET_STATS requests of the "vtxhv"
 * generic-netlink family.
 */
#include <getopt.h>
#include <stdint.h>

#include "nl.h"
#include "nl_format.h"
#include "vtxctl.h"

void usage_stats(FILE *out)
{
	fprintf(out,
		"usage: %s stats [--json] VM\n\n"
		"Print the counters of the VM with id VM (see '%s list'): for each\n"
		"vCPU and in total, the exits by VMX exit reason, the time spent in\n"
		"the guest and in exit handling, the events injected and the EPT\n"
		"violations.  Without CAP_NET_ADMIN or CAP_SYS_ADMIN only the VMs\n"
		"your own user created are visible.\n\n"
		"  --json    one JSON object instead\n\n"
		"exit status: 0 success, 64 usage error, 69 vtxhv not loaded,\n"
		"  77 permission denied, 1 no such VM or any other error.\n",
		progname, progname);
}

static bool parse_vm_id(const char *s, uint32_t *id)
{
	unsigned long long v;

	if (!parse_count(s, &v) || v > UINT32_MAX)
		return false;
	*id = v;
	return true;
}

int cmd_stats(int argc, char **argv)
{
	struct vtxhv_vm_stats stats;
	struct vtxhv_nl_error err;
	struct vtxhv_vm_info vm;
	struct vtxhv_nl *nl;
	char what[32];
	uint32_t id;
	bool json;
	int ret;

	ret = cmd_json_option("stats", argc, argv, 1, &json);
	if (ret)
		return ret;
	if (optind == argc) {
		fprintf(stderr, "%s stats: which VM? (see '%s list')\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (!parse_vm_id(argv[optind], &id))
		return cmd_usage_error("stats", "VM: give a VM id (a positive number), not",
				       argv[optind]);

	snprintf(what, sizeof(what), "VM %u", id);
	nl = vtxhv_nl_open();
	ret = vtxhv_nl_get_vm(nl, id, &vm, &err);
	if (!ret)
		ret = vtxhv_nl_get_stats(nl, id, &stats, &err);
	vtxhv_nl_close(nl);
	if (ret)
		return vtxhv_nl_report(what, &err);
	if (json)
		stats_print_json(stdout, &vm, &stats);
	else
		stats_print(stdout, &vm, &stats);
	vtxhv_vm_stats_free(&stats);
	return 0;
}
