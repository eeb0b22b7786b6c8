// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for PCI configuration mechanism #1 of 'vtxctl run'
 * (userspace/pci.c): the address register, the host bridge's header at
 * 00:00.0 through byte, word and dword accesses, absent functions, and
 * the probes Linux's arch/x86/pci/direct.c makes.  TAP 13; exit 0 if every
 * test passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"
#include "pci.h"

static struct pci pci;

static uint32_t in(uint16_t port, unsigned int size)
{
	uint32_t v = 0xdeadbeef;

	pci_pio(&pci, port, size, false, &v);
	return v;
}

static void out(uint16_t port, unsigned int size, uint32_t v)
{
	pci_pio(&pci, port, size, true, &v);
}

/* Linux's PCI_CONF1_ADDRESS(), without the AMD extended register bits. */
static uint32_t conf1(unsigned int bus, unsigned int dev, unsigned int fn,
		      unsigned int reg)
{
	return 0x80000000U | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

/* pci_conf1_read(): address, then the data port at reg & 3. */
static uint32_t cfg_read(unsigned int bus, unsigned int devfn,
			 unsigned int reg, unsigned int size)
{
	out(PCI_CONF_ADDR, 4, conf1(bus, devfn >> 3, devfn & 7, reg));
	return in(PCI_CONF_DATA + (reg & 3), size);
}

static void cfg_write(unsigned int devfn, unsigned int reg,
		      unsigned int size, uint32_t v)
{
	out(PCI_CONF_ADDR, 4, conf1(0, devfn >> 3, devfn & 7, reg));
	out(PCI_CONF_DATA + (reg & 3), size, v);
}

static void setup(void)
{
	pci_init(&pci);
}

/* pci_check_type1(): a byte to 0xCFB, then 0x80000000 reads back. */
static bool check_type1_passes(void)
{
	uint32_t saved;

	out(0xcfb, 1, 0x01);
	saved = in(PCI_CONF_ADDR, 4);
	CHECK_EQ(saved, 0);			/* the byte went nowhere */
	out(PCI_CONF_ADDR, 4, 0x80000000);
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0x80000000);
	out(PCI_CONF_ADDR, 4, saved);
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0);
	return true;
}

/* pci_check_type2() must fail: its byte probes read all ones. */
static bool type2_probe_fails(void)
{
	out(0xcfb, 1, 0x00);
	out(0xcf8, 1, 0x00);
	out(0xcfa, 1, 0x00);
	CHECK_EQ(in(0xcf8, 1), 0xff);
	CHECK_EQ(in(0xcfa, 1), 0xff);
	CHECK_EQ(in(0xcf8, 2), 0xffff);
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0);
	return true;
}

/* CONFIG_ADDRESS keeps what exists: reserved bits 30:24 and 1:0 read 0. */
static bool address_register_readback(void)
{
	out(PCI_CONF_ADDR, 4, 0xffffffff);
	CHECK_EQ(in(PCI_CONF_ADDR, 4), PCI_CONF_ADDR_MASK);
	out(PCI_CONF_ADDR, 4, conf1(3, 4, 5, 0x44));
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0x80032544);
	out(PCI_CONF_ADDR, 4, 0x12345678);
	CHECK_EQ(in(PCI_CONF_ADDR, 4), 0x00345678);
	return true;
}

