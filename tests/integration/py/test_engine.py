"""The job engine through boto3 and the test clock: timers, retries,
abort criteria, rollout rates, scheduling, membership, restarts."""

import json
import unittest

from harness.daemon import DaemonTestCase, unique_name, ACCOUNT_ID, REGION

DOC = json.dumps({"op": "noop"})
ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


class EngineCase(DaemonTestCase):
    test_clock = True

    def things(self, n, group=None):
        names = []
        for _ in range(n):
            name = unique_name("th")
            self.iot.create_thing(thingName=name)
            if group:
                self.iot.add_thing_to_thing_group(thingGroupName=group,
                                                  thingName=name)
            names.append(name)
        return names

    def job(self, targets, **kw):
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=targets, document=DOC,
                            **kw)
        return job_id

    def counts(self, job_id):
        return self.iot.describe_job(jobId=job_id)["job"]["jobProcessDetails"]

    def thing_arn(self, name):
        return ARN + "thing/" + name

    def group(self):
        name = unique_name("g")
        self.iot.create_thing_group(thingGroupName=name)
        return name


class Timeouts(EngineCase):
    def test_in_progress_timer_times_out_at_deadline(self):
        (t,) = self.things(1)
        job_id = self.job([self.thing_arn(t)],
                          timeoutConfig={"inProgressTimeoutInMinutes": 10})
        ex = self.data.start_next_pending_job_execution(thingName=t)
        self.assertEqual(ex["execution"]["approximateSecondsBeforeTimedOut"],
                         600)
        self.daemon.advance(599)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "IN_PROGRESS")
        self.assertEqual(d["execution"]["approximateSecondsBeforeTimedOut"],
                         1)
        self.daemon.advance(1)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "TIMED_OUT")
        self.assertNotIn("approximateSecondsBeforeTimedOut", d["execution"])
        c = self.counts(job_id)
        self.assertEqual((c["numberOfTimedOutThings"],
                          c["numberOfInProgressThings"]), (1, 0))
        self.assertEqual(self.iot.describe_job(jobId=job_id)["job"]["status"],
                         "COMPLETED")
        with self.assertRaises(self.data.exceptions
                               .InvalidStateTransitionException):
            self.data.update_job_execution(thingName=t, jobId=job_id,
                                           status="SUCCEEDED")

    def test_step_timer_capped_by_in_progress_deadline(self):
        # WIRE.md 8.5 worked example: 20-minute job timer, step timers of
        # 7, 5 and 9 minutes set at :05, :10 and :13 -> :12, :15, :20.
        (t,) = self.things(1)
        job_id = self.job([self.thing_arn(t)],
                          timeoutConfig={"inProgressTimeoutInMinutes": 20})
        self.data.start_next_pending_job_execution(thingName=t)
        self.daemon.advance(300)
        self.data.update_job_execution(thingName=t, jobId=job_id,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=7)
        self.daemon.advance(300)
        self.data.update_job_execution(thingName=t, jobId=job_id,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=5)
        self.daemon.advance(180)
        self.data.update_job_execution(thingName=t, jobId=job_id,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=9)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["approximateSecondsBeforeTimedOut"],
                         420)
        self.daemon.advance(419)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "IN_PROGRESS")
        self.daemon.advance(1)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "TIMED_OUT")

    def test_step_timer_cancel_falls_back(self):
        (t,) = self.things(1)
        job_id = self.job([self.thing_arn(t)])
        self.data.start_next_pending_job_execution(thingName=t,
                                                   stepTimeoutInMinutes=2)
        self.data.update_job_execution(thingName=t, jobId=job_id,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=-1)
        self.daemon.advance(3600)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "IN_PROGRESS")
        self.assertNotIn("approximateSecondsBeforeTimedOut", d["execution"])


