#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs what iotjobs needs, and nothing else, in two sets:
#
#   sh scripts/deps.sh run     what `make run` needs: building iotjobsd
#                              and the broker plugin, Mosquitto with its
#                              clients (the README's examples use them),
#                              and the AWS CLI that scripts/provision-
#                              device.sh drives
#   sh scripts/deps.sh [test]  the run set, then what `make test` (and
#                              `make bench`) add: the C unit test library,
#                              the client tests (boto3, the npm clients of
#                              package-lock.json), the packaging checks
#
# A quick no-op when everything is present. Run by `make deps-run` (and so
# `make run`) and by `make deps` (and so `make test`) from the repository
# root. docs/DESIGN.md says why each package.
set -eu

RUN_PACKAGES="build-essential pkg-config libmicrohttpd-dev libjansson-dev
libsqlite3-dev libpq-dev libssl-dev libpcre2-dev libcbor-dev libgnutls28-dev
libsystemd-dev libmosquitto-dev mosquitto-dev libcurl4-openssl-dev mosquitto
mosquitto-clients python3 awscli"

# sqlite3: bench/engine.sh writes its fleet with it; openssl and curl: the
# TLS broker and HTTPS device tests; prometheus: promtool checks /metrics
# (no smaller Debian package ships it); strace: the test that a write is
# acknowledged only after the WAL's fsync; postgresql: the private server
# the tests start (initdb, pg_ctl); the rest: make deb and its checks.
TEST_PACKAGES="libcmocka-dev python3-boto3 nodejs npm sqlite3 openssl curl
debhelper lintian fakeroot dpkg-dev systemd man-db prometheus strace
postgresql"

set_name=${1:-test}
case $set_name in
run)	PACKAGES=$RUN_PACKAGES ;;
test)	PACKAGES="$RUN_PACKAGES $TEST_PACKAGES" ;;
*)	echo "deps: unknown set \"$set_name\" (run, test)" >&2
	exit 2 ;;
esac

cd "$(dirname "$0")/.."

is_installed() {
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$st" = "install ok installed" ]
}

have_cmd() {
	command -v "$1" >/dev/null 2>&1
}

missing=""
for p in $PACKAGES; do
	case $p in
	nodejs|npm)
		# A newer node (with its own npm) may come from elsewhere;
		# Debian's would be older. Only fall back to it when absent.
		cmd=$p
		[ "$p" = nodejs ] && cmd=node
		have_cmd "$cmd" && continue
		;;
	esac
	is_installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: install them with:" >&2
		echo "  sudo apt-get install -y$missing" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

[ "$set_name" = test ] || exit 0

# npm ci when node_modules is absent or older than the lock file. npm ci
# rewrites node_modules/.package-lock.json, whose time is the stamp.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
	echo "deps: npm ci"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	touch "$stamp"
fi
