// SPDX-License-Identifier: GPL-2.0
/*
 * The devices 'vtxctl run' emulates, found through two dispatch tables: one
 * for port I/O, one for MMIO.  Everything an access does is in here, so the
 * host unit test (tests/host/unit/devices_test.c) covers the device models
 * without a VM.
 */
#include <string.h>

#include "devices.h"
#include "pio_bytes.h"

struct pio_device {
	const char *name;
	uint16_t base, len;
	/* Each returns true when the access ends the run. */
	bool (*access)(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val);
	unsigned int clocks;	/* DEV_CLOCK_* the access reads */
};

struct mmio_device {
	const char *name;
	uint64_t base, len;
	void (*access)(struct devices *d, uint64_t off, unsigned int len,
		       bool is_write, uint8_t *data);
	unsigned int clocks;	/* DEV_CLOCK_* the access reads */
};

static uint32_t all_ones(unsigned int size)
{
	return size >= 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

static void pio_map_init(struct devices *d);

void devices_init(struct devices *d, FILE *out, FILE *log, uint64_t ram_size,
		  uint16_t ncpus, time_t now)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->log = log;
	d->ram_size = ram_size;
	d->ncpus = ncpus;
	d->now = now;
	d->pm.cnt = PM1_SCI_EN;
	pci_init(&d->pci);
	pic_init(&d->pic);
	pit_init(&d->pit);
	rtc_init(&d->rtc, now);
	d->irq0_next = pit_next_irq0_ns(&d->pit, 0);
	pio_map_init(d);
}

/* ISA line @irq changes level: to the PIC, and the I/O APIC if any. */
static __attribute__((noinline)) void dev_irq_change(struct devices *d,
						     unsigned int irq,
						     bool level)
{
	d->irq_levels ^= 1U << irq;
	pic_set_irq(&d->pic, irq, level);
	if (d->irq_line)
		d->irq_line(d->irq_opaque, irq == 0 ? 2 : irq, level);
}

/*
 * Drive ISA line @irq: the PIC, and the I/O APIC where there is one, only
 * on a change (the UART drives its line at every access; a line that
 * keeps its level changes nothing in either, see pic_set_irq()).  Inline,
 * with the change out of line, so that the UART's test costs no call.
 */
static inline void dev_set_irq(struct devices *d, unsigned int irq,
			       bool level)
{
	if (!!(d->irq_levels & (1U << irq)) != level)
		dev_irq_change(d, irq, level);
}

void dev_advance(struct devices *d, uint64_t now_ns, time_t now)
{
	uint64_t edges;

	d->now = now;
	if (now_ns <= d->now_ns)
		return;
	/* Before the next edge there is none to count (pit.h). */
	if (now_ns < d->irq0_next) {
		d->now_ns = now_ns;
		return;
	}
	edges = pit_irq0_edges(&d->pit, d->now_ns, now_ns);
	d->now_ns = now_ns;
	d->irq0_next = pit_next_irq0_ns(&d->pit, now_ns);
	if (edges) {
		/* An edge-triggered input: a pulse latches one request. */
		dev_set_irq(d, DEV_PIT_IRQ, true);
		dev_set_irq(d, DEV_PIT_IRQ, false);
		d->irq0_edges += edges;
	}
}

uint64_t dev_next_deadline(const struct devices *d)
{
	return d->irq0_next;
}

int dev_exit_status(uint32_t v)
{
	/* QEMU's isa-debug-exit; a process status keeps only 8 bits. */
	return (((v & 0xff) << 1) | 1) & 0xff;
}

/* ---- 16550 UART ---------------------------------------------------------- */

