#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the 8254 and port 0x61 of 'vtxctl run'
# (userspace/pit.c).
exec "$(dirname "$0")/build_run.sh" pit_test userspace/pit.c
