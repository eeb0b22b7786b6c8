/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest image loaders for 'vtxctl run': recognise an image file and place it
 * in the flat guest RAM buffer.  Pure logic, no ioctls, host unit-tested.
 */
#ifndef VTXCTL_LOADER_H
#define VTXCTL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"	/* build_identity_map(), for long mode */

struct fw_config;

/*
 * Guest memory map.  Guest-physical address 0 is ram[0].  The caller hands
 * in zeroed RAM; the loader writes only inside the parts of the layout
 * (struct layout below), which one planner (layout.c) places before the
 * first byte is written: every part lies in RAM, and no two overlap but
 * for a bzImage's own image inside the memory the kernel will run in.
 *
 * Low allocations (the long-mode page tables, the multiboot information,
 * the zero page) take the first 4 KiB-aligned area at or above
 * LOADER_LOW_BASE that is clear of every part already placed (the image
 * counts as the one range LAYOUT_IMAGE, gaps between ELF segments
 * included), so with an image at 1 MiB they land at 0x1000.  The tables may
 * go anywhere below 4 GiB; the multiboot information stays below
 * LOADER_LOW_END, the zero page below LOADER_EBDA.  Page 0 stays unused so
 * that a null pointer in the guest does not hit loader data.
 */
#define LOADER_LOW_BASE		0x1000ULL
#define LOADER_LOW_END		0xa0000ULL	/* 640 KiB: end of low memory */

/* Flat images: default load address (and entry). */
#define LOADER_FLAT_LOAD_REAL	0x7c00ULL	/* BIOS boot-sector address */
#define LOADER_FLAT_LOAD	0x100000ULL	/* 1 MiB, protected and long */

/*
 * Initial stack (res->stack): 32- and 64-bit guests get the top of RAM
 * (capped at 4 GiB, 16-byte aligned) if the LOADER_STACK_SIZE bytes below it
 * are free; real-mode guests get SS:SP = 0:0x7c00, the boot-sector
 * convention, if the LOADER_STACK_SIZE_REAL bytes below it are free.
 * Otherwise there is no stack (0) and the image must set its own.
 */
#define LOADER_STACK_SIZE	0x10000ULL	/* 64 KiB */
#define LOADER_STACK_REAL	0x7c00ULL
#define LOADER_STACK_SIZE_REAL	0x1000ULL	/* 4 KiB */

/*
 * The GDT of protected and long mode (real mode has none) fills one 4 KiB
 * page at res->gdt, which vtxctl loads into GDTR: null, SEL_CODE (flat
 * 32-bit code, or 64-bit code in long mode), SEL_DATA (flat data), SEL_TSS
 * (a busy TSS, 16 bytes as long mode needs) whose 104 zero bytes are in the
 * same page at GDT_TSS_OFFSET (x86.h).  The page is the first from
 * LOADER_LOW_END up that no other part uses (the 640 KiB - 1 MiB hole,
 * which neither the multiboot memory map nor the bzImage's e820 map offers
 * as RAM, so that the kernel does not reuse it); failing that, the first
 * free page from 4 KiB up.
 */

/*
 * Multiboot v1 (Multiboot Specification 0.6.96).  The image loads from the
 * header's address fields (flag bit 16) or else as an ELF32.  The guest
 * starts in protected mode, paging off, with EAX = the bootloader magic and
 * EBX = the information structure, which is a low allocation (see above):
 * the structure, then the memory map, the module list and the strings.  It
 * reports mem_lower = 640 and mem_upper = (RAM - 1 MiB) / 1 KiB (flag bit 0),
 * a memory map (bit 6) of [0, 640 KiB) and [1 MiB, end of RAM), both
 * available (no BIOS runs, so there is no EBDA to hold back), the command
 * line (bit 2) and module 0 (bit 3) when given, and the boot loader name
 * "vtxhv" (bit 9).  Header flag bits 0-2 are honoured (bit 2, video mode, by
 * ignoring it); any other bit in 0-15 makes the load fail.
 */
