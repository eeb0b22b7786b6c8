// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 kernels for the loader (Multiboot Specification 0.6.96):
 * the header, the image by its address fields or as an ELF32, module 0,
 * and the multiboot information structure.
 */
#include <string.h>

#include "loader_int.h"

/* Multiboot header flags: bits 0-15 are requirements, 16-31 optional. */
#define MB_PAGE_ALIGN	(1U << 0)	/* modules on 4 KiB boundaries */
#define MB_MEMORY_INFO	(1U << 1)	/* mem_* and mmap_* wanted */
#define MB_VIDEO_MODE	(1U << 2)	/* accepted; no video, so ignored */
#define MB_REQUIRED	0xffffU
#define MB_SUPPORTED	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)
#define MB_AOUT_KLUDGE	(1U << 16)	/* load from the address fields */
#define MB_HEADER_SIZE	12		/* magic, flags, checksum */
#define MB_KLUDGE_SIZE	32		/* ... and the five address fields */

/* Multiboot information structure (spec 3.3): offsets and flags. */
#define MBI_FLAGS		0
#define MBI_MEM_LOWER		4
#define MBI_MEM_UPPER		8
#define MBI_CMDLINE		16
#define MBI_MODS_COUNT		20
#define MBI_MODS_ADDR		24
#define MBI_MMAP_LENGTH		44
#define MBI_MMAP_ADDR		48
#define MBI_BOOT_LOADER_NAME	64
#define MBI_SIZE		88
#define MBI_F_MEM		(1U << 0)
#define MBI_F_CMDLINE		(1U << 2)
#define MBI_F_MODS		(1U << 3)
#define MBI_F_MMAP		(1U << 6)
#define MBI_F_LOADER_NAME	(1U << 9)
#define MB_MOD_SIZE		16	/* mod_start, mod_end, string, pad */
#define MB_MMAP_ENTRY		24	/* size, base_addr, length, type */
#define MB_MMAP_AVAILABLE	1
#define MB_MAX_MMAP		2
#define MB_LOADER_NAME		"vtxhv"

/*
 * Multiboot spec 3.1: the header is 32-bit aligned, lies completely in the
 * first 8192 bytes, and magic + flags + checksum is 0 modulo 2^32.
 */
bool find_multiboot(const uint8_t *f, size_t n, size_t *off)
{
	size_t end = n < MULTIBOOT_SEARCH ? n : MULTIBOOT_SEARCH;
	size_t o;

	for (o = 0; o + MB_HEADER_SIZE <= end; o += 4) {
		uint32_t magic = get32(f + o);
		uint32_t sum = magic + get32(f + o + 4) + get32(f + o + 8);

		if (magic == MULTIBOOT_HEADER_MAGIC && !sum) {
			*off = o;
			return true;
		}
	}
	return false;
}

/*
 * Multiboot spec 3.1.3: the address fields map the header's file offset to
 * header_addr; loading starts (header_addr - load_addr) bytes before it.
 */
