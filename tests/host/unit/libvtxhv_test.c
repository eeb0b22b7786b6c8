// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of libvtxhv's own logic (lib/vtxhv.c, vtxhv_x86.c) on
 * tests/host/fake_vtxhv.c, linked in as the stand-in for /dev/vtxhv: the
 * memory slots (anonymous, a file's, the caller's; alignment refused;
 * guest-physical copies across two slots, all or nothing; a removed slot
 * gone), guest-virtual access through page tables the library wrote and
 * one entry changed here, the boot GDT and registers of each mode, image
 * loading and a refused image, names, and the errors of the header.
 * The real module runs the same library in tests/examples.sh.  TAP 13.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvtxhv.h"
#include "x86.h"
#include "vtxhv_test.h"

#define MiB		(1ULL << 20)

static int dev;
static struct vtxhv_vm *vm;
static struct vtxhv_vcpu *vcpu;
static uint8_t *low, *high;	/* the slots at 0 and at 1 MiB */

static void setup(void)
{
	if (vm)
		vtxhv_vm_destroy(vm);
	TEST_ASSERT(!vtxhv_vm_create(dev, VTXHV_PAGING_EPT, 0, &vm), "VM");
	TEST_ASSERT(vtxhv_mem_anon(vm, 0, MiB, 0, (void **)&low) == 0,
		    "slot 0");
	TEST_ASSERT(vtxhv_mem_anon(vm, MiB, 64 << 10, 0,
				   (void **)&high) == 1, "slot 1");
	TEST_ASSERT(!vtxhv_vcpu_create(vm, 0, &vcpu), "vCPU");
}

static bool open_errors(void)
{
	CHECK_EQ(vtxhv_open("/nonexistent/vtxhv"), -ENOENT);
	CHECK(dev >= 0);
	return true;
}

static bool slot_arguments(void)
{
	static uint8_t buf[8192] __attribute__((aligned(4096)));

	CHECK_EQ(vtxhv_mem_anon(vm, 0x1800, 4096, 0, NULL), -EINVAL);
	CHECK_EQ(vtxhv_mem_anon(vm, 2 * MiB, 100, 0, NULL), -EINVAL);
	CHECK_EQ(vtxhv_mem_anon(vm, 2 * MiB, 0, 0, NULL), -EINVAL);
	CHECK_EQ(vtxhv_mem_user(vm, 2 * MiB, 4096, 0, buf + 1), -EINVAL);
	CHECK_EQ(vtxhv_mem_user(vm, 2 * MiB, 8192, 0, buf), 2);
	CHECK(vtxhv_gpa_to_hva(vm, 2 * MiB + 4096, 4096) == buf + 4096);
	CHECK_EQ(vtxhv_mem_remove(vm, 7), -EINVAL);
	return true;
}

/* A copy across the two slots lands in both; one past them moves nothing. */
static bool gpa_across_slots(void)
{
	uint8_t in[32], out[32] = { 0 };
	int i;

	for (i = 0; i < 32; i++)
		in[i] = i + 1;
	CHECK_EQ(vtxhv_write_gpa(vm, MiB - 16, in, 32), 0);
	CHECK(!memcmp(low + MiB - 16, in, 16));
	CHECK(!memcmp(high, in + 16, 16));
	CHECK_EQ(vtxhv_read_gpa(vm, MiB - 16, out, 32), 0);
	CHECK(!memcmp(in, out, 32));
	/* A slot holds one piece, never the range that crosses. */
	CHECK(vtxhv_gpa_to_hva(vm, MiB - 16, 32) == NULL);
	CHECK(vtxhv_gpa_to_hva(vm, MiB - 16, 16) == low + MiB - 16);
	/* The end of slot 1 is a hole: nothing is written. */
	memset(in, 0xee, sizeof(in));
	CHECK_EQ(vtxhv_write_gpa(vm, MiB + (64 << 10) - 16, in, 32), -EFAULT);
	CHECK_EQ(high[(64 << 10) - 16], 0);
	CHECK_EQ(vtxhv_read_gpa(vm, ~0ULL - 8, out, 32), -EFAULT);
	/* A removed slot is gone, and its number free again. */
	CHECK_EQ(vtxhv_mem_remove(vm, 1), 0);
	CHECK_EQ(vtxhv_read_gpa(vm, MiB, out, 1), -EFAULT);
	CHECK_EQ(vtxhv_mem_anon(vm, MiB, 4096, 0, NULL), 1);
	return true;
}

