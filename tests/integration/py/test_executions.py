# SPDX-License-Identifier: Apache-2.0
"""The job-execution operations of the control plane (iot) through boto3:
DescribeJobExecution, ListJobExecutionsForJob, ListJobExecutionsForThing
(with pagination), CancelJobExecution, DeleteJobExecution, and the job
counters they move. Runs under the pyenv boto3 and under Debian's boto3
1.26 (which signs the control plane as execute-api).
"""

import datetime
import json
import unittest

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


class ControlExecTestCase(DaemonTestCase):

    def make_things(self, n, prefix="ctl"):
        names = [unique_name(prefix) for _ in range(n)]
        for name in names:
            self.iot.create_thing(thingName=name)
        return names

    def make_job(self, things):
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, document=json.dumps({"j": job_id}),
                            targets=[thing_arn(t) for t in things])
        return job_id

    def execution(self, thing, job_id, **kw):
        return self.iot.describe_job_execution(
            thingName=thing, jobId=job_id, **kw)["execution"]

    def counts(self, job_id):
        return self.iot.describe_job(jobId=job_id)["job"]["jobProcessDetails"]

    def raises(self, exc_name, http_status, fn, /, *args, **kw):
        exc_class = getattr(fn.__self__.exceptions, exc_name)
        with self.assertRaises(exc_class) as cm:
            fn(*args, **kw)
        self.assertClientError(cm.exception, exc_name, http_status)
        self.assertTrue(cm.exception.response["Error"].get("Message"))
        return cm.exception


class DescribeTest(ControlExecTestCase):

    def test_control_plane_shape(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        e = self.execution(t, job)
        self.assertEqual(e["jobId"], job)
        self.assertEqual(e["status"], "QUEUED")
        self.assertIs(e["forceCanceled"], False)
        self.assertEqual(e["thingArn"], thing_arn(t))
        self.assertEqual((e["executionNumber"], e["versionNumber"]), (1, 1))
        self.assertIsInstance(e["queuedAt"], datetime.datetime)
        self.assertNotIn("startedAt", e)
        self.assertNotIn("statusDetails", e)
        self.assertNotIn("thingName", e)
        self.assertNotIn("jobDocument", e)

        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       statusDetails={"p": "10"},
                                       stepTimeoutInMinutes=3)
        e = self.execution(t, job, executionNumber=1)
        self.assertEqual(e["statusDetails"], {"detailsMap": {"p": "10"}})
        self.assertIsInstance(e["startedAt"], datetime.datetime)
        self.assertIsInstance(e["lastUpdatedAt"], datetime.datetime)
        self.assertEqual(e["versionNumber"], 2)
        self.assertTrue(120 < e["approximateSecondsBeforeTimedOut"] <= 180)

    def test_missing_is_resource_not_found(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.raises("ResourceNotFoundException", 404,
                    self.iot.describe_job_execution, thingName=t,
                    jobId=unique_name("nojob"))
        self.raises("ResourceNotFoundException", 404,
                    self.iot.describe_job_execution, thingName=t,
                    jobId=job, executionNumber=2)


class ListForJobTest(ControlExecTestCase):

    def test_pages_cover_every_execution_once(self):
        things = self.make_things(5)
        job = self.make_job(things)
        seen, token, pages = [], None, 0
        while True:
            kw = {"nextToken": token} if token else {}
            out = self.iot.list_job_executions_for_job(jobId=job,
                                                       maxResults=2, **kw)
            pages += 1
            self.assertLessEqual(len(out["executionSummaries"]), 2)
            for s in out["executionSummaries"]:
                seen.append(s["thingArn"])
                js = s["jobExecutionSummary"]
                self.assertEqual(js["status"], "QUEUED")
                self.assertEqual(js["executionNumber"], 1)
                self.assertEqual(js["retryAttempt"], 0)
                self.assertIsInstance(js["queuedAt"], datetime.datetime)
            token = out.get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(thing_arn(t) for t in things))

    def test_paginator_and_status_filter(self):
        things = self.make_things(3)
        job = self.make_job(things)
        self.data.update_job_execution(thingName=things[1], jobId=job,
                                       status="IN_PROGRESS")
        pag = self.iot.get_paginator("list_job_executions_for_job")
        arns = [s["thingArn"] for page in pag.paginate(
            jobId=job, PaginationConfig={"PageSize": 1})
            for s in page["executionSummaries"]]
        self.assertEqual(sorted(arns), sorted(thing_arn(t) for t in things))
        out = self.iot.list_job_executions_for_job(jobId=job,
                                                   status="IN_PROGRESS")
        self.assertEqual([s["thingArn"] for s in out["executionSummaries"]],
                         [thing_arn(things[1])])
        self.assertNotIn("nextToken", out)
        out = self.iot.list_job_executions_for_job(jobId=job,
                                                   status="SUCCEEDED")
        self.assertEqual(out["executionSummaries"], [])

    def test_bad_token_and_missing_job(self):
        things = self.make_things(2)
        job = self.make_job(things)
        other = self.make_job(things)
        for token in ("garbage", "0" * 24, "Z" * 24):
            with self.subTest(token=token):
                err = self.raises("InvalidRequestException", 400,
                                  self.iot.list_job_executions_for_job,
                                  jobId=job, nextToken=token)
                self.assertIn("nextToken", err.response["Error"]["Message"])
        # A token is bound to its listing.
        token = self.iot.list_job_executions_for_job(
            jobId=job, maxResults=1)["nextToken"]
        self.raises("InvalidRequestException", 400,
                    self.iot.list_job_executions_for_job, jobId=other,
                    nextToken=token)
        self.raises("ResourceNotFoundException", 404,
                    self.iot.list_job_executions_for_job,
                    jobId=unique_name("nojob"))


