#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make run`: iotjobsd with a local Mosquitto beside it, devices
# authenticated by their X.509 certificates and authorized by their AWS IoT
# policies (the iotjobs plugin, build/mosquitto_iotjobs.so). Run from the
# repository root (make does).
#
#   IOTJOBS_DATA_DIR=D IOTJOBS_BROKER_LISTEN=H:P1 \
#   IOTJOBS_BROKER_TLS_LISTEN=H:P2 sh scripts/run.sh [IOTJOBSD OPTIONS...]
#
# runs in the foreground until SIGTERM or Ctrl-C, which stop both:
#   - build/iotjobsd with the options given (--tls-listen 127.0.0.1:8443 is
#     added when iotjobsd has that option and none was given), its broker
#     socket at D/broker.sock, logged in to the broker as "iotjobsd" with a
#     password on the plain listener;
#   - Mosquitto with the shipped configuration (etc/mosquitto/): the plain
#     listener on P1 (loopback only: iotjobsd's own login; default
#     127.0.0.1:1883) and the devices' TLS listener on H:P2 (default
#     127.0.0.1:8883; iotjobsd's --broker-endpoint unless
#     IOTJOBS_BROKER_ENDPOINT says otherwise), whose server certificate
#     iotjobsd's CA issues (D/tls/ca.crt: the CA devices trust).
# Then it prints the command that provisions a device through the AWS API
# (scripts/provision-device.sh). IOTJOBSD and IOTJOBS_PLUGIN name other
# builds of the two. D defaults to ./data; the broker's files
# live in D/mosquitto/. With IOTJOBS_MQTT set (or --mqtt among the
# options), no broker is started and iotjobsd uses the one named there.
# A second run on the same data folder, or on ports in use, stops at once
# with one line saying so, and changes nothing.
set -eu
cd "$(dirname "$0")/.."
# Whatever this creates is its owner's alone (the broker reads its own).
umask 077

DATA=${IOTJOBS_DATA_DIR:-./data}
BROKER_DIR=$DATA/mosquitto
LISTEN=${IOTJOBS_BROKER_LISTEN:-127.0.0.1:1883}
TLS_LISTEN=${IOTJOBS_BROKER_TLS_LISTEN:-127.0.0.1:8883}
PLUGIN=${IOTJOBS_PLUGIN:-build/mosquitto_iotjobs.so}
IOTJOBSD=${IOTJOBSD:-build/iotjobsd}
USER_NAME=iotjobsd

die() {
	echo "run: $*" >&2
	exit 1
}

# HOST:PORT into $host and $port, or die naming VARIABLE.
split_addr() {
	host=${2%:*}
	port=${2##*:}
	case $port in
	''|*[!0-9]*) die "$1: expected HOST:PORT, got $2" ;;
	esac
	[ "$host" != "$2" ] && [ -n "$host" ] || die "$1: expected HOST:PORT"
	host=${host#[}
	host=${host%]}
}

# 24 random characters for a password.
new_password() {
	od -An -N18 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-24
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
		python3 -c "import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.2)" "$1" "$2" \
		    2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Waits for the file test $1 $2 (e.g. -S socket) while process $3 lives.
wait_file() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$1" "$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

if [ "${1:-}" = device ]; then
	die "devices authenticate with certificates now:" \
	    "sh scripts/provision-device.sh THING_NAME"
fi

[ -x "$IOTJOBSD" ] || die "$IOTJOBSD is missing (make all)"

# One make run per data folder: a second one stops here, before it touches
# anything of the first, with one line saying what runs where. The lock
# lives as long as this script and what it started (they inherit it).
mkdir -p "$DATA"
exec 9>>"$DATA/run.lock"
if ! flock -n 9; then
	info=$(cat "$DATA/run.info" 2>/dev/null) ||
	    info="another make run uses $DATA"
	die "already running: $info; stop it first (Ctrl-C there)"
fi

external=${IOTJOBS_MQTT:-}
has_tls_listen=""
http=${IOTJOBS_LISTEN:-127.0.0.1:8080}
prev=""
for a in "$@"; do
	case $a in
	--mqtt|--mqtt=*) external=yes ;;
	--tls-listen|--tls-listen=*) has_tls_listen=yes ;;
	--listen=*) http=${a#--listen=} ;;
	esac
	[ "$prev" != --listen ] || http=$a
	prev=$a
done
if [ -n "$external" ]; then
	exec "$IOTJOBSD" "$@"
fi
[ -f "$PLUGIN" ] || die "$PLUGIN is missing (make all)"
PLUGIN_ABS=$(cd "$(dirname "$PLUGIN")" && pwd)/$(basename "$PLUGIN")
if [ -z "$has_tls_listen" ] &&
    "$IOTJOBSD" --help 2>/dev/null | grep -q -- '--tls-listen'; then
	set -- --tls-listen 127.0.0.1:8443 "$@"
fi

split_addr IOTJOBS_BROKER_LISTEN "$LISTEN"
BROKER_HOST=$host
BROKER_PORT=$port
# Nobody but iotjobsd logs in with a password: loopback only.
case $BROKER_HOST in
127.*|::1|localhost) ;;
*)
	echo "run: the password listener stays on loopback:" \
	    "127.0.0.1:$BROKER_PORT, not $LISTEN" >&2
	BROKER_HOST=127.0.0.1
	;;
