# SPDX-License-Identifier: Apache-2.0
"""The iotjobs command itself: `status` in both output modes, settings
found as the AWS CLI finds them (environment, ~/.aws profiles, an
explicit --profile beating the environment, IOTJOBS_ENDPOINT), -h on
every command, and the failures an operator meets: wrong credentials,
an unreachable endpoint and one that never answers (a clear one-line
error, quickly), unknown commands."""

import os
import socket
import subprocess
import tempfile
import time
import unittest

from harness import cli
from harness.daemon import (ACCESS_KEY_ID, SECRET_ACCESS_KEY,
                            DaemonTestCase, free_port, store_for)

COMMANDS = [["status"], ["job", "watch"], ["job", "plan"], ["job", "pause"],
            ["job", "resume"], ["explain"], ["thing", "import"], ["audit"],
            ["audit", "verify"]]


class CliStatusTest(DaemonTestCase):

    test_clock = True

    def test_status_text_names_store_leader_and_listener(self):
        r = cli.run(self.daemon, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("iotjobsd 0.1.0", r.stdout)
        self.assertIn(store_for(self.daemon.data_dir) or
                      os.path.join(self.daemon.data_dir, "iotjobs.db"),
                      r.stdout)
        self.assertIn("leader       yes", r.stdout)
        self.assertIn("http 127.0.0.1:%d" % self.daemon.port, r.stdout)
        self.assertIn("(test clock)", r.stdout)
        self.assertIn("IOTJOBS_ENDPOINT", r.stdout)
        self.assertIn("broker       none", r.stdout)

    def test_status_json(self):
        s = cli.run_json(self, self.daemon, "status")
        self.assertEqual(s["version"], "0.1.0")
        self.assertTrue(s["leader"])
        self.assertTrue(s["testClock"])
        self.assertEqual(s["now"], self.daemon.now())
        if store_for(self.daemon.data_dir):
            self.assertEqual(s["store"]["backend"], "postgresql")
            self.assertGreaterEqual(s["store"]["schemaVersion"], 1)
        else:
            self.assertEqual(s["store"]["backend"], "sqlite")
            self.assertGreater(s["store"]["schemaVersion"], 14)
        self.assertEqual(s["broker"], {"configured": False, "url": "",
                                       "connected": False})
        self.assertIn({"kind": "http",
                       "address": "127.0.0.1:%d" % self.daemon.port},
                      s["listeners"])

    def test_endpoint_flag_beats_environment(self):
        r = cli.run(self.daemon, "--endpoint-url", self.daemon.endpoint,
                    "status", env={"IOTJOBS_ENDPOINT": "http://127.0.0.1:1"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(--endpoint-url)", r.stdout)

    def test_aws_endpoint_url_is_used(self):
        r = cli.run(None, "status",
                    env={"AWS_ENDPOINT_URL": self.daemon.endpoint})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(AWS_ENDPOINT_URL)", r.stdout)

    def write_aws_files(self, credentials, config):
        d = tempfile.mkdtemp(prefix="aws-", dir=self.daemon.workdir)
        cp, fp = os.path.join(d, "credentials"), os.path.join(d, "config")
        with open(cp, "w") as f:
            f.write(credentials)
        with open(fp, "w") as f:
            f.write(config)
        return {"AWS_SHARED_CREDENTIALS_FILE": cp, "AWS_CONFIG_FILE": fp}

    def test_profile_from_files(self):
        files = self.write_aws_files(
            "[default]\naws_access_key_id = AKIAWRONGWRONGWRONG1\n"
            "aws_secret_access_key = wrong\n\n"
            "[ops]\n# the test key\naws_access_key_id = %s\n"
            "aws_secret_access_key = %s\n" % (ACCESS_KEY_ID,
                                              SECRET_ACCESS_KEY),
            "[profile ops]\nregion = us-east-1\nendpoint_url = %s\n"
            "s3 =\n  max_concurrent_requests = 2\n" % self.daemon.endpoint)
        r = cli.run(None, "status", creds=False,
                    env=dict(files, AWS_PROFILE="ops"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("shared credentials file, profile ops", r.stdout)
        self.assertIn("region us-east-1 (profile region)", r.stdout)
        self.assertIn("(profile endpoint_url)", r.stdout)

    def test_explicit_profile_beats_environment_keys(self):
        files = self.write_aws_files(
            "[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
            % (ACCESS_KEY_ID, SECRET_ACCESS_KEY), "")
        env = dict(files, AWS_ACCESS_KEY_ID="AKIAWRONGWRONGWRONG1",
                   AWS_SECRET_ACCESS_KEY="wrong")
        r = cli.run(self.daemon, "status", env=env)
        cli.assert_fails(self, r, "status", "UnrecognizedClientException")
        r = cli.run(self.daemon, "--profile", "ops", "status", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("shared credentials file, profile ops", r.stdout)

    def test_no_credentials(self):
        r = cli.run(self.daemon, "status", creds=False)
        cli.assert_fails(self, r, "NoCredentialsError",
                         "AWS_ACCESS_KEY_ID")

    def test_wrong_secret(self):
        r = cli.run(self.daemon, "status",
                    env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
        cli.assert_fails(self, r, "InvalidSignatureException", "HTTP 403")
        self.assertEqual(r.stdout, "")

    def test_unknown_key(self):
        r = cli.run(self.daemon, "status",
                    env={"AWS_ACCESS_KEY_ID": "AKIANOSUCHKEYNOSUCH1"})
        cli.assert_fails(self, r, "UnrecognizedClientException")

    def test_unreachable_endpoint_fails_at_once(self):
        port = free_port()
        t0 = time.monotonic()
        r = cli.run(None, "status",
                    env={"IOTJOBS_ENDPOINT": "http://127.0.0.1:%d" % port})
        self.assertLess(time.monotonic() - t0, 5)
        cli.assert_fails(self, r, "EndpointConnectionError",
                         "cannot reach http://127.0.0.1:%d" % port)

    def test_silent_endpoint_times_out(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            url = "http://127.0.0.1:%d" % s.getsockname()[1]
            t0 = time.monotonic()
            r = cli.run(None, "--cli-read-timeout", "1", "status",
                        env={"IOTJOBS_ENDPOINT": url})
            self.assertLess(time.monotonic() - t0, 10)
        cli.assert_fails(self, r, "EndpointConnectionError", url,
                         "timed out")

    def test_every_command_has_help(self):
        for words in COMMANDS:
            r = cli.run(self.daemon, *(words + ["-h"]), creds=False)
            self.assertEqual(r.returncode, 0, (words, r.stderr))
            self.assertIn("usage: iotjobs %s" % " ".join(words), r.stdout)
            self.assertIn("--endpoint-url", r.stdout)
        r = cli.run(self.daemon, "--help")
        self.assertEqual(r.returncode, 0)
        for words in COMMANDS:
            self.assertIn(" ".join(words), r.stdout)

    def test_bash_completion(self):
        here = os.path.dirname(os.path.abspath(__file__))
        comp = os.path.join(here, "..", "..", "..", "etc", "bash-completion",
                            "iotjobs")

        def complete(*words):
            script = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d;'
                      ' _iotjobs; echo "${COMPREPLY[*]}"' % (
                          comp, " ".join("'%s'" % w for w in words),
                          len(words) - 1))
            r = subprocess.run(["bash", "-c", script], capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.split()

        self.assertEqual(complete("iotjobs", "jo"), ["job"])
        self.assertEqual(complete("iotjobs", "job", ""),
                         ["watch", "plan", "pause", "resume"])
        self.assertEqual(complete("iotjobs", "--output", "json", "audit",
                                  "ve"), ["verify"])
        self.assertIn("--fail-on", complete("iotjobs", "job", "watch", "j",
                                            "--f"))
        self.assertEqual(complete("iotjobs", "status", "--output", "j"),
                         ["json"])

    def test_unknown_command_and_bad_output(self):
        r = cli.run(self.daemon, "frobnicate")
        cli.assert_fails(self, r, "unknown command 'frobnicate'", status=2)
        r = cli.run(self.daemon, "job", "frob")
        cli.assert_fails(self, r, "unknown command 'job frob'", status=2)
        r = cli.run(self.daemon, "status", "--output", "yaml")
        cli.assert_fails(self, r, "--output is json, text or table",
                         status=2)
        r = cli.run(self.daemon)
        self.assertEqual(r.returncode, 2)
        r = cli.run(self.daemon, "--version")
        self.assertEqual((r.returncode, r.stdout), (0, "iotjobs 0.1.0\n"))


if __name__ == "__main__":
    unittest.main()
