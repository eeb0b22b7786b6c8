// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the guest image loaders (userspace/loader*.c) and
 * their placement planner (userspace/layout.c): each test builds an image
 * in memory, loads it into a 16 MiB guest RAM buffer and checks what landed
 * where.  TAP 13 output; exit 0 if every test passes.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtxhv_test.h"
#include "acpi.h"
#include "layout.h"
#include "loader.h"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define RAM_SIZE	(16 * MiB)
#define IMG_MAX		(64 * KiB)
#define INITRD_MAX	(11 * MiB)

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

static uint8_t *ram;
static uint8_t *before;		/* RAM as it was before the last load */
static uint64_t ram_size;	/* RAM_SIZE unless a test makes it smaller */
static uint8_t *initrd;		/* INITRD_MAX bytes for bzImage initrds */
static uint8_t img[IMG_MAX];
static char err[512];
static struct load_result res;

/* Where the last load put one of its parts. */
#define PART(p)		(res.layout.part[LAYOUT_##p])

/*
 * A load that must succeed; on failure, show the loader's message.  Every
 * load that succeeds must also keep the planner's promises (layout_ok()).
 */
#define CHECK_LOADS(file, size, opts)					\
	do {								\
		if (load(file, size, opts)) {				\
			printf("# %s:%d: load failed: %s\n", __FILE__,	\
			       __LINE__, err);				\
			return false;					\
		}							\
		if (!layout_ok()) {					\
			printf("# %s:%d: after this load\n", __FILE__,	\
			       __LINE__);				\
			return false;					\
		}							\
	} while (0)

/* A load that must fail with a message containing msg. */
#define CHECK_REJECTS(file, size, opts, msg)				\
	do {								\
		if (!load(file, size, opts)) {				\
			printf("# %s:%d: load succeeded, expected \"%s\"\n", \
			       __FILE__, __LINE__, msg);		\
			return false;					\
		}							\
		if (!strstr(err, msg)) {				\
			printf("# %s:%d: error \"%s\" lacks \"%s\"\n",	\
			       __FILE__, __LINE__, err, msg);		\
			return false;					\
		}							\
		if (memcmp(ram, before, ram_size)) {			\
			printf("# %s:%d: a refused load wrote RAM\n",	\
			       __FILE__, __LINE__);			\
			return false;					\
		}							\
		printf("# rejected: %s\n", err);			\
	} while (0)

static const struct load_opts no_opts;

static bool layout_ok(void);

static int load(const void *file, size_t size, const struct load_opts *opts)
{
	memcpy(before, ram, ram_size);
	return load_image(file, size, ram, ram_size, opts ? opts : &no_opts,
			  &res, err, sizeof(err));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t rd32(uint64_t addr)
{
	const uint8_t *p = ram + addr;

	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(uint64_t addr)
{
	return rd32(addr) | (uint64_t)rd32(addr + 4) << 32;
}

/* Does ram[addr, addr + len) hold only byte b? */
static bool ram_all(uint64_t addr, size_t len, uint8_t b)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (ram[addr + i] != b)
			return false;
	return true;
}

static bool ram_untouched(void)
{
	return ram_all(0, ram_size, 0);
}

/* Recognisable contents: byte i of a pattern is seed + i * 7. */
static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7;
}

/* ---- The planner's promises --------------------------------------------- */

static const char *const part_names[LAYOUT_NR] = {
	[LAYOUT_IMAGE] = "image", [LAYOUT_KERNEL] = "kernel run area",
	[LAYOUT_INITRD] = "initrd", [LAYOUT_PARAMS] = "parameters",
	[LAYOUT_TABLES] = "page tables", [LAYOUT_STACK] = "stack",
	[LAYOUT_GDT] = "GDT", [LAYOUT_FIRMWARE] = "firmware tables",
};

static bool empty(const struct guest_range *r)
{
	return r->lo == r->hi;
}

/* A bzImage is loaded inside the memory its kernel will run in. */
static bool may_overlap(unsigned int a, unsigned int b)
{
	return (a == LAYOUT_IMAGE && b == LAYOUT_KERNEL) ||
	       (a == LAYOUT_KERNEL && b == LAYOUT_IMAGE);
}

/* Every part lies in RAM, and no two overlap. */
static bool parts_apart(void)
{
	const struct guest_range *p = res.layout.part;
	unsigned int i, j;

	CHECK_EQ(res.layout.ram_size, ram_size);
	for (i = 0; i < LAYOUT_NR; i++) {
		if (empty(&p[i]))
			continue;
		if (p[i].lo > p[i].hi || p[i].hi > ram_size) {
			printf("# the %s [%#llx, %#llx) is not inside RAM [0, %#llx)\n",
			       part_names[i], (unsigned long long)p[i].lo,
			       (unsigned long long)p[i].hi,
			       (unsigned long long)ram_size);
			return false;
		}
		for (j = i + 1; j < LAYOUT_NR; j++) {
			if (empty(&p[j]) || may_overlap(i, j) ||
			    p[i].hi <= p[j].lo || p[j].hi <= p[i].lo)
				continue;
			printf("# the %s [%#llx, %#llx) overlaps the %s [%#llx, %#llx)\n",
			       part_names[i], (unsigned long long)p[i].lo,
			       (unsigned long long)p[i].hi, part_names[j],
			       (unsigned long long)p[j].lo,
			       (unsigned long long)p[j].hi);
			return false;
		}
	}
	return true;
}

/* Is addr in a part the loader writes (not the kernel's or the stack)? */
static bool in_written_part(uint64_t addr)
{
	const struct guest_range *p = res.layout.part;
	unsigned int i;

	for (i = 0; i < LAYOUT_NR; i++)
		if (i != LAYOUT_KERNEL && i != LAYOUT_STACK &&
		    p[i].lo <= addr && addr < p[i].hi)
			return true;
	return false;
}

/* The loader changed RAM only inside the parts it writes. */
static bool written_only_in_parts(void)
{
	uint64_t a, b;

	/* a word at a time, for the 16 MiB this runs over on every load */
	for (a = 0; a < ram_size; a += 8) {
		if (!memcmp(ram + a, before + a, 8))
			continue;
		for (b = a; b < a + 8; b++) {
			if (ram[b] == before[b] || in_written_part(b))
				continue;
			printf("# RAM at %#llx changed outside every part\n",
			       (unsigned long long)b);
			return false;
		}
	}
	return true;
}

/* A GDT entry as the CPU reads it (Intel SDM Vol. 3A 3.4.5, 7.2.3). */
struct desc {
	uint64_t base;
	uint32_t limit;
	unsigned int type, s, p, l, db, g;
};

static struct desc gdt_entry(uint64_t gdt, unsigned int sel)
{
	uint64_t d = rd64(gdt + sel);
	struct desc e = {
		.base = (d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24,
		.limit = (d & 0xffff) | (d >> 48 & 0xf) << 16,
		.type = d >> 40 & 0xf, .s = d >> 44 & 1, .p = d >> 47 & 1,
		.l = d >> 53 & 1, .db = d >> 54 & 1, .g = d >> 55 & 1,
	};

