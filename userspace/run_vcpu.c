// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPUs of vtxctl run: each is set up (CPUID, registers), then its
 * loop, in its own thread (run_threads.c), enters the guest with VTXHV_RUN
 * and handles the exits the module passes out (port I/O and MMIO to the
 * devices, HLT, interrupt windows) until it halts or the run ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "cpuid.h"
#include "run.h"
#include "x86.h"

/*
 * An AP of the ACPI wake-up mailbox (acpi.h): in long mode in the
 * firmware's loop (boot_regs.c), its APIC ID the vCPU index as the MADT
 * numbers them, and runnable now rather than waiting for a SIPI.
 */
static int setup_mailbox_ap(struct vcpu *v)
{
	struct vtxhv_mp_state mp = { .mp_state = VTXHV_MP_STATE_RUNNABLE };
	struct vtxhv_sregs s;
	struct vtxhv_regs r;

	if (ioctl(v->fd, VTXHV_GET_SREGS, &s))
		return setup_error(errno, "VTXHV_GET_SREGS");
	mp_wakeup_regs(&s, &r, v->id);
	if (ioctl(v->fd, VTXHV_SET_SREGS, &s))
		return setup_error(errno, "VTXHV_SET_SREGS (vCPU %u)", v->id);
	if (ioctl(v->fd, VTXHV_SET_REGS, &r))
		return setup_error(errno, "VTXHV_SET_REGS (vCPU %u)", v->id);
	if (ioctl(v->fd, VTXHV_SET_MP_STATE, &mp))
		return setup_error(errno, "VTXHV_SET_MP_STATE (vCPU %u)",
				   v->id);
	return 0;
}

int setup_vcpu(struct vm *vm, struct vcpu *v)
{
	struct {
		struct vtxhv_cpuid c;
		struct vtxhv_cpuid_entry e[VTXHV_MAX_CPUID_ENTRIES];
	} cpuid;
	struct vtxhv_sregs s;
	struct vtxhv_regs r;
	void *run;

	v->fd = ioctl(vm->fd, VTXHV_CREATE_VCPU, (unsigned long)v->id);
	if (v->fd < 0 && errno == EOPNOTSUPP && v->id &&
	    vm->paging != VTXHV_PAGING_EPT) {
		fprintf(stderr, "%s run: --cpus %u: this vtxhv runs one vCPU per VM with %s paging: use --cpus 1, or --paging ept\n",
			progname, vm->ncpus, paging_name(vm->paging));
		return EXIT_SETUP;
	}
	if (v->fd < 0)
		return setup_error(errno, "VTXHV_CREATE_VCPU %u", v->id);
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   v->fd, 0);
	if (run == MAP_FAILED)
		return setup_error(errno, "mapping the run page of vCPU %u",
				   v->id);
	v->run = run;

	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.c.nent = build_cpuid(cpuid.e, v->id, vm->extensions);
	if (vm->irqchip)
		cpuid_give_apic(cpuid.e, cpuid.c.nent, true);
	if (ioctl(v->fd, VTXHV_SET_CPUID, &cpuid))
		return setup_error(errno, "VTXHV_SET_CPUID");

	/*
	 * With the irqchip, APs start at a SIPI, in the kernel's reset state,
	 * or wait in the wake-up mailbox's loop.
	 */
	if (vm->irqchip && v->id)
		return vm->fw.mp_wakeup ? setup_mailbox_ap(v) : 0;
	if (ioctl(v->fd, VTXHV_GET_SREGS, &s))
		return setup_error(errno, "VTXHV_GET_SREGS");
	boot_sregs(&s, &vm->res, vm->gdt);
	if (ioctl(v->fd, VTXHV_SET_SREGS, &s))
		return setup_error(errno, "VTXHV_SET_SREGS (%s mode)",
				   guest_mode_name(vm->res.mode));

	boot_regs(&r, &vm->res, v->id, vm->ncpus);
	if (ioctl(v->fd, VTXHV_SET_REGS, &r))
		return setup_error(errno, "VTXHV_SET_REGS");
	return 0;
}

/* ---- The run loop ------------------------------------------------------- */

/* Ask for an exit when the guest can take an interrupt, or not. */
static void request_window(struct vcpu *v, bool window)
{
	v->window = window;
	v->run->request_interrupt_window = window;
}

/*
 * Give the guest the PIC's interrupt: acknowledge it and queue it for the
 * next entry; the window for the one after, if any.  Returns the exit
 * status if that failed, else -1.  Under dev_lock.  Out of line: most
 * entries have none to give.
 */
