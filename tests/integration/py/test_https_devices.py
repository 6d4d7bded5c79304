# SPDX-License-Identifier: Apache-2.0
"""Devices on the HTTPS listener (--tls-listen) with their own X.509
certificates, provisioned through boto3 exactly as AWS's tutorials do
(CreateThing, CreateKeysAndCertificate, CreatePolicy, AttachPolicy,
AttachThingPrincipal), calling the jobs data plane with curl --cert
--key --cacert: no SigV4. Each call is authorized by the certificate's
policies with the iotjobsdata: actions; other things' jobs, a missing
policy, an explicit Deny, an INACTIVE or unknown certificate are refused.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (ACCOUNT_ID, REGION, Daemon, free_port, unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)

# AWS's jobs-over-HTTPS policy shape: the thing the certificate is
# attached to, named by the policy variable, in its thing form.
DEVICE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["iotjobsdata:DescribeJobExecution",
                   "iotjobsdata:GetPendingJobExecutions",
                   "iotjobsdata:StartNextPendingJobExecution",
                   "iotjobsdata:UpdateJobExecution"],
        "Resource": [ARN + "thing/${iot:Connection.Thing.ThingName}"],
    }],
}

# The same rights written in the topic form AWS's pages also show.
TOPIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iotjobsdata:*",
        "Resource": ARN +
        "topic/$aws/things/${iot:Connection.Thing.ThingName}/jobs/*",
    }],
}

# scripts/deps.sh installs curl with what the tests need.
CURL = shutil.which("curl") or "curl"


class Device:
    """A thing with its certificate and key on disk (mode 0600)."""

    def __init__(self, iot, folder, name, policy=DEVICE_POLICY,
                 attach=True):
        self.name = name
        iot.create_thing(thingName=name)
        out = iot.create_keys_and_certificate(setAsActive=True)
        self.cert_id = out["certificateId"]
        self.cert_arn = out["certificateArn"]
        self.cert = os.path.join(folder, name + ".crt")
        self.key = os.path.join(folder, name + ".key")
        for path, text in ((self.cert, out["certificatePem"]),
                           (self.key, out["keyPair"]["PrivateKey"])):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text)
        if policy is not None:
            pname = unique_name("pol")
            iot.create_policy(policyName=pname,
                              policyDocument=json.dumps(policy))
            iot.attach_policy(policyName=pname, target=self.cert_arn)
        if attach:
            iot.attach_thing_principal(thingName=name,
                                       principal=self.cert_arn)


class HttpsDeviceTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="iotjobs-devices-")
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.tls_port = free_port()
        cls.daemon = Daemon(args=["--tls-listen",
                                  "127.0.0.1:%d" % cls.tls_port])
        cls.addClassCleanup(cls.daemon.close)
        cls.iot = cls.daemon.iot_client()
        # iotjobsd's CA signed the listener's certificate (and devices').
        cls.ca = os.path.join(cls.daemon.data_dir, "tls", "ca.crt")
        cls.base = "https://127.0.0.1:%d" % cls.tls_port

    def curl(self, dev, method, path, body=None, cert=True):
        """METHOD PATH over HTTPS as DEV; (status, error type, body)."""
        args = [CURL, "-sS", "--max-time", "10", "--cacert", self.ca,
                "-X", method, "-D", "-", "-o", "-"]
        if cert:
            args += ["--cert", dev.cert, "--key", dev.key]
        if body is not None:
            args += ["-H", "Content-Type: application/json",
                     "--data-binary", json.dumps(body)]
        out = subprocess.run(args + [self.base + path], capture_output=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        head, _, payload = out.stdout.decode().partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        etype = None
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "x-amzn-errortype":
                etype = v.strip()
        return status, etype, json.loads(payload) if payload else {}

    def job_for(self, thing):
        job = unique_name("job")
        self.iot.create_job(jobId=job, targets=[ARN + "thing/" + thing],
                            document=json.dumps({"op": "reboot"}))
        return job

    def test_device_runs_its_own_job(self):
        dev = Device(self.iot, self.folder, unique_name("dev"))
        job = self.job_for(dev.name)
        st, et, body = self.curl(dev, "GET", "/things/%s/jobs" % dev.name)
        self.assertEqual((st, et), (200, None), body)
        self.assertEqual([j["jobId"] for j in body["queuedJobs"]], [job])
        st, et, body = self.curl(dev, "PUT",
                                 "/things/%s/jobs/$next" % dev.name,
                                 {"statusDetails": {"step": "1"}})
        self.assertEqual((st, et), (200, None), body)
        self.assertEqual(body["execution"]["jobId"], job)
        self.assertEqual(body["execution"]["status"], "IN_PROGRESS")
        st, et, body = self.curl(dev, "POST", "/things/%s/jobs/%s" % (
            dev.name, job), {"status": "SUCCEEDED"})
        self.assertEqual((st, et), (200, None), body)
        st, et, body = self.curl(dev, "GET", "/things/%s/jobs/%s" % (
            dev.name, job))
        self.assertEqual(body["execution"]["status"], "SUCCEEDED")
        # The control plane sees what the device did.
        ex = self.iot.describe_job_execution(jobId=job, thingName=dev.name)
        self.assertEqual(ex["execution"]["status"], "SUCCEEDED")

    def test_topic_form_of_the_resource_allows_too(self):
        dev = Device(self.iot, self.folder, unique_name("top"),
                     policy=TOPIC_POLICY)
        job = self.job_for(dev.name)
        st, et, body = self.curl(dev, "GET", "/things/%s/jobs/%s" % (
            dev.name, job))
        self.assertEqual((st, et), (200, None), body)
        self.assertEqual(body["execution"]["jobId"], job)

    def test_other_things_jobs_are_refused(self):
        a = Device(self.iot, self.folder, unique_name("a"))
        b = Device(self.iot, self.folder, unique_name("b"))
        job = self.job_for(b.name)
        for method, path, body in (
                ("GET", "/things/%s/jobs" % b.name, None),
                ("GET", "/things/%s/jobs/%s" % (b.name, job), None),
                ("PUT", "/things/%s/jobs/$next" % b.name, {}),
                ("POST", "/things/%s/jobs/%s" % (b.name, job),
                 {"status": "FAILED"})):
            st, et, out = self.curl(a, method, path, body)
            self.assertEqual((st, et), (403, "AccessDeniedException"),
                             (method, path, out))
            self.assertIn("thing/" + b.name, out["message"])
        ex = self.iot.describe_job_execution(jobId=job, thingName=b.name)
        self.assertEqual(ex["execution"]["status"], "QUEUED")

    def test_thing_name_variable_needs_the_attachment(self):
        dev = Device(self.iot, self.folder, unique_name("na"), attach=False)
        st, et, _ = self.curl(dev, "GET", "/things/%s/jobs" % dev.name)
        self.assertEqual((st, et), (403, "AccessDeniedException"))
        self.iot.attach_thing_principal(thingName=dev.name,
                                        principal=dev.cert_arn)
        self.assertEventually(lambda: self.curl(
            dev, "GET", "/things/%s/jobs" % dev.name)[0] == 200)

    def test_no_policy_allows_nothing(self):
        dev = Device(self.iot, self.folder, unique_name("np"), policy=None)
        st, et, _ = self.curl(dev, "GET", "/things/%s/jobs" % dev.name)
        self.assertEqual((st, et), (403, "AccessDeniedException"))

    def test_explicit_deny_beats_allow(self):
        dev = Device(self.iot, self.folder, unique_name("deny"))
        deny = unique_name("deny")
        self.iot.create_policy(policyName=deny, policyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny",
                           "Action": "iotjobsdata:UpdateJobExecution",
                           "Resource": "*"}]}))
        self.iot.attach_policy(policyName=deny, target=dev.cert_arn)
        job = self.job_for(dev.name)
        self.assertEventually(lambda: self.curl(
            dev, "POST", "/things/%s/jobs/%s" % (dev.name, job),
            {"status": "IN_PROGRESS"})[:2] ==
            (403, "AccessDeniedException"))
        st, _, _ = self.curl(dev, "GET", "/things/%s/jobs" % dev.name)
        self.assertEqual(st, 200)

    def test_control_plane_only_where_a_policy_allows(self):
        dev = Device(self.iot, self.folder, unique_name("ctl"))
        st, et, _ = self.curl(dev, "GET", "/things")
        self.assertEqual((st, et), (403, "AccessDeniedException"))
        pol = unique_name("list")
        self.iot.create_policy(policyName=pol, policyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iot:ListThings",
                           "Resource": "*"}]}))
        self.iot.attach_policy(policyName=pol, target=dev.cert_arn)
        self.assertEventually(lambda: self.curl(
            dev, "GET", "/things")[0] == 200)
        st, et, _ = self.curl(dev, "DELETE", "/things/%s" % dev.name)
        self.assertEqual((st, et), (403, "AccessDeniedException"))

    def test_inactive_certificate_is_refused_within_seconds(self):
        dev = Device(self.iot, self.folder, unique_name("inact"))
        self.assertEqual(self.curl(dev, "GET", "/things/%s/jobs" %
                                   dev.name)[0], 200)
        self.iot.update_certificate(certificateId=dev.cert_id,
                                    newStatus="INACTIVE")
        t0 = time.monotonic()
        self.assertEventually(lambda: self.curl(
            dev, "GET", "/things/%s/jobs" % dev.name)[:2] ==
            (403, "UnrecognizedClientException"), timeout=5)
        self.assertLess(time.monotonic() - t0, 5)
        self.iot.update_certificate(certificateId=dev.cert_id,
                                    newStatus="ACTIVE")
        self.assertEventually(lambda: self.curl(
            dev, "GET", "/things/%s/jobs" % dev.name)[0] == 200)

    def test_certificate_of_an_unknown_ca_is_refused(self):
        folder = tempfile.mkdtemp(dir=self.folder)
        key = os.path.join(folder, "x.key")
        crt = os.path.join(folder, "x.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", crt, "-days", "2",
                        "-subj", "/CN=stranger"], check=True,
                       capture_output=True)

        class Stranger:
            cert, key = crt, None
        Stranger.key = key
        st, et, out = self.curl(Stranger, "GET", "/things/x/jobs")
        self.assertEqual((st, et), (403, "UnrecognizedClientException"),
                         out)
        self.assertIn("not registered", out["message"])

    def test_no_certificate_and_no_signature_is_sigv4s_error(self):
        st, et, _ = self.curl(None, "GET", "/things/x/jobs", cert=False)
        self.assertEqual((st, et), (403, "MissingAuthenticationTokenException"))

    def test_sigv4_still_works_over_https(self):
        import boto3
        from botocore.config import Config
        from harness import ACCESS_KEY_ID, SECRET_ACCESS_KEY
        iot = boto3.client("iot", endpoint_url=self.base, region_name=REGION,
                           aws_access_key_id=ACCESS_KEY_ID,
                           aws_secret_access_key=SECRET_ACCESS_KEY,
                           verify=self.ca,
                           config=Config(retries={"total_max_attempts": 1}))
        name = unique_name("sig")
        iot.create_thing(thingName=name)
        self.assertEqual(iot.describe_thing(thingName=name)["thingName"],
                         name)

    def test_describe_endpoint_names_the_https_listener(self):
        out = self.iot.describe_endpoint(endpointType="iot:Jobs")
        self.assertEqual(out["endpointAddress"],
                         "127.0.0.1:%d" % self.tls_port)
        with self.assertRaises(self.iot.exceptions.InvalidRequestException):
            self.iot.describe_endpoint(endpointType="iot:Nope")

    def test_keys_never_reach_the_log(self):
        dev = Device(self.iot, self.folder, unique_name("log"))
        self.curl(dev, "GET", "/things/%s/jobs" % dev.name)
        with open(dev.key) as f:
            body = [l for l in f.read().splitlines()
                    if l and not l.startswith("-----")]
        with open(self.daemon.log_path) as f:
            log = f.read()
        for line in body:
            self.assertNotIn(line, log)
        with open(os.path.join(self.daemon.data_dir, "tls",
                               "ca.key")) as f:
            for line in f.read().splitlines():
                if line and not line.startswith("-----"):
                    self.assertNotIn(line, log)

    def test_listener_certificate_is_the_cas(self):
        crt = os.path.join(self.daemon.data_dir, "tls", "https.crt")
        out = subprocess.run(["openssl", "verify", "-CAfile", self.ca, crt],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        text = subprocess.run(["openssl", "x509", "-noout", "-ext",
                               "subjectAltName", "-in", crt],
                              capture_output=True, text=True).stdout
        self.assertIn("IP Address:127.0.0.1", text)
        self.assertEqual(os.stat(os.path.join(
            self.daemon.data_dir, "tls", "https.key")).st_mode & 0o777,
            0o600)

    def assertEventually(self, pred, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                self.fail("not within %.0f s" % timeout)
            time.sleep(0.1)


class DescribeEndpointTest(unittest.TestCase):
    """iot:Data-ATS and iot:Data name the broker devices use."""

    def test_data_endpoints_name_the_broker(self):
        with Daemon(args=["--broker-endpoint", "mqtt.example:8883",
                          "--public-endpoint", "jobs.example"]) as d:
            iot = d.iot_client()
            for t in ("iot:Data-ATS", "iot:Data"):
                self.assertEqual(iot.describe_endpoint(endpointType=t)[
                    "endpointAddress"], "mqtt.example:8883")
            self.assertEqual(iot.describe_endpoint()["endpointAddress"],
                             "mqtt.example:8883")
            self.assertEqual(iot.describe_endpoint(
                endpointType="iot:Jobs")["endpointAddress"],
                "jobs.example:%d" % d.port)

    def test_without_a_broker_data_is_refused(self):
        with Daemon() as d:
            iot = d.iot_client()
            with self.assertRaises(
                    iot.exceptions.InvalidRequestException) as cm:
                iot.describe_endpoint(endpointType="iot:Data-ATS")
            self.assertIn("no MQTT broker", str(cm.exception))
            # With --mqtt and no --broker-endpoint: the --mqtt broker.
        with Daemon(args=["--mqtt", "mqtt://127.0.0.1:%d" % free_port(),
                          "--broker-socket", "off"]) as d:
            self.assertEqual(d.iot_client().describe_endpoint(
                endpointType="iot:Data-ATS")["endpointAddress"],
                "127.0.0.1:%d" % int(d.args[1].rsplit(":", 1)[1]))


class HttpsOwnCertificateTest(unittest.TestCase):
    """--tls-cert and --tls-key: the operator's own server certificate."""

    def test_listener_serves_the_given_certificate(self):
        folder = tempfile.mkdtemp(prefix="iotjobs-srv-")
        self.addCleanup(shutil.rmtree, folder, True)
        crt = os.path.join(folder, "server.crt")
        key = os.path.join(folder, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", crt, "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True,
                       capture_output=True)
        port = free_port()
        with Daemon(args=["--tls-listen", "127.0.0.1:%d" % port,
                          "--tls-cert", crt, "--tls-key", key]) as d:
            out = subprocess.run([CURL, "-sS", "--max-time", "10",
                                  "--cacert", crt,
                                  "https://127.0.0.1:%d/things/x/jobs" %
                                  port], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("Missing Authentication Token", out.stdout)
            self.assertFalse(os.path.exists(os.path.join(
                d.data_dir, "tls", "https.crt")))


if __name__ == "__main__":
    unittest.main()
