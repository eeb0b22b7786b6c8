# SPDX-License-Identifier: GPL-2.0
#
# vtxhv: build the module, vtxctl and the tests; run the test suite.
#
#   make                   build everything
#   make examples          libvtxhv's examples, into build/examples
#   make check [T=NAME]    host unit tests + the tests in the Bochs test VM
#   make experiment        the shadow paging trade-off, swept and plotted
#   make KVER=6.12 ...     build (and check) for these test kernels only
#   make KDIR=/path        build the module against another kernel tree
#
# Which kernel the module is built for (docs/kernels.md):
# - KDIR given, or the running kernel has /lib/modules/$(uname -r)/build:
#   that tree, into kmod/vtxhv.ko;
# - otherwise (our build machines) each kernel of KVER, a list of releases
#   or series (default: every test series, 6.1 and 6.12), each into
#   build/kmod/RELEASE/vtxhv.ko; kmod/vtxhv.ko is the first one's.
# 'make check' then boots each of those kernels in the test VM.

comma := ,
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(origin KDIR),undefined)
ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR := $(RUNNING_KDIR)
endif
endif
ifneq ($(KDIR),)
MODULE_KVERS := $(shell . scripts/lib.sh && kdir_release $(KDIR))
else
MODULE_KVERS := $(shell . scripts/lib.sh && resolve_kernels $(subst $(comma), ,$(KVER)))
endif

all: module lib userspace tests examples

# libvtxhv (lib/, docs/library.md): built before vtxctl and the tests,
# which link it.
lib:
	$(MAKE) -C lib

module:
ifneq ($(KDIR),)
	+@scripts/build-module --kdir $(KDIR)
else
	+@scripts/build-module $(MODULE_KVERS)
endif

userspace: lib
	$(MAKE) -C userspace

tests: lib
	$(MAKE) -C tests OUTPUT=$(CURDIR)/build/tests

# libvtxhv's worked examples, into build/examples (examples/Makefile).
examples: lib
	$(MAKE) -C examples OUTPUT=$(CURDIR)/build/examples

check: all
	VTXHV_KVERS="$(MODULE_KVERS)" scripts/check $(T)

# The KVM-only symbol check (tests/host/lint/kvm_only_symbols.sh, also part
# of 'make check') on every built vtxhv.ko.
check-kvm-symbols: module
	TESTDIR=tests/host/lint tests/run_tests.sh kvm_only_symbols.sh

# vtxhv beside KVM in one boot of the test VM; HOST=1 on a real VT-x host.
bench: all
	scripts/bench $(if $(HOST),--host)

# The shadow paging trade-off over a grid of switch and page-table write
# rates (docs/shadow-paging.md): one boot of the test VM, about 4 minutes,
# not part of make check; build/experiment/ gets the CSV and charts.
experiment: all
	scripts/experiment

CLEAN_KDIR := $(or $(KDIR),$(shell . scripts/lib.sh && \
	kernel_kdir $(firstword $(MODULE_KVERS))))
