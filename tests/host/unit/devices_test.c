// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the devices 'vtxctl run' emulates (userspace/devices.c):
 * each test drives the port-I/O and MMIO dispatch directly, as the run loop
 * does after an exit, and checks the values read, the output produced and
 * the run's end.  TAP 13 output; exit 0 if every test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"
#include "devices.h"

#define RAM_SIZE	(64ULL << 20)
#define NCPUS		3

static struct devices d;
static char *out_buf, *log_buf;
static size_t out_len, log_len;
static FILE *out, *logf;

/* Fresh devices; with_log: unhandled accesses are reported. */
static void reset(bool with_log)
{
	if (out)
		fclose(out);
	if (logf)
		fclose(logf);
	free(out_buf);
	free(log_buf);
	out_buf = log_buf = NULL;
	out = open_memstream(&out_buf, &out_len);
	logf = open_memstream(&log_buf, &log_len);
	if (!out || !logf) {
		perror("open_memstream");
		exit(1);
	}
	devices_init(&d, out, with_log ? logf : NULL, RAM_SIZE, NCPUS,
		     0);
}

static const char *output(void)
{
	fflush(out);
	return out_buf;
}

static const char *logged(void)
{
	fflush(logf);
	return log_buf;
}

/* A read; no read ends a run (exit_device_ends_run checks). */
static uint32_t in(uint16_t port, unsigned int size)
{
	uint32_t v = 0xdeadbeef;

	dev_pio(&d, port, size, false, &v);
	return v;
}

static bool out_ok(uint16_t port, unsigned int size, uint32_t v)
{
	return !dev_pio(&d, port, size, true, &v);
}

/* ---- UART --------------------------------------------------------------- */

static bool uart_lsr_transmitter_empty(void)
{
	reset(false);
	CHECK_EQ(in(DEV_UART_BASE + UART_LSR, 1), 0x60);
	CHECK(out_ok(DEV_UART_BASE + UART_THR, 1, 'x'));
	CHECK_EQ(in(DEV_UART_BASE + UART_LSR, 1), 0x60);
	return true;
}

static bool uart_thr_to_output(void)
{
	const char *s = "hello, world\n";

	reset(false);
	for (; *s; s++)
		CHECK(out_ok(DEV_UART_BASE, 1, (uint8_t)*s));
	CHECK(!strcmp(output(), "hello, world\n"));
	/* Only the low byte of a wider write goes to THR. */
	CHECK(out_ok(DEV_UART_BASE, 1, 0x4100 | 'B'));
	CHECK(!strcmp(output(), "hello, world\nB"));
	return true;
}

static bool uart_registers_read_back(void)
{
	reset(false);
	CHECK(out_ok(DEV_UART_BASE + UART_IER, 1, 0xff));
	CHECK_EQ(in(DEV_UART_BASE + UART_IER, 1), 0x0f);	/* 4 bits */
	CHECK(out_ok(DEV_UART_BASE + UART_LCR, 1, 0x03));
	CHECK_EQ(in(DEV_UART_BASE + UART_LCR, 1), 0x03);
	CHECK(out_ok(DEV_UART_BASE + UART_MCR, 1, 0xff));
	CHECK_EQ(in(DEV_UART_BASE + UART_MCR, 1), 0x1f);	/* 5 bits */
	CHECK(out_ok(DEV_UART_BASE + UART_MCR, 1, 0x0b));
	CHECK(out_ok(DEV_UART_BASE + UART_SCR, 1, 0x5a));
	CHECK_EQ(in(DEV_UART_BASE + UART_SCR, 1), 0x5a);
	CHECK(out_ok(DEV_UART_BASE + UART_SCR, 1, 0xa5));
	CHECK_EQ(in(DEV_UART_BASE + UART_SCR, 1), 0xa5);
	/* IER THRI set with THR empty: one THRE interrupt, which the IIR
	 * read clears; then none; FIFO bits once FCR enables the FIFOs. */
	CHECK_EQ(in(DEV_UART_BASE + UART_IIR, 1), 0x02);
	CHECK_EQ(in(DEV_UART_BASE + UART_IIR, 1), 0x01);
	CHECK(out_ok(DEV_UART_BASE + UART_FCR, 1, 0x07));
	CHECK_EQ(in(DEV_UART_BASE + UART_IIR, 1), 0xc1);
	/* Nothing is ever received. */
	CHECK_EQ(in(DEV_UART_BASE + UART_RBR, 1), 0);
	CHECK_EQ(in(DEV_UART_BASE + UART_MSR, 1), 0xb0);	/* DCD DSR CTS */
	CHECK(!output()[0]);
	return true;
}

