// SPDX-License-Identifier: GPL-2.0
/*
 * The exits userspace finishes: port I/O, MMIO and VMCALL.  A handler
 * fills the run structure and returns EXIT_TO_USER; what the instruction
 * still has to do once userspace has answered (load IN data into RAX,
 * store INS data at ES:RDI, load an MMIO read into its register) is kept
 * in vcpu->pending and done by vtxhv_complete_pending() at the start of
 * the next VTXHV_RUN.  Instructions that need nothing back are skipped
 * before userspace sees them.  docs/architecture.md follows one exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "vtxhv.h"
#include "vmx_ops.h"

int vtxhv_handle_vmcall(struct vtxhv_vcpu *vcpu, u32 reason)
{
	struct vtxhv_run *run = vcpu->run;
	u64 *r = vcpu->gprs.r;

	run->exit_reason = VTXHV_EXIT_HYPERCALL;
	run->hypercall.nr = r[GPR_RAX];
	run->hypercall.args[0] = r[GPR_RBX];
	run->hypercall.args[1] = r[GPR_RCX];
	run->hypercall.args[2] = r[GPR_RDX];
	run->hypercall.args[3] = r[GPR_RSI];
	run->hypercall.args[4] = r[GPR_RDI];
	run->hypercall.ret = 0;
	vcpu->pending = PENDING_HYPERCALL;
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_USER;
}

/* The address size of INS/OUTS (SDM table 28-8: instruction info). */
static u64 string_addr_mask(u32 info)
{
	switch ((info >> 7) & 7) {
	case 0:
		return 0xffff;
	case 1:
		return 0xffffffff;
	default:
		return ~0ULL;
	}
}

static void string_update(u64 *reg, u64 mask, s64 delta)
{
	*reg = (*reg & ~mask) | ((*reg + delta) & mask);
}

/*
 * Port I/O (qualification: SDM table 28-5).  OUT data and IN results go
 * through the run page.  String I/O moves at most VTXHV_RUN_IO_DATA_MAX
 * bytes per exit: RSI/RDI/RCX are updated and RIP stays on a REP
 * instruction that has elements left, so the guest executes it again.
 * String I/O reaches guest memory, so it is finished in a sleepable
 * context (io_string).
 */
int vtxhv_handle_io(struct vtxhv_vcpu *vcpu, u32 reason)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int size = (q & 7) + 1;
	bool in = q & BIT(3);
	struct vtxhv_run *run = vcpu->run;
	u8 *data = (u8 *)run + sizeof(*run);

	if (q & BIT(4)) {
		vtxhv_fill_ctx(vcpu, reason);
		return EXIT_SLEEPABLE;
	}
	run->exit_reason = VTXHV_EXIT_IO;
	run->io.direction = in ? VTXHV_IO_IN : VTXHV_IO_OUT;
	run->io.size = size;
	run->io.port = q >> 16;
	run->io.count = 1;
	run->io.data_offset = sizeof(*run);
	if (!in)
		memcpy(data, &vcpu->gprs.r[GPR_RAX], size);
	vcpu->pending = in ? PENDING_IN : PENDING_NONE;
	vcpu->pending_size = size;
	vtxhv_skip_insn(vcpu);
	return EXIT_TO_USER;
}

