# SPDX-License-Identifier: Apache-2.0
"""Operating iotjobsd: --version, the configuration file and
--check-config (every problem with its line; file < environment < flags),
the unauthenticated health and ready probes through each state (leader,
standby, broker away and back), JSON logs parsed line by line, requests
signed for another region, and paths that match no operation."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.daemon import (ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION,
                            ACCOUNT_ID, CONTROL_SERVICE, Daemon,
                            DaemonTestCase, daemon_path, free_port,
                            raw_request, unique_name)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))
EXAMPLE_CONF = os.path.join(ROOT, "etc", "iotjobsd.conf")


def clean_env(**extra):
    """The caller's environment without IOTJOBS_*, plus EXTRA."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IOTJOBS_")}
    env.update(extra)
    return env


def run(args, env=None, timeout=30):
    return subprocess.run([daemon_path()] + list(args), env=env or
                          clean_env(IOTJOBS_CONFIG=""),
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(0.1)


class VersionTest(unittest.TestCase):

    def test_version_prints_the_version_file(self):
        with open(os.path.join(ROOT, "VERSION")) as f:
            version = f.read().strip()
        r = run(["--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "iotjobsd %s\n" % version)

    def test_help_names_the_config_file_and_the_commands(self):
        r = run(["--help"])
        self.assertEqual(r.returncode, 0)
        for word in ("--config", "--check-config", "--log-format",
                     "--log-level", "--version", "iotjobsd backup",
                     "iotjobsd restore", "iotjobsd credentials"):
            self.assertIn(word, r.stdout)


class ConfigFileTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="iotjobs-conf-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def write(self, text, name="iotjobsd.conf"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_the_shipped_example_is_valid(self):
        r = run(["--config", EXAMPLE_CONF, "--check-config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("the settings are valid (%s)" % EXAMPLE_CONF,
                      r.stdout)
        self.assertEqual(r.stderr, "")

    def test_the_example_is_the_one_printed_from_the_table(self):
        r = run(["--print-config-template"])
        self.assertEqual(r.returncode, 0)
        with open(EXAMPLE_CONF) as f:
            self.assertEqual(r.stdout, f.read(),
                             "etc/iotjobsd.conf is stale: make gen-conf")

    def test_check_config_reports_every_problem_with_its_line(self):
        path = self.write("# iotjobsd\n"
                          "listen = 127.0.0.1\n"        # 2: no port
                          "colour = blue\n"             # 3: unknown
                          "\n"
                          "threads = 4\n"
                          "threads = 5\n"               # 6: twice
                          "log-format = xml\n"          # 7: bad choice
                          "mqtt-password = \"hunter2\n"  # 8: bad quote
                          "just a line\n")              # 9: no "="
        r = run(["--config", path, "--check-config"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        expect = [
            '%s:2: invalid listen "127.0.0.1": expected HOST:PORT',
            '%s:3: unknown key "colour"',
            '%s:6: threads is set twice (first on line 5)',
            '%s:7: invalid log-format "xml": expected text or json',
            '%s:8: a value may be quoted as a whole',
            '%s:9: expected "key = value"',
        ]
        self.assertEqual(len(lines), len(expect), r.stderr)
        for got, want in zip(lines, expect):
            self.assertTrue(got.startswith("iotjobsd: " + want % path),
                            "%r does not start with %r" % (got, want))
        self.assertNotIn("hunter2", r.stderr)

    def test_environment_and_flags_problems_are_reported_too(self):
        path = self.write("threads = 2\n")
        r = run(["--config", path, "--check-config", "--body-limit", "1",
                 "--no-such-flag"],
                env=clean_env(IOTJOBS_REQUEST_TIMEOUT="forever"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("IOTJOBS_REQUEST_TIMEOUT: invalid value \"forever\"",
                      r.stderr)
        self.assertIn("--body-limit: invalid value \"1\"", r.stderr)
        self.assertIn("unknown option --no-such-flag", r.stderr)

    def test_a_missing_file_named_is_a_problem(self):
        r = run(["--config", os.path.join(self.tmp, "nope.conf"),
                 "--check-config"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope.conf: cannot read the configuration file",
                      r.stderr)

    def test_an_unknown_key_stops_the_daemon_before_it_starts(self):
        data = os.path.join(self.tmp, "data")
        path = self.write("data-dir = %s\nlisten = 127.0.0.1:%d\n"
                          "lissten = 127.0.0.1:1\n" % (data, free_port()))
        r = run(["--config", path])
        self.assertEqual(r.returncode, 2)
        self.assertIn('%s:3: unknown key "lissten"' % path, r.stderr)
        self.assertIn("not started", r.stderr)
        self.assertFalse(os.path.exists(data), "touched the data folder")

    def test_file_then_environment_then_flags(self):
        """region from the file, account from the environment over the
        file, listen from the flag over both; IOTJOBS_CONFIG names it."""
        port = free_port()
        data = os.path.join(self.tmp, "data")
        path = self.write("# the operator's file\n"
                          "listen = 127.0.0.1:1\n"
                          "data-dir = %s\n"
                          "region = eu-central-1\n"
                          "account-id = 111111111111\n"
                          "log-format = json\n" % data)
        env = clean_env(IOTJOBS_CONFIG=path,
                        IOTJOBS_ACCOUNT_ID="222222222222",
                        IOTJOBS_ACCESS_KEY_ID=ACCESS_KEY_ID,
                        IOTJOBS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY)
        log_path = os.path.join(self.tmp, "log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([daemon_path(), "--listen",
                                     "127.0.0.1:%d" % port], env=env,
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=log)
        try:
            endpoint = "http://127.0.0.1:%d" % port
            wait_for(lambda: self._answers(endpoint), what="the daemon")
            iot = boto3.client("iot", endpoint_url=endpoint,
                               region_name="eu-central-1",
                               aws_access_key_id=ACCESS_KEY_ID,
                               aws_secret_access_key=SECRET_ACCESS_KEY,
                               config=Config(retries={
                                   "total_max_attempts": 1}))
            name = unique_name("conf")
            out = iot.create_thing(thingName=name)
            self.assertEqual(out["thingArn"],
                             "arn:aws:iot:eu-central-1:222222222222:"
                             "thing/%s" % name)
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=10), 0)
        with open(log_path) as f:
            lines = [json.loads(line) for line in f]
        start = [x for x in lines if x["msg"].startswith("listening on")]
        self.assertEqual(start[0]["config"], path)
        self.assertEqual(start[0]["data-dir"], data)
        self.assertTrue(os.path.isfile(os.path.join(data, "iotjobs.db")))

    @staticmethod
    def _answers(endpoint):
        try:
            return raw_request(endpoint, "GET", "/_iotjobs/health").status \
                == 200
        except OSError:
            return False


class HealthTest(unittest.TestCase):
    """Probes answer without a signature, and only the node's state."""

    def ready(self, d):
        r = d.raw_request("GET", "/_iotjobs/ready")
        return r.status, r.json()

    def test_health_and_ready_of_a_leader_without_mqtt(self):
        with Daemon() as d:
            r = d.raw_request("GET", "/_iotjobs/health")
            self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
            self.assertEqual(self.ready(d), (200, {
                "status": "ready", "store": "ok", "broker": "off",
                "role": "leader"}))
            r = d.raw_request("HEAD", "/_iotjobs/ready")
            self.assertEqual(r.status, 200)
            r = d.raw_request("POST", "/_iotjobs/ready", body={})
            self.assertEqual((r.status, r.error_type),
                             (405, "InvalidRequestException"))
            # The rest of /_iotjobs/ still wants a signature.
            r = d.raw_request("GET", "/_iotjobs/clock")
            self.assertEqual(r.status, 403)

    def test_a_standby_node_is_ready_and_says_so(self):
        with Daemon() as leader:
            standby = Daemon(start=False)
            standby.data_dir = leader.data_dir
            with standby:
                self.assertEqual(self.ready(standby)[1]["role"], "standby")
                self.assertEqual(self.ready(standby)[0], 200)
                self.assertEqual(self.ready(leader)[1]["role"], "leader")
                leader.stop()
                wait_for(lambda: self.ready(standby)[1]["role"] ==
                         "leader", what="the standby to lead")

    def test_ready_follows_the_broker(self):
        port = free_port()
        with Daemon(args=["--mqtt", "mqtt://127.0.0.1:%d" % port]) as d:
            status, body = self.ready(d)
            self.assertEqual((status, body["status"], body["broker"]),
                             (503, "unavailable", "disconnected"))
            self.assertEqual(d.raw_request("GET", "/_iotjobs/health")
                             .status, 200)
            broker = self._broker(port, d.workdir)
            try:
                wait_for(lambda: self.ready(d)[0] == 200,
                         what="the broker connection")
                self.assertEqual(self.ready(d)[1]["broker"], "connected")
            finally:
                broker.kill()
                broker.wait()
            wait_for(lambda: self.ready(d)[0] == 503,
                     what="the broker to be seen away")

    def _broker(self, port, workdir):
        conf = os.path.join(workdir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\n" % port)
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        proc = subprocess.Popen([exe, "-c", conf],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc


def logged(args, fn):
    """Runs FN(daemon) on a daemon started with ARGS, stops it (exit 0
    asserted) and returns everything it logged."""
    d = Daemon(args=args)
    try:
        fn(d)
        d.stop()
        with open(d.log_path) as f:
            return f.read()
    finally:
        d.kill9()
        d._remove_workdir()


class JsonLogTest(unittest.TestCase):
    """--log-format json: every line a JSON object; request lines name
    the principal, the thing, the job, the request id and the peer."""

    def test_every_line_parses_and_requests_carry_their_fields(self):
        thing = unique_name("log")
        job = unique_name("job")
        seen = {}

        def traffic(d):
            iot = d.iot_client()
            out = iot.create_thing(thingName=thing)
            seen["rid"] = out["ResponseMetadata"]["RequestId"]
            iot.create_job(jobId=job, targets=[out["thingArn"]],
                           document='{"secret": "do-not-log-me"}')
            d.data_client().describe_job_execution(thingName=thing,
                                                   jobId=job)
            d.raw_request("GET", "/_iotjobs/ready")
            with self.assertRaises(ClientError):
                iot.describe_thing(thingName=unique_name("missing"))

        text = logged(["--log-format", "json", "--log-level", "debug"],
                      traffic)
        rid = seen["rid"]
        lines = [ln for ln in text.splitlines() if not ln.startswith("---")]
        objs = [json.loads(ln) for ln in lines]
        for o in objs:
            self.assertEqual(set(o) >= {"time", "level", "prog", "msg"},
                             True, o)
            self.assertRegex(o["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        reqs = [o for o in objs if o["msg"] == "request"]
        create = [o for o in reqs if o["id"] == rid]
        self.assertEqual(len(create), 1, reqs)
        self.assertEqual(create[0]["op"], "CreateThing")
        self.assertEqual(create[0]["principal"], ACCESS_KEY_ID)
        self.assertEqual(create[0]["thing"], thing)
        self.assertEqual(create[0]["peer"], "127.0.0.1")
        self.assertEqual(create[0]["status"], "200")
        desc = [o for o in reqs if o["op"] == "DescribeJobExecution"]
        self.assertEqual((desc[0]["thing"], desc[0]["job"]), (thing, job))
        missing = [o for o in reqs if o.get("error") ==
                   "ResourceNotFoundException"]
        self.assertEqual(missing[0]["status"], "404")
        # debug level: the probe has its line too
        self.assertTrue([o for o in reqs if o["op"] == "health"])
        self.assertNotIn(SECRET_ACCESS_KEY, text)
        self.assertNotIn("do-not-log-me", text)

    def test_warning_level_drops_request_lines(self):
        text = logged(["--log-level", "warning"],
                      lambda d: d.iot_client().list_things())
        self.assertNotIn("request id=", text)
        self.assertNotIn("listening on", text)

    def test_probes_are_not_logged_at_info(self):
        def traffic(d):
            for _ in range(3):
                d.raw_request("GET", "/_iotjobs/health")
            d.iot_client().list_things()

        text = logged([], traffic)
        self.assertIn("op=ListThings", text)
        self.assertNotIn("op=health", text)


class RegionTest(DaemonTestCase):
    """A signature scoped to another region than --region is refused as
    AWS refuses it, on both planes; the key itself is good anywhere."""

    def client(self, service, region):
        return boto3.client(service, endpoint_url=self.daemon.endpoint,
                            region_name=region,
                            aws_access_key_id=ACCESS_KEY_ID,
                            aws_secret_access_key=SECRET_ACCESS_KEY,
                            config=Config(retries={"total_max_attempts": 1}))

    def test_control_plane_signed_for_another_region(self):
        with self.assertRaises(ClientError) as cm:
            self.client("iot", "eu-west-1").list_things()
        self.assertClientError(cm.exception, "InvalidSignatureException",
                               403)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Credential should be scoped to a valid region, "
                         "not 'eu-west-1'. ")

    def test_data_plane_signed_for_another_region(self):
        with self.assertRaises(ClientError) as cm:
            self.client("iot-jobs-data", "ap-south-1").describe_job_execution(
                thingName="t", jobId="j")
        self.assertClientError(cm.exception, "InvalidSignatureException",
                               403)
        self.assertIn("Credential should be scoped to a valid region",
                      cm.exception.response["Error"]["Message"])

    def test_the_served_region_is_accepted(self):
        out = self.client("iot", REGION).list_things()
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)


class UnknownRouteTest(DaemonTestCase):

    def test_post_things_slash_is_not_register_thing(self):
        r = self.daemon.signed_request("POST", "/things/", body={},
                                       service=CONTROL_SERVICE)
        self.assertEqual((r.status, r.error_type),
                         (404, "ResourceNotFoundException"), r)
        self.assertEqual(r.json(), {"message": "Not Found"})

    def test_paths_of_no_operation_are_404(self):
        for method, path in (("GET", "/"), ("GET", "/no/such/path"),
                             ("DELETE", "/things"),
                             ("GET", "/things/t1/jobs/")):
            r = self.daemon.signed_request(method, path,
                                           service=CONTROL_SERVICE)
            self.assertEqual((r.status, r.error_type),
                             (404, "ResourceNotFoundException"),
                             (method, path, r))

    def test_model_operations_iotjobs_lacks_stay_501(self):
        r = self.daemon.signed_request("POST", "/things", body={},
                                       service=CONTROL_SERVICE)
        self.assertEqual((r.status, r.error_type),
                         (501, "NotImplementedException"))
        self.assertIn("RegisterThing", r.json()["message"])


if __name__ == "__main__":
    unittest.main()
