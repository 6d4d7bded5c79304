# SPDX-License-Identifier: Apache-2.0
"""`iotjobs thing import`: CSV and JSON lines (name, attributes, groups),
a summary of created, updated, unchanged and failed with the line and
the reason, idempotent (a second run changes nothing), resumable (a
daemon killed in the middle: the run stops saying so, and the same
command resumes after the last line done), a progress bar on a terminal,
and CONTINUOUS jobs following the groups it fills. The 100,000-thing
figure is `make bench`'s (bench/import.sh)."""

import json
import os
import pty
import subprocess
import time
import unittest

from harness import cli
from harness.daemon import (ACCOUNT_ID, REGION, DaemonTestCase, store_env,
                            unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


class CliImportTest(DaemonTestCase):

    test_clock = True

    def write(self, name, lines):
        path = os.path.join(self.daemon.workdir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def describe(self, name):
        return self.iot.describe_thing(thingName=name)

    def groups_of(self, name):
        return sorted(self.iot.list_thing_groups_for_thing(
            thingName=name)["thingGroups"][i]["groupName"]
            for i in range(len(self.iot.list_thing_groups_for_thing(
                thingName=name)["thingGroups"])))

    def test_csv_created_then_unchanged_then_updated(self):
        p = unique_name("c")
        g1, g2 = unique_name("g"), unique_name("g")
        path = self.write("a.csv", [
            "name,model,site,groups",
            "%s-1,m1,paris,%s" % (p, g1),
            "%s-2,m2,,%s;%s" % (p, g1, g2),
            '"%s-3","m,3",lyon,' % p,
        ])
        out = cli.run_json(self, self.daemon, "thing", "import", path)
        self.assertEqual((out["things"], out["created"], out["updated"],
                          out["unchanged"], out["failed"]), (3, 3, 0, 0, 0))
        self.assertEqual(self.describe(p + "-1")["attributes"],
                         {"model": "m1", "site": "paris"})
        self.assertEqual(self.describe(p + "-2")["attributes"],
                         {"model": "m2"})
        self.assertEqual(self.describe(p + "-3")["attributes"],
                         {"model": "m,3", "site": "lyon"})
        self.assertEqual(self.groups_of(p + "-2"), sorted([g1, g2]))
        self.assertFalse(os.path.exists(path + ".import-state"))

        r = cli.run(self.daemon, "thing", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("3 things: created 0, updated 0, unchanged 3,"
                      " failed 0", r.stdout)

        path2 = self.write("b.csv", [
            "name,model,groups",
            "%s-1,m9,%s" % (p, g2),
            "%s-2,m2,%s;%s" % (p, g1, g2),
        ])
        out = cli.run_json(self, self.daemon, "thing", "import", path2)
        self.assertEqual((out["created"], out["updated"], out["unchanged"]),
                         (0, 1, 1))
        self.assertEqual(self.describe(p + "-1")["attributes"],
                         {"model": "m9"})
        self.assertEqual(self.groups_of(p + "-1"), sorted([g1, g2]))

    def test_jsonl_failures_are_reported_per_line(self):
        p = unique_name("j")
        path = self.write("a.jsonl", [
            json.dumps({"thingName": p + "-ok", "attributes": {"a": "1"},
                        "groups": []}),
            "not json",
            json.dumps({"thingName": "bad name"}),
            json.dumps({"attributes": {"a": "1"}}),
            json.dumps({"thingName": p + "-n", "attributes": {"a": 1}}),
        ])
        r = cli.run(self.daemon, "thing", "import", path, "--format",
                    "jsonl")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("5 things: created 1, updated 0, unchanged 0,"
                      " failed 4", r.stdout)
        self.assertIn("line 2 -: not a JSON object", r.stdout)
        self.assertIn("line 3 bad name: InvalidRequestException: 1"
                      " validation error detected", r.stdout)
        self.assertIn("line 4 -: no thing name", r.stdout)
        self.assertIn("line 5 %s-n: attribute values are strings" % p,
                      r.stdout)
        out = cli.run(self.daemon, "thing", "import", path, "--output",
                      "json")
        reasons = {f["line"]: f["reason"]
                   for f in json.loads(out.stdout)["failures"]}
        self.assertEqual(sorted(reasons), [2, 3, 4, 5])

    def test_continuous_job_follows_the_import(self):
        g = unique_name("g")
        self.iot.create_thing_group(thingGroupName=g)
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id, targets=[ARN + "thinggroup/" + g],
                            document="{}", targetSelection="CONTINUOUS")
        names = ["%s-%02d" % (g, i) for i in range(10)]
        path = self.write("c.csv", ["name,groups"] +
                          ["%s,%s" % (n, g) for n in names])
        cli.run_json(self, self.daemon, "thing", "import", path)
        r = self.iot.list_job_executions_for_job(jobId=job_id)
        self.assertEqual(sorted(e["thingArn"].rsplit("/", 1)[1]
                                for e in r["executionSummaries"]), names)

    def test_each_thing_is_authorized_and_audited(self):
        policy = os.path.join(self.daemon.workdir, "imp.json")
        with open(policy, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iotjobs:ImportThings",
                 "Resource": "*"},
                {"Effect": "Allow", "Action": "iot:CreateThing",
                 "Resource": ARN + "thing/ok-*"}]}, f)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env.update(store_env(self.daemon.data_dir))
        out = subprocess.run([self.daemon.binary, "credentials", "create",
                              "--name", unique_name("op"), "--policy-file",
                              policy, "--output", "json"], env=env,
                             capture_output=True, text=True, timeout=30)
        key = json.loads(out.stdout)
        ok, no = "ok-" + unique_name("a"), "no-" + unique_name("b")
        path = self.write("auth.csv", ["name", ok, no])
        r = cli.run(self.daemon, "thing", "import", path, env={
            "AWS_ACCESS_KEY_ID": key["accessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["secretAccessKey"]})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("created 1, updated 0, unchanged 0, failed 1",
                      r.stdout)
        self.assertIn("line 3 %s: AccessDeniedException" % no, r.stdout)
        (a,) = cli.run_json(self, self.daemon, "audit", "--thing",
                            ok)["records"]
        self.assertEqual((a["operation"], a["result"], a["principal"]),
                         ("iotjobs:ImportThing", "OK", key["accessKeyId"]))
        self.assertEqual(json.loads(a["detail"])["outcome"], "created")
        (b,) = cli.run_json(self, self.daemon, "audit", "--thing",
                            no)["records"]
        self.assertEqual(b["result"], "AccessDeniedException")

    def test_progress_bar_on_a_terminal(self):
        p = unique_name("tty")
        path = self.write("t.csv", ["name"] + ["%s-%d" % (p, i)
                                               for i in range(30)])
        master, slave = pty.openpty()
        proc = subprocess.Popen([cli.cli_path(), "thing", "import", path],
                                env=cli.cli_env(self.daemon),
                                stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        out, _ = proc.communicate(timeout=60)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        self.assertEqual(proc.returncode, 0)
        self.assertIn(b"[##############################] 30/30  created 30",
                      err)
        self.assertIn(b"created 30", out)


class CliImportResumeTest(DaemonTestCase):
    """Its own daemon: this one is killed in the middle."""

    def test_killed_daemon_stops_the_run_and_it_resumes(self):
        p = unique_name("r")
        n = 20000
        path = os.path.join(self.daemon.workdir, "big.csv")
        with open(path, "w") as f:
            f.write("name,groups\n")
            for i in range(n):
                f.write("%s-%05d,%s-g\n" % (p, i, p))
        proc = subprocess.Popen([cli.cli_path(), "thing", "import", path,
                                 "--parallel", "1",
                                 "--cli-connect-timeout", "1"],
                                env=cli.cli_env(self.daemon),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            r = self.iot.list_things(maxResults=250)
            if len(r["things"]) >= 250 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.daemon.kill9()
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 1, (out, err))
        self.assertIn("stopped after line", err)
        self.assertIn("run the same command again to resume", err)
        with open(path + ".import-state") as f:
            state = json.load(f)
        self.assertGreater(state["done"], 0)
        self.assertLess(state["done"], n)

        self.daemon.start()
        r = cli.run(self.daemon, "thing", "import", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("done before %d" % state["done"], r.stdout)
        self.assertFalse(os.path.exists(path + ".import-state"))
        things = self.iot.list_things_in_thing_group(
            thingGroupName=p + "-g", maxResults=250)
        got = list(things["things"])
        while things.get("nextToken"):
            things = self.iot.list_things_in_thing_group(
                thingGroupName=p + "-g", maxResults=250,
                nextToken=things["nextToken"])
            got += things["things"]
        self.assertEqual(sorted(got), ["%s-%05d" % (p, i) for i in range(n)])


if __name__ == "__main__":
    unittest.main()
