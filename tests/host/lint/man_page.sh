#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# docs/vtxctl.8 renders without warnings, and documents every command,
# option and exit status that vtxctl's own --help texts name.

# Functions run through check(), out of shellcheck's sight; lists of names
# are split into words on purpose.
# shellcheck disable=SC2317,SC2086
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
page=$top/docs/vtxctl.8
vtxctl=$top/userspace/vtxctl
command -v man >/dev/null || skip_all "man is missing: run scripts/setup (man-db)"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

renders() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" \
		> "$tmp/out" 2> "$tmp/err" || return 1
	sed 's/^/# /' "$tmp/err"
	[ ! -s "$tmp/err" ] && [ -s "$tmp/out" ]
}

# missing WHAT NAME... : print the NAMEs the page lacks, via has_WHAT.
missing() {
	what=$1 lacking=
	shift
	for item in "$@"; do
		"has_$what" "$item" || lacking="$lacking $item"
	done
	[ -z "$lacking" ] || diag "not in docs/vtxctl.8:$lacking"
	[ -z "$lacking" ]
}
has_command() { grep -q "^\.SS $1\$" "$page"; }
has_option() { grep -q -E "\\\\-\\\\-$1([^a-z0-9-]|\$)" "$page"; }
has_status() {
	sed -n '/^\.SH EXIT STATUS/,/^\.SH [^E]/p' "$page" | grep -q -w "$1"
}

plan 4
check renders_without_warnings renders
if [ ! -x "$vtxctl" ]; then
	for t in every_command every_option every_exit_status; do
		skip_one "$t" "userspace/vtxctl is not built"
	done
	finish
fi
"$vtxctl" --help > "$tmp/help" 2>&1
# The command table: the lines between "commands:" and the next blank line.
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$tmp/help")
diag "commands:" $commands
for c in $commands; do
	"$vtxctl" "$c" --help > "$tmp/help-$c" 2>&1
done
options=$(cat "$tmp"/help-* | grep -o -E -- '--[a-z][a-z0-9-]*' |
	sed 's/^--//' | grep -v -x help | sort -u)
diag "options:" $options
# Each text's exit statuses: the numbers from "exit status" to its end.
statuses=$(for f in "$tmp"/help*; do sed -n '/exit status/,$p' "$f"; done |
	grep -o -w '[0-9][0-9]*' | sort -n -u)
diag "exit statuses:" $statuses
check every_command missing command $commands
check every_option missing option $options
check every_exit_status missing status $statuses
finish
