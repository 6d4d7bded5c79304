#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# A whole job through the AWS CLI ($AWS, default `aws`), as a fleet operator
# and its devices run it: things in a group, a SNAPSHOT job rolled out to
# the group and driven to COMPLETED by each device over iot-jobs-data, the
# control-plane views of the executions, a job canceled with force, a job
# deleted with force, one execution canceled and deleted, the thing and
# thing-group commands, and a CONTINUOUS job given a second target group.
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
account=123456789012
region=us-east-1
arn=arn:aws:iot:$region:$account
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

# fail NAME: a failed check, explained by the comment lines that follow.
fail() {
	failed=$((failed + 1))
	echo "not ok - $1"
}

# not_ok NAME: a failed check, with the last command's output as comments.
not_ok() {
	fail "$1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err"
}

# run ARGS...: the CLI with JSON output into $tmp/out, stderr to $tmp/err.
run() {
	"$AWS" --endpoint-url "$ep" --output json "$@" \
	    >"$tmp/out" 2>"$tmp/err"
}

# step NAME ARGS...: runs the CLI; a failure is a failed check NAME.
step() {
	name=$1
	shift
	run "$@" && return 0
	rc=$?
	not_ok "$name (exit $rc)"
	return 1
}

# get EXPR: EXPR evaluated on the JSON of the last command (as `d`), with
# `doc` the job document; a missing member prints an error marker.
get() {
	python3 -c 'import json, sys
try:
	d = json.load(open(sys.argv[1]))
	v = eval(sys.argv[2], {"d": d, "doc": sys.argv[3]})
except Exception as e:
	v = "<%s: %s>" % (type(e).__name__, e)
print(v)' "$tmp/out" "$1" "$doc"
}

# check NAME EXPR EXPECTED: EXPR on the last command's JSON is EXPECTED.
check() {
	actual=$(get "$2")
	if [ "$actual" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		echo "#   $(printf '%s' "$2" | tr -s ' \t\n' ' ')"
		echo "#   expected: $3"
		echo "#   actual:   $actual"
	fi
}

# fails NAME CODE ARGS...: the CLI must fail with AWS error code CODE.
fails() {
	name=$1
	code=$2
	shift 2
	if run "$@"; then
		not_ok "$name: succeeded, expected $code"
	elif grep -q "An error occurred ($code)" "$tmp/err"; then
		ok "$name"
	else
		not_ok "$name: expected $code"
	fi
}

echo "# $("$AWS" --version 2>&1)"
s=$$
group=fleet-$s
group_arn=$arn:thinggroup/$group
t1=dev-$s-1
t2=dev-$s-2
t3=dev-$s-3
j1=fw-$s-1
doc='{"operation": "install",  "files": [{"url": "https://example.com/fw.bin", "size": 1024}],
 "note": "café \u00e9 \"v2\""}'

# --- the fleet ------------------------------------------------------------

for t in "$t1" "$t2" "$t3"; do
	model=m1
	[ "$t" = "$t3" ] && model=m2
	if step "create-thing $t" iot create-thing --thing-name "$t" \
	    --attribute-payload "{\"attributes\":{\"model\":\"$model\"}}"; then
		check "create-thing $t returns its ARN" 'd["thingArn"]' \
		    "$arn:thing/$t"
	fi
done

if step "create-thing-group" iot create-thing-group \
    --thing-group-name "$group" \
    --thing-group-properties thingGroupDescription=rollout; then
	check "create-thing-group returns its ARN" 'd["thingGroupArn"]' \
	    "$group_arn"
fi

n=0
for t in "$t1" "$t2" "$t3"; do
	run iot add-thing-to-thing-group --thing-group-name "$group" \
	    --thing-name "$t" && n=$((n + 1))
done
if [ "$n" -eq 3 ]; then
	ok "add-thing-to-thing-group adds the three things"
else
	not_ok "add-thing-to-thing-group adds the three things ($n of 3)"
fi

garn=""
if step "describe-thing-group" iot describe-thing-group \
    --thing-group-name "$group"; then
	check "describe-thing-group: name, ARN, description, version" \
	    '(d["thingGroupName"], d["thingGroupArn"],
	    d["thingGroupProperties"]["thingGroupDescription"], d["version"])' \
	    "('$group', '$group_arn', 'rollout', 1)"
	garn=$(get 'd["thingGroupArn"]')
fi

# --- the job, as the operator sees it -----------------------------------

if step "create-job" iot create-job --job-id "$j1" --targets "$garn" \
    --document "$doc" --description "firmware 2"; then
	check "create-job returns jobId and jobArn" '(d["jobId"], d["jobArn"])' \
	    "('$j1', '$arn:job/$j1')"
fi

