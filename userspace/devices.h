/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices 'vtxctl run' emulates for its guests: a 16550 UART with
 * interrupts and a receive FIFO, the debug console, the exit device,
 * fw_cfg, the local-APIC page, and the PC platform devices a real OS needs:
 * the 8259A pair (pic.c), the 8254 and port 0x61 (pit.c), the CMOS RTC
 * (rtc.c), the keyboard controller's reset line, the ACPI PM registers
 * that the FADT (acpi.c) names and PCI configuration mechanism #1 (pci.c).  Pure logic behind
 * port-I/O and MMIO dispatch tables, with no ioctls, no clock reads and no
 * locking (the caller serialises vCPUs and device threads and passes the
 * time in, and asks which accesses need it: dev_pio_clocks()), so the
 * host unit test drives it directly.
 */
#ifndef VTXCTL_DEVICES_H
#define VTXCTL_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "pci.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"

/* Port numbers and addresses (docs/vtxctl.8, GUEST DEVICES). */
#define DEV_UART_BASE		0x3f8	/* COM1: eight registers */
#define DEV_DEBUGCON_PORT	0xe9	/* Bochs/QEMU debug console */
#define DEV_EXIT_PORT		0xf4	/* QEMU isa-debug-exit */
#define DEV_FWCFG_SELECTOR	0x510	/* QEMU fw_cfg, I/O interface */
#define DEV_FWCFG_DATA		0x511
#define DEV_POST_PORT		0x80	/* POST codes: ignored */
#define DEV_KBC_DATA		0x60	/* 8042 keyboard controller: data */
#define DEV_KBC_CMD		0x64	/* ... command (write), status (read) */
#define DEV_KBC_RESET		0xfe	/* command: pulse the CPU reset line */
/*
 * 8042 status: input buffer empty (a reboot's "wait until the controller
 * can take a command" goes on at once), system flag, keyboard not
 * inhibited, and the output buffer always full: Linux's i8042 driver
 * then drains 16 bytes, says "No controller found" and stops, instead of
 * waiting half a second (10000 reads, each an exit) for an answer to its
 * first command.  There is no keyboard behind it.
 */
#define DEV_KBC_STATUS		0x15
/*
 * ACPI fixed hardware (ACPI 6.5, 4.8): the PM1a event block (status, then
 * enable, 16 bits each), the PM1a control block and the PM timer, at
 * QEMU's ICH9 ports, clear of every other device here.  There is no PM1b,
 * PM2 or GPE block.  The SCI is ISA IRQ 9, as on PIIX4 and ICH chipsets.
 */
#define DEV_PM1A_EVT		0x600	/* PM1_STS at +0, PM1_EN at +2 */
#define DEV_PM1A_CNT		0x604
#define DEV_PM_TMR		0x608
#define DEV_SCI_IRQ		9
#define PM1_TMR_STS		0x0001	/* PM1_STS: the timer's bit 23 changed */
#define PM1_EN_MASK		0x4721	/* TMR, GBL, PWRBTN, SLPBTN, RTC, PCIEXP_WAKE_DIS */
#define PM1_SCI_EN		0x0001	/* PM1_CNT: reads 1, ACPI mode always */
#define PM1_BM_RLD		0x0002
#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_TYP		(7U << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN		0x2000	/* write-only: enter SLP_TYP */
#define PM_TMR_HZ		3579545ULL
#define PM_TMR_MASK		0xffffffU	/* 24 bits: no TMR_VAL_EXT */
/* The sleep type that powers off: the DSDT's \_S5 (acpi.c) names it. */
#define PM1_SLP_TYP_S5		5

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
#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* transmit holding register empty */
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02	/* THR empty (priority 3) */
#define UART_IIR_RDI	0x04	/* received data available (priority 2) */
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_MCR_OUT2	0x08	/* on a PC: gates the INT output to the IRQ */
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

/* fw_cfg keys answered (QEMU: include/standard-headers/linux/qemu_fw_cfg.h) */
#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_RAM_SIZE		0x0003	/* 8 bytes, little endian */
#define FW_CFG_NB_CPUS		0x0005	/* 2 bytes, little endian */

/* ISA IRQ lines of the devices. */
#define DEV_PIT_IRQ		0
#define DEV_UART_IRQ		4

/* Bytes the UART holds that the guest has not read (a 16550 has 16). */
#define UART_RX_SIZE		256

struct dev_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rbr;		/* loopback: the last byte sent */
	bool data_ready;	/* loopback: rbr not read yet */
	bool thre_pending;	/* THR-empty interrupt not yet identified */
	uint8_t rx[UART_RX_SIZE];	/* received bytes (ring) */
	unsigned int rx_head, rx_count;
};

struct dev_pm {
	uint16_t en;		/* PM1_EN */
	uint16_t cnt;		/* PM1_CNT: SCI_EN, BM_RLD, SLP_TYP */
	uint64_t tmr_sts_from;	/* the tick TMR_STS was last cleared at */
};

struct dev_fwcfg {
	uint16_t key;
	uint32_t offset;	/* next byte of the selected item */
};

/* The ISA I/O space, where the devices' ports are (struct devices). */
#define DEV_PIO_MAP_PORTS	0x1000

/* Unhandled MMIO is reported once per page, for this many pages. */
#define DEV_MMIO_REPORTED_MAX	32