esac
split_addr IOTJOBS_BROKER_TLS_LISTEN "$TLS_LISTEN"
TLS_HOST=$host
TLS_PORT=$port

# HOST:PORT answers: something else listens there.
in_use() {
	python3 -c "import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.5)" "$1" "$2" \
	    2>/dev/null
}

# Another make run (of another data folder) or service on our ports.
check_free() {
	! in_use "$1" "$2" ||
	    die "$1:$2 is in use (another make run, or another service):" \
	    "stop it, or choose other ports (see the top of scripts/run.sh)"
}
http_port=${http##*:}
http_connect=${http%:*}
case $http_connect in
0.0.0.0|'') http_connect=127.0.0.1 ;;
esac
check_free "$http_connect" "$http_port"
check_free "$BROKER_HOST" "$BROKER_PORT"
check_free 127.0.0.1 "$TLS_PORT"
[ -n "$has_tls_listen" ] || check_free 127.0.0.1 8443

mkdir -p "$DATA" "$BROKER_DIR"
chmod 0700 "$DATA" 2>/dev/null || true
DATA_ABS=$(cd "$DATA" && pwd)
BROKER_ABS=$DATA_ABS/mosquitto
SOCKET=$DATA_ABS/broker.sock

# iotjobsd's account in the broker's password file, created on first start.
prepare_account() {
	if [ ! -s "$BROKER_DIR/iotjobsd.password" ]; then
		(umask 077 && new_password >"$BROKER_DIR/iotjobsd.password")
		echo "run: created the broker account \"$USER_NAME\"" \
		    "($BROKER_DIR/iotjobsd.password)"
	fi
	: >"$BROKER_DIR/passwd"
	mosquitto_passwd -b "$BROKER_DIR/passwd" "$USER_NAME" \
	    "$(cat "$BROKER_DIR/iotjobsd.password")"
}

# The broker's server certificate: the one iotjobsd's CA issued
# (D/tls/broker.crt and broker.key, for the --broker-endpoint host,
# localhost and 127.0.0.1), copied for the broker's user.
copy_server_cert() {
	for ext in crt key; do
		[ -s "$DATA/tls/broker.$ext" ] ||
		    die "iotjobsd made no $DATA/tls/broker.$ext"
		(umask 077 && cp "$DATA/tls/broker.$ext" \
		    "$BROKER_DIR/server.$ext")
	done
}

# The shipped configuration, the lines marked "rewritten" moved here.
write_config() {
	awk -v plain="$BROKER_PORT $BROKER_HOST" -v tls="$TLS_PORT $TLS_HOST" \
	    -v dir="$BROKER_ABS" -v data="$DATA_ABS" -v sock="$SOCKET" \
	    -v plugin="$PLUGIN_ABS" -v region="$REGION" \
	    -v account="$ACCOUNT" '
	/^listener / { n++; print "listener " (n == 1 ? plain : tls); next }
	/^password_file / { print "password_file " dir "/passwd"; next }
	/^acl_file / { print "acl_file " dir "/acl"; next }
	/^plugin / { print "plugin " plugin; next }
	/^plugin_opt_socket / { print "plugin_opt_socket " sock; next }
	/^plugin_opt_region / { print "plugin_opt_region " region; next }
	/^plugin_opt_account / { print "plugin_opt_account " account; next }
	/^capath / { print "capath " data "/tls/broker-ca"; next }
	/^certfile / { print "certfile " dir "/server.crt"; next }
	/^keyfile / { print "keyfile " dir "/server.key"; next }
	{ print }' etc/mosquitto/mosquitto.conf >"$BROKER_DIR/mosquitto.conf"
	cp etc/mosquitto/acl "$BROKER_DIR/acl"
	# The broker's own (let_broker_in): nobody else's, the hashes least.
	chmod 0700 "$BROKER_DIR"
	chmod 0600 "$BROKER_DIR/mosquitto.conf" "$BROKER_DIR/acl" \
	    "$BROKER_DIR/passwd"
}

