#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The job engine's benchmark (make bench with BENCH_ENGINE=1): CreateJob
# for a group of BENCH_ENGINE_THINGS things (1,000,000) and its rollout,
# then the scheduler with that many armed timers: its idle CPU and a test
# clock advance that expires all of them. Prints time and the daemon's
# RSS (VmRSS, peak VmHWM); gates nothing.
#
# The fleet is written straight into the SQLite file of a stopped iotjobsd
# (bench/engine/fleet.sql), the timers likewise (bench/engine/timers.sql):
# a million CreateThing calls, or StartNext calls, would take too long.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_ENGINE_THINGS:-1000000}
IDLE=${BENCH_ENGINE_IDLE:-10}
work=$(mktemp -d /tmp/iotjobs-bench-engine-XXXXXX)
db=$work/data/iotjobs.db
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
		--test-clock 2>>"$work/iotjobsd.log" &
	pid=$!
	for _ in $(seq 1 300); do
		python3 -c "import socket
socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null &&
			return 0
		sleep 0.1
	done
	echo "iotjobsd never listened; its log:" >&2
	cat "$work/iotjobsd.log" >&2
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

echo "== job engine benchmark ($(nproc) cores, $N things)"
start	# creates the store
stop
t0=$(date +%s.%N)
sqlite3 "$db" "CREATE TEMP TABLE fleet_n(v);
	INSERT INTO fleet_n VALUES ($N);" \
	".read bench/engine/fleet.sql" >/dev/null
mb=$(du -m "$db" | cut -f1)
echo "-- fleet written into the store in $(elapsed "$t0") s ($mb MB)"

echo "-- CreateJob (SNAPSHOT, the group, no rollout rate)"
start
python3 bench/engine/drive.py create "$url" "$pid" "$N"
now=$(python3 bench/engine/drive.py now "$url")
stop

echo "-- scheduler: $N armed in-progress timers"
t0=$(date +%s.%N)
sqlite3 "$db" "CREATE TEMP TABLE timer_at(v);
	INSERT INTO timer_at VALUES ($now + 3600);" \
	".read bench/engine/timers.sql" >/dev/null
echo "   (armed in the store in $(elapsed "$t0") s)"
start
python3 bench/engine/drive.py timers "$url" "$pid" "$N" "$IDLE"
stop
