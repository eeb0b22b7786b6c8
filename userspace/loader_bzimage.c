// SPDX-License-Identifier: GPL-2.0
/*
 * Linux bzImages for the loader, by the 64-bit boot protocol
 * (Documentation/x86/boot.rst): the setup header, the protected-mode
 * kernel and the memory it will run in, the initrd, and the zero page with
 * the command line and the e820 map.
 */
#include <string.h>

#include "acpi.h"
#include "loader_int.h"

/*
 * Linux boot protocol (Documentation/x86/boot.rst, "The Real-Mode Kernel
 * Header" and "Details of Header Fields"): setup header fields, at these
 * offsets both in the image's first sectors and in struct boot_params.
 */
#define BZ_SETUP_SECTS		0x1f1
#define BZ_SYSSIZE		0x1f4	/* 16-byte units (2.04+) */
#define BZ_BOOT_FLAG		0x1fe
#define BZ_JUMP			0x200	/* byte 1: where the header ends */
#define BZ_HEADER		0x202
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21c
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22c	/* 2.03+ */
#define BZ_KERNEL_ALIGNMENT	0x230	/* 2.05+ */
#define BZ_RELOCATABLE		0x234	/* 2.05+ */
#define BZ_XLOADFLAGS		0x236	/* 2.12+ */
#define BZ_CMDLINE_SIZE		0x238	/* 2.06+ */
#define BZ_PREF_ADDRESS		0x258	/* 2.10+ */
#define BZ_INIT_SIZE		0x260	/* 2.10+ */
#define BZ_HDRS			0x53726448U	/* "HdrS" */
#define BZ_LOADED_HIGH		(1U << 0)	/* loadflags */
#define BZ_XLF_KERNEL_64	(1U << 0)	/* xloadflags: entry at 0x200 */
#define BZ_LOADER_UNDEFINED	0xff		/* type_of_loader: no ID */
#define BZ_MIN_VERSION		0x0206
#define BZ_XLF_VERSION		0x020c

/*
 * The zero page (Documentation/x86/zero-page.rst, "Zero Page"): the fields
 * of struct boot_params outside the setup header that vtxhv fills.  The
 * rest stays zero, sentinel included (boot.rst, "64-bit Boot Protocol":
 * allocated and initialized to all zero, then the setup header copied in).
 */
#define ZP_SIZE			4096
#define ZP_ACPI_RSDP_ADDR	0x070	/* u64, boot protocol 2.14+ */
#define BZ_RSDP_VERSION		0x020e
#define ZP_E820_ENTRIES		0x1e8
#define ZP_HDR_LIMIT		0x290	/* room for the setup header ends */
#define ZP_E820_TABLE		0x2d0
#define E820_ENTRY_SIZE		20	/* addr, size (u64), type (u32) */
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_BIOS		0xf0000ULL	/* reserved up to 1 MiB */
#define BZ_E820_ENTRIES		4

/* The firmware tables (acpi.h) lie in the BIOS area the map reserves. */
_Static_assert(FW_BASE >= E820_BIOS && FW_BASE + FW_SIZE <= MiB,
	       "the e820 map must reserve the firmware tables");

/* Where the setup header ends (boot.rst, "64-bit Boot Protocol"). */
static unsigned int bz_header_end(const uint8_t *f)
{
	return BZ_HEADER + f[BZ_JUMP + 1];
}

/* Sectors of real-mode code: 0 in setup_sects means 4 (boot.rst). */
static unsigned int bz_setup_sects(const uint8_t *f)
{
	return f[BZ_SETUP_SECTS] ? f[BZ_SETUP_SECTS] : 4;
}

/* The boot sector and the setup sectors, then the protected-mode kernel. */
static uint64_t bz_kernel_offset(const uint8_t *f)
{
	return (bz_setup_sects(f) + 1) * 512ULL;
}

/* A setup header: "HdrS" behind the 0xAA55 boot flag. */
bool is_bzimage(const uint8_t *f, size_t n)
{
	return n >= BZ_HEADER + 4 && get16(f + BZ_BOOT_FLAG) == 0xaa55 &&
	       get32(f + BZ_HEADER) == BZ_HDRS;
}

