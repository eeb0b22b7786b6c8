// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip of a VTXHV_VM_IRQCHIP VM, around the local APICs
 * (lapic.c) and the I/O APIC model (ioapic.c): kicking a vCPU when an
 * interrupt arrives for it, sleeping in HLT and in wait-for-SIPI, INIT and
 * SIPI, the I/O APIC's lock, MMIO page and lines.
 *
 * A vCPU is kicked by setting VTXHV_REQ_EVENT and then either waking its
 * thread (asleep in vtxhv_vcpu_block() or waiting for a SIPI) or, while it
 * runs guest code on another CPU, sending that CPU a reschedule IPI: the
 * host interrupt makes the guest exit (external-interrupt exiting), and
 * the next entry looks at the local APIC.  The vCPU sets its mode to
 * IN_GUEST before it looks at the requests, with interrupts off, so that
 * a message either is seen before the entry or kicks it out after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/rcuwait.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/smp.h>
#include <asm/vmx.h>

#include "vtxhv.h"
#include "vmx_ops.h"
#include "lapic.h"
#include "ioapic.h"

void vtxhv_kick(struct vtxhv_vcpu *vcpu)
{
	int cpu;

	set_bit(VTXHV_REQ_EVENT, &vcpu->requests);
	/* Pairs with smp_store_mb() of mode in vcpu_enter_exit(). */
	smp_mb__after_atomic();
	rcuwait_wake_up(&vcpu->wait);
	if (READ_ONCE(vcpu->mode) != VTXHV_IN_GUEST)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	/* Parenthesised: 6.12's smp_send_reschedule() is a macro. */
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		(smp_ops.smp_send_reschedule)(cpu);
}

/* Can a halted vCPU go on?  (Its thread, which may sleep next.) */
bool vtxhv_vcpu_has_event(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;

	if (READ_ONCE(a->nmi) || vcpu->pending_nmi || READ_ONCE(a->init))
		return true;
	if (!vcpu->halt_if)
		return false;
	return vcpu->pending_irq >= 0 || vtxhv_lapic_pending_vector(vcpu) >= 0;
}

/*
 * HLT: sleep until an interrupt the guest can take, an NMI or an INIT
 * arrives.  A signal ends the sleep with -EINTR (the vCPU stays halted:
 * the next VTXHV_RUN sleeps again).
 */
int vtxhv_vcpu_block(struct vtxhv_vcpu *vcpu)
{
	int ret;

	vcpu->mp_state = VTXHV_MP_STATE_HALTED;
	vcpu->halts++;
	ret = rcuwait_wait_event(&vcpu->wait, vtxhv_vcpu_has_event(vcpu),
				 TASK_INTERRUPTIBLE);
	if (ret) {
		vcpu->run->exit_reason = VTXHV_EXIT_INTR;
		return -EINTR;
	}
	vcpu->mp_state = VTXHV_MP_STATE_RUNNABLE;
	vcpu->want_inject = true;
	return EXIT_TO_GUEST;
}

static bool sipi_or_init(struct vtxhv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic->sipi) >= 0 || READ_ONCE(vcpu->apic->init);
}

/* INIT: the vCPU's reset state; an AP then waits for a SIPI. */
static int do_init(struct vtxhv_vcpu *vcpu)
{
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	vtxhv_vcpu_init_state(vcpu);
	vtxhv_vcpu_put(vcpu);
	vtxhv_lapic_reset(vcpu);
	vcpu->pending_irq = -1;
	vcpu->pending_nmi = false;
	vcpu->pending = PENDING_NONE;
	vcpu->mp_state = vcpu->id ? VTXHV_MP_STATE_INIT_RECEIVED :
				    VTXHV_MP_STATE_RUNNABLE;
	return 0;
}

/* SIPI: real mode at vector * 4 KiB (SDM 8.4.4.1). */
static int do_sipi(struct vtxhv_vcpu *vcpu, int vector)
{
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	vmcs_write16(GUEST_CS_SELECTOR, vector << 8);
	vmcs_writel(GUEST_CS_BASE, (unsigned long)vector << 12);
	vmcs_writel(GUEST_RIP, 0);
	vtxhv_vcpu_put(vcpu);
	vcpu->mp_state = VTXHV_MP_STATE_RUNNABLE;
	vcpu->sipis++;
	return 0;
}

/*
 * Before the guest runs (sleepable, VMCS not loaded): carry out INIT and
 * SIPI, and wait while the vCPU waits for a SIPI or is halted.
 * Return: EXIT_TO_GUEST, or a negative errno (-EINTR for a signal).
 */