class Retries(EngineCase):
    def test_failed_is_retried_with_new_execution_number(self):
        (t,) = self.things(1)
        job_id = self.job([self.thing_arn(t)], jobExecutionsRetryConfig={
            "criteriaList": [{"failureType": "FAILED",
                              "numberOfRetries": 2}]})
        for attempt in range(3):
            ex = self.data.start_next_pending_job_execution(thingName=t)
            self.assertEqual(ex["execution"]["executionNumber"], attempt + 1)
            self.data.update_job_execution(thingName=t, jobId=job_id,
                                           status="FAILED")
        p = self.data.get_pending_job_executions(thingName=t)
        self.assertEqual(p["queuedJobs"], [])
        rows = self.iot.list_job_executions_for_job(jobId=job_id)[
            "executionSummaries"]
        self.assertEqual(
            [(r["jobExecutionSummary"]["executionNumber"],
              r["jobExecutionSummary"]["retryAttempt"],
              r["jobExecutionSummary"]["status"]) for r in rows],
            [(1, 0, "FAILED"), (2, 1, "FAILED"), (3, 2, "FAILED")])
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["status"], "COMPLETED")
        self.assertEqual(job["jobProcessDetails"]["numberOfFailedThings"], 3)

    def test_timed_out_retried_only_with_timed_out_criterion(self):
        (t,) = self.things(1)
        job_id = self.job([self.thing_arn(t)],
                          timeoutConfig={"inProgressTimeoutInMinutes": 1},
                          jobExecutionsRetryConfig={"criteriaList": [
                              {"failureType": "TIMED_OUT",
                               "numberOfRetries": 1}]})
        self.data.start_next_pending_job_execution(thingName=t)
        self.daemon.advance(60)
        p = self.data.get_pending_job_executions(thingName=t)
        self.assertEqual([q["executionNumber"] for q in p["queuedJobs"]], [2])
        self.data.start_next_pending_job_execution(thingName=t)
        self.data.update_job_execution(thingName=t, jobId=job_id,
                                       status="FAILED")
        p = self.data.get_pending_job_executions(thingName=t)
        self.assertEqual(p["queuedJobs"], [])
        self.assertEqual(self.iot.describe_job(jobId=job_id)["job"]["status"],
                         "COMPLETED")


class Abort(EngineCase):
    def test_failures_over_threshold_cancel_queued(self):
        things = self.things(4)
        job_id = self.job([self.thing_arn(t) for t in things], abortConfig={
            "criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
                              "thresholdPercentage": 50,
                              "minNumberOfExecutedThings": 2}]})
        self.data.update_job_execution(thingName=things[0], jobId=job_id,
                                       status="FAILED")
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["status"], "IN_PROGRESS")
        self.data.update_job_execution(thingName=things[1], jobId=job_id,
                                       status="SUCCEEDED")
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["status"], "CANCELED")
        self.assertEqual(job["reasonCode"], "AWS_IOT_JOB_ABORT_CRITERIA_MET")
        self.assertIn("abortConfig", job["comment"])
        c = job["jobProcessDetails"]
        self.assertEqual((c["numberOfCanceledThings"],
                          c["numberOfQueuedThings"]), (2, 0))