/* A file with a setup header must be a bzImage. */
int check_bzimage(const struct loader *ld)
{
	const uint8_t *f = ld->file;
	unsigned int version;

	if (ld->file_size <= bz_kernel_offset(f))
		return fail(ld, "truncated bzImage: %u setup sectors, but the file has only %zu bytes",
			    bz_setup_sects(f), ld->file_size);
	version = get16(f + BZ_VERSION);
	if (version < 0x0200)
		return fail(ld, "Linux boot protocol %u.%02u is too old: a bzImage needs 2.00 or later",
			    version >> 8, version & 0xff);
	if (!(f[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return fail(ld, "this is a zImage, which loads below 1 MiB: build the kernel with 'make bzImage'");
	return 0;
}

/* What the 64-bit entry needs of the header: detect() checked the rest. */
static int bz_check_header(const struct loader *ld)
{
	const uint8_t *f = ld->file;
	unsigned int version = get16(f + BZ_VERSION);
	unsigned int xlf = get16(f + BZ_XLOADFLAGS);
	uint64_t koff = bz_kernel_offset(f);
	uint64_t sys = (uint64_t)get32(f + BZ_SYSSIZE) * 16;

	if (version < BZ_MIN_VERSION)
		return fail(ld, "Linux boot protocol %u.%02u is too old: vtxhv boots bzImages through the 64-bit entry, which needs 2.06 or later",
			    version >> 8, version & 0xff);
	if (version < BZ_XLF_VERSION)
		return fail(ld, "Linux boot protocol %u.%02u has no xloadflags (2.12 and later): cannot tell whether the kernel has a 64-bit entry point",
			    version >> 8, version & 0xff);
	if (!(xlf & BZ_XLF_KERNEL_64))
		return fail(ld, "this bzImage has no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags 0x%x): vtxhv boots only 64-bit kernels",
			    xlf);
	if (bz_header_end(f) < BZ_INIT_SIZE + 4)
		return fail(ld, "the bzImage's setup header ends at 0x%x, too short for boot protocol %u.%02u",
			    bz_header_end(f), version >> 8, version & 0xff);
	if (sys > ld->file_size - koff)
		return fail(ld, "truncated bzImage: syssize says 0x%llx bytes of protected-mode kernel, the file has 0x%llx after the setup sectors",
			    (unsigned long long)sys,
			    (unsigned long long)(ld->file_size - koff));
	return 0;
}

/*
 * Where the kernel will run, from boot.rst's "kernel_alignment",
 * "relocatable_kernel", "pref_address" and "init_size": it needs init_size
 * bytes from there.  A relocatable kernel runs at its load address rounded
 * up to kernel_alignment, but (arch/x86/boot/compressed/head_64.S) never
 * below pref_address, where header.S puts LOAD_PHYSICAL_ADDR; any other
 * kernel moves itself to pref_address.
 */
static int bz_runtime(const struct loader *ld, struct guest_range *run)
{
	const uint8_t *f = ld->file;
	uint32_t align = get32(f + BZ_KERNEL_ALIGNMENT);
	uint64_t pref = get64(f + BZ_PREF_ADDRESS);
	uint64_t lo = pref ? pref : LOADER_BZIMAGE_LOAD;

	if (f[BZ_RELOCATABLE]) {
		if (!align || align & (align - 1))
			return fail(ld, "the bzImage's kernel_alignment 0x%x is not a power of two",
				    align);
		if (align_up(LOADER_BZIMAGE_LOAD, align) > lo)
			lo = align_up(LOADER_BZIMAGE_LOAD, align);
	}
	run->lo = lo;
	run->hi = lo + get32(f + BZ_INIT_SIZE);
	if (run->hi < lo)
		return fail(ld, "the bzImage's pref_address 0x%llx is out of range",
			    (unsigned long long)pref);
	return 0;
}

/*
 * The initrd at the top of RAM, as boot loaders do: below RAM's end and
 * below initrd_addr_max (the highest address it may occupy), on a page
 * boundary, and clear of the kernel.
 */
static int bz_plan_initrd(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct layout *l = &ld->res->layout;
	uint64_t max = get32(ld->file + BZ_INITRD_ADDR_MAX);
	uint64_t top = min_u64(ld->ram_size, max + 1), start;

	if (!o->initrd && o->initrd_size)
		return fail(ld, "initrd of %zu bytes without its contents",
			    o->initrd_size);
	if (!o->initrd)
		return 0;
	start = (top - min_u64(top, o->initrd_size)) & ~(PAGE_SIZE - 1);
	if (o->initrd_size > top ||
	    !layout_is_free(l, start, start + o->initrd_size))
		return fail(ld, "initrd of %zu bytes does not fit in guest RAM (%s) below 0x%llx (the end of RAM or initrd_addr_max) and clear of the kernel's memory: give more memory",
			    o->initrd_size, size_str(ld->ram_size).s,
			    (unsigned long long)top);
	layout_reserve(l, LAYOUT_INITRD, start, start + o->initrd_size);
	return 0;
}

int plan_bzimage(struct loader *ld)
{
	const uint8_t *f = ld->file;
	const struct load_opts *o = ld->opts;
	struct load_result *res = ld->res;
	struct layout *l = &res->layout;
	uint64_t koff = bz_kernel_offset(f), ksize, need, size;
	uint32_t cmdline_size = get32(f + BZ_CMDLINE_SIZE);
	struct guest_range run = { 0, 0 };

	if (bz_check_header(ld) || bz_runtime(ld, &run))
		return -1;
	ksize = ld->file_size - koff;
	if (!fits(LOADER_BZIMAGE_LOAD, ksize, ld->ram_size))
		return fail(ld, "the bzImage's protected-mode kernel (%llu bytes) does not fit in guest RAM (%s) at 1 MiB",
			    (unsigned long long)ksize,
			    size_str(ld->ram_size).s);
	if (run.hi > ld->ram_size) {
		need = align_up(run.hi, MiB);
		return fail(ld, "the kernel needs guest RAM up to 0x%llx (init_size 0x%x from 0x%llx) but RAM is %s: give at least %s",
			    (unsigned long long)run.hi,
			    get32(f + BZ_INIT_SIZE),
			    (unsigned long long)run.lo,
			    size_str(ld->ram_size).s, size_str(need).s);
	}
	ld->file_off = koff;
	ld->copy_len = ksize;
	layout_reserve(l, LAYOUT_IMAGE, LOADER_BZIMAGE_LOAD,
		       LOADER_BZIMAGE_LOAD + ksize);
	layout_reserve(l, LAYOUT_KERNEL, run.lo, run.hi);

	if (bz_plan_initrd(ld))
		return -1;

	/* boot.rst, "The Kernel Command Line": at most cmdline_size bytes */
	ld->cmdline = o->cmdline ? o->cmdline : LOADER_BZIMAGE_CMDLINE;
	if (strlen(ld->cmdline) > cmdline_size)
		return fail(ld, "the command line is %zu bytes long, and this kernel takes at most %u (cmdline_size)",
			    strlen(ld->cmdline), cmdline_size);
	size = ZP_SIZE + strlen(ld->cmdline) + 1;
	if (layout_first_fit(l, LAYOUT_PARAMS, size, LOADER_LOW_BASE,
			     LOADER_EBDA))
		return fail(ld, "no room below 0x%llx for the zero page and the %zu-byte command line",
			    (unsigned long long)LOADER_EBDA,
			    strlen(ld->cmdline));

	res->mode = MODE_LONG;
	res->entry = LOADER_BZIMAGE_LOAD + LOADER_BZIMAGE_ENTRY64;
	res->rsi = l->part[LAYOUT_PARAMS].lo;
	return 0;
}

static void e820_entry(uint8_t *zp, unsigned int i, uint64_t addr,
		       uint64_t size, uint32_t type)
{
	uint8_t *e = zp + ZP_E820_TABLE + i * E820_ENTRY_SIZE;

	put64(e, addr);
	put64(e + 8, size);
	put32(e + 16, type);
}

/*
 * The zero page (boot.rst, "64-bit Boot Protocol"): all zero, the setup
 * header copied from the image and then filled in as "Details of Header
 * Fields" asks of a boot loader, the command line, the initrd and the
 * e820 map.  CAN_USE_HEAP stays clear: it describes a heap for the
 * real-mode setup code, which the 64-bit entry never runs.
 */
void write_boot_params(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	const struct layout *l = &ld->res->layout;
	uint64_t params = l->part[LAYOUT_PARAMS].lo;
	uint64_t cmdline = params + ZP_SIZE;
	uint8_t *zp = ld->ram + params;
	unsigned int end = bz_header_end(ld->file);

	memset(zp, 0, ZP_SIZE);
	if (end > ZP_HDR_LIMIT)
		end = ZP_HDR_LIMIT;
	memcpy(zp + BZ_SETUP_SECTS, ld->file + BZ_SETUP_SECTS,
	       end - BZ_SETUP_SECTS);
	zp[BZ_TYPE_OF_LOADER] = BZ_LOADER_UNDEFINED;

	strcpy((char *)ld->ram + cmdline, ld->cmdline);
	put32(zp + BZ_CMD_LINE_PTR, cmdline);

	if (o->initrd) {
		memcpy(ld->ram + l->part[LAYOUT_INITRD].lo, o->initrd,
		       o->initrd_size);
		put32(zp + BZ_RAMDISK_IMAGE, l->part[LAYOUT_INITRD].lo);
		put32(zp + BZ_RAMDISK_SIZE, o->initrd_size);
	}

	/*
	 * With firmware tables, the RSDP's address too, which Linux takes
	 * before it scans the BIOS area for the RSDP (Documentation/x86/
	 * zero-page.rst); older kernels scan.
	 */
	if (o->fw && get16(ld->file + BZ_VERSION) >= BZ_RSDP_VERSION)
		put64(zp + ZP_ACPI_RSDP_ADDR, FW_RSDP_ADDR);

	/*
	 * No firmware runs: keep only the EBDA and BIOS areas for Linux; the
	 * BIOS area holds the firmware tables when there are any.
	 */
	e820_entry(zp, 0, 0, LOADER_EBDA, E820_RAM);
	e820_entry(zp, 1, LOADER_EBDA, LOADER_LOW_END - LOADER_EBDA,
		   E820_RESERVED);
	e820_entry(zp, 2, E820_BIOS, MiB - E820_BIOS, E820_RESERVED);
	e820_entry(zp, 3, MiB, ld->ram_size - MiB, E820_RAM);
	zp[ZP_E820_ENTRIES] = BZ_E820_ENTRIES;
}
