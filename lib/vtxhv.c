// SPDX-License-Identifier: GPL-2.0
/*
 * libvtxhv's core: the device, VMs and their memory slots, vCPUs and
 * their run pages, guest memory by guest-physical and guest-virtual
 * address.  Every call is one or two ioctls; errors come back as
 * negative errnos (libvtxhv.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "guest_mmu.h"
#include "lib_int.h"

#define PAGE_MASK	0xfffULL

/* The process's VMs, for the ids their counters are read by. */
static pthread_mutex_t vms_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vtxhv_vm *vms;

int lib_claim_vm_id(struct vtxhv_vm *vm, int id)
{
	struct vtxhv_vm *v;
	int ret = 0;

	pthread_mutex_lock(&vms_lock);
	for (v = vms; v; v = v->next)
		if (v != vm && v->id == id)
			ret = -EEXIST;
	if (!ret)
		vm->id = id;
	pthread_mutex_unlock(&vms_lock);
	return ret;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int vtxhv_open(const char *path)
{
	int fd = open(path ? path : "/dev/vtxhv", O_RDWR | O_CLOEXEC);
	int ver;

	if (fd < 0)
		return neg_errno();
	/* From version 3 on a newer module only adds (uapi/vtxhv.h). */
	ver = ioctl(fd, VTXHV_GET_API_VERSION, 0);
	if (ver < 3) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int vtxhv_get_caps(int dev, struct vtxhv_caps *caps)
{
	return ioctl(dev, VTXHV_GET_CAPS, caps) ? neg_errno() : 0;
}

int vtxhv_vm_create(int dev, uint32_t paging, uint32_t flags,
		    struct vtxhv_vm **out)
{
	struct vtxhv_create_vm c = { .paging = paging, .flags = flags };
	struct vtxhv_caps caps = { .size = sizeof(caps) };
	struct vtxhv_vm *vm;
	int ret;

	if (!out)
		return -EINVAL;
	ret = vtxhv_get_caps(dev, &caps);
	if (ret)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->created_lo = realtime_ns();
	vm->fd = ioctl(dev, VTXHV_CREATE_VM, &c);
	vm->created_hi = realtime_ns();
	if (vm->fd < 0) {
		ret = neg_errno();
		free(vm);
		return ret;
	}
	vm->dev = dev;
	vm->paging = paging;
	vm->extensions = caps.extensions;
	vm->max_slots = caps.max_mem_slots < VTXHV_LIB_MAX_SLOTS ?
			caps.max_mem_slots : VTXHV_LIB_MAX_SLOTS;
	vm->run_size = ioctl(dev, VTXHV_GET_RUN_SIZE, 0);
	if (vm->run_size <= 0) {
		ret = vm->run_size < 0 ? neg_errno() : -EIO;
		close(vm->fd);
		free(vm);
		return ret;
	}
	pthread_mutex_lock(&vms_lock);
	vm->next = vms;
	vms = vm;
	pthread_mutex_unlock(&vms_lock);
	*out = vm;
	return 0;
}

static void vcpu_free(struct vtxhv_vcpu *v)
{
	munmap(v->run, v->vm->run_size);
	close(v->fd);
	free(v);
}

void vtxhv_vm_destroy(struct vtxhv_vm *vm)
{
	struct vtxhv_vm **p;
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < VTXHV_LIB_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
	/* The VM's fd holds its slots: close it before unmapping them. */
	close(vm->fd);
	for (i = 0; i < vm->max_slots; i++)
		if (vm->slot[i].size && vm->slot[i].mapped)
			munmap(vm->slot[i].hva, vm->slot[i].size);
	pthread_mutex_lock(&vms_lock);
	for (p = &vms; *p; p = &(*p)->next)
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	pthread_mutex_unlock(&vms_lock);
	free(vm);
}

int vtxhv_vm_fd(const struct vtxhv_vm *vm)
{
	return vm->fd;
}

uint32_t vtxhv_vm_paging(const struct vtxhv_vm *vm)
{
	return vm->paging;
}

static int set_slot(struct vtxhv_vm *vm, unsigned int slot, uint64_t gpa,
		    uint64_t size, uint32_t flags, void *hva)
{
	struct vtxhv_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, VTXHV_SET_MEMORY_REGION, &r) ? neg_errno() : 0;
}

static int free_slot(const struct vtxhv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->max_slots; i++)
		if (!vm->slot[i].size)
			return i;
	return -ENOSPC;
}

/* Add a slot at @hva; @mapped: the library unmaps it when it goes. */
static int add_slot(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		    uint32_t flags, void *hva, bool mapped)
{
	int slot = free_slot(vm), ret;

	if (slot < 0)
		return slot;
	ret = set_slot(vm, slot, gpa, size, flags, hva);
	if (ret)
		return ret;
	vm->slot[slot] = (struct lib_slot){ .gpa = gpa, .size = size,
		.hva = hva, .mapped = mapped };
	return slot;
}

static bool bad_range(uint64_t gpa, uint64_t size)
{
	return !size || (gpa | size) & PAGE_MASK || gpa + size < gpa;
}

