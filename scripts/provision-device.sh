#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Provisions a device through the AWS IoT API, as AWS's jobs tutorial does:
#
#   sh scripts/provision-device.sh THING_NAME [OUTDIR]
#
# creates the thing, a key pair and an ACTIVE certificate signed by
# iotjobsd's CA (create-keys-and-certificate --set-as-active), a policy
# THING_NAME-policy that lets the device connect with its thing name as
# client id and use its own jobs topics, attaches the policy to the
# certificate and the certificate to the thing. OUTDIR (default
# ./devices/THING_NAME) receives THING_NAME.cert.pem, .private.key,
# .public.key and ca.crt (the CA the broker's certificate chains to), all
# mode 0600; then it prints a mosquitto_pub command for the device.
#
# The AWS CLI needs iotjobsd's endpoint and a credential: AWS_ENDPOINT_URL
# (default http://127.0.0.1:8080), and AWS_ACCESS_KEY_ID /
# AWS_SECRET_ACCESS_KEY or else the admin credential that iotjobsd keeps
# in IOTJOBS_DATA_DIR/credentials.json (default ./data). The broker's TLS
# address for the example: IOTJOBS_BROKER_TLS_LISTEN (127.0.0.1:8883).
set -eu

die() {
	echo "provision-device: $*" >&2
	exit 1
}

[ $# -ge 1 ] && [ -n "$1" ] ||
    die "usage: provision-device.sh THING_NAME [OUTDIR]"
THING=$1
OUT=${2:-./devices/$THING}
DATA=${IOTJOBS_DATA_DIR:-./data}
ENDPOINT=${AWS_ENDPOINT_URL:-http://127.0.0.1:8080}
TLS_LISTEN=${IOTJOBS_BROKER_TLS_LISTEN:-127.0.0.1:8883}
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not installed"
case $THING in
*[!A-Za-z0-9:_-]*) die "\"$THING\": a thing name is [a-zA-Z0-9:_-]+" ;;
esac

if [ -z "${AWS_ACCESS_KEY_ID:-}" ]; then
	[ -r "$DATA/credentials.json" ] ||
	    die "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or" \
	    "IOTJOBS_DATA_DIR to iotjobsd's data folder"
	AWS_ACCESS_KEY_ID=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["accessKeyId"])' "$DATA/credentials.json")
	AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["secretAccessKey"])' \
	    "$DATA/credentials.json")
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
fi
AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}
export AWS_DEFAULT_REGION

iot() {
	aws --endpoint-url "$ENDPOINT" iot "$@"
}

umask 077
mkdir -p "$OUT"
chmod 0700 "$OUT"

iot create-thing --thing-name "$THING" >/dev/null
CERT_ARN=$(iot create-keys-and-certificate --set-as-active \
    --certificate-pem-outfile "$OUT/$THING.cert.pem" \
    --public-key-outfile "$OUT/$THING.public.key" \
    --private-key-outfile "$OUT/$THING.private.key" \
    --query certificateArn --output text)
# arn:aws:iot:REGION:ACCOUNT:cert/ID: the ARNs of the policy use the same.
PREFIX=${CERT_ARN%%:cert/*}
POLICY=$THING-policy
iot create-policy --policy-name "$POLICY" --policy-document "$(cat <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iot:Connect",
      "Resource": "$PREFIX:client/$THING"
    },
    {
      "Effect": "Allow",
      "Action": ["iot:Publish", "iot:Receive"],
      "Resource": "$PREFIX:topic/\$aws/things/$THING/jobs/*"
    },
    {
      "Effect": "Allow",
      "Action": "iot:Subscribe",
      "Resource": "$PREFIX:topicfilter/\$aws/things/$THING/jobs/*"
    }
  ]
}
JSON
)" >/dev/null
iot attach-policy --policy-name "$POLICY" --target "$CERT_ARN"
iot attach-thing-principal --thing-name "$THING" --principal "$CERT_ARN"
if [ -r "$DATA/tls/ca.crt" ]; then
	cp "$DATA/tls/ca.crt" "$OUT/ca.crt"
fi
chmod 0600 "$OUT"/*

HOST=${TLS_LISTEN%:*}
case $HOST in
0.0.0.0|'') HOST=127.0.0.1 ;;
esac
cat <<MSG
provisioned $THING: certificate $CERT_ARN, policy $POLICY
files in $OUT (mode 0600). Ask for the device's pending jobs:
  mosquitto_rr -h $HOST -p ${TLS_LISTEN##*:} --cafile $OUT/ca.crt \\
      --cert $OUT/$THING.cert.pem --key $OUT/$THING.private.key \\
      -i $THING -t '\$aws/things/$THING/jobs/get' \\
      -e '\$aws/things/$THING/jobs/get/accepted' -m '{}'
MSG
