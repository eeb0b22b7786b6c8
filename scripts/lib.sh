# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the scripts in scripts/: finding the Debian test kernel
# and judging a guest kernel log.

die125() {
	echo "vm-run: $*" >&2
	exit 125
}

# The newest Debian kernel that is installed with its headers: the kernel the
# test VM boots and the tree the module is built against.
test_kernel_version() {
	local v best=
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V); do
		[ -d "/usr/src/linux-headers-$v" ] && best=$v
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# Print the lines of a kernel log (stdin) that must fail a run.
kernel_log_errors() {
	grep -a -E 'WARNING:|BUG:|BUG |Oops|general protection fault|kernel panic|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|hung_task|INFO: task|possible circular locking|possible recursive locking|inconsistent lock state|lockdep|KASAN|UBSAN|kmemleak|Call Trace:' |
		grep -v -a 'VTXHV-VM:'
}