int vtxhv_mem_anon(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, void **hva)
{
	void *p;
	int ret;

	if (bad_range(gpa, size))
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return neg_errno();
	ret = add_slot(vm, gpa, size, flags, p, true);
	if (ret < 0)
		munmap(p, size);
	else if (hva)
		*hva = p;
	return ret;
}

int vtxhv_mem_file(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, int fd, uint64_t offset, void **hva)
{
	void *p;
	off_t end;
	int ret;

	if (bad_range(gpa, size) || offset & PAGE_MASK)
		return -EINVAL;
	/*
	 * Anonymous memory first, then the file over its part of it: a
	 * page past the file's end would be SIGBUS in a file mapping, and
	 * the module pins every page of the slot.
	 */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return neg_errno();
	end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		ret = neg_errno();
		goto unmap;
	}
	if ((uint64_t)end > offset) {
		uint64_t len = (uint64_t)end - offset;

		if (len > size)
			len = size;
		len = (len + PAGE_MASK) & ~PAGE_MASK;
		if (mmap(p, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED, fd, offset) == MAP_FAILED) {
			ret = neg_errno();
			goto unmap;
		}
		/* The tail of the file's last page beyond its end reads 0. */
	}
	ret = add_slot(vm, gpa, size, flags, p, true);
	if (ret >= 0) {
		if (hva)
			*hva = p;
		return ret;
	}
unmap:
	munmap(p, size);
	return ret;
}

int vtxhv_mem_user(struct vtxhv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags, void *hva)
{
	if (bad_range(gpa, size) || (uintptr_t)hva & PAGE_MASK)
		return -EINVAL;
	return add_slot(vm, gpa, size, flags, hva, false);
}

int vtxhv_mem_remove(struct vtxhv_vm *vm, int slot)
{
	struct lib_slot *s;
	int ret;

	if (slot < 0 || (unsigned int)slot >= vm->max_slots ||
	    !vm->slot[slot].size)
		return -EINVAL;
	s = &vm->slot[slot];
	ret = set_slot(vm, slot, s->gpa, 0, 0, s->hva);
	if (ret)
		return ret;
	if (s->mapped)
		munmap(s->hva, s->size);
	memset(s, 0, sizeof(*s));
	return 0;
}

/* The slot holding @gpa, or NULL. */
static const struct lib_slot *slot_of(const struct vtxhv_vm *vm,
				      uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < vm->max_slots; i++) {
		const struct lib_slot *s = &vm->slot[i];

		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

void *vtxhv_gpa_to_hva(const struct vtxhv_vm *vm, uint64_t gpa, size_t len)
{
	const struct lib_slot *s = slot_of(vm, gpa);

	if (!s || len > s->size - (gpa - s->gpa))
		return NULL;
	return (uint8_t *)s->hva + (gpa - s->gpa);
}

/*
 * Copy between [@gpa, @gpa + @len) and @buf slot by slot, after checking
 * that every byte has one.
 */
static int copy_gpa(const struct vtxhv_vm *vm, uint64_t gpa, void *buf,
		    size_t len, bool write)
{
	uint64_t a = gpa;
	size_t left = len;
	uint8_t *b = buf;

	if (gpa + len < gpa)
		return -EFAULT;
	while (left) {
		const struct lib_slot *s = slot_of(vm, a);
		uint64_t n;

		if (!s)
			return -EFAULT;
		n = s->size - (a - s->gpa);
		if (n > left)
			n = left;
		a += n;
		left -= n;
	}
	for (a = gpa, left = len; left; ) {
		const struct lib_slot *s = slot_of(vm, a);
		uint8_t *h = (uint8_t *)s->hva + (a - s->gpa);
		uint64_t n = s->size - (a - s->gpa);

		if (n > left)
			n = left;
		if (write)
			memcpy(h, b, n);
		else
			memcpy(b, h, n);
		a += n;
		b += n;
		left -= n;
	}
	return 0;
}

int vtxhv_read_gpa(const struct vtxhv_vm *vm, uint64_t gpa, void *buf,
		   size_t len)
{
	return copy_gpa(vm, gpa, buf, len, false);
}

int vtxhv_write_gpa(struct vtxhv_vm *vm, uint64_t gpa, const void *buf,
		    size_t len)
{
	return copy_gpa(vm, gpa, (void *)buf, len, true);
}

int vtxhv_vcpu_create(struct vtxhv_vm *vm, unsigned int id,
		      struct vtxhv_vcpu **out)
{
	struct vtxhv_vcpu *v;
	int ret;

	if (!out || id >= VTXHV_LIB_MAX_VCPUS)
		return -EINVAL;
	if (vm->vcpus[id])
		return -EEXIST;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->fd, VTXHV_CREATE_VCPU, id);
	if (v->fd < 0) {
		ret = neg_errno();
		free(v);
		return ret;
	}
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		ret = neg_errno();
		close(v->fd);
		free(v);
		return ret;
	}
	vm->vcpus[id] = v;
	*out = v;
	return 0;
}

int vtxhv_vcpu_fd(const struct vtxhv_vcpu *vcpu)
{
	return vcpu->fd;
}

