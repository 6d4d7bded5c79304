# SPDX-License-Identifier: Apache-2.0
"""Smoke test: boto3 (both planes) reaches iotjobsd, is authenticated, and
gets AWS-shaped answers and errors. Runs under the pyenv boto3 and under
Debian's boto3 1.26 (which signs the control plane as execute-api).
"""

import unittest

from botocore.exceptions import ClientError

from harness import (ACCOUNT_ID, REGION, DaemonTestCase, unique_name)


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


class SmokeTest(DaemonTestCase):

    def test_create_thing_then_describe_it(self):
        name = unique_name("smoke")
        out = self.iot.create_thing(thingName=name)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(out["thingName"], name)
        self.assertEqual(out["thingArn"], thing_arn(name))

        got = self.iot.describe_thing(thingName=name)
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(got["ResponseMetadata"].get("RequestId"),
                        "x-amzn-RequestId missing")
        self.assertEqual(got["thingName"], name)
        self.assertEqual(got["thingArn"], thing_arn(name))

    def test_describe_missing_thing_is_resource_not_found(self):
        name = unique_name("missing")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.describe_thing(thingName=name)
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        self.assertTrue(cm.exception.response["Error"].get("Message"),
                        "error without a message")

    def test_pending_executions_of_thing_without_jobs_are_empty(self):
        name = unique_name("idle")
        self.iot.create_thing(thingName=name)
        out = self.data.get_pending_job_executions(thingName=name)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(out.get("inProgressJobs", []), [])
        self.assertEqual(out.get("queuedJobs", []), [])

    def test_wrong_secret_is_invalid_signature(self):
        bad_secret = "x" * 40
        data = self.daemon.data_client(secret_key=bad_secret)
        with self.assertRaises(ClientError) as cm:
            data.get_pending_job_executions(thingName=unique_name("nosig"))
        self.assertClientError(cm.exception, "InvalidSignatureException",
                               403)

        iot = self.daemon.iot_client(secret_key=bad_secret)
        with self.assertRaises(ClientError) as cm:
            iot.describe_thing(thingName=unique_name("nosig"))
        self.assertClientError(cm.exception, "InvalidSignatureException",
                               403)

    def test_unsigned_request_is_missing_authentication_token(self):
        r = self.daemon.raw_request("GET",
                                    "/things/%s/jobs" % unique_name("anon"))
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error_type, "MissingAuthenticationTokenException",
                         r)
        self.assertTrue(r.request_id, "x-amzn-RequestId missing")
        self.assertIsInstance(r.json().get("message"), str, r)

    def test_control_plane_accepts_both_signing_names(self):
        # Current SDKs sign the iot control plane as "iot", botocore
        # before 2023 and the Debian AWS CLI as "execute-api".
        name = unique_name("signing")
        self.iot.create_thing(thingName=name)
        for service in ("iot", "execute-api"):
            with self.subTest(service=service):
                r = self.daemon.signed_request("GET", "/things/" + name,
                                               service=service)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json().get("thingArn"), thing_arn(name))


if __name__ == "__main__":
    unittest.main()
