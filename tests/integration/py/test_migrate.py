# SPDX-License-Identifier: Apache-2.0
"""iotjobsd migrate: a store filled on SQLite through the SDKs, moved into
a new PostgreSQL schema, reads back the same through every API on a
daemon started with --store on it and the same data folder; executions
keep their versions and timers, devices carry on; a second migrate into
the now used schema is refused naming a table and changes nothing; the
password of the URL is never shown. Runs only with a private PostgreSQL
server (IOTJOBS_TEST_PG, tests/pg/with_pg.sh)."""

import json
import os
import sqlite3
import subprocess
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import cli
from harness.daemon import (ACCOUNT_ID, REGION, Daemon, daemon_path,
                            unique_name)

PG = os.environ.get("IOTJOBS_TEST_PG")
PASSWORD = "secret-xyz"     # trust authentication ignores it
ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
# What COPY's text format escapes: tab, newline, CR, backslash.
DOCUMENT = '{\n\t"op": "update",\r\n\t"path": "C:\\\\fw\\\\v2"\n}'


def thing_arn(name):
    return ARN + "thing/" + name


def iotjobsd(*args, env=None, stdin=None):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("IOTJOBS_")}
    e["IOTJOBS_CONFIG"] = ""
    e.update(env or {})
    return subprocess.run([daemon_path()] + list(args), env=e,
                          input=stdin if stdin is not None else "",
                          capture_output=True, text=True, timeout=120)


def strip(out):
    out = dict(out)
    out.pop("ResponseMetadata", None)
    return out


