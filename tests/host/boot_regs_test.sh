#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the registers a vCPU of vtxctl run starts with
# (userspace/boot_regs.c) and the boot GDT of userspace/x86.h.
exec "$(dirname "$0")/build_run.sh" boot_regs_test userspace/boot_regs.c \
	userspace/x86.c
