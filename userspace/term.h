/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal on stdin, for the commands that read keys from it: 'run'
 * (the guest's console) and 'top' (q to quit).  One saved state, put back
 * however the command ends.
 */
#ifndef VTXCTL_TERM_H
#define VTXCTL_TERM_H

#include <stdbool.h>

enum term_mode {
	/*
	 * run: bytes go to the guest as they are typed (no line editing, no
	 * echo: the guest echoes), except that Ctrl-C, Ctrl-\ and Ctrl-Z
	 * still signal vtxctl.  Restored by exit() and by a fatal signal too.
	 */
	TERM_RAW,
	/* top: keys without Enter, no echo; reads do not wait. */
	TERM_KEYS,
};

/*
 * stdin is open and, if it is a terminal, ours: vtxctl is not in the
 * background ('vtxctl run ... &'), where reading or changing it would
 * stop vtxctl with SIGTTIN or SIGTTOU.
 */
bool term_stdin_usable(void);

/*
 * Put the terminal on stdin in @mode, if stdin is a terminal we own;
 * false (and nothing changed) otherwise.
 */
bool term_enter(enum term_mode mode);

/* Put the terminal back as term_enter() found it; no-op if it did not. */
void term_restore(void);

#endif /* VTXCTL_TERM_H */
