// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual machines: the VM file descriptor, its memory slots and the
 * creation of vCPUs.  A VM lives while its fd or any of its vCPU fds is
 * open; its guest memory is the creating process's, named by slots.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>

#include "vtxhv.h"
#include "../uapi/vtxhv_genl.h"

struct vtxhv_counts vtxhv_counts;
static DEFINE_IDA(vm_ida);
LIST_HEAD(vtxhv_vms);
DEFINE_MUTEX(vtxhv_vms_lock);

u64 vtxhv_vm_mem_size(struct vtxhv_vm *vm)
{
	u64 n = 0;
	int i;

	for (i = 0; i < VTXHV_MAX_MEM_SLOTS; i++)
		n += READ_ONCE(vm->slots[i].size);
	return n;
}

unsigned int vtxhv_vm_nr_vcpus(struct vtxhv_vm *vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < VTXHV_MAX_VCPUS; i++)
		n += !!READ_ONCE(vm->vcpus[i]);
	return n;
}

static void vtxhv_vm_free(struct kref *ref)
{
	struct vtxhv_vm *vm = container_of(ref, struct vtxhv_vm, ref);
	int i;

	mutex_lock(&vtxhv_vms_lock);
	list_del(&vm->link);
	mutex_unlock(&vtxhv_vms_lock);
	vtxhv_genl_event(vm, -1, VTXHV_EVENT_VM_DESTROYED, 0, 0, 0);
	/* No vCPU is left: unmap everything, then let the pages go. */
	vtxhv_ept_destroy(vm);
	vtxhv_shadow_destroy(vm);
	for (i = 0; i < VTXHV_MAX_MEM_SLOTS; i++)
		vtxhv_unpin_slot(vm, &vm->slots[i]);
	mmdrop(vm->mm);
	ida_free(&vm_ida, vm->id);
	kfree(vm->ioapic);
	kfree(vm);
	atomic_long_dec(&vtxhv_counts.vms);
}

void vtxhv_vm_put(struct vtxhv_vm *vm)
{
	kref_put(&vm->ref, vtxhv_vm_free);
}

/*
 * The slot holding @gpa, with vm->lock held.  Page walks and MMIO exits
 * call this several times per exit: try the slot found last time first,
 * and stop at the highest slot in use.
 */
struct vtxhv_slot *vtxhv_find_slot(struct vtxhv_vm *vm, u64 gpa)
{
	unsigned int i, n = READ_ONCE(vm->nr_slots);
	struct vtxhv_slot *s = &vm->slots[READ_ONCE(vm->last_slot)];

	if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
		return s;
	for (i = 0; i < n; i++) {
		s = &vm->slots[i];
		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size) {
			WRITE_ONCE(vm->last_slot, i);
			return s;
		}
	}
	return NULL;
}

/*
 * A consistent copy of the slot holding @gpa without vm->lock, retried
 * while SET_MEMORY_REGION changes a slot.  The copy's pages are not to be
 * used: they may be unpinned at any time.  Return: false if none.
 */
bool vtxhv_slot_get(struct vtxhv_vm *vm, u64 gpa, struct vtxhv_slot *copy)
{
	struct vtxhv_slot *s;
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&vm->slots_seq);
		s = vtxhv_find_slot(vm, gpa);
		if (s)
			*copy = *s;
	} while (read_seqcount_retry(&vm->slots_seq, seq));
	if (s)
		copy->pages = NULL;
	return s;
}

/*
 * Guest memory through the slot's userspace mapping.  Called in the
 * context of the VM's own process (the vCPU thread), so a user copy reaches
 * exactly what the guest sees, and a bad mapping is an error, not a crash.
 */