	if (!e.s)			/* 16-byte system descriptor */
		e.base |= (uint64_t)rd32(gdt + sel + 8) << 32;
	return e;
}

/*
 * The GDT vtxctl points GDTR at (res.gdt, limit SEL_TSS + 15) and loads
 * CS = SEL_CODE, the data segments = SEL_DATA and TR = SEL_TSS (based at
 * res.gdt + GDT_TSS_OFFSET) from, in cmd_run.c's set_sregs_for_mode().
 */
static bool gdt_ok(void)
{
	uint64_t gdt = res.gdt;
	bool lm = res.mode == MODE_LONG;
	struct desc e;

	if (res.mode == MODE_REAL) {
		CHECK_EQ(gdt, 0);
		CHECK(empty(&PART(GDT)));
		return true;
	}
	CHECK_EQ(PART(GDT).lo, gdt);
	CHECK_EQ(PART(GDT).hi, gdt + 4096);
	CHECK_EQ(gdt % 4096, 0);
	CHECK(gdt);
	/* GDTR's limit and the TSS stay inside the page */
	CHECK(SEL_TSS + 16 <= GDT_TSS_OFFSET);
	CHECK(GDT_TSS_OFFSET + TSS_LIMIT + 1 <= 4096);
	CHECK_EQ(rd64(gdt), 0);

	e = gdt_entry(gdt, SEL_CODE);
	CHECK(e.p && e.s && e.g);
	CHECK_EQ(e.type, 0xb);			/* execute/read, accessed */
	CHECK_EQ(e.base, 0);
	CHECK_EQ(e.limit, 0xfffff);
	CHECK_EQ(e.l, lm);
	CHECK_EQ(e.db, !lm);

	e = gdt_entry(gdt, SEL_DATA);
	CHECK(e.p && e.s && e.g && e.db);
	CHECK_EQ(e.type, 0x3);			/* read/write, accessed */
	CHECK_EQ(e.base, 0);
	CHECK_EQ(e.limit, 0xfffff);

	e = gdt_entry(gdt, SEL_TSS);
	CHECK(e.p && !e.s && !e.g);
	CHECK_EQ(e.type, 0xb);			/* busy 32/64-bit TSS */
	CHECK_EQ(e.base, gdt + GDT_TSS_OFFSET);
	CHECK_EQ(e.limit, TSS_LIMIT);
	CHECK(ram_all(e.base, TSS_LIMIT + 1, 0));
	return true;
}

/* What every load must give: see loader.h. */
static bool layout_ok(void)
{
	uint64_t stack;

	if (!parts_apart() || !written_only_in_parts() || !gdt_ok())
		return false;
	CHECK_EQ(res.cr3, PART(TABLES).lo);
	CHECK_EQ(PART(TABLES).hi - PART(TABLES).lo,
		 res.mode == MODE_LONG ?
		 identity_map_bytes(ram_size < 4 * GiB ? ram_size : 4 * GiB) :
		 0);
	stack = res.mode == MODE_REAL ? LOADER_STACK_SIZE_REAL :
					LOADER_STACK_SIZE;
	CHECK_EQ(PART(STACK).hi, res.stack);
	CHECK_EQ(PART(STACK).hi - PART(STACK).lo, res.stack ? stack : 0);
	CHECK_EQ(res.format == IMAGE_MULTIBOOT ? res.ebx : res.rsi,
		 PART(PARAMS).lo);
	return true;
}

/* ---- Firmware tables ---------------------------------------------------- */

#define ZP_ACPI_RSDP	0x070

static struct fw_config fw2;

static struct load_opts fw_opts(void)
{
	fw_config_default(&fw2, 2);
	return (struct load_opts){ .fw = &fw2 };
}

/* The tables fw_build() makes for fw2, where the loader put them. */
static bool fw_tables_in_ram(void)
{
	static uint8_t want[FW_SIZE];

	CHECK_EQ(PART(FIRMWARE).lo, FW_BASE);
	CHECK_EQ(PART(FIRMWARE).hi, FW_BASE + FW_SIZE);
	CHECK(fw_build(&fw2, want, sizeof(want)) > 0);
	CHECK(!memcmp(ram + FW_BASE, want, FW_SIZE));
	CHECK(!memcmp(ram + FW_RSDP_ADDR, "RSD PTR ", 8));
	return true;
}

/* ---- Image builders ----------------------------------------------------- */

struct seg {
	uint32_t type;
	uint64_t paddr, offset, filesz, memsz;
};

/* The file most ELF tests need: one PT_LOAD, 0x100 bytes at 1 MiB. */
static const struct seg one_seg[] = {
	{ PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 },
};

/*
 * An ELF file with the program headers right after the ELF header and each
 * segment's file bytes (a fill() pattern seeded by the segment number) at
 * its offset.  Returns the file size.
 */
static size_t make_elf(bool is64, uint16_t machine, uint64_t entry,
		       const struct seg *segs, unsigned int n)
{
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t size = ehsize + n * phsize;
	unsigned int i;

	memset(img, 0, sizeof(img));
	if (is64) {
		Elf64_Ehdr h = {
			.e_type = ET_EXEC, .e_machine = machine,
			.e_version = EV_CURRENT, .e_entry = entry,
			.e_phoff = ehsize, .e_ehsize = ehsize,
			.e_phentsize = phsize, .e_phnum = n,
		};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS64;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(img, &h, sizeof(h));
	} else {
		Elf32_Ehdr h = {
			.e_type = ET_EXEC, .e_machine = machine,
			.e_version = EV_CURRENT, .e_entry = entry,
			.e_phoff = ehsize, .e_ehsize = ehsize,
			.e_phentsize = phsize, .e_phnum = n,
		};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS32;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(img, &h, sizeof(h));
	}
	for (i = 0; i < n; i++) {
		const struct seg *s = &segs[i];
		uint8_t *ph = img + ehsize + i * phsize;

		if (is64) {
			Elf64_Phdr p = {
				.p_type = s->type, .p_offset = s->offset,
				.p_vaddr = s->paddr, .p_paddr = s->paddr,
				.p_filesz = s->filesz, .p_memsz = s->memsz,
				.p_flags = PF_R | PF_W | PF_X,
			};

			memcpy(ph, &p, sizeof(p));
		} else {
			Elf32_Phdr p = {
				.p_type = s->type, .p_offset = s->offset,
				.p_vaddr = s->paddr, .p_paddr = s->paddr,
				.p_filesz = s->filesz, .p_memsz = s->memsz,
				.p_flags = PF_R | PF_W | PF_X,
			};

			memcpy(ph, &p, sizeof(p));
		}
		/* bytes past the buffer only for segments meant to be bad */
		if (s->offset + s->filesz <= IMG_MAX) {
			fill(img + s->offset, s->filesz, 0x10 * (i + 1));
			if (s->offset + s->filesz > size)
				size = s->offset + s->filesz;
		}
	}
	return size;
}

/* A multiboot header: magic, flags, checksum. */
static void put_mb(uint8_t *p, uint32_t flags)
{
	put32(p, MULTIBOOT_HEADER_MAGIC);
	put32(p + 4, flags);
	put32(p + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

/* ... with the address fields of flag bit 16. */
static void put_mb_kludge(uint8_t *p, uint32_t flags, uint32_t header_addr,
			  uint32_t load_addr, uint32_t load_end,
			  uint32_t bss_end, uint32_t entry)
{
	put_mb(p, flags | 1U << 16);
	put32(p + 12, header_addr);
	put32(p + 16, load_addr);
	put32(p + 20, load_end);
	put32(p + 24, bss_end);
	put32(p + 28, entry);
}

/*
 * The multiboot kernel most tests use: 0x3000 bytes, header at offset 0,
 * loaded at 1 MiB with 0x2000 bytes of bss, entry 0x100040.
 */
#define MB_LOAD		0x100000U
#define MB_FILE		0x3000U
#define MB_BSS_END	(MB_LOAD + MB_FILE + 0x2000)
#define MB_ENTRY	(MB_LOAD + 0x40)

static size_t make_mb_kernel(void)
{
	fill(img, MB_FILE, 0x33);
	put_mb_kludge(img, 0x3, MB_LOAD, MB_LOAD, 0, MB_BSS_END, MB_ENTRY);
	return MB_FILE;
}

/*
 * A bzImage (Documentation/x86/boot.rst): a boot sector and BZ_SETUP
 * sectors of real-mode code, all pattern bytes, with a setup header whose
 * fields are those of a small relocatable 64-bit kernel, then BZ_KSIZE
 * bytes of protected-mode kernel.  Tests change fields after building it.
 */
#define BZ_SETUP	4
#define BZ_KOFF		((BZ_SETUP + 1) * 512)
#define BZ_KSIZE	0x3000
#define BZ_HDR_END	0x26c		/* 0x202 + the jump's offset byte */
#define BZ_PREF		0x200000	/* 2 MiB: RAM here is only 16 MiB */
#define BZ_INIT_SIZE	0x400000
#define BZ_CMDLINE_MAX	2047
#define BZ_ENTRY	(0x100000 + 0x200)
#define ZP_SENTINEL	0x1ef
#define ZP_E820		0x2d0

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static size_t make_bzimage(uint16_t version, uint8_t loadflags)
{
	size_t size = BZ_KOFF + BZ_KSIZE;

	fill(img, size, 0xb2);
	img[0x1f1] = BZ_SETUP;
	put32(img + 0x1f4, BZ_KSIZE / 16);		/* syssize */
	put16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb;				/* jmp short ... */
	img[0x201] = BZ_HDR_END - 0x202;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, version);
	img[0x210] = 0;					/* type_of_loader */
	img[0x211] = loadflags;
	put32(img + 0x218, 0);				/* ramdisk_image */
	put32(img + 0x21c, 0);				/* ramdisk_size */
	put32(img + 0x228, 0);				/* cmd_line_ptr */
	put32(img + 0x22c, 0x7fffffff);			/* initrd_addr_max */
	put32(img + 0x230, 0x200000);			/* kernel_alignment */
	img[0x234] = 1;					/* relocatable_kernel */
	img[0x235] = 21;				/* min_alignment */
	put16(img + 0x236, 0x03);	/* XLF_KERNEL_64, ..._ABOVE_4G */
	put32(img + 0x238, BZ_CMDLINE_MAX);		/* cmdline_size */
	put64(img + 0x258, BZ_PREF);			/* pref_address */
	put32(img + 0x260, BZ_INIT_SIZE);		/* init_size */
	return size;
}

/*
 * Translate a linear address through the 4-level tables at cr3 the way the
 * CPU would (Intel SDM Vol. 3A, 4.5), insisting on present + writable at
 * every level and a 2 MiB page at the end.  Returns false if it faults.
 */
static bool walk(uint64_t cr3, uint64_t la, uint64_t *pa)
{
	uint64_t pml4e = rd64(cr3 + ((la >> 39) & 511) * 8);
	uint64_t pdpte, pde;

	if ((pml4e & (PTE_P | PTE_RW)) != (PTE_P | PTE_RW))
		return false;
	pdpte = rd64((pml4e & PTE_ADDR) + ((la >> 30) & 511) * 8);
	if ((pdpte & (PTE_P | PTE_RW | PTE_PS)) != (PTE_P | PTE_RW))
		return false;
	pde = rd64((pdpte & PTE_ADDR) + ((la >> 21) & 511) * 8);
	if ((pde & (PTE_P | PTE_RW | PTE_PS)) != (PTE_P | PTE_RW | PTE_PS))
		return false;
	*pa = (pde & PTE_ADDR & ~(2 * MiB - 1)) | (la & (2 * MiB - 1));
	return true;
}

/* ---- Flat images -------------------------------------------------------- */

static bool flat_protected_defaults(void)
{
	fill(img, 0x1234, 1);
	CHECK_LOADS(img, 0x1234, NULL);
	CHECK_EQ(res.format, IMAGE_FLAT);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, LOADER_FLAT_LOAD);
	CHECK_EQ(PART(IMAGE).lo, 0x100000);
	CHECK_EQ(PART(IMAGE).hi, 0x101234);
	CHECK_EQ(res.stack, RAM_SIZE);
	CHECK_EQ(res.cr3, 0);
	CHECK_EQ(res.eax, 0);
	CHECK(!memcmp(ram + 0x100000, img, 0x1234));
	/* below 1 MiB only the GDT, on the first page of the hole */
	CHECK_EQ(res.gdt, LOADER_LOW_END);
	CHECK(ram_all(0, LOADER_LOW_END, 0));
	CHECK(ram_all(LOADER_LOW_END + 4096, 0x100000 - LOADER_LOW_END - 4096,
		      0));
	return true;
}

static bool flat_real_defaults(void)
{
	struct load_opts o = { .mode = MODE_REAL };

	fill(img, 512, 2);
	CHECK_LOADS(img, 512, &o);
	CHECK_EQ(res.mode, MODE_REAL);
	CHECK_EQ(res.entry, 0x7c00);
	CHECK_EQ(PART(IMAGE).lo, 0x7c00);
	CHECK_EQ(res.stack, LOADER_STACK_REAL);
	CHECK_EQ(res.cr3, 0);
	CHECK(!memcmp(ram + 0x7c00, img, 512));
	return true;
}

static bool flat_long_defaults(void)
{
	struct load_opts o = { .mode = MODE_LONG };
	uint64_t pa;

	fill(img, 0x800, 3);
	CHECK_LOADS(img, 0x800, &o);
	CHECK_EQ(res.mode, MODE_LONG);
	CHECK_EQ(res.entry, 0x100000);
	CHECK_EQ(res.cr3, LOADER_LOW_BASE);
	CHECK_EQ(res.stack, RAM_SIZE);
	CHECK(walk(res.cr3, res.entry, &pa));
	CHECK_EQ(pa, res.entry);
	CHECK(!memcmp(ram + 0x100000, img, 0x800));
	return true;
}

static bool flat_load_and_entry(void)
{
	struct load_opts o = {
		.has_load = true, .load_addr = 0x200000,
		.has_entry = true, .entry = 0x200010,
	};

	fill(img, 0x100, 4);
	CHECK_LOADS(img, 0x100, &o);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, 0x200010);
	CHECK_EQ(PART(IMAGE).lo, 0x200000);
	CHECK_EQ(PART(IMAGE).hi, 0x200100);
	CHECK(!memcmp(ram + 0x200000, img, 0x100));
	CHECK(ram_all(0x100000, 0x100, 0));
	return true;
}