int vtxhv_io_string(struct vtxhv_vcpu *vcpu)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	unsigned int size = (c->qual & 7) + 1;
	bool in = c->qual & BIT(3), rep = c->qual & BIT(5);
	struct vtxhv_run *run = vcpu->run;
	u64 *r = vcpu->gprs.r;
	u8 *data = (u8 *)run + sizeof(*run);
	u64 mask = string_addr_mask(c->insn_info), count = 1, pf_addr;
	unsigned int seg = (c->insn_info >> 15) & 7;
	s64 step = c->rflags & X86_EFLAGS_DF ? -(s64)size : size;
	u32 n, i, pf_error;
	int ret;

	if (rep) {
		count = r[GPR_RCX] & mask;
		if (!count) {
			return vtxhv_skip_insn_unloaded(vcpu, c->insn_len) ?:
			       EXIT_TO_GUEST;
		}
	}
	n = min_t(u64, count, VTXHV_RUN_IO_DATA_MAX / size);
	run->exit_reason = VTXHV_EXIT_IO;
	run->io.direction = in ? VTXHV_IO_IN : VTXHV_IO_OUT;
	run->io.size = size;
	run->io.port = c->qual >> 16;
	run->io.count = n;
	run->io.data_offset = sizeof(*run);
	vcpu->pending_size = size;
	vcpu->pending_count = n;
	vcpu->pending_insn_len = rep && count > n ? 0 : c->insn_len;
	if (in) {
		/* INS writes ES:RDI once userspace has the data. */
		vcpu->pending = PENDING_INS;
		return EXIT_TO_USER;
	}
	for (i = 0; i < n; i++) {
		u64 gva = (seg < 6 ? c->seg_base[seg] : 0) +
			  ((r[GPR_RSI] + step * i) & mask);

		ret = vtxhv_read_gva(vcpu, gva, data + i * size, size,
				     &pf_error, &pf_addr);
		if (ret == 1) {
			return vtxhv_inject_pf_unloaded(vcpu, pf_addr,
							pf_error) ?: EXIT_TO_GUEST;
		}
		if (ret)
			return vtxhv_internal_error_ctx(vcpu,
						  VTXHV_INTERNAL_GUEST_MEMORY);
	}
	string_update(&r[GPR_RSI], mask, step * n);
	if (rep)
		string_update(&r[GPR_RCX], mask, -(s64)n);
	vcpu->pending = PENDING_NONE;
	if (vcpu->pending_insn_len) {
		ret = vtxhv_skip_insn_unloaded(vcpu, vcpu->pending_insn_len);
		if (ret)
			return ret;
	}
	return EXIT_TO_USER;
}

/* Complete INS: store the data userspace provided at ES:RDI. */
static int complete_ins(struct vtxhv_vcpu *vcpu)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	u8 *data = (u8 *)vcpu->run + sizeof(*vcpu->run);
	u64 *r = vcpu->gprs.r;
	u64 mask = string_addr_mask(c->insn_info), pf_addr;
	int size = vcpu->pending_size, ret;
	s64 step = c->rflags & X86_EFLAGS_DF ? -size : size;
	u32 pf_error, i;

	for (i = 0; i < vcpu->pending_count; i++) {
		u64 gva = c->seg_base[0] + ((r[GPR_RDI] + step * i) & mask);

		ret = vtxhv_write_gva(vcpu, gva, data + i * size, size,
				      &pf_error, &pf_addr);
		if (ret == 1) {
			return vtxhv_inject_pf_unloaded(vcpu, pf_addr,
							pf_error);
		}
		if (ret) {
			vtxhv_internal_error_ctx(vcpu, VTXHV_INTERNAL_GUEST_MEMORY);
			return 1;
		}
	}
	string_update(&r[GPR_RDI], mask, step * vcpu->pending_count);
	if (c->qual & BIT(5))
		string_update(&r[GPR_RCX], mask, -(s64)vcpu->pending_count);
	if (vcpu->pending_insn_len)
		return vtxhv_skip_insn_unloaded(vcpu, vcpu->pending_insn_len);
	return 0;
}

/**
 * vtxhv_fetch_insn - read the instruction at CS:RIP of the exit
 * @vcpu:	the vCPU, with vcpu->ctx filled
 * @bytes:	INSN_MAX_LEN bytes
 * @atomic:	page faults are disabled: give up rather than retry
 *
 * 15 bytes, or up to the end of the page if the next one is not readable
 * (the instruction may well end before it).  With page faults disabled a
 * read may fail only because a page is not present in the host: -EAGAIN
 * says to try again where faults can be taken.
 *
 * Return: the bytes read, 0 when none could be, or -EAGAIN.
 */
int vtxhv_fetch_insn(struct vtxhv_vcpu *vcpu, u8 *bytes, bool atomic)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	u64 rip = c->seg_base[1] + c->rip, pf_addr;
	int n = INSN_MAX_LEN;
	u32 pf_error;

	if (!vtxhv_read_gva(vcpu, rip, bytes, n, &pf_error, &pf_addr))
		return n;
	if (atomic)
		return -EAGAIN;
	n = min_t(u64, n, PAGE_SIZE - (rip & ~PAGE_MASK));
	if (vtxhv_read_gva(vcpu, rip, bytes, n, &pf_error, &pf_addr))
		return 0;
	return n;
}