if step "describe-job" iot describe-job --job-id "$j1"; then
	check "describe-job: IN_PROGRESS SNAPSHOT job on the group" \
	    '(d["job"]["status"], d["job"]["targetSelection"],
	    d["job"]["targets"], d["job"]["description"])' \
	    "('IN_PROGRESS', 'SNAPSHOT', ['$group_arn'], 'firmware 2')"
	check "describe-job: numberOfQueuedThings 3" \
	    'd["job"]["jobProcessDetails"]["numberOfQueuedThings"]' 3
fi

if step "list-jobs" iot list-jobs; then
	check "list-jobs lists the job IN_PROGRESS" \
	    '[(j["jobArn"], j["status"]) for j in d["jobs"]
	    if j["jobId"] == "'"$j1"'"]' \
	    "[('$arn:job/$j1', 'IN_PROGRESS')]"
fi

if step "get-job-document" iot get-job-document --job-id "$j1"; then
	check "get-job-document returns the document verbatim" \
	    'd["document"] == doc' True
fi

# --- each device runs the job -------------------------------------------

for t in "$t1" "$t2" "$t3"; do
	if step "$t: get-pending-job-executions" iot-jobs-data \
	    get-pending-job-executions --thing-name "$t"; then
		check "$t: the job is queued, nothing in progress" \
		    '([j["jobId"] for j in d.get("queuedJobs", [])],
		    d.get("inProgressJobs", []),
		    d["queuedJobs"][0]["versionNumber"])' \
		    "(['$j1'], [], 1)"
	fi
	if step "$t: start-next-pending-job-execution" iot-jobs-data \
	    start-next-pending-job-execution --thing-name "$t"; then
		check "$t: start-next: IN_PROGRESS, versionNumber 2" \
		    '(d["execution"]["jobId"], d["execution"]["thingName"],
		    d["execution"]["status"], d["execution"]["versionNumber"])' \
		    "('$j1', '$t', 'IN_PROGRESS', 2)"
		check "$t: start-next carries the job document" \
		    'd["execution"]["jobDocument"] == doc' True
	fi
	if step "$t: update-job-execution IN_PROGRESS" iot-jobs-data \
	    update-job-execution --thing-name "$t" --job-id "$j1" \
	    --status IN_PROGRESS --status-details step=download \
	    --include-job-execution-state; then
		check "$t: update IN_PROGRESS returns the new state" \
		    '(d["executionState"]["status"],
		    d["executionState"]["statusDetails"],
		    d["executionState"]["versionNumber"])' \
		    "('IN_PROGRESS', {'step': 'download'}, 3)"
	fi
	step "$t: update-job-execution SUCCEEDED" iot-jobs-data \
	    update-job-execution --thing-name "$t" --job-id "$j1" \
	    --status SUCCEEDED --expected-version 3 &&
	    ok "$t: update-job-execution SUCCEEDED at expected version 3"
	if step "$t: describe-job-execution" iot-jobs-data \
	    describe-job-execution --thing-name "$t" --job-id "$j1"; then
		check "$t: execution SUCCEEDED, details kept, document" \
		    '(d["execution"]["status"], d["execution"]["statusDetails"],
		    d["execution"]["versionNumber"],
		    d["execution"]["jobDocument"] == doc)' \
		    "('SUCCEEDED', {'step': 'download'}, 4, True)"
	fi
done

# --- the operator's view of the finished job ----------------------------

if step "describe-job after the rollout" iot describe-job --job-id "$j1"; then
	check "describe-job: COMPLETED with numberOfSucceededThings 3" \
	    '(d["job"]["status"],
	    d["job"]["jobProcessDetails"]["numberOfSucceededThings"],
	    d["job"]["jobProcessDetails"]["numberOfQueuedThings"],
	    d["job"]["jobProcessDetails"]["numberOfInProgressThings"],
	    "completedAt" in d["job"])' \
	    "('COMPLETED', 3, 0, 0, True)"
fi

if step "list-job-executions-for-job" iot list-job-executions-for-job \
    --job-id "$j1"; then
	check "list-job-executions-for-job: three SUCCEEDED things" \
	    'sorted((e["thingArn"], e["jobExecutionSummary"]["status"])
	    for e in d["executionSummaries"])' \
	    "[('$arn:thing/$t1', 'SUCCEEDED'), ('$arn:thing/$t2', 'SUCCEEDED'), ('$arn:thing/$t3', 'SUCCEEDED')]"
fi

if step "list-job-executions-for-thing" iot list-job-executions-for-thing \
    --thing-name "$t1"; then
	check "list-job-executions-for-thing: the job SUCCEEDED" \
	    '[(e["jobId"], e["jobExecutionSummary"]["status"],
	    e["jobExecutionSummary"]["executionNumber"])
	    for e in d["executionSummaries"]]' \
	    "[('$j1', 'SUCCEEDED', 1)]"
fi

