#!/bin/sh
# make bench: figures for iotjobsd beside ceilings measured in the same run
# on the same machine. Prints numbers; never fails on a timing.
set -eu
cd "$(dirname "$0")/.."
B=build/bench
SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-64}
JOBS=${BENCH_JOBS:-600}
work=$(mktemp -d /tmp/iotjobs-bench-XXXXXX)
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

echo "== iotjobs benchmark ($(nproc) cores, $CONNS connections, ${SECONDS_EACH}s each)"

# Ceiling for reads: bare libmicrohttpd, same threading.
port=$(free_port)
$B/bare "$port" 4 & pids="$pids $!"; bare_pid=$!
wait_port "$port"
echo "-- ceiling: bare libmicrohttpd reply"
$B/iotjobs-load bare "$port" "$CONNS" "$SECONDS_EACH"
kill "$bare_pid"; wait "$bare_pid" 2>/dev/null || true

# Ceiling for writes: SQLite's raw committed updates.
echo "-- ceiling: SQLite WAL synchronous=FULL"
$B/sqlite_raw "$work" 3

# The policy evaluator beside a strcmp loop over the same statements.
echo "-- policy evaluator (ceiling: strcmp over the same statements)"
$B/policy

# What each dynamic thing group adds to a thing change: one parse and one
# evaluation of its query (bench/thing_query.c).
echo "-- dynamic group queries: parse and match per thing change"
$B/thing_query

# iotjobsd.
export AWS_ACCESS_KEY_ID=AKIABENCH00000000001
export AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench
export IOTJOBS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export IOTJOBS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
port=$(free_port)
tls_port=$(free_port)
build/iotjobsd --listen "127.0.0.1:$port" --data-dir "$work/data" \
	--tls-listen "127.0.0.1:$tls_port" \
	2>"$work/iotjobsd.log" & pids="$pids $!"
wait_port "$port"
echo "-- setup: $CONNS things in a group, $JOBS jobs for the group"
python3 bench/setup.py "http://127.0.0.1:$port" "$CONNS" "$JOBS"
echo "-- iotjobsd: signed GetPendingJobExecutions"
$B/iotjobs-load get "$port" "$CONNS" "$SECONDS_EACH"
echo "-- iotjobsd: device round trips (StartNext, then Update SUCCEEDED)"
$B/iotjobs-load roundtrip "$port" "$CONNS" "$SECONDS_EACH"

# HTTPS with client certificates: one provisioned device on iotjobsd's
# HTTPS listener, beside bare libmicrohttpd over TLS with the same
# certificates (the ceiling: a handshake and a fixed reply, nothing else).
TLS_THREADS=${BENCH_TLS_THREADS:-16}
python3 bench/provision.py "http://127.0.0.1:$port" "$work"
ca="$work/data/tls/ca.crt"
bare_tls=$(free_port)
$B/bare "$bare_tls" 4 "$work/data/tls/https.crt" "$work/data/tls/https.key" \
	"$ca" & pids="$pids $!"; bare_pid=$!
wait_port "$bare_tls"
echo "-- ceiling: bare libmicrohttpd over TLS, client certificate"
$B/iotjobs-tls-load handshakes "$bare_tls" "$TLS_THREADS" "$SECONDS_EACH" \
	"$ca" "$work/device.crt" "$work/device.key" /
$B/iotjobs-tls-load get "$bare_tls" "$TLS_THREADS" "$SECONDS_EACH" \
	"$ca" "$work/device.crt" "$work/device.key" /
kill "$bare_pid"; wait "$bare_pid" 2>/dev/null || true
echo "-- iotjobsd: GetPendingJobExecutions over HTTPS, certificate principal"
$B/iotjobs-tls-load handshakes "$tls_port" "$TLS_THREADS" "$SECONDS_EACH" \
	"$ca" "$work/device.crt" "$work/device.key" /things/bench-thing-0/jobs
$B/iotjobs-tls-load get "$tls_port" "$TLS_THREADS" "$SECONDS_EACH" \
	"$ca" "$work/device.crt" "$work/device.key" /things/bench-thing-0/jobs

# Hostile load (bench/README.md, Hardening): a daemon of its own without a
# per-address limit, so that one address really holds the whole flood.
FLOOD_SECONDS=${BENCH_FLOOD_SECONDS:-12}
hport=$(free_port)
build/iotjobsd --listen "127.0.0.1:$hport" --data-dir "$work/hdata" \
	--per-address-limit 0 2>"$work/hardening.log" & pids="$pids $!"
hpid=$!
wait_port "$hport"
echo "-- hardening: signed ListThings on new connections, no flood"
$B/iotjobs-flood flood "$hport" 0 0 5
echo "-- hardening: the same with 5,000 slow-header and 5,000 idle" \
    "connections held from 127.0.0.2"
$B/iotjobs-flood flood "$hport" 5000 5000 "$FLOOD_SECONDS"
echo "-- hardening: 4,096 unauthenticated bodies of 1 MB at once"
$B/iotjobs-flood bodies "$hport" 4096 "$hpid"
kill "$hpid"; wait "$hpid" 2>/dev/null || true

# The operator's bulk import: 100,000 things (bench/import.sh).
if [ "${BENCH_IMPORT:-100000}" != 0 ]; then
	sh bench/import.sh
fi

# PostgreSQL: its raw ceiling, one to three nodes, CreateJob for a
# million things (bench/pg.sh; BENCH_PG=0 skips it).
if [ "${BENCH_PG:-1}" != 0 ]; then
	sh bench/pg.sh
fi

# The job engine at a million things: opt in, it takes minutes and ~1 GB
# of disk (bench/engine.sh).
if [ "${BENCH_ENGINE:-0}" = 1 ]; then
	sh bench/engine.sh
fi

# Dynamic thing groups at a million things: opt in, it takes a minute or
# two and ~300 MB of disk (bench/dyngroup.sh).
if [ "${BENCH_DYNAMIC:-0}" = 1 ]; then
	sh bench/dyngroup.sh
fi

# MQTT: 10,000 device connections to a local Mosquitto (bench/mqtt.sh).
if [ "${BENCH_MQTT:-0}" = 1 ]; then
	sh bench/mqtt.sh
fi
