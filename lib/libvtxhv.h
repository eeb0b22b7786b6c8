/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvtxhv: a small C library for programs that run guests on /dev/vtxhv,
 * the one vtxctl and the tests use.  Installed as <vtxhv/libvtxhv.h>
 * beside the ioctl ABI, <vtxhv/vtxhv.h>; link with
 * `pkg-config --cflags --libs vtxhv`.  docs/library.md is the overview,
 * examples/ the worked programs.
 *
 * Errors.  Every function that returns int returns 0 (or the count, slot
 * or fd it names) on success and a negative errno on failure, never -1
 * with errno: -ENOENT no /dev/vtxhv (module not loaded), -EACCES
 * permission denied, -EPROTO a module older than API version 3, -EINVAL
 * a bad argument, -ENOMEM, -ENOSPC no free memory slot, -EFAULT a guest
 * address outside every slot or unmapped by the guest's page tables,
 * -ENOEXEC an image the loaders refuse, -ENOTUNIQ the counters cannot
 * tell this VM from another the process created at the same moment
 * (vtxhv_vm_id()), and
 * whatever the ioctl itself returned (docs/api.md, "ERRORS").  Functions
 * that return a pointer return NULL only where their comment says.
 *
 * Threads: a VM's slots are set up before its vCPUs run; each vCPU is
 * run by one thread at a time.  Nothing here prints or exits.
 */
#ifndef LIBVTXHV_H
#define LIBVTXHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtxhv.h"		/* the ioctl ABI: structs, VTXHV_EXIT_* */

