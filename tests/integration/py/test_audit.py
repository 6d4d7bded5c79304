# SPDX-License-Identifier: Apache-2.0
"""The audit log: every control-plane write (its result too, failures
included) and every authorization refusal is recorded with who, what,
when, from where, in the same transaction as the change; reads and the
devices' data plane are not; job documents and secrets never go in (a
document's SHA-256 does). `iotjobs audit` lists and filters it in both
output modes; `iotjobs audit verify` proves the chain, also when two
iotjobsd share the store, and, after the store file is edited with the
sqlite3 CLI (a record changed, removed, inserted), exits 1 naming the
first broken record."""

import hashlib
import json
import os
import shutil
import subprocess
import unittest

from harness import cli
from harness.daemon import (ACCESS_KEY_ID, ACCOUNT_ID, REGION, Daemon,
                            DaemonTestCase, sqlite_only, store_env,
                            unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


def sql(db, statement):
    r = subprocess.run(["sqlite3", db, statement], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


class AuditTest(DaemonTestCase):

    test_clock = True

    def audit(self, *args):
        return cli.run_json(self, self.daemon, "audit", *args)["records"]

    def test_writes_refusals_and_results_are_recorded(self):
        t = unique_name("t")
        self.iot.create_thing(thingName=t, attributePayload={
            "attributes": {"a": "1"}})
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException):
            self.iot.create_thing(thingName=t, attributePayload={
                "attributes": {"a": "2"}})
        self.iot.describe_thing(thingName=t)
        doc = json.dumps({"firmware": "s3cret-doc-contents"})
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id, targets=[ARN + "thing/" + t],
                            document=doc)
        self.daemon.data_client().update_job_execution(
            thingName=t, jobId=job_id, status="IN_PROGRESS")
        cli.run_json(self, self.daemon, "job", "pause", job_id)

        recs = self.audit("--thing", t)
        ops = [(r["operation"], r["result"]) for r in recs]
        self.assertEqual(ops, [("CreateThing", "OK"),
                               ("CreateThing",
                                "ResourceAlreadyExistsException")])
        for r in recs:
            self.assertEqual((r["principal"], r["peer"], r["target"]),
                             (ACCESS_KEY_ID, "127.0.0.1", "thing/" + t))
            self.assertEqual(len(r["hash"]), 64)
        recs = self.audit("--job", job_id)
        self.assertEqual([r["operation"] for r in recs],
                         ["CreateJob", "iotjobs:PauseJob"])
        self.assertEqual(json.loads(recs[0]["detail"]),
                         {"documentSha256":
                          hashlib.sha256(doc.encode()).hexdigest()})
        everything = json.dumps(self.audit())
        self.assertNotIn("s3cret-doc-contents", everything)
        self.assertNotIn("DescribeThing", everything)
        self.assertNotIn("UpdateJobExecution", everything)

        r = cli.run(self.daemon, "audit", "--job", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("CreateJob", r.stdout)
        self.assertIn("iotjobs:PauseJob", r.stdout)
        self.assertIn("job/" + job_id, r.stdout)
        self.assertIn("documentSha256", r.stdout)

    def test_since_filter_and_limit(self):
        self.iot.create_thing(thingName=unique_name("t"))
        self.daemon.advance(3600)
        now = self.daemon.now()
        late = unique_name("t")
        self.iot.create_thing(thingName=late)
        recs = self.audit("--since", str(now))
        self.assertEqual([r["thing"] for r in recs
                          if r["operation"] == "CreateThing"], [late])
        self.assertTrue(all(r["at"] >= now for r in recs))
        self.assertEqual(len(self.audit("--limit", "1")), 1)
        r = cli.run(self.daemon, "audit", "--since", "yesterday-ish")
        cli.assert_fails(self, r, "--since", status=2)

    def test_refusal_is_recorded(self):
        policy = os.path.join(self.daemon.workdir, "ro.json")
        with open(policy, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iot:Describe*",
                 "Resource": "*"}]}, f)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env.update(store_env(self.daemon.data_dir))
        out = subprocess.run([self.daemon.binary, "credentials", "create",
                              "--name", unique_name("op"), "--policy-file",
                              policy, "--output", "json"], env=env,
                             capture_output=True, text=True, timeout=30)
        key = json.loads(out.stdout)
        c = self.daemon.iot_client(access_key=key["accessKeyId"],
                                   secret_key=key["secretAccessKey"])
        self.addCleanup(c.close)
        t = unique_name("t")
        with self.assertRaises(c.exceptions.ClientError):
            c.create_thing(thingName=t)
        (rec,) = self.audit("--thing", t)
        self.assertEqual((rec["operation"], rec["result"], rec["principal"]),
                         ("CreateThing", "AccessDeniedException",
                          key["accessKeyId"]))

    def test_verify_passes_after_traffic(self):
        for _ in range(5):
            self.iot.create_thing(thingName=unique_name("t"))
        r = cli.run(self.daemon, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^audit log verified: \d+ records,"
                         r" head #\d+ [0-9a-f]{64}\n$")
        out = cli.run_json(self, self.daemon, "audit", "verify")
        self.assertTrue(out["verified"])


