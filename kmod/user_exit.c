// SPDX-License-Identifier: GPL-2.0
/*
 * The exits userspace finishes: port I/O, MMIO and VMCALL.  A handler
 * fills the run structure and returns EXIT_TO_USER; what the instruction
 * still has to do once userspace has answered (load IN data into RAX,
 * store INS data at ES:RDI, run an instruction that read MMIO again with
 * the data) is kept in vcpu->pending and done by vtxhv_complete_pending()
 * at the start of the next VTXHV_RUN.  Instructions that need nothing
 * back are completed before userspace sees them.  MMIO goes through the
 * instruction emulator (emulate.c).  docs/architecture.md follows one
 * exit.
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

/*
 * Port I/O (qualification: SDM table 28-5).  OUT data and IN results go
 * through the run page.  String I/O (INS, OUTS) reaches guest memory: the
 * instruction emulator carries it out in a context that may sleep
 * (vtxhv_io_string).
 */
int vtxhv_handle_io(struct vtxhv_vcpu *vcpu, u32 reason)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int size = (q & 7) + 1;
	bool in = q & BIT(3);
	struct vtxhv_run *run = vcpu->run;
	u8 *data = (u8 *)run + sizeof(*run);

	/* The I/O breakpoints it matches trap once it is done. */
	vcpu->db_hits = vtxhv_io_bp_hits(vcpu, q >> 16, size);
	if (q & BIT(4)) {
		vtxhv_fill_ctx(vcpu, reason);
		/* Data breakpoints: every element's access is checked. */
		vcpu->emu.pio_single = vtxhv_guest_dr7(vcpu) & 0xff;
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
 * The bytes are read into a buffer on the stack and copied to @bytes: the
 * hardened usercopy check of a stack buffer is a bounds check, that of a
 * heap object (@bytes is in the vCPU) a slab lookup, at every MMIO exit.
 *
 * Return: the bytes read, 0 when none could be, or -EAGAIN.
 */
int vtxhv_fetch_insn(struct vtxhv_vcpu *vcpu, u8 *bytes, bool atomic)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	u64 rip = c->seg_base[1] + c->rip, pf_addr;
	u8 buf[INSN_MAX_LEN];
	int n = INSN_MAX_LEN;
	u32 pf_error;

	if (vtxhv_read_gva(vcpu, rip, buf, n, &pf_error, &pf_addr)) {
		if (atomic)
			return -EAGAIN;
		n = min_t(u64, n, PAGE_SIZE - (rip & ~PAGE_MASK));
		if (vtxhv_read_gva(vcpu, rip, buf, n, &pf_error, &pf_addr))
			return 0;
	}
	memcpy(bytes, buf, n);
	return n;
}

/*
 * The instruction emulator (emulate.c) on a vCPU: the guest state it
 * starts from is the exit's snapshot and the GPRs; what it changes is
 * written back only once it completes.
 */
void vtxhv_emu_init(struct vtxhv_vcpu *vcpu, struct emu *e,
		    const u8 *bytes, unsigned int n)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;

	/* The GPRs and segment bases are copied below: the rest starts 0. */
	BUILD_BUG_ON(offsetof(struct emu, ops) !=
		     offsetofend(struct emu, seg_base));
	memset((void *)e + offsetof(struct emu, ops), 0,
	       sizeof(*e) - offsetof(struct emu, ops));
	e->mode = vtxhv_cpu_mode(c);
	e->bytes = bytes;
	e->nbytes = n;
	memcpy(e->gpr, vcpu->gprs.r, sizeof(e->gpr));
	e->gpr[GPR_RSP] = c->rsp;
	e->rip = c->rip;
	e->rflags = c->rflags;
	memcpy(e->seg_base, c->seg_base, sizeof(e->seg_base));
}

/*
 * A linear address the instruction reaches, through the guest's page
 * tables: EMU_FAULT with the #PF the CPU would raise, EMU_RETRY when a
 * table could not be read with page faults disabled.
 */
