#!/bin/sh
# Runs CMD... with a private PostgreSQL server (pg.sh) started for it in a
# new temporary folder, its store URL in IOTJOBS_TEST_PG; stops the server
# and removes the folder afterwards, whatever CMD's outcome, which is this
# script's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/iotjobs-pg-XXXXXX)
stop() {
	sh "$here/pg.sh" stop "$dir" 2>/dev/null || true
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM
IOTJOBS_TEST_PG=$(sh "$here/pg.sh" start "$dir")
export IOTJOBS_TEST_PG
export IOTJOBS_TEST_PG_DIR="$dir"
rc=0
"$@" || rc=$?
exit $rc
