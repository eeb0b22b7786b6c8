# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the scripts in scripts/ and tests/host/: finding the
# Debian test kernel and a kernel build tree, judging a guest kernel log, and
# copying the module's sources for builds outside the main tree.

die125() {
	echo "vm-run: $*" >&2
	exit 125
}

# The newest Debian kernel that is installed with its headers: the kernel the
# test VM boots and the tree the module is built against.  Only the generic
# flavour: a PREEMPT_RT or cloud kernel sorts after it but is used only when
# asked for (make check-rt).
test_kernel_version() {
	local v best=
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V); do
		case $v in *-rt-amd64|*-cloud-amd64) continue ;; esac
		[ -d "/usr/src/linux-headers-$v" ] && best=$v
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# Print the lines of a kernel log (stdin) that must fail a run.  A user
# process's own crash ("traps: NAME[PID] general protection fault ip:...")
# is the test's failure to report, not the kernel's.
kernel_log_errors() {
	grep -a -E 'WARNING:|BUG:|BUG |Oops|general protection fault|kernel panic|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|hung_task|INFO: task|possible circular locking|possible recursive locking|inconsistent lock state|lockdep|KASAN|UBSAN|kmemleak|Call Trace:' |
		grep -v -a -E 'VTXHV-VM:|traps: .* general protection fault ip:'
}

# The kernel build tree the Makefile builds the module against: $KDIR if
# set, else the running kernel's, else the test kernel's headers.
default_kdir() {
	local v
	if [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
	elif [ -f "/lib/modules/$(uname -r)/build/Makefile" ]; then
		echo "/lib/modules/$(uname -r)/build"
	else
		v=$(test_kernel_version) || return 1
		echo "/usr/src/linux-headers-$v"
	fi
}

# The release (uname -r) of the kernel a build tree is for.  Not
# include/config/kernel.release: Debian's headers say 6.1.N there.
kdir_release() {
	sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		"$1/include/generated/utsrelease.h" 2>/dev/null
}

# Copy what kbuild and DKMS need to build the module (Kbuild, dkms.conf,
# kmod/, uapi/), without build products, from the tree $1 to the directory
# $2: for builds that must leave the main build untouched.
copy_module_source() {
	mkdir -p "$2" &&
	tar -C "$1" --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
		--exclude='*.symvers' --exclude='*.dwo' --exclude='.tmp_versions' \
		-cf - Kbuild dkms.conf kmod uapi | tar -C "$2" -xf -
}