/*
 * A 16550 for polled and interrupt-driven drivers: the transmitter is
 * always empty, every byte sent goes to d->out at once; bytes received
 * (dev_uart_receive) wait in a FIFO.  Two interrupt sources, by priority:
 * received data available (IER bit 0, while the FIFO holds a byte) and
 * THR empty (IER bit 1: raised when the bit is set and after every byte
 * sent, cleared by the IIR read that reports it or by the next THR write).
 * As on a PC, the INT output reaches IRQ 4 only with MCR OUT2 set.  In
 * loopback mode (MCR bit 4) a byte sent comes back in RBR and the modem
 * status lines follow the modem control outputs, which is how Linux's 8250
 * driver checks that a UART is there.
 */
static bool uart_rx_ready(const struct dev_uart *u)
{
	return u->mcr & UART_MCR_LOOP ? u->data_ready : u->rx_count > 0;
}

static uint8_t uart_iir(const struct dev_uart *u)
{
	if ((u->ier & UART_IER_RDI) && uart_rx_ready(u))
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

static void uart_update_irq(struct devices *d)
{
	const struct dev_uart *u = &d->uart;

	dev_set_irq(d, DEV_UART_IRQ, (u->mcr & UART_MCR_OUT2) &&
		    !(u->mcr & UART_MCR_LOOP) &&
		    uart_iir(u) != UART_IIR_NO_INT);
}

bool dev_uart_can_receive(const struct devices *d)
{
	return d->uart.rx_count < UART_RX_SIZE;
}

bool dev_uart_receive(struct devices *d, uint8_t byte)
{
	struct dev_uart *u = &d->uart;

	if (!dev_uart_can_receive(d))
		return false;
	u->rx[(u->rx_head + u->rx_count++) % UART_RX_SIZE] = byte;
	uart_update_irq(d);
	return true;
}

static inline uint8_t uart_read(struct devices *d, unsigned int reg)
{
	struct dev_uart *u = &d->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t m, v;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		if (u->mcr & UART_MCR_LOOP) {
			u->data_ready = false;
			return u->rbr;
		}
		if (!u->rx_count)
			return u->rbr;	/* the last byte again */
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
		u->rx_count--;
		return u->rbr;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		if (v == UART_IIR_THRI)
			u->thre_pending = false;
		return v | (u->fcr & 1 ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (uart_rx_ready(u) ? UART_LSR_DR : 0);
	case UART_MSR:
		if (!(u->mcr & UART_MCR_LOOP))
			return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
		/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
		m = u->mcr;
		return (m & 1 ? UART_MSR_DSR : 0) | (m & 2 ? UART_MSR_CTS : 0) |
		       (m & 4 ? UART_MSR_RI : 0) | (m & 8 ? UART_MSR_DCD : 0);
	default:
		return u->scr;
	}
}

static inline void uart_write(struct devices *d, unsigned int reg, uint8_t v)
{
	struct dev_uart *u = &d->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab) {
			u->dll = v;
		} else if (u->mcr & UART_MCR_LOOP) {
			u->rbr = v;
			u->data_ready = true;
		} else if (d->out) {
			fputc(v, d->out);
		}
		if (!dlab)
			u->thre_pending = true;	/* sent at once: empty again */
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with THR empty interrupts at once. */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		if (v & UART_FCR_CLEAR_RCVR)
			u->rx_count = 0;
		/* Bits 1 and 2 (clear FIFOs) clear themselves. */
		u->fcr = v & ~0x06;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* factory test: writes have no effect */
	default:
		u->scr = v;
	}
}

/* pio_byte_fn: one register of a wider UART access. */
static bool uart_byte(void *dev, unsigned int reg, bool is_write, uint8_t *b)
{
	struct devices *d = dev;

	if (reg > UART_SCR)
		return false;	/* no device past it */
	if (is_write)
		uart_write(d, reg, *b);
	else
		*b = uart_read(d, reg);
	return true;
}

/* A wider access covers consecutive registers, as on an ISA bus. */
static __attribute__((noinline)) void uart_access_wide(struct devices *d,
						       uint16_t off,
						       unsigned int size,
						       bool is_write,
						       uint32_t *val)
{
	pio_bytes(d, uart_byte, off, size, is_write, val);
}

