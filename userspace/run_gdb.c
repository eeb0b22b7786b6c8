// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl run --gdb: the gdb stub's target, what its operations do to the
 * vCPUs (registers through VTXHV_GET/SET_REGS and _SREGS, guest memory by
 * virtual address through guest_mmu.c, breakpoints through gdb_bp.c), and
 * how the vCPU threads stop for it.  run_gdb_thread.c holds the stub's
 * thread: the connection, and what it does at each stop and resume.
 *
 * All-stop: gdb sees the guest either running or stopped as a whole.
 * A vCPU stops by parking in its own thread, out of VTXHV_RUN, until the
 * stub releases it; the register and debug ioctls of the stub's thread
 * then never wait behind a VTXHV_RUN.  A stop is wanted (want_stop) when a
 * vCPU takes a debug exit, when gdb types ^C, and when gdb connects; each
 * running vCPU is then kicked out of the guest as the run's end kicks
 * them (immediate_exit and SIGUSR1), and parks after a VTXHV_RUN that
 * returned EINTR, so that an I/O or MMIO exit is always complete first
 * (its IN data in RAX) when gdb reads the registers.  Once all are parked,
 * the stub tells gdb which stopped and why.
 *
 * Lock order: vm->lock, then g->lock, then vm->dev_lock.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "run_gdb.h"

/* ---- Stopping and parking ------------------------------------------------- */

void gdb_wake_stub(struct gdb_stub *g)
{
	if (write(g->wake[1], "", 1) < 0) {
		/* Full: a wake-up is pending anyway. */
	}
}

/*
 * Kick every running vCPU out of the guest, as stop_all() does; a vCPU 0
 * that waits in handle_hlt() sees want_stop at the broadcast.  g->lock.
 */
void gdb_request_stop(struct gdb_stub *g)
{
	struct vm *vm = g->vm;
	unsigned int i;

	g->state = ST_STOPPING;
	__atomic_store_n(&g->want_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (g->cpu[i].parked || g->cpu[i].done)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (v->started && !pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, SIGUSR1);
	}
	dev_lock(&vm->dev_lock);
	dev_cond_broadcast(&vm->dev_cond);
	dev_unlock(&vm->dev_lock);
}

/* In the vCPU's thread, under g->lock: wait for a resume or the end. */
static void park(struct gdb_stub *g, struct vcpu *v)
{
	struct gdb_vcpu *c = &g->cpu[v->id];

	c->parked = true;
	gdb_wake_stub(g);
	while (!c->go && !v->vm->stopping)
		pthread_cond_wait(&g->cond, &g->lock);
	c->go = false;
	c->parked = false;
}

bool gdb_stop_wanted(const struct vm *vm)
{
	return vm->gdb && __atomic_load_n(&vm->gdb->want_stop,
					  __ATOMIC_SEQ_CST);
}

