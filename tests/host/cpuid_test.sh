#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the CPUID policy of vtxctl run and the tests
# (userspace/cpuid.c), on a made-up host CPU.
exec "$(dirname "$0")/build_run.sh" cpuid_test userspace/cpuid.c