/*
 * A byte, what drivers use, goes straight to its register (off is below
 * 8); wider accesses, rare, out of line, so that a byte's path saves no
 * registers for their loop.
 */
static bool uart_access(struct devices *d, uint16_t off, unsigned int size,
			bool is_write, uint32_t *val)
{
	if (size != 1)
		uart_access_wide(d, off, size, is_write, val);
	else if (is_write)
		uart_write(d, off, *val);
	else
		*val = uart_read(d, off);
	uart_update_irq(d);
	return false;
}

/* ---- Debug console and exit device ------------------------------------- */

static bool debugcon_access(struct devices *d, uint16_t off, unsigned int size,
			    bool is_write, uint32_t *val)
{
	(void)off;
	(void)size;
	if (!is_write)
		*val = DEV_DEBUGCON_READBACK;
	else if (d->out)
		fputc(*val & 0xff, d->out);
	return false;
}

static bool exit_access(struct devices *d, uint16_t off, unsigned int size,
			bool is_write, uint32_t *val)
{
	(void)off;
	if (!is_write) {
		*val = all_ones(size);	/* write-only */
		return false;
	}
	d->exit_requested = true;
	d->exit_status = dev_exit_status(*val);
	return true;
}

static bool post_access(struct devices *d, uint16_t off, unsigned int size,
			bool is_write, uint32_t *val)
{
	(void)d;
	(void)off;
	if (!is_write)
		*val = all_ones(size);
	return false;
}

/* ---- PC platform: PIC, PIT, RTC, keyboard controller ----------------- */

static bool pic_access(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val)
{
	(void)off;
	return !pic_pio(&d->pic, d->pio_port, size, is_write, val);
}

static bool pit_access(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val)
{
	bool ended;

	(void)off;
	ended = !pit_pio(&d->pit, d->pio_port, size, is_write, val, d->now_ns);
	/* Programming (or a gate) may start, stop or move IRQ 0's edges. */
	d->irq0_next = pit_next_irq0_ns(&d->pit, d->now_ns);
	return ended;
}

static bool rtc_access(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val)
{
	(void)off;
	return !rtc_pio(&d->rtc, d->pio_port, size, is_write, val, d->now);
}

/*
 * The 8042's reset line, the way PCs have rebooted since the AT (and
 * Linux's "reboot=k", its fallback after ACPI): command 0xFE ends the run
 * with status 0.  There is no keyboard: the data port reads 0, the status
 * is DEV_KBC_STATUS (see devices.h), other commands are ignored.
 */
static bool kbc_access(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val)
{
	(void)off;
	if (!is_write) {
		*val = d->pio_port == DEV_KBC_CMD ? DEV_KBC_STATUS : 0;
		if (size > 1)
			*val |= all_ones(size) & ~0xffU;
		return false;
	}
	if (d->pio_port == DEV_KBC_CMD && (*val & 0xff) == DEV_KBC_RESET) {
		d->exit_requested = true;
		d->reset_requested = true;
		d->exit_status = 0;
		return true;
	}
	return false;
}

/* ---- ACPI PM registers -------------------------------------------------- */

/* The PM timer's count at now_ns: 3.579545 MHz from the start. */
static uint64_t pm_ticks(const struct devices *d)
{
	return (unsigned __int128)d->now_ns * PM_TMR_HZ / 1000000000U;
}

/*
 * PM1_STS: TMR_STS is set whenever the timer's bit 23 has changed since
 * it was last cleared (ACPI 6.5, 4.8.3.3); no other event exists here.
 */
static uint16_t pm1_sts(const struct devices *d)
{
	return pm_ticks(d) >> 23 != d->pm.tmr_sts_from >> 23 ? PM1_TMR_STS : 0;
}

static uint16_t pm_reg_read(const struct devices *d, unsigned int reg)
{
	switch (reg) {
	case 0:
		return pm1_sts(d);
	case 1:
		return d->pm.en;
	default:
		return d->pm.cnt;
	}
}

