// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a vCPU, in the kernel (VTXHV_VM_IRQCHIP VMs).
 *
 * Trap and emulate: the xAPIC page is not RAM, so every access to it is an
 * MMIO exit that vtxhv_handle_mmio() hands here instead of to userspace;
 * in x2APIC mode the registers are MSRs 0x800-0x8ff.  Registers live in
 * regs[] at their xAPIC offsets (Intel SDM Vol. 3A 10.4-10.12), which is
 * also what VTXHV_GET_LAPIC/SET_LAPIC copy.
 *
 * Other CPUs touch a local APIC only to accept a message: they set an IRR
 * bit (or the NMI, INIT, SIPI latch) under its lock and kick the vCPU
 * (irqchip.c).  Everything else (EOI, TPR, the timer registers, injecting)
 * is done by the vCPU's own thread, at an exit or before an entry.  The
 * timer is a host hrtimer that fires in hard interrupt context; the owner
 * cancels it before it changes the timer registers, never under the lock
 * the callback takes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "vtxhv.h"
#include "vmx_ops.h"
#include "lapic.h"

#define LAPIC_VERSION		0x14	/* integrated xAPIC */
#define LAPIC_MAX_LVT		5	/* LVTT, THMR, PC, LINT0, LINT1, ERR */
#define X2APIC_ENABLE_BIT	BIT_ULL(10)	/* IA32_APIC_BASE.EXTD */
#define X2APIC_MSR_FIRST	0x800
#define X2APIC_MSR_LAST		0x8ff
/* A guest's periodic timer may not fire more often than this. */
#define LAPIC_MIN_PERIOD_NS	100000ULL

#define LVT_WRITABLE		(APIC_VECTOR_MASK | APIC_MODE_MASK | \
				 APIC_INPUT_POLARITY | \
				 APIC_LVT_LEVEL_TRIGGER | APIC_LVT_MASKED)
#define LVTT_MODE_MASK		(3U << 17)

static u32 reg(const struct vtxhv_lapic *a, u32 off)
{
	return a->regs[off >> 2];
}

static void set_reg(struct vtxhv_lapic *a, u32 off, u32 val)
{
	a->regs[off >> 2] = val;
}

/* The 256-bit registers (ISR, TMR, IRR): 8 words, 16 bytes apart. */
static u32 *vec_word(struct vtxhv_lapic *a, u32 base, u8 vec)
{
	return &a->regs[(base + (vec >> 5) * 0x10) >> 2];
}

static bool vec_test(struct vtxhv_lapic *a, u32 base, u8 vec)
{
	return *vec_word(a, base, vec) & BIT(vec & 31);
}

static void vec_set(struct vtxhv_lapic *a, u32 base, u8 vec)
{
	*vec_word(a, base, vec) |= BIT(vec & 31);
}

static void vec_clear(struct vtxhv_lapic *a, u32 base, u8 vec)
{
	*vec_word(a, base, vec) &= ~BIT(vec & 31);
}

static int vec_highest(const struct vtxhv_lapic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = a->regs[(base + i * 0x10) >> 2];

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

static bool hw_enabled(const struct vtxhv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic_base) & MSR_IA32_APICBASE_ENABLE;
}

static bool x2apic_mode(const struct vtxhv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic_base) & X2APIC_ENABLE_BIT;
}