static bool flat_entry_only(void)
{
	struct load_opts o = { .has_entry = true, .entry = 0x100200 };

	fill(img, 0x400, 5);
	CHECK_LOADS(img, 0x400, &o);
	CHECK_EQ(PART(IMAGE).lo, LOADER_FLAT_LOAD);
	CHECK_EQ(res.entry, 0x100200);
	return true;
}

static bool flat_real_load_and_entry(void)
{
	struct load_opts o = {
		.mode = MODE_REAL,
		.has_load = true, .load_addr = 0x1000,
		.has_entry = true, .entry = 0x1004,
	};

	fill(img, 0x200, 6);
	CHECK_LOADS(img, 0x200, &o);
	CHECK_EQ(res.entry, 0x1004);
	CHECK_EQ(PART(IMAGE).lo, 0x1000);
	CHECK_EQ(res.stack, LOADER_STACK_REAL);
	CHECK(!memcmp(ram + 0x1000, img, 0x200));
	return true;
}

static bool flat_real_entry_above_1m(void)
{
	struct load_opts o = {
		.mode = MODE_REAL, .has_entry = true, .entry = 0x100000,
	};

	fill(img, 0x200, 7);
	CHECK_REJECTS(img, 0x200, &o, "not below 1 MiB");
	CHECK(ram_untouched());
	return true;
}

/* Long mode with the image on the first free page: tables move past it. */
static bool flat_long_tables_avoid_image(void)
{
	struct load_opts o = {
		.mode = MODE_LONG, .has_load = true, .load_addr = 0x1000,
	};
	uint64_t tables;

	fill(img, 0x1800, 8);
	CHECK_LOADS(img, 0x1800, &o);
	tables = identity_map_bytes(RAM_SIZE);
	CHECK_EQ(tables, 3 * 4096);
	CHECK_EQ(res.cr3, 0x3000);
	CHECK(!memcmp(ram + 0x1000, img, 0x1800));
	return true;
}

static bool flat_outside_ram(void)
{
	struct load_opts o = {
		.has_load = true, .load_addr = RAM_SIZE - 0x100,
	};

	fill(img, 0x200, 9);
	CHECK_REJECTS(img, 0x200, &o, "does not fit in guest RAM (16 MiB)");
	CHECK(ram_untouched());
	return true;
}

static bool flat_load_wraps(void)
{
	struct load_opts o = {
		.has_load = true, .load_addr = 0xfffffffffffff000ULL,
	};

	fill(img, 0x2000, 10);
	CHECK_REJECTS(img, 0x2000, &o, "does not fit in guest RAM");
	return true;
}

static bool flat_entry_outside_ram(void)
{
	struct load_opts o = { .has_entry = true, .entry = RAM_SIZE };

	fill(img, 0x100, 11);
	CHECK_REJECTS(img, 0x100, &o, "entry point 0x1000000 is outside");
	CHECK(ram_untouched());
	return true;
}

static bool flat_empty_and_bad_mode(void)
{
	struct load_opts o = { .mode = 48 };

	CHECK_REJECTS(img, 0, NULL, "empty");
	fill(img, 0x100, 12);
	CHECK_REJECTS(img, 0x100, &o, "unknown guest mode 48");
	return true;
}

/* No free 64 KiB below the top of RAM: no stack rather than a bad one. */
static bool flat_no_room_for_stack(void)
{
	struct load_opts o = {
		.has_load = true, .load_addr = RAM_SIZE - 0x1000,
	};

	fill(img, 0x1000, 13);
	CHECK_LOADS(img, 0x1000, &o);
	CHECK_EQ(res.stack, 0);
	return true;
}

/* A boot sector ends in 0xAA55 but has no "HdrS": a flat image. */
static bool flat_boot_sector(void)
{
	enum image_format fmt = IMAGE_ELF64;

	fill(img, 512, 14);
	put16(img + 0x1fe, 0xaa55);
	CHECK_EQ(detect_image(img, 512, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_FLAT);
	return true;
}

/* ---- ELF ---------------------------------------------------------------- */

static bool elf32_two_segments_bss(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x300, 0x300 },
		{ PT_LOAD, 0x200000, 0x2000, 0x80, 0x1000 },
	};
	size_t n = make_elf(false, EM_386, 0x100010, segs, 2);

	/* stale bytes where the bss goes must be cleared */
	memset(ram + 0x200000, 0xaa, 0x2000);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_ELF32);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, 0x100010);
	CHECK_EQ(PART(IMAGE).lo, 0x100000);
	CHECK_EQ(PART(IMAGE).hi, 0x201000);
	CHECK_EQ(res.cr3, 0);
	CHECK_EQ(res.stack, RAM_SIZE);
	CHECK(!memcmp(ram + 0x100000, img + 0x1000, 0x300));
	CHECK(!memcmp(ram + 0x200000, img + 0x2000, 0x80));
	CHECK(ram_all(0x200080, 0x1000 - 0x80, 0));
	CHECK(ram_all(0x201000, 0x1000, 0xaa));
	return true;
}

/* Only PT_LOAD segments load; a wild PT_NOTE is none of our business. */
static bool elf32_ignores_other_segments(void)
{
	const struct seg segs[] = {
		{ PT_NOTE, 0x7000000, 0x100, 0x10, 0x10 },
		{ PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 },
	};
	size_t n = make_elf(false, EM_386, 0x100000, segs, 2);

	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(PART(IMAGE).lo, 0x100000);
	CHECK_EQ(PART(IMAGE).hi, 0x100100);
	return true;
}

static bool elf_segment_outside_ram(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 },
		{ PT_LOAD, RAM_SIZE, 0x2000, 0x100, 0x1000 },
	};
	size_t n = make_elf(false, EM_386, 0x100000, segs, 2);

	CHECK_REJECTS(img, n, NULL,
		      "ELF segment at 0x1000000+0x1000 is outside guest RAM (16 MiB)");
	CHECK(ram_untouched());
	return true;
}

static bool elf_segment_wraps(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0xfffffffffffff000ULL, 0x1000, 0x10, 0x2000 },
	};
	size_t n = make_elf(true, EM_X86_64, 0x100000, segs, 1);

	CHECK_REJECTS(img, n, NULL, "is outside guest RAM");
	return true;
}

static bool elf_segment_beyond_file(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 },
		{ PT_LOAD, 0x200000, 0x1100, 0x100, 0x100 },
	};
	size_t n = make_elf(false, EM_386, 0x100000, segs, 2);

	/* cut the file in the middle of the second segment */
	CHECK_REJECTS(img, n - 0x80, NULL, "past the end of the file");
	CHECK(ram_untouched());
	return true;
}

static bool elf_filesz_above_memsz(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x200, 0x100 },
	};
	size_t n = make_elf(false, EM_386, 0x100000, segs, 1);

	CHECK_REJECTS(img, n, NULL, "more file bytes");
	return true;
}

static bool elf_truncated_header(void)
{
	enum image_format fmt;

	make_elf(true, EM_X86_64, 0x100000, one_seg, 1);
	/* the class and machine are there, the rest of the header is not */
	CHECK_EQ(detect_image(img, 40, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_ELF64);
	CHECK_REJECTS(img, 40, NULL, "truncated ELF header");
	CHECK_REJECTS(img, 10, NULL, "truncated ELF header");
	return true;
}

static bool elf_phdrs_beyond_file(void)
{
	make_elf(false, EM_386, 0x100000, one_seg, 1);
	CHECK_REJECTS(img, sizeof(Elf32_Ehdr) + 8, NULL,
		      "program headers (1 at offset 0x34) run past the end");
	return true;
}

static bool elf_no_loadable_segment(void)
{
	const struct seg segs[] = {
		{ PT_NOTE, 0x100000, 0x1000, 0x100, 0x100 },
	};
	size_t n = make_elf(false, EM_386, 0x100000, segs, 1);

	CHECK_REJECTS(img, n, NULL, "no loadable segments");
	return true;
}

static bool elf_wrong_machine(void)
{
	enum image_format fmt;
	size_t n = make_elf(false, EM_ARM, 0x100000, one_seg, 1);

	CHECK_EQ(detect_image(img, n, &fmt), -1);
	CHECK_REJECTS(img, n, NULL, "ELF file for machine 40");
	/* an x86-64 machine in a 32-bit file is just as wrong */
	n = make_elf(false, EM_X86_64, 0x100000, one_seg, 1);
	CHECK_EQ(detect_image(img, n, &fmt), -1);
	return true;
}

static bool elf64_entry_and_mode(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x500, 0x800 },
	};
	size_t n = make_elf(true, EM_X86_64, 0x100123, segs, 1);

	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_ELF64);
	CHECK_EQ(res.mode, MODE_LONG);
	CHECK_EQ(res.entry, 0x100123);
	CHECK_EQ(res.cr3, LOADER_LOW_BASE);
	CHECK_EQ(res.stack, RAM_SIZE);
	CHECK_EQ(PART(IMAGE).hi, 0x100800);
	CHECK(!memcmp(ram + 0x100000, img + 0x1000, 0x500));
	return true;
}