#define MULTIBOOT_HEADER_MAGIC		0x1badb002U
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002U
#define MULTIBOOT_SEARCH		8192	/* header lies in this prefix */

/*
 * bzImage, by the Linux boot protocol's 64-bit entry
 * (Documentation/x86/boot.rst, "64-bit Boot Protocol"): it needs protocol
 * 2.12 or later (2.06 for the fields used, 2.12 for xloadflags) with
 * XLF_KERNEL_64.  The protected-mode kernel, the file past its
 * (setup_sects + 1) * 512 bytes of real-mode code, is loaded at
 * LOADER_BZIMAGE_LOAD; the real-mode code is not loaded and never runs.
 * RAM must also hold the init_size bytes the kernel needs where it will
 * run: pref_address, or for a relocatable kernel the load address rounded
 * up to kernel_alignment if that is higher (where Linux's decompressor
 * puts it).  The zero page (struct boot_params) with the command line
 * right after it is a low allocation (see above) below the EBDA; the
 * initrd goes at the top of RAM below min(RAM, initrd_addr_max + 1), 4 KiB
 * aligned and clear of the kernel.  The e820 map: RAM [0, 0x9fc00),
 * reserved [0x9fc00, 0xa0000) (EBDA) and [0xf0000, 0x100000) (BIOS), RAM
 * from 1 MiB to the end of RAM.  The guest starts in long mode with the
 * identity map, RIP = LOADER_BZIMAGE_LOAD + 0x200 and RSI = the zero page.
 * The GDT is the caller's: boot.rst asks for flat code at 0x10 and data at
 * 0x18, but Linux's startup_64 loads only null data selectors before it
 * loads its own GDT and reloads CS.
 */
#define LOADER_BZIMAGE_LOAD	0x100000ULL
#define LOADER_BZIMAGE_ENTRY64	0x200		/* from the load address */
#define LOADER_EBDA		0x9fc00ULL	/* e820: reserved to 640 KiB */

/*
 * The command line a bzImage gets when the caller gives none: with the
 * in-kernel irqchip (vtxctl run's default for a bzImage), and without,
 * where the guest has no APIC.
 */
#define LOADER_BZIMAGE_CMDLINE_APIC \
	"console=ttyS0 earlyprintk=serial,ttyS0 tsc=reliable"
#define LOADER_BZIMAGE_CMDLINE \
	"console=ttyS0 earlyprintk=serial,ttyS0 noapic nolapic tsc=reliable"

enum guest_mode {
	MODE_REAL = 16,		/* CR0.PE = 0; entry linear, below 1 MiB */
	MODE_PROTECTED = 32,	/* flat 4 GiB segments, paging off */
	MODE_LONG = 64,		/* IA-32e mode, paging on with res->cr3 */
};

enum image_format {
	IMAGE_FLAT,		/* raw bytes, copied as they are */
	IMAGE_ELF32,		/* ELFCLASS32, EM_386 */
	IMAGE_ELF64,		/* ELFCLASS64, EM_X86_64 */
	IMAGE_MULTIBOOT,	/* multiboot v1 header in the first 8 KiB */
	IMAGE_BZIMAGE,		/* Linux bzImage (boot protocol >= 2.00) */
};

