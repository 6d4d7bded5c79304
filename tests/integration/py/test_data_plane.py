# SPDX-License-Identifier: Apache-2.0
"""The device data plane (iot-jobs-data) through boto3: DescribeJobExecution
(with $next in both encodings), GetPendingJobExecutions,
StartNextPendingJobExecution, UpdateJobExecution; the state machine as a
device sees it, statusDetails limits, timers, a StartNext race, the whole
device workflow of a group job, and durability across kill -9.
Runs under the pyenv boto3 and under Debian's boto3 1.26.
"""

import json
import threading
import unittest

from botocore.exceptions import ClientError

from harness import (ACCOUNT_ID, DATA_SERVICE, REGION, DaemonTestCase,
                     unique_name)


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


def group_arn(name):
    return "arn:aws:iot:%s:%s:thinggroup/%s" % (REGION, ACCOUNT_ID, name)


class ExecTestCase(DaemonTestCase):
    """Things and jobs made through the control plane."""

    def make_things(self, n, prefix="dev"):
        names = [unique_name(prefix) for _ in range(n)]
        for name in names:
            self.iot.create_thing(thingName=name)
        return names

    def make_job(self, things=(), document=None, targets=None, **kw):
        job_id = unique_name("job")
        doc = document if document is not None else {"job": job_id}
        self.iot.create_job(
            jobId=job_id, document=json.dumps(doc),
            targets=targets or [thing_arn(t) for t in things], **kw)
        return job_id

    def describe(self, thing, job_id, **kw):
        return self.data.describe_job_execution(
            thingName=thing, jobId=job_id, **kw)["execution"]

    def raises(self, exc_name, http_status, fn, /, *args, **kw):
        """Calls FN, asserts the error class and status; the error."""
        exc_class = getattr(fn.__self__.exceptions, exc_name)
        with self.assertRaises(exc_class) as cm:
            fn(*args, **kw)
        self.assertClientError(cm.exception, exc_name, http_status)
        msg = cm.exception.response["Error"].get("Message")
        self.assertTrue(msg, "error without a message")
        return cm.exception


