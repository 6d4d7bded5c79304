#!/bin/sh
# iotjobs thing import at fleet size (make bench): BENCH_IMPORT things
# (100,000) with two attributes and a group each, into a fresh iotjobsd,
# then the same file again (everything unchanged). Prints the seconds and
# things per second of each run; the target is 100,000 in under a minute.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_IMPORT:-100000}
PAR=${BENCH_IMPORT_PARALLEL:-4}
work=$(mktemp -d /tmp/iotjobs-import-XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export AWS_ACCESS_KEY_ID=AKIABENCH00000000001
export AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench
export IOTJOBS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export IOTJOBS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export IOTJOBS_ENDPOINT=http://127.0.0.1:$port
build/iotjobsd --listen "127.0.0.1:$port" --data-dir "$work/data" \
	2>"$work/iotjobsd.log" & pid=$!
for _ in $(seq 1 100); do
	build/iotjobs status >/dev/null 2>&1 && break
	sleep 0.1
done
python3 - "$work/fleet.csv" "$N" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("name,model,site,groups\n")
    for i in range(n):
        f.write("dev-%06d,m%d,s%d,fleet-%d\n" % (i, i % 7, i % 13, i % 4))
PY
echo "-- iotjobs thing import: $N things, --parallel $PAR"
for run in first again; do
	t0=$(date +%s.%N)
	build/iotjobs thing import "$work/fleet.csv" --parallel "$PAR" |
	    head -1
	t1=$(date +%s.%N)
	python3 -c "import sys; d=float(sys.argv[2])-float(sys.argv[1]); \
print('   %s run: %.1f s, %.0f things/s' % (sys.argv[4], d, int(sys.argv[3])/d))" \
	    "$t0" "$t1" "$N" "$run"
done
