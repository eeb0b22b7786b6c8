/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's linear addresses, as its own page tables map them: the walk a
 * debugger needs to read and write guest memory by the addresses gdb uses.
 * Over one RAM buffer at guest-physical 0 (vtxctl's single slot); no
 * ioctl, no access rights (a debugger writes breakpoints into read-only
 * text), no accessed or dirty bits set.  Unit-tested on the host.
 */
#ifndef VTXCTL_GUEST_MMU_H
#define VTXCTL_GUEST_MMU_H

#include <stddef.h>
#include <stdint.h>

/* The registers that select and locate the guest's paging structures. */
struct guest_mmu {
	uint64_t cr0, cr3, cr4, efer;
	uint8_t *ram;			/* guest-physical 0 */
	uint64_t ram_size;
};

/*
 * Translate @gva (SDM Vol. 3A 4.3-4.5): no paging (CR0.PG = 0: the low 32
 * bits), 32-bit (4 MiB pages with CR4.PSE, PSE-36), PAE (PDPTEs read from
 * memory at CR3, 2 MiB pages) or 4-level (canonical addresses only; 2 MiB
 * and 1 GiB pages).  Return 0 with *@gpa and, if @left is not NULL, the
 * bytes from @gva to the end of its page; -EFAULT if the guest would fault
 * (not present, reserved bits, non-canonical) or a table is outside RAM.
 */
int guest_mmu_translate(const struct guest_mmu *m, uint64_t gva,
			uint64_t *gpa, uint64_t *left);

/*
 * Copy @len bytes between guest-virtual @gva and @buf, page by page; all
 * or nothing: -EFAULT if any byte is unmapped or outside RAM, before any
 * is written.
 */
int guest_mmu_read(const struct guest_mmu *m, uint64_t gva, void *buf,
		   size_t len);
int guest_mmu_write(const struct guest_mmu *m, uint64_t gva,
		    const void *buf, size_t len);

#endif /* VTXCTL_GUEST_MMU_H */