/* The tables the loader built, entry by entry: 8 PDEs for 16 MiB. */
static bool elf64_identity_map(void)
{
	size_t n = make_elf(true, EM_X86_64, 0x100000, one_seg, 1);
	uint64_t pml4e, pdpte, pd, i;

	CHECK_LOADS(img, n, NULL);
	pml4e = rd64(res.cr3);
	CHECK_EQ(pml4e & (PTE_P | PTE_RW), PTE_P | PTE_RW);
	for (i = 1; i < 512; i++)
		CHECK_EQ(rd64(res.cr3 + i * 8), 0);
	pdpte = rd64(pml4e & PTE_ADDR);
	CHECK_EQ(pdpte & (PTE_P | PTE_RW | PTE_PS), PTE_P | PTE_RW);
	CHECK_EQ(rd64((pml4e & PTE_ADDR) + 8), 0);
	pd = pdpte & PTE_ADDR;
	for (i = 0; i < RAM_SIZE / (2 * MiB); i++) {
		uint64_t pde = rd64(pd + i * 8);

		CHECK_EQ(pde & (PTE_P | PTE_RW | PTE_PS),
			 PTE_P | PTE_RW | PTE_PS);
		CHECK_EQ(pde & PTE_ADDR, i * 2 * MiB);
	}
	CHECK_EQ(rd64(pd + i * 8), 0);
	/* the tables lie in RAM, below the image */
	CHECK(pd + 4096 <= PART(IMAGE).lo);
	return true;
}

/*
 * A segment on the low pages: the tables go to the first free page above
 * the image, whose span [image_lo, image_hi) counts as one range.
 */
static bool elf64_tables_avoid_segments(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x0, 0x1000, 0x100, 0x5000 },
		{ PT_LOAD, 0x100000, 0x2000, 0x100, 0x100 },
	};
	size_t n = make_elf(true, EM_X86_64, 0x100000, segs, 2);
	uint64_t pa;

	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.cr3, 0x101000);
	CHECK(walk(res.cr3, 0x4ff0, &pa));
	CHECK_EQ(pa, 0x4ff0);
	/* the segment's bytes survived the table writes */
	CHECK(!memcmp(ram, img + 0x1000, 0x100));
	return true;
}

static bool elf64_high_entry(void)
{
	size_t n = make_elf(true, EM_X86_64, 0xffffffff81000000ULL, one_seg, 1);

	CHECK_REJECTS(img, n, NULL, "link the image at its load address");
	CHECK(ram_untouched());
	return true;
}

static bool identity_map_4gib(void)
{
	uint64_t i, pa;
	long used;

	used = build_identity_map(ram, RAM_SIZE, 0x10000, 4 * GiB);
	CHECK_EQ(used, 6 * 4096);
	CHECK_EQ(identity_map_bytes(4 * GiB), 6 * 4096);
	for (i = 0; i < 4; i++)
		CHECK_EQ(rd64(0x11000 + i * 8),
			 (0x12000 + i * 4096) | PTE_P | PTE_RW);
	CHECK_EQ(rd64(0x11000 + 4 * 8), 0);
	for (i = 0; i < 2048; i++)
		CHECK_EQ(rd64(0x12000 + i * 8),
			 i * 2 * MiB | PTE_P | PTE_RW | PTE_PS);
	CHECK(walk(0x10000, 0xfee00123, &pa));
	CHECK_EQ(pa, 0xfee00123);
	CHECK(walk(0x10000, 3 * GiB + 5, &pa));
	CHECK_EQ(pa, 3 * GiB + 5);
	CHECK(!walk(0x10000, 4 * GiB, &pa));
	return true;
}

static bool identity_map_bad_args(void)
{
	CHECK_EQ(build_identity_map(ram, RAM_SIZE, 0x1800, 4 * GiB), -1);
	CHECK_EQ(build_identity_map(ram, RAM_SIZE, RAM_SIZE - 0x2000,
				    4 * GiB), -1);
	CHECK_EQ(build_identity_map(ram, RAM_SIZE, 0x1000, 0), -1);
	CHECK_EQ(build_identity_map(ram, RAM_SIZE, 0x1000, 513 * GiB), -1);
	CHECK_EQ(identity_map_bytes(0), 0);
	/* a partial 2 MiB page is mapped whole */
	CHECK_EQ(build_identity_map(ram, RAM_SIZE, 0x1000, 3 * MiB),
		 3 * 4096);
	CHECK_EQ(rd64(0x3000 + 8), 2 * MiB | PTE_P | PTE_RW | PTE_PS);
	CHECK_EQ(rd64(0x3000 + 16), 0);
	return true;
}

/* ---- Multiboot ---------------------------------------------------------- */

static bool mb_kludge_load(void)
{
	size_t n = make_mb_kernel();

	memset(ram + MB_LOAD + MB_FILE, 0xaa, 0x3000);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_MULTIBOOT);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, MB_ENTRY);
	CHECK_EQ(res.eax, MULTIBOOT_BOOTLOADER_MAGIC);
	CHECK_EQ(res.cr3, 0);
	CHECK_EQ(PART(IMAGE).lo, MB_LOAD);
	CHECK_EQ(PART(IMAGE).hi, MB_BSS_END);
	CHECK(!memcmp(ram + MB_LOAD, img, MB_FILE));
	CHECK(ram_all(MB_LOAD + MB_FILE, MB_BSS_END - MB_LOAD - MB_FILE, 0));
	CHECK(ram_all(MB_BSS_END, 0x1000, 0xaa));
	return true;
}

/* Spec 3.1.3: loading starts header_addr - load_addr before the header. */
static bool mb_kludge_file_offset(void)
{
	size_t n = 0x4000;

	fill(img, n, 0x44);
	put_mb_kludge(img + 0x1000, 0, 0x200800, 0x200000, 0x202000, 0,
		      0x200800);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(PART(IMAGE).lo, 0x200000);
	CHECK_EQ(PART(IMAGE).hi, 0x202000);
	CHECK_EQ(res.entry, 0x200800);
	CHECK(!memcmp(ram + 0x200000, img + 0x800, 0x2000));
	CHECK_EQ(ram[0x202000], 0);
	return true;
}

static bool mb_kludge_bad_addresses(void)
{
	fill(img, 0x1000, 0x55);
	put_mb_kludge(img, 0, 0x100000, 0x100100, 0, 0, 0x100100);
	CHECK_REJECTS(img, 0x1000, NULL, "above header_addr");
	memset(img, 0, 0x200);
	put_mb_kludge(img + 0x100, 0, 0x100000, 0xff000, 0, 0, 0x100000);
	CHECK_REJECTS(img, 0x1000, NULL, "before the start of the file");
	memset(img, 0, 0x200);
	put_mb_kludge(img, 0, 0x100000, 0x100000, 0x102000, 0, 0x100000);
	CHECK_REJECTS(img, 0x1000, NULL, "past the end of the file");
	put_mb_kludge(img, 0, 0x100000, 0x100000, 0, 0x100800, 0x100000);
	CHECK_REJECTS(img, 0x1000, NULL, "bss_end_addr 0x100800 is below");
	put_mb_kludge(img, 0, 0x100000, 0x100000, 0, RAM_SIZE + 1, 0x100000);
	CHECK_REJECTS(img, 0x1000, NULL, "outside guest RAM (16 MiB)");
	CHECK(ram_untouched());
	return true;
}

/* No bit 16: the file is an ELF32 and its program headers say where. */
static bool mb_elf32(void)
{
	const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x400, 0x1000 },
		{ PT_LOAD, 0x200000, 0x1400, 0x100, 0x100 },
	};
	size_t n = make_elf(false, EM_386, 0x100020, segs, 2);

	put_mb(img + 0x1000, 0x3);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_MULTIBOOT);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, 0x100020);
	CHECK_EQ(res.eax, MULTIBOOT_BOOTLOADER_MAGIC);
	CHECK_EQ(PART(IMAGE).lo, 0x100000);
	CHECK_EQ(PART(IMAGE).hi, 0x200100);
	CHECK(!memcmp(ram + 0x100000, img + 0x1000, 0x400));
	CHECK_EQ(rd32(0x100000), MULTIBOOT_HEADER_MAGIC);
	CHECK(!memcmp(ram + 0x200000, img + 0x1400, 0x100));
	return true;
}

static bool mb_no_kludge_not_elf(void)
{
	fill(img, 0x1000, 0x66);
	put_mb(img, 0x3);
	CHECK_REJECTS(img, 0x1000, NULL, "not ELF32");
	return true;
}

/* The information structure without a command line or modules. */
static bool mb_info_memory(void)
{
	size_t n = make_mb_kernel();
	uint32_t mbi, flags, mmap;

	CHECK_LOADS(img, n, NULL);
	mbi = res.ebx;
	CHECK(mbi >= LOADER_LOW_BASE && mbi + 88 <= LOADER_LOW_END);
	flags = rd32(mbi);
	CHECK_EQ(flags, 1U << 0 | 1U << 6 | 1U << 9);
	CHECK_EQ(rd32(mbi + 4), 640);
	CHECK_EQ(rd32(mbi + 8), (RAM_SIZE - MiB) / KiB);
	CHECK_EQ(rd32(mbi + 44), 2 * 24);
	mmap = rd32(mbi + 48);
	CHECK(mmap >= mbi && mmap < LOADER_LOW_END);
	CHECK_EQ(rd32(mmap), 20);
	CHECK_EQ(rd64(mmap + 4), 0);
	CHECK_EQ(rd64(mmap + 12), 0xa0000);
	CHECK_EQ(rd32(mmap + 20), 1);
	CHECK_EQ(rd32(mmap + 24), 20);
	CHECK_EQ(rd64(mmap + 28), MiB);
	CHECK_EQ(rd64(mmap + 36), RAM_SIZE - MiB);
	CHECK_EQ(rd32(mmap + 44), 1);
	CHECK(!strcmp((char *)ram + rd32(mbi + 64), "vtxhv"));
	CHECK_EQ(PART(INITRD).lo, 0);
	return true;
}

static bool mb_info_cmdline(void)
{
	struct load_opts o = { .cmdline = "console=ttyS0 quiet" };
	size_t n = make_mb_kernel();
	uint32_t mbi;

	CHECK_LOADS(img, n, &o);
	mbi = res.ebx;
	CHECK(rd32(mbi) & 1U << 2);
	CHECK(!(rd32(mbi) & 1U << 3));
	CHECK(!strcmp((char *)ram + rd32(mbi + 16), "console=ttyS0 quiet"));
	CHECK(rd32(mbi + 16) < LOADER_LOW_END);
	return true;
}