static bool uart_dlab_divisor(void)
{
	reset(false);
	CHECK(out_ok(DEV_UART_BASE + UART_IER, 1, 0x05));
	/* Baud rate as a driver sets it: DLAB, divisor 0x0c01, 8N1. */
	CHECK(out_ok(DEV_UART_BASE + UART_LCR, 1, 0x83));
	CHECK(out_ok(DEV_UART_BASE + UART_DLL, 1, 0x01));
	CHECK(out_ok(DEV_UART_BASE + UART_DLM, 1, 0x0c));
	CHECK_EQ(in(DEV_UART_BASE + UART_DLL, 1), 0x01);
	CHECK_EQ(in(DEV_UART_BASE + UART_DLM, 1), 0x0c);
	CHECK_EQ(in(DEV_UART_BASE + UART_LCR, 1), 0x83);
	CHECK(out_ok(DEV_UART_BASE + UART_LCR, 1, 0x03));
	/* DLAB off: the divisor bytes were not data, IER is untouched. */
	CHECK_EQ(in(DEV_UART_BASE + UART_IER, 1), 0x05);
	CHECK(!output()[0]);
	/* A 16-bit access covers DLL and DLM together. */
	CHECK(out_ok(DEV_UART_BASE + UART_LCR, 1, 0x80));
	CHECK(out_ok(DEV_UART_BASE + UART_DLL, 2, 0x0030));
	CHECK_EQ(in(DEV_UART_BASE + UART_DLL, 2), 0x0030);
	CHECK(out_ok(DEV_UART_BASE + UART_LCR, 1, 0x03));
	CHECK(out_ok(DEV_UART_BASE, 1, 'k'));
	CHECK(!strcmp(output(), "k"));
	return true;
}

static bool uart_loopback(void)
{
	reset(false);
	/* Linux's 8250 probe: loopback with OUT2 and RTS gives DCD and CTS. */
	CHECK(out_ok(DEV_UART_BASE + UART_MCR, 1, 0x1a));
	CHECK_EQ(in(DEV_UART_BASE + UART_MSR, 1) & 0xf0, 0x90);
	CHECK(out_ok(DEV_UART_BASE + UART_THR, 1, 0x55));
	CHECK_EQ(in(DEV_UART_BASE + UART_LSR, 1), 0x61);	/* data ready */
	CHECK_EQ(in(DEV_UART_BASE + UART_RBR, 1), 0x55);
	CHECK_EQ(in(DEV_UART_BASE + UART_LSR, 1), 0x60);
	CHECK(!output()[0]);		/* looped back, not sent */
	return true;
}

static bool uart_wide_access_past_end(void)
{
	reset(false);
	CHECK(out_ok(DEV_UART_BASE + UART_SCR, 1, 0x42));
	/* 0x3ff is the scratch register; 0x400-0x402 belong to nothing. */
	CHECK_EQ(in(DEV_UART_BASE + UART_SCR, 4), 0xffffff42);
	CHECK_EQ(in(DEV_UART_BASE + UART_LSR, 2), 0xb060);	/* LSR, MSR */
	return true;
}

/* ---- Debug console, exit device, port 0x80 ----------------------------- */

static bool debugcon(void)
{
	reset(false);
	CHECK(out_ok(DEV_DEBUGCON_PORT, 1, 'o'));
	CHECK(out_ok(DEV_DEBUGCON_PORT, 2, 0x3300 | 'k'));
	CHECK(out_ok(DEV_DEBUGCON_PORT, 4, '\n'));
	CHECK(!strcmp(output(), "ok\n"));
	CHECK_EQ(in(DEV_DEBUGCON_PORT, 1), DEV_DEBUGCON_READBACK);
	return true;
}

static bool exit_status_values(void)
{
	CHECK_EQ(dev_exit_status(0), 1);
	CHECK_EQ(dev_exit_status(1), 3);
	CHECK_EQ(dev_exit_status(0x10), 0x21);
	CHECK_EQ(dev_exit_status(0x21), 0x43);
	CHECK_EQ(dev_exit_status(0x7f), 0xff);
	/* Only the low byte counts; a process status keeps 8 bits. */
	CHECK_EQ(dev_exit_status(0x1234), 0x69);
	CHECK_EQ(dev_exit_status(0x80), 1);
	CHECK_EQ(dev_exit_status(0xff), 0xff);
	return true;
}

static bool exit_device_ends_run(void)
{
	unsigned int size;
	uint32_t v;

	for (size = 1; size <= 4; size *= 2) {
		reset(false);
		CHECK(!d.exit_requested);
		v = 0xab00 | size;
		CHECK(dev_pio(&d, DEV_EXIT_PORT, size, true, &v));
		CHECK(d.exit_requested);
		CHECK_EQ(d.exit_status, ((size << 1) | 1));
	}
	/* Reading it ends nothing and reads all ones. */
	reset(false);
	v = 0;
	CHECK(!dev_pio(&d, DEV_EXIT_PORT, 1, false, &v));
	CHECK_EQ(v, 0xff);
	CHECK(!d.exit_requested);
	return true;
}