int vtxhv_emu_translate(struct emu *e, struct vtxhv_vcpu *vcpu, u64 la,
			bool write, u64 *gpa, bool atomic)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	u32 pf_error;
	int ret;

	/* The page the CPU translated for the exit: no walk needed. */
	if (c->gla_acc && !((la ^ c->gla) & PAGE_MASK) &&
	    (!write || (c->gla_acc & PFERR_W))) {
		*gpa = (c->gpa & PAGE_MASK) | (la & ~PAGE_MASK);
		return EMU_OK;
	}
	ret = vtxhv_gva_to_gpa(vcpu, la, write, gpa, &pf_error);
	if (ret == 1) {
		e->fault = (struct emu_fault){
			.vector = PF_VECTOR, .has_error = true,
			.error = pf_error, .addr = la,
		};
		return EMU_FAULT;
	}
	if (ret)
		return atomic ? EMU_RETRY : EMU_UNHANDLED;
	return EMU_OK;
}

/*
 * The instruction completed: its registers, the arithmetic flags, and
 * RIP past it unless a REP string instruction has elements left (RF and
 * STI/MOV SS blocking end as with any instruction vtxhv completes).
 */
int vtxhv_emu_commit(struct vtxhv_vcpu *vcpu, const struct emu *e)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	unsigned long rflags;
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	memcpy(vcpu->gprs.r, e->gpr, sizeof(vcpu->gprs.r));
	if (e->gpr[GPR_RSP] != c->rsp)
		vmcs_writel(GUEST_RSP, e->gpr[GPR_RSP]);
	rflags = vmcs_readl(GUEST_RFLAGS);
	if ((rflags ^ e->rflags) & EMU_ARITH)
		vmcs_writel(GUEST_RFLAGS, (rflags & ~(unsigned long)EMU_ARITH) |
					  (e->rflags & EMU_ARITH));
	if (e->rip != c->rip)
		vtxhv_skip_insn_len(vcpu, e->insn.len);
	else
		vtxhv_rep_iteration_done(vcpu);	/* a REP element */
	vtxhv_vcpu_put(vcpu);
	return 0;
}

/* The exception the emulated instruction raises, for the guest. */
int vtxhv_emu_fault(struct vtxhv_vcpu *vcpu, const struct emu_fault *f)
{
	int ret = vtxhv_vcpu_load(vcpu);

	if (ret)
		return ret;
	if (f->vector == PF_VECTOR)
		vtxhv_inject_pf(vcpu, f->addr, f->error);
	else
		vtxhv_inject_exception(vcpu, f->vector, f->has_error,
				       f->error);
	vtxhv_vcpu_put(vcpu);
	return 0;
}

/*
 * The XMM registers, in the vCPU's XSAVE area: only where the guest's
 * FPU state is there and not in the CPU (outside the atomic exit path).
 */
int vtxhv_emu_get_xmm(struct emu *e, unsigned int n, u8 *xmm)
{
	struct vtxhv_emu_priv *ev = e->priv;

	if (ev->atomic)
		return EMU_RETRY;
	vtxhv_fpu_xmm(ev->vcpu->fpu, n, xmm, false);
	return EMU_OK;
}

int vtxhv_emu_set_xmm(struct emu *e, unsigned int n, const u8 *xmm)
{
	struct vtxhv_emu_priv *ev = e->priv;

	if (ev->atomic)
		return EMU_RETRY;
	vtxhv_fpu_xmm(ev->vcpu->fpu, n, (u8 *)xmm, true);
	return EMU_OK;
}

/* An instruction the emulator refuses: userspace gets its bytes. */
int vtxhv_emu_unhandled(struct vtxhv_vcpu *vcpu, const u8 *bytes,
			unsigned int n)
{
	struct vtxhv_run *run = vcpu->run;
	unsigned int i;

	vtxhv_internal_error_ctx(vcpu, n ? VTXHV_INTERNAL_EMULATION :
				 VTXHV_INTERNAL_GUEST_MEMORY);
	run->internal.insn_len = n;
	for (i = 0; i < n; i++)
		run->internal.insn[i] = bytes[i];
	pr_info_ratelimited("VM %d vCPU %d: instruction not emulated at %#llx: %*ph\n",
			    vcpu->vm->id, vcpu->id, vcpu->ctx.rip, n, bytes);
	return EXIT_TO_USER;
}

/* The largest access of 1, 2, 4 or 8 bytes that fits in @n. */
static unsigned int mmio_piece(unsigned int n)
{
	return n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
}

/*
 * Device memory for the emulator: the in-kernel irqchip's pages, else
 * userspace.  A read userspace has answered in an earlier run of the
 * same instruction is taken from vcpu->emu; a new one ends this run
 * (EMU_EXIT) with the run structure filled.
 */