static bool mb_info_module(void)
{
	static const char initrd[] = "hello, initrd";
	struct load_opts o = {
		.initrd = initrd, .initrd_size = sizeof(initrd),
		.initrd_name = "initrd.img",
	};
	size_t n = make_mb_kernel();
	uint32_t mbi, mod, start, end;

	CHECK_LOADS(img, n, &o);
	mbi = res.ebx;
	CHECK(rd32(mbi) & 1U << 3);
	CHECK_EQ(rd32(mbi + 20), 1);
	mod = rd32(mbi + 24);
	start = rd32(mod);
	end = rd32(mod + 4);
	CHECK_EQ(start % 4096, 0);
	CHECK(start >= MB_BSS_END);
	CHECK_EQ(start, 0x105000);
	CHECK_EQ(end, start + sizeof(initrd));
	CHECK_EQ(PART(INITRD).lo, start);
	CHECK_EQ(PART(INITRD).hi, end);
	CHECK(!memcmp(ram + start, initrd, sizeof(initrd)));
	CHECK(!strcmp((char *)ram + rd32(mod + 8), "initrd.img"));
	/* the information block does not overlap the module or the image */
	CHECK(mbi + 88 <= MB_LOAD);
	return true;
}

/* An image on the low pages pushes the information block above it. */
static bool mb_info_clear_of_low_image(void)
{
	struct load_opts o = { .cmdline = "x" };
	size_t n = 0x3000;

	fill(img, n, 0x77);
	put_mb_kludge(img, 0, 0x1000, 0x1000, 0, 0x8000, 0x1000);
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(res.ebx, 0x8000);
	CHECK(!memcmp(ram + 0x1000, img, n));
	CHECK(ram_all(0x4000, 0x4000, 0));
	return true;
}

static bool mb_initrd_too_big(void)
{
	static uint8_t big[64];
	struct load_opts o = { .initrd = big, .initrd_size = RAM_SIZE };
	size_t n = make_mb_kernel();

	CHECK_REJECTS(img, n, &o, "initrd of 16777216 bytes does not fit");
	CHECK(ram_untouched());
	return true;
}

static bool mb_bad_checksum(void)
{
	enum image_format fmt;
	size_t n = make_elf(false, EM_386, 0x100000, one_seg, 1);

	put_mb(img + 0x1000, 0x3);
	img[0x1008]++;			/* checksum now off by one */
	CHECK_EQ(detect_image(img, n, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_ELF32);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_ELF32);
	CHECK_EQ(res.eax, 0);
	return true;
}

static bool mb_header_alignment_and_window(void)
{
	enum image_format fmt;

	memset(img, 0, 3 * 4096);
	put_mb(img + 2, 0);		/* not 32-bit aligned */
	CHECK_EQ(detect_image(img, 4096, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_FLAT);
	memset(img, 0, 16);
	put_mb(img + 8192, 0);		/* past the first 8 KiB */
	CHECK_EQ(detect_image(img, 3 * 4096, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_FLAT);
	put_mb(img + 8192 - 12, 0);	/* the last place it may be */
	CHECK_EQ(detect_image(img, 3 * 4096, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_MULTIBOOT);
	return true;
}

/* Spec 3.1.2: a requirement (bits 0-15) we cannot meet is a refusal. */
static bool mb_unsupported_flag(void)
{
	size_t n = make_mb_kernel();

	put_mb_kludge(img, 0x3 | 1U << 3, MB_LOAD, MB_LOAD, 0, MB_BSS_END,
		      MB_ENTRY);
	CHECK_REJECTS(img, n, NULL, "requires features 0x8");
	CHECK(ram_untouched());
	return true;
}

/* Bit 2 (video mode) is accepted and ignored; bits 17-31 are optional. */
static bool mb_ignored_flags(void)
{
	size_t n = make_mb_kernel();

	put_mb_kludge(img, 0x7 | 1U << 20, MB_LOAD, MB_LOAD, 0, MB_BSS_END,
		      MB_ENTRY);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_MULTIBOOT);
	return true;
}

/* A multiboot header inside an ELF64 wins: it loads by the header. */
static bool detect_multiboot_over_elf(void)
{
	enum image_format fmt;
	const struct seg segs[] = {
		{ PT_LOAD, 0x400000, 0x1000, 0x1000, 0x1000 },
	};
	size_t n = make_elf(true, EM_X86_64, 0x400000, segs, 1);

	put_mb_kludge(img + 0x1000, 0x3, 0x100000, 0x100000, 0x101000, 0,
		      0x100020);
	CHECK_EQ(detect_image(img, n, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_MULTIBOOT);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.mode, MODE_PROTECTED);
	CHECK_EQ(res.entry, 0x100020);
	CHECK(!memcmp(ram + 0x100000, img + 0x1000, 0x1000));
	CHECK(ram_all(0x400000, 0x1000, 0));
	return true;
}

/* ---- bzImage and the rest ----------------------------------------------- */

/* The zero page: the header copied, the loader's fields filled in. */
static bool bzimage_zero_page(void)
{
	size_t n = make_bzimage(0x020f, 0x01);
	enum image_format fmt;
	uint64_t zp, cmd, pa;
	unsigned int i;

	CHECK_EQ(detect_image(img, n, &fmt), 0);
	CHECK_EQ(fmt, IMAGE_BZIMAGE);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.format, IMAGE_BZIMAGE);
	CHECK_EQ(res.mode, MODE_LONG);
	CHECK_EQ(res.entry, BZ_ENTRY);
	CHECK_EQ(PART(IMAGE).lo, 0x100000);
	CHECK_EQ(PART(IMAGE).hi, 0x100000 + BZ_KSIZE);
	CHECK(!memcmp(ram + 0x100000, img + BZ_KOFF, BZ_KSIZE));
	CHECK(ram_all(0x100000 + BZ_KSIZE, 0x1000, 0));
	/* the real-mode code is not loaded anywhere */
	CHECK(ram_all(0x90000, 0x10000, 0));

	zp = res.rsi;
	CHECK_EQ(zp, LOADER_LOW_BASE);
	CHECK_EQ(zp % 4096, 0);
	/* zero up to the setup header (sentinel too) but e820_entries */
	CHECK(ram_all(zp, 0x1e8, 0));
	CHECK_EQ(ram[zp + 0x1e8], 4);
	CHECK(ram_all(zp + 0x1e9, 0x1f1 - 0x1e9, 0));
	CHECK_EQ(ram[zp + ZP_SENTINEL], 0);
	CHECK(img[ZP_SENTINEL]);
	/* the header as in the image, but for the loader's fields */
	for (i = 0x1f1; i < BZ_HDR_END; i++) {
		if (i == 0x210 || (i >= 0x228 && i < 0x22c))
			continue;
		CHECK_EQ(ram[zp + i], img[i]);
	}
	CHECK(ram_all(zp + BZ_HDR_END, ZP_E820 - BZ_HDR_END, 0));
	CHECK_EQ(ram[zp + 0x210], 0xff);		/* type_of_loader */
	CHECK_EQ(ram[zp + 0x211], 0x01);		/* LOADED_HIGH only */
	CHECK_EQ(rd32(zp + 0x218), 0);			/* no initrd */
	CHECK_EQ(rd32(zp + 0x21c), 0);
	CHECK_EQ(rd32(zp + 0x0c0), 0);			/* ext_* */
	CHECK_EQ(rd32(zp + 0x0c8), 0);

	/* the default command line, right after the zero page */
	cmd = rd32(zp + 0x228);
	CHECK_EQ(cmd, zp + 4096);
	CHECK(cmd < 0xa0000);
	CHECK(!strcmp((char *)ram + cmd, LOADER_BZIMAGE_CMDLINE));
	CHECK(!strcmp((char *)ram + cmd,
		      "console=ttyS0 earlyprintk=serial,ttyS0 noapic nolapic tsc=reliable"));
	CHECK_EQ(PART(PARAMS).hi, cmd + strlen(LOADER_BZIMAGE_CMDLINE) + 1);

	/*
	 * long mode: the identity map covers the kernel and the zero page,
	 * and lies clear of them
	 */
	CHECK(res.cr3 >= PART(PARAMS).hi);
	CHECK(res.cr3 + identity_map_bytes(RAM_SIZE) <= 0x9fc00);
	CHECK(walk(res.cr3, res.entry, &pa));
	CHECK_EQ(pa, res.entry);
	CHECK(walk(res.cr3, zp, &pa));
	CHECK_EQ(pa, zp);
	CHECK(walk(res.cr3, RAM_SIZE - 1, &pa));
	CHECK_EQ(res.eax, 0);
	CHECK_EQ(res.ebx, 0);
	CHECK_EQ(PART(INITRD).lo, 0);
	CHECK_EQ(PART(INITRD).hi, 0);
	CHECK_EQ(res.stack, RAM_SIZE);
	return true;
}

/* RAM, EBDA, BIOS area, RAM: what a PC's firmware would report. */
static bool bzimage_e820(void)
{
	static const uint64_t map[4][3] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, RAM_SIZE - 0x100000, 1 },
	};
	size_t n = make_bzimage(0x020f, 0x01);
	uint64_t e;
	unsigned int i;

	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(ram[res.rsi + 0x1e8], 4);		/* e820_entries */
	for (i = 0; i < 4; i++) {
		e = res.rsi + ZP_E820 + i * 20;
		CHECK_EQ(rd64(e), map[i][0]);
		CHECK_EQ(rd64(e + 8), map[i][1]);
		CHECK_EQ(rd32(e + 16), map[i][2]);
	}
	CHECK(ram_all(res.rsi + ZP_E820 + 4 * 20, 128 * 20 - 4 * 20, 0));
	/* the zero page and the tables are in the first RAM entry */
	CHECK(PART(PARAMS).hi <= 0x9fc00);
	return true;
}

static bool bzimage_cmdline(void)
{
	static const char line[] = "console=ttyS0 root=/dev/ram0 quiet";
	struct load_opts o = { .cmdline = line };
	size_t n = make_bzimage(0x020f, 0x01);
	uint64_t cmd;

	CHECK_LOADS(img, n, &o);
	cmd = rd32(res.rsi + 0x228);
	CHECK(!strcmp((char *)ram + cmd, line));
	CHECK_EQ(PART(PARAMS).hi, cmd + sizeof(line));

	/* cmdline_size is the longest the kernel takes */
	put32(img + 0x238, sizeof(line) - 1);
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, &o);
	put32(img + 0x238, sizeof(line) - 2);
	memset(ram, 0, RAM_SIZE);
	CHECK_REJECTS(img, n, &o, "is 34 bytes long, and this kernel takes at most 33 (cmdline_size)");
	CHECK(ram_untouched());

	/* "" is an empty command line, not the default */
	o.cmdline = "";
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(ram[rd32(res.rsi + 0x228)], 0);
	return true;
}

