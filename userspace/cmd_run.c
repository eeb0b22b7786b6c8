// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl run: create a VM, load an image into its RAM (loader.c), run each
 * vCPU in its own thread (run_vcpu.c), and emulate the devices of
 * devices.c until the guest stops.  This file holds the options, the
 * image and the GDT page, and the VM's life cycle; run.h lists the others.
 *
 * Guest RAM is one slot of --mem bytes at guest-physical 0, an anonymous
 * mapping.  The registers a vCPU starts with are in boot_regs.c.
 *
 * The GDT of protected and long mode lives in one 4 KiB page of guest RAM:
 * null, 0x08 code (32- or 64-bit), 0x10 data, 0x18 a busy TSS whose 104
 * zero bytes are in the same page, at offset 0x80.  The page is the first
 * one from 0xA0000 up (the 640 KiB - 1 MiB hole the multiboot memory map
 * leaves out, so that a multiboot kernel does not reuse it) that the image,
 * the page tables, the multiboot information, the module and the stack
 * area leave free; failing that, the first free page from 4 KiB up.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "acpi.h"
#include "gdb_listen.h"
#include "run.h"
#include "term.h"
#include "x86.h"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PAGE_SIZE	4096ULL

#define DEFAULT_MEM	(64 * MiB)
#define DEFAULT_MEM_BZIMAGE (128 * MiB)	/* Debian's 6.1 needs about 80M */

void usage_run(FILE *out)
{
	fprintf(out,
		"usage: %s run [--mem SIZE] [--cpus N] [--mode real|protected|long]\n"
		"          [--load ADDR] [--entry ADDR] [--append CMDLINE] [--initrd FILE]\n"
		"          [--paging ept|vtlb|shadow] [--ap-wakeup sipi|mailbox] [--stats]\n"
		"          [--timeout SEC] [--gdb [HOST:]PORT [--gdb-wait]] IMAGE\n\n"
		"Create a VM, load IMAGE (multiboot v1, ELF64, ELF32, a Linux bzImage or\n"
		"a flat binary) into its RAM and run it.\n\n"
		"  --mem SIZE       guest RAM at address 0 (default 64M, 128M for a bzImage;\n"
		"                   suffix K, M or G)\n"
		"  --cpus N         vCPUs, one thread each (default 1): with the irqchip,\n"
		"                   vCPU 0 starts and the others wait for INIT and SIPI\n"
		"                   (or --ap-wakeup mailbox);\n"
		"                   without, all start at the entry with EDI/RDI = the\n"
		"                   vCPU index\n"
		"  --irqchip, --no-irqchip  the in-kernel local APICs and I/O APIC, with\n"
		"                   ACPI and MP tables (default: on for a bzImage, and\n"
		"                   for multiboot with --cpus 2 or more)\n"
		"  --mode MODE      flat images: real, protected (default) or long\n"
		"  --load ADDR      flat images: where the first byte goes (default 0x7c00\n"
		"                   in real mode, else 0x100000)\n"
		"  --entry ADDR     flat images: the first instruction (default: --load)\n"
		"  --append CMDLINE multiboot, bzImage: the command line (bzImage default:\n"
		"                   \"" LOADER_BZIMAGE_CMDLINE_APIC "\",\n"
		"                   without the irqchip \"" LOADER_BZIMAGE_CMDLINE "\")\n"
		"  --initrd FILE    multiboot: module 0; bzImage: the initrd\n"
		"  --paging MODE    ept (default where offered), vtlb or shadow (shadow\n"
		"                   page tables, no real mode)\n"
		"  --ap-wakeup HOW  a bzImage with the irqchip: how vCPUs 1 and up start,\n"
		"                   sipi (by INIT and SIPI, in real mode) or mailbox (in\n"
		"                   long mode, woken through the ACPI wake-up mailbox);\n"
		"                   default sipi with ept paging, mailbox with vtlb or\n"
		"                   shadow and --cpus 2 or more\n"
		"  --stats          print the exit counts per vCPU, interrupts injected,\n"
		"                   PIT edges, wall and CPU seconds, the shadow paging\n"
		"                   counters, and each unhandled port and MMIO page\n"
		"                   once, on stderr\n"
		"  --timeout SEC    stop the guest after SEC seconds of wall-clock time\n"
		"  --gdb [HOST:]PORT  a gdb stub on TCP HOST (default 127.0.0.1) PORT,\n"
		"                   for 'target remote HOST:PORT'; one vCPU per gdb thread\n"
		"  --gdb-wait       stop before the first instruction until gdb continues\n\n"
		"Devices: 16550 UART at 0x3f8 (IRQ 4; output to stdout, input from stdin,\n"
		"a raw-mode console on a terminal), debug console at 0xe9, exit device\n"
		"at 0xf4, 8259A PICs at 0x20/0xa0, 8254 PIT at 0x40-0x43 (IRQ 0) and\n"
		"port 0x61, CMOS RTC at 0x70/0x71, 8042 reset (0xfe to port 0x64),\n"
		"fw_cfg at 0x510/0x511, ACPI PM at 0x600, PCI configuration at 0xcf8;\n"
		"with the irqchip the kernel's local APICs and I/O APIC, without it a\n"
		"local-APIC page that reads zero.  PIC interrupts go to vCPU 0.\n\n"
		"exit status: 0 every vCPU halted with interrupts disabled, or the guest\n"
		"  reset the machine through the keyboard controller or powered it off\n"
		"  through ACPI (Linux's 'poweroff' and 'reboot -f'), 2 triple fault,\n"
		"  4 VM entry failed, 6 internal error or unhandled exit, 8 gdb's kill,\n"
		"  124 --timeout expired, (V << 1) | 1 the guest wrote V to port 0xf4,\n"
		"  64 usage error, 65 image not loadable, 69 vtxhv not loaded,\n"
		"  70 the VM could not be set up, 77 permission denied.\n",
		progname);
}