class DescribeJobExecutionTest(ExecTestCase):

    def test_queued_execution_has_the_modeled_members(self):
        [t] = self.make_things(1)
        job = self.make_job([t], document={"op": "reboot"})
        e = self.describe(t, job)
        self.assertEqual(e["jobId"], job)
        self.assertEqual(e["thingName"], t)
        self.assertEqual(e["status"], "QUEUED")
        self.assertEqual(e["versionNumber"], 1)
        self.assertEqual(e["executionNumber"], 1)
        self.assertIsInstance(e["queuedAt"], int)
        self.assertIsInstance(e["lastUpdatedAt"], int)
        self.assertNotIn("startedAt", e)
        self.assertNotIn("statusDetails", e)
        self.assertNotIn("approximateSecondsBeforeTimedOut", e)
        # jobDocument is a string holding the JSON, included by default.
        self.assertIsInstance(e["jobDocument"], str)
        self.assertEqual(json.loads(e["jobDocument"]), {"op": "reboot"})

    def test_include_job_document_false_omits_it(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        e = self.describe(t, job, includeJobDocument=False)
        self.assertNotIn("jobDocument", e)
        self.assertEqual(e["status"], "QUEUED")

    def test_execution_number_selects_and_unknown_is_not_found(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.assertEqual(self.describe(t, job, executionNumber=1)
                         ["executionNumber"], 1)
        err = self.raises("ResourceNotFoundException", 404,
                          self.data.describe_job_execution, thingName=t,
                          jobId=job, executionNumber=7)
        self.assertIn(job, err.response["Error"]["Message"])

    def test_missing_execution_is_resource_not_found(self):
        [t] = self.make_things(1)
        self.raises("ResourceNotFoundException", 404,
                    self.data.describe_job_execution, thingName=t,
                    jobId=unique_name("nojob"))
        self.raises("ResourceNotFoundException", 404,
                    self.data.describe_job_execution,
                    thingName=unique_name("nothing"), jobId="whatever")

    def test_terminal_execution_is_still_described(self):
        # WIRE.md 13 item 3: no TerminalStateException on describe.
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="SUCCEEDED")
        e = self.describe(t, job)
        self.assertEqual(e["status"], "SUCCEEDED")
        self.assertEqual(e["versionNumber"], 2)


class NextTest(ExecTestCase):

    def test_next_prefers_in_progress_then_queue_order(self):
        [t] = self.make_things(1)
        first = self.make_job([t])
        second = self.make_job([t])
        third = self.make_job([t])
        self.assertEqual(self.describe(t, "$next")["jobId"], first)
        self.data.update_job_execution(thingName=t, jobId=third,
                                       status="IN_PROGRESS")
        e = self.describe(t, "$next")
        self.assertEqual((e["jobId"], e["status"]), (third, "IN_PROGRESS"))
        self.data.update_job_execution(thingName=t, jobId=third,
                                       status="SUCCEEDED")
        self.data.update_job_execution(thingName=t, jobId=first,
                                       status="REJECTED")
        self.assertEqual(self.describe(t, "$next")["jobId"], second)

    def test_next_arrives_encoded_and_literal(self):
        # boto3 sends %24next; a hand-written client may send $next.
        [t] = self.make_things(1)
        job = self.make_job([t])
        for path in ("/things/%s/jobs/%%24next" % t,
                     "/things/%s/jobs/$next" % t):
            with self.subTest(path=path):
                r = self.daemon.signed_request("GET", path,
                                               service=DATA_SERVICE)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["execution"]["jobId"], job)

    def test_next_with_nothing_pending_is_empty(self):
        [t] = self.make_things(1)
        out = self.data.describe_job_execution(thingName=t, jobId="$next")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertNotIn("execution", out)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="SUCCEEDED")
        out = self.data.describe_job_execution(thingName=t, jobId="$next")
        self.assertNotIn("execution", out)

    def test_next_of_unknown_thing_is_resource_not_found(self):
        self.raises("ResourceNotFoundException", 404,
                    self.data.describe_job_execution,
                    thingName=unique_name("ghost"), jobId="$next")


class GetPendingTest(ExecTestCase):

    def test_lists_split_by_status_in_pending_order(self):
        [t] = self.make_things(1)
        jobs = [self.make_job([t]) for _ in range(3)]
        self.data.update_job_execution(thingName=t, jobId=jobs[1],
                                       status="IN_PROGRESS")
        out = self.data.get_pending_job_executions(thingName=t)
        self.assertEqual([s["jobId"] for s in out["inProgressJobs"]],
                         [jobs[1]])
        self.assertEqual([s["jobId"] for s in out["queuedJobs"]],
                         [jobs[0], jobs[2]])
        s = out["inProgressJobs"][0]
        self.assertEqual(s["versionNumber"], 2)
        self.assertEqual(s["executionNumber"], 1)
        for k in ("queuedAt", "startedAt", "lastUpdatedAt"):
            self.assertIsInstance(s[k], int, k)
        self.assertNotIn("startedAt", out["queuedJobs"][0])
        self.assertEqual(set(out["queuedJobs"][0]),
                         {"jobId", "queuedAt", "lastUpdatedAt",
                          "versionNumber", "executionNumber"})

    def test_terminal_executions_are_not_pending(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="FAILED")
        out = self.data.get_pending_job_executions(thingName=t)
        # Both arrays are always sent, empty or not.
        self.assertEqual(out["inProgressJobs"], [])
        self.assertEqual(out["queuedJobs"], [])

    def test_at_most_ten_pending_executions(self):
        [t] = self.make_things(1)
        jobs = [self.make_job([t]) for _ in range(12)]
        self.data.update_job_execution(thingName=t, jobId=jobs[11],
                                       status="IN_PROGRESS")
        out = self.data.get_pending_job_executions(thingName=t)
        self.assertEqual([s["jobId"] for s in out["inProgressJobs"]],
                         [jobs[11]])
        self.assertEqual([s["jobId"] for s in out["queuedJobs"]], jobs[:9])

    def test_unknown_thing_is_resource_not_found(self):
        self.raises("ResourceNotFoundException", 404,
                    self.data.get_pending_job_executions,
                    thingName=unique_name("ghost"))