static __attribute__((noinline)) int inject_interrupt_locked(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_interrupt irq = { 0 };
	int status = -1;

	irq.vector = pic_ack(&vm->devs.pic);
	if (irq.vector < 16) {
		/* Exception vectors: a guest that programmed its
		 * PIC so cannot get them. */
		if (!vm->warned_vector)
			fprintf(stderr,
				"%s run: the guest programmed the PIC with vector %u, which is an exception vector: its interrupts are dropped\n",
				progname, irq.vector);
		vm->warned_vector = true;
	} else if (ioctl(v->fd, VTXHV_INTERRUPT, &irq)) {
		fprintf(stderr,
			"%s run: vCPU %u: VTXHV_INTERRUPT vector %u: %s\n",
			progname, v->id, irq.vector, strerror(errno));
		status = RUN_INTERNAL_ERROR;
	} else {
		v->injected++;
		v->queued = true;
	}
	request_window(v, pic_pending_vector(&vm->devs.pic) >= 0);
	return status;
}

/*
 * Before each entry of vCPU 0: take the PIC's interrupt if the guest can
 * take one now (ready_for_interrupt_injection, from the last exit), else
 * ask for an exit when it can (request_interrupt_window).  Under dev_lock,
 * the PIT's edges delivered (dev_irq_clocks()).
 */
static inline int prepare_interrupts_locked(struct vcpu *v)
{
	int vec;

	v->kicked = false;
	vec = pic_pending_vector(&v->vm->devs.pic);
	/*
	 * ready_for_interrupt_injection is from the last exit.  A VTXHV_RUN
	 * that a kick stopped before it entered the guest updates nothing:
	 * after queueing one, trust the flag again only after a real exit
	 * (the window exit says when the queued one is in).
	 */
	if (vec >= 0 && v->run->ready_for_interrupt_injection && !v->queued)
		return inject_interrupt_locked(v);
	request_window(v, vec >= 0);
	return -1;
}

/* After an exit that has not taken dev_lock (a kick, a window, HLT). */
static int prepare_interrupts(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int status;

	dev_lock(&vm->dev_lock);
	advance_clocks_locked(vm, dev_irq_clocks(&vm->devs));
	status = prepare_interrupts_locked(v);
	dev_unlock(&vm->dev_lock);
	return status;
}

/*
 * A port or MMIO exit takes dev_lock once, for the access and, on vCPU 0,
 * for the interrupts of the next entry too (exit_unlock()); it reads a
 * clock only where the device or the PIC can tell (dev_*_clocks()).
 * vCPU 0's kick is cleared before the lock, as the loop clears it before
 * prepare_interrupts(): a kick after the preparation stays set, and the
 * next VTXHV_RUN returns at once.
 */
static void exit_lock(struct vcpu *v)
{
	if (v->id == 0)
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	dev_lock(&v->vm->dev_lock);
}

/*
 * The clocks vCPU 0's MMIO exit reads for the PIC, beyond its access's
 * (a port exit's, dev_pio_clocks(), include the PIC's for every vCPU).
 */
static unsigned int exit_irq_clocks(const struct vcpu *v)
{
	return v->id == 0 ? dev_irq_clocks(&v->vm->devs) : 0;
}

/*
 * On vCPU 0, unless the run ends: the interrupts of the next entry, under
 * the same dev_lock (*prepared tells the loop).  Returns the status.
 */
static int exit_unlock(struct vcpu *v, int status, bool *prepared)
{
	struct vm *vm = v->vm;

	if (v->id == 0 && status < 0 && !vm->stopping) {
		status = prepare_interrupts_locked(v);
		*prepared = true;
	}
	dev_unlock(&vm->dev_lock);
	return status;
}

/* Off the exit path: the module and vtxctl disagree on the run page. */
static __attribute__((cold, noinline)) int bad_io(const struct vcpu *v)
{
	const struct vtxhv_run *run = v->run;

	fprintf(stderr,
		"%s run: vCPU %u: malformed I/O exit: port %#x size %u count %u data offset %#llx\n",
		progname, v->id, run->io.port, run->io.size, run->io.count,
		(unsigned long long)run->io.data_offset);
	return RUN_INTERNAL_ERROR;
}

/*
 * An element of 1, 2 or 4 bytes in the run page's data area, zero-extended
 * as dev_pio() takes it, and back: one load or store each, where a
 * memcpy() of a variable size is a call or a loop.
 */
static inline uint32_t io_get(const uint8_t *p, unsigned int size)
{
	uint16_t w;
	uint32_t l;

	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&w, p, 2);
		return w;
	default:
		memcpy(&l, p, 4);
		return l;
	}
}

static inline void io_put(uint8_t *p, unsigned int size, uint32_t val)
{
	uint16_t w = val;

	switch (size) {
	case 1:
		*p = val;
		break;
	case 2:
		memcpy(p, &w, 2);
		break;
	default:
		memcpy(p, &val, 4);
		break;
	}
}