class ListForThingTest(ControlExecTestCase):

    def test_lists_jobs_of_a_thing_with_filters_and_pages(self):
        [t] = self.make_things(1)
        jobs = [self.make_job([t]) for _ in range(3)]
        self.data.update_job_execution(thingName=t, jobId=jobs[2],
                                       status="SUCCEEDED")
        out = self.iot.list_job_executions_for_thing(thingName=t)
        self.assertEqual([s["jobId"] for s in out["executionSummaries"]],
                         jobs)
        s = out["executionSummaries"][2]["jobExecutionSummary"]
        self.assertEqual(s["status"], "SUCCEEDED")
        out = self.iot.list_job_executions_for_thing(thingName=t,
                                                     status="QUEUED")
        self.assertEqual([s["jobId"] for s in out["executionSummaries"]],
                         jobs[:2])
        out = self.iot.list_job_executions_for_thing(thingName=t,
                                                     jobId=jobs[1])
        self.assertEqual([s["jobId"] for s in out["executionSummaries"]],
                         [jobs[1]])
        first = self.iot.list_job_executions_for_thing(thingName=t,
                                                       maxResults=2)
        self.assertEqual(len(first["executionSummaries"]), 2)
        rest = self.iot.list_job_executions_for_thing(
            thingName=t, maxResults=2, nextToken=first["nextToken"])
        self.assertEqual([s["jobId"] for s in rest["executionSummaries"]],
                         [jobs[2]])
        self.assertNotIn("nextToken", rest)

    def test_namespace_filter(self):
        [t] = self.make_things(1)
        ns = "ns_" + unique_name("n").replace("-", "_")
        job_ns = unique_name("job")
        self.iot.create_job(jobId=job_ns, document="{}", namespaceId=ns,
                            targets=[thing_arn(t)])
        plain = self.make_job([t])
        out = self.iot.list_job_executions_for_thing(thingName=t,
                                                     namespaceId=ns)
        self.assertEqual([s["jobId"] for s in out["executionSummaries"]],
                         [job_ns])
        out = self.iot.list_job_executions_for_thing(thingName=t)
        self.assertEqual([s["jobId"] for s in out["executionSummaries"]],
                         [job_ns, plain])

    def test_unknown_thing_and_bad_token(self):
        [t] = self.make_things(1)
        self.raises("ResourceNotFoundException", 404,
                    self.iot.list_job_executions_for_thing,
                    thingName=unique_name("ghost"))
        self.raises("InvalidRequestException", 400,
                    self.iot.list_job_executions_for_thing, thingName=t,
                    nextToken="not-a-token")
        out = self.iot.list_job_executions_for_thing(thingName=t)
        self.assertEqual(out["executionSummaries"], [])


