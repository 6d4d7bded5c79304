# SPDX-License-Identifier: Apache-2.0
"""Operator keys: `iotjobsd credentials create|list|revoke` run against a
running daemon's data folder, the keys used through boto3, a revoked key
refused within about a second, the secret shown once and found nowhere
else (daemon log, list, store files), the sealing key file's mode, and
the command's refusals, and the key's policy enforced by the one
authorization of every request (auth/authz.c)."""

import json
import os
import re
import stat
import subprocess
import time
import unittest

from botocore.exceptions import ClientError

from harness.daemon import (CONTROL_SERVICE, DaemonTestCase, sqlite_only,
                            store_dump, store_env, unique_name)

BAD_TOKEN = "The security token included in the request is invalid."
REVOKE_WITHIN = 2.5     # seconds: the cache looks once a second

READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["iot:ListThings", "iot:DescribeThing",
                   "iotjobsdata:GetPendingJobExecutions"],
        "Resource": "*",
    }],
}

ALL_BUT_DELETE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iot:DeleteThing", "Resource": "*"},
    ],
}

EXPORT_RE = re.compile(r"^export AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})\n"
                       r"export AWS_SECRET_ACCESS_KEY=([A-Za-z0-9+/]{40})$",
                       re.M)


class OperatorKeysTest(DaemonTestCase):

    test_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_path = cls.write_policy("read-only.json", READ_ONLY)

    @classmethod
    def write_policy(cls, name, doc):
        path = os.path.join(cls.daemon.workdir, name)
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    # -- helpers --------------------------------------------------------

    def credentials(self, *args, stdin=None, env=None):
        """Runs `iotjobsd credentials ARGS` on this daemon's data folder;
        the folder comes from IOTJOBS_DATA_DIR unless ENV says otherwise.
        """
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("IOTJOBS_")}
        e.update(store_env(self.daemon.data_dir))
        e.update(env or {})
        return subprocess.run([self.daemon.binary, "credentials"] +
                              list(args), env=e, input=stdin,
                              capture_output=True, text=True, timeout=30)

    def create(self, name=None, policy=None, json_output=False):
        """Creates a key; returns (name, access key id, secret, stdout)."""
        name = name or unique_name("op")
        args = ["create", "--name", name, "--policy-file",
                policy or self.policy_path]
        if json_output:
            args += ["--output", "json"]
        r = self.credentials(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        if json_output:
            out = json.loads(r.stdout)
            return name, out["accessKeyId"], out["secretAccessKey"], r.stdout
        m = EXPORT_RE.search(r.stdout)
        self.assertIsNotNone(m, r.stdout)
        return name, m.group(1), m.group(2), r.stdout

    def client(self, akid, secret, data=False):
        """A boto3 client signing with AKID/SECRET, closed after the test
        (old urllib3 otherwise leaves its sockets to the collector)."""
        make = self.daemon.data_client if data else self.daemon.iot_client
        c = make(access_key=akid, secret_key=secret)
        self.addCleanup(c.close)
        return c

    def assertRefused(self, r, *words):
        """A non-zero exit with one line on stderr holding WORDS."""
        self.assertNotEqual(r.returncode, 0, r.stdout)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        for w in words:
            self.assertIn(w, lines[0])
        self.assertEqual(r.stdout, "")

    def assertUnrecognized(self, client_call):
        with self.assertRaises(ClientError) as cm:
            client_call()
        self.assertClientError(cm.exception, "UnrecognizedClientException",
                               403)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         BAD_TOKEN)

    def listed(self):
        r = self.credentials("list", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return {k["name"]: k for k in json.loads(r.stdout)["credentials"]}

    # -- create and use -------------------------------------------------

    def test_create_prints_export_lines_and_the_key_signs_for_boto3(self):
        name, akid, secret, out = self.create()
        self.assertIn(name, out)
        thing = unique_name("opthing")
        self.iot.create_thing(thingName=thing)
        iot = self.client(akid, secret)
        names = [t["thingName"] for t in iot.list_things()["things"]]
        self.assertIn(thing, names)
        self.assertEqual(iot.describe_thing(thingName=thing)["thingName"],
                         thing)
        data = self.client(akid, secret, data=True)
        got = data.get_pending_job_executions(thingName=thing)
        self.assertEqual(got["inProgressJobs"], [])
        self.assertEqual(got["queuedJobs"], [])

    def test_create_json_output_and_policy_from_standard_input(self):
        name = unique_name("opjson")
        r = self.credentials("create", "--name", name, "--policy-file", "-",
                             "--output", "json", stdin=json.dumps(READ_ONLY))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["name"], name)
        self.assertRegex(out["accessKeyId"], r"^AKIA[A-Z2-7]{16}$")
        self.assertRegex(out["secretAccessKey"], r"^[A-Za-z0-9+/]{40}$")
        self.assertEqual(out["status"], "ACTIVE")
        self.assertLess(abs(out["createdAt"] - time.time()), 60)
        iot = self.client(out["accessKeyId"], out["secretAccessKey"])
        self.assertIn("things", iot.list_things())

    @sqlite_only
    def test_data_dir_flag_works_like_the_daemon_s(self):
        name = unique_name("opflag")
        r = self.credentials("create", "--name", name, "--policy-file",
                             self.policy_path, "--data-dir",
                             self.daemon.data_dir,
                             env={"IOTJOBS_DATA_DIR": "/nonexistent/x"})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.credentials("list", env={"IOTJOBS_DATA_DIR": "/nonexistent"})
        self.assertRefused(r, "/nonexistent")

    def test_wrong_secret_for_an_operator_key_is_invalid_signature(self):
        _, akid, secret, _ = self.create()
        iot = self.client(akid, secret[::-1])
        with self.assertRaises(ClientError) as cm:
            iot.list_things()
        self.assertClientError(cm.exception, "InvalidSignatureException",
                               403)

    def test_unknown_key_is_unrecognized_client(self):
        iot = self.client("AKIAAAAAAAAAAAAAAAAA", "x" * 40)
        self.assertUnrecognized(iot.list_things)

    def test_operator_may_not_move_the_test_clock(self):
        _, akid, secret, _ = self.create()
        r = self.daemon.signed_request("GET", "/_iotjobs/clock",
                                       service=CONTROL_SERVICE,
                                       access_key=akid, secret_key=secret)
        self.assertEqual((r.status, r.error_type),
                         (403, "AccessDeniedException"), r)

    # -- list and revoke ------------------------------------------------

    def test_list_shows_the_key_but_never_the_secret(self):
        name, akid, secret, _ = self.create()
        text = self.credentials("list")
        self.assertEqual(text.returncode, 0, text.stderr)
        header, *rows = text.stdout.splitlines()
        self.assertEqual(header.split(), ["NAME", "ACCESS_KEY_ID", "STATUS",
                                          "CREATED", "REVOKED"])
        mine = [r.split() for r in rows if r.split()[0] == name]
        self.assertEqual(len(mine), 1, text.stdout)
        self.assertEqual(mine[0][1:3], [akid, "ACTIVE"])
        self.assertRegex(mine[0][3], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(mine[0][4], "-")
        js = self.credentials("list", "--output", "json")
        self.assertEqual(js.returncode, 0, js.stderr)
        k = {k["name"]: k for k in json.loads(js.stdout)["credentials"]}
        self.assertEqual(k[name]["accessKeyId"], akid)
        self.assertEqual(k[name]["status"], "ACTIVE")
        self.assertNotIn("revokedAt", k[name])
        for out in (text.stdout, text.stderr, js.stdout, js.stderr):
            self.assertNotIn(secret, out)

    def test_revoked_key_is_refused_within_about_a_second(self):
        name, akid, secret, _ = self.create()
        iot = self.client(akid, secret)
        iot.list_things()       # cached in the daemon now
        r = self.credentials("revoke", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(akid, r.stdout)
        t0 = time.monotonic()
        while True:
            try:
                iot.list_things()
            except ClientError as e:
                self.assertClientError(e, "UnrecognizedClientException", 403)
                self.assertEqual(e.response["Error"]["Message"], BAD_TOKEN)
                break
            self.assertLess(time.monotonic() - t0, REVOKE_WITHIN,
                            "a revoked key still works")
            time.sleep(0.05)
        # Refused from now on, on both planes.
        self.assertUnrecognized(iot.list_things)
        data = self.client(akid, secret, data=True)
        self.assertUnrecognized(
            lambda: data.get_pending_job_executions(thingName="x"))
        k = self.listed()[name]
        self.assertEqual(k["status"], "REVOKED")
        self.assertLess(abs(k["revokedAt"] - time.time()), 60)
        again = self.credentials("revoke", name)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already", again.stdout)

    def test_revoke_by_access_key_id(self):
        name, akid, secret, _ = self.create()
        r = self.credentials("revoke", akid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.listed()[name]["status"], "REVOKED")
        iot = self.client(akid, secret)
        # Never used before: not cached, refused at once.
        self.assertUnrecognized(iot.list_things)

    def test_revoke_unknown_name_is_refused(self):
        self.assertRefused(self.credentials("revoke", "no-such-key"),
                           "no-such-key")

    # -- secrecy --------------------------------------------------------

    def test_secret_is_not_in_log_list_or_store_files(self):
        name, akid, secret, _ = self.create()
        iot = self.client(akid, secret)
        iot.list_things()
        self.iot.list_things()  # the admin writes too: a busy log
        lst = self.credentials("list")
        self.assertNotIn(secret, lst.stdout + lst.stderr)
        self.assertNotIn(secret, self.daemon.log_text(tail=100000))
        needle = secret.encode()
        seen = []
        for root, _, files in os.walk(self.daemon.data_dir):
            for f in files:
                path = os.path.join(root, f)
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue    # the broker plugin's socket
                with open(path, "rb") as fh:
                    blob = fh.read()
                seen.append(f)
                self.assertNotIn(needle, blob, path)
        dump = store_dump(self.daemon.data_dir)
        if dump is not None:
            self.assertNotIn(needle, dump, "the PostgreSQL store")
            self.assertIn(akid.encode(), dump, "the key's row")
            return
        self.assertIn("iotjobs.db", seen)
        # grep, as an operator would, over the SQLite files.
        r = subprocess.run(["grep", "-rqF", "--", secret,
                            self.daemon.data_dir])
        self.assertEqual(r.returncode, 1)
        r = subprocess.run(["grep", "-rqF", "--", akid,
                            self.daemon.data_dir])
        self.assertEqual(r.returncode, 0, "the key's row is in the store")

    def test_sealing_key_file_is_0600_in_a_0700_folder(self):
        self.create()
        tls = os.path.join(self.daemon.data_dir, "tls")
        key = os.path.join(tls, "keys.key")
        self.assertEqual(stat.S_IMODE(os.stat(tls).st_mode), 0o700)
        st = os.stat(key)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_size, 32)

    # -- refusals of the command -----------------------------------------

    def test_bad_policy_files_are_refused(self):
        cases = [
            ("not-json.json", "{\"Version\": "),
            ("array.json", "[]"),
            ("string.json", "\"iot:*\""),
        ]
        for fname, text in cases:
            with self.subTest(fname):
                name = unique_name("bad")
                path = self.write_policy(fname, text)
                r = self.credentials("create", "--name", name,
                                     "--policy-file", path)
                self.assertRefused(r, "policy file", fname)
                self.assertNotIn(name, self.listed())
        name = unique_name("missing")
        r = self.credentials("create", "--name", name, "--policy-file",
                             os.path.join(self.daemon.workdir, "nope.json"))
        self.assertRefused(r, "nope.json")
        r = self.credentials("create", "--name", name, "--policy-file",
                             self.daemon.workdir)
        self.assertRefused(r, "cannot read")
        self.assertNotIn(name, self.listed())

    def test_taken_name_is_refused_even_after_revoke(self):
        name, akid, _, _ = self.create()
        r = self.credentials("create", "--name", name, "--policy-file",
                             self.policy_path)
        self.assertRefused(r, name)
        self.assertEqual(self.credentials("revoke", name).returncode, 0)
        r = self.credentials("create", "--name", name, "--policy-file",
                             self.policy_path)
        self.assertRefused(r, name)
        self.assertEqual(self.listed()[name]["accessKeyId"], akid)

    def test_invalid_names_and_usage_are_refused(self):
        for bad in ("has space", "a/b", "x" * 65, ""):
            with self.subTest(bad):
                r = self.credentials("create", "--name", bad,
                                     "--policy-file", self.policy_path)
                self.assertRefused(r, "name")
        r = self.credentials("create", "--name", unique_name("u"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--policy-file", r.stderr)
        r = self.credentials("frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("frobnicate", r.stderr)

    def test_help_documents_the_command(self):
        r = subprocess.run([self.daemon.binary, "--help"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0)
        for verb in ("credentials create", "credentials list",
                     "credentials revoke"):
            self.assertIn(verb, r.stdout)


class OperatorPolicyEnforcementTest(DaemonTestCase):
    """What an operator key's policy allows and refuses: an action it does
    not allow is AccessDeniedException (403), changing nothing; an
    explicit Deny wins over an Allow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = {}
        for label, doc in (("ro", READ_ONLY), ("nodel", ALL_BUT_DELETE)):
            path = os.path.join(cls.daemon.workdir, label + ".json")
            with open(path, "w") as f:
                json.dump(doc, f)
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith("IOTJOBS_")}
            env.update(store_env(cls.daemon.data_dir))
            r = subprocess.run([cls.daemon.binary, "credentials", "create",
                                "--name", unique_name(label),
                                "--policy-file", path, "--output", "json",
                                "--data-dir", cls.daemon.data_dir],
                               env=env, capture_output=True, text=True,
                               timeout=30)
            if r.returncode != 0:
                raise RuntimeError(r.stderr)
            out = json.loads(r.stdout)
            cls.keys[label] = (out["accessKeyId"], out["secretAccessKey"])
        cls.thing = unique_name("enf")
        cls.iot.create_thing(thingName=cls.thing)

    def client(self, label, data=False):
        akid, secret = self.keys[label]
        make = self.daemon.data_client if data else self.daemon.iot_client
        c = make(access_key=akid, secret_key=secret)
        self.addCleanup(c.close)
        return c

    def assertDenied(self, call):
        with self.assertRaises(ClientError) as cm:
            call()
        self.assertClientError(cm.exception, "AccessDeniedException", 403)
        self.assertTrue(cm.exception.response["Error"]["Message"])

    def test_allowed_actions_succeed(self):
        ro = self.client("ro")
        self.assertEqual(ro.describe_thing(thingName=self.thing)["thingName"],
                         self.thing)
        self.assertIn("things", ro.list_things())
        data = self.client("ro", data=True)
        self.assertEqual(
            data.get_pending_job_executions(thingName=self.thing)[
                "queuedJobs"], [])
        nodel = self.client("nodel")
        name = unique_name("enfok")
        nodel.create_thing(thingName=name)
        self.assertEqual(nodel.describe_thing(thingName=name)["thingName"],
                         name)

    def test_action_missing_from_the_policy_is_access_denied(self):
        ro = self.client("ro")
        name = unique_name("enfno")
        self.assertDenied(lambda: ro.create_thing(thingName=name))
        with self.assertRaises(ClientError):
            self.iot.describe_thing(thingName=name)
        self.assertDenied(lambda: ro.delete_thing(thingName=self.thing))
        self.assertDenied(lambda: ro.list_jobs())
        data = self.client("ro", data=True)
        self.assertDenied(lambda: data.describe_job_execution(
            thingName=self.thing, jobId="no-such-job"))
        # The thing is still there: the refusal changed nothing.
        self.assertEqual(
            self.iot.describe_thing(thingName=self.thing)["thingName"],
            self.thing)

    def test_explicit_deny_wins_over_allow(self):
        nodel = self.client("nodel")
        name = unique_name("enfdeny")
        nodel.create_thing(thingName=name)
        self.assertDenied(lambda: nodel.delete_thing(thingName=name))
        self.assertEqual(self.iot.describe_thing(thingName=name)["thingName"],
                         name)

    def test_data_plane_action_missing_is_access_denied(self):
        data = self.client("nodel", data=True)
        self.assertDenied(lambda: data.get_pending_job_executions(
            thingName=self.thing))


if __name__ == "__main__":
    unittest.main()
