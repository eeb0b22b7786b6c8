// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl top: a live view of exit rates per VM and per exit reason, in the
 * manner of kvm_stat, from GET_VM and GET_STATS samples of the "vtxhv"
 * generic-netlink family.  On a terminal it redraws the screen and quits
 * on 'q'; stdin goes into non-canonical mode only if it is a terminal, and
 * is put back however top ends (q, Ctrl-C, SIGTERM, an error).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"
#include "nl_format.h"
#include "term.h"
#include "vtxctl.h"

void usage_top(FILE *out)
{
	fprintf(out,
		"usage: %s top [--interval SEC] [--iterations N]\n\n"
		"Every interval, show the exit rate of each VM and of each exit\n"
		"reason of each VM, highest first, with the totals since each VM\n"
		"was created, like kvm_stat.  On a terminal the screen is redrawn;\n"
		"otherwise each refresh follows the last.  Quit with q or Ctrl-C.\n"
		"Without CAP_NET_ADMIN or CAP_SYS_ADMIN only the VMs your own user\n"
		"created are shown.\n\n"
		"  --interval SEC   seconds between refreshes (default 1; 0.1 to 3600)\n"
		"  --iterations N   quit after N refreshes\n\n"
		"exit status: 0 success, 64 usage error, 69 vtxhv not loaded,\n"
		"  77 permission denied, 1 any other error.\n",
		progname);
}

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleep until @deadline, or until 'q' (when @keys), or a signal. */
static void wait_until(double deadline, bool keys)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[64];
	double left;
	ssize_t n, i;

	while (!quit && (left = deadline - now_mono()) > 0) {
		if (poll(&pfd, keys ? 1 : 0, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		for (i = 0; i < n; i++)
			if (buf[i] == 'q' || buf[i] == 'Q')
				quit = 1;
	}
}

/* Every visible VM's exits, summed over its vCPUs. */
static int sample(struct vtxhv_nl *nl, struct top_vm **out, size_t *nout,
		  struct vtxhv_nl_error *err)
{
	struct vtxhv_vm_info *vms;
	struct vtxhv_vm_stats s;
	struct vtxhv_vcpu_stats total;
	struct top_vm *t;
	size_t n, i, k = 0;
	int ret;

	*out = NULL;
	*nout = 0;
	ret = vtxhv_nl_list_vms(nl, &vms, &n, err);
	if (ret)
		return ret;
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t) {
		free(vms);
		err->error = ENOMEM;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = vtxhv_nl_get_stats(nl, vms[i].id, &s, err);
		if (ret == -ENOENT)
			continue;	/* gone since the list */
		if (ret) {
			free(vms);
			free(t);
			return ret;
		}
		stats_total(&s, &total);
		vtxhv_vm_stats_free(&s);
		t[k].id = vms[i].id;
		t[k].pid = vms[i].pid;
		t[k].created_ns = vms[i].created_ns;
		memcpy(t[k].comm, vms[i].comm, sizeof(t[k].comm));
		memcpy(t[k].exits, total.exits, sizeof(t[k].exits));
		k++;
	}
	free(vms);
	*out = t;
	*nout = k;
	return 0;
}

struct top_opts {
	double interval;		/* seconds */
	unsigned long long iterations;	/* 0: until quit */
};

static int top_option(int c, const char *arg, void *ctx)
{
	struct top_opts *o = ctx;
	char *end;

	if (c == 'n') {
		if (!parse_count(arg, &o->iterations))
			return cmd_usage_error("top", "--iterations: give a number of refreshes, 1 or more, not",
					       arg);
		return 0;
	}
	errno = 0;
	o->interval = strtod(arg, &end);
	if (errno || end == arg || *end || !(o->interval >= 0.1) ||
	    o->interval > 3600)
		return cmd_usage_error("top", "--interval: give seconds from 0.1 to 3600, not",
				       arg);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "iterations", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_opts o = { .interval = 1 };
	struct top_vm *prev = NULL, *cur = NULL;
	size_t nprev = 0, ncur = 0;
	struct vtxhv_nl_error err;
	unsigned long long done;
	struct sigaction sa;
	struct top_view view;
	struct vtxhv_nl *nl;
	bool keys, clear;
	double t0, t1;
	int ret;

	ret = cmd_options("top", argc, argv, longopts, 0, top_option, &o);
	if (ret)
		return ret;

	nl = vtxhv_nl_open();
	/* No SA_RESTART: a signal must cut the wait short. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* A reader gone (top | head) ends the loop, not the process. */
	signal(SIGPIPE, SIG_IGN);
	keys = term_enter(TERM_KEYS);
	clear = isatty(STDOUT_FILENO);

	t0 = now_mono();
	ret = sample(nl, &prev, &nprev, &err);
	for (done = 0; !ret && !quit && (!o.iterations || done < o.iterations);
	     done++) {
		wait_until(t0 + o.interval, keys);
		if (quit)
			break;
		ret = sample(nl, &cur, &ncur, &err);
		if (ret)
			break;
		t1 = now_mono();
		if (top_compute(prev, nprev, cur, ncur, t1 - t0, &view)) {
			err = (struct vtxhv_nl_error){ .error = ENOMEM };
			ret = -ENOMEM;
			break;
		}
		if (clear)
			fputs("\033[H\033[2J", stdout);
		else if (done)
			fputc('\n', stdout);
		top_print(stdout, &view, now_real_ns());
		top_view_free(&view);
		if (fflush(stdout) || ferror(stdout))
			quit = 1;
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
		t0 = t1;
	}
	term_restore();
	free(prev);
	free(cur);
	vtxhv_nl_close(nl);
	if (ret)
		return vtxhv_nl_report("top", &err);
	return 0;
}