struct devices {
	/* Set by the caller before the first access. */
	FILE *out;		/* UART and debug-console output */
	FILE *log;		/* unhandled accesses (once); NULL: quiet */
	uint64_t ram_size;	/* for fw_cfg */
	uint16_t ncpus;		/* for fw_cfg */
	/*
	 * With an I/O APIC (vtxhv's in-kernel irqchip): every ISA line the
	 * devices drive also goes there, as GSI (IRQ 0 is GSI 2, as the
	 * MADT says).  NULL: the PIC alone.
	 */
	void (*irq_line)(void *opaque, unsigned int gsi, bool level);
	void *irq_opaque;
	uint16_t irq_levels;	/* the ISA lines as last driven */

	struct dev_uart uart;
	struct dev_fwcfg fwcfg;
	struct dev_pm pm;
	struct pci pci;
	struct pic pic;
	struct pit pit;
	struct rtc rtc;

	/* The clock, set by dev_advance(): the PIT's and the RTC's time. */
	uint64_t now_ns;	/* nanoseconds since the start, never back */
	time_t now;		/* host time (UTC) */
	uint64_t irq0_edges;	/* PIT IRQ 0 rising edges delivered */
	/*
	 * The PIT's next IRQ 0 edge after now_ns, UINT64_MAX if none will
	 * come as it is programmed: kept by dev_advance() and the PIT's
	 * ports, so that neither an access nor the clock's advance has to
	 * work it out when no edge is due.
	 */
	uint64_t irq0_next;

	/* The exit device was written: the run ends with exit_status. */
	bool exit_requested;
	bool reset_requested;	/* ... by the 8042 reset command (status 0) */
	bool poweroff_requested; /* ... by ACPI S5 in PM1a_CNT (status 0) */
	int exit_status;

	uint16_t pio_port;	/* the port of the access being handled */
	/*
	 * Which device each port below DEV_PIO_MAP_PORTS belongs to (1 +
	 * its index in devices.c's port table, 0 for none), and the clocks
	 * (DEV_CLOCK_*) that device reads, filled in by devices_init() from
	 * that table: a port exit finds both in one load each instead of
	 * two walks of the table (dev_pio_clocks(), dev_pio()).  Every
	 * device is below; ports above are looked up in the table itself.
	 */
	uint8_t pio_map[DEV_PIO_MAP_PORTS];
	uint8_t pio_clocks[DEV_PIO_MAP_PORTS];
	uint64_t unhandled_pio, unhandled_mmio;
	uint8_t pio_reported[65536 / 8];
	uint64_t mmio_reported[DEV_MMIO_REPORTED_MAX];
	unsigned int nmmio_reported;
};

/*
 * Zero the state, put the PIC, PIT and RTC in their power-on state (the
 * RTC at host time now), then set the fields the caller provides.
 */
void devices_init(struct devices *d, FILE *out, FILE *log, uint64_t ram_size,
		  uint16_t ncpus, time_t now);

/*
 * Move the devices' clock to now_ns (nanoseconds since the start; earlier
 * values are ignored) and host time now: the PIT's IRQ 0 edges up to then
 * are delivered to the PIC (several edges the CPU did not take in between
 * make one request, as on a real PIC).  Call it before a dev_pio() or
 * dev_mmio() and before looking at the PIC, with the clocks that
 * dev_*_clocks() name brought to now: a clock not named may be passed
 * as it was (d->now_ns, d->now).
 */
void dev_advance(struct devices *d, uint64_t now_ns, time_t now);

/* The clocks a device reads. */
#define DEV_CLOCK_NS	0x1	/* now_ns: the PIT */
#define DEV_CLOCK_WALL	0x2	/* now: the RTC */

/* dev_pio_clocks() below, at a port past d->pio_clocks. */
unsigned int dev_pio_clocks_unmapped(const struct devices *d, uint16_t port);

/*
 * Which clocks to bring to now (DEV_CLOCK_*, for dev_advance()) before
 * looking at the PIC: DEV_CLOCK_NS while a PIT edge is to come, else none
 * (no edge can reach the PIC however late it is).
 */
static inline unsigned int dev_irq_clocks(const struct devices *d)
{
	return d->irq0_next != UINT64_MAX ? DEV_CLOCK_NS : 0;
}

/*
 * ... before dev_pio() at port: the clock its device reads, and the PIC's
 * as above (the PIC's ports show its requests).  A port exit to any other
 * device, with no PIT edge to come, needs no clock at all.  Inline: every
 * port exit asks.
 */
static inline unsigned int dev_pio_clocks(const struct devices *d,
					  uint16_t port)
{
	if (port >= DEV_PIO_MAP_PORTS)
		return dev_pio_clocks_unmapped(d, port);
	return dev_irq_clocks(d) | d->pio_clocks[port];
}

/* ... before dev_mmio() at addr: the clock its device reads (none yet). */
unsigned int dev_mmio_clocks(const struct devices *d, uint64_t addr);

/*
 * A byte received by the UART (from stdin): false if its FIFO is full
 * (try again after the guest read some).  Raises IRQ 4 if enabled.
 */
bool dev_uart_receive(struct devices *d, uint8_t byte);

/* The UART can take a byte now. */
bool dev_uart_can_receive(const struct devices *d);

/*
 * When the devices next need the clock to move on: the next PIT IRQ 0
 * edge after now_ns, or UINT64_MAX (d->irq0_next).
 */
uint64_t dev_next_deadline(const struct devices *d);

/*
 * One port access of 1, 2 or 4 bytes.  A write takes *val; a read stores
 * its result (zero-extended to 32 bits) in *val.  Returns true when the
 * access ended the run (a write to the exit device; the 8042 reset command
 * or an ACPI power-off, which end it with status 0 and set
 * reset_requested or poweroff_requested: see exit_status).
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