static int plan_aout_kludge(struct loader *ld, size_t off)
{
	const uint8_t *h = ld->file + off;
	struct load_result *res = ld->res;
	uint32_t header_addr, load_addr, load_end, bss_end;
	uint64_t end, mem_end;

	if (off + MB_KLUDGE_SIZE > MULTIBOOT_SEARCH ||
	    off + MB_KLUDGE_SIZE > ld->file_size)
		return fail(ld, "multiboot header at offset 0x%zx is cut short: the address fields (flag bit 16) end past the first 8 KiB or the file",
			    off);
	header_addr = get32(h + 12);
	load_addr = get32(h + 16);
	load_end = get32(h + 20);
	bss_end = get32(h + 24);

	if (load_addr > header_addr)
		return fail(ld, "multiboot load_addr 0x%x is above header_addr 0x%x",
			    load_addr, header_addr);
	if (header_addr - load_addr > off)
		return fail(ld, "multiboot header_addr 0x%x - load_addr 0x%x reaches before the start of the file (header at offset 0x%zx)",
			    header_addr, load_addr, off);
	ld->file_off = off - (header_addr - load_addr);
	if (load_end) {
		if (load_end < load_addr)
			return fail(ld, "multiboot load_end_addr 0x%x is below load_addr 0x%x",
				    load_end, load_addr);
		ld->copy_len = load_end - load_addr;
		if (!fits(ld->file_off, ld->copy_len, ld->file_size))
			return fail(ld, "multiboot load_end_addr 0x%x asks for 0x%llx bytes from file offset 0x%llx, past the end of the file (%zu bytes)",
				    load_end,
				    (unsigned long long)ld->copy_len,
				    (unsigned long long)ld->file_off,
				    ld->file_size);
	} else {
		ld->copy_len = ld->file_size - ld->file_off;
	}
	end = (uint64_t)load_addr + ld->copy_len;
	mem_end = end;
	if (bss_end) {
		if (bss_end < end)
			return fail(ld, "multiboot bss_end_addr 0x%x is below the end of the loaded data (0x%llx)",
				    bss_end, (unsigned long long)end);
		mem_end = bss_end;
	}
	if (!fits(load_addr, mem_end - load_addr, ld->ram_size))
		return fail(ld, "multiboot image at 0x%x+0x%llx is outside guest RAM (%s)",
			    load_addr,
			    (unsigned long long)(mem_end - load_addr),
			    size_str(ld->ram_size).s);

	layout_reserve(&res->layout, LAYOUT_IMAGE, load_addr, mem_end);
	res->mode = MODE_PROTECTED;
	res->entry = get32(h + 28);
	return 0;
}

/*
 * The information block: the structure itself, the memory map, the module
 * list and the strings, in that order, at one low address (below 640 KiB,
 * clear of the image and the module).
 */
static int plan_mbi(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct layout *l = &ld->res->layout;
	uint64_t size;

	ld->mmap_count = ld->ram_size > MiB ? 2 : 1;
	size = MBI_SIZE + ld->mmap_count * MB_MMAP_ENTRY;
	if (o->initrd)
		size += MB_MOD_SIZE +
			strlen(o->initrd_name ? o->initrd_name : "") + 1;
	if (o->cmdline)
		size += strlen(o->cmdline) + 1;
	size += sizeof(MB_LOADER_NAME);

	if (layout_first_fit(l, LAYOUT_PARAMS, size, LOADER_LOW_BASE,
			     LOADER_LOW_END))
		return fail(ld, "no room below 640 KiB for the %llu bytes of multiboot information (image at 0x%llx-0x%llx)",
			    (unsigned long long)size,
			    (unsigned long long)l->part[LAYOUT_IMAGE].lo,
			    (unsigned long long)l->part[LAYOUT_IMAGE].hi);
	return 0;
}

/* Module 0 on the first page boundary after the image. */
static int plan_module(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct layout *l = &ld->res->layout;
	const struct guest_range *image = &l->part[LAYOUT_IMAGE];
	/* Page aligned whether or not header flag bit 0 asks for it. */
	uint64_t start = align_up(image->hi, PAGE_SIZE);

	if (!o->initrd && o->initrd_size)
		return fail(ld, "initrd of %zu bytes without its contents",
			    o->initrd_size);
	if (!o->initrd)
		return 0;
	if (!fits(start, o->initrd_size, min_u64(ld->ram_size, 4 * GiB)))
		return fail(ld, "initrd of %zu bytes does not fit in guest RAM (%s) above the image at 0x%llx-0x%llx",
			    o->initrd_size, size_str(ld->ram_size).s,
			    (unsigned long long)image->lo,
			    (unsigned long long)image->hi);
	layout_reserve(l, LAYOUT_INITRD, start, start + o->initrd_size);
	return 0;
}

