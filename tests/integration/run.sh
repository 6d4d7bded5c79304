#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs every integration suite against $IOTJOBSD (absolute path), each with
# the real AWS clients: boto3 unittest suites under python3 on PATH and,
# when it is another interpreter with boto3, again under Debian's
# /usr/bin/python3 (boto3 1.26: the old-client matrix); the JS v3 suites
# with node --test; the AWS CLI scripts once per CLI found (aws on PATH,
# /usr/bin/aws). Each test boots its own daemon (see harness/).
#
#   make integration                  (builds, then runs this)
#   IOTJOBSD=$PWD/build/iotjobsd sh tests/integration/run.sh [py|py3|js|cli]...
#
# py3: the boto3 suites under python3 on PATH only (the store matrix:
# tests/pg/with_pg.sh runs them again on PostgreSQL).
#
# One test by hand:
#   PYTHONPATH=tests/integration IOTJOBSD=$PWD/build/iotjobsd \
#       python3 -m unittest -v tests/integration/py/test_smoke.py
#   IOTJOBSD=$PWD/build/iotjobsd node --test tests/integration/js/smoke.test.mjs
#
# Exits non-zero if any suite failed, naming the failed suites last.
# IOTJOBS_KEEP=1 keeps each daemon's folder (data + iotjobsd.log) in /tmp.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

case ${IOTJOBSD:-} in
/*)	;;
*)	echo "run.sh: set IOTJOBSD to the absolute path of iotjobsd" >&2
	exit 2 ;;
esac
if [ ! -x "$IOTJOBSD" ]; then
	echo "run.sh: $IOTJOBSD is not an executable" >&2
	exit 2
fi
export IOTJOBSD
export PYTHONPATH="$root/tests/integration${PYTHONPATH:+:$PYTHONPATH}"
# The suites boot their own daemons; a stray endpoint must not leak in.
unset IOTJOBS_ENDPOINT

kinds=${*:-py js cli}
passed=0
failed=0
failed_names=""

# suite NAME CMD...: runs one suite, keeping its own output.
suite() {
	name=$1
	shift
	echo
	echo "=== suite $name: $*"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== suite $name: passed"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "=== suite $name: FAILED"
	fi
}

has_boto3() {
	"$1" -c 'import boto3' >/dev/null 2>&1
}

# The interpreter a command name resolves to, to run each client once.
real_python() {
	"$1" -c 'import os, sys; print(os.path.realpath(sys.executable))' \
	    2>/dev/null
}

run_py() {
	py=$1
	label=$2
	ver=$("$py" -c 'import boto3, botocore, sys
print("python %d.%d boto3 %s botocore %s" % (sys.version_info[:2]
      + (boto3.__version__, botocore.__version__)))')
	echo
	echo "# $label: $ver"
	suite "py[$label]" "$py" -m unittest \
	    discover -v -s tests/integration/py -t tests/integration/py \
	    -p 'test_*.py'
}

py_suites() {
	if ! has_boto3 python3; then
		echo "run.sh: python3 on PATH has no boto3" >&2
		failed=$((failed + 1))
		failed_names="$failed_names py[python3]"
		return
	fi
	run_py python3 python3
	if [ -x /usr/bin/python3 ] && has_boto3 /usr/bin/python3 &&
	    [ "$(real_python python3)" != "$(real_python /usr/bin/python3)" ]
	then
		run_py /usr/bin/python3 /usr/bin/python3
	fi
}

js_suites() {
	if [ ! -d node_modules/@aws-sdk ]; then
		echo "run.sh: node_modules missing: run make deps" >&2
		failed=$((failed + 1))
		failed_names="$failed_names js"
		return
	fi
	# The pinned SDK warns that later releases will need node 22.
	suite js env AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
	    node --test tests/integration/js/
}

cli_suites() {
	clis=""
	seen=""
	for c in "$(command -v aws 2>/dev/null)" /usr/bin/aws; do
		[ -n "$c" ] && [ -x "$c" ] || continue
		# A pyenv shim and the CLI it runs differ in path, not in
		# version: tell CLIs apart by what they report.
		v=$("$c" --version 2>&1 | cut -d' ' -f1)
		case " $seen " in
		*" $v "*) continue ;;
		esac
		seen="$seen $v"
		clis="$clis $c"
	done
	if [ -z "$clis" ]; then
		echo "run.sh: no aws CLI found" >&2
		failed=$((failed + 1))
		failed_names="$failed_names cli"
		return
	fi
	for c in $clis; do
		for t in tests/integration/cli/*.sh; do
			[ -f "$t" ] || continue
			suite "cli[$c $(basename "$t")]" env AWS="$c" \
			    python3 tests/integration/harness/with_daemon.py \
			    sh "$t"
		done
	done
}

for k in $kinds; do
	case $k in
	py)	py_suites ;;
	py3)	if has_boto3 python3; then run_py python3 python3
		else failed=$((failed + 1)); failed_names="$failed_names py3"
		fi ;;
	js)	js_suites ;;
	cli)	cli_suites ;;
	*)	echo "run.sh: unknown suite kind '$k' (py, py3, js, cli)" >&2
		exit 2 ;;
	esac
done

echo
echo "suites: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "integration: FAILED:$failed_names"
	exit 1
fi
