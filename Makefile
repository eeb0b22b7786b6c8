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

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	rm -rf build

.PHONY: all module userspace tests check clean
