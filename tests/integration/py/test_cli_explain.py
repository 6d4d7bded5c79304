# SPDX-License-Identifier: Apache-2.0
"""`iotjobs explain --thing T --job J`: every reason code of the list in
iotjobs(1), each from a real scenario on the test clock, in both output
modes; the "expected at" of a thing behind the rollout rate checked
against the time the scheduler then releases it; the facts (who
canceled, from the audit log; status details; retries) and the
refusals."""

import json
import time
import unittest

from harness import cli
from harness.daemon import (ACCESS_KEY_ID, ACCOUNT_ID, CONTROL_SERVICE,
                            REGION, DaemonTestCase, unique_name)

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


def fmt(t):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(t))


class CliExplainTest(DaemonTestCase):

    test_clock = True

    # -- helpers ------------------------------------------------------

    def things(self, n, group=None):
        names = [unique_name("t") for _ in range(n)]
        names.sort()
        for name in names:
            self.iot.create_thing(thingName=name)
            if group:
                self.iot.add_thing_to_thing_group(thingGroupName=group,
                                                  thingName=name)
        return names

    def group(self):
        g = unique_name("g")
        self.iot.create_thing_group(thingGroupName=g)
        return g

    def job(self, targets, **config):
        """CreateJob through a raw signed request: Debian's botocore
        lacks some members (maintenanceWindows)."""
        job_id = unique_name("j")
        body = dict({"targets": targets, "document": "{}"}, **config)
        r = self.daemon.signed_request("PUT", "/jobs/" + job_id, body=body,
                                       service=CONTROL_SERVICE)
        self.assertEqual(r.status, 200, r.body)
        return job_id

    def explain(self, thing, job_id, reason):
        """Runs explain in both modes; asserts REASON; returns the JSON."""
        out = cli.run_json(self, self.daemon, "explain", "--thing", thing,
                           "--job", job_id)
        self.assertEqual(out["reason"], reason, out)
        self.assertEqual((out["thingName"], out["jobId"]), (thing, job_id))
        r = cli.run(self.daemon, "explain", "--job", job_id, "--thing",
                    thing)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(reason + ": " +
                                            out["message"] + "\n"),
                        r.stdout)
        return out

    # -- reasons --------------------------------------------------------

    def test_not_targeted(self):
        a, b = self.things(2)
        job_id = self.job([ARN + "thing/" + a])
        out = self.explain(b, job_id, "NOT_TARGETED")
        self.assertEqual(out["targets"], [ARN + "thing/" + a])

    def test_joined_after_snapshot(self):
        g = self.group()
        (a,) = self.things(1, group=g)
        job_id = self.job([ARN + "thinggroup/" + g])
        self.daemon.advance(30)
        (late,) = self.things(1, group=g)
        out = self.explain(late, job_id, "JOINED_AFTER_SNAPSHOT")
        self.assertEqual(out["via"], ARN + "thinggroup/" + g)
        self.assertGreater(out["thingCreatedAt"], out["jobCreatedAt"])
        self.explain(a, job_id, "EXECUTION_QUEUED")

    def test_queued_behind_rate_expected_when_released(self):
        names = self.things(4)
        job_id = self.job([ARN + "thing/" + n for n in names],
                          jobExecutionsRolloutConfig={"maximumPerMinute": 1})
        now = self.daemon.now()
        expected = {}
        for pos, n in enumerate(names[1:], start=1):
            out = self.explain(n, job_id, "QUEUED_BEHIND_RATE")
            self.assertEqual(out["position"], pos)
            self.assertEqual(out["expectedAt"], now + 60 * pos)
            expected[n] = out["expectedAt"]
        r = cli.run(self.daemon, "explain", "--thing", names[3], "--job",
                    job_id)
        self.assertIn("position 3", r.stdout)
        self.assertIn("expectedAt           " + time.strftime(
            "%Y-%m-%d %H:%M:%SZ", time.gmtime(now + 180)), r.stdout)
        for _ in range(3):
            self.daemon.advance(60)
        for n, at in expected.items():
            e = self.data.describe_job_execution(thingName=n, jobId=job_id)
            q = e["execution"]["queuedAt"]
            q = q if isinstance(q, int) else int(q.timestamp())
            self.assertEqual(q, at)

    def test_outside_maintenance_window(self):
        (a,) = self.things(1)
        now = self.daemon.now()
        w = time.gmtime(now + 7200)
        job_id = self.job([ARN + "thing/" + a], schedulingConfig={
            "maintenanceWindows": [{
                "startTime": "cron(%d %d * * ? *)" % (w.tm_min, w.tm_hour),
                "durationInMinutes": 30}]})
        out = self.explain(a, job_id, "OUTSIDE_MAINTENANCE_WINDOW")
        opens = (now + 7200) // 60 * 60
        self.assertEqual(out["windowOpensAt"], opens)
        self.assertEqual(out["expectedAt"], opens)
        self.daemon.advance(opens - now)
        self.explain(a, job_id, "EXECUTION_QUEUED")

    def test_job_scheduled(self):
        (a,) = self.things(1)
        start = (self.daemon.now() // 60 + 40) * 60
        job_id = self.job([ARN + "thing/" + a],
                          schedulingConfig={"startTime": fmt(start)})
        out = self.explain(a, job_id, "JOB_SCHEDULED")
        self.assertEqual(out["startAt"], start)

    def test_job_paused(self):
        names = self.things(2)
        job_id = self.job([ARN + "thing/" + n for n in names],
                          jobExecutionsRolloutConfig={"maximumPerMinute": 1})
        cli.run_json(self, self.daemon, "job", "pause", job_id)
        out = self.explain(names[1], job_id, "JOB_PAUSED")
        self.assertEqual((out["position"], out["pausedBy"]),
                         (1, ACCESS_KEY_ID))

    def test_rollout_stopped(self):
        (a,) = self.things(1)
        now = self.daemon.now()
        start = (now // 60 + 31) * 60
        w = time.gmtime(now + 36000)
        job_id = self.job([ARN + "thing/" + a], schedulingConfig={
            "startTime": fmt(start), "endTime": fmt(start + 1800),
            "endBehavior": "STOP_ROLLOUT",
            "maintenanceWindows": [{
                "startTime": "cron(%d %d * * ? *)" % (w.tm_min, w.tm_hour),
                "durationInMinutes": 30}]})
        self.explain(a, job_id, "JOB_SCHEDULED")
        self.daemon.advance(start - now)
        self.explain(a, job_id, "OUTSIDE_MAINTENANCE_WINDOW")
        self.daemon.advance(1800)
        self.explain(a, job_id, "ROLLOUT_STOPPED")

    def test_in_progress_and_terminal_with_details(self):
        (a,) = self.things(1)
        job_id = self.job([ARN + "thing/" + a])
        self.data.start_next_pending_job_execution(thingName=a)
        self.explain(a, job_id, "EXECUTION_IN_PROGRESS")
        self.daemon.advance(5)
        self.data.update_job_execution(thingName=a, jobId=job_id,
                                       status="SUCCEEDED",
                                       statusDetails={"fw": "2.1"})
        out = self.explain(a, job_id, "EXECUTION_TERMINAL")
        self.assertEqual(out["status"], "SUCCEEDED")
        self.assertEqual(out["statusDetails"], {"fw": "2.1"})
        self.assertEqual(out["lastUpdatedAt"], self.daemon.now())

    def test_retries_exhausted(self):
        (a,) = self.things(1)
        job_id = self.job([ARN + "thing/" + a], jobExecutionsRetryConfig={
            "criteriaList": [{"failureType": "FAILED",
                              "numberOfRetries": 1}]})
        self.data.update_job_execution(thingName=a, jobId=job_id,
                                       status="FAILED")
        self.explain(a, job_id, "EXECUTION_QUEUED")
        self.data.update_job_execution(thingName=a, jobId=job_id,
                                       status="FAILED")
        out = self.explain(a, job_id, "RETRIES_EXHAUSTED")
        self.assertEqual((out["executionNumber"], out["retriesUsed"]),
                         (2, 1))

    def test_canceled_by_whom_and_why(self):
        names = self.things(2)
        job_id = self.job([ARN + "thing/" + n for n in names],
                          jobExecutionsRolloutConfig={"maximumPerMinute": 1})
        self.iot.cancel_job(jobId=job_id, reasonCode="BAD_BUILD",
                            comment="wrong image")
        for n in names:
            out = self.explain(n, job_id, "CANCELED")
            self.assertEqual((out["reasonCode"], out["comment"], out["by"]),
                             ("BAD_BUILD", "wrong image", ACCESS_KEY_ID))
        (c,) = self.things(1)
        job2 = self.job([ARN + "thing/" + c])
        self.iot.cancel_job_execution(jobId=job2, thingName=c)
        out = self.explain(c, job2, "CANCELED")
        self.assertEqual((out["by"], out["jobStatus"]),
                         (ACCESS_KEY_ID, "COMPLETED"))

    def test_aborted(self):
        names = self.things(2)
        job_id = self.job([ARN + "thing/" + n for n in names], abortConfig={
            "criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
                              "thresholdPercentage": 50,
                              "minNumberOfExecutedThings": 1}]})
        self.data.update_job_execution(thingName=names[0], jobId=job_id,
                                       status="FAILED")
        out = self.explain(names[1], job_id, "ABORTED")
        self.assertEqual(out["by"], "abortConfig")
        self.assertIn("abortConfig", out["comment"])

    def test_thing_deleted(self):
        (a,) = self.things(1)
        job_id = self.job([ARN + "thing/" + a])
        self.iot.delete_thing(thingName=a)
        out = self.explain(a, job_id, "THING_DELETED")
        self.assertEqual((out["status"], out["by"]),
                         ("REMOVED", ACCESS_KEY_ID))

    # -- refusals -------------------------------------------------------

    def test_refusals(self):
        (a,) = self.things(1)
        r = cli.run(self.daemon, "explain", "--thing", a, "--job", "nope")
        cli.assert_fails(self, r, "explain", "ResourceNotFoundException",
                         "Job nope does not exist")
        r = cli.run(self.daemon, "explain", "--thing", a)
        cli.assert_fails(self, r, "--thing and --job are required",
                         status=2)


if __name__ == "__main__":
    unittest.main()
