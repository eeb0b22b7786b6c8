#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What modinfo shows about the built module: description, license GPL, the
# version of kmod/vtxhv.h (and dkms.conf), and a MODULE_PARM_DESC for every
# module parameter, both in the source (kmod/) and in the .ko.
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
modinfo=$(command -v modinfo || echo /sbin/modinfo)
KO=${VTXHV_KO:-$top/kmod/vtxhv.ko}
[ -f "$KO" ] || skip_all "kmod/vtxhv.ko is not built: run 'make module'"
[ -x "$modinfo" ] || skip_all "modinfo is missing (package kmod)"
field() { "$modinfo" -F "$1" "$KO"; }

plan 6
diag "module: $KO"
version=$(sed -n 's/^#define VTXHV_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/kmod/vtxhv.h")
check description [ -n "$(field description)" ]
check license_gpl [ "$(field license)" = GPL ]
diag "version: module '$(field version)', kmod/vtxhv.h '$version'"
check version_matches_header [ "$(field version)" = "${version:-none}" ]
dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
diag "dkms.conf PACKAGE_VERSION '$dkms'"
check dkms_version_matches [ "$dkms" = "$version" ]

# Every module_param*() in the source has a MODULE_PARM_DESC() of that name.
undescribed=
# shellcheck disable=SC2013 # parameter names are single words
for p in $(sed -n 's/.*\<module_param[a-z_]*([[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' \
	   "$top"/kmod/*.c "$top"/kmod/*.h | sort -u); do
	grep -q "MODULE_PARM_DESC([[:space:]]*${p}[[:space:]]*," \
		"$top"/kmod/*.c "$top"/kmod/*.h || undescribed="$undescribed $p"
done
[ -z "$undescribed" ] || diag "module_param without MODULE_PARM_DESC in kmod/:$undescribed"
check source_params_described [ -z "$undescribed" ]

# And in the built module: modinfo prints "NAME: (TYPE)" for a parameter
# without a description.
undescribed=$(field parm | sed -n 's/^\([^:]*\): ([^)]*)$/\1/p' | tr '\n' ' ')
for p in $(field parmtype | cut -d: -f1); do
	field parm | grep -q "^$p:" || undescribed="$undescribed $p"
done
[ -z "$undescribed" ] || diag "parameters without a description in $KO: $undescribed"
check module_params_described [ -z "$undescribed" ]
diag "parameters: $(field parmtype | cut -d: -f1 | tr '\n' ' ')"
finish
