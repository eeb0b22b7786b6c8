#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shadow-paging trade-off on a Linux guest (docs/shadow-paging.md):
# Debian's own kernel under 'vtxctl run', in the paging mode of
# VTXHV_PAGING (linux_forkloop.sh:vtlb, linux_forkloop.sh:shadow), runs
# /bin/forkloop (tests/linux/forkloop.c): a fork, a child writing one byte
# to each of PAGES pages (copy-on-write: page-table writes in both
# processes) and exiting, the parent waiting; for PAGES in 0, 16, 64 and
# 256.  Figures: guest RDTSC ticks per iteration, and the VM's shadow
# counters over the loops.  Too long for make check (a Linux boot in each
# mode); fails only if the guest does not run the loops.
. "$(dirname "$0")/lib.sh"
. "$here/linux_guest.sh"

BOOT_WAIT=${LINUX_BOOT_WAIT:-150}
CMD_WAIT=300
mode=${VTXHV_PAGING:-ept}
[ "$mode" != ept ] && BOOT_WAIT=${LINUX_BOOT_WAIT:-400}
LOOPS=${FORKLOOP_N:-50}
CMDLINE="console=ttyS0 quiet nokaslr noapic nolapic tsc=reliable mitigations=off panic=-1"

plan 3
linux_guest_start --no-irqchip ${VTXHV_PAGING:+--paging $VTXHV_PAGING} --mem 128M \
	--append "$CMDLINE"
up=0
wait_for "guest# " $BOOT_WAIT && up=1
check "boots_to_a_shell" [ $up = 1 ]
id=$("$VTXCTL" list | awk -v p="$pid" '$2 == p { print $1 }')
ran=0
for pages in 0 16 64 256; do
	[ $up = 1 ] || break
	[ -n "$id" ] && "$VTXCTL" stats "$id" 2>&1 | grep 'shadow paging:' | tail -n 1 |
		sed "s/^/# before $pages pages:/"
	n=$((n + 1))
	out=$(answer "forkloop $LOOPS $pages")
	t=$(echo "$out" | sed -n "s/^forkloop $pages \([0-9]*\)$/\1/p")
	[ -n "$t" ] || { diag "forkloop $pages: '$out'"; continue; }
	ran=$((ran + 1))
	echo "# figure linux_forkloop_${mode}_$pages $t guest TSC ticks per fork, $pages pages written"
	[ -n "$id" ] && "$VTXCTL" stats "$id" 2>&1 | grep 'shadow paging:' | tail -n 1 |
		sed "s/^/# after $pages pages:/"
done
check "forkloop_ran" [ $ran = 4 ]
linux_guest_poweroff "poweroff -f"
check "poweroff_ends_vtxctl_status_0" [ "$rc" = 0 ]
finish
