// SPDX-License-Identifier: GPL-2.0
/*
 * ELF32 and ELF64 images for the loader (and the ELF32 inside a multiboot
 * kernel without address fields): PT_LOAD segments at their physical
 * addresses, file bytes first, then zeroes to p_memsz.
 */
#include <elf.h>
#include <string.h>

#include "loader_int.h"

bool is_elf(const uint8_t *f, size_t n)
{
	return n >= SELFMAG && !memcmp(f, ELFMAG, SELFMAG);
}

/* ELF32 or ELF64 for an x86 ELF file, -1 with a message for another. */
int elf_format(const struct loader *ld, enum image_format *fmt)
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

/*
 * The ELF header in its 64-bit form, which holds every ELF32 value: the
 * rest of the loader then reads one layout.  Only the fields it uses are
 * widened.
 */
static void elf_header(const uint8_t *f, bool is64, Elf64_Ehdr *h)
{
	Elf32_Ehdr h32;

	if (is64) {
		memcpy(h, f, sizeof(*h));
		return;
	}
	memcpy(&h32, f, sizeof(h32));
	*h = (Elf64_Ehdr){
		.e_type = h32.e_type, .e_version = h32.e_version,
		.e_entry = h32.e_entry, .e_phoff = h32.e_phoff,
		.e_phentsize = h32.e_phentsize, .e_phnum = h32.e_phnum,
	};
}

static int elf_parse(struct loader *ld, bool is64)
{
	const uint8_t *f = ld->file;
	struct elf_image *e = &ld->elf;
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	Elf64_Ehdr h;

	if (ld->file_size < ehsize)
		return fail(ld, "truncated ELF header: the file has %zu bytes, an %s header needs %zu",
			    ld->file_size, is64 ? "ELF64" : "ELF32", ehsize);
	elf_header(f, is64, &h);
	e->is64 = is64;
	e->entry = h.e_entry;
	e->phoff = h.e_phoff;
	e->phnum = h.e_phnum;
	e->phentsize = h.e_phentsize;

	if (f[EI_DATA] != ELFDATA2LSB)
		return fail(ld, "ELF file is not little-endian");
	if (f[EI_VERSION] != EV_CURRENT || h.e_version != EV_CURRENT)
		return fail(ld, "ELF file has unknown version %u", h.e_version);
	if (h.e_type != ET_EXEC && h.e_type != ET_DYN)
		return fail(ld, "ELF file of type %u is not an executable",
			    h.e_type);
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

/* Program header i, in the 64-bit form as elf_header(). */
static void elf_segment(const struct loader *ld, unsigned int i,
			Elf64_Phdr *s)
{
	const struct elf_image *e = &ld->elf;
	const uint8_t *p = ld->file + e->phoff + (uint64_t)i * e->phentsize;
	Elf32_Phdr p32;

	if (e->is64) {
		memcpy(s, p, sizeof(*s));
		return;
	}
	memcpy(&p32, p, sizeof(p32));
	*s = (Elf64_Phdr){
		.p_type = p32.p_type, .p_offset = p32.p_offset,
		.p_paddr = p32.p_paddr, .p_filesz = p32.p_filesz,
		.p_memsz = p32.p_memsz,
	};
}

/* PT_LOAD segments go to p_paddr: file bytes first, then zeroes to memsz. */
int plan_elf(struct loader *ld, bool is64)
{
	struct load_result *res = ld->res;
	uint64_t lo = UINT64_MAX, hi = 0;
	Elf64_Phdr s;
	unsigned int i;

	if (elf_parse(ld, is64))
		return -1;
	for (i = 0; i < ld->elf.phnum; i++) {
		elf_segment(ld, i, &s);
		if (s.p_type != PT_LOAD)
			continue;
		if (s.p_filesz > s.p_memsz)
			return fail(ld, "ELF segment at 0x%llx has more file bytes (0x%llx) than memory bytes (0x%llx)",
				    (unsigned long long)s.p_paddr,
				    (unsigned long long)s.p_filesz,
				    (unsigned long long)s.p_memsz);
		if (!s.p_memsz)
			continue;
		if (!fits(s.p_offset, s.p_filesz, ld->file_size))
			return fail(ld, "ELF segment at 0x%llx: its file bytes 0x%llx+0x%llx run past the end of the file (%zu bytes)",
				    (unsigned long long)s.p_paddr,
				    (unsigned long long)s.p_offset,
				    (unsigned long long)s.p_filesz,
				    ld->file_size);
		if (!fits(s.p_paddr, s.p_memsz, ld->ram_size))
			return fail(ld, "ELF segment at 0x%llx+0x%llx is outside guest RAM (%s)",
				    (unsigned long long)s.p_paddr,
				    (unsigned long long)s.p_memsz,
				    size_str(ld->ram_size).s);
		lo = min_u64(lo, s.p_paddr);
		if (s.p_paddr + s.p_memsz > hi)
			hi = s.p_paddr + s.p_memsz;
	}
	if (!hi)
		return fail(ld, "ELF file has no loadable segments");

	ld->is_elf = true;
	layout_reserve(&res->layout, LAYOUT_IMAGE, lo, hi);
	res->mode = is64 ? MODE_LONG : MODE_PROTECTED;
	res->entry = ld->elf.entry;
	return 0;
}

void write_elf(struct loader *ld)
{
	Elf64_Phdr s;
	unsigned int i;

	for (i = 0; i < ld->elf.phnum; i++) {
		elf_segment(ld, i, &s);
		if (s.p_type != PT_LOAD || !s.p_memsz)
			continue;
		memcpy(ld->ram + s.p_paddr, ld->file + s.p_offset, s.p_filesz);
		memset(ld->ram + s.p_paddr + s.p_filesz, 0,
		       s.p_memsz - s.p_filesz);
	}
}