static int mmio_dev_read(struct vtxhv_emu_priv *ev, u64 gpa, u8 *buf,
			 unsigned int n)
{
	struct vtxhv_vcpu *vcpu = ev->vcpu;
	struct vtxhv_emu_state *es = &vcpu->emu;
	struct vtxhv_run *run = vcpu->run;
	unsigned int k;
	u64 v;

	for (; n; gpa += k, buf += k, n -= k) {
		k = mmio_piece(n);
		if (ev->used < es->nreads) {
			memcpy(buf, es->reads[ev->used++], k);
			continue;
		}
		if (vcpu->vm->ioapic &&
		    vtxhv_irqchip_mmio(vcpu, gpa, k, false, &v)) {
			memcpy(buf, &v, k);
			continue;
		}
		/* writes come last: a read after one is not emulated */
		if (es->nwrites || es->nreads >= VTXHV_EMU_ACCESSES)
			return EMU_UNHANDLED;
		run->exit_reason = VTXHV_EXIT_MMIO;
		run->mmio.phys_addr = gpa;
		run->mmio.len = k;
		run->mmio.is_write = 0;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		es->read_len = k;
		return EMU_EXIT;
	}
	return EMU_OK;
}

/* Writes to the irqchip happen now; those for userspace are queued. */
static int mmio_dev_write(struct vtxhv_emu_priv *ev, u64 gpa, const u8 *buf,
			  unsigned int n)
{
	struct vtxhv_vcpu *vcpu = ev->vcpu;
	struct vtxhv_emu_state *es = &vcpu->emu;
	struct vtxhv_emu_write *w;
	unsigned int k;
	u64 v;

	for (; n; gpa += k, buf += k, n -= k) {
		k = mmio_piece(n);
		v = 0;
		memcpy(&v, buf, k);
		if (vcpu->vm->ioapic &&
		    vtxhv_irqchip_mmio(vcpu, gpa, k, true, &v))
			continue;
		if (es->nwrites >= VTXHV_EMU_ACCESSES)
			return EMU_UNHANDLED;
		w = &es->writes[es->nwrites++];
		w->gpa = gpa;
		w->len = k;
		memcpy(w->data, buf, k);
	}
	return EMU_OK;
}

static int mmio_access(struct emu *e, u64 la, u8 *buf, unsigned int size,
		       bool write)
{
	struct vtxhv_emu_priv *ev = e->priv;
	struct vtxhv_vcpu *vcpu = ev->vcpu;
	struct vtxhv_slot slot;
	unsigned int n;
	u64 gpa;
	int r;

	ev->la = la;
	ev->size = size;
	ev->write = write;
	for (; size; la += n, buf += n, size -= n) {
		n = min_t(u64, size, PAGE_SIZE - (la & ~PAGE_MASK));
		r = vtxhv_emu_translate(e, vcpu, la, write, &gpa, ev->atomic);
		if (r)
			return r;
		if (!vtxhv_slot_get(vcpu->vm, gpa, &slot) ||
		    (write && (slot.flags & VTXHV_MEM_READONLY))) {
			r = write ? mmio_dev_write(ev, gpa, buf, n) :
				    mmio_dev_read(ev, gpa, buf, n);
			if (r)
				return r;
			continue;
		}
		/* RAM: the other operand of MOVS, CMPS; a page crossed */
		if (write && ev->atomic && vtxhv_shadowing(vcpu->vm))
			return EMU_RETRY;
		r = write ? vtxhv_write_guest(vcpu->vm, gpa, buf, n) :
			    vtxhv_read_guest(vcpu->vm, gpa, buf, n);
		if (r)
			return ev->atomic ? EMU_RETRY : EMU_UNHANDLED;
		if (write && vtxhv_shadowing(vcpu->vm))
			vtxhv_shadow_wrote(vcpu, gpa, n);
	}
	return EMU_OK;
}

static int mmio_read(struct emu *e, u64 la, void *buf, unsigned int size)
{
	return mmio_access(e, la, buf, size, false);
}

static int mmio_write(struct emu *e, u64 la, const void *buf,
		      unsigned int size)
{
	return mmio_access(e, la, (u8 *)buf, size, true);
}

