/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controllers of a VTXHV_VM_IRQCHIP VM: a local
 * APIC per vCPU (lapic.c) and the I/O APIC (ioapic.c, glued in irqchip.c).
 * docs/interrupts.md follows an interrupt from a device to a guest's
 * handler.
 */
#ifndef VTXHV_LAPIC_H
#define VTXHV_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>

#include "apic_bus.h"

struct vtxhv_vcpu;
struct vtxhv_vm;

/*
 * Lock order: vm->ioapic_lock, then a local APIC's lock.  Both are raw
 * spinlocks, taken with interrupts off: the exit handlers that take them
 * run with the VMCS loaded, and the timer's hrtimer fires in hard
 * interrupt context, PREEMPT_RT included.
 */
struct vtxhv_lapic {
	struct vtxhv_vcpu *vcpu;
	raw_spinlock_t lock;		/* everything below */
	u32 regs[VTXHV_LAPIC_REGS_SIZE / 4];	/* at xAPIC offset / 4 */
	u32 icr_dest;			/* x2APIC: ICR bits 63:32 */
	u32 esr_pending;		/* errors the next ESR write loads */
	bool nmi;			/* an NMI message waits */
	bool init;			/* an INIT message waits */
	int sipi;			/* a SIPI's vector waits, or -1 */
	/* The timer: TMICT x divisor ns per period, or the TSC deadline. */
	struct hrtimer timer;
	u64 period_ns;			/* one-shot and periodic modes */
	ktime_t expires;		/* when the running period ends */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE, 0: disarmed */
	u64 timer_fired;		/* counters */
	u64 ipis_sent;
};

/* lapic.c */
int vtxhv_lapic_create(struct vtxhv_vcpu *vcpu);
void vtxhv_lapic_free(struct vtxhv_vcpu *vcpu);
void vtxhv_lapic_reset(struct vtxhv_vcpu *vcpu);
bool vtxhv_lapic_in_page(struct vtxhv_vcpu *vcpu, u64 gpa);
void vtxhv_lapic_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len,
		      bool write, u64 *val);
bool vtxhv_lapic_msr(u32 index);
int vtxhv_lapic_rdmsr(struct vtxhv_vcpu *vcpu, u32 index, u64 *data);
int vtxhv_lapic_wrmsr(struct vtxhv_vcpu *vcpu, u32 index, u64 data);
int vtxhv_lapic_set_base(struct vtxhv_vcpu *vcpu, u64 data);
void vtxhv_lapic_set_cr8(struct vtxhv_vcpu *vcpu, u64 cr8);
u64 vtxhv_lapic_get_cr8(struct vtxhv_vcpu *vcpu);
int vtxhv_lapic_pending_vector(struct vtxhv_vcpu *vcpu);
void vtxhv_lapic_ack(struct vtxhv_vcpu *vcpu, int vector);
bool vtxhv_lapic_takes_extint(struct vtxhv_vcpu *vcpu);
bool vtxhv_lapic_take_nmi(struct vtxhv_vcpu *vcpu);
int vtxhv_lapic_get_state(struct vtxhv_vcpu *vcpu, void __user *argp);
int vtxhv_lapic_set_state(struct vtxhv_vcpu *vcpu, void __user *argp);
int vtxhv_apic_deliver(struct vtxhv_vm *vm, const struct apic_irq *irq,
		       struct vtxhv_vcpu *src);

/* irqchip.c */
void vtxhv_kick(struct vtxhv_vcpu *vcpu);
bool vtxhv_vcpu_has_event(struct vtxhv_vcpu *vcpu);
int vtxhv_vcpu_block(struct vtxhv_vcpu *vcpu);
int vtxhv_irqchip_init(struct vtxhv_vm *vm);
int vtxhv_irq_line(struct vtxhv_vm *vm, void __user *argp);
bool vtxhv_irqchip_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len,
			bool write, u64 *val);
void vtxhv_ioapic_eoi(struct vtxhv_vm *vm, u8 vector);
int vtxhv_mp_state_prepare(struct vtxhv_vcpu *vcpu);
int vtxhv_get_mp_state(struct vtxhv_vcpu *vcpu, void __user *argp);
int vtxhv_set_mp_state(struct vtxhv_vcpu *vcpu, void __user *argp);

#endif /* VTXHV_LAPIC_H */