int plan_multiboot(struct loader *ld)
{
	struct load_result *res = ld->res;
	enum image_format inner;
	uint32_t flags;
	size_t off;

	find_multiboot(ld->file, ld->file_size, &off);
	flags = get32(ld->file + off + 4);
	/* Spec 3.1.2: an unsupported requirement bit must make us refuse. */
	if (flags & MB_REQUIRED & ~MB_SUPPORTED)
		return fail(ld, "multiboot header requires features 0x%x (flags 0x%x), which vtxhv does not provide",
			    flags & MB_REQUIRED & ~MB_SUPPORTED, flags);
	if (flags & MB_AOUT_KLUDGE) {
		if (plan_aout_kludge(ld, off))
			return -1;
	} else {
		if (!is_elf(ld->file, ld->file_size) ||
		    elf_format(ld, &inner) || inner != IMAGE_ELF32)
			return fail(ld, "multiboot header without address fields (flag bit 16) in a file that is not ELF32");
		if (plan_elf(ld, false))
			return -1;
	}

	if (plan_module(ld) || plan_mbi(ld))
		return -1;

	res->mode = MODE_PROTECTED;
	res->eax = MULTIBOOT_BOOTLOADER_MAGIC;
	res->ebx = res->layout.part[LAYOUT_PARAMS].lo;
	return 0;
}

/* Copy a string into the information block; returns its guest address. */
static uint32_t mbi_string(struct loader *ld, uint64_t *pos, const char *s)
{
	uint64_t addr = *pos;
	size_t len = strlen(s) + 1;

	memcpy(ld->ram + addr, s, len);
	*pos += len;
	return addr;
}

static void mbi_mmap_entry(uint8_t *p, uint64_t base, uint64_t len)
{
	put32(p, MB_MMAP_ENTRY - 4);	/* size excludes the size field */
	put64(p + 4, base);
	put64(p + 12, len);
	put32(p + 20, MB_MMAP_AVAILABLE);
}

/*
 * Spec 3.3.  No BIOS runs before the guest, so all of low memory (640 KiB,
 * no EBDA) and everything from 1 MiB to the end of RAM is available.
 */
void write_mbi(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	const struct guest_range *info = &ld->res->layout.part[LAYOUT_PARAMS];
	const struct guest_range *mod0 = &ld->res->layout.part[LAYOUT_INITRD];
	uint64_t mbi = info->lo;
	uint8_t *p = ld->ram + mbi;
	uint64_t low = min_u64(ld->ram_size, LOADER_LOW_END);
	uint64_t upper = ld->ram_size > MiB ? (ld->ram_size - MiB) / KiB : 0;
	uint64_t mmap = mbi + MBI_SIZE;
	uint64_t pos = mmap + ld->mmap_count * MB_MMAP_ENTRY;
	uint32_t flags = MBI_F_MEM | MBI_F_MMAP | MBI_F_LOADER_NAME;

	memset(p, 0, info->hi - info->lo);
	put32(p + MBI_MEM_LOWER, low / KiB);
	put32(p + MBI_MEM_UPPER, upper > UINT32_MAX ? UINT32_MAX : upper);

	mbi_mmap_entry(ld->ram + mmap, 0, low);
	if (ld->mmap_count > 1)
		mbi_mmap_entry(ld->ram + mmap + MB_MMAP_ENTRY, MiB,
			       ld->ram_size - MiB);
	put32(p + MBI_MMAP_LENGTH, ld->mmap_count * MB_MMAP_ENTRY);
	put32(p + MBI_MMAP_ADDR, mmap);

	if (o->initrd) {
		uint64_t mod = pos;

		pos += MB_MOD_SIZE;
		memcpy(ld->ram + mod0->lo, o->initrd, o->initrd_size);
		put32(ld->ram + mod, mod0->lo);
		put32(ld->ram + mod + 4, mod0->hi);
		put32(ld->ram + mod + 8,
		      mbi_string(ld, &pos,
				 o->initrd_name ? o->initrd_name : ""));
		put32(p + MBI_MODS_COUNT, 1);
		put32(p + MBI_MODS_ADDR, mod);
		flags |= MBI_F_MODS;
	}
	if (o->cmdline) {
		put32(p + MBI_CMDLINE, mbi_string(ld, &pos, o->cmdline));
		flags |= MBI_F_CMDLINE;
	}
	put32(p + MBI_BOOT_LOADER_NAME, mbi_string(ld, &pos, MB_LOADER_NAME));
	put32(p + MBI_FLAGS, flags);
}