/* A file's slot: its bytes, zeros past its end, the file untouched. */
static bool file_slot(void)
{
	char path[] = "/tmp/libvtxhv_test.XXXXXX";
	uint8_t data[5000], got[16], *hva;
	int fd = mkstemp(path), slot, i;

	CHECK(fd >= 0);
	unlink(path);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = i * 7;
	CHECK_EQ(write(fd, data, sizeof(data)), sizeof(data));
	slot = vtxhv_mem_file(vm, 4 * MiB, 16384, 0, fd, 0, (void **)&hva);
	CHECK_EQ(slot, 2);
	CHECK_EQ(vtxhv_read_gpa(vm, 4 * MiB + 4990, got, 16), 0);
	CHECK(!memcmp(got, data + 4990, 10));
	for (i = 10; i < 16; i++)
		CHECK_EQ(got[i], 0);
	CHECK_EQ(vtxhv_read_gpa(vm, 4 * MiB + 16380, got, 4), 0);
	memset(got, 0x55, sizeof(got));
	CHECK_EQ(vtxhv_write_gpa(vm, 4 * MiB, got, 16), 0);
	CHECK_EQ(pread(fd, got, 16, 0), 16);
	CHECK(!memcmp(got, data, 16));
	CHECK_EQ(vtxhv_mem_file(vm, 8 * MiB, 4096, 0, fd, 100, NULL), -EINVAL);
	close(fd);
	return true;
}

/*
 * Long mode on the library's identity map, then one 2 MiB page moved:
 * virtual 2 MiB now reads physical 0.
 */
static bool gva_through_page_tables(void)
{
	uint64_t pde = 0 | X86_PTE_P | X86_PTE_RW | X86_PTE_PS, gpa;
	struct vtxhv_sregs s;
	uint8_t v = 0;

	CHECK_EQ(vtxhv_identity_map(vm, 0x10000, 4ULL << 30),
		 identity_map_bytes(4ULL << 30));
	CHECK_EQ(vtxhv_identity_map(vm, 0x10001, MiB), -EINVAL);
	CHECK_EQ(vtxhv_identity_map(vm, 0xff000, 4ULL << 30), -EFAULT);
	CHECK_EQ(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_LONG, 0x8000, 0x10000),
		 0);
	CHECK_EQ(vtxhv_get_sregs(vcpu, &s), 0);
	CHECK_EQ(s.cr3, 0x10000);
	CHECK(s.efer & EFER_LMA);
	CHECK_EQ(s.cs.selector, VTXHV_SEL_CODE);
	CHECK_EQ(s.cs.l, 1);
	CHECK_EQ(vtxhv_gva_to_gpa(vcpu, MiB + 0x123, &gpa), 0);
	CHECK_EQ(gpa, MiB + 0x123);
	low[0x42] = 0x99;
	/* PD[1] is the third table page: PML4, PDPT, then the first PD. */
	memcpy(low + 0x12000 + 8, &pde, 8);
	CHECK_EQ(vtxhv_gva_to_gpa(vcpu, 2 * MiB + 0x42, &gpa), 0);
	CHECK_EQ(gpa, 0x42);
	CHECK_EQ(vtxhv_read_gva(vcpu, 2 * MiB + 0x42, &v, 1), 0);
	CHECK_EQ(v, 0x99);
	v = 0x77;
	CHECK_EQ(vtxhv_write_gva(vcpu, 2 * MiB + 0x43, &v, 1), 0);
	CHECK_EQ(low[0x43], 0x77);
	/* Mapped by the guest but in no slot: not one byte moves. */
	CHECK_EQ(vtxhv_read_gva(vcpu, 3ULL << 30, &v, 1), -EFAULT);
	/* Non-canonical. */
	CHECK_EQ(vtxhv_read_gva(vcpu, 1ULL << 63, &v, 1), -EFAULT);
	return true;
}

static bool modes_and_gdt(void)
{
	uint64_t d[4];
	struct vtxhv_sregs s;

	CHECK_EQ(vtxhv_vcpu_set_mode(vcpu, 48, 0x8000, 0), -EINVAL);
	CHECK_EQ(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_PROTECTED, 32 * MiB, 0),
		 -EFAULT);
	CHECK_EQ(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_PROTECTED, 0x8000, 0),
		 0);
	CHECK_EQ(vtxhv_get_sregs(vcpu, &s), 0);
	CHECK_EQ(s.gdt.base, 0x8000);
	CHECK_EQ(s.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
	CHECK_EQ(s.efer, 0);
	memcpy(d, low + 0x8000, sizeof(d));
	CHECK_EQ(d[1], GDT_CODE32);
	CHECK_EQ(d[2], GDT_DATA);
	CHECK_EQ(vtxhv_vcpu_set_mode(vcpu, VTXHV_MODE_REAL, 0, 0), 0);
	CHECK_EQ(vtxhv_get_sregs(vcpu, &s), 0);
	CHECK_EQ(s.cr0 & X86_CR0_PE, 0);
	CHECK_EQ(s.cs.selector, 0);
	CHECK_EQ(s.cs.limit, 0xffff);
	return true;
}