static bool sw_enabled(const struct vtxhv_lapic *a)
{
	return reg(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

/* Processor priority (SDM 10.8.3.1). */
static u32 ppr(const struct vtxhv_lapic *a)
{
	u32 tpr = reg(a, APIC_TASKPRI) & 0xff;
	int isrv = vec_highest(a, APIC_ISR);

	if (isrv < 0 || (tpr >> 4) >= ((u32)isrv >> 4))
		return tpr;
	return isrv & 0xf0;
}

/* The x2APIC logical ID follows from the APIC ID (SDM 10.12.10.2). */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

/* ------------------------------------------------------------------ */
/* Accepting messages: any CPU, interrupts off or on. */

static int accept(struct vtxhv_vcpu *t, const struct apic_irq *m)
{
	struct vtxhv_lapic *a = t->apic;
	unsigned long flags;
	int ret = 1;

	raw_spin_lock_irqsave(&a->lock, flags);
	switch (m->dm) {
	case APIC_MSG_FIXED:
	case APIC_MSG_LOWEST:
		if (m->vector < 16) {
			a->esr_pending |= APIC_ESR_RECVILL;
			ret = 0;
		} else if (!sw_enabled(a)) {
			ret = 0;	/* SDM 10.4.7.2: not accepted */
		} else {
			vec_set(a, APIC_IRR, m->vector);
			if (m->level)
				vec_set(a, APIC_TMR, m->vector);
			else
				vec_clear(a, APIC_TMR, m->vector);
		}
		break;
	case APIC_MSG_NMI:
		a->nmi = true;
		break;
	case APIC_MSG_INIT:
		/* INIT level de-assert only synchronises arbitration IDs. */
		if (m->level && !m->assert) {
			ret = 0;
			break;
		}
		a->init = true;
		a->sipi = -1;	/* a SIPI counts only after this INIT */
		break;
	case APIC_MSG_SIPI:
		a->sipi = m->vector;
		break;
	default:		/* SMI, ExtINT: no such pin here */
		ret = 0;
	}
	raw_spin_unlock_irqrestore(&a->lock, flags);
	if (ret)
		vtxhv_kick(t);
	return ret;
}

static bool match_dest(struct vtxhv_vcpu *t, const struct apic_irq *m,
		       struct vtxhv_vcpu *src)
{
	struct vtxhv_lapic *a = t->apic;
	u32 ldr, lid;

	switch (m->shorthand) {
	case APIC_SH_SELF:
		return t == src;
	case APIC_SH_ALL:
		return hw_enabled(t);
	case APIC_SH_OTHERS:
		return t != src && hw_enabled(t);
	}
	if (!hw_enabled(t))
		return false;
	if (x2apic_mode(t) && src) {
		if (m->dest == 0xffffffff)
			return true;
		if (!m->logical)
			return m->dest == (u32)t->id;
		ldr = x2apic_ldr(t->id);
		return (m->dest >> 16) == (ldr >> 16) && (m->dest & ldr & 0xffff);
	}
	/* xAPIC, and every message from the I/O APIC: 8-bit destinations. */
	if ((m->dest & 0xff) == 0xff)
		return true;
	if (!m->logical)
		return (m->dest & 0xff) == (u32)t->id;
	lid = x2apic_mode(t) ? x2apic_ldr(t->id) & 0xff :
			       READ_ONCE(a->regs[APIC_LDR >> 2]) >> 24;
	if ((READ_ONCE(a->regs[APIC_DFR >> 2]) >> 28) == 0xf || x2apic_mode(t))
		return m->dest & lid;			/* flat */
	return (m->dest >> 4) == (lid >> 4) && (m->dest & lid & 0xf);
}

/**
 * vtxhv_apic_deliver - hand a message to the local APICs it addresses
 * @vm:		the VM
 * @irq:	the message
 * @src:	the sender (an ICR write), or NULL (the I/O APIC)
 *
 * Lowest priority goes to the addressed APIC with the lowest task
 * priority (SDM 10.6.2.4; ties to the lowest ID).  Callable with
 * interrupts off.
 *
 * Return: how many local APICs accepted it.
 */
int vtxhv_apic_deliver(struct vtxhv_vm *vm, const struct apic_irq *irq,
		       struct vtxhv_vcpu *src)
{
	struct vtxhv_vcpu *t, *lowest = NULL;
	int i, n = 0;

	rcu_read_lock();
	for (i = 0; i < VTXHV_MAX_VCPUS; i++) {
		t = READ_ONCE(vm->vcpus[i]);
		if (!t || !t->apic || !match_dest(t, irq, src))
			continue;
		if (irq->dm == APIC_MSG_LOWEST) {
			if (!lowest ||
			    (READ_ONCE(t->apic->regs[APIC_TASKPRI >> 2]) & 0xff) <
			    (READ_ONCE(lowest->apic->regs[APIC_TASKPRI >> 2]) & 0xff))
				lowest = t;
			continue;
		}
		n += accept(t, irq);
	}
	if (lowest)
		n += accept(lowest, irq);
	rcu_read_unlock();
	return n;
}

/* ------------------------------------------------------------------ */
/* The timer. */

static u32 timer_mode(const struct vtxhv_lapic *a)
{
	return reg(a, APIC_LVTT) & LVTT_MODE_MASK;
}

static u64 timer_divisor(const struct vtxhv_lapic *a)
{
	u32 d = reg(a, APIC_TDCR);

	d = ((d & 8) >> 1) | (d & 3);
	return d == 7 ? 1 : 2ULL << d;
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *timer)
{
	struct vtxhv_lapic *a = container_of(timer, struct vtxhv_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u32 lvtt;

	raw_spin_lock_irqsave(&a->lock, flags);
	lvtt = reg(a, APIC_LVTT);
	if (!(lvtt & APIC_LVT_MASKED) && (lvtt & 0xff) >= 16) {
		vec_set(a, APIC_IRR, lvtt & 0xff);
		vec_clear(a, APIC_TMR, lvtt & 0xff);
	}
	a->timer_fired++;
	if (timer_mode(a) == APIC_LVT_TIMER_PERIODIC && a->period_ns) {
		a->expires = ktime_add_ns(a->expires, a->period_ns);
		if (ktime_before(a->expires, ktime_get()))
			a->expires = ktime_add_ns(ktime_get(), a->period_ns);
		hrtimer_set_expires(timer, a->expires);
		ret = HRTIMER_RESTART;
	} else {
		a->period_ns = 0;
		a->tsc_deadline = 0;
	}
	raw_spin_unlock_irqrestore(&a->lock, flags);
	vtxhv_kick(a->vcpu);
	return ret;
}

/* With the lock held and the hrtimer cancelled: arm what TMICT asks. */
static void timer_arm_count(struct vtxhv_lapic *a)
{
	u64 ns = (u64)reg(a, APIC_TMICT) * timer_divisor(a);

	a->period_ns = 0;
	if (!ns || timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	if (timer_mode(a) == APIC_LVT_TIMER_PERIODIC)
		ns = max(ns, LAPIC_MIN_PERIOD_NS);
	a->period_ns = ns;
	a->expires = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&a->timer, a->expires, HRTIMER_MODE_ABS_HARD);
}

/* The guest's TSC now: the VMCS is current (an exit or an ioctl). */
static u64 guest_tsc(void)
{
	return rdtsc() + vmcs_read64(TSC_OFFSET);
}

static void timer_arm_deadline(struct vtxhv_lapic *a)
{
	u64 now = guest_tsc(), ns = 0;

	if (!a->tsc_deadline || timer_mode(a) != APIC_LVT_TIMER_TSCDEADLINE)
		return;
	if (a->tsc_deadline > now && tsc_khz)
		ns = mul_u64_u32_div(a->tsc_deadline - now, 1000000, tsc_khz);
	a->expires = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&a->timer, a->expires, HRTIMER_MODE_ABS_HARD);
}

static u32 timer_current_count(struct vtxhv_lapic *a)
{
	s64 left;

	if (!a->period_ns)
		return 0;
	left = ktime_to_ns(ktime_sub(a->expires, ktime_get()));
	if (left <= 0)
		return 0;
	return div64_u64(left, timer_divisor(a));
}

/* ------------------------------------------------------------------ */
/* Register reads and writes (the vCPU's own thread). */

static u32 lapic_read(struct vtxhv_vcpu *vcpu, u32 off)
{
	struct vtxhv_lapic *a = vcpu->apic;

	switch (off) {
	case APIC_ID:
		return x2apic_mode(vcpu) ? vcpu->id : reg(a, APIC_ID);
	case APIC_PROCPRI:
		return ppr(a);
	case APIC_ARBPRI:
	case APIC_EOI:
	case APIC_RRR:
		return 0;
	case APIC_LDR:
		return x2apic_mode(vcpu) ? x2apic_ldr(vcpu->id) :
					   reg(a, APIC_LDR);
	case APIC_TMCCT:
		return timer_current_count(a);
	case APIC_ICR:
		return reg(a, APIC_ICR) & ~APIC_ICR_BUSY;
	default:
		if (off >= VTXHV_LAPIC_REGS_SIZE)
			return 0;
		return reg(a, off);
	}
}

static void send_ipi(struct vtxhv_vcpu *vcpu, u32 icr, u32 dest)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	struct apic_irq m = {
		.dest = dest,
		.vector = icr & APIC_VECTOR_MASK,
		.dm = (icr & APIC_MODE_MASK) >> 8,
		.shorthand = (icr >> 18) & 3,
		.logical = icr & APIC_DEST_LOGICAL,
		.level = icr & APIC_INT_LEVELTRIG,
		.assert = icr & APIC_INT_ASSERT,
	};

	if ((m.dm == APIC_MSG_FIXED || m.dm == APIC_MSG_LOWEST) &&
	    m.vector < 16) {
		raw_spin_lock_irqsave(&a->lock, flags);
		a->esr_pending |= APIC_ESR_SENDILL;
		raw_spin_unlock_irqrestore(&a->lock, flags);
		return;
	}
	/* Fixed and lowest priority are edge-triggered from the ICR. */
	if (m.dm != APIC_MSG_INIT)
		m.level = false;
	a->ipis_sent++;
	vtxhv_apic_deliver(vcpu->vm, &m, vcpu);
}

static void lapic_eoi(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool level = false;
	int v;

	raw_spin_lock_irqsave(&a->lock, flags);
	v = vec_highest(a, APIC_ISR);
	if (v >= 0) {
		vec_clear(a, APIC_ISR, v);
		level = vec_test(a, APIC_TMR, v);
	}
	raw_spin_unlock_irqrestore(&a->lock, flags);
	vcpu->want_inject = true;	/* PPR fell: look at IRR again */
	if (level)
		vtxhv_ioapic_eoi(vcpu->vm, v);
}

static bool timer_reg(u32 off)
{
	return off == APIC_LVTT || off == APIC_TMICT || off == APIC_TDCR;
}

/*
 * Write a register; @val as the guest wrote it (x2APIC ICR: the low half,
 * the destination already in icr_dest).  Return: 0, or 1 for a value the
 * register refuses (x2APIC: #GP).
 */
static int lapic_write(struct vtxhv_vcpu *vcpu, u32 off, u32 val)
{
	struct vtxhv_lapic *a = vcpu->apic;
	bool x2 = x2apic_mode(vcpu), ipi = false;
	unsigned long flags;
	u32 dest = 0;
	int ret = 0;

	if (off == APIC_EOI) {
		if (x2 && val)
			return 1;
		lapic_eoi(vcpu);
		return 0;
	}
	if (timer_reg(off))
		hrtimer_cancel(&a->timer);
	raw_spin_lock_irqsave(&a->lock, flags);
	switch (off) {
	case APIC_ID:
		if (!x2)
			set_reg(a, APIC_ID, val & 0xff000000);
		break;
	case APIC_TASKPRI:
		if (x2 && (val & ~0xffU))
			ret = 1;
		else
			set_reg(a, APIC_TASKPRI, val & 0xff);
		vcpu->want_inject = true;
		break;
	case APIC_LDR:
		if (!x2)
			set_reg(a, APIC_LDR, val & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		if (!x2)
			set_reg(a, APIC_DFR, val | 0x0fffffff);
		break;
	case APIC_SPIV:
		if (x2 && (val & ~0x3ffU)) {
			ret = 1;
			break;
		}
		set_reg(a, APIC_SPIV, val & 0x3ff);
		if (!(val & APIC_SPIV_APIC_ENABLED)) {
			u32 lvt;

			/* Software disabled: every LVT entry masked. */
			for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
				set_reg(a, lvt, reg(a, lvt) | APIC_LVT_MASKED);
		}
		vcpu->want_inject = true;
		break;
	case APIC_ESR:
		/* A write loads the errors since the last one (SDM 10.5.3). */
		if (x2 && val) {
			ret = 1;
		} else {
			set_reg(a, APIC_ESR, a->esr_pending);
			a->esr_pending = 0;
		}
		break;
	case APIC_ICR:
		set_reg(a, APIC_ICR, val & ~APIC_ICR_BUSY);
		dest = x2 ? a->icr_dest : reg(a, APIC_ICR2) >> 24;
		ipi = true;
		break;
	case APIC_ICR2:
		if (!x2)
			set_reg(a, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTT:
		if (!sw_enabled(a))
			val |= APIC_LVT_MASKED;
		val &= APIC_VECTOR_MASK | APIC_LVT_MASKED | LVTT_MODE_MASK;
		if ((val & LVTT_MODE_MASK) == LVTT_MODE_MASK)
			val &= ~LVTT_MODE_MASK;	/* reserved: one-shot */
		if ((val ^ reg(a, APIC_LVTT)) & LVTT_MODE_MASK) {
			/* A mode change disarms the timer (SDM 10.5.4.1). */
			set_reg(a, APIC_TMICT, 0);
			a->tsc_deadline = 0;
		}
		set_reg(a, APIC_LVTT, val);
		break;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		if (!sw_enabled(a))
			val |= APIC_LVT_MASKED;
		set_reg(a, off, val & (off == APIC_LVTERR ?
				       APIC_VECTOR_MASK | APIC_LVT_MASKED :
				       LVT_WRITABLE));
		break;
	case APIC_TMICT:
		set_reg(a, APIC_TMICT, val);
		break;
	case APIC_TDCR:
		if (x2 && (val & ~0xbU))
			ret = 1;
		else
			set_reg(a, APIC_TDCR, val & 0xb);
		break;
	case APIC_SELF_IPI:
		if (!x2 || (val & ~0xffU)) {
			ret = x2;
			break;
		}
		ipi = true;
		val = (val & 0xff) | APIC_DEST_SELF;
		break;
	default:
		ret = x2;	/* read-only or reserved */
	}
	if (timer_reg(off))
		timer_arm_count(a);
	raw_spin_unlock_irqrestore(&a->lock, flags);
	if (ipi && !ret)
		send_ipi(vcpu, val, dest);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The interfaces: MMIO, MSRs, CR8, injection, the ioctls. */

bool vtxhv_lapic_in_page(struct vtxhv_vcpu *vcpu, u64 gpa)
{
	u64 base = vcpu->apic_base;

	return vcpu->apic && (base & MSR_IA32_APICBASE_ENABLE) &&
	       !(base & X2APIC_ENABLE_BIT) &&
	       (gpa & PAGE_MASK) == (base & MSR_IA32_APICBASE_BASE);
}

/*
 * An access to the xAPIC page.  Registers are 32 bits wide at 16-byte
 * offsets; a narrower read returns its bytes of the register, a write
 * other than an aligned dword is dropped (SDM 10.4.1 leaves it undefined).
 */
void vtxhv_lapic_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, unsigned int len,
		      bool write, u64 *val)
{
	u32 off = gpa & 0xfff, r = off & 0xff0;

	if (write) {
		if (len == 4 && !(off & 0xf))
			lapic_write(vcpu, r, *val);
		return;
	}
	*val = (off & 0xf) + len > 4 ? 0 :
	       lapic_read(vcpu, r) >> ((off & 3) * 8);
	if (len < 8)
		*val &= (1ULL << (len * 8)) - 1;
}

bool vtxhv_lapic_msr(u32 index)
{
	return (index >= X2APIC_MSR_FIRST && index <= X2APIC_MSR_LAST) ||
	       index == MSR_IA32_TSC_DEADLINE;
}

/* Which x2APIC MSRs exist, and which of them read (SDM table 10-6). */
static bool x2apic_readable(u32 off)
{
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_PROCPRI:
	case APIC_LDR: case APIC_SPIV: case APIC_ESR: case APIC_ICR:
	case APIC_LVTT: case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0:
	case APIC_LVT1: case APIC_LVTERR: case APIC_TMICT: case APIC_TMCCT:
	case APIC_TDCR:
		return true;
	}
	return (off >= APIC_ISR && off < APIC_ESR);
}

/* Return: 0, or 1 for #GP. */
int vtxhv_lapic_rdmsr(struct vtxhv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vtxhv_lapic *a = vcpu->apic;
	u32 off = (index - X2APIC_MSR_FIRST) << 4;

	if (index == MSR_IA32_TSC_DEADLINE) {
		*data = a->tsc_deadline;
		return 0;
	}
	if (!x2apic_mode(vcpu) || !x2apic_readable(off))
		return 1;
	*data = lapic_read(vcpu, off);
	if (off == APIC_ICR)
		*data |= (u64)a->icr_dest << 32;
	return 0;
}

int vtxhv_lapic_wrmsr(struct vtxhv_vcpu *vcpu, u32 index, u64 data)
{
	struct vtxhv_lapic *a = vcpu->apic;
	u32 off = (index - X2APIC_MSR_FIRST) << 4;

	if (index == MSR_IA32_TSC_DEADLINE) {
		/* Ignored outside TSC-deadline mode (SDM 10.5.4.1). */
		if (timer_mode(a) != APIC_LVT_TIMER_TSCDEADLINE)
			return 0;
		hrtimer_cancel(&a->timer);
		a->tsc_deadline = data;
		timer_arm_deadline(a);
		return 0;
	}
	if (!x2apic_mode(vcpu))
		return 1;
	if (off == APIC_ICR)
		a->icr_dest = data >> 32;
	else if (data >> 32)
		return 1;
	if (off != APIC_EOI && off != APIC_SELF_IPI &&
	    (!x2apic_readable(off) || off == APIC_ID || off == APIC_LVR ||
	     off == APIC_PROCPRI || off == APIC_LDR || off == APIC_TMCCT ||
	     (off >= APIC_ISR && off < APIC_ESR)))
		return 1;	/* read-only or absent: #GP */
	return lapic_write(vcpu, off, data);
}

/*
 * IA32_APIC_BASE: enable, x2APIC, relocation.  The guest may not go from
 * x2APIC straight back to xAPIC, nor set EXTD without EN (SDM 10.12.5);
 * the BSP flag is the machine's.
 * Return: 0, or 1 for #GP.
 */
int vtxhv_lapic_set_base(struct vtxhv_vcpu *vcpu, u64 data)
{
	u64 old = vcpu->apic_base;
	u64 valid = MSR_IA32_APICBASE_BASE | MSR_IA32_APICBASE_ENABLE |
		    MSR_IA32_APICBASE_BSP | X2APIC_ENABLE_BIT;
	bool en = data & MSR_IA32_APICBASE_ENABLE;
	bool x2 = data & X2APIC_ENABLE_BIT;

	if ((data & ~valid) || (data & GENMASK_ULL(63, 36)) || (x2 && !en))
		return 1;
	if ((old & X2APIC_ENABLE_BIT) && en && !x2)
		return 1;
	if ((data ^ old) & MSR_IA32_APICBASE_BSP)
		return 1;
	WRITE_ONCE(vcpu->apic_base, data);
	return 0;
}

void vtxhv_lapic_set_cr8(struct vtxhv_vcpu *vcpu, u64 cr8)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;

	raw_spin_lock_irqsave(&a->lock, flags);
	set_reg(a, APIC_TASKPRI, (cr8 & 15) << 4);
	raw_spin_unlock_irqrestore(&a->lock, flags);
	vcpu->want_inject = true;
}

u64 vtxhv_lapic_get_cr8(struct vtxhv_vcpu *vcpu)
{
	return (READ_ONCE(vcpu->apic->regs[APIC_TASKPRI >> 2]) >> 4) & 15;
}

/* The vector the guest would take next, or -1 (PPR, SDM 10.8.3.1). */
int vtxhv_lapic_pending_vector(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	int v;

	if (!hw_enabled(vcpu))
		return -1;
	raw_spin_lock_irqsave(&a->lock, flags);
	v = vec_highest(a, APIC_IRR);
	if (v >= 0 && ((u32)v & 0xf0) <= (ppr(a) & 0xf0))
		v = -1;
	raw_spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

/* The guest takes @vector: IRR to ISR (SDM 10.8.4). */
void vtxhv_lapic_ack(struct vtxhv_vcpu *vcpu, int vector)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;

	raw_spin_lock_irqsave(&a->lock, flags);
	vec_clear(a, APIC_IRR, vector);
	vec_set(a, APIC_ISR, vector);
	raw_spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * An ExtINT from a PIC userspace emulates reaches the CPU through LINT0
 * when that is an unmasked ExtINT entry, or directly when the local APIC
 * is disabled in IA32_APIC_BASE (SDM 10.4.3).
 */
bool vtxhv_lapic_takes_extint(struct vtxhv_vcpu *vcpu)
{
	u32 lvt0 = READ_ONCE(vcpu->apic->regs[APIC_LVT0 >> 2]);

	if (!hw_enabled(vcpu))
		return true;
	return !(lvt0 & APIC_LVT_MASKED) &&
	       GET_APIC_DELIVERY_MODE(lvt0) == APIC_MODE_EXTINT;
}

/* An NMI message waits: take it (the caller injects it). */
bool vtxhv_lapic_take_nmi(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool nmi;

	if (!READ_ONCE(a->nmi))
		return false;
	raw_spin_lock_irqsave(&a->lock, flags);
	nmi = a->nmi;
	a->nmi = false;
	raw_spin_unlock_irqrestore(&a->lock, flags);
	return nmi;
}

/*
 * Power-up and INIT state (SDM 10.4.7.1, 10.4.7.3): the ID and
 * IA32_APIC_BASE stay; on the boot vCPU LINT0 is the PIC's ExtINT wire and
 * LINT1 NMI, as firmware leaves them on a PC.  A SIPI that came with an
 * INIT stays (the caller takes it next).
 */
void vtxhv_lapic_reset(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = vcpu->apic;
	unsigned long flags;
	u32 lvt;

	hrtimer_cancel(&a->timer);
	raw_spin_lock_irqsave(&a->lock, flags);
	memset(a->regs, 0, sizeof(a->regs));
	set_reg(a, APIC_ID, (u32)vcpu->id << 24);
	set_reg(a, APIC_LVR, LAPIC_VERSION | (LAPIC_MAX_LVT << 16));
	set_reg(a, APIC_DFR, 0xffffffff);
	set_reg(a, APIC_SPIV, 0xff);
	for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
		set_reg(a, lvt, APIC_LVT_MASKED);
	if (vcpu->id == 0) {
		set_reg(a, APIC_LVT0, SET_APIC_DELIVERY_MODE(0, APIC_MODE_EXTINT));
		set_reg(a, APIC_LVT1, SET_APIC_DELIVERY_MODE(0, APIC_MODE_NMI));
	}
	a->icr_dest = 0;
	a->esr_pending = 0;
	a->nmi = false;
	a->init = false;
	a->period_ns = 0;
	a->tsc_deadline = 0;
	raw_spin_unlock_irqrestore(&a->lock, flags);
}

int vtxhv_lapic_create(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	a->sipi = -1;
	raw_spin_lock_init(&a->lock);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = lapic_timer_fn;
	vcpu->apic = a;
	vtxhv_lapic_reset(vcpu);
	return 0;
}

void vtxhv_lapic_free(struct vtxhv_vcpu *vcpu)
{
	if (!vcpu->apic)
		return;
	hrtimer_cancel(&vcpu->apic->timer);
	kfree(vcpu->apic);
	vcpu->apic = NULL;
}

int vtxhv_lapic_get_state(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_lapic *a = vcpu->apic;
	struct vtxhv_lapic_state *s;
	unsigned long flags;
	int ret = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	raw_spin_lock_irqsave(&a->lock, flags);
	memcpy(s->regs, a->regs, sizeof(s->regs));
	((u32 *)s->regs)[APIC_PROCPRI >> 2] = ppr(a);
	((u32 *)s->regs)[APIC_TMCCT >> 2] = timer_current_count(a);
	raw_spin_unlock_irqrestore(&a->lock, flags);
	if (copy_to_user(argp, s, sizeof(*s)))
		ret = -EFAULT;
	kfree(s);
	return ret;
}

/* The registers as given, the ID and version aside; the timer restarts. */
int vtxhv_lapic_set_state(struct vtxhv_vcpu *vcpu, void __user *argp)
{
	struct vtxhv_lapic *a = vcpu->apic;
	struct vtxhv_lapic_state *s;
	unsigned long flags;
	u32 *r;

	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	r = (u32 *)s->regs;
	hrtimer_cancel(&a->timer);
	raw_spin_lock_irqsave(&a->lock, flags);
	r[APIC_ID >> 2] = reg(a, APIC_ID);
	r[APIC_LVR >> 2] = reg(a, APIC_LVR);
	r[APIC_PROCPRI >> 2] = 0;
	r[APIC_TMCCT >> 2] = 0;
	r[APIC_TASKPRI >> 2] &= 0xff;
	r[APIC_SPIV >> 2] &= 0x3ff;
	r[APIC_DFR >> 2] |= 0x0fffffff;
	/* Vectors 0-15 are exceptions: never pending or in service. */
	r[APIC_IRR >> 2] &= ~0xffffU;
	r[APIC_ISR >> 2] &= ~0xffffU;
	memcpy(a->regs, r, sizeof(a->regs));
	timer_arm_count(a);
	raw_spin_unlock_irqrestore(&a->lock, flags);
	vcpu->want_inject = true;
	kfree(s);
	return 0;
}
