#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs what building and testing iotjobs needs, and nothing else:
# the Debian packages below, then the npm test clients of package-lock.json.
# A quick no-op when everything is present. Run by `make deps` (and so by
# `make run` and `make test`) from the repository root.
set -eu

# The one list of Debian packages iotjobs needs (build, store backends,
# MQTT broker, C unit tests, client tests, the sqlite3 CLI with which
# bench/engine.sh writes its fleet). DESIGN.md says why each.
PACKAGES="build-essential pkg-config libmicrohttpd-dev libjansson-dev
libsqlite3-dev libssl-dev libpcre2-dev libcmocka-dev python3 python3-boto3
awscli nodejs npm mosquitto libmosquitto-dev postgresql libpq-dev sqlite3
libcbor-dev openssl libgnutls28-dev curl mosquitto-dev libcurl4-openssl-dev
mosquitto-clients prometheus"

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

# npm ci when node_modules is absent or older than the lock file. npm ci
# rewrites node_modules/.package-lock.json, whose time is the stamp.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
	echo "deps: npm ci"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	touch "$stamp"
fi