class CancelTest(ControlExecTestCase):

    def test_queued_execution_is_canceled(self):
        things = self.make_things(2)
        job = self.make_job(things)
        out = self.iot.cancel_job_execution(
            thingName=things[0], jobId=job, statusDetails={"why": "ops"})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        e = self.execution(things[0], job)
        self.assertEqual(e["status"], "CANCELED")
        self.assertIs(e["forceCanceled"], False)
        self.assertEqual(e["statusDetails"], {"detailsMap": {"why": "ops"}})
        c = self.counts(job)
        self.assertEqual((c["numberOfCanceledThings"],
                          c["numberOfQueuedThings"]), (1, 1))
        # The device can no longer touch it.
        with self.assertRaises(
                self.data.exceptions.InvalidStateTransitionException):
            self.data.update_job_execution(thingName=things[0], jobId=job,
                                           status="IN_PROGRESS")
        out = self.data.get_pending_job_executions(thingName=things[0])
        self.assertEqual(out["queuedJobs"], [])
        # A forced cancel marks what it cancels, QUEUED ones too.
        self.iot.cancel_job_execution(thingName=things[1], jobId=job,
                                      force=True)
        e = self.execution(things[1], job)
        self.assertEqual(e["status"], "CANCELED")
        self.assertIs(e["forceCanceled"], True)

    def test_in_progress_needs_force(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.start_next_pending_job_execution(thingName=t)
        err = self.raises("InvalidStateTransitionException", 409,
                          self.iot.cancel_job_execution, thingName=t,
                          jobId=job)
        self.assertIn("force", err.response["Error"]["Message"])
        self.assertEqual(self.execution(t, job)["status"], "IN_PROGRESS")
        self.iot.cancel_job_execution(thingName=t, jobId=job, force=True)
        e = self.execution(t, job)
        self.assertEqual(e["status"], "CANCELED")
        self.assertIs(e["forceCanceled"], True)
        self.assertEqual(self.counts(job)["numberOfCanceledThings"], 1)
        self.assertEqual(self.iot.describe_job(jobId=job)["job"]["status"],
                         "COMPLETED")

    def test_terminal_is_a_state_transition_error(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="SUCCEEDED")
        for force in (False, True):
            with self.subTest(force=force):
                self.raises("InvalidStateTransitionException", 409,
                            self.iot.cancel_job_execution, thingName=t,
                            jobId=job, force=force)
        self.assertEqual(self.execution(t, job)["status"], "SUCCEEDED")

    def test_expected_version_conflict(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        err = self.raises("VersionConflictException", 409,
                          self.iot.cancel_job_execution, thingName=t,
                          jobId=job, expectedVersion=5)
        self.assertIn("expectedVersion", err.response["Error"]["Message"])
        self.assertEqual(self.execution(t, job)["status"], "QUEUED")
        self.iot.cancel_job_execution(thingName=t, jobId=job,
                                      expectedVersion=1)
        self.assertEqual(self.execution(t, job)["status"], "CANCELED")

    def test_status_details_limit_and_missing(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        err = self.raises("InvalidRequestException", 400,
                          self.iot.cancel_job_execution, thingName=t,
                          jobId=job,
                          statusDetails={"k%d" % i: "v" for i in range(11)})
        self.assertIn("statusDetails", err.response["Error"]["Message"])
        self.raises("ResourceNotFoundException", 404,
                    self.iot.cancel_job_execution, thingName=t,
                    jobId=unique_name("nojob"))


class DeleteTest(ControlExecTestCase):

    def test_terminal_execution_is_deleted(self):
        things = self.make_things(2)
        job = self.make_job(things)
        self.data.update_job_execution(thingName=things[0], jobId=job,
                                       status="SUCCEEDED")
        out = self.iot.delete_job_execution(thingName=things[0], jobId=job,
                                            executionNumber=1)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.raises("ResourceNotFoundException", 404,
                    self.iot.describe_job_execution, thingName=things[0],
                    jobId=job)
        with self.assertRaises(self.data.exceptions.ResourceNotFoundException):
            self.data.describe_job_execution(thingName=things[0], jobId=job)
        self.assertEqual(self.counts(job)["numberOfSucceededThings"], 0)
        self.raises("ResourceNotFoundException", 404,
                    self.iot.delete_job_execution, thingName=things[0],
                    jobId=job, executionNumber=1)

    def test_pending_needs_force(self):
        things = self.make_things(2)
        job = self.make_job(things)
        self.data.start_next_pending_job_execution(thingName=things[1])
        for t in things:    # QUEUED, then IN_PROGRESS
            with self.subTest(thing=t):
                err = self.raises("InvalidStateTransitionException", 409,
                                  self.iot.delete_job_execution,
                                  thingName=t, jobId=job, executionNumber=1)
                self.assertIn("force", err.response["Error"]["Message"])
        c = self.counts(job)
        self.assertEqual((c["numberOfQueuedThings"],
                          c["numberOfInProgressThings"]), (1, 1))
        for t in things:
            self.iot.delete_job_execution(thingName=t, jobId=job,
                                          executionNumber=1, force=True)
            self.raises("ResourceNotFoundException", 404,
                        self.iot.describe_job_execution, thingName=t,
                        jobId=job)
        c = self.counts(job)
        self.assertEqual((c["numberOfQueuedThings"],
                          c["numberOfInProgressThings"]), (0, 0))
        out = self.data.get_pending_job_executions(thingName=things[1])
        self.assertEqual(out["inProgressJobs"], [])


if __name__ == "__main__":
    unittest.main()
