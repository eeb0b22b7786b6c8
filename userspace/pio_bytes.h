/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A port access wider than a byte, split as an ISA bus splits it: one
 * byte at each port in turn.  One loop for the PC devices of 'vtxctl run'
 * (PIC, PIT, RTC, PCI configuration ports, UART).
 */
#ifndef VTXCTL_PIO_BYTES_H
#define VTXCTL_PIO_BYTES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One byte at @port: a write of *@b, or a read into *@b.  False for a
 * port the device does not decode: a read there gives 0xff, as from a
 * floating bus, and a write is dropped.
 */
typedef bool pio_byte_fn(void *dev, unsigned int port, bool is_write,
			 uint8_t *b);

/*
 * @size bytes from @port on, byte i of *@val at @port + i, each through
 * @byte.  Inline, so that each device's @byte is called directly.
 */
static inline void pio_bytes(void *dev, pio_byte_fn *byte, unsigned int port,
			     unsigned int size, bool is_write, uint32_t *val)
{
	uint32_t r = 0;
	unsigned int i;

	for (i = 0; i < size; i++) {
		uint8_t b = is_write ? (uint8_t)(*val >> (8 * i)) : 0;

		if (!byte(dev, port + i, is_write, &b))
			b = 0xff;
		r |= (uint32_t)b << (8 * i);
	}
	if (!is_write)
		*val = r;
}

#endif /* VTXCTL_PIO_BYTES_H */