def psql(url, sql):
    r = subprocess.run(["psql", url, "-X", "-q", "-At", "-c", sql],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("psql: %s" % r.stderr)
    return r.stdout.strip()


@unittest.skipUnless(PG, "needs a PostgreSQL server (tests/pg/with_pg.sh)")
class MigrateTest(unittest.TestCase):

    def setUp(self):
        schema = "mig_" + uuid.uuid4().hex[:12]
        self.url = "%s&password=%s&options=-csearch_path%%3D%s" % (
            PG, PASSWORD, schema)
        self.d = Daemon(start=False, test_clock=True)
        self.addCleanup(self.d.close)
        self.db = os.path.join(self.d.data_dir, "iotjobs.db")
        # SQLite even when the suite runs on PostgreSQL.
        self.d.extra_env["IOTJOBS_STORE"] = "sqlite:" + self.db
        self.d.start()
        self.iot = self.d.iot_client()
        self.data = self.d.data_client()
        self.things = [unique_name("dev") for _ in range(5)]

    # -- filling the store ---------------------------------------------

    def fill(self):
        iot, data, t = self.iot, self.data, self.things
        self.type_name = unique_name("type")
        iot.create_thing_type(thingTypeName=self.type_name,
                              thingTypeProperties={
                                  "searchableAttributes": ["site"]})
        for i, name in enumerate(t):
            iot.create_thing(thingName=name, thingTypeName=self.type_name,
                             attributePayload={"attributes": {
                                 "site": "s%d" % (i % 2),
                                 "note": "n%d" % i}})
        self.group = unique_name("grp")
        iot.create_thing_group(thingGroupName=self.group, tags=[
            {"Key": "team", "Value": "fleet"}])
        for name in t[:3]:
            iot.add_thing_to_thing_group(thingGroupName=self.group,
                                         thingName=name)
        self.template = unique_name("tpl")
        iot.create_job_template(jobTemplateId=self.template,
                                description="the template",
                                document='{"op": "reboot"}')
        self.job = unique_name("job")
        iot.create_job(jobId=self.job, targets=[thing_arn(n) for n in t],
                       document=DOCUMENT,
                       description="migrated job",
                       tags=[{"Key": "env", "Value": "prod"}])
        # t0 SUCCEEDED, t1 FAILED, t2 IN_PROGRESS with a 10 min step
        # timer at versionNumber 3, t3 IN_PROGRESS at version 2, t4 QUEUED.
        data.update_job_execution(thingName=t[0], jobId=self.job,
                                  status="SUCCEEDED")
        data.update_job_execution(thingName=t[1], jobId=self.job,
                                  status="FAILED",
                                  statusDetails={"why": "disk"})
        data.start_next_pending_job_execution(thingName=t[2],
                                              stepTimeoutInMinutes=10)
        data.update_job_execution(thingName=t[2], jobId=self.job,
                                  status="IN_PROGRESS",
                                  statusDetails={"step": "2"},
                                  stepTimeoutInMinutes=10)
        data.update_job_execution(thingName=t[3], jobId=self.job,
                                  status="IN_PROGRESS")
        self.d.advance(60)
        self.cmd = None
        if hasattr(iot, "create_command") and hasattr(
                data, "start_command_execution"):
            self.cmd = unique_name("cmd")
            iot.create_command(commandId=self.cmd, payload={
                "content": b'{"op":"blink"}',
                "contentType": "application/json"})
            self.cmd_exec = data.start_command_execution(
                targetArn=thing_arn(t[0]),
                commandArn=ARN + "command/" + self.cmd,
                executionTimeoutSeconds=600)["executionId"]
        cert = iot.create_keys_and_certificate(setAsActive=True)
        self.cert_id, self.cert_arn = (cert["certificateId"],
                                       cert["certificateArn"])
        self.policy = unique_name("pol")
        iot.create_policy(policyName=self.policy, policyDocument=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
            ' "Action": "iot:Connect", "Resource": "*"}]}'))
        iot.create_policy_version(policyName=self.policy, policyDocument=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
            ' "Action": "iot:*", "Resource": "*"}]}'), setAsDefault=True)
        iot.attach_policy(policyName=self.policy, target=self.cert_arn)
        iot.attach_thing_principal(thingName=t[0], principal=self.cert_arn)
        # Operator keys: a sealed secret (bytea), insertion order (rowid).
        self.keys = [self.operator_key() for _ in range(2)]

    def credentials(self, *args, stdin=None):
        r = iotjobsd("credentials", *args, stdin=stdin, env={
            "IOTJOBS_DATA_DIR": self.d.data_dir,
            "IOTJOBS_STORE": self.d.extra_env["IOTJOBS_STORE"]})
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def operator_key(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:ListThings",
             "Resource": "*"}]})
        out = json.loads(self.credentials(
            "create", "--name", unique_name("op"), "--policy-file", "-",
            "--output", "json", stdin=policy))
        return out["accessKeyId"], out["secretAccessKey"]

    # -- what the APIs show --------------------------------------------

    def state(self):
        iot, data, t = self.iot, self.data, self.things
        s = {}
        s["things"] = strip(iot.list_things(maxResults=100))
        for name in t:
            s["thing " + name] = strip(iot.describe_thing(thingName=name))
            s["pending " + name] = strip(
                data.get_pending_job_executions(thingName=name))
            s["exec " + name] = strip(data.describe_job_execution(
                thingName=name, jobId=self.job, includeJobDocument=True))
            s["principals " + name] = strip(
                iot.list_thing_principals(thingName=name))
        s["type"] = strip(iot.describe_thing_type(
            thingTypeName=self.type_name))
        s["groups"] = strip(iot.list_thing_groups())
        s["group"] = strip(iot.describe_thing_group(
            thingGroupName=self.group))
        s["members"] = strip(iot.list_things_in_thing_group(
            thingGroupName=self.group))
        s["jobs"] = strip(iot.list_jobs())
        s["job"] = strip(iot.describe_job(jobId=self.job))
        s["job executions"] = strip(
            iot.list_job_executions_for_job(jobId=self.job))
        s["job tags"] = strip(iot.list_tags_for_resource(
            resourceArn=ARN + "job/" + self.job))
        s["group tags"] = strip(iot.list_tags_for_resource(
            resourceArn=ARN + "thinggroup/" + self.group))
        s["templates"] = strip(iot.list_job_templates())
        s["template"] = strip(iot.describe_job_template(
            jobTemplateId=self.template))
        s["certificates"] = strip(iot.list_certificates())
        s["certificate"] = strip(iot.describe_certificate(
            certificateId=self.cert_id))
        s["policies"] = strip(iot.list_policies())
        s["policy"] = strip(iot.get_policy(policyName=self.policy))
        s["policy versions"] = strip(iot.list_policy_versions(
            policyName=self.policy))
        s["policy targets"] = strip(iot.list_targets_for_policy(
            policyName=self.policy))
        s["attached"] = strip(iot.list_attached_policies(
            target=self.cert_arn))
        s["ca"] = strip(iot.list_ca_certificates())
        s["operator keys"] = self.credentials("list", "--output", "json")
        if self.cmd is not None:
            s["command"] = strip(iot.get_command(commandId=self.cmd))
            s["command execution"] = strip(iot.get_command_execution(
                executionId=self.cmd_exec, targetArn=thing_arn(t[0])))
        return s

    def migrate(self, *extra):
        r = iotjobsd("migrate", "--to", self.url, *extra)
        self.assertNotIn(PASSWORD, r.stdout + r.stderr)
        return r

    # -- the story -----------------------------------------------------

    def test_sqlite_store_moves_whole_to_postgresql(self):
        t = self.things
        self.fill()
        before = self.state()
        r = cli.run(self.d, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)
        before["audit"] = r.stdout
        self.assertEqual(before["exec " + t[2]]["execution"]["versionNumber"],
                         3)
        self.d.stop()

        r = self.migrate("--data-dir", self.d.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = dict(line.split(" ", 1) for line in
                     r.stdout.splitlines()[:-1])
        self.assertEqual(lines["things"], "5")
        self.assertEqual(lines["executions"], "5")
        self.assertEqual(lines["thing_groups"], "1")
        self.assertIn("migrated ", r.stdout.splitlines()[-1])
        self.assertNotEqual(lines["audit_log"], "0")

        self.d.extra_env["IOTJOBS_STORE"] = self.url
        self.d.start()
        after = self.state()
        # The audit chain, record for record: the same head and hash.
        r = cli.run(self.d, "audit", "verify")
        self.assertEqual(r.returncode, 0, r.stderr)
        after["audit"] = r.stdout
        for key in before:
            self.assertEqual(after[key], before[key], key)
        schema = self.url.rsplit("%3D", 1)[1]
        plain = "%s&options=-csearch_path%%3D%s" % (PG, schema)
        self.assertEqual(psql(plain, "SELECT count(*) FROM things"), "5")

        # The sealed operator secrets still open: their keys sign.
        for akid, secret in self.keys:
            c = self.d.iot_client(access_key=akid, secret_key=secret)
            self.assertEqual(len(c.list_things()["things"]), 5)
            c.close()
        self.operator_key()

        # A device carries on where it was, versions checked.
        with self.assertRaises(ClientError) as cm:
            self.data.update_job_execution(thingName=t[3], jobId=self.job,
                                           status="SUCCEEDED",
                                           expectedVersion=1)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidStateTransitionException")
        self.assertIn("VersionMismatch", err["Message"])
        self.data.update_job_execution(thingName=t[3], jobId=self.job,
                                       status="SUCCEEDED", expectedVersion=2)
        ex = self.data.describe_job_execution(thingName=t[3],
                                              jobId=self.job)["execution"]
        self.assertEqual((ex["status"], ex["versionNumber"]),
                         ("SUCCEEDED", 3))

        # The step timer set on SQLite fires on PostgreSQL.
        self.d.advance(600)
        ex = self.data.describe_job_execution(thingName=t[2],
                                              jobId=self.job)["execution"]
        self.assertEqual(ex["status"], "TIMED_OUT")
        job = self.iot.describe_job(jobId=self.job)["job"]
        counts = job["jobProcessDetails"]
        self.assertEqual((counts["numberOfSucceededThings"],
                          counts["numberOfFailedThings"],
                          counts["numberOfTimedOutThings"],
                          counts["numberOfQueuedThings"]), (2, 1, 1, 1))

        # New rows get new ids: the sequences were moved past the copied.
        job2 = unique_name("job")
        self.iot.create_job(jobId=job2, targets=[thing_arn(t[4])],
                            document='{"op": "next"}')
        pending = self.data.get_pending_job_executions(thingName=t[4])
        self.assertEqual(sorted(j["jobId"] for j in
                                pending["queuedJobs"]),
                         sorted([self.job, job2]))
        self.iot.create_job_template(jobTemplateId=unique_name("tpl"),
                                     description="after",
                                     document="{}")

        # Into the now used schema: refused, naming a table, unchanged.
        self.d.stop()
        n = psql(plain, "SELECT count(*) FROM executions")
        r = self.migrate("--from", "sqlite:" + self.db)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("is not empty: its table ", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(psql(plain, "SELECT count(*) FROM executions"), n)
        self.d.start()
        self.assertEqual(self.data.describe_job_execution(
            thingName=t[3], jobId=self.job)["execution"]["status"],
            "SUCCEEDED")

    def test_refusals(self):
        self.d.stop()
        r = iotjobsd("migrate", "--from", "sqlite:" + self.db)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--to", r.stderr)
        r = iotjobsd("migrate", "--to", "mysql://x")
        self.assertEqual(r.returncode, 2)
        r = self.migrate("--from", "sqlite:" + self.db + ".missing")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no SQLite store", r.stderr)
        # A column or a table only one side has: named, nothing written.
        db = sqlite3.connect(self.db)
        db.execute("ALTER TABLE things ADD COLUMN colour TEXT")
        db.commit()
        r = self.migrate("--from", "sqlite:" + self.db)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("column things.colour is not in the PostgreSQL",
                      r.stderr)
        db.execute("ALTER TABLE things DROP COLUMN colour")
        db.execute("CREATE TABLE extras (x TEXT)")
        db.commit()
        db.close()
        r = self.migrate("--from", "sqlite:" + self.db)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("table extras is not in the PostgreSQL", r.stderr)
        schema = self.url.rsplit("%3D", 1)[1]
        plain = "%s&options=-csearch_path%%3D%s" % (PG, schema)
        self.assertEqual(psql(plain, "SELECT count(*) FROM ca_certificates"),
                         "0")
        r = iotjobsd("migrate", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("stop the", r.stdout)


if __name__ == "__main__":
    unittest.main()
