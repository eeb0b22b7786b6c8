#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the CMOS RTC of 'vtxctl run' (userspace/rtc.c).
exec "$(dirname "$0")/build_run.sh" rtc_test userspace/rtc.c