/* ---- Options ---------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s run: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see '%s run --help')\n", progname);
	return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static bool parse_size(const char *s, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;
	uint64_t n;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return false;
	}
	if (shift && end[1])
		return false;
	if (n > (UINT64_MAX >> shift))
		return false;
	*v = n << shift;
	return true;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'M' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "append", required_argument, NULL, 'a' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "stats", no_argument, NULL, 's' },
		{ "paging", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "irqchip", no_argument, NULL, 'I' },
		{ "no-irqchip", no_argument, NULL, 'N' },
		{ "ap-wakeup", required_argument, NULL, 'w' },
		{ "gdb", required_argument, NULL, 'g' },
		{ "gdb-wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, host[256];
	unsigned int port;
	uint64_t n;
	int c;

	memset(o, 0, sizeof(*o));
	o->paging = -1;
	o->irqchip = -1;
	o->ap_wakeup = -1;
	o->mem = DEFAULT_MEM;
	o->cpus = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!parse_size(optarg, &o->mem) || !o->mem ||
			    o->mem % PAGE_SIZE)
				return usage_error("--mem '%s': give a positive multiple of 4 KiB, e.g. 64M",
						   optarg);
			o->has_mem = true;
			break;
		case 'c':
			if (!parse_u64(optarg, &n) || !n || n > 0xffff)
				return usage_error("--cpus '%s': give a number of vCPUs, 1 or more",
						   optarg);
			o->cpus = n;
			break;
		case 'M':
			if (!strcmp(optarg, "real"))
				o->mode = MODE_REAL;
			else if (!strcmp(optarg, "protected"))
				o->mode = MODE_PROTECTED;
			else if (!strcmp(optarg, "long"))
				o->mode = MODE_LONG;
			else
				return usage_error("--mode '%s': use real, protected or long",
						   optarg);
			break;
		case 'l':
			if (!parse_u64(optarg, &o->load))
				return usage_error("--load '%s': give an address, e.g. 0x100000",
						   optarg);
			o->has_load = true;
			break;
		case 'e':
			if (!parse_u64(optarg, &o->entry))
				return usage_error("--entry '%s': give an address, e.g. 0x100000",
						   optarg);
			o->has_entry = true;
			break;
		case 'a':
			o->append = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 's':
			o->stats = true;
			break;
		case 'p':
			for (n = VTXHV_PAGING_EPT; n <= VTXHV_PAGING_SHADOW &&
			     strcmp(optarg, paging_name(n)); n++)
				;
			if (n > VTXHV_PAGING_SHADOW)
				return usage_error("--paging '%s': use ept, vtlb or shadow",
						   optarg);
			o->paging = n;
			break;
		case 't':
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(o->timeout > 0) || o->timeout > 1e9)
				return usage_error("--timeout '%s': give a positive number of seconds",
						   optarg);
			break;
		case 'I':
		case 'N':
			o->irqchip = c == 'I';
			break;
		case 'w':
			if (!strcmp(optarg, "sipi"))
				o->ap_wakeup = AP_WAKEUP_SIPI;
			else if (!strcmp(optarg, "mailbox"))
				o->ap_wakeup = AP_WAKEUP_MAILBOX;
			else
				return usage_error("--ap-wakeup '%s': use sipi or mailbox",
						   optarg);
			break;
		case 'g':
			if (gdb_parse_addr(optarg, host, sizeof(host), &port))
				return usage_error("--gdb '%s': give [HOST:]PORT, e.g. 1234 or 0.0.0.0:1234",
						   optarg);
			o->gdb = optarg;
			break;
		case 'W':
			o->gdb_wait = true;
			break;
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (o->gdb_wait && !o->gdb)
		return usage_error("%s", "--gdb-wait waits for gdb: give --gdb too");
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ?
				   "give one IMAGE to run" :
				   "give exactly one IMAGE to run");
	o->image = argv[optind];
	return 0;
}

/* ---- Images ------------------------------------------------------------- */