/*
 * The bytes written to PM1_STS, PM1_EN and PM1_CNT (value v, bytes in
 * mask m, per register).  Status bits are cleared by writing 1; SLP_EN
 * with SLP_TYP = \_S5's value powers off, which ends the run with status
 * 0 as the 8042's reset does; other sleep types are not supported and
 * the write only keeps SLP_TYP.  No event raises the SCI: the enable bits
 * are kept and do nothing.
 */
static bool pm_write(struct devices *d, const uint16_t *v, const uint16_t *m)
{
	struct dev_pm *pm = &d->pm;
	uint16_t cnt;

	if (v[0] & m[0] & PM1_TMR_STS)
		pm->tmr_sts_from = pm_ticks(d);
	pm->en = ((pm->en & ~m[1]) | (v[1] & m[1])) & PM1_EN_MASK;
	if (!m[2])
		return false;
	cnt = (pm->cnt & ~m[2]) | (v[2] & m[2]);
	pm->cnt = (cnt & (PM1_BM_RLD | PM1_SLP_TYP)) | PM1_SCI_EN;
	if (!(cnt & PM1_SLP_EN) ||
	    (cnt & PM1_SLP_TYP) >> PM1_SLP_TYP_SHIFT != PM1_SLP_TYP_S5)
		return false;
	d->exit_requested = true;
	d->poweroff_requested = true;
	d->exit_status = 0;
	return true;
}

/*
 * The PM1a event and control blocks and the PM timer, byte by byte so
 * that any access size works: registers are 16 bits (the timer 32, read
 * only), ports between and past them read as all ones.
 */
static bool pm_access(struct devices *d, uint16_t off, unsigned int size,
		      bool is_write, uint32_t *val)
{
	uint16_t wv[3] = { 0, 0, 0 }, wm[3] = { 0, 0, 0 };
	uint32_t r = 0;
	unsigned int i;

	(void)off;
	for (i = 0; i < size; i++) {
		unsigned int p = d->pio_port + i, sh = 8 * (p & 1), b = 0xff;

		if (p >= DEV_PM1A_EVT && p < DEV_PM1A_CNT + 2) {
			unsigned int reg = (p - DEV_PM1A_EVT) / 2;

			wv[reg] |= (*val >> (8 * i) & 0xff) << sh;
			wm[reg] |= 0xff << sh;
			b = pm_reg_read(d, reg) >> sh & 0xff;
		} else if (p >= DEV_PM_TMR && p < DEV_PM_TMR + 4) {
			b = (pm_ticks(d) & PM_TMR_MASK) >>
			    (8 * (p - DEV_PM_TMR)) & 0xff;
		}
		r |= b << (8 * i);
	}
	if (!is_write) {
		*val = r;
		return false;
	}
	return pm_write(d, wv, wm);
}

/* ---- PCI configuration mechanism #1 ----------------------------------- */

static bool pci_access(struct devices *d, uint16_t off, unsigned int size,
		       bool is_write, uint32_t *val)
{
	(void)off;
	pci_pio(&d->pci, d->pio_port, size, is_write, val);
	return false;
}

/* ---- fw_cfg ------------------------------------------------------------- */

/* The bytes of the selected item at offset, or 0 past its end. */
static uint8_t fwcfg_byte(const struct devices *d, uint16_t key, uint32_t off)
{
	static const char sig[4] = { 'Q', 'E', 'M', 'U' };

	switch (key) {
	case FW_CFG_SIGNATURE:
		return off < sizeof(sig) ? sig[off] : 0;
	case FW_CFG_RAM_SIZE:
		return off < 8 ? d->ram_size >> (8 * off) : 0;
	case FW_CFG_NB_CPUS:
		return off < 2 ? d->ncpus >> (8 * off) : 0;
	default:
		return 0;
	}
}