static bool post_port_ignored(void)
{
	reset(true);
	CHECK(out_ok(DEV_POST_PORT, 1, 0x12));
	CHECK_EQ(in(DEV_POST_PORT, 1), 0xff);
	CHECK_EQ(d.unhandled_pio, 0);
	CHECK(!logged()[0]);
	return true;
}

/* ---- fw_cfg ------------------------------------------------------------- */

static bool fwcfg_select(uint16_t key)
{
	return out_ok(DEV_FWCFG_SELECTOR, 2, key);
}

static uint64_t fwcfg_read(unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)in(DEV_FWCFG_DATA, 1) << (8 * i);
	return v;
}

static bool fwcfg_signature(void)
{
	char sig[5] = { 0 };
	int i;

	reset(false);
	CHECK(fwcfg_select(FW_CFG_SIGNATURE));
	for (i = 0; i < 4; i++)
		sig[i] = in(DEV_FWCFG_DATA, 1);
	CHECK(!strcmp(sig, "QEMU"));
	/* Selecting again rewinds. */
	CHECK(fwcfg_select(FW_CFG_SIGNATURE));
	CHECK_EQ(in(DEV_FWCFG_DATA, 1), 'Q');
	/* As in QEMU, a byte read of the selector port reads data too. */
	CHECK_EQ(in(DEV_FWCFG_SELECTOR, 1), 'E');
	return true;
}

static bool fwcfg_cpus_and_ram(void)
{
	reset(false);
	CHECK(fwcfg_select(FW_CFG_NB_CPUS));
	CHECK_EQ(fwcfg_read(2), NCPUS);
	CHECK(fwcfg_select(FW_CFG_RAM_SIZE));
	CHECK_EQ(fwcfg_read(8), RAM_SIZE);
	devices_init(&d, out, NULL, 0x123456789abcdef0ULL, 0x1234,
		     0);
	CHECK(fwcfg_select(FW_CFG_RAM_SIZE));
	CHECK_EQ(fwcfg_read(8), 0x123456789abcdef0ULL);
	CHECK(fwcfg_select(FW_CFG_NB_CPUS));
	CHECK_EQ(fwcfg_read(2), 0x1234);
	return true;
}

static bool fwcfg_unknown_key_and_overread(void)
{
	reset(false);
	CHECK(fwcfg_select(0x0019));		/* file directory: not here */
	CHECK_EQ(fwcfg_read(8), 0);
	CHECK(fwcfg_select(0x4000));
	CHECK_EQ(fwcfg_read(4), 0);
	/* Past the end of an item: zeros. */
	CHECK(fwcfg_select(FW_CFG_SIGNATURE));
	CHECK_EQ(fwcfg_read(4), 0x554d4551);	/* "QEMU" */
	CHECK_EQ(fwcfg_read(8), 0);
	CHECK(fwcfg_select(FW_CFG_NB_CPUS));
	CHECK_EQ(fwcfg_read(2), NCPUS);
	CHECK_EQ(fwcfg_read(4), 0);
	CHECK_EQ(d.unhandled_pio, 0);
	return true;
}

static bool fwcfg_odd_accesses(void)
{
	reset(false);
	/* A byte write to the selector does not select (QEMU: data write). */
	CHECK(fwcfg_select(FW_CFG_SIGNATURE));
	CHECK(out_ok(DEV_FWCFG_SELECTOR, 1, FW_CFG_NB_CPUS));
	CHECK_EQ(in(DEV_FWCFG_DATA, 1), 'Q');
	/* Wider reads of the data port are not part of the interface. */
	CHECK_EQ(in(DEV_FWCFG_DATA, 2), 0xffff);
	CHECK_EQ(in(DEV_FWCFG_DATA, 4), 0xffffffff);
	CHECK_EQ(in(DEV_FWCFG_DATA, 1), 'E');
	/* 32-bit selector writes are ignored too. */
	CHECK(out_ok(DEV_FWCFG_SELECTOR, 4, FW_CFG_NB_CPUS));
	CHECK_EQ(in(DEV_FWCFG_DATA, 1), 'M');
	return true;
}

/* ---- MMIO --------------------------------------------------------------- */