/* The whole file in malloc'd memory, or NULL with a message. */
static void *read_file(const char *what, const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;	/* the file shrank */
			goto fail;
		}
		got += n;
	}
	close(fd);
	*size = got;
	return buf;
fail:
	fprintf(stderr, "%s run: cannot read the %s %s: %s\n", progname, what,
		path, strerror(errno));
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* ---- The command ------------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
int setup_error(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s run: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	return EXIT_SETUP;
}

/* A device line to the in-kernel I/O APIC (devices.h), under dev_lock. */
static void irq_line(void *opaque, unsigned int gsi, bool level)
{
	struct vm *vm = opaque;
	struct vtxhv_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, VTXHV_IRQ_LINE, &l) && !vm->warned_irq_line) {
		fprintf(stderr, "%s run: VTXHV_IRQ_LINE %u: %s\n", progname,
			gsi, strerror(errno));
		vm->warned_irq_line = true;
	}
}

/*
 * How a bzImage's APs start (--ap-wakeup): by INIT and SIPI in real mode,
 * as on a PC, or woken through the ACPI wake-up mailbox in long mode
 * (acpi.h), the default where there is no real mode, in the shadow paging
 * modes.  That needs the paging mode, which is known only now: load()
 * built the tables for SIPI, so for the mailbox they are built again with
 * the mailbox's firmware beside them (the BIOS area is theirs alone,
 * LAYOUT_FIRMWARE).  load() refused --ap-wakeup mailbox for other guests.
 */
static int choose_ap_wakeup(struct vm *vm, const struct run_opts *o)
{
	bool mailbox = o->ap_wakeup >= 0 ?
		       o->ap_wakeup == AP_WAKEUP_MAILBOX :
		       vm->paging != VTXHV_PAGING_EPT && vm->ncpus > 1 &&
		       vm->irqchip && vm->res.format == IMAGE_BZIMAGE;

	if (!mailbox)
		return 0;
	vm->fw.mp_wakeup = true;
	if (fw_build(&vm->fw, vm->ram + FW_BASE, FW_SIZE) < 0) {
		fprintf(stderr, "%s run: the firmware tables for %u vCPUs leave no room for the wake-up mailbox\n",
			progname, vm->ncpus);
		return EXIT_SETUP;
	}
	fw_write_mp_wakeup(vm->ram);
	return 0;
}

