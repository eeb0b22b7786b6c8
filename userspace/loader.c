// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loaders for 'vtxctl run': recognise the image, refuse options
 * its format does not use, and run one load: the format's file
 * (loader_flat.c, loader_elf.c, loader_multiboot.c, loader_bzimage.c)
 * plans and checks every placement, the page tables and stack follow, and
 * only then is guest RAM written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader_int.h"

#define LARGE_PAGE	(2 * MiB)
#define MAX_IDENTITY	(512 * GiB)	/* what one PDPT covers */

/* Paging-structure entry bits (Intel SDM Vol. 3A, 4.5). */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)	/* in a PDE: maps a 2 MiB page */

struct size_str size_str(uint64_t n)
{
	static const struct {
		uint64_t size;
		const char *name;
	} units[] = { { GiB, "GiB" }, { MiB, "MiB" }, { KiB, "KiB" } };
	struct size_str r;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (n && !(n % units[i].size)) {
			snprintf(r.s, sizeof(r.s), "%llu %s",
				 (unsigned long long)(n / units[i].size),
				 units[i].name);
			return r;
		}
	}
	snprintf(r.s, sizeof(r.s), "%llu bytes", (unsigned long long)n);
	return r;
}

int fail(const struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	if (ld->err && ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err, ld->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *image_format_name(enum image_format f)
{
	switch (f) {
	case IMAGE_FLAT:
		return "flat";
	case IMAGE_ELF32:
		return "ELF32";
	case IMAGE_ELF64:
		return "ELF64";
	case IMAGE_MULTIBOOT:
		return "multiboot";
	case IMAGE_BZIMAGE:
		return "bzImage";
	}
	return "unknown";
}

const char *guest_mode_name(enum guest_mode m)
{
	switch (m) {
	case MODE_REAL:
		return "real";
	case MODE_PROTECTED:
		return "protected";
	case MODE_LONG:
		return "long";
	}
	return "unknown";
}

/* ---- Recognising an image ---------------------------------------------- */

static int detect(const struct loader *ld, enum image_format *fmt)
{
	const uint8_t *f = ld->file;
	size_t n = ld->file_size, off;

	if (find_multiboot(f, n, &off)) {
		*fmt = IMAGE_MULTIBOOT;
		return 0;
	}
	if (is_elf(f, n))
		return elf_format(ld, fmt);
	if (is_bzimage(f, n)) {
		*fmt = IMAGE_BZIMAGE;
		return check_bzimage(ld);
	}
	/* A plain boot sector (0xAA55, no "HdrS") is a flat real-mode image. */
	*fmt = IMAGE_FLAT;
	return 0;
}

int detect_image(const void *file, size_t file_size, enum image_format *fmt)
{
	struct loader ld = { .file = file, .file_size = file_size };

	return detect(&ld, fmt);
}

/* ---- Planning: where everything goes ------------------------------------ */

void reserve(struct loader *ld, uint64_t lo, uint64_t hi)
{
	ld->used[ld->nused].lo = lo;
	ld->used[ld->nused].hi = hi;
	ld->nused++;
}

bool is_free(const struct loader *ld, uint64_t lo, uint64_t hi)
{
	unsigned int i;

	for (i = 0; i < ld->nused; i++)
		if (lo < ld->used[i].hi && ld->used[i].lo < hi)
			return false;
	return true;
}

/*
 * First 4 KiB-aligned [addr, addr + size) in [lo, hi) that overlaps nothing
 * reserved so far.  Each collision moves addr past the range it hit, so the
 * search ends after at most one step per reserved range.
 */
int place_low(const struct loader *ld, uint64_t size, uint64_t lo,
	      uint64_t hi, uint64_t *addr)
{
	uint64_t a = align_up(lo, PAGE_SIZE);
	unsigned int i;

again:
	if (!fits(a, size, hi))
		return -1;
	for (i = 0; i < ld->nused; i++) {
		if (a < ld->used[i].hi && ld->used[i].lo < a + size) {
			a = align_up(ld->used[i].hi, PAGE_SIZE);
			goto again;
		}
	}
	*addr = a;
	return 0;
}

/* The entry point must be reachable in the mode the guest starts in. */
static int check_entry(struct loader *ld, enum image_format fmt)
{
	const struct load_result *res = ld->res;
	unsigned long long entry = res->entry;

	if (entry >= ld->ram_size)
		return fail(ld, "entry point 0x%llx is outside guest RAM (%s)%s",
			    entry, size_str(ld->ram_size).s,
			    fmt == IMAGE_ELF64 ?
			    ": guest memory is identity-mapped, so link the image at its load address" :
			    "");
	if (res->mode == MODE_REAL && entry >= MiB)
		return fail(ld, "real-mode entry point 0x%llx is not below 1 MiB",
			    entry);
	if (entry >= 4 * GiB)
		return fail(ld, "entry point 0x%llx is beyond the first 4 GiB",
			    entry);
	return 0;
}

/* Long mode needs paging: an identity map of RAM below 4 GiB. */
static int plan_tables(struct loader *ld)
{
	uint64_t map = min_u64(ld->ram_size, 4 * GiB);
	uint64_t size = identity_map_bytes(map);

	if (ld->res->mode != MODE_LONG)
		return 0;
	if (place_low(ld, size, LOADER_LOW_BASE, map, &ld->res->cr3))
		return fail(ld, "no room in guest RAM (%s) for the %s of long-mode page tables next to the image at 0x%llx-0x%llx",
			    size_str(ld->ram_size).s, size_str(size).s,
			    (unsigned long long)ld->res->image_lo,
			    (unsigned long long)ld->res->image_hi);
	reserve(ld, ld->res->cr3, ld->res->cr3 + size);
	return 0;
}

static void plan_stack(struct loader *ld)
{
	uint64_t top, size;

	if (ld->res->mode == MODE_REAL) {
		top = LOADER_STACK_REAL;
		size = LOADER_STACK_SIZE_REAL;
	} else {
		top = min_u64(ld->ram_size, 4 * GiB) & ~15ULL;
		size = LOADER_STACK_SIZE;
	}
	if (top >= size && top <= ld->ram_size && is_free(ld, top - size, top))
		ld->res->stack = top;
}

/* ---- Writing guest RAM -------------------------------------------------- */

static void write_image(struct loader *ld)
{
	const struct load_result *res = ld->res;
	uint8_t *dst = ld->ram + res->image_lo;

	if (ld->is_elf) {
		write_elf(ld);
		return;
	}
	memcpy(dst, ld->file + ld->file_off, ld->copy_len);
	memset(dst + ld->copy_len, 0,
	       res->image_hi - res->image_lo - ld->copy_len);
}

/* ---- The long-mode identity map ----------------------------------------- */

uint64_t identity_map_bytes(uint64_t map_size)
{
	if (!map_size || map_size > MAX_IDENTITY)
		return 0;
	/* PML4, PDPT, and one page directory per GiB */
	return (2 + (map_size + GiB - 1) / GiB) * PAGE_SIZE;
}

long build_identity_map(uint8_t *ram, size_t ram_size, uint64_t table_addr,
			uint64_t map_size)
{
	uint64_t bytes = identity_map_bytes(map_size);
	uint64_t pdpt = table_addr + PAGE_SIZE;
	uint64_t pd = table_addr + 2 * PAGE_SIZE;
	uint64_t npd, npages, i;

	if (!bytes || table_addr % PAGE_SIZE ||
	    !fits(table_addr, bytes, ram_size))
		return -1;
	memset(ram + table_addr, 0, bytes);

	put64(ram + table_addr, pdpt | PTE_P | PTE_RW);
	npd = bytes / PAGE_SIZE - 2;
	for (i = 0; i < npd; i++)
		put64(ram + pdpt + i * 8,
		      (pd + i * PAGE_SIZE) | PTE_P | PTE_RW);
	/* The page directories are contiguous: one array of 2 MiB entries. */
	npages = (map_size + LARGE_PAGE - 1) / LARGE_PAGE;
	for (i = 0; i < npages; i++)
		put64(ram + pd + i * 8,
		      i * LARGE_PAGE | PTE_P | PTE_RW | PTE_PS);
	return bytes;
}

/* Place the image and what comes with it; sets mode, entry and image_*. */
static int plan_image(struct loader *ld, enum image_format fmt)
{
	switch (fmt) {
	case IMAGE_FLAT:
		return plan_flat(ld);
	case IMAGE_ELF32:
		return plan_elf(ld, false);
	case IMAGE_ELF64:
		return plan_elf(ld, true);
	case IMAGE_MULTIBOOT:
		return plan_multiboot(ld);
	case IMAGE_BZIMAGE:
		return plan_bzimage(ld);
	}
	return fail(ld, "unknown image format %d", fmt);
}

/* Options that would silently do nothing for this format are refused. */
static int check_opts(const struct loader *ld, enum image_format fmt)
{
	const struct load_opts *o = ld->opts;

	if (fmt != IMAGE_FLAT && (o->has_load || o->has_entry))
		return fail(ld, "--load and --entry apply only to flat images; the image is %s",
			    image_format_name(fmt));
	if (fmt != IMAGE_MULTIBOOT && fmt != IMAGE_BZIMAGE &&
	    (o->cmdline || o->initrd || o->initrd_size))
		return fail(ld, "a command line or initrd needs a multiboot or bzImage kernel; the image is %s",
			    image_format_name(fmt));
	return 0;
}

int load_image(const void *file, size_t file_size, uint8_t *ram,
	       size_t ram_size, const struct load_opts *opts,
	       struct load_result *res, char *err, size_t errlen)
{
	struct loader ld = {
		.file = file,
		.file_size = file_size,
		.ram = ram,
		.ram_size = ram_size,
		.opts = opts,
		.res = res,
		.err = err,
		.errlen = errlen,
	};
	enum image_format fmt;

	memset(res, 0, sizeof(*res));
	if (err && errlen)
		err[0] = '\0';
	if (detect(&ld, &fmt))
		return -1;
	res->format = fmt;
	if (check_opts(&ld, fmt))
		return -1;

	if (plan_image(&ld, fmt))
		return -1;
	if (res->mode != MODE_LONG && res->image_hi > 4 * GiB)
		return fail(&ld, "the image ends at 0x%llx, beyond the 4 GiB a %s-mode guest can address",
			    (unsigned long long)res->image_hi,
			    guest_mode_name(res->mode));
	if (check_entry(&ld, fmt) || plan_tables(&ld))
		return -1;
	plan_stack(&ld);

	/* Everything is checked: from here on nothing fails. */
	write_image(&ld);
	if (res->cr3)
		build_identity_map(ram, ram_size, res->cr3,
				   min_u64(ram_size, 4 * GiB));
	if (fmt == IMAGE_MULTIBOOT)
		write_mbi(&ld);
	if (fmt == IMAGE_BZIMAGE)
		write_boot_params(&ld);
	return 0;
}
