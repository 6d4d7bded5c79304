# SPDX-License-Identifier: Apache-2.0
"""The HTTP front end: AWS-shaped answers for bad requests, keep-alive,
request ids, the per-request log line, first-start credentials, and a
SIGTERM that lets a request in flight finish."""

import http.client
import json
import os
import pty
import signal
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness.daemon import (DaemonTestCase, Daemon, daemon_path, free_port,
                            unique_name, CONTROL_SERVICE)


class FrontEndTest(DaemonTestCase):

    def test_unknown_route_is_404_resource_not_found(self):
        r = self.daemon.signed_request("GET", "/no/such/route",
                                       service=CONTROL_SERVICE)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.error_type, "ResourceNotFoundException")
        self.assertIn("message", r.json())

    def test_model_operation_not_built_is_501_naming_it(self):
        with self.assertRaises(ClientError) as cm:
            self.iot.list_ota_updates()
        e = cm.exception.response
        self.assertEqual(e["Error"]["Code"], "NotImplementedException")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 501)
        self.assertIn("ListOTAUpdates", e["Error"]["Message"])

    def test_malformed_and_duplicate_key_json_is_400(self):
        name = unique_name("http")
        for body in (b'{"attributePayload":', b'{"a":1,"a":2}', b'[1,2]',
                     b'{"thingTypeName":"\xff"}'):
            r = self.daemon.signed_request(
                "POST", "/things/" + name, body=body,
                headers={"Content-Type": "application/json"},
                service=CONTROL_SERVICE)
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.error_type, "InvalidRequestException", body)
            self.assertTrue(r.json()["message"], body)

    def test_oversized_body_is_400_naming_the_limit(self):
        body = b'{"x":"' + b"a" * (2 << 20) + b'"}'
        r = self.daemon.signed_request(
            "POST", "/things/" + unique_name("big"), body=body,
            headers={"Content-Type": "application/json"},
            service=CONTROL_SERVICE)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error_type, "InvalidRequestException")
        self.assertIn("limit", r.json()["message"])

    def test_wrong_type_in_query_names_the_member(self):
        r = self.daemon.signed_request(
            "GET", "/things/t1/jobs/j1", query="includeJobDocument=maybe")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error_type, "InvalidRequestException")
        self.assertIn("includeJobDocument", r.json()["message"])

    def test_every_answer_has_a_request_id_and_json(self):
        ok = self.daemon.signed_request("GET", "/no/such/route")
        self.assertRegex(ok.request_id or "", r"^[0-9a-f-]{36}$")
        self.assertEqual(ok.header("Content-Type"), "application/json")
        r = self.daemon.raw_request("GET", "/things")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.error_type, "MissingAuthenticationTokenException")
        self.assertRegex(r.request_id or "", r"^[0-9a-f-]{36}$")

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = http.client.HTTPConnection(self.daemon.host, self.daemon.port,
                                          timeout=5)
        try:
            for _ in range(3):
                conn.request("GET", "/things")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 403)
                self.assertNotEqual((r.getheader("Connection") or "").lower(),
                                    "close")
        finally:
            conn.close()

    def test_one_log_line_per_request_with_operation_status_and_time(self):
        self.iot.list_things()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            lines = [l for l in self.daemon.log_text().splitlines()
                     if "op=ListThings" in l]
            if lines:
                break
            time.sleep(0.05)
        self.assertTrue(lines)
        self.assertRegex(lines[-1], r"status=200 .*us=\d+")

    def log_line(self, needle):
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            lines = [l for l in self.daemon.log_text().splitlines()
                     if needle in l]
            if lines:
                return lines[-1]
            time.sleep(0.05)
        self.fail("no log line with %r" % needle)

    def test_log_line_names_principal_thing_job_request_id_and_peer(self):
        from harness.daemon import ACCESS_KEY_ID, SECRET_ACCESS_KEY
        thing, job = unique_name("logt"), unique_name("logj")
        with self.assertRaises(ClientError) as cm:
            self.data.describe_job_execution(thingName=thing, jobId=job)
        rid = cm.exception.response["ResponseMetadata"]["RequestId"]
        line = self.log_line("id=%s " % rid)
        self.assertIn("op=DescribeJobExecution", line)
        self.assertIn("principal=%s " % ACCESS_KEY_ID, line)
        self.assertIn("thing=%s " % thing, line)
        self.assertIn("job=%s " % job, line)
        self.assertIn("peer=127.0.0.1 ", line)
        self.assertNotIn(SECRET_ACCESS_KEY, self.daemon.log_text(1000))

    def test_log_line_keeps_its_shape_whatever_the_path_holds(self):
        r = self.daemon.signed_request("GET", "/things/a%20b%0Aop%3DX/jobs",
                                       service=CONTROL_SERVICE)
        line = self.log_line("id=%s " % r.request_id)
        self.assertIn("thing=a?b?op?X ", line)
        self.assertEqual(line.count("op="), 1)


class FirstStartTest(unittest.TestCase):
    """Without IOTJOBS_* keys the daemon creates one and says so once: the
    secret to a terminal only; otherwise the log names the 0600 file."""

    def run_once(self, data_dir, port, tty=False):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        master = slave = None
        if tty:
            master, slave = pty.openpty()
        proc = subprocess.Popen(
            [daemon_path(), "--listen", "127.0.0.1:%d" % port,
             "--data-dir", data_dir], env=env, stdin=subprocess.DEVNULL,
            stdout=slave if tty else subprocess.PIPE, stderr=subprocess.PIPE)
        if tty:
            os.close(slave)
        deadline = time.monotonic() + 10
        while not os.path.exists(os.path.join(data_dir, "credentials.json")):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        if tty:
            out = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            os.close(master)
        return out.decode(), err.decode()

    def test_credentials_created_0600_and_printed_once_to_a_terminal(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            out, _ = self.run_once(data, free_port(), tty=True)
            path = os.path.join(data, "credentials.json")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                creds = json.load(f)
            self.assertIn("export AWS_ACCESS_KEY_ID=%s" %
                          creds["accessKeyId"], out)
            self.assertIn("export AWS_SECRET_ACCESS_KEY=%s" %
                          creds["secretAccessKey"], out)
            again, _ = self.run_once(data, free_port(), tty=True)
            self.assertNotIn("AWS_SECRET_ACCESS_KEY", again)

    def test_secret_not_printed_when_stdout_is_not_a_terminal(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            out, err = self.run_once(data, free_port())
            path = os.path.join(data, "credentials.json")
            with open(path) as f:
                creds = json.load(f)
            self.assertNotIn(creds["secretAccessKey"], out + err)
            self.assertIn("created an admin credential in %s" % path, err)
            self.assertIn("mode 0600", err)


class GracefulStopTest(unittest.TestCase):
    """SIGTERM while a large request is being uploaded: it is answered."""

    def test_sigterm_finishes_the_request_in_flight(self):
        d = Daemon()
        try:
            conn = http.client.HTTPConnection(d.host, d.port, timeout=10)
            conn.putrequest("GET", "/things")
            conn.putheader("Content-Length", "10")
            conn.endheaders()
            conn.send(b"01234")
            time.sleep(0.2)
            d.proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            conn.send(b"56789")
            r = conn.getresponse()
            self.assertEqual(r.status, 403)
            r.read()
            conn.close()
            self.assertEqual(d.proc.wait(timeout=10), 0)
        finally:
            d.kill9()
            d.close()


if __name__ == "__main__":
    unittest.main()
