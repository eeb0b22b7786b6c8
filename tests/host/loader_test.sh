#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the guest image loaders (userspace/loader.c), with
# the identity map of userspace/x86.c.
exec "$(dirname "$0")/build_run.sh" loader_test userspace/loader.c \
	userspace/x86.c