int vtxhv_mp_state_prepare(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool init;
	int sipi, ret;

	if (!a)
		return EXIT_TO_GUEST;
	for (;;) {
		raw_spin_lock_irqsave(&a->lock, flags);
		init = a->init;
		a->init = false;
		sipi = a->sipi;
		if (!init && vcpu->mp_state != VTXHV_MP_STATE_RUNNABLE &&
		    vcpu->mp_state != VTXHV_MP_STATE_HALTED)
			a->sipi = -1;
		raw_spin_unlock_irqrestore(&a->lock, flags);
		if (init) {
			ret = do_init(vcpu);
			if (ret)
				return ret;
			continue;
		}
		switch (vcpu->mp_state) {
		case VTXHV_MP_STATE_UNINITIALIZED:
		case VTXHV_MP_STATE_INIT_RECEIVED:
			if (sipi >= 0) {
				ret = do_sipi(vcpu, sipi);
				if (ret)
					return ret;
				continue;
			}
			ret = rcuwait_wait_event(&vcpu->wait,
						 sipi_or_init(vcpu),
						 TASK_INTERRUPTIBLE);
			if (ret) {
				vcpu->run->exit_reason = VTXHV_EXIT_INTR;
				return -EINTR;
			}
			continue;
		case VTXHV_MP_STATE_HALTED:
			ret = vtxhv_vcpu_block(vcpu);
			if (ret != EXIT_TO_GUEST)
				return ret;
			continue;
		}
		return EXIT_TO_GUEST;
	}
}

int vtxhv_get_mp_state(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_mp_state s = { .mp_state = vcpu->mp_state };

	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

int vtxhv_set_mp_state(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_mp_state s;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (s.padding || s.mp_state > VTXHV_MP_STATE_HALTED)
		return -EINVAL;
	vcpu->mp_state = s.mp_state;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The I/O APIC. */

static int ioapic_deliver(void *opaque, const struct apic_irq *irq)
{
	return vtxhv_apic_deliver(opaque, irq, NULL);
}

int vtxhv_irqchip_init(struct vtxhv_vm *vm)
{
	vm->ioapic = kzalloc(sizeof(*vm->ioapic), GFP_KERNEL_ACCOUNT);
	if (!vm->ioapic)
		return -ENOMEM;
	raw_spin_lock_init(&vm->ioapic_lock);
	ioapic_reset(vm->ioapic);
	vm->ioapic->deliver = ioapic_deliver;
	vm->ioapic->opaque = vm;
	return 0;
}

int vtxhv_irq_line(struct vtxhv_vm *vm, void __user *argp)
{
	struct vtxhv_irq_level l;
	unsigned long flags;

	if (!vm->ioapic)
		return -ENXIO;
	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (l.irq >= VTXHV_IOAPIC_PINS || l.level > 1)
		return -EINVAL;
	raw_spin_lock_irqsave(&vm->ioapic_lock, flags);
	ioapic_set_irq(vm->ioapic, l.irq, l.level);
	raw_spin_unlock_irqrestore(&vm->ioapic_lock, flags);
	return 0;
}

void vtxhv_ioapic_eoi(struct vtxhv_vm *vm, u8 vector)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vm->ioapic_lock, flags);
	ioapic_eoi(vm->ioapic, vector);
	raw_spin_unlock_irqrestore(&vm->ioapic_lock, flags);
}

/*
 * An MMIO access the in-kernel irqchip answers: the vCPU's xAPIC page or
 * the I/O APIC's.  Return: true when handled (*val holds a read's data).
 */
bool vtxhv_irqchip_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len,
			bool write, u64 *val)
{
	struct vtxhv_vm *vm = vcpu->vm;
	unsigned long flags;
	u32 off;

	if (vtxhv_lapic_in_page(vcpu, gpa)) {
		vtxhv_lapic_mmio(vcpu, gpa, len, write, val);
		return true;
	}
	if ((gpa & PAGE_MASK) != VTXHV_IOAPIC_BASE)
		return false;
	off = gpa & ~PAGE_MASK;
	raw_spin_lock_irqsave(&vm->ioapic_lock, flags);
	if (write) {
		if (len == 4)
			ioapic_write(vm->ioapic, off, *val);
	} else {
		*val = len == 4 ? ioapic_read(vm->ioapic, off) : 0;
	}
	raw_spin_unlock_irqrestore(&vm->ioapic_lock, flags);
	return true;
}
