// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loaders for 'vtxctl run': recognise the image, refuse options
 * its format does not use, and run one load: the format's file
 * (loader_flat.c, loader_elf.c, loader_multiboot.c, loader_bzimage.c)
 * checks the file and places its parts through the planner (layout.c), the
 * parts of the guest's mode follow, and only then is guest RAM written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "acpi.h"
#include "loader_int.h"

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

/* ---- Writing guest RAM -------------------------------------------------- */

/* An ELF's segments, or the bytes of the file, then zeroes to the end. */
static void write_image(struct loader *ld)
{
	const struct guest_range *image = &ld->res->layout.part[LAYOUT_IMAGE];
	uint8_t *dst = ld->ram + image->lo;

	if (ld->is_elf) {
		write_elf(ld);
		return;
	}
	memcpy(dst, ld->file + ld->file_off, ld->copy_len);
	memset(dst + ld->copy_len, 0, image->hi - image->lo - ld->copy_len);
}

/* Place the image and what comes with it; sets mode and entry. */
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

/*
 * The firmware tables (opts->fw) take the BIOS area before anything else
 * is placed, so that the parts placed in a window avoid it; those a format
 * puts at fixed addresses are checked against it by firmware_clear().
 */
static int plan_firmware(struct loader *ld)
{
	const struct fw_config *fw = ld->opts->fw;

	if (!fw)
		return 0;
	if (fw_size(fw) < 0)
		return fail(ld, "cannot build firmware tables for %u CPUs, I/O APIC ID %u, SCI on IRQ %u: they need 1 to %u CPUs, an I/O APIC ID below 255, the SCI on ISA IRQ 1 or 3-15",
			    fw->ncpus, fw->ioapic_id, fw->sci_irq, FW_MAX_CPUS);
	if (ld->ram_size < FW_BASE + FW_SIZE)
		return fail(ld, "the firmware tables at 0x%llx need guest RAM up to 1 MiB, but RAM is %s",
			    (unsigned long long)FW_BASE,
			    size_str(ld->ram_size).s);
	layout_reserve(&ld->res->layout, LAYOUT_FIRMWARE, FW_BASE,
		       FW_BASE + FW_SIZE);
	return 0;
}

static int firmware_clear(struct loader *ld)
{
	static const char *const names[LAYOUT_NR] = {
		[LAYOUT_IMAGE] = "image", [LAYOUT_KERNEL] = "kernel's memory",
		[LAYOUT_INITRD] = "initrd",
	};
	const struct layout *l = &ld->res->layout;
	const struct guest_range *fw = &l->part[LAYOUT_FIRMWARE];
	unsigned int i;

	for (i = 0; fw->lo < fw->hi && i < LAYOUT_FIRMWARE; i++) {
		const struct guest_range *r = &l->part[i];

		if (r->lo < r->hi && r->lo < fw->hi && fw->lo < r->hi)
			return fail(ld, "the %s at 0x%llx-0x%llx overlaps the firmware tables at 0x%llx-0x%llx",
				    names[i] ? names[i] : "load",
				    (unsigned long long)r->lo,
				    (unsigned long long)r->hi,
				    (unsigned long long)fw->lo,
				    (unsigned long long)fw->hi);
	}
	return 0;
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
		.file = file, .file_size = file_size,
		.ram = ram, .ram_size = ram_size,
		.opts = opts, .res = res, .err = err, .errlen = errlen,
	};
	const struct guest_range *image = &res->layout.part[LAYOUT_IMAGE];
	enum image_format fmt;

	memset(res, 0, sizeof(*res));
	layout_init(&res->layout, ram_size);
	if (err && errlen)
		err[0] = '\0';
	if (detect(&ld, &fmt))
		return -1;
	res->format = fmt;
	if (check_opts(&ld, fmt))
		return -1;

	if (plan_firmware(&ld) || plan_image(&ld, fmt))
		return -1;
	if (res->mode != MODE_LONG && image->hi > 4 * GiB)
		return fail(&ld, "the image ends at 0x%llx, beyond the 4 GiB a %s-mode guest can address",
			    (unsigned long long)image->hi,
			    guest_mode_name(res->mode));
	if (check_entry(&ld, fmt) || plan_mode_parts(&ld) ||
	    firmware_clear(&ld))
		return -1;

	/* Everything is checked: from here on nothing fails. */
	write_image(&ld);
	if (fmt == IMAGE_MULTIBOOT)
		write_mbi(&ld);
	if (fmt == IMAGE_BZIMAGE)
		write_boot_params(&ld);
	write_mode_parts(&ld);
	if (opts->fw)
		fw_build(opts->fw, ram + FW_BASE, FW_SIZE);
	if (opts->fw && opts->fw->mp_wakeup)
		fw_write_mp_wakeup(ram);
	return 0;
}
