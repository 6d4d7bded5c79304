#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The PostgreSQL benchmark (make bench; BENCH_PG=0 skips it): on a private
# server of Debian's PostgreSQL (tests/pg/pg.sh, a temporary folder, a Unix
# socket), the server's own raw committed single-row UPDATEs through 1 and
# 16 connections (the ceiling), then one, two and three iotjobsd nodes on
# one store: signed GetPendingJobExecutions and durable device round trips
# (StartNext, then UpdateJobExecution SUCCEEDED) from BENCH_CONNS devices
# (64) split over the nodes, each node's load at once; last, CreateJob for
# BENCH_PG_THINGS things (1,000,000) in a group on a three-node cluster,
# with every node's RSS. Prints figures; gates nothing.
set -eu
cd "$(dirname "$0")/.."
B=build/bench
SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-64}
JOBS=${BENCH_PG_JOBS:-600}
N=${BENCH_PG_THINGS:-1000000}
work=$(mktemp -d /tmp/iotjobs-bench-pg-XXXXXX)
# The server's folder: its own, as pg.sh hands it to the user postgres.
pgdir=$(mktemp -d /tmp/iotjobs-bench-pgdata-XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	sh tests/pg/pg.sh stop "$pgdir" 2>/dev/null || true
	rm -rf "$work" "$pgdir"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
	for _ in $(seq 1 300); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "port $1 never opened" >&2; exit 1
}
elapsed() {
	python3 -c "import time; print('%.1f' % (time.time() - $1))"
}
# field NAME LINE...: the value of NAME=... in the lines, summed.
field() {
	name=$1
	shift
	printf '%s\n' "$@" | sed -n "s/.* $name=\([0-9]*\).*/\1/p" |
	    awk '{ s += $1 } END { printf "%d", s }'
}

url=$(sh tests/pg/pg.sh start "$pgdir")
echo "== PostgreSQL benchmark ($(nproc) cores, $CONNS devices," \
    "${SECONDS_EACH}s each; $("$(pg_config --bindir 2>/dev/null ||
    ls -d /usr/lib/postgresql/*/bin | tail -1)/postgres" --version))"
echo "-- ceiling: PostgreSQL raw committed updates (synchronous_commit on)"
$B/pg_raw "$url" "$SECONDS_EACH"

export AWS_ACCESS_KEY_ID=AKIABENCH00000000001
export AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench
export IOTJOBS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export IOTJOBS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY

# cluster NAME COUNT [ARGS...]: COUNT nodes on the store NAME (a schema
# of its own), one data folder; their ports in $ports, pids in $nodes.
cluster() {
	name=$1
	count=$2
	shift 2
	ports=""
	nodes=""
	mkdir -p "$work/$name"
	for k in $(seq 1 "$count"); do
		port=$(free_port)
		build/iotjobsd --listen "127.0.0.1:$port" \
		    --data-dir "$work/$name" \
		    --store "$url&options=-csearch_path%3D$name" "$@" \
		    2>>"$work/$name/iotjobsd-$k.log" &
		pids="$pids $!"
		nodes="$nodes $!"
		ports="$ports $port"
		wait_port "$port"
	done
}
stop_cluster() {
	for p in $nodes; do kill "$p" 2>/dev/null || true; done
	for p in $nodes; do wait "$p" 2>/dev/null || true; done
}

# load MODE PER_NODE: MODE's load on every node at once, each node's
# devices of its own; prints the sum and the slowest node's p99.
load() {
	mode=$1
	per=$2
	k=0
	for port in $ports; do
		k=$((k + 1))
		$B/iotjobs-load "$mode" "$port" "$per" "$SECONDS_EACH" \
		    "bench-n$k-" >"$work/load-$k.out" &
		loads="$loads $!"
	done
	wait_loads
	outs=$(cat "$work"/load-*.out)
	rm -f "$work"/load-*.out
	printf '%s\n' "$outs" | sed 's/^/   /'
	echo "   sum: req_per_s=$(field req_per_s "$outs")$(
	    [ "$mode" = roundtrip ] && echo " round_trips_per_s=$(field \
	    round_trips_per_s "$outs")")"
}
loads=""
wait_loads() {
	for j in $loads; do wait "$j"; done
	loads=""
}

for n in 1 2 3; do
	per=$((CONNS / n))
	echo "-- $n node(s) on one PostgreSQL: $per devices a node," \
	    "$JOBS jobs each"
	cluster "bench_n$n" "$n"
	k=0
	for port in $ports; do
		k=$((k + 1))
		python3 bench/setup.py "http://127.0.0.1:$port" "$per" "$JOBS" \
		    "bench-n$k-" "bench-fleet-$k" &
		loads="$loads $!"
	done
	wait_loads
	echo "   signed GetPendingJobExecutions:"
	load get "$per"
	echo "   device round trips (StartNext, then Update SUCCEEDED):"
	load roundtrip "$per"
	stop_cluster
done

if [ "$N" != 0 ]; then
	echo "-- CreateJob for $N things on three nodes"
	cluster bench_1m 1 --test-clock
	stop_cluster
	t0=$(date +%s.%N)
	psql "$url&options=-csearch_path%3Dbench_1m" -X -q -v ON_ERROR_STOP=1 \
	    -v n="$N" -f bench/engine/fleet_pg.sql >/dev/null
	echo "   fleet written into the store in $(elapsed "$t0") s"
	cluster bench_1m 3 --test-clock
	first=$(echo $ports | cut -d' ' -f1)
	python3 bench/engine/drive.py create "http://127.0.0.1:$first" \
	    "$(echo $nodes | cut -d' ' -f1)" "$N"
	for p in $nodes; do
		grep -E '^(VmRSS|VmHWM)' "/proc/$p/status" | tr -s ' \t' ' ' |
		    tr '\n' ' ' | sed "s/^/   node $p: /"
		echo
	done
	stop_cluster
fi
