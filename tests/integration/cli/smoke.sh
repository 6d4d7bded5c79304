#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Smoke test with the AWS CLI ($AWS, default `aws`): both planes on one
# endpoint, credentials from the environment. run.sh runs it once per CLI
# found (pyenv v1, Debian v2, which signs the control plane execute-api).
# Standalone, it boots its own daemon through harness/with_daemon.py.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IOTJOBS_ENDPOINT:-}" ]; then
	exec python3 "$here/../harness/with_daemon.py" sh "$0" "$@"
fi

AWS=${AWS:-aws}
ep=$IOTJOBS_ENDPOINT
account=123456789012
region=us-east-1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err"
}

# json_get FILE EXPR: prints EXPR evaluated on the JSON in FILE (as `d`).
json_get() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$1" "$2"
}

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		echo "#   expected: $2" >"$tmp/err"
		echo "#   actual:   $3" >>"$tmp/err"
		: >"$tmp/out"
		not_ok "$1"
	fi
}

# run ARGS...: the CLI with JSON output into $tmp/out, stderr to $tmp/err.
run() {
	"$AWS" --endpoint-url "$ep" --output json "$@" \
	    >"$tmp/out" 2>"$tmp/err"
}

echo "# $("$AWS" --version 2>&1)"
thing=cli-smoke-$$-$(date +%s)
arn=arn:aws:iot:$region:$account:thing/$thing

if run iot create-thing --thing-name "$thing"; then
	check "create-thing returns thingName" "$thing" \
	    "$(json_get "$tmp/out" 'd["thingName"]')"
	check "create-thing returns thingArn" "$arn" \
	    "$(json_get "$tmp/out" 'd["thingArn"]')"
else
	not_ok "create-thing"
fi

if run iot describe-thing --thing-name "$thing"; then
	check "describe-thing returns thingName" "$thing" \
	    "$(json_get "$tmp/out" 'd["thingName"]')"
	check "describe-thing returns thingArn" "$arn" \
	    "$(json_get "$tmp/out" 'd["thingArn"]')"
else
	not_ok "describe-thing"
fi

if run iot describe-thing --thing-name "$thing-missing"; then
	not_ok "describe-thing of a missing thing fails"
elif grep -q '(ResourceNotFoundException)' "$tmp/err"; then
	ok "describe-thing of a missing thing is ResourceNotFoundException"
else
	not_ok "describe-thing of a missing thing is ResourceNotFoundException"
fi

if run iot-jobs-data get-pending-job-executions --thing-name "$thing"; then
	check "get-pending-job-executions of an idle thing is empty" "0 0" \
	    "$(json_get "$tmp/out" \
	    '"%d %d" % (len(d.get("inProgressJobs", [])), len(d.get("queuedJobs", [])))')"
else
	not_ok "get-pending-job-executions"
fi

bad_secret=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
if (export AWS_SECRET_ACCESS_KEY=$bad_secret
    run iot-jobs-data get-pending-job-executions --thing-name "$thing"); then
	not_ok "a wrong secret is refused"
elif grep -q '(InvalidSignatureException)' "$tmp/err"; then
	ok "a wrong secret is InvalidSignatureException"
else
	not_ok "a wrong secret is InvalidSignatureException"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