class Rollout(EngineCase):
    def test_maximum_per_minute_releases_exactly(self):
        g = self.group()
        self.things(25, group=g)
        job_id = self.job([ARN + "thinggroup/" + g],
                          jobExecutionsRolloutConfig={"maximumPerMinute": 10})
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["jobProcessDetails"]["numberOfQueuedThings"], 10)
        self.assertTrue(job["isConcurrent"])
        self.assertEqual(job["jobProcessDetails"]["processingTargets"],
                         [ARN + "thinggroup/" + g])
        self.daemon.advance(59)
        self.assertEqual(self.counts(job_id)["numberOfQueuedThings"], 10)
        self.daemon.advance(1)
        self.assertEqual(self.counts(job_id)["numberOfQueuedThings"], 20)
        self.daemon.advance(60)
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["jobProcessDetails"]["numberOfQueuedThings"], 25)
        self.assertFalse(job["isConcurrent"])
        self.assertNotIn("processingTargets", job["jobProcessDetails"])

    def test_not_rolled_out_things_see_nothing(self):
        g = self.group()
        names = sorted(self.things(3, group=g))
        self.job([ARN + "thinggroup/" + g],
                 jobExecutionsRolloutConfig={"maximumPerMinute": 1})
        seen = [len(self.data.get_pending_job_executions(thingName=n)
                    ["queuedJobs"]) for n in names]
        self.assertEqual(seen, [1, 0, 0])

    def test_exponential_rate_grows_with_notified(self):
        g = self.group()
        self.things(20, group=g)
        job_id = self.job([ARN + "thinggroup/" + g],
                          jobExecutionsRolloutConfig={"exponentialRate": {
                              "baseRatePerMinute": 2, "incrementFactor": 2,
                              "rateIncreaseCriteria": {
                                  "numberOfNotifiedThings": 4}}})
        seen = [self.counts(job_id)["numberOfQueuedThings"]]
        for _ in range(3):
            self.daemon.advance(60)
            seen.append(self.counts(job_id)["numberOfQueuedThings"])
        # The rate doubles each time 4 more things were notified:
        # 2, 2 (4 notified), 4 (8 notified), 8.
        self.assertEqual(seen, [2, 4, 8, 16])


