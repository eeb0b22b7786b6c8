/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtxctl: the command table and the helpers every subcommand shares.
 */
#ifndef VTXCTL_H
#define VTXCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "vtxhv.h"

#define VTXHV_DEVICE	"/dev/vtxhv"

/* Exit statuses shared by every subcommand (see vtxctl --help). */
#define EXIT_USAGE	64	/* bad command line */
#define EXIT_IMAGE	65	/* run: image or initrd unreadable or not loadable */
#define EXIT_NOMODULE	69	/* module not loaded, device missing */
#define EXIT_SETUP	70	/* run: the VM could not be set up */
#define EXIT_NOPERM	77	/* permission denied */

struct vtxctl_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

extern const char *progname;

int vtxhv_open_device(void);
bool want_help(int argc, char **argv);

struct option;

/*
 * For every subcommand but run.  A usage error: "vtxctl CMD: WHAT 'ARG'"
 * and where to read more; returns EXIT_USAGE.
 */
int cmd_usage_error(const char *cmd, const char *what, const char *arg);
/*
 * The command line of @cmd: each option of @longopts to @opt with its
 * value, which returns 0 or a usage error's status; a value missing, an
 * unknown option or more than @operands operands is a usage error.
 * Returns 0, with optind at the first operand, or EXIT_USAGE.
 */
int cmd_options(const char *cmd, int argc, char **argv,
		const struct option *longopts, int operands,
		int (*opt)(int c, const char *arg, void *ctx), void *ctx);
/* cmd_options() for a command whose only option is --json. */
int cmd_json_option(const char *cmd, int argc, char **argv, int operands,
		    bool *json);
/* A count given on the command line: a decimal number, 1 or more. */
bool parse_count(const char *s, unsigned long long *n);

int cmd_info(int argc, char **argv);
void usage_info(FILE *out);
int cmd_run(int argc, char **argv);
void usage_run(FILE *out);
/* Telemetry over generic netlink (nl.c). */
int cmd_list(int argc, char **argv);
void usage_list(FILE *out);
int cmd_stats(int argc, char **argv);
void usage_stats(FILE *out);
int cmd_top(int argc, char **argv);
void usage_top(FILE *out);
int cmd_events(int argc, char **argv);
void usage_events(FILE *out);

#endif /* VTXCTL_H */
