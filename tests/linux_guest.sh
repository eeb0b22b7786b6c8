# SPDX-License-Identifier: GPL-2.0
#
# Shared by the tests that boot Debian's own kernel under 'vtxctl run'
# (linux_boot.sh, linux_smp.sh): sourced after lib.sh.
#
#   linux_guest_start ARGS...  check the guest and vtxctl are there, start
#                       'vtxctl run ARGS... bzImage' with the busybox
#                       initramfs, its console on a fifo ($tmp/in, fd 3)
#                       and in $tmp/out, stderr in $tmp/err; $pid is it
#   wait_for TEXT SECONDS   TEXT appears in the guest's output
#   answer COMMAND      type COMMAND, print its output (count n up first)
#   check_guest_kernel_version  the check uname_r_is_the_bzimage_version
#   check_guest_tsc_rate  the check guest_tsc_rate_is_the_hosts
#   linux_guest_poweroff CMD  type CMD, wait for vtxctl: $rc is its status
#                       (or 'timeout')
# The guest kernel is $LINUX_BZIMAGE, release $LINUX_VERSION; by default
# linux/bzImage, of the release in linux/version.
L=$here/linux

linux_guest_start() {
	require_root
	grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
	[ -f "${LINUX_BZIMAGE:-$L/bzImage}" ] && [ -f "$L/initrd.cpio" ] ||
		skip_all "no Linux guest in $L (make -C tests: needs /boot/vmlinuz-* and busybox)"
	find_vtxctl
	[ -n "$VTXCTL" ] || skip_all "vtxctl not found (set VTXCTL_BIN)"
	ensure_loaded || skip_all "vtxhv could not be loaded"

	tmp=$(mktemp -d) || exit 1
	pid=
	trap linux_guest_cleanup EXIT
	mkfifo "$tmp/in" || exit 1
	"$VTXCTL" run --initrd "$L/initrd.cpio" "$@" "${LINUX_BZIMAGE:-$L/bzImage}" \
		<"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	exec 3>"$tmp/in"
	n=0
}

linux_guest_cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}

wait_for() {
	local i=0
	while [ $i -lt "$2" ]; do
		grep -q -F "$1" "$tmp/out" && return 0
		kill -0 "$pid" 2>/dev/null || {
			grep -q -F "$1" "$tmp/out"
			return
		}
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# The markers are quoted in what is typed (and echoed), so only the
# output has them unquoted.  Runs in $(...): the caller counts n up.
answer() {
	printf 'echo "@@"B%d; %s; echo "@@"E%d\n' $n "$1" $n >&3
	wait_for "@@E$n" $CMD_WAIT || return 1
	tr -d '\r' <"$tmp/out" | sed -n "/^@@B$n\$/,/^@@E$n\$/p" |
		sed '1d;$d'
}

check_guest_kernel_version() {
	local want=${LINUX_VERSION:-$(cat "$L/version")}

	n=$((n + 1))
	out=$(answer "uname -r")
	diag "uname -r: '$out' (bzImage: '$want')"
	check "uname_r_is_the_bzimage_version" [ -n "$want" -a "$out" = "$want" ]
}

# The guest's TSC rate, from vtxctl's CPUID leaf 0x15, is the host's to
# within 1%: a wrong ratio runs the guest's clock many times too fast
# (soft lockups, timeouts in the guest's kernel log).
check_guest_tsc_rate() {
	local guest host

	n=$((n + 1))
	# 6.12 also prints the processor's MHz (leaf 0x16) first.
	guest=$(answer "dmesg | sed -n 's/.*tsc: Detected \\([0-9.]*\\) MHz.*/\\1/p' | tail -n 1")
	host=$(dmesg | sed -n \
		-e 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' \
		-e 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	diag "TSC MHz: guest '$guest', host '$host'"
	check "guest_tsc_rate_is_the_hosts" awk -v g="$guest" -v h="$host" \
		'BEGIN { exit !(g > 0 && h > 0 && g / h > 0.99 && g / h < 1.01) }'
}

linux_guest_poweroff() {
	local i=0
	echo "$1" >&3
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $CMD_WAIT ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		rc=timeout
	else
		wait "$pid"
		rc=$?
	fi
	pid=
	exec 3>&-
}