if step "iot describe-job-execution" iot describe-job-execution \
    --thing-name "$t1" --job-id "$j1"; then
	check "iot describe-job-execution: control-plane shape" \
	    '(d["execution"]["thingArn"], d["execution"]["status"],
	    d["execution"]["statusDetails"], d["execution"]["forceCanceled"],
	    "thingName" in d["execution"], "jobDocument" in d["execution"])' \
	    "('$arn:thing/$t1', 'SUCCEEDED', {'detailsMap': {'step': 'download'}}, False, False, False)"
fi

# --- a job canceled with force ------------------------------------------

j2=fw-$s-2
if step "create-job on two thing ARNs" iot create-job --job-id "$j2" \
    --targets "$arn:thing/$t1" "$arn:thing/$t2" --document '{"op":"two"}'
then
	if step "$t1: start-next of the second job" iot-jobs-data \
	    start-next-pending-job-execution --thing-name "$t1"; then
		check "$t1: the second job is IN_PROGRESS" \
		    '(d["execution"]["jobId"], d["execution"]["status"])' \
		    "('$j2', 'IN_PROGRESS')"
	fi
	if step "cancel-job --force" iot cancel-job --job-id "$j2" --force \
	    --reason-code FW_RECALL --comment "bad build"; then
		check "cancel-job returns the job" '(d["jobId"], d["jobArn"])' \
		    "('$j2', '$arn:job/$j2')"
	fi
	if step "describe-job of the canceled job" iot describe-job \
	    --job-id "$j2"; then
		check "canceled job: CANCELED, forced, reason and comment" \
		    '(d["job"]["status"], d["job"]["forceCanceled"],
		    d["job"]["reasonCode"], d["job"]["comment"],
		    d["job"]["jobProcessDetails"]["numberOfCanceledThings"])' \
		    "('CANCELED', True, 'FW_RECALL', 'bad build', 2)"
	fi
	if step "$t1: describe-job-execution of the canceled job" \
	    iot-jobs-data describe-job-execution --thing-name "$t1" \
	    --job-id "$j2"; then
		check "$t1: its IN_PROGRESS execution is CANCELED" \
		    'd["execution"]["status"]' CANCELED
	fi
fi

# --- a job deleted with force -------------------------------------------

j3=fw-$s-3
if step "create-job of a job to delete" iot create-job --job-id "$j3" \
    --targets "$garn" --document '{"op":"three"}'; then
	if step "delete-job --force" iot delete-job --job-id "$j3" --force; then
		ok "delete-job --force of an IN_PROGRESS job"
	fi
	fails "describe-job of the deleted job: ResourceNotFoundException" \
	    ResourceNotFoundException iot describe-job --job-id "$j3"
	fails "$t2: its execution is gone: ResourceNotFoundException" \
	    ResourceNotFoundException iot-jobs-data describe-job-execution \
	    --thing-name "$t2" --job-id "$j3"
fi

# --- one execution canceled and deleted, one force-canceled -------------

j4=fw-$s-4
if step "create-job of a job whose executions are canceled" iot create-job \
    --job-id "$j4" --targets "$arn:thing/$t1" "$arn:thing/$t2" \
    --document '{"op":"four"}'; then
	step "cancel-job-execution of a QUEUED execution" iot \
	    cancel-job-execution --thing-name "$t1" --job-id "$j4" &&
	    ok "cancel-job-execution of a QUEUED execution"
	xn=""
	if step "iot describe-job-execution of the canceled execution" iot \
	    describe-job-execution --thing-name "$t1" --job-id "$j4"; then
		check "the canceled execution is CANCELED, not forced" \
		    '(d["execution"]["status"], d["execution"]["forceCanceled"])' \
		    "('CANCELED', False)"
		xn=$(get 'd["execution"]["executionNumber"]')
	fi
	step "delete-job-execution" iot delete-job-execution \
	    --thing-name "$t1" --job-id "$j4" --execution-number "$xn" &&
	    ok "delete-job-execution of a CANCELED execution"
	fails "the deleted execution: ResourceNotFoundException" \
	    ResourceNotFoundException iot describe-job-execution \
	    --thing-name "$t1" --job-id "$j4"
	if step "$t2: start-next of the fourth job" iot-jobs-data \
	    start-next-pending-job-execution --thing-name "$t2"; then
		check "$t2: the next job is the fourth (deleted job gone)" \
		    '(d["execution"]["jobId"], d["execution"]["status"])' \
		    "('$j4', 'IN_PROGRESS')"
	fi
	step "cancel-job-execution --force of an IN_PROGRESS execution" iot \
	    cancel-job-execution --thing-name "$t2" --job-id "$j4" --force &&
	    ok "cancel-job-execution --force of an IN_PROGRESS execution"
	if step "iot describe-job-execution of the force-canceled execution" \
	    iot describe-job-execution --thing-name "$t2" --job-id "$j4"; then
		check "the force-canceled execution is CANCELED, forced" \
		    '(d["execution"]["status"], d["execution"]["forceCanceled"])' \
		    "('CANCELED', True)"
	fi
