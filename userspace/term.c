// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal on stdin for 'vtxctl run' (the guest's raw console) and
 * 'vtxctl top' (keys without Enter): entering a mode, and putting the
 * terminal back at the end, at exit() or, for run, on a fatal signal.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

static struct termios saved;
static volatile sig_atomic_t entered;	/* saved is what to put back */
static int restore_when;		/* TCSAFLUSH or TCSANOW */

void term_restore(void)
{
	if (entered) {
		tcsetattr(STDIN_FILENO, restore_when, &saved);
		entered = 0;
	}
}

/* SIGINT and the like while run's console is raw: restore, then die. */
static void term_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

bool term_stdin_usable(void)
{
	if (fcntl(STDIN_FILENO, F_GETFL) < 0)
		return false;		/* closed */
	return !isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) == getpgrp();
}

bool term_enter(enum term_mode mode)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static bool registered;
	struct sigaction sa;
	struct termios t;
	unsigned int i;

	if (!isatty(STDIN_FILENO) || !term_stdin_usable() ||
	    tcgetattr(STDIN_FILENO, &saved))
		return false;
	t = saved;
	if (mode == TERM_RAW) {
		t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
			       IGNCR | ICRNL | IXON);
		t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
		t.c_cc[VMIN] = 1;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = term_signal;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
		/* Keys typed ahead for the guest are dropped at the end. */
		restore_when = TCSAFLUSH;
	} else {
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		restore_when = TCSANOW;
	}
	t.c_cc[VTIME] = 0;
	if (!registered) {
		atexit(term_restore);
		registered = true;
	}
	if (tcsetattr(STDIN_FILENO, restore_when, &t))
		return false;
	entered = 1;
	return true;
}
