#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the 8259A pair of 'vtxctl run' (userspace/pic.c).
exec "$(dirname "$0")/build_run.sh" pic_test userspace/pic.c
