#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make run`: iotjobsd with a local Mosquitto beside it, so that MQTT
# devices work out of the box. Run from the repository root (make does).
#
#   sh scripts/run.sh [IOTJOBSD OPTIONS...]
#       Starts Mosquitto with the shipped configuration (etc/mosquitto/) on
#       IOTJOBS_BROKER_LISTEN (HOST:PORT, default 127.0.0.1:1883), then
#       build/iotjobsd --mqtt mqtt://HOST:PORT logged in as "iotjobsd".
#       Ctrl-C or SIGTERM stops both.
#   sh scripts/run.sh device THING_NAME [PASSWORD]
#       Gives a device a broker account (username = thing name; the ACL
#       lets it use only $aws/things/THING_NAME/...) and makes the running
#       broker reload. Prints the password (generated when not given).
#
# The broker's files live in DATA_DIR/mosquitto/ (IOTJOBS_DATA_DIR, default
# ./data): its configuration, the ACL, the password file and iotjobsd's own
# broker password (iotjobsd.password, created on first start). With
# IOTJOBS_MQTT set (or --mqtt among the options), no broker is started and
# iotjobsd uses the one named there.
set -eu
cd "$(dirname "$0")/.."

DATA=${IOTJOBS_DATA_DIR:-./data}
BROKER_DIR=$DATA/mosquitto
LISTEN=${IOTJOBS_BROKER_LISTEN:-127.0.0.1:1883}
BROKER_HOST=${LISTEN%:*}
BROKER_PORT=${LISTEN##*:}
USER_NAME=iotjobsd

die() {
	echo "run: $*" >&2
	exit 1
}

# 24 random characters for a password.
new_password() {
	od -An -N18 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-24
}

# Mosquitto run as root drops to the "mosquitto" user before it reads the
# password and ACL files: let that user reach them.
let_broker_read() {
	[ "$(id -u)" -eq 0 ] || return 0
	id mosquitto >/dev/null 2>&1 || return 0
	chmod 0711 "$DATA"
	chown -R mosquitto "$BROKER_DIR"
	chmod 0600 "$BROKER_DIR/iotjobsd.password"
	chown root "$BROKER_DIR/iotjobsd.password"
}

# The broker folder: shipped configuration with its listener and file
# paths moved here; the ACL as shipped; iotjobsd's account on first start.
prepare_broker() {
	mkdir -p "$DATA" "$BROKER_DIR"
	chmod 0700 "$DATA" 2>/dev/null || true
	abs=$(cd "$BROKER_DIR" && pwd)
	sed -e "s|^listener .*|listener $BROKER_PORT $BROKER_HOST|" \
	    -e "s|^password_file .*|password_file $abs/passwd|" \
	    -e "s|^acl_file .*|acl_file $abs/acl|" \
	    etc/mosquitto/mosquitto.conf >"$BROKER_DIR/mosquitto.conf"
	cp etc/mosquitto/acl "$BROKER_DIR/acl"
	if [ ! -s "$BROKER_DIR/iotjobsd.password" ]; then
		(umask 077 && new_password >"$BROKER_DIR/iotjobsd.password")
		echo "run: created the broker account \"$USER_NAME\"" \
		    "($BROKER_DIR/iotjobsd.password)"
	fi
	[ -f "$BROKER_DIR/passwd" ] || : >"$BROKER_DIR/passwd"
	mosquitto_passwd -b "$BROKER_DIR/passwd" "$USER_NAME" \
	    "$(cat "$BROKER_DIR/iotjobsd.password")"
	chmod 0644 "$BROKER_DIR/mosquitto.conf" "$BROKER_DIR/acl" \
	    "$BROKER_DIR/passwd"
	let_broker_read
}

mosquitto_bin() {
	for p in /usr/sbin/mosquitto /usr/bin/mosquitto; do
		[ -x "$p" ] && { echo "$p"; return; }
	done
	command -v mosquitto || die "mosquitto is not installed (make deps)"
}

wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		python3 -c "import socket; socket.create_connection(('$1', $2), 0.2)" \
		    2>/dev/null && return 0
		kill -0 "$broker_pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

add_device() {
	[ $# -ge 1 ] && [ -n "$1" ] || die "usage: run.sh device THING_NAME [PASSWORD]"
	[ "$1" != "$USER_NAME" ] || die "\"$USER_NAME\" is iotjobsd's account"
	[ -f "$BROKER_DIR/passwd" ] || die "no $BROKER_DIR/passwd: start make run first"
	pw=${2:-$(new_password)}
	mosquitto_passwd -b "$BROKER_DIR/passwd" "$1" "$pw"
	let_broker_read
	if [ -s "$BROKER_DIR/mosquitto.pid" ] &&
	    kill -HUP "$(cat "$BROKER_DIR/mosquitto.pid")" 2>/dev/null; then
		echo "run: broker reloaded"
	fi
	echo "thing $1: MQTT username $1, password $pw"
}

if [ "${1:-}" = device ]; then
	shift
	add_device "$@"
	exit 0
fi

[ -x build/iotjobsd ] || die "build/iotjobsd is missing (make all)"

external=${IOTJOBS_MQTT:-}
for a in "$@"; do
	case $a in
	--mqtt|--mqtt=*) external=yes ;;
	esac
done
if [ -n "$external" ]; then
	exec build/iotjobsd "$@"
fi

case $BROKER_PORT in
''|*[!0-9]*) die "IOTJOBS_BROKER_LISTEN: expected HOST:PORT, got $LISTEN" ;;
esac
[ "$BROKER_HOST" != "$LISTEN" ] || die "IOTJOBS_BROKER_LISTEN: expected HOST:PORT"

prepare_broker

broker_pid=""
daemon_pid=""
stop() {
	trap - INT TERM EXIT
	[ -z "$daemon_pid" ] || kill -TERM "$daemon_pid" 2>/dev/null || true
	[ -z "$daemon_pid" ] || wait "$daemon_pid" 2>/dev/null || true
	[ -z "$broker_pid" ] || kill -TERM "$broker_pid" 2>/dev/null || true
	[ -z "$broker_pid" ] || wait "$broker_pid" 2>/dev/null || true
	rm -f "$BROKER_DIR/mosquitto.pid"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

"$(mosquitto_bin)" -c "$BROKER_DIR/mosquitto.conf" &
broker_pid=$!
echo "$broker_pid" >"$BROKER_DIR/mosquitto.pid"
wait_port "$BROKER_HOST" "$BROKER_PORT" ||
    die "mosquitto did not start listening on $LISTEN"
echo "run: mosquitto on mqtt://$LISTEN (devices: sh scripts/run.sh device THING_NAME)"

connect_host=$BROKER_HOST
case $connect_host in
0.0.0.0) connect_host=127.0.0.1 ;;
esac
IOTJOBS_MQTT_USERNAME=$USER_NAME \
IOTJOBS_MQTT_PASSWORD=$(cat "$BROKER_DIR/iotjobsd.password") \
    build/iotjobsd --mqtt "mqtt://$connect_host:$BROKER_PORT" "$@" &
daemon_pid=$!
# A signal interrupts wait; the trap then stops both.
wait "$daemon_pid" || rc=$?
daemon_pid=""
exit "${rc:-0}"