/*
 * INS and OUTS: element @i of @n in the run page's data area.  OUT data
 * goes to userspace once the instruction is done; an IN ends the run
 * (EMU_EXIT) until userspace has put the data there (es->pio_ready).
 */
static int mmio_pio(struct emu *e, u16 port, u8 *buf, unsigned int size,
		    unsigned int n, unsigned int i, bool in)
{
	struct vtxhv_emu_priv *ev = e->priv;
	struct vtxhv_vcpu *vcpu = ev->vcpu;
	struct vtxhv_emu_state *es = &vcpu->emu;
	struct vtxhv_run *run = vcpu->run;
	u8 *data = (u8 *)run + sizeof(*run);

	if (in && es->pio_ready) {
		memcpy(buf, data + i * size, size);
		return EMU_OK;
	}
	run->exit_reason = VTXHV_EXIT_IO;
	run->io.direction = in ? VTXHV_IO_IN : VTXHV_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = n;
	run->io.data_offset = sizeof(*run);
	if (in) {
		es->pio_wait = true;
		return EMU_EXIT;
	}
	memcpy(data + i * size, buf, size);
	es->pio_out = true;
	return EMU_OK;
}

static const struct emu_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.get_xmm = vtxhv_emu_get_xmm,
	.set_xmm = vtxhv_emu_set_xmm,
	.pio = mmio_pio,
};

/* Hand userspace the next MMIO write of an instruction that completed. */
static void mmio_write_exit(struct vtxhv_vcpu *vcpu)
{
	struct vtxhv_emu_state *es = &vcpu->emu;
	const struct vtxhv_emu_write *w = &es->writes[es->next_write++];
	struct vtxhv_run *run = vcpu->run;

	run->exit_reason = VTXHV_EXIT_MMIO;
	run->mmio.phys_addr = w->gpa;
	run->mmio.len = w->len;
	run->mmio.is_write = 1;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, w->data, w->len);
	vcpu->pending = es->next_write < es->nwrites ? PENDING_MMIO_WRITES :
						       PENDING_NONE;
}

/*
 * Run @e, the instruction in vcpu->emu, decoded (emu_decode()'s result
 * in @r) with the MMIO reads userspace answered so far.  Returns an exit
 * handler's value.
 */
static int mmio_exec(struct vtxhv_vcpu *vcpu, struct emu *e, int r,
		     bool atomic)
{
	struct vtxhv_emu_state *es = &vcpu->emu;
	struct vtxhv_emu_priv ev = { .vcpu = vcpu, .atomic = atomic };

	e->ops = &mmio_ops;
	e->priv = &ev;
	e->pio_max = es->pio_max;
	es->nwrites = 0;
	es->next_write = 0;
	es->pio_wait = false;
	es->pio_out = false;
	vcpu->pending = PENDING_NONE;
	if (!r)
		r = emu_exec(e);
	switch (r) {
	case EMU_OK:
		/* Its last access, for the guest's data breakpoints. */
		if (ev.size)
			vtxhv_data_access(vcpu, ev.la, ev.size, ev.write);
		r = vtxhv_emu_commit(vcpu, e);
		if (r)
			return r;
		if (es->nwrites) {
			mmio_write_exit(vcpu);
			return EXIT_TO_USER;
		}
		return es->pio_out ? EXIT_TO_USER : EXIT_TO_GUEST;
	case EMU_EXIT:
		vcpu->pending = es->pio_wait ? PENDING_EMU_PIO :
					       PENDING_EMU_READ;
		return EXIT_TO_USER;
	case EMU_FAULT:
		vcpu->db_hits = 0;	/* a fault: the I/O breakpoints' trap too */
		return vtxhv_emu_fault(vcpu, &e->fault) ?: EXIT_TO_GUEST;
	case EMU_RETRY:
		return EXIT_SLEEPABLE;
	default:
		vcpu->db_hits = 0;
		return vtxhv_emu_unhandled(vcpu, es->insn, es->insn_len);
	}
}

/* The instruction in vcpu->emu again, after userspace answered a read. */
static int mmio_emulate(struct vtxhv_vcpu *vcpu, bool atomic)
{
	struct vtxhv_emu_state *es = &vcpu->emu;
	struct emu e;

	vtxhv_emu_init(vcpu, &e, es->insn, es->insn_len);
	return mmio_exec(vcpu, &e, emu_decode(&e), atomic);
}

