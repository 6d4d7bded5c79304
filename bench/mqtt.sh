#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# MQTT figures (make bench with BENCH_MQTT=1, or alone): a local Mosquitto
# with the shipped configuration and iotjobsd on it, then
# bench/mqtt_devices.mjs: the time from CreateJob until all of
# BENCH_DEVICES (10,000) connected devices have their notify-next, the
# broker's own publish->deliver rate and iotjobsd's device round trips
# (start-next, update SUCCEEDED) in the same run, each with the CPU time
# iotjobsd, the broker and the load generator spent per message or round
# trip. Prints numbers; never fails on a timing.
set -eu
cd "$(dirname "$0")/.."
DEVICES=${BENCH_DEVICES:-10000}
export BENCH_DEVICES=$DEVICES
export BENCH_RT_DEVICES=${BENCH_RT_DEVICES:-64}
export BENCH_SECONDS=${BENCH_SECONDS:-5}
export BENCH_RT_JOBS=${BENCH_RT_JOBS:-600}

# 10,000 device sockets in the broker and in the node process, plus
# iotjobsd's own: raise the open-file limit for all three.
need=$((DEVICES * 2 + 4096))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)" ||
	    echo "mqtt bench: open files limited to $(ulimit -n)" >&2
fi

work=$(mktemp -d /tmp/iotjobs-mqtt-bench-XXXXXX)
chmod 0755 "$work"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
	for _ in $(seq 1 100); do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "port $1 never opened" >&2; exit 1
}
mosquitto_bin() {
	for p in /usr/sbin/mosquitto /usr/bin/mosquitto; do
		[ -x "$p" ] && { echo "$p"; return; }
	done
	echo mosquitto
}
# The plain password list into the broker's hashed file, then reload.
passwords() {
	cp "$work/passwd.plain" "$work/passwd"
	mosquitto_passwd -U "$work/passwd"
	chmod 0644 "$work/passwd"
	[ -z "${broker_pid:-}" ] || kill -HUP "$broker_pid"
}

echo "== iotjobs MQTT benchmark ($(nproc) cores, $DEVICES devices," \
    "open files $(ulimit -n))"

mport=$(free_port)
sed -e "s|^listener .*|listener $mport 127.0.0.1|" \
    -e "s|^password_file .*|password_file $work/passwd|" \
    -e "s|^acl_file .*|acl_file $work/acl|" \
    tests/integration/harness/mosquitto/password.conf >"$work/mosquitto.conf"
cp tests/integration/harness/mosquitto/acl "$work/acl"
chmod 0644 "$work/mosquitto.conf" "$work/acl"
export BENCH_IOTJOBSD_PASSWORD=bench-iotjobsd
echo "iotjobsd:$BENCH_IOTJOBSD_PASSWORD" >"$work/passwd.plain"
passwords
"$(mosquitto_bin)" -c "$work/mosquitto.conf" 2>"$work/mosquitto.log" &
broker_pid=$!
pids="$pids $broker_pid"
wait_port "$mport"

export AWS_ACCESS_KEY_ID=AKIABENCH00000000001
export AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench
export IOTJOBS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export IOTJOBS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
hport=$(free_port)
IOTJOBS_MQTT_PASSWORD=$BENCH_IOTJOBSD_PASSWORD build/iotjobsd \
	--listen "127.0.0.1:$hport" --data-dir "$work/data" \
	--mqtt "mqtt://127.0.0.1:$mport" --mqtt-username iotjobsd \
	2>"$work/iotjobsd.log" &
iotjobsd_pid=$!
pids="$pids $iotjobsd_pid"
wait_port "$hport"

export BENCH_HTTP="http://127.0.0.1:$hport"
export BENCH_MQTT_URL="mqtt://127.0.0.1:$mport"
export BENCH_PASSWD="$work/passwd.plain"
# For the CPU time each process spends per message or round trip.
export BENCH_IOTJOBSD_PID=$iotjobsd_pid BENCH_BROKER_PID=$broker_pid
export BENCH_CLK_TCK=$(getconf CLK_TCK)
node --no-warnings bench/mqtt_devices.mjs fleet
passwords
sleep 1
node --no-warnings bench/mqtt_devices.mjs run