/* The initrd at the top of RAM, page aligned, in the header's fields. */
static bool bzimage_initrd(void)
{
	const size_t size = 10000;
	struct load_opts o = {
		.initrd = initrd, .initrd_size = size,
		.initrd_name = "ignored",
	};
	size_t n = make_bzimage(0x020f, 0x01);
	uint64_t want = (RAM_SIZE - size) & ~0xfffULL;

	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(INITRD).lo, want);
	CHECK_EQ(PART(INITRD).hi, want + size);
	CHECK_EQ(rd32(res.rsi + 0x218), want);		/* ramdisk_image */
	CHECK_EQ(rd32(res.rsi + 0x21c), size);	/* ramdisk_size */
	CHECK(!memcmp(ram + want, initrd, size));
	CHECK(ram_all(want + size, RAM_SIZE - want - size, 0));
	CHECK_EQ(res.stack, 0);		/* the initrd has the top of RAM */

	/* below initrd_addr_max, the highest byte it may occupy */
	put32(img + 0x22c, 0x7fffff);
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(INITRD).lo, (0x800000 - size) & ~0xfffULL);
	CHECK(PART(INITRD).hi <= 0x800000);
	CHECK_EQ(res.stack, RAM_SIZE);

	/* an initrd of exactly a page ends at the limit */
	o.initrd_size = 4096;
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(INITRD).lo, 0x7ff000);
	CHECK_EQ(PART(INITRD).hi, 0x800000);
	return true;
}

/* The initrd must stay clear of the kernel's memory. */
static bool bzimage_initrd_no_room(void)
{
	struct load_opts o = { .initrd = initrd, .initrd_size = 11 * MiB };
	size_t n = make_bzimage(0x020f, 0x01);

	/* [2 MiB, 6 MiB) is the kernel's: 11 MiB from the top reaches it */
	CHECK_REJECTS(img, n, &o, "initrd of 11534336 bytes does not fit");
	o.initrd_size = RAM_SIZE + 1;		/* too big: never read */
	CHECK_REJECTS(img, n, &o, "does not fit in guest RAM (16 MiB)");
	o.initrd = NULL;
	o.initrd_size = 5;
	CHECK_REJECTS(img, n, &o, "without its contents");
	CHECK(ram_untouched());
	/* 10 MiB fits between the kernel and the end of RAM */
	o.initrd = initrd;
	o.initrd_size = 10 * MiB;
	put32(img + 0x22c, 0xffffffff);
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(INITRD).lo, 6 * MiB);
	CHECK(!memcmp(ram + 6 * MiB, initrd, 10 * MiB));
	return true;
}

/*
 * Where the kernel will run and how much it needs there: pref_address,
 * raised to the load address rounded up to kernel_alignment.
 */
static bool bzimage_runtime_memory(void)
{
	struct load_opts o = { .initrd = initrd, .initrd_size = 2 * MiB };
	size_t n = make_bzimage(0x020f, 0x01);

	/* Debian's 6.1: 16 MiB and 0x3f98000 need 80 MiB */
	put64(img + 0x258, 0x1000000);
	put32(img + 0x260, 0x3f98000);
	CHECK_REJECTS(img, n, NULL,
		      "needs guest RAM up to 0x4f98000 (init_size 0x3f98000 from 0x1000000) but RAM is 16 MiB: give at least 80 MiB");

	/* kernel_alignment 16 MiB moves a relocatable kernel to 16 MiB */
	put64(img + 0x258, BZ_PREF);
	put32(img + 0x260, BZ_INIT_SIZE);
	put32(img + 0x230, 0x1000000);
	CHECK_REJECTS(img, n, NULL, "from 0x1000000");

	/* not relocatable: pref_address, whatever the alignment */
	img[0x234] = 0;
	put64(img + 0x258, 0x400000);
	put32(img + 0x260, 0xc00000);
	CHECK_LOADS(img, n, NULL);
	put32(img + 0x260, 0xc00001);
	memset(ram, 0, RAM_SIZE);
	CHECK_REJECTS(img, n, NULL, "give at least 17 MiB");
	CHECK(ram_untouched());

	/* relocatable with [2 MiB, 15 MiB): a 2 MiB initrd has no room */
	img[0x234] = 1;
	put32(img + 0x230, 0x200000);
	put64(img + 0x258, BZ_PREF);
	put32(img + 0x260, 13 * MiB);
	CHECK_REJECTS(img, n, &o, "clear of the kernel's memory");
	o.initrd_size = MiB;
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(INITRD).lo, 15 * MiB);
	return true;
}

static bool bzimage_invalid(void)
{
	enum image_format fmt;
	size_t n = make_bzimage(0x020f, 0x00);

	CHECK_EQ(detect_image(img, n, &fmt), -1);
	CHECK_REJECTS(img, n, NULL, "zImage");
	n = make_bzimage(0x0104, 0x01);
	CHECK_REJECTS(img, n, NULL, "boot protocol 1.04 is too old");
	n = make_bzimage(0x020f, 0x01);
	CHECK_REJECTS(img, 4 * 512, NULL, "truncated bzImage");
	CHECK(ram_untouched());
	return true;
}

/* What the 64-bit entry needs: 2.06+, xloadflags (2.12+), KERNEL_64. */
static bool bzimage_rejected(void)
{
	size_t n;

	n = make_bzimage(0x0205, 0x01);
	CHECK_REJECTS(img, n, NULL, "boot protocol 2.05 is too old: vtxhv boots bzImages through the 64-bit entry, which needs 2.06");
	n = make_bzimage(0x020a, 0x01);
	CHECK_REJECTS(img, n, NULL, "boot protocol 2.10 has no xloadflags");
	n = make_bzimage(0x020f, 0x01);
	put16(img + 0x236, 0x02);
	CHECK_REJECTS(img, n, NULL, "no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags 0x2)");
	n = make_bzimage(0x020c, 0x01);
	img[0x201] = 0x50;				/* ends at 0x252 */
	CHECK_REJECTS(img, n, NULL, "setup header ends at 0x252, too short for boot protocol 2.12");
	n = make_bzimage(0x020f, 0x01);
	put32(img + 0x1f4, BZ_KSIZE / 16 + 1);
	CHECK_REJECTS(img, n, NULL, "truncated bzImage: syssize says 0x3010 bytes of protected-mode kernel, the file has 0x3000");
	n = make_bzimage(0x020f, 0x01);
	put32(img + 0x230, 0x300000);
	CHECK_REJECTS(img, n, NULL, "kernel_alignment 0x300000 is not a power of two");
	put32(img + 0x230, 0);
	CHECK_REJECTS(img, n, NULL, "kernel_alignment 0x0 is not a power of two");
	CHECK(ram_untouched());

	/* a protected-mode kernel bigger than RAM above 1 MiB */
	n = make_bzimage(0x020f, 0x01);
	img[0x234] = 0;				/* runs where it is loaded */
	put32(img + 0x260, 0);
	put64(img + 0x258, 0x100000);
	CHECK(load_image(img, n, ram, MiB + BZ_KSIZE - 4096, &no_opts, &res,
			 err, sizeof(err)));
	CHECK(strstr(err, "protected-mode kernel (12288 bytes) does not fit in guest RAM (1032 KiB) at 1 MiB"));
	printf("# rejected: %s\n", err);
	CHECK(ram_untouched());
	/* ... and one that just fits, with its init_size */
	put32(img + 0x260, BZ_KSIZE);
	if (load_image(img, n, ram, MiB + BZ_KSIZE, &no_opts, &res, err,
		       sizeof(err))) {
		printf("# load failed: %s\n", err);
		return false;
	}
	return true;
}

/* ---- The placement planner -------------------------------------------- */

static bool planner_first_fit(void)
{
	struct layout l;

	layout_init(&l, 64 * KiB);
	layout_reserve(&l, LAYOUT_IMAGE, 0x1000, 0x2800);
	/* on a page boundary past the image */
	CHECK_EQ(layout_first_fit(&l, LAYOUT_PARAMS, 0x100, 0x1000, 0x10000),
		 0);
	CHECK_EQ(l.part[LAYOUT_PARAMS].lo, 0x3000);
	CHECK_EQ(l.part[LAYOUT_PARAMS].hi, 0x3100);
	/* past every part in the way */
	CHECK_EQ(layout_first_fit(&l, LAYOUT_TABLES, 0x3000, 0, 0x10000), 0);
	CHECK_EQ(l.part[LAYOUT_TABLES].lo, 0x4000);
	/* a window that reaches past RAM ends with RAM */
	CHECK_EQ(layout_first_fit(&l, LAYOUT_GDT, 0x1000, 0xf000, 4 * GiB),
		 0);
	CHECK_EQ(l.part[LAYOUT_GDT].lo, 0xf000);
	CHECK_EQ(layout_first_fit(&l, LAYOUT_STACK, 0x1000, 0xf000, 4 * GiB),
		 -1);
	/* [0x7000, 0xf000) is the largest hole left */
	CHECK_EQ(layout_first_fit(&l, LAYOUT_STACK, 0x9000, 0, 0x10000), -1);
	CHECK(empty(&l.part[LAYOUT_STACK]));
	CHECK(layout_is_free(&l, 0x2800, 0x3000));
	CHECK(!layout_is_free(&l, 0x27ff, 0x2801));
	CHECK(layout_is_free(&l, 0x1800, 0x1800));
	/* an empty part (a zero-byte initrd) takes no room */
	layout_reserve(&l, LAYOUT_INITRD, 0x7800, 0x7800);
	CHECK_EQ(layout_first_fit(&l, LAYOUT_STACK, 0x2000, 0x7000, 0x10000),
		 0);
	CHECK_EQ(l.part[LAYOUT_STACK].lo, 0x7000);
	return true;
}

/* The GDT's first choice: the first page of the 640 KiB - 1 MiB hole. */
static bool gdt_in_the_hole(void)
{
	size_t n;

	fill(img, 0x100, 0x20);
	CHECK_LOADS(img, 0x100, NULL);
	CHECK_EQ(res.gdt, 0xa0000);
	n = make_elf(true, EM_X86_64, 0x100000, one_seg, 1);
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.mode, MODE_LONG);
	CHECK_EQ(res.gdt, 0xa0000);
	n = make_mb_kernel();
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.gdt, 0xa0000);
	n = make_bzimage(0x020f, 0x01);
	memset(ram, 0, RAM_SIZE);
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(res.gdt, 0xa0000);
	return true;
}