@sqlite_only
class AuditTamperTest(unittest.TestCase):
    """The store file edited behind the daemons' back."""

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.close)
        self.iot = self.d.iot_client()
        self.addCleanup(self.iot.close)
        self.db = os.path.join(self.d.data_dir, "iotjobs.db")

    def test_two_daemons_one_chain_then_broken_three_ways(self):
        # A second iotjobsd on the same store: the writes of both chain.
        d2 = Daemon(start=False)
        self.addCleanup(d2.close)
        d2.data_dir = self.d.data_dir
        d2.start()
        iot2 = d2.iot_client()
        self.addCleanup(iot2.close)
        for i in range(6):
            (self.iot if i % 2 else iot2).create_thing(
                thingName=unique_name("t"))
        d2.stop()
        r = cli.run(self.d, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("6 records", r.stdout)
        self.d.stop()
        clean = self.db + ".clean"
        shutil.copy(self.db, clean)

        def tampered(statement):
            shutil.copy(clean, self.db)
            sql(self.db, statement)
            self.d.start()
            r = cli.run(self.d, "audit", "verify")
            js = cli.run(self.d, "audit", "verify", "--output", "json")
            self.d.stop()
            self.assertEqual(js.returncode, 1)
            return r, json.loads(js.stdout)

        r, js = tampered("UPDATE audit_log SET principal = 'AKIAFORGED'"
                         " WHERE seq = 3")
        cli.assert_fails(self, r, "audit verify", "record 3 was edited")
        self.assertEqual((js["verified"], js["brokenAt"]), (False, 3))

        r, js = tampered("DELETE FROM audit_log WHERE seq = 4")
        cli.assert_fails(self, r, "record 4 is missing (removed)")
        self.assertEqual(js["brokenAt"], 4)

        r, js = tampered(
            "UPDATE audit_log SET seq = -seq WHERE seq >= 5;"
            " UPDATE audit_log SET seq = 1 - seq WHERE seq < 0;"
            " INSERT INTO audit_log SELECT 5, at, 'AKIAFORGED', operation,"
            " target, thing, job, peer, request_id, result, detail,"
            " hash, hash FROM audit_log WHERE seq = 4")
        cli.assert_fails(self, r, "record 5 was edited")
        self.assertEqual(js["brokenAt"], 5)

        r, js = tampered("UPDATE audit_log SET prev_hash = '%s' WHERE"
                         " seq = 2" % ("0" * 64))
        cli.assert_fails(self, r, "record 2 does not follow record 1")
        self.assertEqual(js["brokenAt"], 2)

        shutil.copy(clean, self.db)
        self.d.start()
        r = cli.run(self.d, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
