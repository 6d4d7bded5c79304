#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# A device provisioned with the AWS CLI ($AWS) exactly as AWS's jobs
# tutorials do it: create-thing, create-keys-and-certificate
# --set-as-active, create-policy, attach-policy, attach-thing-principal,
# describe-endpoint --endpoint-type iot:Jobs. Then the device runs its job
# over HTTPS with its certificate (curl --cert --key --cacert, no SigV4),
# is refused another thing's jobs, and is cut off after
# update-certificate --new-status INACTIVE. Run by run.sh once per CLI;
# standalone, it boots its own daemon through harness/with_daemon.py.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IOTJOBS_ENDPOINT:-}" ]; then
	exec python3 "$here/../harness/with_daemon.py" sh "$0" "$@"
fi

AWS=${AWS:-aws}
ep=$IOTJOBS_ENDPOINT
ca=$IOTJOBS_TEST_DATA_DIR/tls/ca.crt
account=123456789012
region=us-east-1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err" 2>/dev/null || true
}

json_get() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$1" "$2"
}

check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3" >"$tmp/err"
		: >"$tmp/out"
		not_ok "$1"
	fi
}

run() {
	"$AWS" --endpoint-url "$ep" --output json "$@" \
	    >"$tmp/out" 2>"$tmp/err"
}

# device METHOD PATH [BODY]: the device's HTTPS call; prints the status,
# the answer in $tmp/out.
device() {
	curl -sS --max-time 10 --cacert "$ca" --cert "$tmp/device.crt" \
	    --key "$tmp/device.key" -X "$1" -o "$tmp/out" -w '%{http_code}' \
	    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
	    "https://$endpoint$2" 2>"$tmp/err"
}

echo "# $("$AWS" --version 2>&1)"
thing=cli-dev-$$-$(date +%s)
other=$thing-other
policy=$thing-policy

run iot create-thing --thing-name "$thing" && ok "create-thing" ||
    not_ok "create-thing"
run iot create-thing --thing-name "$other" || not_ok "create-thing other"
if run iot create-keys-and-certificate --set-as-active \
    --certificate-pem-outfile "$tmp/device.crt" \
    --private-key-outfile "$tmp/device.key"; then
	cert_arn=$(json_get "$tmp/out" 'd["certificateArn"]')
	cert_id=$(json_get "$tmp/out" 'd["certificateId"]')
	ok "create-keys-and-certificate"
else
	not_ok "create-keys-and-certificate"
	echo "$passed passed, $failed failed"
	exit 1
fi
cat >"$tmp/policy.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["iotjobsdata:DescribeJobExecution",
               "iotjobsdata:GetPendingJobExecutions",
               "iotjobsdata:StartNextPendingJobExecution",
               "iotjobsdata:UpdateJobExecution"],
    "Resource": "arn:aws:iot:$region:$account:thing/\${iot:Connection.Thing.ThingName}"
  }]
}
JSON
run iot create-policy --policy-name "$policy" \
    --policy-document "file://$tmp/policy.json" && ok "create-policy" ||
    not_ok "create-policy"
run iot attach-policy --policy-name "$policy" --target "$cert_arn" &&
    ok "attach-policy" || not_ok "attach-policy"
run iot attach-thing-principal --thing-name "$thing" \
    --principal "$cert_arn" && ok "attach-thing-principal" ||
    not_ok "attach-thing-principal"
if run iot describe-endpoint --endpoint-type iot:Jobs; then
	endpoint=$(json_get "$tmp/out" 'd["endpointAddress"]')
	check "describe-endpoint iot:Jobs is the HTTPS listener" \
	    "127.0.0.1:$IOTJOBS_TLS_PORT" "$endpoint"
else
	not_ok "describe-endpoint"
	endpoint=127.0.0.1:$IOTJOBS_TLS_PORT
fi

job=$thing-job
run iot create-job --job-id "$job" \
    --targets "arn:aws:iot:$region:$account:thing/$thing" \
    "arn:aws:iot:$region:$account:thing/$other" \
    --document '{"operation":"reboot"}' || not_ok "create-job"

check "the device lists its pending job" "200" \
    "$(device GET "/things/$thing/jobs")"
check "its pending job is the one created" "$job" \
    "$(json_get "$tmp/out" 'd["queuedJobs"][0]["jobId"]')"
check "start-next over HTTPS" "200" \
    "$(device PUT "/things/$thing/jobs/\$next" '{}')"
check "the started execution is IN_PROGRESS" "IN_PROGRESS" \
    "$(json_get "$tmp/out" 'd["execution"]["status"]')"
check "update SUCCEEDED over HTTPS" "200" \
    "$(device POST "/things/$thing/jobs/$job" '{"status":"SUCCEEDED"}')"
if run iot describe-job-execution --job-id "$job" --thing-name "$thing"; then
	check "the control plane sees SUCCEEDED" "SUCCEEDED" \
	    "$(json_get "$tmp/out" 'd["execution"]["status"]')"
else
	not_ok "describe-job-execution"
fi
check "another thing's jobs are refused" "403" \
    "$(device GET "/things/$other/jobs/$job")"
check "with AccessDeniedException" "True" \
    "$(json_get "$tmp/out" '"not authorized" in d["message"]')"

run iot update-certificate --certificate-id "$cert_id" \
    --new-status INACTIVE || not_ok "update-certificate INACTIVE"
status=200
for _ in $(seq 1 50); do
	status=$(device GET "/things/$thing/jobs")
	[ "$status" = 403 ] && break
	sleep 0.1
done
check "an INACTIVE certificate is refused within 5 s" "403" "$status"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
