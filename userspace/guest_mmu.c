// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of the guest's page tables for vtxctl's gdb stub (guest_mmu.h),
 * written from the Intel SDM Vol. 3A chapter 4 as kmod/gwalk.c is, but
 * without access rights: a debugger sees all of the guest's memory.
 */
#include <errno.h>
#include <string.h>

#include "guest_mmu.h"
#include "x86.h"

#define PTE_ADDR	0x000ffffffffff000ULL	/* bits 51:12 */

/* One entry of @size bytes at @gpa, or -EFAULT outside RAM. */
static int read_pte(const struct guest_mmu *m, uint64_t gpa, int size,
		    uint64_t *e)
{
	uint32_t v32;

	if (gpa > m->ram_size || m->ram_size - gpa < (uint64_t)size)
		return -EFAULT;
	if (size == 4) {
		memcpy(&v32, m->ram + gpa, 4);
		*e = v32;
	} else {
		memcpy(e, m->ram + gpa, 8);
	}
	return 0;
}

int guest_mmu_translate(const struct guest_mmu *m, uint64_t gva,
			uint64_t *gpa, uint64_t *left)
{
	bool lma = m->efer & EFER_LMA, pae = m->cr4 & X86_CR4_PAE;
	int esz = pae || lma ? 8 : 4, level;
	uint64_t table, e, off;
	unsigned int shift;

	if (!(m->cr0 & X86_CR0_PG)) {
		*gpa = (uint32_t)gva;
		shift = 12;
		goto done;
	}
	if (lma) {
		/* Bits 63:47 copy bit 47 (SDM Vol. 1 3.3.7.1). */
		if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
			return -EFAULT;
		level = 4;
		table = m->cr3 & PTE_ADDR;
	} else if (pae) {
		gva = (uint32_t)gva;
		/* The PDPT: 32-byte aligned at CR3 (SDM Vol. 3A 4.4.1). */
		if (read_pte(m, (m->cr3 & 0xffffffe0) + (gva >> 30) * 8, 8,
			     &e) || !(e & X86_PTE_P))
			return -EFAULT;
		level = 2;
		table = e & PTE_ADDR;
	} else {
		gva = (uint32_t)gva;
		level = 2;
		table = m->cr3 & 0xfffff000;
	}
	for (;; level--) {
		unsigned int bits = esz == 4 ? 10 : 9;
		uint64_t idx;

		shift = 12 + bits * (level - 1);
		idx = (gva >> shift) & ((1U << bits) - 1);
		if (read_pte(m, table + idx * esz, esz, &e) ||
		    !(e & X86_PTE_P))
			return -EFAULT;
		if (level == 1)
			break;
		if (e & X86_PTE_PS) {
			if (esz == 4 && !(m->cr4 & X86_CR4_PSE))
				goto next;	/* PS ignored without PSE */
			if (esz == 8 && level > 3)
				return -EFAULT;	/* reserved in a PML4E */
			break;
		}
next:
		table = e & (esz == 4 ? 0xfffff000 : PTE_ADDR);
	}
	off = (1ULL << shift) - 1;
	if (esz == 4 && shift == 22)	/* PSE-36: bits 20:13 are 39:32 */
		*gpa = (e & 0xffc00000) | ((e & 0x1fe000ULL) << 19);
	else
		*gpa = e & PTE_ADDR & ~off;
	*gpa |= gva & off;
done:
	if (left)
		*left = (1ULL << shift) - (gva & ((1ULL << shift) - 1));
	return 0;
}

/*
 * Call @fn on each piece of [gva, gva + len) that one page maps, once the
 * whole range is known to be mapped and in RAM.
 */
static int for_each_piece(const struct guest_mmu *m, uint64_t gva,
			  size_t len, void (*fn)(const struct guest_mmu *,
						 uint64_t, size_t, size_t,
						 void *),
			  void *arg)
{
	size_t done = 0;
	int pass;

	/* Pass 0 checks every piece, pass 1 copies: all or nothing. */
	for (pass = 0; pass < 2; pass++) {
		for (done = 0; done < len;) {
			uint64_t gpa, left;
			size_t n;
			int ret;

			ret = guest_mmu_translate(m, gva + done, &gpa, &left);
			if (ret)
				return ret;
			n = len - done < left ? len - done : left;
			if (gpa > m->ram_size || m->ram_size - gpa < n)
				return -EFAULT;
			if (pass)
				fn(m, gpa, done, n, arg);
			done += n;
		}
	}
	return 0;
}

static void copy_out(const struct guest_mmu *m, uint64_t gpa, size_t off,
		     size_t n, void *buf)
{
	memcpy((uint8_t *)buf + off, m->ram + gpa, n);
}

static void copy_in(const struct guest_mmu *m, uint64_t gpa, size_t off,
		    size_t n, void *buf)
{
	memcpy(m->ram + gpa, (const uint8_t *)buf + off, n);
}

int guest_mmu_read(const struct guest_mmu *m, uint64_t gva, void *buf,
		   size_t len)
{
	return for_each_piece(m, gva, len, copy_out, buf);
}

int guest_mmu_write(const struct guest_mmu *m, uint64_t gva,
		    const void *buf, size_t len)
{
	return for_each_piece(m, gva, len, copy_in, (void *)buf);
}
