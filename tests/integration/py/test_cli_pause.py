# SPDX-License-Identifier: Apache-2.0
"""`iotjobs job pause` and `resume` on the test clock: a paused rollout
releases nothing while the clock runs (executions already released go
on), things that join meanwhile wait, a resume releases at once and the
rate holds again; DescribeJob keeps AWS's shape; the pause is kept in the
store across a restart; the refusals (missing job, finished job, a key
without iotjobs:PauseJob)."""

import json
import os
import subprocess
import unittest

from botocore.exceptions import ClientError

from harness import cli
from harness.daemon import (ACCOUNT_ID, REGION, DaemonTestCase, store_env,
                            unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


class CliPauseTest(DaemonTestCase):

    test_clock = True

    def make_fleet(self, n):
        group = unique_name("g")
        self.iot.create_thing_group(thingGroupName=group)
        names = ["%s-%03d" % (group, i) for i in range(n)]
        for name in names:
            self.iot.create_thing(thingName=name)
            self.iot.add_thing_to_thing_group(thingGroupName=group,
                                              thingName=name)
        return group, names

    def executions(self, job_id):
        r = self.iot.list_job_executions_for_job(jobId=job_id,
                                                 maxResults=250)
        return sorted(e["thingArn"].rsplit("/", 1)[1]
                      for e in r["executionSummaries"])

    def create_job(self, group, rate=2, selection="SNAPSHOT"):
        job_id = unique_name("j")
        self.iot.create_job(
            jobId=job_id, targets=[ARN + "thinggroup/" + group],
            document="{}", targetSelection=selection,
            jobExecutionsRolloutConfig={"maximumPerMinute": rate})
        return job_id

    def test_pause_holds_the_rollout_and_resume_goes_on(self):
        group, names = self.make_fleet(7)
        job_id = self.create_job(group)
        self.assertEqual(len(self.executions(job_id)), 2)
        before = self.iot.describe_job(jobId=job_id)["job"]

        r = cli.run(self.daemon, "job", "pause", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("job %s paused: paused since " % job_id, r.stdout)
        self.assertIn("5 things waiting", r.stdout)
        self.daemon.advance(600)
        self.assertEqual(len(self.executions(job_id)), 2)

        # DescribeJob: AWS's shape, the pause not in it.
        after = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(sorted(after), sorted(before))
        self.assertEqual(after["status"], "IN_PROGRESS")

        # Released executions go on while paused.
        data = self.daemon.data_client()
        data.update_job_execution(jobId=job_id, thingName=names[0],
                                  status="SUCCEEDED")

        again = cli.run_json(self, self.daemon, "job", "pause", job_id)
        self.assertEqual((again["paused"], again["changed"]), (True, False))
        self.assertEqual(again["pausedBy"], "AKIAIOTJOBSTEST00001")

        # Kept in the store: a restart still holds the rollout.
        self.daemon.restart()
        self.daemon.advance(120)
        self.assertEqual(len(self.executions(job_id)), 2)

        out = cli.run_json(self, self.daemon, "job", "resume", job_id)
        self.assertEqual((out["paused"], out["changed"]), (False, True))
        self.daemon.advance(0)
        self.assertEqual(len(self.executions(job_id)), 4)
        self.daemon.advance(60)
        self.assertEqual(len(self.executions(job_id)), 6)
        r = cli.run(self.daemon, "job", "resume", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("was not paused", r.stdout)

    def test_things_joining_a_paused_continuous_job_wait(self):
        group, names = self.make_fleet(1)
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id,
                            targets=[ARN + "thinggroup/" + group],
                            document="{}", targetSelection="CONTINUOUS")
        self.assertEqual(self.executions(job_id), names)
        cli.run_json(self, self.daemon, "job", "pause", job_id)
        late = unique_name("late")
        self.iot.create_thing(thingName=late)
        self.iot.add_thing_to_thing_group(thingGroupName=group,
                                          thingName=late)
        self.daemon.advance(60)
        self.assertEqual(self.executions(job_id), names)
        view = cli.run_json(self, self.daemon, "job", "pause", job_id)
        self.assertEqual(view["waiting"], 1)
        cli.run_json(self, self.daemon, "job", "resume", job_id)
        self.daemon.advance(0)
        self.assertEqual(self.executions(job_id), sorted(names + [late]))

    def test_refusals(self):
        r = cli.run(self.daemon, "job", "pause", "no-such-job")
        cli.assert_fails(self, r, "job pause", "ResourceNotFoundException",
                         "Job no-such-job does not exist", "HTTP 404")
        group, _ = self.make_fleet(1)
        job_id = self.create_job(group)
        self.iot.cancel_job(jobId=job_id)
        r = cli.run(self.daemon, "job", "pause", job_id)
        cli.assert_fails(self, r, "InvalidRequestException",
                         "Job %s is CANCELED" % job_id, "HTTP 400")
        r = cli.run(self.daemon, "job", "pause")
        cli.assert_fails(self, r, "expected one JOB", status=2)
        r = cli.run(self.daemon, "job", "resume", "a", "b")
        cli.assert_fails(self, r, "expected one JOB", status=2)

    def test_key_without_the_action_is_refused(self):
        policy = os.path.join(self.daemon.workdir, "jobs-only.json")
        with open(policy, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["iot:*",
                                               "iotjobs:DescribeStatus"],
                 "Resource": "*"}]}, f)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env.update(store_env(self.daemon.data_dir))
        out = subprocess.run([self.daemon.binary, "credentials", "create",
                              "--name", unique_name("op"), "--policy-file",
                              policy, "--output", "json"], env=env,
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        key = json.loads(out.stdout)
        keyenv = {"AWS_ACCESS_KEY_ID": key["accessKeyId"],
                  "AWS_SECRET_ACCESS_KEY": key["secretAccessKey"]}
        group, _ = self.make_fleet(1)
        job_id = self.create_job(group)
        r = cli.run(self.daemon, "status", env=keyenv)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = cli.run(self.daemon, "job", "pause", job_id, env=keyenv)
        cli.assert_fails(self, r, "AccessDeniedException",
                         "iotjobs:PauseJob", "HTTP 403")


if __name__ == "__main__":
    unittest.main()