/* One element of a port exit, at p: for IN, its value goes back there. */
static inline bool io_element(struct devices *d, uint16_t port,
			      unsigned int size, bool out, uint8_t *p)
{
	uint32_t val = out ? io_get(p, size) : 0;
	bool ended = dev_pio(d, port, size, out, &val);

	if (!out)
		io_put(p, size, val);
	return ended;
}

/* A string instruction's elements in turn, until one ends the run. */
static __attribute__((noinline)) bool io_string(struct devices *d,
						uint16_t port,
						unsigned int size, bool out,
						uint8_t *data,
						unsigned int count)
{
	bool ended = false;
	unsigned int i;

	for (i = 0; i < count && !ended; i++)
		ended = io_element(d, port, size, out, data + i * size);
	return ended;
}

/*
 * Port I/O: each element of a string instruction (count > 1) in turn, from
 * or to the data area in the run page.  Returns the exit status if the
 * access ended the run, else -1.  The exit's fields are read once, checked
 * before they are used.
 */
static int handle_io(struct vcpu *v, bool *prepared)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	unsigned int size = run->io.size, count = run->io.count;
	uint16_t port = run->io.port;
	uint64_t off = run->io.data_offset;
	uint8_t *data = (uint8_t *)run + off;
	bool out = run->io.direction == VTXHV_IO_OUT, ended;
	int status = -1;

	if ((size != 1 && size != 2 && size != 4) ||
	    off > (uint64_t)vm->run_size ||
	    (uint64_t)count * size > vm->run_size - off)
		return bad_io(v);
	exit_lock(v);
	/* The PIC's clock included: exit_irq_clocks() would add nothing. */
	advance_clocks_locked(vm, dev_pio_clocks(&vm->devs, port));
	/* One element, nearly always: no loop to set up. */
	if (count == 1)
		ended = io_element(&vm->devs, port, size, out, data);
	else
		ended = io_string(&vm->devs, port, size, out, data, count);
	/* A reset or an ACPI power-off stops every vCPU, with status 0. */
	if (ended)
		status = vm->devs.reset_requested ||
			 vm->devs.poweroff_requested ? RUN_RESET :
						       vm->devs.exit_status;
	/* The PIT was programmed: the timer thread's deadline moves. */
	if (out && port >= PIT_PORT_CH0 && port <= PIT_PORT_CMD)
		dev_cond_broadcast(&vm->dev_cond);
	status = exit_unlock(v, status, prepared);
	if (status == RUN_RESET && vm->devs.reset_requested)
		fprintf(stderr,
			"%s run: vCPU %u: the guest reset the machine (8042 command 0xfe): the run ends\n",
			progname, v->id);
	return status;
}

static int handle_mmio(struct vcpu *v, bool *prepared)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	unsigned int len = run->mmio.len;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		fprintf(stderr,
			"%s run: vCPU %u: malformed MMIO exit: address %#llx length %u\n",
			progname, v->id,
			(unsigned long long)run->mmio.phys_addr, len);
		return RUN_INTERNAL_ERROR;
	}
	exit_lock(v);
	advance_clocks_locked(vm, dev_mmio_clocks(&vm->devs,
						  run->mmio.phys_addr) |
				  exit_irq_clocks(v));
	dev_mmio(&vm->devs, run->mmio.phys_addr, len, run->mmio.is_write,
		 run->mmio.data);
	return exit_unlock(v, -1, prepared);
}

/*
 * HLT with IF = 0 and the in-kernel irqchip, where an INIT or NMI can still
 * wake the vCPU (the next VTXHV_RUN sleeps until then): the run ends, with
 * status 0, when every vCPU is halted so.
 */
static int halt_off(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool all;

	pthread_mutex_lock(&vm->lock);
	if (!v->halted_off) {
		v->halted_off = true;
		vm->halted_off++;
	}
	all = vm->halted_off == vm->ncpus;
	pthread_mutex_unlock(&vm->lock);
	return all ? RUN_RESET : -1;
}

/*
 * HLT: the end of this vCPU with IF = 0.  With IF = 1, vCPU 0 sleeps
 * until the PIC has an interrupt for it (the next PIT edge, a byte on the
 * UART) or the run ends: no host CPU is used while the guest idles.  Other
 * vCPUs, which no interrupt can reach (there is no APIC), and vCPU 0
 * before the guest has initialised the PIC pause 1 ms and resume.
 */