/*
 * QEMU's fw_cfg I/O interface (docs/specs/fw_cfg.rst): a 16-bit write to
 * the selector port picks an item and rewinds it; each byte read from the
 * data port returns its next byte.  As in QEMU, a byte read of either port
 * reads data; other sizes read as all ones.  Byte writes to the data port
 * (the obsolete write interface) are ignored.
 */
static bool fwcfg_access(struct devices *d, uint16_t off, unsigned int size,
			 bool is_write, uint32_t *val)
{
	struct dev_fwcfg *f = &d->fwcfg;

	if (is_write) {
		if (off == 0 && size == 2) {
			f->key = *val;
			f->offset = 0;
		}
		return false;
	}
	if (size != 1) {
		*val = all_ones(size);
		return false;
	}
	*val = fwcfg_byte(d, f->key, f->offset);
	if (f->offset != UINT32_MAX)
		f->offset++;
	return false;
}

/* ---- Local APIC page ---------------------------------------------------- */

/* No local APIC yet: its page reads as zero and ignores writes. */
static void apic_access(struct devices *d, uint64_t off, unsigned int len,
			bool is_write, uint8_t *data)
{
	(void)d;
	(void)off;
	if (!is_write)
		memset(data, 0, len);
}

/* ---- Dispatch ----------------------------------------------------------- */

static const struct pio_device pio_devices[] = {
	{ "uart", DEV_UART_BASE, 8, uart_access, 0 },
	{ "debugcon", DEV_DEBUGCON_PORT, 1, debugcon_access, 0 },
	{ "exit", DEV_EXIT_PORT, 1, exit_access, 0 },
	{ "fw_cfg", DEV_FWCFG_SELECTOR, 2, fwcfg_access, 0 },
	{ "post", DEV_POST_PORT, 1, post_access, 0 },
	{ "pic master", PIC_MASTER_CMD, 2, pic_access, 0 },
	{ "pic slave", PIC_SLAVE_CMD, 2, pic_access, 0 },
	{ "pic elcr", PIC_ELCR1, 2, pic_access, 0 },
	{ "pit", PIT_PORT_CH0, 4, pit_access, DEV_CLOCK_NS },
	{ "port 0x61", PIT_PORT_SYS_B, 1, pit_access, DEV_CLOCK_NS },
	{ "rtc", RTC_PORT_INDEX, 2, rtc_access, DEV_CLOCK_WALL },
	{ "kbc data", DEV_KBC_DATA, 1, kbc_access, 0 },
	{ "kbc command", DEV_KBC_CMD, 1, kbc_access, 0 },
	{ "acpi pm1", DEV_PM1A_EVT, 6, pm_access, DEV_CLOCK_NS },
	{ "acpi pm timer", DEV_PM_TMR, 4, pm_access, DEV_CLOCK_NS },
	{ "pci conf1", PCI_CONF_ADDR, PCI_CONF_PORTS, pci_access, 0 },
};

static const struct mmio_device mmio_devices[] = {
	{ "local APIC", DEV_APIC_BASE, DEV_APIC_SIZE, apic_access, 0 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(ARRAY_SIZE(pio_devices) < 256, "pio_map holds uint8_t");

/*
 * d->pio_map and d->pio_clocks from pio_devices, filled from the last
 * entry to the first: were a port claimed twice, the first entry would
 * have it, as it does in the walk of the table made for ports past the
 * map (find_pio_unmapped()).
 */
static void pio_map_init(struct devices *d)
{
	unsigned int i, port;

	for (i = ARRAY_SIZE(pio_devices); i-- > 0;) {
		const struct pio_device *p = &pio_devices[i];

		for (port = p->base;
		     port < p->base + p->len && port < DEV_PIO_MAP_PORTS;
		     port++) {
			d->pio_map[port] = i + 1;
			d->pio_clocks[port] = p->clocks;
		}
	}
}

/* A port past the map: walk the table. */
static __attribute__((noinline)) const struct pio_device *
find_pio_unmapped(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pio_devices); i++) {
		const struct pio_device *p = &pio_devices[i];

		if (port >= p->base && port - p->base < p->len)
			return p;
	}
	return NULL;
}

