/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices 'vtxctl run' emulates for its guests: a 16550 UART, the debug
 * console, the exit device, fw_cfg and the local-APIC page.  Pure logic
 * behind port-I/O and MMIO dispatch tables, with no ioctls and no locking
 * (the caller serialises vCPUs), so the host unit test drives it directly.
 */
#ifndef VTXCTL_DEVICES_H
#define VTXCTL_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Port numbers and addresses (README.md, "vtxctl run"). */
#define DEV_UART_BASE		0x3f8	/* COM1: eight registers */
#define DEV_DEBUGCON_PORT	0xe9	/* Bochs/QEMU debug console */
#define DEV_EXIT_PORT		0xf4	/* QEMU isa-debug-exit */
#define DEV_FWCFG_SELECTOR	0x510	/* QEMU fw_cfg, I/O interface */
#define DEV_FWCFG_DATA		0x511
#define DEV_POST_PORT		0x80	/* POST codes: ignored */
#define DEV_APIC_BASE		0xfee00000ULL
#define DEV_APIC_SIZE		0x1000ULL

/* The value a read of the debug console returns (Bochs and QEMU). */
#define DEV_DEBUGCON_READBACK	0xe9

/* 16550 registers, as offsets from DEV_UART_BASE. */
#define UART_RBR	0	/* read, DLAB=0: receive buffer */
#define UART_THR	0	/* write, DLAB=0: transmit holding */
#define UART_DLL	0	/* DLAB=1: divisor latch, low */
#define UART_IER	1	/* DLAB=0: interrupt enable */
#define UART_DLM	1	/* DLAB=1: divisor latch, high */
#define UART_IIR	2	/* read: interrupt identification */
#define UART_FCR	2	/* write: FIFO control */
#define UART_LCR	3	/* line control; bit 7 is DLAB */
#define UART_MCR	4	/* modem control; bit 4 is loopback */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

#define UART_LCR_DLAB	0x80
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_IIR_NO_INT	0x01
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

/* fw_cfg keys answered (QEMU: include/standard-headers/linux/qemu_fw_cfg.h) */
#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_RAM_SIZE		0x0003	/* 8 bytes, little endian */
#define FW_CFG_NB_CPUS		0x0005	/* 2 bytes, little endian */

struct dev_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rbr;		/* loopback: the last byte sent */
	bool data_ready;
};

struct dev_fwcfg {
	uint16_t key;
	uint32_t offset;	/* next byte of the selected item */
};

/* Unhandled MMIO is reported once per page, for this many pages. */
#define DEV_MMIO_REPORTED_MAX	32

struct devices {
	/* Set by the caller before the first access. */
	FILE *out;		/* UART and debug-console output */
	FILE *log;		/* unhandled accesses (once); NULL: quiet */
	uint64_t ram_size;	/* for fw_cfg */
	uint16_t ncpus;		/* for fw_cfg */

	struct dev_uart uart;
	struct dev_fwcfg fwcfg;

	/* The exit device was written: the run ends with exit_status. */
	bool exit_requested;
	int exit_status;

	uint64_t unhandled_pio, unhandled_mmio;
	uint8_t pio_reported[65536 / 8];
	uint64_t mmio_reported[DEV_MMIO_REPORTED_MAX];
	unsigned int nmmio_reported;
};

/* Zero the state, then set the fields the caller provides. */
void devices_init(struct devices *d, FILE *out, FILE *log, uint64_t ram_size,
		  uint16_t ncpus);

/*
 * One port access of 1, 2 or 4 bytes.  A write takes *val; a read stores
 * its result (zero-extended to 32 bits) in *val.  Returns true when the
 * access ended the run (a write to the exit device: see exit_status).
 * Unclaimed ports read as all ones and ignore writes.
 */
bool dev_pio(struct devices *d, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val);

/*
 * One MMIO access of 1, 2, 4 or 8 bytes, data in guest byte order (little
 * endian).  Reads fill data[0, len).  Unclaimed addresses read as zero and
 * ignore writes.
 */
void dev_mmio(struct devices *d, uint64_t addr, unsigned int len,
	      bool is_write, uint8_t *data);

/* The exit status for value v written to the exit device. */
int dev_exit_status(uint32_t v);

#endif /* VTXCTL_DEVICES_H */