static bool load_and_boot(void)
{
	static const uint8_t code[] = { 0x90, 0xf4 };	/* nop; hlt */
	static const uint8_t bad_elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	/* Images load into the slot at 0 (1 MiB here): below 1 MiB. */
	struct vtxhv_load_opts o = { .size = sizeof(o),
				     .mode = VTXHV_MODE_LONG,
				     .load_addr = 0x80000 };
	struct vtxhv_image img;
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	char err[128] = "";
	uint64_t d;

	CHECK_EQ(vtxhv_load_image(vm, code, sizeof(code), &o, &img, err,
				  sizeof(err)), 0);
	CHECK_EQ(img.mode, VTXHV_MODE_LONG);
	CHECK_EQ(img.entry, 0x80000);
	CHECK_EQ(low[0x80000], 0x90);
	CHECK_EQ(high[0], 0);
	CHECK(img.cr3 && img.gdt);
	memcpy(&d, low + img.gdt + 8, 8);
	CHECK_EQ(d, GDT_CODE64);
	CHECK_EQ(vtxhv_vcpu_boot(vcpu, &img), 0);
	CHECK_EQ(vtxhv_get_sregs(vcpu, &s), 0);
	CHECK_EQ(vtxhv_get_regs(vcpu, &r), 0);
	CHECK_EQ(r.rip, 0x80000);
	CHECK_EQ(s.cr3, img.cr3);
	CHECK_EQ(s.gdt.base, img.gdt);
	/* A 64-bit ELF header for no machine: refused, with the reason. */
	CHECK_EQ(vtxhv_load_image(vm, bad_elf, sizeof(bad_elf), NULL, &img,
				  err, sizeof(err)), -ENOEXEC);
	printf("# refused: %s\n", err);
	CHECK(err[0]);
	o.size = 4;
	CHECK_EQ(vtxhv_load_image(vm, code, sizeof(code), &o, &img, NULL, 0),
		 -EINVAL);
	CHECK_EQ(vtxhv_load_file(vm, "/nonexistent", NULL, &img, NULL, 0),
		 -ENOENT);
	return true;
}

static bool names(void)
{
	CHECK(!strcmp(vtxhv_exit_name(VTXHV_EXIT_IO), "IO"));
	CHECK(!strcmp(vtxhv_exit_name(VTXHV_EXIT_IRQ_WINDOW_OPEN),
		      "IRQ_WINDOW_OPEN"));
	CHECK(!strcmp(vtxhv_vmx_exit_name(10), "CPUID"));
	CHECK_EQ(vtxhv_paging_from_name("vtlb"), VTXHV_PAGING_VTLB);
	CHECK_EQ(vtxhv_paging_from_name("shadow"), VTXHV_PAGING_SHADOW);
	CHECK_EQ(vtxhv_paging_from_name("ept"), VTXHV_PAGING_EPT);
	CHECK_EQ(vtxhv_paging_from_name("EPT"), -EINVAL);
	CHECK_EQ(vtxhv_paging_from_name(NULL), -EINVAL);
	CHECK(!strcmp(vtxhv_paging_name(VTXHV_PAGING_SHADOW), "shadow"));
	return true;
}

static bool vcpu_ids(void)
{
	struct vtxhv_vcpu *v;

	CHECK_EQ(vtxhv_vcpu_create(vm, 0, &v), -EEXIST);
	CHECK_EQ(vtxhv_vcpu_create(vm, 1, &v), 0);
	CHECK_EQ(vtxhv_vcpu_id(v), 1);
	CHECK(vtxhv_vcpu_run_page(v) != NULL);
	CHECK_EQ(vtxhv_vm_paging(vm), VTXHV_PAGING_EPT);
	return true;
}

static const struct test_case tests[] = {
	TEST(open_errors),
	TEST(slot_arguments),
	TEST(gpa_across_slots),
	TEST(file_slot),
	TEST(gva_through_page_tables),
	TEST(modes_and_gdt),
	TEST(load_and_boot),
	TEST(names),
	TEST(vcpu_ids),
};

int main(void)
{
	dev = vtxhv_open(NULL);
	TEST_ASSERT(dev >= 0, "vtxhv_open: %d", dev);
	return run_test_cases(tests, NTESTS(tests), setup);
}