static bool apic_page_reads_zero(void)
{
	uint8_t data[8];
	unsigned int len;

	reset(true);
	for (len = 1; len <= 8; len *= 2) {
		memset(data, 0xcc, sizeof(data));
		dev_mmio(&d, DEV_APIC_BASE + 0x20, len, false, data);
		CHECK_EQ(data[0], 0);
		CHECK_EQ(data[len - 1], 0);
		if (len < 8)
			CHECK_EQ(data[len], 0xcc);	/* only len bytes */
	}
	memset(data, 0xff, sizeof(data));
	dev_mmio(&d, DEV_APIC_BASE + 0xf0, 4, true, data);
	memset(data, 0xcc, sizeof(data));
	dev_mmio(&d, DEV_APIC_BASE + 0xf0, 4, false, data);
	CHECK_EQ(data[0] | data[1] | data[2] | data[3], 0);
	dev_mmio(&d, DEV_APIC_BASE + 0xff8, 8, false, data);
	CHECK_EQ(data[7], 0);
	CHECK_EQ(d.unhandled_mmio, 0);
	CHECK(!logged()[0]);
	return true;
}

static bool unhandled_mmio_reads_zero(void)
{
	uint8_t data[8];

	reset(true);
	memset(data, 0xcc, sizeof(data));
	dev_mmio(&d, 0xd0000000, 4, false, data);
	CHECK_EQ(data[0] | data[1] | data[2] | data[3], 0);
	dev_mmio(&d, 0xd0000ffc, 4, true, data);
	dev_mmio(&d, DEV_APIC_BASE + DEV_APIC_SIZE, 1, false, data);
	dev_mmio(&d, DEV_APIC_BASE - 1, 1, false, data);
	CHECK_EQ(d.unhandled_mmio, 4);
	/* Reported once per page: three pages. */
	CHECK(strstr(logged(), "read of 4 bytes at 0xd0000000"));
	CHECK(!strstr(logged(), "0xd0000ffc"));
	CHECK(strstr(logged(), "at 0xfee01000"));
	CHECK(strstr(logged(), "at 0xfedfffff"));
	return true;
}

/* ---- Unclaimed ports ---------------------------------------------------- */

static bool unhandled_ports_read_all_ones(void)
{
	reset(false);
	CHECK_EQ(in(0x3e8, 1), 0xff);
	CHECK_EQ(in(0x1234, 2), 0xffff);
	CHECK_EQ(in(0xcf0, 4), 0xffffffff);
	CHECK_EQ(in(DEV_UART_BASE - 1, 1), 0xff);	/* 0x3f7 */
	CHECK_EQ(in(DEV_FWCFG_DATA + 1, 1), 0xff);	/* 0x512 */
	CHECK(out_ok(0x65, 1, 0xfe));
	CHECK(out_ok(0xffff, 4, 0));
	CHECK_EQ(d.unhandled_pio, 7);
	CHECK(!output()[0]);
	CHECK(!logged()[0]);		/* quiet without a log */
	return true;
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static bool unhandled_ports_reported_once(void)
{
	const char *l;

	reset(true);
	in(0x3e8, 1);
	in(0x3e8, 1);
	CHECK(out_ok(0x3e8, 1, 0));
	in(0x2fc, 2);
	CHECK_EQ(d.unhandled_pio, 4);
	l = logged();
	CHECK(strstr(l, "read of 1 byte at port 0x3e8"));
	CHECK(strstr(l, "read of 2 bytes at port 0x2fc"));
	CHECK_EQ(count(l, "port 0x3e8"), 1);
	CHECK_EQ(count(l, "port 0x2fc"), 1);
	CHECK_EQ(count(l, "\n"), 2);
	return true;
}


/* ---- UART interrupts and input, PIC/PIT wiring, 8042 ------------------ */

#define U(reg)	(DEV_UART_BASE + (reg))

/* Master PIC: ICW1-4 with vectors 0x30-0x37, all unmasked; slave 0x38. */
static void pic_setup(void)
{
	out_ok(PIC_MASTER_CMD, 1, 0x11);
	out_ok(PIC_MASTER_DATA, 1, 0x30);
	out_ok(PIC_MASTER_DATA, 1, 0x04);
	out_ok(PIC_MASTER_DATA, 1, 0x01);
	out_ok(PIC_SLAVE_CMD, 1, 0x11);
	out_ok(PIC_SLAVE_DATA, 1, 0x38);
	out_ok(PIC_SLAVE_DATA, 1, 0x02);
	out_ok(PIC_SLAVE_DATA, 1, 0x01);
	out_ok(PIC_MASTER_DATA, 1, 0x00);
	out_ok(PIC_SLAVE_DATA, 1, 0x00);
}

static bool uart_rx_fifo_and_irq4(void)
{
	reset(false);
	pic_setup();
	CHECK(dev_uart_receive(&d, 'a'));
	CHECK(dev_uart_receive(&d, 'b'));
	/* Not enabled: data ready, but no interrupt. */
	CHECK_EQ(in(U(UART_LSR), 1) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_NO_INT);
	CHECK_EQ(pic_pending_vector(&d.pic), -1);
	/* IER RDI, but OUT2 low: the IRQ line stays low. */
	CHECK(out_ok(U(UART_IER), 1, UART_IER_RDI));
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_RDI);
	CHECK_EQ(pic_pending_vector(&d.pic), -1);
	CHECK(out_ok(U(UART_MCR), 1, UART_MCR_OUT2));
	CHECK_EQ(pic_pending_vector(&d.pic), 0x34);
	CHECK_EQ(pic_ack(&d.pic), 0x34);
	CHECK_EQ(in(U(UART_RBR), 1), 'a');
	CHECK_EQ(in(U(UART_RBR), 1), 'b');
	CHECK_EQ(in(U(UART_LSR), 1) & UART_LSR_DR, 0);
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_NO_INT);
	/* FIFO full: refused; FCR clear empties it. */
	while (dev_uart_receive(&d, 'x'))
		;
	CHECK(!dev_uart_can_receive(&d));
	CHECK(out_ok(U(UART_FCR), 1, 0x03));
	CHECK(dev_uart_can_receive(&d));
	CHECK_EQ(in(U(UART_LSR), 1) & UART_LSR_DR, 0);
	return true;
}

