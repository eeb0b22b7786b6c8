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