struct load_opts {
	/*
	 * Flat images only (an error for other formats): load_addr is where
	 * the first byte goes (default LOADER_FLAT_LOAD_REAL in real mode,
	 * else LOADER_FLAT_LOAD), entry the first instruction (default
	 * load_addr).  Each is used only if its has_ flag is set.
	 */
	uint64_t load_addr;
	uint64_t entry;
	bool has_load;
	bool has_entry;
	/*
	 * Flat images only: the mode to enter the guest in; 0 means
	 * MODE_PROTECTED.  Other formats imply their mode and ignore this.
	 */
	enum guest_mode mode;
	/*
	 * The command line: multiboot's (info flag bit 2), NULL for none;
	 * a bzImage's, NULL for LOADER_BZIMAGE_CMDLINE ("" for an empty one).
	 */
	const char *cmdline;
	/*
	 * NULL for none.  Multiboot: module 0 (info flag bit 3), copied to
	 * the first 4 KiB boundary above the image; initrd_name (NULL = "")
	 * is the module's string.  bzImage: the initrd (see above);
	 * initrd_name is not used.
	 */
	const void *initrd;
	size_t initrd_size;
	const char *initrd_name;
	/*
	 * NULL for none.  Any format: the ACPI and MP tables for this
	 * configuration (acpi.h), in the BIOS area at FW_BASE, a part placed
	 * before the image's, with the wake-up mailbox and the APs' firmware
	 * if fw->mp_wakeup; a bzImage's zero page also gets the RSDP's
	 * address (acpi_rsdp_addr, boot protocol 2.14 and later).
	 */
	const struct fw_config *fw;
};

/*
 * The parts of a load, in the order they are placed.  Each is one range of
 * guest-physical addresses; one that is not there is empty (lo == hi).
 */
enum layout_part {
	LAYOUT_IMAGE,	/* the image and its bss: from the lowest ELF */
			/*   segment to the end of the highest */
	LAYOUT_KERNEL,	/* bzImage: the init_size bytes the kernel will */
			/*   run in (not written; may hold LAYOUT_IMAGE) */
	LAYOUT_INITRD,	/* multiboot module 0 or the bzImage initrd */
	LAYOUT_PARAMS,	/* the multiboot information, or the zero page */
			/*   with the command line right after it */
	LAYOUT_TABLES,	/* long mode: the identity map at res->cr3 */
	LAYOUT_STACK,	/* the stack area below res->stack (not written) */
	LAYOUT_GDT,	/* protected and long mode: the GDT at res->gdt */
	LAYOUT_FIRMWARE, /* opts->fw: FW_BASE to 1 MiB (placed first) */
	LAYOUT_NR
};

struct guest_range {
	uint64_t lo, hi;	/* guest-physical [lo, hi) */
};

struct layout {
	uint64_t ram_size;
	struct guest_range part[LAYOUT_NR];
};

struct load_result {
	enum image_format format;
	enum guest_mode mode;	/* mode to enter the guest in */
	uint64_t entry;		/* RIP/EIP at entry, a linear address */
	uint64_t stack;		/* initial RSP/ESP, 0 = none (see above) */
	uint32_t eax;		/* multiboot: MULTIBOOT_BOOTLOADER_MAGIC */
	uint32_t ebx;		/* multiboot: address of the information */
	uint64_t rsi;		/* bzImage: the zero page's address, else 0 */
	uint64_t cr3;		/* long mode: the identity-map PML4, else 0 */
	uint64_t gdt;		/* the GDT (see above), 0 in real mode */
	struct layout layout;	/* where each part went */
};

const char *image_format_name(enum image_format f);
const char *guest_mode_name(enum guest_mode m);

/*
 * Recognise an image: a valid multiboot v1 header wins over ELF, ELF over
 * bzImage, and anything else is flat.  Returns 0, or -1 for a file that
 * claims a format it does not satisfy (a non-x86 ELF, a bzImage with a bad
 * setup header); load_image() says why.
 */
int detect_image(const void *file, size_t file_size, enum image_format *fmt);

/*
 * Detect the image and load it into ram[0, ram_size).  Returns 0 with *res
 * filled, or -1 with a message in err (which may be NULL).  Everything is
 * checked before the first byte is written: on failure RAM is unchanged.
 */
int load_image(const void *file, size_t file_size, uint8_t *ram,
	       size_t ram_size, const struct load_opts *opts,
	       struct load_result *res, char *err, size_t errlen);

#endif /* VTXCTL_LOADER_H */
