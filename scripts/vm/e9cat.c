// SPDX-License-Identifier: GPL-2.0
/*
 * e9cat: copy standard input to I/O port 0xE9, Bochs's debug port.
 *
 * The test VM sends test output and the guest kernel log through this port
 * instead of the emulated 16550: Bochs writes every byte out at once, while
 * the UART is paced at 115200 baud in emulated time (about 7 wall-clock
 * seconds for 10 KiB).  Runs as root inside the test VM only.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/io.h>

int main(void)
{
	unsigned char buf[4096];
	ssize_t n, i;

	if (ioperm(0xe9, 1, 1)) {
		perror("e9cat: ioperm");
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			outb(buf[i], 0xe9);
	return n < 0;
}