static bool gdt_none_in_real_mode(void)
{
	struct load_opts o = { .mode = MODE_REAL };

	fill(img, 512, 0x21);
	CHECK_LOADS(img, 512, &o);
	CHECK_EQ(res.gdt, 0);
	CHECK(empty(&PART(GDT)));
	return true;
}

/*
 * Every byte the loader writes is in a part it writes, whatever its value:
 * each load runs on RAM of all ones and then of all zeroes, and a byte
 * written outside the parts differs from one of them (layout_ok() compares
 * RAM before and after every load).
 */
#define CHECK_LOADS_ON_ANY_RAM(file, size, opts)			\
	do {								\
		memset(ram, 0xff, ram_size);				\
		CHECK_LOADS(file, size, opts);				\
		memset(ram, 0, ram_size);				\
		CHECK_LOADS(file, size, opts);				\
	} while (0)

static bool writes_only_inside_parts(void)
{
	static const struct seg segs[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x300, 0x300 },
		{ PT_LOAD, 0x200000, 0x2000, 0x80, 0x1000 },
	};
	struct load_opts real = { .mode = MODE_REAL };
	struct load_opts flat64 = { .mode = MODE_LONG };
	struct load_opts mb = {
		.cmdline = "console=ttyS0", .initrd = initrd,
		.initrd_size = 5000, .initrd_name = "initrd.img",
	};
	struct load_opts bz = {
		.cmdline = "quiet", .initrd = initrd, .initrd_size = 5000,
	};
	size_t n;

	fill(img, 0x1001, 0x26);
	CHECK_LOADS_ON_ANY_RAM(img, 0x1001, NULL);
	CHECK_LOADS_ON_ANY_RAM(img, 0x201, &real);
	CHECK_LOADS_ON_ANY_RAM(img, 0x1001, &flat64);
	n = make_elf(false, EM_386, 0x100000, segs, 2);
	CHECK_LOADS_ON_ANY_RAM(img, n, NULL);
	n = make_elf(true, EM_X86_64, 0x100000, segs, 2);
	CHECK_LOADS_ON_ANY_RAM(img, n, NULL);
	n = make_mb_kernel();
	CHECK_LOADS_ON_ANY_RAM(img, n, &mb);
	CHECK_EQ(res.format, IMAGE_MULTIBOOT);
	n = make_elf(false, EM_386, 0x100000, segs, 2);
	put_mb(img + 0x1000, 0x3);
	CHECK_LOADS_ON_ANY_RAM(img, n, &mb);
	CHECK_EQ(res.format, IMAGE_MULTIBOOT);
	n = make_bzimage(0x020f, 0x01);
	CHECK_LOADS_ON_ANY_RAM(img, n, &bz);
	return true;
}

/* An image over the first pages of the hole pushes the GDT past it. */
static bool gdt_after_image_in_the_hole(void)
{
	struct load_opts o = { .has_load = true, .load_addr = 0x9f800 };

	fill(img, 0x1900, 0x22);
	CHECK_LOADS(img, 0x1900, &o);
	CHECK_EQ(res.gdt, 0xa2000);
	return true;
}

/* With RAM below the hole, the first free page from 4 KiB up. */
static bool gdt_low_in_small_ram(void)
{
	struct load_opts o = { .has_load = true, .load_addr = 0x1000 };

	ram_size = 512 * KiB;
	fill(img, 0x1000, 0x23);
	CHECK_LOADS(img, 0x1000, &o);
	CHECK_EQ(res.stack, 512 * KiB);
	CHECK_EQ(res.gdt, 0x2000);
	return true;
}

/*
 * The GDT goes right after the multiboot information, however long its
 * strings: 88 + 24 + 3901 + 6 bytes end in the first page.  (cmd_run.c
 * once guessed 256 bytes plus the strings and skipped a page.)
 */
static bool gdt_after_multiboot_info(void)
{
	static char line[3901];
	struct load_opts o = { .cmdline = line };
	size_t n = 0x2000;

	ram_size = 512 * KiB;
	memset(line, 'x', sizeof(line) - 1);
	fill(img, n, 0x24);
	put_mb_kludge(img, 0, 0x10000, 0x10000, 0, 0x12000, 0x10000);
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(PART(PARAMS).lo, 0x1000);
	CHECK_EQ(PART(PARAMS).hi, 0x1000 + 88 + 24 + sizeof(line) + 6);
	CHECK_EQ(res.gdt, 0x2000);
	return true;
}

/* A kernel that runs below the hole: the GDT goes past its memory. */
static bool gdt_clear_of_kernel_run_area(void)
{
	size_t n = make_bzimage(0x020f, 0x01);

	img[0x234] = 0;				/* not relocatable */
	put64(img + 0x258, 0x10000);		/* pref_address */
	put32(img + 0x260, 0x400000);		/* init_size */
	CHECK_LOADS(img, n, NULL);
	CHECK_EQ(PART(KERNEL).lo, 0x10000);
	CHECK_EQ(PART(KERNEL).hi, 0x410000);
	CHECK_EQ(res.gdt, 0x410000);
	return true;
}

/* Too little RAM for a part: a message naming it, and RAM untouched. */
static bool planner_no_room(void)
{
	struct load_opts flat = { .has_load = true, .load_addr = 0x1000 };
	struct load_opts flat64 = {
		.mode = MODE_LONG, .has_load = true, .load_addr = 0x1000,
	};
	size_t n;

	ram_size = 8 * KiB;
	fill(img, 0x1000, 0x25);
	CHECK_REJECTS(img, 0x1000, &flat,
		      "no free 4 KiB page in guest RAM for the GDT: give more memory");
	CHECK_REJECTS(img, 0x100, &flat64,
		      "no room in guest RAM (8 KiB) for the 12 KiB of long-mode page tables next to the image at 0x1000-0x1100");

	/* an image over all of low memory leaves the information no room */
	ram_size = RAM_SIZE;
	n = 0x1000;
	put_mb_kludge(img, 0, 0x1000, 0x1000, 0, 0xa0000, 0x1000);
	CHECK_REJECTS(img, n, NULL,
		      "no room below 640 KiB for the 142 bytes of multiboot information (image at 0x1000-0xa0000)");

	/* a kernel that runs over low memory leaves the zero page none */
	n = make_bzimage(0x020f, 0x01);
	img[0x234] = 0;
	put64(img + 0x258, 0x1000);
	put32(img + 0x260, 0x200000);
	CHECK_REJECTS(img, n, NULL,
		      "no room below 0x9fc00 for the zero page and the 66-byte command line");
	CHECK(ram_untouched());
	return true;
}

/* ---- The rest ------------------------------------------------------------ */

/* Options that would do nothing for a format are refused, not dropped. */
static bool options_checked_per_format(void)
{
	struct load_opts at = { .has_load = true, .load_addr = 0x200000 };
	struct load_opts cmdline = { .cmdline = "quiet" };
	size_t n = make_elf(false, EM_386, 0x100000, one_seg, 1);

	CHECK_REJECTS(img, n, &at, "apply only to flat images");
	CHECK_REJECTS(img, n, &cmdline, "the image is ELF32");
	fill(img, 0x100, 0x88);
	CHECK_REJECTS(img, 0x100, &cmdline, "the image is flat");
	return true;
}

static bool names(void)
{
	CHECK(!strcmp(image_format_name(IMAGE_FLAT), "flat"));
	CHECK(!strcmp(image_format_name(IMAGE_ELF32), "ELF32"));
	CHECK(!strcmp(image_format_name(IMAGE_ELF64), "ELF64"));
	CHECK(!strcmp(image_format_name(IMAGE_MULTIBOOT), "multiboot"));
	CHECK(!strcmp(image_format_name(IMAGE_BZIMAGE), "bzImage"));
	CHECK(!strcmp(guest_mode_name(MODE_LONG), "long"));
	return true;
}

static void setup(void);	/* a fresh case: RAM, image, result */

/*
 * A bzImage with firmware: the tables in the BIOS area, which the e820
 * map reserves, and the RSDP's address in the zero page from boot
 * protocol 2.14 on (earlier kernels scan for it).
 */
static bool fw_bzimage(void)
{
	struct load_opts o = fw_opts();
	size_t n = make_bzimage(0x020f, 0x01);
	uint64_t e;

	CHECK_LOADS(img, n, &o);
	CHECK(fw_tables_in_ram());
	CHECK_EQ(rd64(res.rsi + ZP_ACPI_RSDP), FW_RSDP_ADDR);
	e = res.rsi + ZP_E820 + 2 * 20;
	CHECK(rd64(e) <= FW_BASE);
	CHECK(rd64(e) + rd64(e + 8) >= FW_BASE + FW_SIZE);
	CHECK_EQ(rd32(e + 16), 2);			/* reserved */

	setup();
	n = make_bzimage(0x020d, 0x01);
	CHECK_LOADS(img, n, &o);
	CHECK(fw_tables_in_ram());
	CHECK_EQ(rd64(res.rsi + ZP_ACPI_RSDP), 0);
	return true;
}

/*
 * The MADT's wake-up structures (ACPI 6.4, 5.2.12.19) as a guest finds
 * them, from the RSDP through the XSDT: how many, the last one's mailbox
 * in *mailbox.  The MADT's checksum must hold.
 */
static bool find_mp_wakeup(unsigned int *count, uint64_t *mailbox)
{
	uint64_t xsdt = rd64(FW_RSDP_ADDR + 24), t = 0, e, end, a;
	unsigned int i;
	uint8_t sum = 0;

	for (i = 0; i < (rd32(xsdt + 4) - 36) / 8 && !t; i++)
		if (!memcmp(ram + rd64(xsdt + 36 + 8 * i), "APIC", 4))
			t = rd64(xsdt + 36 + 8 * i);
	CHECK(t);
	end = t + rd32(t + 4);
	for (a = t; a < end; a++)
		sum += ram[a];
	CHECK_EQ(sum, 0);
	*count = 0;
	for (e = t + 44; e < end; e += ram[e + 1]) {
		CHECK(ram[e + 1] >= 2);
		if (ram[e] != 0x10)
			continue;
		CHECK_EQ(ram[e + 1], 16);
		*mailbox = rd64(e + 8);
		(*count)++;
	}
	CHECK_EQ(e, end);
	return true;
}