void gdb_vcpu_entry(struct vcpu *v)
{
	if (gdb_stop_wanted(v->vm))
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

void gdb_vcpu_intr(struct vcpu *v)
{
	struct gdb_stub *g = v->vm->gdb;

	if (!gdb_stop_wanted(v->vm))
		return;
	pthread_mutex_lock(&g->lock);
	if (g->want_stop)
		park(g, v);
	pthread_mutex_unlock(&g->lock);
}

void gdb_vcpu_done(struct vcpu *v)
{
	struct gdb_stub *g = v->vm->gdb;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->cpu[v->id].done = true;
	gdb_wake_stub(g);
	pthread_mutex_unlock(&g->lock);
}

void gdb_wake_parked(struct vm *vm)
{
	if (!vm->gdb)
		return;
	pthread_mutex_lock(&vm->gdb->lock);
	pthread_cond_broadcast(&vm->gdb->cond);
	pthread_mutex_unlock(&vm->gdb->lock);
}

/* ---- Guest state ----------------------------------------------------------- */

static struct vcpu *thread_vcpu(struct gdb_stub *g, int thread)
{
	if (thread < 1 || (unsigned int)thread > g->vm->ncpus)
		return NULL;
	return &g->vm->vcpus[thread - 1];
}

/* The paging registers of @v, for guest_mmu. */
static int vcpu_mmu(struct gdb_stub *g, struct vcpu *v, struct guest_mmu *m,
		    struct vtxhv_sregs *sregs)
{
	struct vtxhv_sregs s;

	if (!v)
		return -ESRCH;
	if (ioctl(v->fd, VTXHV_GET_SREGS, &s))
		return -errno;
	m->cr0 = s.cr0;
	m->cr3 = s.cr3;
	m->cr4 = s.cr4;
	m->efer = s.efer;
	m->ram = g->vm->ram;
	m->ram_size = g->vm->ram_size;
	if (sregs)
		*sregs = s;
	return 0;
}

/*
 * An INT3 that is not ours: the guest's own (Linux patches its text with
 * them), given back to it as the #BP it would have taken: after the INT3,
 * injected at the next entry.  A hardware-exception #BP, as the run
 * structure cannot give an instruction length; its handler sees the same
 * RIP.  If the byte is no longer an INT3, it was ours and gdb removed it
 * before this exit was seen: the instruction runs again as it is now.
 */
static void give_back_int3(struct gdb_stub *g, struct vcpu *v, uint64_t pc)
{
	struct vtxhv_sregs s = { 0 };
	struct vtxhv_regs r;
	struct guest_mmu m;
	uint64_t gpa;

	if (vcpu_mmu(g, v, &m, &s) ||
	    guest_mmu_translate(&m, s.cs.base + pc, &gpa, NULL) ||
	    gpa >= m.ram_size || m.ram[gpa] != GDB_BP_INT3 ||
	    ioctl(v->fd, VTXHV_GET_REGS, &r))
		return;
	r.rip = pc + 1;
	s.pending_event = 3 | 3 << 8 | 1U << 31;	/* #BP, hardware */
	if (ioctl(v->fd, VTXHV_SET_REGS, &r) ||
	    ioctl(v->fd, VTXHV_SET_SREGS, &s))
		fprintf(stderr, "%s run: gdb: vCPU %u: cannot give the guest its own INT3 at %#llx: %s\n",
			progname, v->id, (unsigned long long)pc,
			strerror(errno));
}

static bool int3_is_ours(struct gdb_stub *g, struct vcpu *v, uint64_t pc)
{
	struct vtxhv_sregs s = { 0 };
	struct guest_mmu m;
	uint64_t gpa;

	return !vcpu_mmu(g, v, &m, &s) &&
	       !guest_mmu_translate(&m, s.cs.base + pc, &gpa, NULL) &&
	       gdb_bp_sw_at(&g->bps, gpa);
}

/* VTXHV_EXIT_DEBUG in the vCPU's thread: note it, stop all, park. */
void gdb_vcpu_debug(struct vcpu *v)
{
	struct gdb_stub *g = v->vm->gdb;
	struct gdb_vcpu *c;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	c = &g->cpu[v->id];
	if (!g->session || g->detaching) {
		/* Left over from a debugger that is gone: run on. */
	} else if (v->run->debug.exception == 3 &&
		   !int3_is_ours(g, v, v->run->debug.pc)) {
		give_back_int3(g, v, v->run->debug.pc);
	} else {
		c->has_event = true;
		c->seq = ++g->seq;
		c->exception = v->run->debug.exception;
		c->pc = v->run->debug.pc;
		c->dr6 = v->run->debug.dr6;
		if (!g->want_stop)
			gdb_request_stop(g);
		park(g, v);
	}
	pthread_mutex_unlock(&g->lock);
}

static int get_regs(void *ctx, int thread, struct gdb_x86_regs *r)
{
	struct gdb_stub *g = ctx;
	struct vcpu *v = thread_vcpu(g, thread);
	struct vtxhv_sregs s;
	struct vtxhv_regs x;

	if (!v)
		return -ESRCH;
	if (ioctl(v->fd, VTXHV_GET_REGS, &x) ||
	    ioctl(v->fd, VTXHV_GET_SREGS, &s))
		return -errno;
	r->rax = x.rax, r->rbx = x.rbx, r->rcx = x.rcx, r->rdx = x.rdx;
	r->rsi = x.rsi, r->rdi = x.rdi, r->rbp = x.rbp, r->rsp = x.rsp;
	r->r8 = x.r8, r->r9 = x.r9, r->r10 = x.r10, r->r11 = x.r11;
	r->r12 = x.r12, r->r13 = x.r13, r->r14 = x.r14, r->r15 = x.r15;
	r->rip = x.rip;
	r->eflags = x.rflags;
	r->cs = s.cs.selector, r->ss = s.ss.selector, r->ds = s.ds.selector;
	r->es = s.es.selector, r->fs = s.fs.selector, r->gs = s.gs.selector;
	r->fs_base = s.fs.base;
	r->gs_base = s.gs.base;
	/* x87 and SSE: zero where the module has no VTXHV_GET_FPU. */
	if (g->vm->extensions & VTXHV_EXT_FPU) {
		struct vtxhv_fpu f;

		if (ioctl(v->fd, VTXHV_GET_FPU, &f))
			return -errno;
		gdb_rsp_fpu_from_fxsave(r, f.fxsave);
	}
	r->cr0 = s.cr0, r->cr2 = s.cr2, r->cr3 = s.cr3, r->cr4 = s.cr4;
	r->cr8 = s.cr8, r->efer = s.efer;
	return 0;
}

/*
 * A data segment register or SS that gdb wrote, loaded as a MOV to it
 * would load it (SDM Vol. 3, 3.4.5 and 5.5): in real and virtual-8086 mode
 * the base is the selector times 16; otherwise the descriptor comes from
 * the GDT through the guest's page tables, present, a data segment (or a
 * readable code segment, not for SS), DPL not below CPL and RPL (equal
 * for SS, writable), and is marked accessed as the CPU does; a null
 * selector leaves DS, ES, FS and GS unusable (SS too in 64-bit mode).
 * LDT selectors are refused: -EPERM, as for what the CPU would #GP on.
 */
static int load_segment(const struct guest_mmu *m,
			const struct vtxhv_sregs *s, uint64_t rflags,
			struct vtxhv_segment *seg, uint16_t sel, bool is_ss)
{
	unsigned int cpl = s->ss.dpl, rpl = sel & 3;
	uint8_t d[8];
	uint32_t lo, hi;

	if (!(s->cr0 & 1) || (rflags & (1U << 17))) {
		seg->selector = sel;
		seg->base = (uint64_t)sel << 4;
		return 0;
	}
	if (!(sel & ~3)) {
		if (is_ss && (!s->cs.l || rpl != cpl))
			return -EPERM;
		seg->selector = sel;
		seg->unusable = 1;
		return 0;
	}
	if ((sel & 4) || (sel | 7) > s->gdt.limit ||
	    guest_mmu_read(m, s->gdt.base + (sel & ~7), d, sizeof(d)))
		return -EPERM;
	memcpy(&lo, d, 4);
	memcpy(&hi, d + 4, 4);
	if (!(hi & (1U << 12)) || !(hi & (1U << 15)))
		return -EPERM;			/* system, or not present */
	seg->type = ((hi >> 8) & 0xf) | 1;	/* accessed */
	seg->dpl = (hi >> 13) & 3;
	if (is_ss ? (seg->type & 0xa) != 2 || rpl != cpl || seg->dpl != cpl :
	    ((seg->type & 0xa) == 8 ||		/* execute-only code */
	     ((seg->type & 0xc) != 0xc &&	/* unless conforming code */
	      seg->dpl < (cpl > rpl ? cpl : rpl))))
		return -EPERM;
	seg->selector = sel;
	seg->base = (lo >> 16) | (hi & 0xff) << 16 | (hi & 0xff000000);
	seg->limit = (lo & 0xffff) | (hi & 0xf0000);
	seg->g = (hi >> 23) & 1;
	if (seg->g)
		seg->limit = seg->limit << 12 | 0xfff;
	seg->s = 1;
	seg->present = 1;
	seg->avl = (hi >> 20) & 1;
	seg->l = (hi >> 21) & 1;
	seg->db = (hi >> 22) & 1;
	seg->unusable = 0;
	return 0;
}

/*
 * Set what changed: the general registers, RIP and EFLAGS (its low 32
 * bits) with SET_REGS; data segment selectors (load_segment()), segment
 * bases and control registers with SET_SREGS, which vtxhv checks; x87 and
 * SSE with SET_FPU.  CS cannot be set (it is the CPL, and a far jump's),
 * nor x87/SSE state where the module has no VTXHV_SET_FPU: -EPERM.
 */
static int set_regs(void *ctx, int thread, const struct gdb_x86_regs *r)
{
	struct gdb_stub *g = ctx;
	struct vcpu *v = thread_vcpu(g, thread);
	struct gdb_x86_regs old;
	bool fpu_changed, sregs_changed = false;
	struct vtxhv_sregs s;
	struct vtxhv_regs x;
	struct guest_mmu m;
	const struct {
		const uint32_t *new, *old;
		struct vtxhv_segment *seg;
	} segs[] = {
		{ &r->ss, &old.ss, &s.ss }, { &r->ds, &old.ds, &s.ds },
		{ &r->es, &old.es, &s.es }, { &r->fs, &old.fs, &s.fs },
		{ &r->gs, &old.gs, &s.gs },
	};
	int i;
	size_t fpu = offsetof(struct gdb_x86_regs, st),
	       fpu_end = offsetof(struct gdb_x86_regs, cr0);
	int ret;

	memset(&old, 0, sizeof(old));
	ret = get_regs(ctx, thread, &old);
	if (ret)
		return ret;
	fpu_changed = memcmp((char *)r + fpu, (char *)&old + fpu,
			     fpu_end - fpu);
	if ((fpu_changed && !(g->vm->extensions & VTXHV_EXT_FPU)) ||
	    r->cs != old.cs)
		return -EPERM;
	if (ioctl(v->fd, VTXHV_GET_REGS, &x))
		return -errno;
	ret = vcpu_mmu(g, v, &m, &s);
	if (ret)
		return ret;
	for (i = 0; i < 5; i++) {
		if (*segs[i].new == *segs[i].old)
			continue;
		if (*segs[i].new > 0xffff)
			return -EINVAL;
		ret = load_segment(&m, &s, x.rflags, segs[i].seg,
				   *segs[i].new, segs[i].seg == &s.ss);
		if (ret)
			return ret;
		sregs_changed = true;
	}
	if (memcmp(r, &old, offsetof(struct gdb_x86_regs, cs))) {
		x.rax = r->rax, x.rbx = r->rbx, x.rcx = r->rcx, x.rdx = r->rdx;
		x.rsi = r->rsi, x.rdi = r->rdi, x.rbp = r->rbp, x.rsp = r->rsp;
		x.r8 = r->r8, x.r9 = r->r9, x.r10 = r->r10, x.r11 = r->r11;
		x.r12 = r->r12, x.r13 = r->r13, x.r14 = r->r14;
		x.r15 = r->r15;
		x.rip = r->rip;
		x.rflags = (x.rflags & ~0xffffffffULL) | r->eflags;
		if (ioctl(v->fd, VTXHV_SET_REGS, &x))
			return -errno;
	}
	if (sregs_changed || r->fs_base != old.fs_base ||
	    r->gs_base != old.gs_base ||
	    memcmp(&r->cr0, &old.cr0, sizeof(*r) -
		   offsetof(struct gdb_x86_regs, cr0))) {
		/* A selector loaded gives its base, unless gdb set one. */
		if (r->fs_base != old.fs_base)
			s.fs.base = r->fs_base;
		if (r->gs_base != old.gs_base)
			s.gs.base = r->gs_base;
		s.cr0 = r->cr0, s.cr2 = r->cr2, s.cr3 = r->cr3;
		s.cr4 = r->cr4, s.cr8 = r->cr8, s.efer = r->efer;
		if (ioctl(v->fd, VTXHV_SET_SREGS, &s))
			return -errno;
	}
	if (fpu_changed) {
		struct vtxhv_fpu f;

		if (ioctl(v->fd, VTXHV_GET_FPU, &f))
			return -errno;
		gdb_rsp_fpu_to_fxsave(r, f.fxsave);
		if (ioctl(v->fd, VTXHV_SET_FPU, &f))
			return -errno;
	}
	return 0;
}

static int read_mem(void *ctx, int thread, uint64_t gva, void *buf,
		    size_t len)
{
	struct gdb_stub *g = ctx;
	struct guest_mmu m;
	int ret = vcpu_mmu(g, thread_vcpu(g, thread), &m, NULL);

	return ret ? ret : gdb_bp_read(&g->bps, &m, gva, buf, len);
}

static int write_mem(void *ctx, int thread, uint64_t gva, const void *buf,
		     size_t len)
{
	struct gdb_stub *g = ctx;
	struct guest_mmu m;
	int ret = vcpu_mmu(g, thread_vcpu(g, thread), &m, NULL);

	return ret ? ret : gdb_bp_write(&g->bps, &m, gva, buf, len);
}

/* Software breakpoints go in through the page tables of Hg's vCPU. */
static int set_bp(void *ctx, int type, uint64_t addr, int kind, bool insert)
{
	struct gdb_stub *g = ctx;
	struct guest_mmu m;
	int thread = g->rsp.g_thread > 0 ? g->rsp.g_thread :
					   g->rsp.stop_thread;
	int ret;

	if (type != GDB_BP_SW)
		return insert ? gdb_bp_hw_insert(&g->bps, type, addr, kind) :
				gdb_bp_hw_remove(&g->bps, type, addr, kind);
	ret = vcpu_mmu(g, thread_vcpu(g, thread), &m, NULL);
	if (ret)
		return ret;
	return insert ? gdb_bp_sw_insert(&g->bps, &m, addr) :
			gdb_bp_sw_remove(&g->bps, &m, addr);
}

/* Applied once gdb_rsp_input() returns: see apply_resume(). */
static int resume(void *ctx, const enum gdb_resume_action *action)
{
	struct gdb_stub *g = ctx;
	unsigned int i;

	for (i = 0; i < g->vm->ncpus; i++)
		g->cpu[i].action = action[i];
	g->resume_pending = true;
	return 0;
}

/* ^C: also right after a resume in the same read, not yet applied. */
static int interrupt(void *ctx)
{
	struct gdb_stub *g = ctx;

	if (!g->rsp.running)
		return 0;
	g->interrupted = true;
	if (g->state == ST_RUNNING)
		gdb_request_stop(g);
	return 0;
}

static int kill_guest(void *ctx)
{
	((struct gdb_stub *)ctx)->kill_pending = true;
	return 0;
}

static void send_bytes(void *ctx, const char *buf, size_t len)
{
	struct gdb_stub *g = ctx;
	ssize_t n;

	while (len && g->conn_fd >= 0) {
		n = send(g->conn_fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* gone: the read side sees it */
		buf += n;
		len -= n;
	}
}

const struct gdb_target_ops gdb_stub_ops = {
	.get_regs = get_regs,
	.set_regs = set_regs,
	.read_mem = read_mem,
	.write_mem = write_mem,
	.set_bp = set_bp,
	.resume = resume,
	.interrupt = interrupt,
	.kill = kill_guest,
	.send = send_bytes,
};