static bool uart_thre_interrupt(void)
{
	reset(false);
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_NO_INT);
	/* Enabling THRI with THR empty: pending at once, IIR read clears. */
	CHECK(out_ok(U(UART_IER), 1, UART_IER_THRI));
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_THRI);
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_NO_INT);
	/* Each byte sent: empty again. */
	CHECK(out_ok(U(UART_THR), 1, 'z'));
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_THRI);
	/* Received data has priority over THR empty. */
	CHECK(out_ok(U(UART_IER), 1, UART_IER_THRI | UART_IER_RDI));
	CHECK(out_ok(U(UART_THR), 1, 'z'));
	CHECK(dev_uart_receive(&d, 'q'));
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_RDI);
	CHECK_EQ(in(U(UART_RBR), 1), 'q');
	CHECK_EQ(in(U(UART_IIR), 1), UART_IIR_THRI);
	CHECK_EQ(strcmp(output(), "zz"), 0);
	return true;
}

static bool pit_irq0_through_pic(void)
{
	reset(false);
	pic_setup();
	/* Counter 0, mode 2, count 1193 (about 1 ms). */
	CHECK(out_ok(PIT_PORT_CMD, 1, 0x34));
	CHECK(out_ok(PIT_PORT_CH0, 1, 1193 & 0xff));
	CHECK(out_ok(PIT_PORT_CH0, 1, 1193 >> 8));
	CHECK(dev_next_deadline(&d) > 900000 &&
	      dev_next_deadline(&d) < 1100000);
	dev_advance(&d, 500000, 0);
	CHECK_EQ(pic_pending_vector(&d.pic), -1);
	dev_advance(&d, 10500000, 0);
	CHECK_EQ(d.irq0_edges, 10);
	CHECK_EQ(pic_ack(&d.pic), 0x30);
	CHECK_EQ(pic_pending_vector(&d.pic), -1);	/* in service */
	CHECK(out_ok(PIC_MASTER_CMD, 1, 0x20));		/* EOI */
	dev_advance(&d, 10600000, 0);			/* no edge yet */
	CHECK_EQ(pic_pending_vector(&d.pic), -1);
	dev_advance(&d, 11100000, 0);
	CHECK_EQ(pic_pending_vector(&d.pic), 0x30);
	CHECK_EQ(d.irq0_edges, 11);
	/* Time never goes back. */
	dev_advance(&d, 5, 0);
	CHECK_EQ(d.now_ns, 11100000);
	return true;
}

/*
 * What the run loop reads the clocks for: only the devices that read them
 * (the PIT's ports, the RTC's), and every port access and the PIC while a
 * PIT edge is to come; nothing else.
 */
static bool clocks_only_where_read(void)
{
	reset(false);
	pic_setup();
	CHECK_EQ(dev_irq_clocks(&d), 0);
	CHECK_EQ(dev_pio_clocks(&d, DEV_UART_BASE + UART_SCR), 0);
	CHECK_EQ(dev_pio_clocks(&d, PIC_MASTER_CMD), 0);
	CHECK_EQ(dev_pio_clocks(&d, 0x1234), 0);	/* unclaimed */
	CHECK_EQ(dev_pio_clocks(&d, PIT_PORT_CMD), DEV_CLOCK_NS);
	CHECK_EQ(dev_pio_clocks(&d, PIT_PORT_SYS_B), DEV_CLOCK_NS);
	CHECK_EQ(dev_pio_clocks(&d, RTC_PORT_DATA), DEV_CLOCK_WALL);
	CHECK_EQ(dev_mmio_clocks(&d, DEV_APIC_BASE), 0);
	/* Counter 0, mode 0 (one shot), count 1193: one edge at ~1 ms. */
	CHECK(out_ok(PIT_PORT_CMD, 1, 0x30));
	CHECK(out_ok(PIT_PORT_CH0, 1, 1193 & 0xff));
	CHECK(out_ok(PIT_PORT_CH0, 1, 1193 >> 8));
	CHECK_EQ(dev_irq_clocks(&d), DEV_CLOCK_NS);
	CHECK_EQ(dev_pio_clocks(&d, DEV_UART_BASE + UART_SCR), DEV_CLOCK_NS);
	CHECK_EQ(dev_pio_clocks(&d, RTC_PORT_DATA),
		 DEV_CLOCK_NS | DEV_CLOCK_WALL);
	CHECK_EQ(dev_mmio_clocks(&d, DEV_APIC_BASE), 0);
	dev_advance(&d, dev_next_deadline(&d) - 1, 0);
	CHECK_EQ(d.irq0_edges, 0);
	dev_advance(&d, dev_next_deadline(&d), 0);	/* the edge, to the ns */
	CHECK_EQ(d.irq0_edges, 1);
	CHECK_EQ(pic_pending_vector(&d.pic), 0x30);
	CHECK_EQ(dev_irq_clocks(&d), 0);
	CHECK_EQ(dev_pio_clocks(&d, DEV_UART_BASE + UART_SCR), 0);
	return true;
}

