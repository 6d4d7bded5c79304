#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Error paths as an AWS CLI ($AWS, default `aws`) user sees them: for each
# refused request, the exit status the CLI gives a service error (255 for
# CLI v1, 254 for CLI v2), the line `An error occurred (CODE) when calling
# the OPERATION operation` on stderr, and the HTTP status the CLI received
# (read from its --debug log) as the AWS model gives it for that error.
#
# Prints one `ok - ...` / `not ok - ...` line per check and `N passed, M
# failed` last; exits non-zero if any check failed. run.sh runs it once per
# CLI found (pyenv v1, Debian v2, which signs the control plane as
# execute-api). Standalone it boots its own daemon through
# harness/with_daemon.py, which stops it with SIGTERM afterwards and fails
# unless it exits 0.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IOTJOBS_ENDPOINT:-}" ]; then
	exec python3 "$here/../harness/with_daemon.py" sh "$0" "$@"
fi

AWS=${AWS:-aws}
ep=$IOTJOBS_ENDPOINT
arn=arn:aws:iot:us-east-1:123456789012
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

# not_ok NAME: a failed check, with the last command's output as comments
# (the --debug log cut to the response status and the error lines).
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	sed 's/^/#   /' "$tmp/out"
	grep -e 'HTTP/1.1" [0-9]' -e 'An error occurred' -e '^[a-z]*Error' \
	    "$tmp/err" | sed 's/^/#   /'
}

# run ARGS...: the CLI with JSON output into $tmp/out, stderr to $tmp/err.
run() {
	"$AWS" --endpoint-url "$ep" --output json "$@" \
	    >"$tmp/out" 2>"$tmp/err"
}

# step NAME ARGS...: a set-up command; a failure is a failed check NAME.
step() {
	name=$1
	shift
	run "$@" && return 0
	rc=$?
	not_ok "$name (exit $rc)"
	return 1
}

echo "# $("$AWS" --version 2>&1)"
# The exit status for "the service answered with an error".
case $("$AWS" --version 2>&1) in
aws-cli/1.*)	service_rc=255 ;;
*)		service_rc=254 ;;
esac

# fails NAME STATUS CODE OPERATION ARGS...: the CLI must exit $service_rc,
# print AWS's error line for CODE and OPERATION, and have received HTTP
# STATUS (not checked when STATUS is -).
fails() {
	name=$1
	status=$2
	code=$3
	op=$4
	shift 4
	run --debug "$@"
	rc=$?
	line="An error occurred ($code) when calling the $op operation"
	why=""
	if [ "$rc" -ne "$service_rc" ]; then
		why="exit $rc, expected $service_rc"
	elif ! grep -qF "$line" "$tmp/err"; then
		why="no '$line'"
	elif [ "$status" != - ] &&
	    ! grep -q "HTTP/1.1\" $status " "$tmp/err"; then
		why="HTTP status is not $status"
	fi
	if [ -z "$why" ]; then
		ok "$name: $code ($status)"
	else
		: >"$tmp/out"
		not_ok "$name: $why"
	fi
}

s=$$
e1=err-$s-1
e2=err-$s-2
job=err-job-$s

# --- missing resources --------------------------------------------------

fails "describe-job of a missing job" 404 ResourceNotFoundException \
    DescribeJob iot describe-job --job-id "missing-$s"
fails "describe-thing of a missing thing" 404 ResourceNotFoundException \
    DescribeThing iot describe-thing --thing-name "missing-$s"

# --- duplicates and invalid transitions ---------------------------------

step "create-thing $e1" iot create-thing --thing-name "$e1"
step "create-thing $e2" iot create-thing --thing-name "$e2"
step "create-job" iot create-job --job-id "$job" \
    --targets "$arn:thing/$e1" "$arn:thing/$e2" --document '{"op":"e"}'

fails "data-plane describe-job-execution of a missing job" 404 \
    ResourceNotFoundException DescribeJobExecution \
    iot-jobs-data describe-job-execution --thing-name "$e1" \
    --job-id "missing-$s"
fails "create-job with an existing jobId" 409 \
    ResourceAlreadyExistsException CreateJob \
    iot create-job --job-id "$job" --targets "$arn:thing/$e1" \
    --document '{"op":"again"}'

step "$e1: start-next-pending-job-execution" iot-jobs-data \
    start-next-pending-job-execution --thing-name "$e1"
step "$e1: update-job-execution SUCCEEDED" iot-jobs-data \
    update-job-execution --thing-name "$e1" --job-id "$job" \
    --status SUCCEEDED
fails "update-job-execution SUCCEEDED a second time" 409 \
    InvalidStateTransitionException UpdateJobExecution \
    iot-jobs-data update-job-execution --thing-name "$e1" --job-id "$job" \
    --status SUCCEEDED
fails "cancel-job-execution of a SUCCEEDED execution" 409 \
    InvalidStateTransitionException CancelJobExecution \
    iot cancel-job-execution --thing-name "$e1" --job-id "$job"

step "$e2: start-next-pending-job-execution" iot-jobs-data \
    start-next-pending-job-execution --thing-name "$e2"
fails "cancel-job-execution of an IN_PROGRESS execution without --force" \
    409 InvalidStateTransitionException CancelJobExecution \
    iot cancel-job-execution --thing-name "$e2" --job-id "$job"
fails "delete-job of an IN_PROGRESS job without --force" 409 \
    InvalidStateTransitionException DeleteJob \
    iot delete-job --job-id "$job"

fails "update-thing at a stale expected version" 409 \
    VersionConflictException UpdateThing \
    iot update-thing --thing-name "$e1" --expected-version 7 \
    --attribute-payload '{"attributes":{"k":"v"}}'

# --- invalid input ------------------------------------------------------

fails "create-thing named with a space" 400 InvalidRequestException \
    CreateThing iot create-thing --thing-name "bad name"
fails "get-pending-job-executions of a name with a space" 400 \
    InvalidRequestException GetPendingJobExecutions \
    iot-jobs-data get-pending-job-executions --thing-name "bad name"

# --- authentication -----------------------------------------------------

# The variable is exported (the credentials come from the environment).
good_secret=$AWS_SECRET_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
fails "control plane with a wrong secret key" 403 \
    InvalidSignatureException ListJobs iot list-jobs
fails "data plane with a wrong secret key" 403 \
    InvalidSignatureException GetPendingJobExecutions \
    iot-jobs-data get-pending-job-executions --thing-name "$e1"
AWS_SECRET_ACCESS_KEY=$good_secret

# --- operations outside the implemented subset --------------------------

fails "list-ota-updates" - NotImplementedException ListOTAUpdates \
    iot list-ota-updates

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
