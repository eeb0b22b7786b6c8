// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loaders for 'vtxctl run': flat binaries, ELF32, ELF64 (with
 * an identity map for long mode), multiboot v1 with its information
 * structure, and Linux bzImages with their zero page.  Each load plans and
 * checks every placement first and only then writes guest RAM.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PAGE_SIZE	(4 * KiB)

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
#define ZP_E820_ENTRIES		0x1e8
#define ZP_HDR_LIMIT		0x290	/* room for the setup header ends */
#define ZP_E820_TABLE		0x2d0
#define E820_ENTRY_SIZE		20	/* addr, size (u64), type (u32) */
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_BIOS		0xf0000ULL	/* reserved up to 1 MiB */
#define BZ_E820_ENTRIES		4

struct range {
	uint64_t lo, hi;
};

/* The parts of an ELF header the loader uses, for either class. */
struct elf_image {
	bool is64;
	uint64_t entry;
	uint64_t phoff;
	unsigned int phnum;
	unsigned int phentsize;
};

struct segment {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

/* One load in progress: what is planned so far, and where errors go. */
struct loader {
	const uint8_t *file;
	size_t file_size;
	uint8_t *ram;
	uint64_t ram_size;
	const struct load_opts *opts;
	struct load_result *res;
	char *err;
	size_t errlen;

	/* Guest-physical ranges already taken; low allocations avoid them. */
	struct range used[6];
	unsigned int nused;

	/* The image: an ELF, or bytes copied from file_off then zeroed. */
	bool is_elf;
	struct elf_image elf;
	uint64_t file_off, copy_len;

	/* Multiboot information block, laid out by plan_mbi(). */
	uint64_t mbi_addr, mbi_size;
	unsigned int mmap_count;

