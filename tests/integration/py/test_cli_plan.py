# SPDX-License-Identifier: Apache-2.0
"""`iotjobs job plan`: CreateJob as a dry run. Planning creates nothing;
the job then created with the same input releases every thing, on the
test clock, exactly when and in the batch the plan said (constant rate,
exponential rate stepping up on notified things, a scheduled start, a
maintenance window, an end time that stops the rollout); the input comes
from --cli-input-json (text or file://) or flags; CreateJob's refusals
come back as CreateJob's."""

import json
import os
import time
import unittest

from harness import cli
from harness.daemon import (ACCOUNT_ID, CONTROL_SERVICE, REGION,
                            DaemonTestCase, unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


def fmt(t):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(t))


class CliPlanTest(DaemonTestCase):

    test_clock = True

    def fleet(self, n):
        g = unique_name("g")
        self.iot.create_thing_group(thingGroupName=g)
        names = sorted("%s-%02d" % (g, i) for i in range(n))
        for name in names:
            self.iot.create_thing(thingName=name)
            self.iot.add_thing_to_thing_group(thingGroupName=g,
                                              thingName=name)
        return ARN + "thinggroup/" + g, names

    def plan(self, body):
        path = os.path.join(self.daemon.workdir, unique_name("in") + ".json")
        with open(path, "w") as f:
            json.dump(body, f)
        return cli.run_json(self, self.daemon, "job", "plan",
                            "--cli-input-json", "file://" + path)

    def create(self, body):
        r = self.daemon.signed_request("PUT", "/jobs/" + body["jobId"],
                                       body={k: v for k, v in body.items()
                                             if k != "jobId"},
                                       service=CONTROL_SERVICE)
        self.assertEqual(r.status, 200, r.body)

    def released(self, job_id):
        """{thing: queuedAt} of the job's executions."""
        out, token = {}, None
        while True:
            kw = {"jobId": job_id, "maxResults": 250}
            if token:
                kw["nextToken"] = token
            r = self.iot.list_job_executions_for_job(**kw)
            for e in r["executionSummaries"]:
                q = e["jobExecutionSummary"]["queuedAt"]
                out[e["thingArn"].rsplit("/", 1)[1]] = int(q.timestamp())
            token = r.get("nextToken")
            if not token:
                return out

    def assertPlanHolds(self, body, plan, until):
        """Creates the job, runs the clock to UNTIL minute by minute and
        checks every release against PLAN."""
        self.create(body)
        now = self.daemon.now()
        while now < until:
            now = self.daemon.advance(60)
        want = {t: b["at"] for b in plan["batches"] for t in b["things"]}
        self.assertEqual(self.released(body["jobId"]), want)

    def test_planning_creates_nothing(self):
        target, names = self.fleet(3)
        job_id = unique_name("j")
        r = cli.run(self.daemon, "job", "plan", "--job-id", job_id,
                    "--targets", target, "--job-executions-rollout-config",
                    "maximumPerMinute=2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("plan of job %s (SNAPSHOT, IN_PROGRESS): 3 things"
                      % job_id, r.stdout)
        self.assertIn("rollout: 2 a minute", r.stdout)
        self.assertIn("released: 3 of 3", r.stdout)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_job(jobId=job_id)
        for n in names:
            self.assertEqual(self.daemon.data_client()
                             .get_pending_job_executions(thingName=n)
                             ["queuedJobs"], [])

    def test_constant_rate_plan_is_what_happens(self):
        target, names = self.fleet(7)
        body = {"jobId": unique_name("j"), "targets": [target],
                "document": "{}",
                "jobExecutionsRolloutConfig": {"maximumPerMinute": 3}}
        plan = self.plan(body)
        now = self.daemon.now()
        self.assertEqual([(b["at"] - now, b["count"])
                          for b in plan["batches"]],
                         [(0, 3), (60, 3), (120, 1)])
        self.assertEqual(plan["batches"][0]["things"], names[:3])
        self.assertPlanHolds(body, plan, now + 180)

    def test_exponential_scheduled_plan_is_what_happens(self):
        target, names = self.fleet(12)
        now = self.daemon.now()
        start = (now // 60 + 35) * 60
        body = {"jobId": unique_name("j"), "targets": [target],
                "document": "{}",
                "schedulingConfig": {"startTime": fmt(start)},
                "jobExecutionsRolloutConfig": {"exponentialRate": {
                    "baseRatePerMinute": 1, "incrementFactor": 2,
                    "rateIncreaseCriteria": {"numberOfNotifiedThings": 2}}}}
        plan = self.plan(body)
        self.assertEqual(plan["status"], "SCHEDULED")
        self.assertIn("the plan applies it",
                      plan["rollout"]["stepUpRule"])
        self.assertEqual([(b["at"] - start, b["count"])
                          for b in plan["batches"]],
                         [(0, 1), (60, 1), (120, 2), (180, 4), (240, 4)])
        self.assertPlanHolds(body, plan, start + 300)

    def test_window_and_end_time(self):
        target, names = self.fleet(5)
        now = self.daemon.now()
        start = (now // 60 + 31) * 60
        w = time.gmtime(start + 600)
        body = {"jobId": unique_name("j"), "targets": [target],
                "document": "{}",
                "jobExecutionsRolloutConfig": {"maximumPerMinute": 1},
                "schedulingConfig": {
                    "startTime": fmt(start), "endTime": fmt(start + 1800),
                    "endBehavior": "STOP_ROLLOUT",
                    "maintenanceWindows": [{
                        "startTime": "cron(%d %d * * ? *)" % (w.tm_min,
                                                              w.tm_hour),
                        "durationInMinutes": 3}]}}
        plan = self.plan(body)
        opens = (start + 600) // 60 * 60
        self.assertEqual([b["at"] for b in plan["batches"]],
                         [opens, opens + 60, opens + 120])
        self.assertEqual((plan["released"], plan["notReleased"],
                          plan["notReleasedReason"]), (3, 2, "END_TIME"))
        self.assertPlanHolds(body, plan, start + 1860)

    def test_refusals_are_create_jobs(self):
        target, _ = self.fleet(1)
        job_id = unique_name("j")
        self.iot.create_job(jobId=job_id, targets=[target], document="{}")
        r = cli.run(self.daemon, "job", "plan", "--job-id", job_id,
                    "--targets", target)
        cli.assert_fails(self, r, "ResourceAlreadyExistsException",
                         "Job %s already exists" % job_id)
        r = cli.run(self.daemon, "job", "plan", "--job-id", "bad id",
                    "--targets", target)
        cli.assert_fails(self, r, "InvalidRequestException", "jobId")
        r = cli.run(self.daemon, "job", "plan", "--job-id", "x",
                    "--targets", ARN + "thing/none-such")
        cli.assert_fails(self, r, "ResourceNotFoundException")
        r = cli.run(self.daemon, "job", "plan", "--targets", target)
        cli.assert_fails(self, r, "--job-id", status=2)
        r = cli.run(self.daemon, "job", "plan", "--cli-input-json", "[1]")
        cli.assert_fails(self, r, "not a JSON object", status=2)


if __name__ == "__main__":
    unittest.main()
