#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Dynamic thing groups at a million things (make bench with
# BENCH_DYNAMIC=1): UpdateThing changing an indexed attribute without any
# dynamic group, the time CreateDynamicThingGroup takes to find its first
# members among BENCH_DYNAMIC_THINGS things (1,000,000), and UpdateThing
# again with dynamic groups to keep current. Prints figures; gates nothing.
#
# The fleet is written straight into the SQLite file of a stopped iotjobsd
# (bench/dyngroup/fleet.sql): a million CreateThing calls would take long.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_DYNAMIC_THINGS:-1000000}
U=${BENCH_DYNAMIC_UPDATES:-2000}
work=$(mktemp -d /tmp/iotjobs-bench-dyn-XXXXXX)
db=$work/data/iotjobs.db
log=$work/iotjobsd.log
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

export AWS_ACCESS_KEY_ID=AKIABENCH00000000001
export AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench
export IOTJOBS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export IOTJOBS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port

start() {
	build/iotjobsd --listen "127.0.0.1:$port" --data-dir "$work/data" \
		2>>"$log" &
	pid=$!
	for _ in $(seq 1 300); do
		python3 -c "import socket
socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null &&
			return 0
		sleep 0.1
	done
	echo "iotjobsd never listened; its log:" >&2
	cat "$log" >&2
	exit 1
}
stop() {
	kill "$pid"
	wait "$pid" || true
	pid=""
}
elapsed() {
	python3 -c "import time; print('%.1f' % (time.time() - $1))"
}
drive() {
	python3 bench/dyngroup/drive.py "$@"
}

echo "== dynamic thing groups benchmark ($(nproc) cores, $N things)"
start	# creates the store
stop
t0=$(date +%s.%N)
sqlite3 "$db" "CREATE TEMP TABLE fleet_n(v);
	INSERT INTO fleet_n VALUES ($N);" \
	".read bench/dyngroup/fleet.sql" >/dev/null
echo "-- fleet written into the store in $(elapsed "$t0") s" \
	"($(du -m "$db" | cut -f1) MB)"
start
drive update "$url" "$pid" "$log" "$N" "$U" "UpdateThing, no dynamic group:"
drive create "$url" "$pid" fw-1-0 "attributes.fw:1.0"
drive update "$url" "$pid" "$log" "$N" "$U" "UpdateThing, 1 dynamic group:"
drive create "$url" "$pid" site-42-new \
	"attributes.site:s042 AND attributes.fw > 1.5"
drive create "$url" "$pid" names "thingName:dyn-00000*"
for i in $(seq 1 7); do
	drive create "$url" "$pid" "more-$i" "attributes.site:s00$i" \
		>/dev/null
done
drive update "$url" "$pid" "$log" "$N" "$U" "UpdateThing, 10 dynamic groups:"
stop