class Scheduling(EngineCase):
    def requireWindows(self):
        """Debian's botocore 1.29 predates maintenanceWindows."""
        shape = self.iot.meta.service_model.shape_for("SchedulingConfig")
        if "maintenanceWindows" not in shape.members:
            self.skipTest("this botocore has no maintenanceWindows")

    def fmt(self, t):
        import time
        return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(t))

    def test_scheduled_start_and_cancel_end(self):
        (t,) = self.things(1)
        now = self.daemon.now()
        start = (now // 60 + 40) * 60
        job_id = self.job([self.thing_arn(t)], schedulingConfig={
            "startTime": self.fmt(start), "endTime": self.fmt(start + 3600),
            "endBehavior": "CANCEL"})
        self.assertEqual(self.iot.describe_job(jobId=job_id)["job"]["status"],
                         "SCHEDULED")
        self.assertEqual(self.data.get_pending_job_executions(
            thingName=t)["queuedJobs"], [])
        self.daemon.advance(start - now)
        self.assertEqual(self.iot.describe_job(jobId=job_id)["job"]["status"],
                         "IN_PROGRESS")
        self.assertEqual(len(self.data.get_pending_job_executions(
            thingName=t)["queuedJobs"]), 1)
        self.daemon.advance(3600)
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["status"], "CANCELED")
        self.assertEqual(job["jobProcessDetails"]["numberOfCanceledThings"], 1)

    def test_maintenance_window_gates_rollout(self):
        self.requireWindows()
        (t,) = self.things(1)
        now = self.daemon.now()
        # A daily window starting two hours from now, 30 minutes long.
        w = now + 7200
        import time
        tm = time.gmtime(w)
        cron = "cron(%d %d * * ? *)" % (tm.tm_min, tm.tm_hour)
        job_id = self.job([self.thing_arn(t)], schedulingConfig={
            "maintenanceWindows": [{"startTime": cron,
                                    "durationInMinutes": 30}]})
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(len(job["scheduledJobRollouts"]), 7)
        self.assertEqual(job["scheduledJobRollouts"][0]["startTime"],
                         self.fmt(w // 60 * 60))
        self.assertEqual(job["jobProcessDetails"]["numberOfQueuedThings"], 0)
        self.daemon.advance(7200)
        self.assertEqual(self.counts(job_id)["numberOfQueuedThings"], 1)

    def test_bad_cron_is_invalid_request(self):
        self.requireWindows()
        (t,) = self.things(1)
        with self.assertRaises(self.iot.exceptions.InvalidRequestException):
            self.job([self.thing_arn(t)], schedulingConfig={
                "maintenanceWindows": [{"startTime": "cron(61 * * * ? *)",
                                        "durationInMinutes": 30}]})


class Membership(EngineCase):
    def test_continuous_follows_membership(self):
        g = self.group()
        job_id = self.job([ARN + "thinggroup/" + g],
                          targetSelection="CONTINUOUS")
        (t,) = self.things(1, group=g)
        self.assertEqual(len(self.data.get_pending_job_executions(
            thingName=t)["queuedJobs"]), 1)
        self.iot.remove_thing_from_thing_group(thingGroupName=g, thingName=t)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "REMOVED")
        self.assertEqual(self.counts(job_id)["numberOfRemovedThings"], 1)
        self.iot.add_thing_to_thing_group(thingGroupName=g, thingName=t)
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual((d["execution"]["status"],
                          d["execution"]["executionNumber"]), ("QUEUED", 2))
        self.iot.update_thing_groups_for_thing(thingName=t,
                                               thingGroupsToRemove=[g])
        d = self.data.describe_job_execution(thingName=t, jobId=job_id)
        self.assertEqual(d["execution"]["status"], "REMOVED")

    def test_delete_thing_and_group_remove_pending(self):
        g = self.group()
        job_id = self.job([ARN + "thinggroup/" + g],
                          targetSelection="CONTINUOUS")
        a, b = self.things(2, group=g)
        self.iot.delete_thing(thingName=a)
        self.iot.delete_thing_group(thingGroupName=g)
        c = self.counts(job_id)
        self.assertEqual((c["numberOfRemovedThings"],
                          c["numberOfQueuedThings"]), (2, 0))


class Restart(EngineCase):
    def test_deadlines_survive_kill9(self):
        things = self.things(2)
        g = self.group()
        self.things(3, group=g)
        t1 = self.job([self.thing_arn(things[0])],
                      timeoutConfig={"inProgressTimeoutInMinutes": 5},
                      jobExecutionsRetryConfig={"criteriaList": [
                          {"failureType": "TIMED_OUT",
                           "numberOfRetries": 1}]})
        self.data.start_next_pending_job_execution(thingName=things[0])
        now = self.daemon.now()
        import time
        start = (now // 60 + 40) * 60
        t2 = self.job([self.thing_arn(things[1])], schedulingConfig={
            "startTime": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(start))})
        t3 = self.job([ARN + "thinggroup/" + g],
                      jobExecutionsRolloutConfig={"maximumPerMinute": 1})
        before = self.daemon.advance(60)
        self.assertEqual(self.counts(t3)["numberOfQueuedThings"], 2)
        self.daemon.restart(kill=True)
        self.assertGreaterEqual(self.daemon.now(), before)
        self.daemon.advance(start - before + 1)
        rows = self.iot.list_job_executions_for_job(jobId=t1)[
            "executionSummaries"]
        self.assertEqual([r["jobExecutionSummary"]["status"] for r in rows],
                         ["TIMED_OUT", "QUEUED"])
        self.assertEqual(self.iot.describe_job(jobId=t2)["job"]["status"],
                         "IN_PROGRESS")
        self.assertEqual(self.counts(t2)["numberOfQueuedThings"], 1)
        self.assertEqual(self.counts(t3)["numberOfQueuedThings"], 3)
        self.daemon.restart(kill=True)
        self.daemon.advance(600)
        self.assertEqual(len(self.iot.list_job_executions_for_job(jobId=t1)[
            "executionSummaries"]), 2)
        self.assertEqual(self.counts(t2)["numberOfQueuedThings"], 1)


class ClockEndpoint(DaemonTestCase):
    def test_clock_absent_without_flag(self):
        r = self.daemon.signed_request("GET", "/_iotjobs/clock",
                                       service="iot")
        self.assertEqual(r.status, 404)


if __name__ == "__main__":
    unittest.main()