/* The access, for the guest's data breakpoints the CPU did not check. */
static void mmio_mov_done(struct vtxhv_vcpu *vcpu, const struct emu *e,
			  bool write)
{
	const struct emu_insn *in = &e->insn;

	vtxhv_data_access(vcpu, emu_seg_base(e, in->seg) + in->ea,
			  in->op_size, write);
}

/*
 * The access guests make most, a device register read or written with a
 * MOV (EOI, ICR, a driver's doorbell), done straight from the decoded
 * instruction @e: the general emulator's run, callbacks and commit cost
 * about 1,000 ticks more in the test VM.  A store of a general register
 * or an immediate goes to the irqchip or out to userspace, a load comes
 * from the irqchip; everything else (a load userspace answers, RSP, an
 * access across a page, prefixes that matter) returns -EAGAIN for the
 * emulator.
 */
static int mmio_mov(struct vtxhv_vcpu *vcpu, const struct emu *e, u64 gpa)
{
	const struct emu_insn *in = &e->insn;
	struct vtxhv_run *run = vcpu->run;
	unsigned int size = in->op_size, reg = in->reg;
	bool store, imm, high8;
	u64 v = 0, *r;

	if (in->map || in->rep || in->lock || !in->has_mem)
		return -EAGAIN;
	imm = (in->op & ~1) == 0xc6 && !((in->modrm >> 3) & 7);
	if ((in->op & ~3) != 0x88 && !imm)
		return -EAGAIN;
	store = imm || !(in->op & 2);
	high8 = !imm && size == 1 && !in->rex && reg >= 4 && reg < 8;
	if ((!imm && reg == GPR_RSP && !high8) ||
	    (gpa & ~PAGE_MASK) + size > PAGE_SIZE)
		return -EAGAIN;
	r = &vcpu->gprs.r[high8 ? reg - 4 : reg];
	if (store) {
		v = imm ? in->imm : high8 ? *r >> 8 : *r;
		v &= GENMASK_ULL(8 * size - 1, 0);
		mmio_mov_done(vcpu, e, true);
		if (!vcpu->vm->ioapic ||
		    !vtxhv_irqchip_mmio(vcpu, gpa, size, true, &v)) {
			run->exit_reason = VTXHV_EXIT_MMIO;
			run->mmio.phys_addr = gpa;
			run->mmio.len = size;
			run->mmio.is_write = 1;
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			memcpy(run->mmio.data, &v, size);
			vcpu->pending = PENDING_NONE;
			return vtxhv_skip_insn_unloaded(vcpu, in->len) ?:
			       EXIT_TO_USER;
		}
	} else {
		if (!vcpu->vm->ioapic ||
		    !vtxhv_irqchip_mmio(vcpu, gpa, size, false, &v))
			return -EAGAIN;
		mmio_mov_done(vcpu, e, false);
		emu_gpr_write(e, vcpu->gprs.r, reg, size, v);
	}
	return vtxhv_skip_insn_unloaded(vcpu, in->len) ?: EXIT_TO_GUEST;
}

/*
 * A new instruction for the emulator: fetched at the exit's CS:RIP into
 * vcpu->emu, with no userspace answer yet, and decoded into @e.  Returns
 * emu_decode()'s result, -EAGAIN to fetch again where page faults can be
 * taken, or -EFAULT when no byte of it could be read.
 */
static int emu_start(struct vtxhv_vcpu *vcpu, struct emu *e, bool atomic)
{
	struct vtxhv_emu_state *es = &vcpu->emu;
	int n = vtxhv_fetch_insn(vcpu, es->insn, atomic);

	if (n <= 0)
		return n ? n : -EFAULT;
	es->insn_len = n;
	es->nreads = 0;
	es->pio_ready = false;
	es->pio_max = 0;
	vtxhv_emu_init(vcpu, e, es->insn, n);
	return emu_decode(e);
}

/**
 * vtxhv_handle_mmio - emulate the instruction behind an access to MMIO
 * @vcpu:	the vCPU, with vcpu->ctx filled
 * @gpa:	the guest-physical address the access reached
 * @atomic:	page faults are disabled (the exit path in VMX operation)
 *
 * The emulator finds every address itself from the instruction and the
 * guest's page tables; @gpa is what the exit reported, for tracing.
 *
 * Return: an exit handler's value.
 */