unsigned int vtxhv_vcpu_id(const struct vtxhv_vcpu *vcpu)
{
	return vcpu->id;
}

struct vtxhv_run *vtxhv_vcpu_run_page(const struct vtxhv_vcpu *vcpu)
{
	return vcpu->run;
}

static int vcpu_ioctl(struct vtxhv_vcpu *vcpu, unsigned long req,
		      const void *arg)
{
	return ioctl(vcpu->fd, req, arg) < 0 ? neg_errno() : 0;
}

int vtxhv_run(struct vtxhv_vcpu *vcpu)
{
	return vcpu_ioctl(vcpu, VTXHV_RUN, NULL);
}

int vtxhv_get_regs(struct vtxhv_vcpu *vcpu, struct vtxhv_regs *r)
{
	return vcpu_ioctl(vcpu, VTXHV_GET_REGS, r);
}

int vtxhv_set_regs(struct vtxhv_vcpu *vcpu, const struct vtxhv_regs *r)
{
	return vcpu_ioctl(vcpu, VTXHV_SET_REGS, r);
}

int vtxhv_get_sregs(struct vtxhv_vcpu *vcpu, struct vtxhv_sregs *s)
{
	return vcpu_ioctl(vcpu, VTXHV_GET_SREGS, s);
}

int vtxhv_set_sregs(struct vtxhv_vcpu *vcpu, const struct vtxhv_sregs *s)
{
	return vcpu_ioctl(vcpu, VTXHV_SET_SREGS, s);
}

int vtxhv_interrupt(struct vtxhv_vcpu *vcpu, uint32_t vector)
{
	struct vtxhv_interrupt irq = { .vector = vector };

	return vcpu_ioctl(vcpu, VTXHV_INTERRUPT, &irq);
}

int vtxhv_nmi(struct vtxhv_vcpu *vcpu)
{
	return vcpu_ioctl(vcpu, VTXHV_NMI, NULL);
}

int vtxhv_vcpu_set_cpuid(struct vtxhv_vcpu *vcpu,
			 const struct vtxhv_cpuid_entry *tab, unsigned int n)
{
	struct vtxhv_cpuid *c;
	int ret;

	if (n > VTXHV_MAX_CPUID_ENTRIES)
		return -E2BIG;
	c = calloc(1, sizeof(*c) + n * sizeof(*tab));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	memcpy(c->entries, tab, n * sizeof(*tab));
	ret = vcpu_ioctl(vcpu, VTXHV_SET_CPUID, c);
	free(c);
	return ret;
}

int vtxhv_vcpu_set_cpuid_policy(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_cpuid_entry tab[VTXHV_MAX_CPUID_ENTRIES];
	unsigned int n;

	n = vtxhv_cpuid_policy(tab, vcpu->id, vcpu->vm->extensions);
	return vtxhv_vcpu_set_cpuid(vcpu, tab, n);
}

/* The vCPU's paging registers over the slot at guest-physical 0. */
static int vcpu_mmu(struct vtxhv_vcpu *vcpu, struct guest_mmu *m)
{
	const struct lib_slot *ram = slot_of(vcpu->vm, 0);
	struct vtxhv_sregs s;
	int ret;

	if (!ram || ram->gpa)
		return -EFAULT;
	ret = vtxhv_get_sregs(vcpu, &s);
	if (ret)
		return ret;
	*m = (struct guest_mmu){ .cr0 = s.cr0, .cr3 = s.cr3, .cr4 = s.cr4,
		.efer = s.efer, .ram = ram->hva, .ram_size = ram->size };
	return 0;
}

int vtxhv_gva_to_gpa(struct vtxhv_vcpu *vcpu, uint64_t gva, uint64_t *gpa)
{
	struct guest_mmu m;
	int ret = vcpu_mmu(vcpu, &m);

	return ret ? ret : guest_mmu_translate(&m, gva, gpa, NULL);
}

/* Page by page: every page translated and backed before a byte moves. */
static int copy_gva(struct vtxhv_vcpu *vcpu, uint64_t gva, void *buf,
		    size_t len, bool write)
{
	struct guest_mmu m;
	uint64_t gpa, left, a;
	size_t done, n;
	int pass, ret = vcpu_mmu(vcpu, &m);

	if (ret)
		return ret;
	for (pass = 0; pass < 2; pass++) {
		for (a = gva, done = 0; done < len; a += n, done += n) {
			ret = guest_mmu_translate(&m, a, &gpa, &left);
			if (ret)
				return ret;
			n = len - done < left ? len - done : left;
			if (!pass)
				ret = vtxhv_gpa_to_hva(vcpu->vm, gpa, n) ?
				      0 : -EFAULT;
			else
				ret = copy_gpa(vcpu->vm, gpa,
					       (uint8_t *)buf + done, n, write);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int vtxhv_read_gva(struct vtxhv_vcpu *vcpu, uint64_t gva, void *buf,
		   size_t len)
{
	return copy_gva(vcpu, gva, buf, len, false);
}

int vtxhv_write_gva(struct vtxhv_vcpu *vcpu, uint64_t gva, const void *buf,
		    size_t len)
{
	return copy_gva(vcpu, gva, (void *)buf, len, true);
}
