/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration mechanism #1 of 'vtxctl run' (PCI Local Bus
 * Specification 3.0, 3.2.2.3.2): the address register at port 0xCF8 and
 * the data window at 0xCFC-0xCFF, behind which the only device is a host
 * bridge at 00:00.0.  Pure logic, host unit-tested (pci_test.c).
 */
#ifndef VTXCTL_PCI_H
#define VTXCTL_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONF_ADDR		0xcf8	/* CONFIG_ADDRESS, dword accesses */
#define PCI_CONF_DATA		0xcfc	/* CONFIG_DATA, any size */
#define PCI_CONF_PORTS		8

/* CONFIG_ADDRESS: enable, bus 23:16, device 15:11, function 10:8, reg 7:2 */
#define PCI_CONF_ENABLE		0x80000000U
/* What the register keeps: reserved bits 30:24 and 1:0 read 0 (i440FX). */
#define PCI_CONF_ADDR_MASK	0x80fffffcU

/* The host bridge: Intel's 82441FX (i440FX), as QEMU's PC has. */
#define PCI_HOST_VENDOR		0x8086
#define PCI_HOST_DEVICE		0x1237
#define PCI_HOST_REVISION	0x02
#define PCI_HOST_CLASS		0x060000	/* bridge, host, prog-if 0 */

/* Configuration header offsets used (PCI 3.0, 6.1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e
#define PCI_INTERRUPT_LINE	0x3c

struct pci {
	uint32_t conf_addr;	/* CONFIG_ADDRESS as last written */
	uint8_t host_intline;	/* the bridge's only writable register */
};

void pci_init(struct pci *pci);

/*
 * One access of 1, 2 or 4 bytes at port (PCI_CONF_ADDR ..
 * PCI_CONF_ADDR + 7; bytes past 0xCFF read as all ones).  CONFIG_ADDRESS
 * takes dword accesses at 0xCF8 only: other sizes there read all ones and
 * are ignored, as on PIIX chipsets, where they go to the ISA bus.  A data
 * access with the enable bit clear, or to any function but 00:00.0,
 * reads all ones and is ignored; in the host bridge's header only the
 * interrupt line register is writable.
 */
void pci_pio(struct pci *pci, uint16_t port, unsigned int size,
	     bool is_write, uint32_t *val);

#endif /* VTXCTL_PCI_H */