# Mosquitto run as root drops to the "mosquitto" user before it reads
# anything: it owns its own files; the data folder and tls/ it traverses
# (never lists), the broker socket and the CA folder it reaches, through
# its group, never as others (iotjobsd --broker-group does that).
broker_group() {
	[ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1 &&
	    id -gn mosquitto
}
let_broker_in() {
	[ -n "$(broker_group)" ] || return 0
	chown -R mosquitto "$BROKER_DIR"
	chown root "$BROKER_DIR/iotjobsd.password"
}

# The region and account of the ARNs: iotjobsd's.
REGION=${IOTJOBS_REGION:-us-east-1}
ACCOUNT=${IOTJOBS_ACCOUNT_ID:-123456789012}
prev=""
for a in "$@"; do
	case $prev in
	--region) REGION=$a ;;
	--account-id) ACCOUNT=$a ;;
	esac
	case $a in
	--region=*) REGION=${a#--region=} ;;
	--account-id=*) ACCOUNT=${a#--account-id=} ;;
	esac
	prev=$a
done

prepare_account
# What the lock's holder runs, for the second make run's one line.
info="make run (pid $$): iotjobsd on http://$http_connect:$http_port,"
info="$info Mosquitto on $BROKER_HOST:$BROKER_PORT and"
info="$info mqtts://$TLS_HOST:$TLS_PORT, data in $DATA_ABS"
echo "$info" >"$DATA/run.info"

broker_pid=""
daemon_pid=""
stop() {
	trap - INT TERM EXIT
	[ -z "$daemon_pid" ] || kill -TERM "$daemon_pid" 2>/dev/null || true
	[ -z "$daemon_pid" ] || wait "$daemon_pid" 2>/dev/null || true
	[ -z "$broker_pid" ] || kill -TERM "$broker_pid" 2>/dev/null || true
	[ -z "$broker_pid" ] || wait "$broker_pid" 2>/dev/null || true
	rm -f "$BROKER_DIR/mosquitto.pid" "$DATA/run.info"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

connect_host=$BROKER_HOST
[ "$connect_host" != localhost ] || connect_host=127.0.0.1
# iotjobsd first: the plugin needs its socket, the broker its CA folder.
# Its MQTT client connects when the broker is up (it retries).
endpoint_host=$TLS_HOST
case $endpoint_host in
0.0.0.0|::) endpoint_host=$(hostname) ;;
esac
IOTJOBS_BROKER_ENDPOINT=${IOTJOBS_BROKER_ENDPOINT:-$endpoint_host:$TLS_PORT} \
IOTJOBS_DATA_DIR=$DATA \
IOTJOBS_BROKER_SOCKET=$SOCKET \
IOTJOBS_BROKER_GROUP=$(broker_group || :) \
IOTJOBS_MQTT_USERNAME=$USER_NAME \
IOTJOBS_MQTT_PASSWORD=$(cat "$BROKER_DIR/iotjobsd.password") \
    "$IOTJOBSD" --mqtt "mqtt://$connect_host:$BROKER_PORT" "$@" &
daemon_pid=$!
wait_file -S "$SOCKET" "$daemon_pid" ||
    die "iotjobsd did not open its broker socket $SOCKET"
copy_server_cert
write_config
let_broker_in

"$(mosquitto_bin)" -c "$BROKER_DIR/mosquitto.conf" &
broker_pid=$!
echo "$broker_pid" >"$BROKER_DIR/mosquitto.pid"
wait_port "$connect_host" "$BROKER_PORT" "$broker_pid" ||
    die "mosquitto did not start listening on $BROKER_HOST:$BROKER_PORT"
# Both listeners open together (a TLS probe would only log an error).

http_host=${http%:*}
case $http_host in
0.0.0.0|'') http_host=127.0.0.1 ;;
esac
cat <<MSG
run: mosquitto: devices on mqtts://$TLS_HOST:$TLS_PORT with their certificate
run: the CA devices trust: $DATA_ABS/tls/ca.crt
run: provision a device (AWS API: thing, keys and certificate, policy):
  AWS_ENDPOINT_URL=http://$http_host:${http##*:} IOTJOBS_DATA_DIR=$DATA \\
      sh scripts/provision-device.sh THING_NAME
MSG

# A signal interrupts wait; the trap then stops both.
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
exit "$rc"