static const struct mmio_device *find_mmio(uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mmio_devices); i++) {
		const struct mmio_device *m = &mmio_devices[i];

		if (addr >= m->base && addr - m->base < m->len)
			return m;
	}
	return NULL;
}

unsigned int dev_pio_clocks_unmapped(const struct devices *d, uint16_t port)
{
	const struct pio_device *p = find_pio_unmapped(port);

	return dev_irq_clocks(d) | (p ? p->clocks : 0);
}

unsigned int dev_mmio_clocks(const struct devices *d, uint64_t addr)
{
	const struct mmio_device *m = find_mmio(addr);

	(void)d;
	return m ? m->clocks : 0;
}

/* No device at port: counted, reported once, reads as all ones. */
static __attribute__((noinline)) bool pio_unhandled(struct devices *d,
						    uint16_t port,
						    unsigned int size,
						    bool is_write,
						    uint32_t *val)
{
	d->unhandled_pio++;
	if (d->log && !(d->pio_reported[port / 8] & (1U << (port % 8)))) {
		d->pio_reported[port / 8] |= 1U << (port % 8);
		fprintf(d->log,
			"vtxctl: unhandled port I/O: %s of %u byte%s at port %#x (reported once per port)\n",
			is_write ? "write" : "read", size, size > 1 ? "s" : "",
			port);
	}
	if (!is_write)
		*val = all_ones(size);
	return false;
}

/* The access at port goes to device p (port - base: the offset). */
static inline bool pio_access(struct devices *d, const struct pio_device *p,
			      uint16_t port, unsigned int size, bool is_write,
			      uint32_t *val)
{
	d->pio_port = port;
	return p->access(d, port - p->base, size, is_write, val);
}

/* dev_pio() at a port past the map. */
static __attribute__((noinline)) bool pio_unmapped(struct devices *d,
						   uint16_t port,
						   unsigned int size,
						   bool is_write,
						   uint32_t *val)
{
	const struct pio_device *p = find_pio_unmapped(port);

	if (!p)
		return pio_unhandled(d, port, size, is_write, val);
	return pio_access(d, p, port, size, is_write, val);
}

/*
 * The device from the map, the other cases out of line: no frame to set
 * up on the way to the device's handler.
 */
bool dev_pio(struct devices *d, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val)
{
	unsigned int i;

	if (port >= DEV_PIO_MAP_PORTS)
		return pio_unmapped(d, port, size, is_write, val);
	i = d->pio_map[port];
	if (!i)
		return pio_unhandled(d, port, size, is_write, val);
	return pio_access(d, &pio_devices[i - 1], port, size, is_write, val);
}

static void report_mmio(struct devices *d, uint64_t addr, unsigned int len,
			bool is_write)
{
	uint64_t page = addr & ~0xfffULL;
	unsigned int i;

	if (!d->log)
		return;
	for (i = 0; i < d->nmmio_reported; i++)
		if (d->mmio_reported[i] == page)
			return;
	if (d->nmmio_reported == DEV_MMIO_REPORTED_MAX)
		return;
	d->mmio_reported[d->nmmio_reported++] = page;
	fprintf(d->log,
		"vtxctl: unhandled MMIO: %s of %u byte%s at %#llx (reported once per page%s)\n",
		is_write ? "write" : "read", len, len > 1 ? "s" : "",
		(unsigned long long)addr,
		d->nmmio_reported == DEV_MMIO_REPORTED_MAX ?
		"; no more pages reported" : "");
}

void dev_mmio(struct devices *d, uint64_t addr, unsigned int len,
	      bool is_write, uint8_t *data)
{
	const struct mmio_device *m = find_mmio(addr);

	if (m) {
		m->access(d, addr - m->base, len, is_write, data);
		return;
	}
	d->unhandled_mmio++;
	report_mmio(d, addr, len, is_write);
	if (!is_write)
		memset(data, 0, len);
}
