// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 with one device, a host bridge at
 * 00:00.0: what Linux's pci_check_type1() and pci_sanity_check() look for
 * before they take mechanism #1 (arch/x86/pci/direct.c), and what a bus
 * scan then finds.  Every other bus, device and function reads as absent.
 */
#include <string.h>

#include "pci.h"
#include "pio_bytes.h"

/* Status: medium DEVSEL timing, fast back-to-back capable (as QEMU's). */
#define HOST_STATUS		0x0280
/* Command: memory space and bus master, as firmware leaves a host bridge. */
#define HOST_COMMAND		0x0006

void pci_init(struct pci *pci)
{
	memset(pci, 0, sizeof(*pci));
}

/*
 * Dword @off (a multiple of 4) of the host bridge's 256-byte type 0
 * header, as mechanism #1 reads it: the 16-bit and 8-bit registers in
 * their places, little-endian.
 */
static uint32_t host_dword(const struct pci *pci, unsigned int off)
{
	switch (off) {
	case PCI_VENDOR_ID:	/* and the device ID */
		return (uint32_t)PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR;
	case PCI_COMMAND:	/* and the status */
		return (uint32_t)HOST_STATUS << 16 | HOST_COMMAND;
	case PCI_REVISION_ID:	/* and the class code */
		return (uint32_t)PCI_HOST_CLASS << 8 | PCI_HOST_REVISION;
	case PCI_INTERRUPT_LINE:	/* the pin, MIN_GNT, MAX_LAT: 0 */
		return pci->host_intline;
	default:
		/* header type 0, one function, no BARs, no capabilities */
		return 0;
	}
}

/* Byte @off of the header. */
static uint8_t host_read(const struct pci *pci, unsigned int off)
{
	return host_dword(pci, off & ~3U) >> (8 * (off & 3));
}

/* Is CONFIG_ADDRESS enabled and naming 00:00.0? */
static bool host_selected(const struct pci *pci)
{
	return (pci->conf_addr & PCI_CONF_ENABLE) &&
	       !(pci->conf_addr & 0x00ffff00U);
}

/* pio_byte_fn: one byte of a pci_pio() access at CONFIG_DATA. */
static bool pci_data_byte(void *dev, unsigned int port, bool is_write,
			  uint8_t *b)
{
	struct pci *pci = dev;
	unsigned int off = (pci->conf_addr & 0xfc) + (port - PCI_CONF_DATA);
	bool data = port >= PCI_CONF_DATA &&
		    port < PCI_CONF_ADDR + PCI_CONF_PORTS;

	if (!data || !host_selected(pci))
		return false;
	if (!is_write)
		*b = host_read(pci, off);
	else if (off == PCI_INTERRUPT_LINE)
		pci->host_intline = *b;
	return true;
}

void pci_pio(struct pci *pci, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val)
{
	if (port == PCI_CONF_ADDR && size == 4) {
		if (is_write)
			pci->conf_addr = *val & PCI_CONF_ADDR_MASK;
		else
			*val = pci->conf_addr;
		return;
	}
	pio_bytes(pci, pci_data_byte, port, size, is_write, val);
}