static int handle_hlt(struct vcpu *v)
{
	static const struct timespec ms = { 0, 1000000 };
	struct vm *vm = v->vm;
	struct vtxhv_regs r;
	struct timespec ts;
	uint64_t deadline;

	if (ioctl(v->fd, VTXHV_GET_REGS, &r)) {
		fprintf(stderr, "%s run: vCPU %u: VTXHV_GET_REGS: %s\n",
			progname, v->id, strerror(errno));
		return RUN_INTERNAL_ERROR;
	}
	if (!(r.rflags & X86_EFLAGS_IF))
		return vm->irqchip ? halt_off(v) : RUN_HALTED;
	dev_lock(&vm->dev_lock);
	if (v->id != 0 || !vm->devs.pic.chip[0].ready) {
		dev_unlock(&vm->dev_lock);
		nanosleep(&ms, NULL);
		return -1;
	}
	fflush(stdout);		/* the guest waits: show what it wrote */
	v->halted = true;
	while (!vm->stopping && !gdb_stop_wanted(vm)) {
		advance_locked(vm);
		if (pic_pending_vector(&vm->devs.pic) >= 0)
			break;
		deadline = dev_next_deadline(&vm->devs);
		ts = abs_time(vm, deadline);
		dev_cond_wait(&vm->dev_cond, &vm->dev_lock, &ts);
	}
	v->halted = false;
	dev_unlock(&vm->dev_lock);
	return -1;
}

/*
 * Every exit but port I/O: returns the exit status if it ended the run,
 * else -1.  Out of line, so that the loop around the port exits, most of
 * them, stays small.
 */
static __attribute__((noinline)) int handle_exit(struct vcpu *v,
						 uint32_t reason,
						 bool *prepared)
{
	struct vtxhv_run *run = v->run;

	switch (reason) {
	case VTXHV_EXIT_MMIO:
		return handle_mmio(v, prepared);
	case VTXHV_EXIT_HLT:
		return handle_hlt(v);
	case VTXHV_EXIT_HYPERCALL:
		/* No hypercalls are defined yet. */
		run->hypercall.ret = (uint64_t)-ENOSYS;
		return -1;
	case VTXHV_EXIT_INTR:
	case VTXHV_EXIT_IRQ_WINDOW_OPEN:
		return -1;	/* prepare_interrupts() does the rest */
	case VTXHV_EXIT_DEBUG:
		gdb_vcpu_debug(v);
		return -1;
	case VTXHV_EXIT_SHUTDOWN:
		fprintf(stderr,
			"%s run: vCPU %u: triple fault (shutdown) at rip %#llx\n",
			progname, v->id, (unsigned long long)run->stop.rip);
		dump_registers(v);
		return RUN_TRIPLE_FAULT;
	case VTXHV_EXIT_FAIL_ENTRY:
		report_fail_entry(v);
		return RUN_ENTRY_FAILED;
	case VTXHV_EXIT_INTERNAL_ERROR:
		report_internal_error(v);
		return RUN_INTERNAL_ERROR;
	default:
		fprintf(stderr,
			"%s run: vCPU %u: unknown exit reason %u from vtxhv: is vtxctl older than the module?\n",
			progname, v->id, reason);
		return RUN_INTERNAL_ERROR;
	}
}

/* Run one vCPU until it halts or the run ends; returns its status. */
int vcpu_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vtxhv_run *run = v->run;
	bool prepared = false;	/* by the exit handler (exit_unlock()) */
	uint32_t reason;
	int status;

	for (;;) {
		/*
		 * A kick sets immediate_exit; clear it, then look at
		 * stopping: stop_all() sets stopping before immediate_exit,
		 * so a stop is never lost between the two.  A port or MMIO
		 * exit of vCPU 0 has cleared it already (exit_lock()).
		 */
		if (!prepared)
			__atomic_store_n(&run->immediate_exit, 0,
					 __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST))
			return RUN_STOPPED;
		if (vm->gdb)	/* --gdb; fixed while the vCPUs run */
			gdb_vcpu_entry(v);
		if (v->id == 0 && !prepared) {
			status = prepare_interrupts(v);
			if (status >= 0)
				return status;
		}
		prepared = false;
		if (ioctl(v->fd, VTXHV_RUN, 0)) {
			if (errno == EINTR) {
				v->exits[VTXHV_EXIT_INTR]++;
				gdb_vcpu_intr(v);
				continue;
			}
			fprintf(stderr, "%s run: vCPU %u: VTXHV_RUN: %s\n",
				progname, v->id, strerror(errno));
			return RUN_INTERNAL_ERROR;
		}
		reason = run->exit_reason;
		v->exits[reason < EXIT_OTHER ? reason : EXIT_OTHER]++;
		if (v->halted_off && reason != VTXHV_EXIT_HLT) {
			pthread_mutex_lock(&vm->lock);
			v->halted_off = false;
			vm->halted_off--;
			pthread_mutex_unlock(&vm->lock);
		}
		v->queued = false;	/* the run page is up to date */
		if (reason == VTXHV_EXIT_IO)
			status = handle_io(v, &prepared);
		else
			status = handle_exit(v, reason, &prepared);
		if (status >= 0)
			return status;
	}
}
