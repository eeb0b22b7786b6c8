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
#   linux_guest_poweroff CMD  type CMD, wait for vtxctl: $rc is its status
#                       (or 'timeout')
L=$here/linux

linux_guest_start() {
	require_root
	grep -qw vmx /proc/cpuinfo || skip_all "the CPU has no VMX"
	[ -f "$L/bzImage" ] && [ -f "$L/initrd.cpio" ] ||
		skip_all "no Linux guest in $L (make -C tests: needs /boot/vmlinuz-* and busybox)"
	find_vtxctl
	[ -n "$VTXCTL" ] || skip_all "vtxctl not found (set VTXCTL_BIN)"
	ensure_loaded || skip_all "vtxhv could not be loaded"

	tmp=$(mktemp -d) || exit 1
	pid=
	trap linux_guest_cleanup EXIT
	mkfifo "$tmp/in" || exit 1
	"$VTXCTL" run --initrd "$L/initrd.cpio" "$@" "$L/bzImage" \
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