/*
 * dev_next_deadline() is kept rather than worked out: it must always be
 * the PIT's own answer, through programming, counts changed while
 * counting, edges passing, a stop, and time standing still.
 */
static bool deadline_kept_exactly(void)
{
	static const struct {
		uint16_t port;
		uint8_t val;		/* written, or 0 with at: advance */
		uint64_t at;
	} steps[] = {
		{ PIT_PORT_CMD, 0x34, 0 },		/* mode 2 */
		{ PIT_PORT_CH0, 0xa9, 0 }, { PIT_PORT_CH0, 0x04, 0 },
		{ 0, 0, 500000 }, { 0, 0, 10500000 }, { 0, 0, 10500001 },
		{ PIT_PORT_CH0, 0x00, 0 }, { PIT_PORT_CH0, 0x10, 0 },
		{ 0, 0, 12000000 }, { 0, 0, 30000000 },
		{ PIT_PORT_CMD, 0x30, 0 },		/* mode 0: stops */
		{ 0, 0, 40000000 },
		{ PIT_PORT_CH0, 0x00, 0 }, { PIT_PORT_CH0, 0x01, 0 },
		{ 0, 0, 40100000 }, { 0, 0, 41000000 }, { 0, 0, 90000000 },
		{ PIT_PORT_CMD, 0x36, 0 },		/* mode 3 */
		{ PIT_PORT_CH0, 0x10, 0 }, { PIT_PORT_CH0, 0x00, 0 },
		{ 0, 0, 90000000 }, { 0, 0, 95555555 },
		{ PIT_PORT_CMD, 0x00, 0 },		/* latch: no change */
		{ 0, 0, 99999999 },
	};
	uint64_t edges = 0, now = 0;
	unsigned int i;

	reset(false);
	pic_setup();
	CHECK_EQ(dev_next_deadline(&d), UINT64_MAX);
	for (i = 0; i < NTESTS(steps); i++) {
		if (steps[i].port) {
			CHECK(out_ok(steps[i].port, 1, steps[i].val));
		} else {
			edges += pit_irq0_edges(&d.pit, now, steps[i].at);
			dev_advance(&d, steps[i].at, 0);
			now = steps[i].at;
			CHECK_EQ(d.irq0_edges, edges);
		}
		CHECK_EQ(dev_next_deadline(&d),
			 pit_next_irq0_ns(&d.pit, d.now_ns));
	}
	CHECK(edges > 10);
	return true;
}

static bool platform_ports_claimed(void)
{
	reset(true);
	/* Port 0x61 (timer 2 gate, speaker), the RTC, the ELCR. */
	CHECK(out_ok(PIT_PORT_SYS_B, 1, 0x01));
	CHECK_EQ(in(PIT_PORT_SYS_B, 1) & 0x0f, 0x01);
	CHECK(out_ok(RTC_PORT_INDEX, 1, RTC_REG_D));
	CHECK_EQ(in(RTC_PORT_DATA, 1), RTC_D_VRT);
	in(PIC_ELCR1, 1);
	CHECK(out_ok(DEV_KBC_CMD, 1, 0xad));	/* not reset: ignored */
	CHECK_EQ(in(DEV_KBC_CMD, 1), DEV_KBC_STATUS);
	CHECK_EQ(in(DEV_KBC_DATA, 1), 0);
	CHECK_EQ(d.unhandled_pio, 0);
	CHECK(!d.exit_requested);
	return true;
}

static bool kbc_reset_ends_run(void)
{
	uint32_t v = DEV_KBC_RESET;

	reset(false);
	CHECK(dev_pio(&d, DEV_KBC_CMD, 1, true, &v));
	CHECK(d.exit_requested && d.reset_requested);
	CHECK_EQ(d.exit_status, 0);
	return true;
}