clean:
	@if [ -n "$(CLEAN_KDIR)" ]; then $(MAKE) -C $(CLEAN_KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	$(MAKE) -C lib clean
	rm -rf build

.PHONY: all module lib userspace tests examples check check-kvm-symbols \
	bench experiment clean

# ---- Installing (README.md, "Installing") ----------------------------------
#
#   make install [KVER=VERSION] [PREFIX=/usr/local] [DESTDIR=DIR]
#                             the module, vtxctl, its man page, libvtxhv
#                             (library, headers, vtxhv.pc)
#   make uninstall            removes what install and install-udev put
#   make install-udev         the optional udev rule: /dev/vtxhv to group vtxhv
#   make uninstall-udev
#   make check-rt [T=NAME] [RT=SERIES]  the whole suite once on the PREEMPT_RT
#                             kernel of SERIES (default 6.12)
#   make check-smp [T=NAME]   SMP Linux guests, too long for 'make check'
#
# install copies what 'make' built and builds nothing.  The module goes to
# /lib/modules/$(KVER)/extra; KVER is the kernel 'make' built for (the
# release of $(KDIR), else the first of KVER's kernels) and must be the
# kernel of the module installed: build/kmod/$(KVER)/vtxhv.ko if 'make'
# built one for it, else kmod/vtxhv.ko.  depmod and ldconfig run unless
# DESTDIR is set (a package's own install step runs them there).

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UDEVRULESDIR ?= /etc/udev/rules.d
ifeq ($(origin KVER),undefined)
KVER := $(firstword $(MODULE_KVERS))
else ifeq ($(KDIR),)
override KVER := $(firstword $(MODULE_KVERS))
endif
INSTALL_KO := $(or $(wildcard build/kmod/$(KVER)/vtxhv.ko),kmod/vtxhv.ko)
MODDIR ?= /lib/modules/$(KVER)/extra
INSTALL ?= install
DEPMOD ?= /sbin/depmod
MODINFO ?= /sbin/modinfo
UDEVADM ?= udevadm
LDCONFIG ?= /sbin/ldconfig
# libvtxhv (lib/Makefile): the shared library's file and soname.
LIB_SOFILE := libvtxhv.so.0.1.0
LIB_SONAME := libvtxhv.so.0
LIB_VERSION := 0.1.0

install:
	@test -f $(INSTALL_KO) && test -f userspace/vtxctl && \
		test -f lib/$(LIB_SOFILE) || \
		{ echo "install: nothing built yet: run 'make module userspace' first" >&2; exit 1; }
	@test -n "$(KVER)" || \
		{ echo "install: cannot tell the kernel version: set KVER or KDIR" >&2; exit 1; }
	@built=$$($(MODINFO) -F vermagic $(INSTALL_KO) | cut -d' ' -f1); \
	test "$$built" = "$(KVER)" || \
		{ echo "install: $(INSTALL_KO) is built for $$built, not $(KVER): rebuild with 'make module KDIR=/lib/modules/$(KVER)/build'" >&2; exit 1; }
	$(INSTALL) -D -m 0644 $(INSTALL_KO) $(DESTDIR)$(MODDIR)/vtxhv.ko
	$(INSTALL) -D -m 0755 userspace/vtxctl $(DESTDIR)$(SBINDIR)/vtxctl
	$(INSTALL) -D -m 0644 docs/vtxctl.8 $(DESTDIR)$(MANDIR)/man8/vtxctl.8
	$(INSTALL) -D -m 0644 lib/libvtxhv.a $(DESTDIR)$(LIBDIR)/libvtxhv.a
	$(INSTALL) -D -m 0755 lib/$(LIB_SOFILE) $(DESTDIR)$(LIBDIR)/$(LIB_SOFILE)
	ln -sf $(LIB_SOFILE) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SOFILE) $(DESTDIR)$(LIBDIR)/libvtxhv.so
	$(INSTALL) -D -m 0644 lib/libvtxhv.h $(DESTDIR)$(INCLUDEDIR)/vtxhv/libvtxhv.h
	$(INSTALL) -D -m 0644 uapi/vtxhv.h $(DESTDIR)$(INCLUDEDIR)/vtxhv/vtxhv.h
	$(INSTALL) -D -m 0644 uapi/vtxhv_genl.h $(DESTDIR)$(INCLUDEDIR)/vtxhv/vtxhv_genl.h
	$(INSTALL) -d $(DESTDIR)$(PKGCONFIGDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		-e 's|@LIBS_PRIVATE@|-pthread|' lib/vtxhv.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/vtxhv.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/vtxhv.pc
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
	$(LDCONFIG) $(LIBDIR)
endif

uninstall: uninstall-udev
	@test -n "$(KVER)" || \
		{ echo "uninstall: cannot tell the kernel version: set KVER or KDIR" >&2; exit 1; }
	rm -f $(DESTDIR)$(MODDIR)/vtxhv.ko $(DESTDIR)$(SBINDIR)/vtxctl \
		$(DESTDIR)$(MANDIR)/man8/vtxctl.8
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,libvtxhv.a $(LIB_SOFILE) \
		$(LIB_SONAME) libvtxhv.so) $(DESTDIR)$(PKGCONFIGDIR)/vtxhv.pc \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/vtxhv/,libvtxhv.h vtxhv.h \
		vtxhv_genl.h)
	@[ ! -d $(DESTDIR)$(MODDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MODDIR)
	@[ ! -d $(DESTDIR)$(INCLUDEDIR)/vtxhv ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(INCLUDEDIR)/vtxhv
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif

install-udev:
	$(INSTALL) -D -m 0644 udev/60-vtxhv.rules $(DESTDIR)$(UDEVRULESDIR)/60-vtxhv.rules
ifeq ($(DESTDIR),)
	@getent group vtxhv >/dev/null || \
		echo "install-udev: there is no group 'vtxhv' yet: create it with 'groupadd --system vtxhv'" >&2
	@if [ -S /run/udev/control ]; then \
		$(UDEVADM) control --reload && \
		$(UDEVADM) trigger --action=add --subsystem-match=misc --sysname-match=vtxhv; \
	fi
endif

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-vtxhv.rules
ifeq ($(DESTDIR),)
	@if [ -S /run/udev/control ]; then $(UDEVADM) control --reload; fi
endif

check-rt:
	$(if $(RT),VTXHV_RT_SERIES=$(RT)) scripts/check-rt $(T)

# Boots too long for 'make check': Linux on 2 and 4 vCPUs under the in-kernel
# irqchip, and on 2 in each shadow paging mode, each test kernel booting
# itself as guest (tests/vm-suites-smp; an EPT boot takes 3 to 6 minutes, a
# shadow-mode one about 10).
check-smp: all
	VTXHV_KVERS="$(MODULE_KVERS)" VTXHV_SUITES=tests/vm-suites-smp \
		VTXHV_HOST_GUEST=1 VTXHV_VM_TIMEOUT=4800 VTXHV_TEST_TIMEOUT=2400 \
		scripts/check $(T)

.PHONY: install uninstall install-udev uninstall-udev check-rt check-smp
