# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the scripts in scripts/ and tests/host/: finding the
# Debian test kernel and a kernel build tree, judging a guest kernel log, and
# copying the module's sources for builds outside the main tree.

die125() {
	echo "vm-run: $*" >&2
	exit 125
}

# The test kernels: for each Debian series here, the newest installed
# generic (amd64) kernel of that series that has its headers.  The first is
# the default wherever one kernel is needed (the test VM of a bare
# scripts/vm-run, sparse, dkms).  scripts/setup installs both; docs/kernels.md
# says how to add a series.
VTXHV_TEST_SERIES=${VTXHV_TEST_SERIES:-"6.1 6.12"}

# The gdb that tests/gdb.sh runs in the test VM: $VTXHV_GDB, else Debian's
# gdb-minimal, which scripts/setup unpacks here (the full gdb needs Python's
# standard library, which the VM lacks).  vm_gdb prints it if it is there.
VTXHV_GDB_MINIMAL=/usr/local/lib/vtxhv/gdb-minimal
vm_gdb() {
	local g=${VTXHV_GDB:-$VTXHV_GDB_MINIMAL/usr/bin/gdb}
	[ -x "$g" ] && echo "$g"
}

# kernel_series RELEASE: the series of a kernel release ("6.1" for
# 6.1.0-57-amd64, "6.12" for 6.12.118+deb12-amd64).
kernel_series() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p'
}

# installed_headers SERIES [FLAVOUR]: the newest /usr/src/linux-headers-*
# release of SERIES and FLAVOUR (amd64 = generic, cloud-amd64, rt-amd64).
installed_headers() {
	local d v
	for d in /usr/src/linux-headers-*-"${2:-amd64}"; do
		[ -f "$d/Makefile" ] || continue
		v=${d#/usr/src/linux-headers-}
		[ "$(kernel_series "$v")" = "$1" ] || continue
		case ${2:-amd64} in
		amd64) case $v in *-rt-amd64|*-cloud-amd64) continue ;; esac ;;
		esac
		echo "$v"
	done | sort -V | tail -n 1
}

# test_kernel_version [SERIES]: the test kernel of SERIES (default: the
# first test series): the newest installed generic kernel of that series
# with both /boot/vmlinuz-* and headers.  Never "the newest of all".
test_kernel_version() {
	local series=${1:-${VTXHV_TEST_SERIES%% *}} v best=
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V); do
		case $v in *-rt-amd64|*-cloud-amd64) continue ;; esac
		[ "$(kernel_series "$v")" = "$series" ] || continue
		[ -f "/usr/src/linux-headers-$v/Makefile" ] && best=$v
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# resolve_kernels [SPEC...]: the kernel releases SPECs name, one a line.  A
# SPEC is a series ("6.12": its test kernel) or a release, given as is; no
# SPEC means every test series.  A series with no test kernel installed is
# printed as it is: the caller then fails naming it.  Commas separate too.
resolve_kernels() {
	local spec v
	# shellcheck disable=SC2086
	set -- $(echo "${*:-$VTXHV_TEST_SERIES}" | tr ',' ' ')
	for spec in "$@"; do
		case $spec in
		[0-9]*.[0-9]*.*|*-*) echo "$spec" ;;
		*)	v=$(test_kernel_version "$spec") || v=$spec
			echo "$v" ;;
		esac
	done
}

# kernel_kdir RELEASE: the build tree of an installed kernel, or nothing.
kernel_kdir() {
	if [ -f "/lib/modules/$1/build/Makefile" ]; then
		echo "/lib/modules/$1/build"
	elif [ -f "/usr/src/linux-headers-$1/Makefile" ]; then
		echo "/usr/src/linux-headers-$1"
	fi
}

# Warnings the test kernels print while booting in Bochs whatever we do,
# dropped from the judged log as whole blocks ("cut here" to "end trace")
# when they come from the idle task (PID 0) during early boot:
# - 6.12's topology parser on Bochs's CPUID leaf 1/4 (corei7_haswell_4770):
#   "WARNING: CPU: 0 PID: 0 at arch/x86/kernel/cpu/topology_common.c:57
#   parse_legacy".
# - 6.1's XSAVE size check on corei7_skylake_x ("XSAVE consistency
#   problem", arch/x86/kernel/fpu/xstate.c), after which it runs without
#   XSAVE: the CPU model the security tests need for that very reason.
KNOWN_BOOT_WARNINGS='PID: 0 at arch/x86/kernel/(cpu/topology_common\.c:[0-9]+ parse_legacy\+|fpu/xstate\.c:[0-9]+ )'

# drop_known_boot_warnings: stdin without the blocks KNOWN_BOOT_WARNINGS names.
drop_known_boot_warnings() {
	awk -v known="$KNOWN_BOOT_WARNINGS" '
	/-+\[ cut here \]-+/ { held = $0 "\n"; holding = 1; nheld = 1; next }
	holding == 1 {
		if ($0 ~ /WARNING:/ && $0 ~ known) { holding = 2; next }
		# A WARN() message line may stand between the two.
		if ($0 !~ /WARNING:/ && nheld < 2) {
			held = held $0 "\n"; nheld++; next
		}
		printf "%s", held; holding = 0
	}
	holding == 2 { if ($0 ~ /---\[ end trace/) holding = 0; next }
	{ print }
	END { if (holding == 1) printf "%s", held }'
}

# Print the lines of a kernel log (stdin) that must fail a run.  A user
# process's own crash ("traps: NAME[PID] general protection fault ip:...")
# is the test's failure to report, not the kernel's.
kernel_log_errors() {
	drop_known_boot_warnings | grep -a -E 'WARNING:|BUG:|BUG |Oops|general protection fault|kernel panic|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|hung_task|INFO: task|possible circular locking|possible recursive locking|inconsistent lock state|lockdep|KASAN|UBSAN|kmemleak|Call Trace:' |
		grep -v -a -E 'VTXHV-VM:|traps: .* general protection fault ip:'
}

# The one kernel build tree for tools that need one (sparse, dkms): $KDIR if
# set, else the running kernel's, else the first test kernel's headers.
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
