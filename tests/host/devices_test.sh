#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests for the devices of 'vtxctl run' (userspace/devices.c),
# with the device models they dispatch to.
exec "$(dirname "$0")/build_run.sh" devices_test userspace/devices.c \
	userspace/pic.c userspace/pit.c userspace/rtc.c
