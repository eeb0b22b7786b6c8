// SPDX-License-Identifier: GPL-2.0
/*
 * pty_run: run a command on a pseudo-terminal, as if typed at one, and
 * report what it did to the terminal: for vtxctl_run.sh, which checks that
 * 'vtxctl run' puts a terminal stdin in raw mode and restores it however
 * the run ends.
 *
 *   pty_run [-k MS] [-q MS] -- COMMAND [ARG...]
 *
 * The command gets the pty as its controlling terminal, stdin, stdout and
 * stderr; its output is copied to our stdout.  -q MS: the terminal modes
 * are read MS milliseconds after the start (default 500); -k MS: the
 * command gets SIGTERM MS milliseconds after the start.  Prints, each on a
 * line, "before: ...", "during: ...", "after: ..." (icanon=, echo=, isig=
 * of the terminal) and "status: N" (the exit status, or 128 + the signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void modes(const char *when, int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t)) {
		printf("%s: unreadable (%s)\n", when, strerror(errno));
		return;
	}
	printf("%s: icanon=%d echo=%d isig=%d\n", when,
	       !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
	       !!(t.c_lflag & ISIG));
}

int main(int argc, char **argv)
{
	long kill_ms = -1, query_ms = 500, t0;
	bool queried = false, killed = false;
	int m, s, opt, status = 0;
	char buf[4096], *name;
	pid_t pid, w = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "k:q:")) != -1) {
		if (opt == 'k')
			kill_ms = atol(optarg);
		else if (opt == 'q')
			query_ms = atol(optarg);
		else
			return 64;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: pty_run [-k MS] [-q MS] -- COMMAND [ARG...]\n");
		return 64;
	}
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		perror("pty_run: posix_openpt");
		return 1;
	}
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0) {
		perror("pty_run: opening the pty");
		return 1;
	}
	modes("before", s);
	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("pty_run: fork");
		return 1;
	}
	if (!pid) {
		int c;

		setsid();
		c = open(name, O_RDWR);
		if (c < 0 || ioctl(c, TIOCSCTTY, 0) < 0)
			_exit(126);
		dup2(c, 0);
		dup2(c, 1);
		dup2(c, 2);
		close(m);
		close(s);
		if (c > 2)
			close(c);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		long t = now_ms() - t0;

		if (!queried && t >= query_ms) {
			modes("during", s);
			queried = true;
		}
		if (!killed && kill_ms >= 0 && t >= kill_ms) {
			kill(pid, SIGTERM);
			killed = true;
		}
		if (poll(&p, 1, 20) > 0) {
			n = read(m, buf, sizeof(buf));
			if (n > 0)
				fwrite(buf, 1, n, stdout);
		}
		if (!w) {
			w = waitpid(pid, &status, WNOHANG);
			if (w < 0)
				break;
		}
		/* Exited: drain what is left, then stop. */
		if (w > 0 && poll(&p, 1, 0) <= 0)
			break;
	}
	if (!queried)
		printf("during: not read (the command ended first)\n");
	modes("after", s);
	printf("status: %d\n", WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
						    WEXITSTATUS(status));
	return 0;
}
