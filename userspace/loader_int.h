/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the image loader: what loader.c (recognising an image, the load
 * sequence) shares with the format files loader_flat.c, loader_elf.c,
 * loader_multiboot.c and loader_bzimage.c, and the placement planner
 * layout.c.  Callers use loader.h.
 */
#ifndef VTXCTL_LOADER_INT_H
#define VTXCTL_LOADER_INT_H

#include "layout.h"
#include "loader.h"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PAGE_SIZE	(4 * KiB)

/* The parts of an ELF header the loader uses, for either class. */
struct elf_image {
	bool is64;
	uint64_t entry;
	uint64_t phoff;
	unsigned int phnum;
	unsigned int phentsize;
};

/*
 * One load in progress: the file, RAM, and where errors go; what is
 * planned so far is in res->layout.
 */
struct loader {
	const uint8_t *file;
	size_t file_size;
	uint8_t *ram;
	uint64_t ram_size;
	const struct load_opts *opts;
	struct load_result *res;
	char *err;
	size_t errlen;

	/* The image: an ELF, or bytes copied from file_off then zeroed. */
	bool is_elf;
	struct elf_image elf;
	uint64_t file_off, copy_len;

	/* Multiboot: entries in the information's memory map. */
	unsigned int mmap_count;

	/* bzImage: the command line, after the zero page. */
	const char *cmdline;
};

/* ---- loader.c: what every format uses ----------------------------------- */

/* Put a message in ld->err; returns -1. */
__attribute__((format(printf, 2, 3)))
int fail(const struct loader *ld, const char *fmt, ...);

struct size_str {
	char s[32];
};

/* "16 MiB" for messages; the largest unit that divides n exactly. */
struct size_str size_str(uint64_t n);

/* Is [addr, addr + len) inside [0, limit)?  Safe against wrap-around. */
static inline bool fits(uint64_t addr, uint64_t len, uint64_t limit)
{
	return len <= limit && addr <= limit - len;
}

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Image and guest are both little-endian; these also avoid unaligned access. */
static inline uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/*
 * ---- The formats --------------------------------------------------------
 *
 * Each plan_*() checks the file, places the parts the format puts in guest
 * RAM through the planner (LAYOUT_IMAGE and what the format adds), sets
 * res->mode and res->entry, and writes nothing; the write_*() that follows
 * cannot fail.
 */

/* loader_flat.c */
int plan_flat(struct loader *ld);

/* loader_elf.c */
bool is_elf(const uint8_t *f, size_t n);
int elf_format(const struct loader *ld, enum image_format *fmt);
int plan_elf(struct loader *ld, bool is64);
void write_elf(struct loader *ld);

/* loader_multiboot.c */
bool find_multiboot(const uint8_t *f, size_t n, size_t *off);
int plan_multiboot(struct loader *ld);
void write_mbi(struct loader *ld);

/* loader_bzimage.c */
bool is_bzimage(const uint8_t *f, size_t n);
int check_bzimage(const struct loader *ld);
int plan_bzimage(struct loader *ld);
void write_boot_params(struct loader *ld);

#endif /* VTXCTL_LOADER_INT_H */
