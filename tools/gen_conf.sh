#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Writes what is printed from iotjobsd's option table (src/daemon/conf.c)
# under OUT: etc/iotjobsd.conf, and the manual pages docs/man/*.in with
# their option lists spliced in (the line `.\" @OPTIONS@`) and @VERSION@
# replaced. `make gen-conf` runs it on the repository, `make gen-check`
# on a scratch folder and compares.
#
#   sh tools/gen_conf.sh IOTJOBSD VERSION OUT
set -eu

bin=$1
version=$2
out=$3
here=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$out/etc" "$out/docs/man"
IOTJOBS_CONFIG= "$bin" --print-config-template=conf >"$out/etc/iotjobsd.conf"

# page.in FORMAT: the page with the option list of FORMAT spliced in.
splice() {
	IOTJOBS_CONFIG= "$bin" --print-config-template="$2" >"$out/.list"
	awk -v list="$out/.list" -v version="$version" '
	$0 == ".\\\" @OPTIONS@" {
		while ((getline line < list) > 0)
			print line
		next
	}
	{ gsub(/@VERSION@/, version); print }
	' "$1"
	rm -f "$out/.list"
}

for page in "$here"/docs/man/*.in; do
	name=$(basename "$page" .in)
	case $name in
	*.5)	fmt=man5 ;;
	*)	fmt=man8 ;;
	esac
	splice "$page" "$fmt" >"$out/docs/man/$name"
done