int vtxhv_handle_mmio(struct vtxhv_vcpu *vcpu, u64 gpa, bool atomic)
{
	struct emu e;
	int n, r;

	r = emu_start(vcpu, &e, atomic);
	if (r == -EAGAIN)
		return EXIT_SLEEPABLE;
	if (r < 0)
		return vtxhv_emu_unhandled(vcpu, vcpu->emu.insn, 0);
	if (!r) {
		n = mmio_mov(vcpu, &e, gpa);
		if (n != -EAGAIN)
			return n;
	}
	return mmio_exec(vcpu, &e, r, atomic);
}

/* The low @size bytes (1, 2, 4 or 8). */
static u64 mask_of_size(unsigned int size)
{
	return GENMASK_ULL(8 * size - 1, 0);
}

/*
 * The elements of a REP INS or OUTS one exit may move: as many as the run
 * page holds, but one at a time where each must trap (RFLAGS.TF, I/O and
 * data breakpoints), or where the memory operand is not RAM (each access
 * to device memory is an exit of its own).
 */
static unsigned int io_string_max(struct vtxhv_vcpu *vcpu, struct emu *e,
				  bool in)
{
	u64 la = emu_linear(e, in ? EMU_ES : e->insn.seg,
			    e->gpr[in ? GPR_RDI : GPR_RSI]), gpa;
	struct vtxhv_slot slot;

	if (vcpu->emu.pio_single || vcpu->db_hits ||
	    (vcpu->ctx.rflags & X86_EFLAGS_TF))
		return 1;
	if (vtxhv_emu_translate(e, vcpu, la, in, &gpa, false) ||
	    !vtxhv_slot_get(vcpu->vm, gpa, &slot) ||
	    (in && (slot.flags & VTXHV_MEM_READONLY)))
		return 1;
	return VTXHV_RUN_IO_DATA_MAX / e->insn.op_size;
}

/**
 * vtxhv_io_string - INS or OUTS, through the instruction emulator
 * @vcpu:	the vCPU, with vcpu->ctx filled (a context that may sleep)
 *
 * The emulator finds the memory operand (segment, address size, DF) and
 * reaches it as any emulated instruction does, RAM or device memory; the
 * port data goes through the run page (mmio_pio).  The instruction must
 * be what the exit reported: an INS or OUTS of that direction and size
 * on port DX.
 *
 * Return: an exit handler's value.
 */
int vtxhv_io_string(struct vtxhv_vcpu *vcpu)
{
	const struct vtxhv_exit_ctx *c = &vcpu->ctx;
	struct vtxhv_emu_state *es = &vcpu->emu;
	const struct emu_insn *in;
	bool is_in = c->qual & BIT(3);
	struct emu e;
	int r;

	r = emu_start(vcpu, &e, false);
	if (r < 0)
		return vtxhv_emu_unhandled(vcpu, es->insn, 0);
	in = &e.insn;
	if (!r && (in->map || (in->op & ~3) != 0x6c ||
		   !(in->op & 2) != is_in ||
		   in->op_size != (c->qual & 7) + 1 ||
		   (u16)e.gpr[GPR_RDX] != c->qual >> 16))
		r = EMU_UNHANDLED;
	if (!r)
		es->pio_max = io_string_max(vcpu, &e, is_in);
	/* REP with a zero count: no port accessed, no I/O breakpoint trap */
	if (!r && in->rep && !(e.gpr[GPR_RCX] & mask_of_size(in->addr_size)))
		vcpu->db_hits = 0;
	return mmio_exec(vcpu, &e, r, false);
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
	case PENDING_EMU_READ:
	case PENDING_EMU_PIO: {
		struct vtxhv_emu_state *es = &vcpu->emu;
		int ret;

		if (p == PENDING_EMU_PIO)
			es->pio_ready = true;
		else
			memcpy(es->reads[es->nreads++], run->mmio.data,
			       es->read_len);
		ret = mmio_emulate(vcpu, false);
		if (ret < 0)
			return ret;
		return ret == EXIT_TO_USER;
	}
	case PENDING_MMIO_WRITES:
		mmio_write_exit(vcpu);
		return 1;
	case PENDING_HYPERCALL:
		r[GPR_RAX] = run->hypercall.ret;
		return 0;
	default:
		return 0;
	}
}