/* pci_sanity_check(): the class of a host bridge at 00:00.0. */
static bool host_bridge_identity(void)
{
	CHECK_EQ(cfg_read(0, 0, 0x00, 4), 0x12378086);
	CHECK_EQ(cfg_read(0, 0, 0x00, 2), PCI_HOST_VENDOR);
	CHECK_EQ(cfg_read(0, 0, 0x02, 2), PCI_HOST_DEVICE);
	CHECK_EQ(cfg_read(0, 0, 0x08, 4), 0x06000002);
	CHECK_EQ(cfg_read(0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	CHECK_EQ(cfg_read(0, 0, PCI_REVISION_ID, 1), PCI_HOST_REVISION);
	CHECK_EQ(cfg_read(0, 0, PCI_HEADER_TYPE, 1), 0);	/* one function */
	CHECK_EQ(cfg_read(0, 0, PCI_COMMAND, 2), 0x0006);
	CHECK_EQ(cfg_read(0, 0, PCI_STATUS, 2), 0x0280);	/* no caps */
	return true;
}

/* Byte and word offsets inside the data window pick the right bytes. */
static bool byte_and_word_offsets(void)
{
	static const uint8_t id[4] = { 0x86, 0x80, 0x37, 0x12 };
	unsigned int i;

	for (i = 0; i < 4; i++)
		CHECK_EQ(cfg_read(0, 0, i, 1), id[i]);
	CHECK_EQ(cfg_read(0, 0, 1, 2), 0x3780);		/* bytes 1-2 */
	CHECK_EQ(cfg_read(0, 0, 0x0b, 1), 0x06);
	/* a word at 0xCFF runs past the window: its high byte is ones */
	out(PCI_CONF_ADDR, 4, conf1(0, 0, 0, 0));
	CHECK_EQ(in(0xcff, 2), 0xff12);
	/* a dword at 0xCFE: bytes 2-3, then two bytes of no port */
	CHECK_EQ(in(0xcfe, 4), 0xffff1237);
	return true;
}

/* No BARs, no capabilities, nothing else: the rest reads zero. */
static bool rest_of_header_zero(void)
{
	unsigned int reg;

	for (reg = 0x10; reg < 0x100; reg += 4)
		CHECK_EQ(cfg_read(0, 0, reg, 4), 0);
	/* BAR sizing reads back 0: no BAR */
	cfg_write(0, 0x10, 4, 0xffffffff);
	CHECK_EQ(cfg_read(0, 0, 0x10, 4), 0);
	return true;
}

/* Every other bus, device and function is absent. */
static bool absent_functions_all_ones(void)
{
	unsigned int devfn;

	for (devfn = 1; devfn < 256; devfn++)
		CHECK_EQ(cfg_read(0, devfn, 0, 4), 0xffffffff);
	CHECK_EQ(cfg_read(1, 0, 0, 4), 0xffffffff);
	CHECK_EQ(cfg_read(255, 0, 0, 2), 0xffff);
	CHECK_EQ(cfg_read(0, 8, PCI_CLASS_DEVICE, 2), 0xffff);
	cfg_write(8, PCI_INTERRUPT_LINE, 1, 5);		/* ignored */
	CHECK_EQ(cfg_read(0, 8, PCI_INTERRUPT_LINE, 1), 0xff);
	CHECK_EQ(cfg_read(0, 0, PCI_INTERRUPT_LINE, 1), 0);
	return true;
}

/* With the enable bit clear the data window is not decoded. */
static bool disabled_reads_all_ones(void)
{
	out(PCI_CONF_ADDR, 4, 0);
	CHECK_EQ(in(PCI_CONF_DATA, 4), 0xffffffff);
	CHECK_EQ(in(PCI_CONF_DATA + 1, 1), 0xff);
	out(PCI_CONF_DATA, 4, 0);
	out(PCI_CONF_ADDR, 4, PCI_INTERRUPT_LINE);
	out(PCI_CONF_DATA, 1, 11);
	CHECK_EQ(cfg_read(0, 0, PCI_INTERRUPT_LINE, 1), 0);
	CHECK_EQ(cfg_read(0, 0, 0, 4), 0x12378086);
	return true;
}

/* Writes to read-only registers are ignored; the interrupt line is kept. */
static bool only_interrupt_line_writable(void)
{
	unsigned int reg;

	for (reg = 0; reg < 0x40; reg += 4)
		if (reg != PCI_INTERRUPT_LINE)
			cfg_write(0, reg, 4, 0xa5a5a5a5);
	cfg_write(0, 0x02, 2, 0xffff);
	cfg_write(0, 0x0b, 1, 0x0c);
	CHECK_EQ(cfg_read(0, 0, 0x00, 4), 0x12378086);
	CHECK_EQ(cfg_read(0, 0, 0x04, 4), 0x02800006);
	CHECK_EQ(cfg_read(0, 0, 0x08, 4), 0x06000002);
	CHECK_EQ(cfg_read(0, 0, 0x0c, 4), 0);
	/* the interrupt line, by byte, and by dword with the pin beside it */
	cfg_write(0, PCI_INTERRUPT_LINE, 1, 10);
	CHECK_EQ(cfg_read(0, 0, PCI_INTERRUPT_LINE, 1), 10);
	cfg_write(0, PCI_INTERRUPT_LINE, 4, 0xffffff0b);
	CHECK_EQ(cfg_read(0, 0, PCI_INTERRUPT_LINE, 4), 0x0b);
	return true;
}

static const struct test_case tests[] = {
	TEST(check_type1_passes),
	TEST(type2_probe_fails),
	TEST(address_register_readback),
	TEST(host_bridge_identity),
	TEST(byte_and_word_offsets),
	TEST(rest_of_header_zero),
	TEST(absent_functions_all_ones),
	TEST(disabled_reads_all_ones),
	TEST(only_interrupt_line_writable),
};

int main(void)
{
	return run_test_cases(tests, NTESTS(tests), setup);
}