/* Fetch and decode the instruction at CS:RIP for MMIO emulation. */
static int mmio_decode(struct vtxhv_vcpu *vcpu, struct insn_mmio *insn,
		       bool atomic)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	struct vtxhv_run *run = vcpu->run;
	u8 bytes[INSN_MAX_LEN];
	int i, n;

	n = vtxhv_fetch_insn(vcpu, bytes, atomic);
	if (n < 0)
		return n;
	if (n && !insn_decode_mmio(bytes, n, vtxhv_cpu_mode(c), insn))
		return 0;
	vtxhv_internal_error_ctx(vcpu, n ? VTXHV_INTERNAL_EMULATION :
			   VTXHV_INTERNAL_GUEST_MEMORY);
	run->internal.insn_len = n;
	for (i = 0; i < n; i++)
		run->internal.insn[i] = bytes[i];
	return -1;
}

/* The local APIC and I/O APIC pages of the in-kernel irqchip. */
static bool irqchip_mmio(struct vtxhv_vcpu *vcpu, u64 gpa,
			 const struct insn_mmio *insn)
{
	u64 v = 0;

	if (insn->write)
		v = insn_mmio_store_value(insn, vcpu->gprs.r);
	if (!vtxhv_irqchip_mmio(vcpu, gpa, insn->size, insn->write, &v))
		return false;
	if (!insn->write)
		insn_mmio_complete_load(insn, vcpu->gprs.r, v,
					vtxhv_cpu_mode(&vcpu->ctx));
	return true;
}

int vtxhv_handle_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, bool atomic)
{
	struct vtxhv_run *run = vcpu->run;
	struct insn_mmio insn;
	int ret;
	u64 v;

	ret = mmio_decode(vcpu, &insn, atomic);
	if (ret == -EAGAIN)
		return EXIT_SLEEPABLE;
	if (ret)
		return EXIT_TO_USER;
	if (vcpu->vm->ioapic && irqchip_mmio(vcpu, gpa, &insn))
		return vtxhv_skip_insn_unloaded(vcpu, insn.len) ?: EXIT_TO_GUEST;
	run->exit_reason = VTXHV_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	run->mmio.is_write = insn.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.write) {
		v = insn_mmio_store_value(&insn, vcpu->gprs.r);
		memcpy(run->mmio.data, &v, insn.size);
		vcpu->pending = PENDING_NONE;
		ret = vtxhv_skip_insn_unloaded(vcpu, insn.len);
		if (ret)
			return ret;
	} else {
		vcpu->pending_mmio = insn;
		vcpu->pending = PENDING_MMIO_READ;
	}
	return EXIT_TO_USER;
}

/* An access outside RAM found by the shadow paging code. */
int vtxhv_mmio_exit(struct vtxhv_vcpu *vcpu, u64 gpa)
{
	vcpu->ctx.gpa = gpa;
	return vtxhv_handle_mmio(vcpu, gpa, false);
}

/*
 * Finish an instruction whose data userspace has now provided.  Called
 * with preemption enabled, before the next entry.  Returns 0 to go on
 * into the guest, 1 when the run structure holds an exit for userspace
 * instead (INS into memory that is not RAM), or a negative errno.
 */
int vtxhv_complete_pending(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_run *run = vcpu->run;
	u64 *r = vcpu->gprs.r;
	enum vtxhv_pending p = vcpu->pending;
	struct insn_mmio insn;
	u64 v = 0;

	vcpu->pending = PENDING_NONE;
	switch (p) {
	case PENDING_IN:
		memcpy(&v, (u8 *)run + sizeof(*run), vcpu->pending_size);
		/* IN to EAX zero-extends; to AL/AX merges (SDM 3.4.1.1). */
		if (vcpu->pending_size == 4)
			r[GPR_RAX] = (u32)v;
		else if (vcpu->pending_size == 2)
			r[GPR_RAX] = (r[GPR_RAX] & ~0xffffUL) | (u16)v;
		else
			r[GPR_RAX] = (r[GPR_RAX] & ~0xffUL) | (u8)v;
		return 0;
	case PENDING_INS:
		return complete_ins(vcpu);
	case PENDING_MMIO_READ:
		insn = vcpu->pending_mmio;
		memcpy(&v, run->mmio.data, insn.size);
		insn_mmio_complete_load(&insn, r, v,
					vtxhv_cpu_mode(&vcpu->ctx));
		return vtxhv_skip_insn_unloaded(vcpu, insn.len);
	case PENDING_HYPERCALL:
		r[GPR_RAX] = run->hypercall.ret;
		return 0;
	default:
		return 0;
	}
}