static int guest_copy(struct vtxhv_vm *vm, u64 gpa, void *buf, size_t len,
		      bool write)
{
	while (len) {
		struct vtxhv_slot slot, *s = &slot;
		size_t n;
		void __user *u;

		if (!vtxhv_slot_get(vm, gpa, s))
			return -ENOENT;
		/* ROM stays ROM, for emulated writes too (defect 6). */
		if (write && (s->flags & VTXHV_MEM_READONLY))
			return -EACCES;
		n = min_t(u64, len, s->gpa + s->size - gpa);
		u = (void __user *)(unsigned long)(s->uaddr + gpa - s->gpa);
		if (write ? copy_to_user(u, buf, n) : copy_from_user(buf, u, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vtxhv_read_guest(struct vtxhv_vm *vm, u64 gpa, void *buf, size_t len)
{
	return guest_copy(vm, gpa, buf, len, false);
}

int vtxhv_write_guest(struct vtxhv_vm *vm, u64 gpa, const void *buf,
		      size_t len)
{
	return guest_copy(vm, gpa, (void *)buf, len, true);
}

static int check_region(struct vtxhv_vm *vm,
			const struct vtxhv_memory_region *r)
{
	int i;

	if (r->slot >= VTXHV_MAX_MEM_SLOTS || r->flags & ~VTXHV_MEM_READONLY)
		return -EINVAL;
	if (!r->size)
		return 0;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	/* Bounds the slot's page array (8 bytes a page) (defect 7). */
	if (r->size > VTXHV_MAX_SLOT_SIZE)
		return -E2BIG;
	/* Guest-physical space is 48 bits with a 4-level EPT. */
	if (r->guest_phys_addr + r->size < r->guest_phys_addr ||
	    r->guest_phys_addr + r->size > (1ULL << 48))
		return -EINVAL;
	if (r->userspace_addr + r->size < r->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)r->userspace_addr,
		       r->size))
		return -EFAULT;
	for (i = 0; i < VTXHV_MAX_MEM_SLOTS; i++) {
		const struct vtxhv_slot *s = &vm->slots[i];

		if (i == r->slot || !s->size)
			continue;
		if (r->guest_phys_addr < s->gpa + s->size &&
		    s->gpa < r->guest_phys_addr + r->size)
			return -EEXIST;
	}
	return 0;
}

static long vm_set_memory_region(struct vtxhv_vm *vm, void __user *argp)
{
	struct vtxhv_memory_region r;
	struct vtxhv_slot *s;
	struct page **pages = NULL;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	ret = check_region(vm, &r);
	if (ret)
		goto out;
	if (r.size) {
		pages = kvcalloc(r.size >> PAGE_SHIFT, sizeof(*pages),
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!pages) {
			ret = -ENOMEM;
			goto out;
		}
	}
	/* Replacing or deleting: the guest must stop seeing the old pages. */
	s = &vm->slots[r.slot];
	if (s->size && vtxhv_shadowing(vm)) {
		/* Running vCPUs are made to exit and flush (shadow.c). */
		vtxhv_shadow_unmap_all(vm);
		vtxhv_unpin_slot(vm, s);
	} else if (s->size) {
		/* A CPU may still reach the pages: keep them (defect 8). */
		if (vtxhv_ept_unmap_slot(vm, s)) {
			kvfree(pages);
			ret = -EIO;
			goto out;
		}
		vtxhv_unpin_slot(vm, s);
	}
	write_seqcount_begin(&vm->slots_seq);
	s->gpa = r.guest_phys_addr;
	s->size = r.size;
	s->uaddr = r.userspace_addr;
	s->flags = r.flags;
	s->pages = pages;
	if (r.size && r.slot >= vm->nr_slots)
		WRITE_ONCE(vm->nr_slots, r.slot + 1);
	write_seqcount_end(&vm->slots_seq);
out:
	mutex_unlock(&vm->lock);
	return ret;
}

static long vtxhv_vm_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	struct vtxhv_vm *vm = filp->private_data;

	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case VTXHV_SET_MEMORY_REGION:
		return vm_set_memory_region(vm, (void __user *)arg);
	case VTXHV_CREATE_VCPU:
		return vtxhv_create_vcpu(vm, arg);
	case VTXHV_IRQ_LINE:
		return vtxhv_irq_line(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int vtxhv_vm_release(struct inode *inode, struct file *filp)
{
	vtxhv_vm_put(filp->private_data);
	return 0;
}

const struct file_operations vtxhv_vm_fops = {
	.owner = THIS_MODULE,
	.release = vtxhv_vm_release,
	.unlocked_ioctl = vtxhv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

long vtxhv_create_vm(const struct vtxhv_create_vm __user *arg)
{
	struct vtxhv_create_vm c;
	struct vtxhv_vm *vm;
	int ret, fd;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if ((c.flags & ~VTXHV_VM_IRQCHIP) || c.reserved[0] || c.reserved[1])
		return -EINVAL;
	if (c.paging > VTXHV_PAGING_SHADOW)
		return -EINVAL;
	if (c.paging == VTXHV_PAGING_EPT &&
	    (vtxhv_force_shadow || !cpu_has_vmx_ept() ||
	     !cpu_has_vmx_unrestricted_guest()))
		return -EOPNOTSUPP;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	seqcount_mutex_init(&vm->slots_seq, &vm->lock);
	INIT_LIST_HEAD(&vm->ept_pages);
	vm->paging = c.paging;
	/* The guest's TSC starts near zero (TSC offsetting). */
	vm->tsc_offset = -(s64)rdtsc();
	ret = ida_alloc_min(&vm_ida, 1, GFP_KERNEL);
	if (ret < 0)
		goto out_free;
	vm->id = ret;
	if (c.flags & VTXHV_VM_IRQCHIP) {
		ret = vtxhv_irqchip_init(vm);
		if (ret)
			goto out_ida;
	}
	if (c.paging == VTXHV_PAGING_EPT)
		ret = vtxhv_ept_init(vm);
	else
		ret = vtxhv_shadow_init(vm);
	if (ret)
		goto out_ida;
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->pid = task_tgid_nr(current);
	vm->uid = from_kuid(&init_user_ns, current_uid());
	/* Long-term pins count as locked memory, as RDMA and VFIO do. */
	vm->pin_limit = capable(CAP_IPC_LOCK) ? ULONG_MAX :
			rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	get_task_comm(vm->comm, current);
	vm->created_ns = ktime_get_real_ns();
	atomic_set(&vm->running, 0);
	atomic_long_inc(&vtxhv_counts.vms);
	mutex_lock(&vtxhv_vms_lock);
	list_add_tail(&vm->link, &vtxhv_vms);
	mutex_unlock(&vtxhv_vms_lock);
	vtxhv_genl_event(vm, -1, VTXHV_EVENT_VM_CREATED, 0, 0, 0);

	fd = anon_inode_getfd("vtxhv-vm", &vtxhv_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vtxhv_vm_put(vm);
	return fd;

out_ida:
	ida_free(&vm_ida, vm->id);
out_free:
	kfree(vm->ioapic);
	kfree(vm);
	return ret;
}