class StartNextTest(ExecTestCase):

    def test_starts_the_first_queued_execution(self):
        [t] = self.make_things(1)
        job = self.make_job([t], document={"op": "update"})
        self.make_job([t])
        e = self.data.start_next_pending_job_execution(
            thingName=t, statusDetails={"step": "download"})["execution"]
        self.assertEqual((e["jobId"], e["status"]), (job, "IN_PROGRESS"))
        self.assertEqual(e["versionNumber"], 2)
        self.assertEqual(e["statusDetails"], {"step": "download"})
        self.assertIsInstance(e["startedAt"], int)
        self.assertGreaterEqual(e["startedAt"], e["queuedAt"])
        self.assertEqual(json.loads(e["jobDocument"]), {"op": "update"})
        self.assertEqual(self.describe(t, job)["startedAt"], e["startedAt"])

    def test_in_progress_execution_is_returned_unchanged(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        first = self.data.start_next_pending_job_execution(
            thingName=t, statusDetails={"a": "1"})["execution"]
        again = self.data.start_next_pending_job_execution(
            thingName=t, statusDetails={"a": "2"})["execution"]
        self.assertEqual(again["jobId"], job)
        self.assertEqual(again["versionNumber"], 2)
        self.assertEqual(again["statusDetails"], {"a": "1"})
        self.assertEqual(again["startedAt"], first["startedAt"])

    def test_nothing_pending_is_empty_and_unknown_thing_not_found(self):
        [t] = self.make_things(1)
        out = self.data.start_next_pending_job_execution(thingName=t)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertNotIn("execution", out)
        self.raises("ResourceNotFoundException", 404,
                    self.data.start_next_pending_job_execution,
                    thingName=unique_name("ghost"))

    def test_step_timeout_range(self):
        [t] = self.make_things(1)
        self.make_job([t])
        for bad in (0, -1, 10081):
            with self.subTest(stepTimeoutInMinutes=bad):
                err = self.raises("InvalidRequestException", 400,
                                  self.data.start_next_pending_job_execution,
                                  thingName=t, stepTimeoutInMinutes=bad)
                self.assertIn("stepTimeoutInMinutes",
                              err.response["Error"]["Message"])
        # Nothing was started by the refused calls.
        self.assertEqual(self.describe(t, "$next")["status"], "QUEUED")
        e = self.data.start_next_pending_job_execution(
            thingName=t, stepTimeoutInMinutes=10080)["execution"]
        self.assertLessEqual(e["approximateSecondsBeforeTimedOut"],
                             10080 * 60)
        self.assertGreater(e["approximateSecondsBeforeTimedOut"],
                           10080 * 60 - 60)

    def test_racing_devices_start_it_exactly_once(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        n = 8
        barrier = threading.Barrier(n)
        results = [None] * n
        clients = [self.daemon.data_client() for _ in range(n)]
        for c in clients:
            if hasattr(c, "close"):     # botocore >= 1.28
                self.addCleanup(c.close)

        def worker(i):
            barrier.wait()
            try:
                results[i] = clients[i].start_next_pending_job_execution(
                    thingName=t, statusDetails={"worker": str(i)})
            except ClientError as e:   # recorded, asserted below
                results[i] = e

        threads = [threading.Thread(target=worker, args=(i,))
                   for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        execs = [r["execution"] for r in results]
        # Every caller sees the same started execution: one of them set
        # its details, and the version went 1 -> 2 exactly once.
        winners = {e["statusDetails"]["worker"] for e in execs}
        self.assertEqual(len(winners), 1, execs)
        for e in execs:
            self.assertEqual((e["jobId"], e["status"], e["versionNumber"]),
                             (job, "IN_PROGRESS", 2))
        self.assertEqual(self.describe(t, job)["versionNumber"], 2)
        counts = self.iot.describe_job(jobId=job)["job"]["jobProcessDetails"]
        self.assertEqual(counts["numberOfInProgressThings"], 1)
        self.assertEqual(counts["numberOfQueuedThings"], 0)


class UpdateTest(ExecTestCase):

    def test_updates_bump_the_version_and_replace_details(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        out = self.data.update_job_execution(
            thingName=t, jobId=job, status="IN_PROGRESS",
            statusDetails={"a": "1", "b": "2"},
            includeJobExecutionState=True)
        self.assertEqual(out["executionState"],
                         {"status": "IN_PROGRESS",
                          "statusDetails": {"a": "1", "b": "2"},
                          "versionNumber": 2})
        self.assertNotIn("jobDocument", out)
        out = self.data.update_job_execution(
            thingName=t, jobId=job, status="IN_PROGRESS",
            statusDetails={"c": "3"}, includeJobExecutionState=True)
        self.assertEqual(out["executionState"]["statusDetails"],
                         {"c": "3"})
        self.assertEqual(out["executionState"]["versionNumber"], 3)
        # Without statusDetails the stored details stay.
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS")
        e = self.describe(t, job)
        self.assertEqual(e["statusDetails"], {"c": "3"})
        self.assertEqual(e["versionNumber"], 4)
        self.assertGreaterEqual(e["lastUpdatedAt"], e["startedAt"])

    def test_response_members_only_when_asked(self):
        [t] = self.make_things(1)
        job = self.make_job([t], document={"v": 2})
        out = self.data.update_job_execution(thingName=t, jobId=job,
                                             status="IN_PROGRESS")
        body = {k: v for k, v in out.items() if k != "ResponseMetadata"}
        self.assertEqual(body, {})
        out = self.data.update_job_execution(
            thingName=t, jobId=job, status="IN_PROGRESS",
            includeJobDocument=True)
        self.assertEqual(json.loads(out["jobDocument"]), {"v": 2})
        self.assertNotIn("executionState", out)

    def test_expected_version(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       expectedVersion=1)
        err = self.raises("InvalidStateTransitionException", 409,
                          self.data.update_job_execution, thingName=t,
                          jobId=job, status="SUCCEEDED", expectedVersion=1)
        msg = err.response["Error"]["Message"]
        self.assertIn("VersionMismatch", msg)
        self.assertIn("expectedVersion", msg)
        e = self.describe(t, job)
        self.assertEqual((e["status"], e["versionNumber"]),
                         ("IN_PROGRESS", 2))
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="SUCCEEDED",
                                       expectedVersion=2)
        self.assertEqual(self.describe(t, job)["status"], "SUCCEEDED")

    def test_terminal_execution_refuses_every_update(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS")
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="FAILED")
        for status in ("IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED",
                       "CANCELED"):
            with self.subTest(status=status):
                err = self.raises("InvalidStateTransitionException", 409,
                                  self.data.update_job_execution,
                                  thingName=t, jobId=job, status=status)
                self.assertIn("FAILED", err.response["Error"]["Message"])
        self.assertEqual(self.describe(t, job)["versionNumber"], 3)

    def test_service_statuses_are_invalid_requests(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        for status in ("QUEUED", "TIMED_OUT", "REMOVED", "CANCELED"):
            with self.subTest(status=status):
                err = self.raises("InvalidRequestException", 400,
                                  self.data.update_job_execution,
                                  thingName=t, jobId=job, status=status)
                self.assertIn("status", err.response["Error"]["Message"])
        e = self.describe(t, job)
        self.assertEqual((e["status"], e["versionNumber"]), ("QUEUED", 1))

    def test_queued_may_end_directly(self):
        things = self.make_things(3)
        job = self.make_job(things)
        for t, status in zip(things, ("SUCCEEDED", "FAILED", "REJECTED")):
            with self.subTest(status=status):
                self.data.update_job_execution(thingName=t, jobId=job,
                                               status=status)
                e = self.describe(t, job)
                self.assertEqual(e["status"], status)
                self.assertNotIn("startedAt", e)
        counts = self.iot.describe_job(jobId=job)["job"]["jobProcessDetails"]
        self.assertEqual((counts["numberOfSucceededThings"],
                          counts["numberOfFailedThings"],
                          counts["numberOfRejectedThings"],
                          counts["numberOfQueuedThings"]), (1, 1, 1, 0))

    def test_missing_execution_and_execution_number(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        self.raises("ResourceNotFoundException", 404,
                    self.data.update_job_execution, thingName=t,
                    jobId=unique_name("nojob"), status="IN_PROGRESS")
        self.raises("ResourceNotFoundException", 404,
                    self.data.update_job_execution, thingName=t, jobId=job,
                    status="IN_PROGRESS", executionNumber=2)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       executionNumber=1)
        self.assertEqual(self.describe(t, job)["status"], "IN_PROGRESS")

    def test_status_details_limits(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        eleven = {"k%d" % i: "v" for i in range(11)}
        ten = {"k%d" % i: "v" for i in range(10)}
        cases = [
            (eleven, "at most 10"),
            ({"k": "x" * 1025}, "1024"),
            ({"k": "bell\x07"}, "statusDetails"),
            ({"k": "new\nline"}, "statusDetails"),
            ({"bad key": "v"}, "statusDetails"),
            ({"k" * 129: "v"}, "statusDetails"),
        ]
        for details, words in cases:
            with self.subTest(details=list(details)[:2]):
                err = self.raises("InvalidRequestException", 400,
                                  self.data.update_job_execution,
                                  thingName=t, jobId=job,
                                  status="IN_PROGRESS",
                                  statusDetails=details)
                self.assertIn(words, err.response["Error"]["Message"])
        self.assertEqual(self.describe(t, job)["versionNumber"], 1)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       statusDetails=ten)
        self.data.update_job_execution(
            thingName=t, jobId=job, status="IN_PROGRESS",
            statusDetails={"k": "é" * 1024, "ok:key_-1": "ünïcödé"})
        e = self.describe(t, job)
        self.assertEqual(e["statusDetails"]["k"], "é" * 1024)
        self.assertEqual(e["statusDetails"]["ok:key_-1"], "ünïcödé")

    def test_step_timeout_range_and_cancel(self):
        [t] = self.make_things(1)
        job = self.make_job([t])
        for bad in (0, -2, 10081):
            with self.subTest(stepTimeoutInMinutes=bad):
                self.raises("InvalidRequestException", 400,
                            self.data.update_job_execution, thingName=t,
                            jobId=job, status="IN_PROGRESS",
                            stepTimeoutInMinutes=bad)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=5)
        left = self.describe(t, job)["approximateSecondsBeforeTimedOut"]
        self.assertTrue(240 < left <= 300, left)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=-1)
        self.assertNotIn("approximateSecondsBeforeTimedOut",
                         self.describe(t, job))

    def test_step_timer_never_outlives_the_job_timer(self):
        [t] = self.make_things(1)
        job = self.make_job([t], timeoutConfig={
            "inProgressTimeoutInMinutes": 10})
        self.data.start_next_pending_job_execution(thingName=t)
        left = self.describe(t, job)["approximateSecondsBeforeTimedOut"]
        self.assertTrue(540 < left <= 600, left)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=2)
        left = self.describe(t, job)["approximateSecondsBeforeTimedOut"]
        self.assertTrue(60 < left <= 120, left)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=30)
        left = self.describe(t, job)["approximateSecondsBeforeTimedOut"]
        self.assertTrue(540 < left <= 600, left)
        # Cancelling the step timer leaves the job's timer running.
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="IN_PROGRESS",
                                       stepTimeoutInMinutes=-1)
        left = self.describe(t, job)["approximateSecondsBeforeTimedOut"]
        self.assertTrue(540 < left <= 600, left)
        self.data.update_job_execution(thingName=t, jobId=job,
                                       status="SUCCEEDED")
        self.assertNotIn("approximateSecondsBeforeTimedOut",
                         self.describe(t, job))