static int create_vm(struct vm *vm, const struct run_opts *o)
{
	struct vtxhv_create_vm c = { .paging = VTXHV_PAGING_EPT };
	struct vtxhv_memory_region mr;
	struct vtxhv_caps caps;
	unsigned int i;
	int ret;

	vm->dev = vtxhv_open_device();
	memset(&caps, 0, sizeof(caps));
	if (ioctl(vm->dev, VTXHV_GET_CAPS, &caps))
		return setup_error(errno, "VTXHV_GET_CAPS");
	if (o->cpus > caps.max_vcpus) {
		fprintf(stderr,
			"%s run: --cpus %u: this vtxhv runs at most %u vCPUs per VM\n",
			progname, o->cpus, caps.max_vcpus);
		return EXIT_USAGE;
	}
	if (o->paging < 0)
		c.paging = caps.paging_modes & (1U << VTXHV_PAGING_EPT) ?
			   VTXHV_PAGING_EPT : VTXHV_PAGING_SHADOW;
	else
		c.paging = o->paging;
	if (!(caps.paging_modes & (1U << c.paging))) {
		fprintf(stderr,
			"%s run: this vtxhv cannot run guests with %s paging (paging modes %#x)%s\n",
			progname, paging_name(c.paging), caps.paging_modes,
			c.paging == VTXHV_PAGING_EPT ?
			": the CPU lacks EPT, or the module was loaded with force_shadow=1" : "");
		return EXIT_SETUP;
	}
	/* Shadow paging: no unrestricted guest for real mode. */
	if (c.paging != VTXHV_PAGING_EPT && vm->res.mode == MODE_REAL) {
		fprintf(stderr, "%s run: --paging %s: a real-mode guest needs EPT paging\n",
			progname, paging_name(c.paging));
		return EXIT_USAGE;
	}
	vm->paging = c.paging;
	vm->extensions = caps.extensions;
	ret = choose_ap_wakeup(vm, o);
	if (ret)
		return ret;
	if (vm->irqchip) {
		if (!(caps.extensions & VTXHV_EXT_IRQCHIP)) {
			fprintf(stderr,
				"%s run: this vtxhv has no in-kernel irqchip: run with --no-irqchip\n",
				progname);
			return EXIT_SETUP;
		}
		c.flags = VTXHV_VM_IRQCHIP;
	}
	vm->fd = ioctl(vm->dev, VTXHV_CREATE_VM, &c);
	if (vm->fd < 0)
		return setup_error(errno, "VTXHV_CREATE_VM");
	if (vm->irqchip) {
		vm->devs.irq_line = irq_line;
		vm->devs.irq_opaque = vm;
	}
	mr = (struct vtxhv_memory_region){
		.slot = 0, .guest_phys_addr = 0, .size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->fd, VTXHV_SET_MEMORY_REGION, &mr))
		return setup_error(errno, "VTXHV_SET_MEMORY_REGION (%llu bytes)",
				   (unsigned long long)vm->ram_size);
	vm->run_size = ioctl(vm->dev, VTXHV_GET_RUN_SIZE, 0);
	if (vm->run_size < (long)sizeof(struct vtxhv_run))
		return setup_error(errno, "VTXHV_GET_RUN_SIZE");

	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return setup_error(errno, "allocating %u vCPUs", vm->ncpus);
	for (i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		vm->vcpus[i].fd = -1;
		ret = setup_vcpu(vm, &vm->vcpus[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Read the image (and initrd) and place them in freshly mapped RAM. */
static int load(struct vm *vm, const struct run_opts *o)
{
	struct load_opts lo = {
		.load_addr = o->load, .entry = o->entry,
		.has_load = o->has_load, .has_entry = o->has_entry,
		.mode = o->mode, .cmdline = o->append,
		.initrd_name = o->initrd,
	};
	char err[512];
	void *image, *initrd = NULL;
	size_t image_size, initrd_size = 0;
	enum image_format fmt = IMAGE_FLAT;
	int ret = 0;

	image = read_file("image", o->image, &image_size);
	if (!image)
		return EXIT_IMAGE;
	if (o->initrd) {
		initrd = read_file("initrd", o->initrd, &initrd_size);
		if (!initrd) {
			free(image);
			return EXIT_IMAGE;
		}
		lo.initrd = initrd;
		lo.initrd_size = initrd_size;
	}
	/* A Linux kernel gets enough RAM to boot unless told otherwise. */
	if (detect_image(image, image_size, &fmt))
		fmt = IMAGE_FLAT;
	if (!o->has_mem && fmt == IMAGE_BZIMAGE) {
		vm->ram_size = DEFAULT_MEM_BZIMAGE;
		vm->devs.ram_size = vm->ram_size;
	}
	/*
	 * The in-kernel irqchip, and the firmware tables that describe it,
	 * for the guests that start as a PC does: Linux, and SMP multiboot
	 * kernels.  vCPU 0 boots, the others wait for INIT and SIPI.
	 */
	vm->irqchip = o->irqchip >= 0 ? o->irqchip :
		      fmt == IMAGE_BZIMAGE ||
		      (fmt == IMAGE_MULTIBOOT && o->cpus > 1);
	if (o->ap_wakeup == AP_WAKEUP_MAILBOX &&
	    (fmt != IMAGE_BZIMAGE || !vm->irqchip)) {
		ret = usage_error("--ap-wakeup mailbox: %s",
				  fmt != IMAGE_BZIMAGE ?
				  "only a bzImage (Linux 5.16 or later) takes the ACPI wake-up mailbox" :
				  "the mailbox is in the ACPI tables, which come with the irqchip: leave out --no-irqchip");
		goto out;
	}
	if (vm->irqchip) {
		fw_config_default(&vm->fw, vm->ncpus);
		vm->fw.ioapic_id = 0;	/* the I/O APIC's ID register reads 0 */
		lo.fw = &vm->fw;
		if (!lo.cmdline && fmt == IMAGE_BZIMAGE)
			lo.cmdline = LOADER_BZIMAGE_CMDLINE_APIC;
	}

	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		ret = setup_error(errno, "mapping %llu bytes of guest RAM",
				  (unsigned long long)vm->ram_size);
		goto out;
	}
	if (load_image(image, image_size, vm->ram, vm->ram_size, &lo,
		       &vm->res, err, sizeof(err))) {
		fprintf(stderr, "%s run: cannot load %s: %s\n", progname,
			o->image, err);
		ret = EXIT_IMAGE;
		goto out;
	}
	vm->gdt = vm->res.gdt;
out:
	free(image);
	free(initrd);
	return ret;
}

static void destroy_vm(struct vm *vm)
{
	unsigned int i;

	gdb_stub_end(vm, RUN_STOPPED);	/* a set-up that failed */
	for (i = 0; vm->vcpus && i < vm->ncpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	for (i = 0; i < 2; i++)
		if (vm->wake[i] >= 0)
			close(vm->wake[i]);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->dev >= 0)
		close(vm->dev);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct vm vm;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;

	memset(&vm, 0, sizeof(vm));
	vm.dev = vm.fd = -1;
	vm.wake[0] = vm.wake[1] = -1;
	vm.ram_size = o.mem;
	vm.ncpus = o.cpus;
	vm.status = -1;
	pthread_mutex_init(&vm.lock, NULL);
	devices_init(&vm.devs, stdout, o.stats ? stderr : NULL, o.mem,
		     o.cpus, time(NULL));

	/* The image first: its errors need no module. */
	ret = load(&vm, &o);
	if (!ret)
		ret = create_vm(&vm, &o);
	if (!ret)
		ret = gdb_stub_start(&vm, &o);
	if (!ret) {
		term_enter(TERM_RAW);
		ret = run_vcpus(&vm, &o);
		gdb_stub_end(&vm, ret);
		term_restore();
		fflush(stdout);
		if (o.stats)
			print_stats(&vm);
	}
	destroy_vm(&vm);
	return ret;
}
