// SPDX-License-Identifier: GPL-2.0
/*
 * libvtxhv's x86 part: segments, the boot GDT, identity maps, names, the
 * CPUID policy and image loading, each a thin layer over the code vtxctl
 * runs (userspace/x86.c, cpuid.c, loader*.c, boot_regs.c), so that a
 * program on the library gives its guest what vtxctl run gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "boot_regs.h"
#include "cpuid.h"
#include "lib_int.h"
#include "loader.h"
#include "nl_format.h"
#include "x86.h"

/* The public selectors are the boot GDT's. */
_Static_assert(VTXHV_SEL_CODE == SEL_CODE && VTXHV_SEL_DATA == SEL_DATA &&
	       VTXHV_SEL_TSS == SEL_TSS, "selectors");
_Static_assert(VTXHV_GDT_BYTES >= GDT_TSS_OFFSET + TSS_LIMIT + 1, "GDT");
_Static_assert((int)VTXHV_MODE_REAL == (int)MODE_REAL &&
	       (int)VTXHV_MODE_PROTECTED == (int)MODE_PROTECTED &&
	       (int)VTXHV_MODE_LONG == (int)MODE_LONG, "modes");

struct vtxhv_segment vtxhv_seg_flat(uint16_t sel, bool code, bool code64)
{
	return x86_seg_flat(sel, code ? SEG_TYPE_CODE : SEG_TYPE_DATA,
			    code && code64);
}

struct vtxhv_segment vtxhv_seg_real(uint16_t sel, bool code)
{
	return x86_seg_real(sel, code ? SEG_TYPE_CODE : SEG_TYPE_DATA);
}

int vtxhv_setup_flat_segments(struct vtxhv_vm *vm, struct vtxhv_sregs *s,
			      uint64_t gpa, bool code64)
{
	uint8_t *p = vtxhv_gpa_to_hva(vm, gpa, VTXHV_GDT_BYTES);

	if (!p)
		return -EFAULT;
	x86_write_boot_gdt(p, gpa, code64);
	x86_sregs_flat(s, code64, gpa, SEL_TSS + 16 - 1, gpa + GDT_TSS_OFFSET);
	return 0;
}

int vtxhv_vcpu_set_mode(struct vtxhv_vcpu *vcpu, uint32_t mode, uint64_t gdt,
			uint64_t cr3)
{
	struct load_result r = { .mode = (enum guest_mode)mode, .cr3 = cr3 };
	struct vtxhv_sregs s;
	uint8_t *p = NULL;
	int ret;

	if (mode != MODE_REAL && mode != MODE_PROTECTED && mode != MODE_LONG)
		return -EINVAL;
	if (mode != MODE_REAL) {
		p = vtxhv_gpa_to_hva(vcpu->vm, gdt, VTXHV_GDT_BYTES);
		if (!p)
			return -EFAULT;
	}
	ret = vtxhv_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	if (p)
		x86_write_boot_gdt(p, gdt, mode == MODE_LONG);
	boot_sregs(&s, &r, gdt);
	return vtxhv_set_sregs(vcpu, &s);
}

long vtxhv_identity_map(struct vtxhv_vm *vm, uint64_t table_gpa,
			uint64_t map_size)
{
	uint64_t bytes = identity_map_bytes(map_size);
	uint8_t *p;

	if (!bytes || table_gpa & 0xfff)
		return -EINVAL;
	p = vtxhv_gpa_to_hva(vm, table_gpa, bytes);
	if (!p)
		return -EFAULT;
	/* build_identity_map() addresses the tables from guest-physical 0. */
	return build_identity_map(p - table_gpa, table_gpa + bytes, table_gpa,
				  map_size);
}

const char *vtxhv_exit_name(uint32_t reason)
{
	return exit_reason_name(reason);
}

const char *vtxhv_vmx_exit_name(uint32_t reason)
{
	return vmx_exit_reason_name(reason);
}

const char *vtxhv_paging_name(uint32_t paging)
{
	return paging_name(paging);
}

int vtxhv_paging_from_name(const char *name)
{
	uint32_t m;

	for (m = VTXHV_PAGING_EPT; name && m <= VTXHV_PAGING_SHADOW; m++)
		if (!strcmp(name, paging_name(m)))
			return m;
	return -EINVAL;
}

unsigned int vtxhv_cpuid_policy(struct vtxhv_cpuid_entry *tab,
				unsigned int id, uint64_t extensions)
{
	return build_cpuid(tab, id, extensions);
}

int vtxhv_load_image(struct vtxhv_vm *vm, const void *file, size_t size,
		     const struct vtxhv_load_opts *opts,
		     struct vtxhv_image *img, char *err, size_t errlen)
{
	void *ram = vtxhv_gpa_to_hva(vm, 0, 1);
	struct load_opts lo = { 0 };
	struct load_result res;
	uint64_t ram_size;
	unsigned int i;

	if (!ram || !img)
		return ram ? -EINVAL : -EFAULT;
	for (i = 0; i < vm->max_slots; i++)
		if (vm->slot[i].size && vm->slot[i].hva == ram)
			break;
	ram_size = vm->slot[i].size;
	if (opts) {
		if (opts->size < sizeof(*opts))
			return -EINVAL;
		lo.mode = (enum guest_mode)opts->mode;
		lo.load_addr = opts->load_addr;
		lo.has_load = opts->load_addr != 0;
		lo.entry = opts->entry;
		lo.has_entry = opts->entry != 0;
		lo.cmdline = opts->cmdline;
		lo.initrd = opts->initrd;
		lo.initrd_size = opts->initrd_size;
	}
	if (load_image(file, size, ram, ram_size, &lo, &res, err, errlen))
		return -ENOEXEC;
	*img = (struct vtxhv_image){
		.format = res.format, .mode = res.mode, .entry = res.entry,
		.stack = res.stack, .cr3 = res.cr3, .gdt = res.gdt,
		.eax = res.eax, .ebx = res.ebx, .rsi = res.rsi,
	};
	return 0;
}

int vtxhv_load_file(struct vtxhv_vm *vm, const char *path,
		    const struct vtxhv_load_opts *opts,
		    struct vtxhv_image *img, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	void *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)buf + done, st.st_size - done);

		if (n <= 0) {
			ret = n ? -errno : -EIO;
			goto out;
		}
		done += n;
	}
	ret = vtxhv_load_image(vm, buf, done, opts, img, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}

int vtxhv_vcpu_boot(struct vtxhv_vcpu *vcpu, const struct vtxhv_image *img)
{
	struct load_result res = {
		.format = img->format, .mode = img->mode, .entry = img->entry,
		.stack = img->stack, .eax = img->eax, .ebx = img->ebx,
		.rsi = img->rsi, .cr3 = img->cr3, .gdt = img->gdt,
	};
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	int ret;

	ret = vtxhv_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	boot_sregs(&s, &res, img->gdt);
	ret = vtxhv_set_sregs(vcpu, &s);
	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	boot_regs(&r, &res, vcpu->id, 1);
	return vtxhv_set_regs(vcpu, &r);
}
