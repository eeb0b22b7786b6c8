// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl events: follow the "events" multicast group of the "vtxhv"
 * generic-netlink family (VMs created and destroyed, triple faults, failed
 * VM entries, internal errors) and print one line per event.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "nl.h"
#include "nl_format.h"
#include "vtxctl.h"

void usage_events(FILE *out)
{
	fprintf(out,
		"usage: %s events [--json] [--count N]\n\n"
		"Print one line per vtxhv event as it happens: the time it was\n"
		"received, its type (vm-created, vm-destroyed, shutdown for a triple\n"
		"fault, fail-entry, internal-error), the VM id, the creator's pid,\n"
		"and where the event has them the vCPU, the exit reason, the guest\n"
		"RIP and a value (the VM-instruction error of a failed entry, the\n"
		"suberror of an internal error), then the creator's command name.\n"
		"Says \"listening\" on stderr once subscribed.  Events name every\n"
		"user's VMs: following them needs CAP_NET_ADMIN.\n\n"
		"  --json      one JSON object per line instead\n"
		"  --count N   exit after N events\n\n"
		"exit status: 0 success (N events seen), 64 usage error, 69 vtxhv\n"
		"  not loaded, 77 permission denied (no CAP_NET_ADMIN), 1 any other\n"
		"  error.\n",
		progname);
}

struct events_opts {
	bool json;
	unsigned long long count;	/* 0: forever */
	unsigned long long seen;
};

static int print_event(const struct vtxhv_event *ev, void *arg)
{
	struct events_opts *o = arg;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (o->json)
		event_print_json(stdout, ev, now);
	else
		event_print(stdout, ev, now);
	return o->count && ++o->seen >= o->count;
}

static int events_option(int c, const char *arg, void *ctx)
{
	struct events_opts *o = ctx;

	if (c == 'j')
		o->json = true;
	else if (!parse_count(arg, &o->count))
		return cmd_usage_error("events", "--count: give a number of events, 1 or more, not",
				       arg);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct events_opts o = { false, 0, 0 };
	struct vtxhv_nl_error err;
	struct vtxhv_nl *nl;
	int ret;

	ret = cmd_options("events", argc, argv, longopts, 0, events_option,
			  &o);
	if (ret)
		return ret;

	/* A line as soon as it happens, also into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	nl = vtxhv_nl_open();
	ret = vtxhv_nl_subscribe(nl, &err);
	if (ret) {
		vtxhv_nl_close(nl);
		return vtxhv_nl_report("events", &err);
	}
	fprintf(stderr, "%s: listening on the '%s' group of '%s'\n", progname,
		VTXHV_GENL_MCGRP_EVENTS, VTXHV_GENL_NAME);
	for (;;) {
		ret = vtxhv_nl_recv_events(nl, print_event, &o);
		if (ret != -ENOBUFS)
			break;
		fprintf(stderr,
			"%s: events lost: the socket's receive buffer overflowed\n",
			progname);
	}
	vtxhv_nl_close(nl);
	if (ret) {
		err = (struct vtxhv_nl_error){ .error = -ret };
		return vtxhv_nl_report("receiving events", &err);
	}
	return 0;
}
