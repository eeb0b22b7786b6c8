// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl: the userspace side of vtxhv.  This file holds the command table,
 * the top-level usage text and the device helpers the subcommands share.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "vtxctl.h"

const char *progname = "vtxctl";

static const struct vtxctl_cmd commands[] = {
	{ "info", "module and API version, VMX capabilities", cmd_info,
	  usage_info },
	{ "run", "run a guest image (multiboot, ELF, flat binary)", cmd_run,
	  usage_run },
	{ "list", "the VMs: id, pid, command, vCPUs, memory, state", cmd_list,
	  usage_list },
	{ "stats", "one VM's counters: exits by reason, times, per vCPU",
	  cmd_stats, usage_stats },
	{ "top", "live exit rates per VM and per exit reason", cmd_top,
	  usage_top },
	{ "events", "follow VM events: created, destroyed, triple fault, ...",
	  cmd_events, usage_events },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s COMMAND [OPTIONS]\n\ncommands:\n", progname);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n'%s COMMAND --help' describes one command.\n"
		"exit status: 0 success, 64 usage error, 69 vtxhv not loaded,\n"
		"  77 permission denied, 1 any other error; 'run' tells how the\n"
		"  guest ended (see '%s run --help').\n",
		progname, progname);
}

bool want_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int cmd_usage_error(const char *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "%s %s: %s '%s'\n(see '%s %s --help')\n", progname,
		cmd, what, arg, progname, cmd);
	return EXIT_USAGE;
}

int cmd_options(const char *cmd, int argc, char **argv,
		const struct option *longopts, int operands,
		int (*opt)(int c, const char *arg, void *ctx), void *ctx)
{
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == ':' || c == '?')
			return cmd_usage_error(cmd, c == ':' ?
					       "missing value for" :
					       "unknown option",
					       argv[optind - 1]);
		ret = opt(c, optarg, ctx);
		if (ret)
			return ret;
	}
	if (argc - optind > operands)
		return cmd_usage_error(cmd, "unexpected argument",
				       argv[optind + operands]);
	return 0;
}

static int json_option(int c, const char *arg, void *json)
{
	(void)c;
	(void)arg;
	*(bool *)json = true;
	return 0;
}

int cmd_json_option(const char *cmd, int argc, char **argv, int operands,
		    bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};

	*json = false;
	return cmd_options(cmd, argc, argv, longopts, operands, json_option,
			   json);
}

bool parse_count(const char *s, unsigned long long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*n = strtoull(s, &end, 10);
	return !errno && !*end && *n;
}

/*
 * Open /dev/vtxhv and check the API version, or say what to do: the module
 * is not loaded, the device node is missing, or permission is denied.
 */
int vtxhv_open_device(void)
{
	struct stat st;
	int fd, api;

	fd = open(VTXHV_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT || err == ENXIO || err == ENODEV) {
			if (stat("/sys/module/vtxhv", &st))
				fprintf(stderr,
					"%s: the vtxhv module is not loaded: load it with 'insmod kmod/vtxhv.ko' (or 'modprobe vtxhv')\n",
					progname);
			else
				fprintf(stderr,
					"%s: vtxhv is loaded but %s is missing: is devtmpfs or udev running?\n",
					progname, VTXHV_DEVICE);
			exit(EXIT_NOMODULE);
		}
		if (err == EACCES || err == EPERM) {
			fprintf(stderr,
				"%s: permission denied on %s: run as root, or see README.md for giving the device to a group\n",
				progname, VTXHV_DEVICE);
			exit(EXIT_NOPERM);
		}
		fprintf(stderr, "%s: cannot open %s: %s\n", progname,
			VTXHV_DEVICE, strerror(err));
		exit(1);
	}
	api = ioctl(fd, VTXHV_GET_API_VERSION, 0);
	/* A newer module keeps every older version's interface. */
	if (api < VTXHV_API_VERSION) {
		fprintf(stderr,
			"%s: vtxhv API version %d, this vtxctl needs %d or later: update the module\n",
			progname, api, VTXHV_API_VERSION);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (want_help(argc - 1, argv + 1)) {
			commands[i].usage(stdout);
			return 0;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", progname, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