fi

# --- things and thing groups --------------------------------------------

if step "list-things by attribute" iot list-things --attribute-name model \
    --attribute-value m2; then
	check "list-things --attribute-value m2 finds the third thing" \
	    '[(t["thingName"], t["attributes"]) for t in d["things"]]' \
	    "[('$t3', {'model': 'm2'})]"
fi

if step "update-thing" iot update-thing --thing-name "$t3" \
    --attribute-payload '{"attributes":{"site":"north"},"merge":true}' \
    --expected-version 1; then
	if step "describe-thing" iot describe-thing --thing-name "$t3"; then
		check "describe-thing: merged attributes, version 2" \
		    '(d["thingName"], d["thingArn"], d["attributes"],
		    d["version"])' \
		    "('$t3', '$arn:thing/$t3', {'model': 'm2', 'site': 'north'}, 2)"
	fi
fi

if step "list-thing-groups" iot list-thing-groups; then
	check "list-thing-groups lists the group" \
	    '[g["groupArn"] for g in d["thingGroups"]
	    if g["groupName"] == "'"$group"'"]' \
	    "['$group_arn']"
fi

if step "list-thing-groups-for-thing" iot list-thing-groups-for-thing \
    --thing-name "$t1"; then
	check "list-thing-groups-for-thing: the group" \
	    '[(g["groupName"], g["groupArn"]) for g in d["thingGroups"]]' \
	    "[('$group', '$group_arn')]"
fi

if step "update-thing-group" iot update-thing-group \
    --thing-group-name "$group" \
    --thing-group-properties thingGroupDescription=done \
    --expected-version 1; then
	check "update-thing-group returns version 2" 'd["version"]' 2
	if step "describe-thing-group after the update" iot \
	    describe-thing-group --thing-group-name "$group"; then
		check "describe-thing-group: new description, version 2" \
		    '(d["thingGroupProperties"]["thingGroupDescription"],
		    d["version"])' "('done', 2)"
	fi
fi

step "remove-thing-from-thing-group" iot remove-thing-from-thing-group \
    --thing-group-name "$group" --thing-name "$t3" &&
    ok "remove-thing-from-thing-group"
if step "list-things-in-thing-group" iot list-things-in-thing-group \
    --thing-group-name "$group"; then
	check "list-things-in-thing-group: the two left" 'sorted(d["things"])' \
	    "['$t1', '$t2']"
fi

step "delete-thing" iot delete-thing --thing-name "$t3" &&
    ok "delete-thing"
fails "describe-thing of the deleted thing: ResourceNotFoundException" \
    ResourceNotFoundException iot describe-thing --thing-name "$t3"

# --- a CONTINUOUS job given a second target -----------------------------

group2=late-$s
group2_arn=$arn:thinggroup/$group2
j5=fw-$s-5
t4=dev-$s-4
step "create-thing-group of a second group" iot create-thing-group \
    --thing-group-name "$group2"
if step "create-job CONTINUOUS" iot create-job --job-id "$j5" \
    --targets "$garn" --target-selection CONTINUOUS \
    --document '{"op":"five"}'; then
	if step "associate-targets-with-job" iot associate-targets-with-job \
	    --job-id "$j5" --targets "$group2_arn" --comment "late group"; then
		check "associate-targets-with-job returns the job" \
		    '(d["jobId"], d["jobArn"])' "('$j5', '$arn:job/$j5')"
	fi
	if step "describe-job of the CONTINUOUS job" iot describe-job \
	    --job-id "$j5"; then
		check "CONTINUOUS job: IN_PROGRESS on both groups" \
		    '(d["job"]["status"], d["job"]["targetSelection"],
		    sorted(d["job"]["targets"]))' \
		    "('IN_PROGRESS', 'CONTINUOUS', ['$group_arn', '$group2_arn'])"
	fi
	step "create-thing of a late device" iot create-thing \
	    --thing-name "$t4" &&
	step "add the late device to the second group" iot \
	    add-thing-to-thing-group --thing-group-name "$group2" \
	    --thing-name "$t4" &&
	if step "$t4: get-pending-job-executions" iot-jobs-data \
	    get-pending-job-executions --thing-name "$t4"; then
		check "$t4: joining the associated group queues the job" \
		    '[j["jobId"] for j in d.get("queuedJobs", [])]' "['$j5']"
	fi
fi

step "delete-thing-group" iot delete-thing-group \
    --thing-group-name "$group2" && ok "delete-thing-group"
fails "describe-thing-group of the deleted group: ResourceNotFoundException" \
    ResourceNotFoundException iot describe-thing-group \
    --thing-group-name "$group2"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