	/* bzImage: the zero page, then the command line. */
	const char *cmdline;
	uint64_t params_addr;
};

struct size_str {
	char s[32];
};

/* "16 MiB" for messages; the largest unit that divides n exactly. */
static struct size_str size_str(uint64_t n)
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

__attribute__((format(printf, 2, 3)))
static int fail(const struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	if (ld->err && ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err, ld->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Is [addr, addr + len) inside [0, limit)?  Safe against wrap-around. */
static bool fits(uint64_t addr, uint64_t len, uint64_t limit)
{
	return len <= limit && addr <= limit - len;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Image and guest are both little-endian; these also avoid unaligned access. */
static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
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

/*
 * Multiboot spec 3.1: the header is 32-bit aligned, lies completely in the
 * first 8192 bytes, and magic + flags + checksum is 0 modulo 2^32.
 */
static bool find_multiboot(const uint8_t *f, size_t n, size_t *off)
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

static bool is_elf(const uint8_t *f, size_t n)
{
	return n >= SELFMAG && !memcmp(f, ELFMAG, SELFMAG);
}

/* ELF32 or ELF64 for an x86 ELF file, -1 with a message for another. */
static int elf_format(const struct loader *ld, enum image_format *fmt)
{
	const uint8_t *f = ld->file;
	unsigned int cls, machine;

	/* e_machine is the last field this needs, at the same offset in both */
	if (ld->file_size < offsetof(Elf32_Ehdr, e_machine) + 2)
		return fail(ld, "truncated ELF header: the file has only %zu bytes",
			    ld->file_size);
	cls = f[EI_CLASS];
	machine = get16(f + offsetof(Elf32_Ehdr, e_machine));
	if (cls == ELFCLASS32 && machine == EM_386)
		*fmt = IMAGE_ELF32;
	else if (cls == ELFCLASS64 && machine == EM_X86_64)
		*fmt = IMAGE_ELF64;
	else
		return fail(ld, "ELF file for machine %u, class %u: only x86 ELF32 (EM_386) and ELF64 (EM_X86_64) images can run",
			    machine, cls);
	return 0;
}

/* A setup header ("HdrS" behind the 0xAA55 boot flag) must be a bzImage. */
static int check_bzimage(const struct loader *ld)
{
	const uint8_t *f = ld->file;
	unsigned int setup = f[BZ_SETUP_SECTS] ? f[BZ_SETUP_SECTS] : 4;
	unsigned int version;

	/* boot sector plus setup sectors, then the protected-mode kernel */
	if (ld->file_size <= (setup + 1) * 512ULL)
		return fail(ld, "truncated bzImage: %u setup sectors, but the file has only %zu bytes",
			    setup, ld->file_size);
	version = get16(f + BZ_VERSION);
	if (version < 0x0200)
		return fail(ld, "Linux boot protocol %u.%02u is too old: a bzImage needs 2.00 or later",
			    version >> 8, version & 0xff);
	if (!(f[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return fail(ld, "this is a zImage, which loads below 1 MiB: build the kernel with 'make bzImage'");
	return 0;
}

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
	if (n >= BZ_HEADER + 4 && get16(f + BZ_BOOT_FLAG) == 0xaa55 &&
	    get32(f + BZ_HEADER) == BZ_HDRS) {
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

static void reserve(struct loader *ld, uint64_t lo, uint64_t hi)
{
	ld->used[ld->nused].lo = lo;
	ld->used[ld->nused].hi = hi;
	ld->nused++;
}

static bool is_free(const struct loader *ld, uint64_t lo, uint64_t hi)
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
static int place_low(const struct loader *ld, uint64_t size, uint64_t lo,
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

static int plan_flat(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct load_result *res = ld->res;
	enum guest_mode mode = o->mode ? o->mode : MODE_PROTECTED;
	uint64_t load;

	if (mode != MODE_REAL && mode != MODE_PROTECTED && mode != MODE_LONG)
		return fail(ld, "unknown guest mode %d: use 16, 32 or 64",
			    mode);
	if (!ld->file_size)
		return fail(ld, "the image file is empty");
	if (o->has_load)
		load = o->load_addr;
	else if (mode == MODE_REAL)
		load = LOADER_FLAT_LOAD_REAL;
	else
		load = LOADER_FLAT_LOAD;
	if (!fits(load, ld->file_size, ld->ram_size))
		return fail(ld, "flat image of %zu bytes at 0x%llx does not fit in guest RAM (%s): give more memory or a lower --load",
			    ld->file_size, (unsigned long long)load,
			    size_str(ld->ram_size).s);

	ld->file_off = 0;
	ld->copy_len = ld->file_size;
	res->mode = mode;
	res->image_lo = load;
	res->image_hi = load + ld->file_size;
	res->entry = o->has_entry ? o->entry : load;
	reserve(ld, res->image_lo, res->image_hi);
	return 0;
}

static int elf_parse(struct loader *ld, bool is64)
{
	const uint8_t *f = ld->file;
	struct elf_image *e = &ld->elf;
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	unsigned int type, version;

	if (ld->file_size < ehsize)
		return fail(ld, "truncated ELF header: the file has %zu bytes, an %s header needs %zu",
			    ld->file_size, is64 ? "ELF64" : "ELF32", ehsize);
	e->is64 = is64;
	if (is64) {
		Elf64_Ehdr h;

		memcpy(&h, f, sizeof(h));
		type = h.e_type;
		version = h.e_version;
		e->entry = h.e_entry;
		e->phoff = h.e_phoff;
		e->phnum = h.e_phnum;
		e->phentsize = h.e_phentsize;
	} else {
		Elf32_Ehdr h;

		memcpy(&h, f, sizeof(h));
		type = h.e_type;
		version = h.e_version;
		e->entry = h.e_entry;
		e->phoff = h.e_phoff;
		e->phnum = h.e_phnum;
		e->phentsize = h.e_phentsize;
	}

	if (f[EI_DATA] != ELFDATA2LSB)
		return fail(ld, "ELF file is not little-endian");
	if (f[EI_VERSION] != EV_CURRENT || version != EV_CURRENT)
		return fail(ld, "ELF file has unknown version %u", version);
	if (type != ET_EXEC && type != ET_DYN)
		return fail(ld, "ELF file of type %u is not an executable",
			    type);
	if (!e->phnum || e->phnum == PN_XNUM)
		return fail(ld, "ELF file has no program headers to load");
	if (e->phentsize < phsize)
		return fail(ld, "ELF program header size %u is below the %zu bytes of an %s program header",
			    e->phentsize, phsize, is64 ? "ELF64" : "ELF32");
	if (!fits(e->phoff, (uint64_t)e->phnum * e->phentsize, ld->file_size))
		return fail(ld, "ELF program headers (%u at offset 0x%llx) run past the end of the file (%zu bytes)",
			    e->phnum, (unsigned long long)e->phoff,
			    ld->file_size);
	return 0;
}

static void elf_segment(const struct loader *ld, unsigned int i,
			struct segment *s)
{
	const struct elf_image *e = &ld->elf;
	const uint8_t *p = ld->file + e->phoff + (uint64_t)i * e->phentsize;

	if (e->is64) {
		Elf64_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		s->type = ph.p_type;
		s->offset = ph.p_offset;
		s->paddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		s->type = ph.p_type;
		s->offset = ph.p_offset;
		s->paddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
	}
}

/* PT_LOAD segments go to p_paddr: file bytes first, then zeroes to memsz. */
static int plan_elf(struct loader *ld, bool is64)
{
	struct load_result *res = ld->res;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct segment s;
	unsigned int i;

	if (elf_parse(ld, is64))
		return -1;
	for (i = 0; i < ld->elf.phnum; i++) {
		elf_segment(ld, i, &s);
		if (s.type != PT_LOAD)
			continue;
		if (s.filesz > s.memsz)
			return fail(ld, "ELF segment at 0x%llx has more file bytes (0x%llx) than memory bytes (0x%llx)",
				    (unsigned long long)s.paddr,
				    (unsigned long long)s.filesz,
				    (unsigned long long)s.memsz);
		if (!s.memsz)
			continue;
		if (!fits(s.offset, s.filesz, ld->file_size))
			return fail(ld, "ELF segment at 0x%llx: its file bytes 0x%llx+0x%llx run past the end of the file (%zu bytes)",
				    (unsigned long long)s.paddr,
				    (unsigned long long)s.offset,
				    (unsigned long long)s.filesz,
				    ld->file_size);
		if (!fits(s.paddr, s.memsz, ld->ram_size))
			return fail(ld, "ELF segment at 0x%llx+0x%llx is outside guest RAM (%s)",
				    (unsigned long long)s.paddr,
				    (unsigned long long)s.memsz,
				    size_str(ld->ram_size).s);
		lo = min_u64(lo, s.paddr);
		if (s.paddr + s.memsz > hi)
			hi = s.paddr + s.memsz;
	}
	if (!hi)
		return fail(ld, "ELF file has no loadable segments");

	ld->is_elf = true;
	res->mode = is64 ? MODE_LONG : MODE_PROTECTED;
	res->image_lo = lo;
	res->image_hi = hi;
	res->entry = ld->elf.entry;
	reserve(ld, lo, hi);
	return 0;
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

	res->mode = MODE_PROTECTED;
	res->image_lo = load_addr;
	res->image_hi = mem_end;
	res->entry = get32(h + 28);
	reserve(ld, res->image_lo, res->image_hi);
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
	uint64_t size;

	ld->mmap_count = ld->ram_size > MiB ? 2 : 1;
	size = MBI_SIZE + ld->mmap_count * MB_MMAP_ENTRY;
	if (o->initrd)
		size += MB_MOD_SIZE +
			strlen(o->initrd_name ? o->initrd_name : "") + 1;
	if (o->cmdline)
		size += strlen(o->cmdline) + 1;
	size += sizeof(MB_LOADER_NAME);

	if (place_low(ld, size, LOADER_LOW_BASE,
		      min_u64(LOADER_LOW_END, ld->ram_size), &ld->mbi_addr))
		return fail(ld, "no room below 640 KiB for the %llu bytes of multiboot information (image at 0x%llx-0x%llx)",
			    (unsigned long long)size,
			    (unsigned long long)ld->res->image_lo,
			    (unsigned long long)ld->res->image_hi);
	ld->mbi_size = size;
	reserve(ld, ld->mbi_addr, ld->mbi_addr + size);
	return 0;
}

static int plan_multiboot(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
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

	if (!o->initrd && o->initrd_size)
		return fail(ld, "initrd of %zu bytes without its contents",
			    o->initrd_size);
	if (o->initrd) {
		/* Page aligned whether or not header flag bit 0 asks for it. */
		uint64_t start = align_up(res->image_hi, PAGE_SIZE);

		if (!fits(start, o->initrd_size,
			  min_u64(ld->ram_size, 4 * GiB)))
			return fail(ld, "initrd of %zu bytes does not fit in guest RAM (%s) above the image at 0x%llx-0x%llx",
				    o->initrd_size, size_str(ld->ram_size).s,
				    (unsigned long long)res->image_lo,
				    (unsigned long long)res->image_hi);
		res->initrd_lo = start;
		res->initrd_hi = start + o->initrd_size;
		reserve(ld, res->initrd_lo, res->initrd_hi);
	}
	if (plan_mbi(ld))
		return -1;

	res->mode = MODE_PROTECTED;
	res->eax = MULTIBOOT_BOOTLOADER_MAGIC;
	res->ebx = ld->mbi_addr;
	return 0;
}

/* ---- bzImage ------------------------------------------------------------ */

/* Where the setup header ends (boot.rst, "64-bit Boot Protocol"). */
static unsigned int bz_header_end(const uint8_t *f)
{
	return BZ_HEADER + f[BZ_JUMP + 1];
}

/* Sectors of real-mode code: 0 in setup_sects means 4 (boot.rst). */
static uint64_t bz_kernel_offset(const uint8_t *f)
{
	unsigned int setup = f[BZ_SETUP_SECTS] ? f[BZ_SETUP_SECTS] : 4;

	return (setup + 1) * 512ULL;
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
static int bz_runtime(const struct loader *ld, struct range *run)
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
	struct load_result *res = ld->res;
	uint64_t max = get32(ld->file + BZ_INITRD_ADDR_MAX);
	uint64_t top = min_u64(ld->ram_size, max + 1), start;

	if (!o->initrd && o->initrd_size)
		return fail(ld, "initrd of %zu bytes without its contents",
			    o->initrd_size);
	if (!o->initrd)
		return 0;
	start = (top - min_u64(top, o->initrd_size)) & ~(PAGE_SIZE - 1);
	if (o->initrd_size > top ||
	    !is_free(ld, start, start + o->initrd_size))
		return fail(ld, "initrd of %zu bytes does not fit in guest RAM (%s) below 0x%llx (the end of RAM or initrd_addr_max) and clear of the kernel's memory: give more memory",
			    o->initrd_size, size_str(ld->ram_size).s,
			    (unsigned long long)top);
	res->initrd_lo = start;
	res->initrd_hi = start + o->initrd_size;
	reserve(ld, res->initrd_lo, res->initrd_hi);
	return 0;
}

static int plan_bzimage(struct loader *ld)
{
	const uint8_t *f = ld->file;
	const struct load_opts *o = ld->opts;
	struct load_result *res = ld->res;
	uint64_t koff = bz_kernel_offset(f), ksize, need, size;
	uint32_t cmdline_size = get32(f + BZ_CMDLINE_SIZE);
	struct range run = { 0, 0 };

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
	res->image_lo = LOADER_BZIMAGE_LOAD;
	res->image_hi = LOADER_BZIMAGE_LOAD + ksize;
	reserve(ld, res->image_lo, res->image_hi);
	if (run.hi > run.lo)
		reserve(ld, run.lo, run.hi);

	if (bz_plan_initrd(ld))
		return -1;

	/* boot.rst, "The Kernel Command Line": at most cmdline_size bytes */
	ld->cmdline = o->cmdline ? o->cmdline : LOADER_BZIMAGE_CMDLINE;
	if (strlen(ld->cmdline) > cmdline_size)
		return fail(ld, "the command line is %zu bytes long, and this kernel takes at most %u (cmdline_size)",
			    strlen(ld->cmdline), cmdline_size);
	size = ZP_SIZE + strlen(ld->cmdline) + 1;
	if (place_low(ld, size, LOADER_LOW_BASE,
		      min_u64(LOADER_EBDA, ld->ram_size), &ld->params_addr))
		return fail(ld, "no room below 0x%llx for the zero page and the %zu-byte command line",
			    (unsigned long long)LOADER_EBDA,
			    strlen(ld->cmdline));
	reserve(ld, ld->params_addr, ld->params_addr + size);

	res->mode = MODE_LONG;
	res->entry = LOADER_BZIMAGE_LOAD + LOADER_BZIMAGE_ENTRY64;
	res->rsi = ld->params_addr;
	res->params_hi = ld->params_addr + size;
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

static void write_elf(struct loader *ld)
{
	struct segment s;
	unsigned int i;

	for (i = 0; i < ld->elf.phnum; i++) {
		elf_segment(ld, i, &s);
		if (s.type != PT_LOAD || !s.memsz)
			continue;
		memcpy(ld->ram + s.paddr, ld->file + s.offset, s.filesz);
		memset(ld->ram + s.paddr + s.filesz, 0, s.memsz - s.filesz);
	}
}

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
static void write_mbi(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct load_result *res = ld->res;
	uint64_t mbi = ld->mbi_addr;
	uint8_t *p = ld->ram + mbi;
	uint64_t low = min_u64(ld->ram_size, LOADER_LOW_END);
	uint64_t upper = ld->ram_size > MiB ? (ld->ram_size - MiB) / KiB : 0;
	uint64_t mmap = mbi + MBI_SIZE;
	uint64_t pos = mmap + ld->mmap_count * MB_MMAP_ENTRY;
	uint32_t flags = MBI_F_MEM | MBI_F_MMAP | MBI_F_LOADER_NAME;

	memset(p, 0, ld->mbi_size);
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
		memcpy(ld->ram + res->initrd_lo, o->initrd, o->initrd_size);
		put32(ld->ram + mod, res->initrd_lo);
		put32(ld->ram + mod + 4, res->initrd_hi);
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
static void write_boot_params(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	const struct load_result *res = ld->res;
	uint8_t *zp = ld->ram + ld->params_addr;
	uint64_t cmdline = ld->params_addr + ZP_SIZE;
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
		memcpy(ld->ram + res->initrd_lo, o->initrd, o->initrd_size);
		put32(zp + BZ_RAMDISK_IMAGE, res->initrd_lo);
		put32(zp + BZ_RAMDISK_SIZE, o->initrd_size);
	}

	/* No firmware runs: keep only the EBDA and BIOS areas for Linux. */
	e820_entry(zp, 0, 0, LOADER_EBDA, E820_RAM);
	e820_entry(zp, 1, LOADER_EBDA, LOADER_LOW_END - LOADER_EBDA,
		   E820_RESERVED);
	e820_entry(zp, 2, E820_BIOS, MiB - E820_BIOS, E820_RESERVED);
	e820_entry(zp, 3, MiB, ld->ram_size - MiB, E820_RAM);
	zp[ZP_E820_ENTRIES] = BZ_E820_ENTRIES;
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
