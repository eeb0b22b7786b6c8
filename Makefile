# SPDX-License-Identifier: GPL-2.0
#
# vtxhv: build the module, vtxctl and the tests; run the test suite.
#
#   make                 build everything
#   make check [T=NAME]  host unit tests + the tests in the Bochs test VM
#   make KDIR=/path      build the module against another kernel tree
#
# KDIR defaults to the running kernel's build tree; where that has no
# headers (as on our build machines) to the newest installed Debian kernel
# that has headers, the one the test VM boots.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(origin KDIR),undefined)
ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR := $(RUNNING_KDIR)
else
TEST_KVER := $(shell . scripts/lib.sh && test_kernel_version)
KDIR := $(if $(TEST_KVER),/usr/src/linux-headers-$(TEST_KVER))
endif
endif

all: module userspace tests

module:
	@test -n "$(KDIR)" || { echo "no kernel headers found: run scripts/setup or set KDIR" >&2; exit 1; }
	@echo "vtxhv: building the module against KDIR=$(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 KCFLAGS=-Werror modules

userspace:
	$(MAKE) -C userspace

tests:
	$(MAKE) -C tests OUTPUT=$(CURDIR)/build/tests

check: all
	scripts/check $(T)

# vtxhv beside KVM in one boot of the test VM; HOST=1 on a real VT-x host.
bench: all
	scripts/bench $(if $(HOST),--host)

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module userspace tests check bench clean

# ---- Installing (README.md, "Installing") ----------------------------------
#
#   make install [KVER=VERSION] [PREFIX=/usr/local] [DESTDIR=DIR]
#   make uninstall            removes what install and install-udev put
#   make install-udev         the optional udev rule: /dev/vtxhv to group vtxhv
#   make uninstall-udev
#   make check-rt [T=NAME]    the whole suite once on the PREEMPT_RT kernel
#
# install copies what 'make' built and builds nothing.  The module goes to
# /lib/modules/$(KVER)/extra; KVER is the release of $(KDIR) unless given,
# and must be the kernel kmod/vtxhv.ko was built for.  depmod runs unless
# DESTDIR is set (a package's own install step runs it there).

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /etc/udev/rules.d
ifeq ($(origin KVER),undefined)
KVER := $(if $(KDIR),$(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null))
endif
MODDIR ?= /lib/modules/$(KVER)/extra
INSTALL ?= install
DEPMOD ?= /sbin/depmod
MODINFO ?= /sbin/modinfo
UDEVADM ?= udevadm

install:
	@test -f kmod/vtxhv.ko && test -f userspace/vtxctl || \
		{ echo "install: nothing built yet: run 'make module userspace' first" >&2; exit 1; }
	@test -n "$(KVER)" || \
		{ echo "install: cannot tell the kernel version: set KVER or KDIR" >&2; exit 1; }
	@built=$$($(MODINFO) -F vermagic kmod/vtxhv.ko | cut -d' ' -f1); \
	test "$$built" = "$(KVER)" || \
		{ echo "install: kmod/vtxhv.ko is built for $$built, not $(KVER): rebuild with 'make module KDIR=/lib/modules/$(KVER)/build'" >&2; exit 1; }
	$(INSTALL) -D -m 0644 kmod/vtxhv.ko $(DESTDIR)$(MODDIR)/vtxhv.ko
	$(INSTALL) -D -m 0755 userspace/vtxctl $(DESTDIR)$(SBINDIR)/vtxctl
	$(INSTALL) -D -m 0644 docs/vtxctl.8 $(DESTDIR)$(MANDIR)/man8/vtxctl.8
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif

uninstall: uninstall-udev
	@test -n "$(KVER)" || \
		{ echo "uninstall: cannot tell the kernel version: set KVER or KDIR" >&2; exit 1; }
	rm -f $(DESTDIR)$(MODDIR)/vtxhv.ko $(DESTDIR)$(SBINDIR)/vtxctl \
		$(DESTDIR)$(MANDIR)/man8/vtxctl.8
	@[ ! -d $(DESTDIR)$(MODDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MODDIR)
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
	scripts/check-rt $(T)

.PHONY: install uninstall install-udev uninstall-udev check-rt