/* Is [lo, hi) inside one range of the zero page's e820 map of type? */
static bool e820_covers(uint64_t lo, uint64_t hi, uint32_t type)
{
	uint64_t e = res.rsi + ZP_E820;
	unsigned int i;

	for (i = 0; i < ram[res.rsi + 0x1e8]; i++, e += 20)
		if (rd32(e + 16) == type && rd64(e) <= lo &&
		    hi <= rd64(e) + rd64(e + 8))
			return true;
	return false;
}

/*
 * With fw->mp_wakeup, and only then: the MADT has one wake-up structure,
 * its mailbox on a page of its own in memory the e820 map reserves, with
 * the APs' loop, GDT and page tables (the registers that use them:
 * boot_regs_test); the mailbox holds no request; the tables identity-map
 * the loop, the mailbox and the low 4 GiB.
 */
static bool fw_bzimage_mp_wakeup(void)
{
	static uint8_t want[FW_SIZE];
	struct load_opts o = fw_opts();
	size_t n = make_bzimage(0x020f, 0x01);
	unsigned int count;
	uint64_t mailbox = 0, pa;

	CHECK_LOADS(img, n, &o);
	CHECK(find_mp_wakeup(&count, &mailbox));
	CHECK_EQ(count, 0);

	setup();
	n = make_bzimage(0x020f, 0x01);
	fw2.mp_wakeup = true;
	CHECK_LOADS(img, n, &o);
	CHECK_EQ(res.format, IMAGE_BZIMAGE);
	CHECK(find_mp_wakeup(&count, &mailbox));
	CHECK_EQ(count, 1);
	CHECK_EQ(mailbox, FW_MAILBOX);
	CHECK_EQ(mailbox % 4096, 0);
	CHECK(e820_covers(mailbox, FW_AP_TABLES + FW_AP_TABLES_SIZE, 2));
	CHECK(ram_all(mailbox, 16, 0));			/* no request */
	CHECK(!memcmp(ram + FW_AP_LOOP, "\xf3\x90", 2));	/* pause */
	CHECK_EQ(rd64(FW_AP_GDT + SEL_CODE), GDT_CODE64);
	CHECK_EQ(rd64(FW_AP_GDT + SEL_TSS) & 0xffff, TSS_LIMIT);
	CHECK_EQ(identity_map_bytes(FW_AP_MAP), FW_AP_TABLES_SIZE);
	CHECK(walk(FW_AP_TABLES, FW_AP_LOOP, &pa));
	CHECK_EQ(pa, FW_AP_LOOP);
	CHECK(walk(FW_AP_TABLES, mailbox + 8, &pa));
	CHECK_EQ(pa, mailbox + 8);
	CHECK(walk(FW_AP_TABLES, 4 * GiB - 1, &pa));
	CHECK_EQ(pa, 4 * GiB - 1);
	/* below the mailbox, the tables of fw_build() */
	CHECK_EQ(PART(FIRMWARE).hi, FW_BASE + FW_SIZE);
	CHECK(fw_build(&fw2, want, sizeof(want)) > 0);
	CHECK(!memcmp(ram + FW_BASE, want, FW_MAILBOX - FW_BASE));
	return true;
}

/* Without firmware nothing changes: no part, no tables, no RSDP. */
static bool fw_none_by_default(void)
{
	size_t n = make_bzimage(0x020f, 0x01);

	CHECK_LOADS(img, n, NULL);
	CHECK(empty(&PART(FIRMWARE)));
	CHECK(ram_all(FW_BASE, FW_SIZE, 0));
	CHECK_EQ(rd64(res.rsi + ZP_ACPI_RSDP), 0);
	return true;
}

/* Every format gets the tables: multiboot, flat, real mode too. */
static bool fw_other_formats(void)
{
	struct load_opts o = fw_opts();
	size_t n = make_mb_kernel();

	CHECK_LOADS(img, n, &o);
	CHECK(fw_tables_in_ram());
	setup();
	o.mode = MODE_REAL;
	fill(img, 0x200, 0x5a);
	CHECK_LOADS(img, 0x200, &o);
	CHECK_EQ(PART(IMAGE).lo, 0x7c00);
	CHECK(fw_tables_in_ram());
	return true;
}

/*
 * What the planner places in a window avoids the tables, which are placed
 * first: a page wanted in the BIOS area goes below them, a larger part
 * past them.
 */
static bool fw_avoided_by_planned_parts(void)
{
	struct load_opts o = fw_opts();
	struct layout l;

	layout_init(&l, RAM_SIZE);
	layout_reserve(&l, LAYOUT_FIRMWARE, FW_BASE, FW_BASE + FW_SIZE);
	CHECK(!layout_is_free(&l, 0xfffff, 0x100000));
	CHECK_EQ(layout_first_fit(&l, LAYOUT_GDT, 0x1000, 0xef000, 4 * GiB), 0);
	CHECK_EQ(l.part[LAYOUT_GDT].lo, 0xef000);
	CHECK_EQ(layout_first_fit(&l, LAYOUT_PARAMS, 0x1000, 0xef000, 4 * GiB),
		 0);
	CHECK_EQ(l.part[LAYOUT_PARAMS].lo, 0x100000);
	CHECK_EQ(layout_first_fit(&l, LAYOUT_TABLES, 0x1000, 0xf0000, MiB), -1);

	/* a load's GDT, first from 640 KiB up, lands before the tables */
	o.has_load = true;
	o.load_addr = 0xa0000;
	fill(img, 0x1000, 0x31);
	CHECK_LOADS(img, 0x1000, &o);
	CHECK_EQ(res.gdt, 0xa1000);
	CHECK(fw_tables_in_ram());
	return true;
}

/* An image placed over the tables, or RAM too small for them: refused. */
static bool fw_conflicts_refused(void)
{
	struct load_opts o = fw_opts();

	o.has_load = true;
	o.load_addr = 0xef000;
	fill(img, 0x2000, 0x77);
	CHECK_REJECTS(img, 0x2000, &o, "overlaps the firmware tables");
	o.fw = NULL;
	CHECK_LOADS(img, 0x2000, &o);		/* fine without them */

	setup();
	o = fw_opts();
	o.mode = MODE_REAL;
	ram_size = 512 * KiB;
	fill(img, 0x200, 0x5a);
	CHECK_REJECTS(img, 0x200, &o, "need guest RAM up to 1 MiB");

	setup();
	o = fw_opts();
	fw2.ncpus = 0;
	CHECK_REJECTS(img, 0x200, &o, "cannot build firmware tables");
	return true;
}

static const struct test_case tests[] = {
	TEST(flat_protected_defaults),
	TEST(flat_real_defaults),
	TEST(flat_long_defaults),
	TEST(flat_load_and_entry),
	TEST(flat_entry_only),
	TEST(flat_real_load_and_entry),
	TEST(flat_real_entry_above_1m),
	TEST(flat_long_tables_avoid_image),
	TEST(flat_outside_ram),
	TEST(flat_load_wraps),
	TEST(flat_entry_outside_ram),
	TEST(flat_empty_and_bad_mode),
	TEST(flat_no_room_for_stack),
	TEST(flat_boot_sector),
	TEST(elf32_two_segments_bss),
	TEST(elf32_ignores_other_segments),
	TEST(elf_segment_outside_ram),
	TEST(elf_segment_wraps),
	TEST(elf_segment_beyond_file),
	TEST(elf_filesz_above_memsz),
	TEST(elf_truncated_header),
	TEST(elf_phdrs_beyond_file),
	TEST(elf_no_loadable_segment),
	TEST(elf_wrong_machine),
	TEST(elf64_entry_and_mode),
	TEST(elf64_identity_map),
	TEST(elf64_tables_avoid_segments),
	TEST(elf64_high_entry),
	TEST(identity_map_4gib),
	TEST(identity_map_bad_args),
	TEST(mb_kludge_load),
	TEST(mb_kludge_file_offset),
	TEST(mb_kludge_bad_addresses),
	TEST(mb_elf32),
	TEST(mb_no_kludge_not_elf),
	TEST(mb_info_memory),
	TEST(mb_info_cmdline),
	TEST(mb_info_module),
	TEST(mb_info_clear_of_low_image),
	TEST(mb_initrd_too_big),
	TEST(mb_bad_checksum),
	TEST(mb_header_alignment_and_window),
	TEST(mb_unsupported_flag),
	TEST(mb_ignored_flags),
	TEST(detect_multiboot_over_elf),
	TEST(bzimage_zero_page),
	TEST(bzimage_e820),
	TEST(bzimage_cmdline),
	TEST(bzimage_initrd),
	TEST(bzimage_initrd_no_room),
	TEST(bzimage_runtime_memory),
	TEST(bzimage_invalid),
	TEST(bzimage_rejected),
	TEST(planner_first_fit),
	TEST(writes_only_inside_parts),
	TEST(gdt_in_the_hole),
	TEST(gdt_none_in_real_mode),
	TEST(gdt_after_image_in_the_hole),
	TEST(gdt_low_in_small_ram),
	TEST(gdt_after_multiboot_info),
	TEST(gdt_clear_of_kernel_run_area),
	TEST(planner_no_room),
	TEST(options_checked_per_format),
	TEST(names),
	TEST(fw_bzimage),
	TEST(fw_bzimage_mp_wakeup),
	TEST(fw_none_by_default),
	TEST(fw_other_formats),
	TEST(fw_avoided_by_planned_parts),
	TEST(fw_conflicts_refused),
};

/* Each case starts from zeroed guest RAM, image and result. */
static void setup(void)
{
	ram_size = RAM_SIZE;
	memset(ram, 0, RAM_SIZE);
	memset(img, 0, sizeof(img));
	memset(&res, 0, sizeof(res));
	err[0] = '\0';
}

int main(void)
{
	int fail;

	ram = malloc(RAM_SIZE);
	before = malloc(RAM_SIZE);
	initrd = malloc(INITRD_MAX);
	if (!ram || !before || !initrd) {
		printf("Bail out! cannot allocate %llu bytes of guest RAM and an initrd\n",
		       RAM_SIZE);
		return 1;
	}
	fill(initrd, INITRD_MAX, 0x1d);
	fail = run_test_cases(tests, NTESTS(tests), setup);
	free(ram);
	free(before);
	free(initrd);
	return fail;
}