/* ---- ACPI PM registers and PCI configuration ---------------------------- */

#define SLP(typ)	((typ) << PM1_SLP_TYP_SHIFT)
#define NS_PER_S	1000000000ULL

/* Always in ACPI mode: SCI_EN reads 1 and stays 1. */
static bool pm_sci_en_reads_one(void)
{
	reset(false);
	CHECK_EQ(in(DEV_PM1A_CNT, 2), PM1_SCI_EN);
	CHECK(out_ok(DEV_PM1A_CNT, 2, 0));
	CHECK_EQ(in(DEV_PM1A_CNT, 2), PM1_SCI_EN);
	CHECK_EQ(in(DEV_PM1A_CNT, 1), PM1_SCI_EN);
	return true;
}

/*
 * Linux's acpi_hw_legacy_sleep(): SLP_TYP first, then SLP_TYP with
 * SLP_EN.  Only the second write, with \_S5's type, powers off.
 */
static bool pm_s5_powers_off(void)
{
	reset(false);
	CHECK(out_ok(DEV_PM1A_CNT, 2, SLP(PM1_SLP_TYP_S5) | PM1_SCI_EN));
	CHECK(!d.exit_requested);
	CHECK_EQ(in(DEV_PM1A_CNT, 2), SLP(PM1_SLP_TYP_S5) | PM1_SCI_EN);
	CHECK(!out_ok(DEV_PM1A_CNT, 2,
		      SLP(PM1_SLP_TYP_S5) | PM1_SLP_EN | PM1_SCI_EN));
	CHECK(d.exit_requested && d.poweroff_requested);
	CHECK(!d.reset_requested);
	CHECK_EQ(d.exit_status, 0);
	return true;
}

/* Other sleep types are not supported: SLP_EN does nothing with them. */
static bool pm_other_sleep_types_ignored(void)
{
	unsigned int typ;

	reset(false);
	for (typ = 0; typ < 8; typ++) {
		if (typ == PM1_SLP_TYP_S5)
			continue;
		CHECK(out_ok(DEV_PM1A_CNT, 2, SLP(typ) | PM1_SLP_EN));
		CHECK(!d.exit_requested && !d.poweroff_requested);
		/* SLP_EN is write-only */
		CHECK_EQ(in(DEV_PM1A_CNT, 2), SLP(typ) | PM1_SCI_EN);
	}
	/* S5's type in the event block is no power-off either */
	CHECK(out_ok(DEV_PM1A_EVT, 4, SLP(PM1_SLP_TYP_S5) | PM1_SLP_EN));
	CHECK(out_ok(DEV_PM1A_EVT + 2, 2, SLP(PM1_SLP_TYP_S5) | PM1_SLP_EN));
	CHECK(!d.exit_requested);
	return true;
}

/* Byte accesses reach the right half of a register. */
static bool pm_byte_write_powers_off(void)
{
	uint16_t v = SLP(PM1_SLP_TYP_S5) | PM1_SLP_EN;

	reset(false);
	CHECK(out_ok(DEV_PM1A_CNT, 1, v & 0xff));
	CHECK(!d.exit_requested);
	CHECK(!out_ok(DEV_PM1A_CNT + 1, 1, v >> 8));
	CHECK(d.poweroff_requested);
	/* a dword at PM1a_EVT covers status and enable, not control */
	reset(false);
	CHECK(out_ok(DEV_PM1A_EVT, 4, (uint32_t)v << 16));
	CHECK(!d.exit_requested);
	CHECK_EQ(in(DEV_PM1A_EVT + 2, 2), v & PM1_EN_MASK);
	return true;
}

/*
 * The PM timer counts at 3.579545 MHz from the start, in 24 bits; the
 * status bit for its bit 23 is latched, and cleared by writing 1.
 */