#ifdef __cplusplus
extern "C" {
#endif

#define VTXHV_LIB_VERSION	1	/* this header's interface */

struct vtxhv_vm;		/* a VM, its memory slots and vCPUs */
struct vtxhv_vcpu;		/* a vCPU and its run page */

/* --- the device ------------------------------------------------------ */

/*
 * Open @path (NULL: "/dev/vtxhv") and check the module's API version;
 * returns the fd (close() it after the VMs are destroyed) or -errno.
 */
int vtxhv_open(const char *path);
int vtxhv_get_caps(int dev, struct vtxhv_caps *caps);

/* --- VMs and memory -------------------------------------------------- */

/*
 * Create a VM on @dev with a VTXHV_PAGING_* mode and VTXHV_VM_* @flags;
 * 0 with *@vm set, or -errno (-EOPNOTSUPP: a paging mode this CPU or
 * module cannot run).  @dev stays the caller's.
 */
int vtxhv_vm_create(int dev, uint32_t paging, uint32_t flags,
		    struct vtxhv_vm **vm);
/* Close the vCPUs and the VM, unmap the memory the library mapped. */
void vtxhv_vm_destroy(struct vtxhv_vm *vm);
int vtxhv_vm_fd(const struct vtxhv_vm *vm);
uint32_t vtxhv_vm_paging(const struct vtxhv_vm *vm);

/*
 * Memory slots.  Each returns the slot number or -errno; @flags are
 * VTXHV_MEM_*.  @gpa and @size are 4 KiB multiples.  If @hva is not
 * NULL it gets the slot's address in this process.
 *   _anon: zeroed anonymous memory;
 *   _file: @size bytes of the open file @fd from @offset (a 4 KiB
 *          multiple), mapped private: the guest's writes do not reach
 *          the file; beyond the file's end the guest reads zeros;
 *   _user: memory the caller owns (4 KiB aligned), kept the caller's.
 */
int vtxhv_mem_anon(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, void **hva);
int vtxhv_mem_file(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, int fd, uint64_t offset, void **hva);
int vtxhv_mem_user(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, void *hva);
/* Delete a slot (unmapping it if the library mapped it). */
int vtxhv_mem_remove(struct vtxhv_vm *vm, int slot);

/*
 * Where guest-physical [@gpa, @gpa + @len) is in this process, if it lies
 * in one slot; else NULL.
 */
void *vtxhv_gpa_to_hva(const struct vtxhv_vm *vm, uint64_t gpa, size_t len);
/*
 * Copy by guest-physical address, across slots; -EFAULT if a byte is in
 * none (checked before any byte moves).
 */
int vtxhv_read_gpa(const struct vtxhv_vm *vm, uint64_t gpa, void *buf,
		   size_t len);
int vtxhv_write_gpa(struct vtxhv_vm *vm, uint64_t gpa, const void *buf,
		    size_t len);

/* --- vCPUs ----------------------------------------------------------- */

/* vCPU @id (0 .. caps.max_vcpus - 1); 0 with *@vcpu set, or -errno. */
int vtxhv_vcpu_create(struct vtxhv_vm *vm, unsigned int id,
		      struct vtxhv_vcpu **vcpu);
int vtxhv_vcpu_fd(const struct vtxhv_vcpu *vcpu);
unsigned int vtxhv_vcpu_id(const struct vtxhv_vcpu *vcpu);
/*
 * The run page shared with the module: the exit (exit_reason and its
 * union, docs/api.md), and I/O data at (char *)run + run->io.data_offset.
 */
struct vtxhv_run *vtxhv_vcpu_run_page(const struct vtxhv_vcpu *vcpu);

/*
 * VTXHV_RUN: 0 when the guest exited to us (read the run page), or
 * -errno (-EINTR: a signal or immediate_exit).
 */
int vtxhv_run(struct vtxhv_vcpu *vcpu);

int vtxhv_get_regs(struct vtxhv_vcpu *vcpu, struct vtxhv_regs *r);
int vtxhv_set_regs(struct vtxhv_vcpu *vcpu, const struct vtxhv_regs *r);
int vtxhv_get_sregs(struct vtxhv_vcpu *vcpu, struct vtxhv_sregs *s);
int vtxhv_set_sregs(struct vtxhv_vcpu *vcpu, const struct vtxhv_sregs *s);
/* Queue an external interrupt (VTXHV_INTERRUPT) or an NMI. */
int vtxhv_interrupt(struct vtxhv_vcpu *vcpu, uint32_t vector);
int vtxhv_nmi(struct vtxhv_vcpu *vcpu);

/*
 * CPUID.  vtxhv_cpuid_policy() fills @tab (VTXHV_MAX_CPUID_ENTRIES) with
 * vtxctl run's policy for vCPU @id (the host's leaves, what vtxhv does
 * not give guests hidden; docs/guest-boot.md) for a module with
 * @extensions (caps.extensions) and returns the number of entries.
 * vtxhv_vcpu_set_cpuid() sets a table; vtxhv_vcpu_set_cpuid_policy()
 * sets the policy's for this vCPU and module.
 */
unsigned int vtxhv_cpuid_policy(struct vtxhv_cpuid_entry *tab,
				unsigned int id, uint64_t extensions);
int vtxhv_vcpu_set_cpuid(struct vtxhv_vcpu *vcpu,
			 const struct vtxhv_cpuid_entry *tab, unsigned int n);
int vtxhv_vcpu_set_cpuid_policy(struct vtxhv_vcpu *vcpu);

/*
 * Guest-virtual access through the guest's own page tables, as the vCPU's
 * CR0, CR3, CR4 and EFER select them now (no paging, 32-bit, PAE,
 * 4-level; SDM Vol. 3A 4): the tables must lie in the slot at
 * guest-physical 0; the data may be in any slot.  Access rights are not
 * checked, accessed and dirty bits not set.  -EFAULT if the guest would
 * fault; all or nothing.
 */
int vtxhv_gva_to_gpa(struct vtxhv_vcpu *vcpu, uint64_t gva, uint64_t *gpa);
int vtxhv_read_gva(struct vtxhv_vcpu *vcpu, uint64_t gva, void *buf,
		   size_t len);
int vtxhv_write_gva(struct vtxhv_vcpu *vcpu, uint64_t gva, const void *buf,
		    size_t len);

/* --- x86 helpers: the facts vtxctl writes into its guests ------------- */

/* The boot GDT's selectors (docs/guest-boot.md): flat code, data, TSS. */
#define VTXHV_SEL_CODE		0x08
#define VTXHV_SEL_DATA		0x10
#define VTXHV_SEL_TSS		0x18
#define VTXHV_GDT_BYTES		0x100	/* descriptors and the TSS */

/*
 * A flat 4 GiB segment (@code: execute/read, 64-bit if @code64; else
 * read/write data), and a real-mode one (base @sel * 16, 64 KiB).
 */
struct vtxhv_segment vtxhv_seg_flat(uint16_t sel, bool code, bool code64);
struct vtxhv_segment vtxhv_seg_real(uint16_t sel, bool code);
/*
 * Write the boot GDT (null, code, data, a busy TSS whose 104 bytes follow
 * in the same page) at guest-physical @gpa (VTXHV_GDT_BYTES), and point
 * @s's segment registers, GDTR and TR at it: CS 64-bit if @code64, and an
 * empty IDT.  Paging and the control registers are the caller's.
 */
int vtxhv_setup_flat_segments(struct vtxhv_vm *vm, struct vtxhv_sregs *s,
			      uint64_t gpa, bool code64);
/*
 * Put the vCPU in @mode as vtxctl run starts its guests
 * (docs/guest-boot.md): VTXHV_MODE_PROTECTED or _LONG writes the boot
 * GDT at @gdt (VTXHV_GDT_BYTES, guest-physical) and loads flat segments,
 * paging off in protected mode; long mode also sets CR0.PG, CR4.PAE,
 * EFER.LME/LMA and CR3 = @cr3 (tables the caller wrote, e.g. with
 * vtxhv_identity_map()).  VTXHV_MODE_REAL: CS = DS = ... = 0 (@gdt and
 * @cr3 unused).  The general registers are the caller's.
 */
int vtxhv_vcpu_set_mode(struct vtxhv_vcpu *vcpu, uint32_t mode, uint64_t gdt,
			uint64_t cr3);
/*
 * Identity-map guest-physical [0, @map_size) with 2 MiB pages in 4-level
 * tables written at @table_gpa (4 KiB aligned, in one slot); returns the
 * bytes the tables take, or -errno.  CR3 = @table_gpa.
 */
long vtxhv_identity_map(struct vtxhv_vm *vm, uint64_t table_gpa,
			uint64_t map_size);

/*
 * Names: a VTXHV_EXIT_* ("IO"), a VTXHV_PAGING_* ("ept"), a basic VMX
 * exit reason ("CPUID"), or "?" (VMX: NULL) for an unknown one.
 */
const char *vtxhv_exit_name(uint32_t reason);
const char *vtxhv_paging_name(uint32_t paging);
const char *vtxhv_vmx_exit_name(uint32_t reason);
/* "ept", "vtlb", "shadow" to VTXHV_PAGING_*, or -EINVAL. */
int vtxhv_paging_from_name(const char *name);

/* --- loading images: what vtxctl run loads ---------------------------- */

/* Guest modes: images' and vtxhv_vcpu_set_mode()'s. */
enum vtxhv_image_mode {
	VTXHV_MODE_DEFAULT = 0,		/* flat images: protected */
	VTXHV_MODE_REAL = 16,
	VTXHV_MODE_PROTECTED = 32,
	VTXHV_MODE_LONG = 64,
};

struct vtxhv_load_opts {
	uint32_t size;		/* sizeof(struct vtxhv_load_opts) */
	uint32_t mode;		/* flat images: enum vtxhv_image_mode */
	/*
	 * Flat images: load address and entry (0: 0x7c00 in real mode,
	 * else 1 MiB; the entry defaults to the load address).
	 */
	uint64_t load_addr;
	uint64_t entry;
	const char *cmdline;	/* multiboot, bzImage; NULL: none/default */
	const void *initrd;	/* multiboot module 0, bzImage initrd */
	size_t initrd_size;
};

/* Where the loaded guest starts: what vtxhv_vcpu_boot() sets. */
struct vtxhv_image {
	uint32_t format;	/* 0 flat, 1 ELF32, 2 ELF64, 3 multiboot, */
				/* 4 bzImage */
	uint32_t mode;		/* enum vtxhv_image_mode */
	uint64_t entry;		/* linear address */
	uint64_t stack;		/* initial stack pointer, 0: none */
	uint64_t cr3;		/* long mode: the identity map */
	uint64_t gdt;		/* protected and long mode: the GDT page */
	uint32_t eax, ebx;	/* multiboot: magic, information */
	uint64_t rsi;		/* bzImage: the zero page */
	uint64_t reserved[4];
};

/*
 * Recognise @file (flat binary, ELF32, ELF64, multiboot v1, Linux
 * bzImage) and load it into the slot at guest-physical 0, placing the
 * page tables, GDT and stack its mode needs as vtxctl run does
 * (docs/guest-boot.md).  @opts may be NULL.  0 with *@img, or -ENOEXEC
 * with the loader's reason in @err (if not NULL), RAM then unchanged;
 * -EFAULT without a slot at 0.  vtxhv_load_file() reads the file first.
 */
int vtxhv_load_image(struct vtxhv_vm *vm, const void *file, size_t size,
		     const struct vtxhv_load_opts *opts,
		     struct vtxhv_image *img, char *err, size_t errlen);
int vtxhv_load_file(struct vtxhv_vm *vm, const char *path,
		    const struct vtxhv_load_opts *opts,
		    struct vtxhv_image *img, char *err, size_t errlen);
/* The registers vtxctl run starts vCPU 0 with for @img. */
int vtxhv_vcpu_boot(struct vtxhv_vcpu *vcpu, const struct vtxhv_image *img);

/* --- the VM's counters (generic netlink; docs/api.md) ----------------- */

#define VTXHV_COUNTER_EXITS	80	/* basic VMX exit reasons counted */
#define VTXHV_COUNTER_SHADOW	16	/* room for enum vtxhv_shadow_stat */

struct vtxhv_vcpu_counters {
	uint32_t id;
	uint32_t has_shadow;		/* shadow[] valid: vtlb, shadow */
	uint64_t guest_ns;		/* time in the guest */
	uint64_t exit_ns;		/* time handling exits in the kernel */
	uint64_t injected;		/* events injected */
	uint64_t ept_violations;
	uint64_t exits[VTXHV_COUNTER_EXITS];	/* by basic VMX exit reason */
	uint64_t shadow[VTXHV_COUNTER_SHADOW];	/* VTXHV_SH_* */
};

/*
 * The VM's id in the module (what vtxctl list shows), found among this
 * process's VMs by the time the module says it created it, which
 * vtxhv_vm_create() brackets: -ENOTUNIQ only if two threads created VMs
 * at the same moment, -ENOENT if the module does not list it.  Returns
 * the id or -errno; the first call asks the module, later ones do not.
 */
int vtxhv_vm_id(struct vtxhv_vm *vm);
/*
 * Up to @max vCPUs' counters into @c (in vCPU order); returns how many
 * vCPUs the VM has, or -errno.  @shadow_pages (may be NULL): shadow
 * table pages in use.  Counters count from the VM's creation.
 */
int vtxhv_vm_counters(struct vtxhv_vm *vm, struct vtxhv_vcpu_counters *c,
		      unsigned int max, uint64_t *shadow_pages);

#ifdef __cplusplus
}
#endif

#endif /* LIBVTXHV_H */