class StartCommandExecutionTest(ExecTestCase):

    def test_unknown_command_is_not_found(self):
        # The feature itself: test_commands.py.
        self.requireOperation(self.data, "start_command_execution")
        t = self.make_things(1, "cmd")[0]
        with self.assertRaises(ClientError) as cm:
            self.data.start_command_execution(
                targetArn=thing_arn(t),
                commandArn="arn:aws:iot:%s:%s:command/c1" % (REGION,
                                                             ACCOUNT_ID))
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        self.assertIn("c1", cm.exception.response["Error"]["Message"])


class DeviceWorkflowTest(ExecTestCase):

    def test_group_job_runs_to_completion(self):
        things = self.make_things(3, "fleet")
        group = unique_name("grp")
        self.iot.create_thing_group(thingGroupName=group)
        for t in things:
            self.iot.add_thing_to_thing_group(thingGroupName=group,
                                              thingName=t)
        job = self.make_job(targets=[group_arn(group)],
                            document={"firmware": "2.0"})
        for i, t in enumerate(things):
            pending = self.data.get_pending_job_executions(thingName=t)
            self.assertEqual([s["jobId"] for s in pending["queuedJobs"]],
                             [job])
            e = self.data.start_next_pending_job_execution(
                thingName=t)["execution"]
            self.assertEqual(json.loads(e["jobDocument"]),
                             {"firmware": "2.0"})
            st = self.data.update_job_execution(
                thingName=t, jobId=job, status="IN_PROGRESS",
                statusDetails={"progress": "50%"}, expectedVersion=2,
                includeJobExecutionState=True)["executionState"]
            self.assertEqual(st["versionNumber"], 3)
            self.data.update_job_execution(
                thingName=t, jobId=job, status="SUCCEEDED",
                statusDetails={"progress": "100%"}, expectedVersion=3)
            d = self.iot.describe_job(jobId=job)["job"]
            done = d["jobProcessDetails"]["numberOfSucceededThings"]
            self.assertEqual(done, i + 1)
            self.assertEqual(d["status"],
                             "COMPLETED" if i == 2 else "IN_PROGRESS")
        d = self.iot.describe_job(jobId=job)["job"]
        self.assertEqual(d["jobProcessDetails"]["numberOfSucceededThings"],
                         3)
        self.assertEqual(d["jobProcessDetails"]["numberOfQueuedThings"], 0)
        self.assertEqual(
            d["jobProcessDetails"]["numberOfInProgressThings"], 0)
        self.assertEqual(d["status"], "COMPLETED")
        for t in things:
            out = self.data.get_pending_job_executions(thingName=t)
            self.assertEqual(out["queuedJobs"] + out["inProgressJobs"], [])
            self.assertEqual(self.describe(t, job)["statusDetails"],
                             {"progress": "100%"})


class DurabilityTest(ExecTestCase):

    def test_acknowledged_updates_survive_kill9(self):
        things = self.make_things(4, "dur")
        job = self.make_job(things)
        acked = {}
        for i, t in enumerate(things):
            self.data.start_next_pending_job_execution(
                thingName=t, statusDetails={"n": str(i)})
            if i % 2 == 0:
                self.data.update_job_execution(
                    thingName=t, jobId=job, status="SUCCEEDED",
                    statusDetails={"n": str(i), "done": "yes"})
                acked[t] = ("SUCCEEDED", 3, {"n": str(i), "done": "yes"})
            else:
                acked[t] = ("IN_PROGRESS", 2, {"n": str(i)})
        self.daemon.restart(kill=True)
        for t, (status, version, details) in acked.items():
            e = self.describe(t, job)
            self.assertEqual((e["status"], e["versionNumber"],
                              e["statusDetails"]),
                             (status, version, details), t)
        counts = self.iot.describe_job(jobId=job)["job"]["jobProcessDetails"]
        self.assertEqual((counts["numberOfSucceededThings"],
                          counts["numberOfInProgressThings"]), (2, 2))


if __name__ == "__main__":
    unittest.main()