static bool pm_timer_and_status(void)
{
	reset(false);
	CHECK_EQ(in(DEV_PM_TMR, 4), 0);
	CHECK_EQ(in(DEV_PM1A_EVT, 2), 0);
	dev_advance(&d, NS_PER_S, 0);
	CHECK_EQ(in(DEV_PM_TMR, 4), 3579545);
	CHECK_EQ(in(DEV_PM_TMR + 1, 2), (3579545 >> 8) & 0xffff);
	CHECK_EQ(in(DEV_PM1A_EVT, 2), 0);
	/* 2^23 ticks: 2.343 s */
	dev_advance(&d, 2344 * NS_PER_S / 1000, 0);
	CHECK_EQ(in(DEV_PM1A_EVT, 2), PM1_TMR_STS);
	CHECK(out_ok(DEV_PM1A_EVT, 2, 0));		/* 0 keeps it */
	CHECK_EQ(in(DEV_PM1A_EVT, 2), PM1_TMR_STS);
	CHECK(out_ok(DEV_PM1A_EVT, 2, 0xffff));		/* 1 clears it */
	CHECK_EQ(in(DEV_PM1A_EVT, 2), 0);
	/* 24 bits: 5 s is 17897725 ticks */
	dev_advance(&d, 5 * NS_PER_S, 0);
	CHECK_EQ(in(DEV_PM_TMR, 4), 17897725 & PM_TMR_MASK);
	CHECK_EQ(in(DEV_PM1A_EVT, 2), PM1_TMR_STS);
	CHECK(out_ok(DEV_PM_TMR, 4, 0));		/* read-only */
	CHECK_EQ(in(DEV_PM_TMR, 4), 17897725 & PM_TMR_MASK);
	/* the enable register keeps the bits that exist */
	CHECK(out_ok(DEV_PM1A_EVT + 2, 2, 0xffff));
	CHECK_EQ(in(DEV_PM1A_EVT + 2, 2), PM1_EN_MASK);
	CHECK_EQ(in(DEV_PM1A_EVT, 4) >> 16, PM1_EN_MASK);
	/* between and past the blocks: all ones */
	CHECK_EQ(in(DEV_PM1A_CNT + 2, 2), 0xffff);
	CHECK_EQ(in(DEV_PM1A_CNT, 4) >> 16, 0xffff);
	CHECK_EQ(dev_pio_clocks(&d, DEV_PM_TMR) & DEV_CLOCK_NS, DEV_CLOCK_NS);
	CHECK_EQ(dev_pio_clocks(&d, DEV_PM1A_EVT) & DEV_CLOCK_NS,
		 DEV_CLOCK_NS);
	CHECK_EQ(d.unhandled_pio, 1);		/* 0x606 is no device's */
	return true;
}

/* pci.c behind the port table: Linux's pci_check_type1() passes. */
static bool pci_conf1_claimed(void)
{
	reset(false);
	CHECK(out_ok(0xcfb, 1, 0x01));
	CHECK(out_ok(PCI_CONF_ADDR, 4, 0x80000000));
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0x80000000);
	CHECK_EQ(in(PCI_CONF_DATA, 4), 0x12378086);
	CHECK_EQ(in(PCI_CONF_DATA + 2, 2), 0x1237);
	CHECK(out_ok(PCI_CONF_ADDR, 4, 0x80000800));	/* 00:01.0 */
	CHECK_EQ(in(PCI_CONF_DATA, 4), 0xffffffff);
	CHECK_EQ(d.unhandled_pio, 0);
	return true;
}

static const struct test_case tests[] = {
	{ "uart_lsr_transmitter_empty", uart_lsr_transmitter_empty },
	{ "uart_thr_to_output", uart_thr_to_output },
	{ "uart_registers_read_back", uart_registers_read_back },
	{ "uart_dlab_divisor", uart_dlab_divisor },
	{ "uart_loopback", uart_loopback },
	{ "uart_wide_access_past_end", uart_wide_access_past_end },
	{ "debugcon", debugcon },
	{ "exit_status_values", exit_status_values },
	{ "exit_device_ends_run", exit_device_ends_run },
	{ "post_port_ignored", post_port_ignored },
	{ "fwcfg_signature", fwcfg_signature },
	{ "fwcfg_cpus_and_ram", fwcfg_cpus_and_ram },
	{ "fwcfg_unknown_key_and_overread", fwcfg_unknown_key_and_overread },
	{ "fwcfg_odd_accesses", fwcfg_odd_accesses },
	{ "apic_page_reads_zero", apic_page_reads_zero },
	{ "unhandled_mmio_reads_zero", unhandled_mmio_reads_zero },
	{ "unhandled_ports_read_all_ones", unhandled_ports_read_all_ones },
	{ "unhandled_ports_reported_once", unhandled_ports_reported_once },
	{ "uart_rx_fifo_and_irq4", uart_rx_fifo_and_irq4 },
	{ "uart_thre_interrupt", uart_thre_interrupt },
	{ "pit_irq0_through_pic", pit_irq0_through_pic },
	{ "clocks_only_where_read", clocks_only_where_read },
	{ "deadline_kept_exactly", deadline_kept_exactly },
	{ "platform_ports_claimed", platform_ports_claimed },
	{ "kbc_reset_ends_run", kbc_reset_ends_run },
	{ "pm_sci_en_reads_one", pm_sci_en_reads_one },
	{ "pm_s5_powers_off", pm_s5_powers_off },
	{ "pm_other_sleep_types_ignored", pm_other_sleep_types_ignored },
	{ "pm_byte_write_powers_off", pm_byte_write_powers_off },
	{ "pm_timer_and_status", pm_timer_and_status },
	{ "pci_conf1_claimed", pci_conf1_claimed },
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), NULL);
}
