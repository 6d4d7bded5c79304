# SPDX-License-Identifier: Apache-2.0
"""The jobs control plane through boto3's 'iot' client (WIRE.md 8.8, 11.3):
CreateJob, DescribeJob, ListJobs, GetJobDocument, UpdateJob, CancelJob,
DeleteJob, AssociateTargetsWithJob, with executions moved by the data
plane ('iot-jobs-data'). Runs under both boto3 versions."""

import datetime
import json
import unittest

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

PREFIX = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
COUNTERS = ("numberOfQueuedThings", "numberOfInProgressThings",
            "numberOfSucceededThings", "numberOfFailedThings",
            "numberOfRejectedThings", "numberOfCanceledThings",
            "numberOfRemovedThings", "numberOfTimedOutThings")


def thing_arn(name):
    return PREFIX + "thing/" + name


def group_arn(name):
    return PREFIX + "thinggroup/" + name


def job_arn(job_id):
    return PREFIX + "job/" + job_id


def sched_time(delta):
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M")


class JobTestCase(DaemonTestCase):
    """Helpers shared by the job suites."""

    def things(self, n, prefix="th"):
        names = [unique_name(prefix) for _ in range(n)]
        for name in names:
            self.iot.create_thing(thingName=name)
        return names

    def group(self, members=(), parent=None):
        name = unique_name("grp")
        kw = {"parentGroupName": parent} if parent else {}
        self.iot.create_thing_group(thingGroupName=name, **kw)
        for t in members:
            self.iot.add_thing_to_thing_group(thingGroupName=name,
                                              thingName=t)
        return name

    def create(self, targets, job_id=None, document='{"op": "x"}', **kw):
        job_id = job_id or unique_name("job")
        self.iot.create_job(jobId=job_id, targets=targets,
                            document=document, **kw)
        return job_id

    def job(self, job_id):
        return self.iot.describe_job(jobId=job_id)["job"]

    def counts(self, job_id):
        return self.job(job_id)["jobProcessDetails"]

    def exec_status(self, job_id, thing):
        return self.iot.describe_job_execution(
            jobId=job_id, thingName=thing)["execution"]

    def assertCounts(self, job_id, **want):
        got = self.counts(job_id)
        expect = {k: want.get(k, 0) for k in COUNTERS}
        self.assertEqual({k: got.get(k) for k in COUNTERS}, expect)

    def assertInvalid(self, fn, *words, **kw):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            fn(**kw)
        self.assertClientError(cm.exception, "InvalidRequestException", 400)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)
        return msg

    def requireMember(self, op, member):
        model = self.iot.meta.service_model.operation_model(op)
        if member not in model.input_shape.members:
            self.skipTest("this botocore's %s has no %s" % (op, member))


class CreateJobTest(JobTestCase):

    def test_create_returns_arn_id_description(self):
        (t,) = self.things(1)
        job_id = unique_name("job")
        out = self.iot.create_job(jobId=job_id, targets=[thing_arn(t)],
                                  document='{"a": 1}', description="fw 2")
        self.assertEqual(out["jobArn"], job_arn(job_id))
        self.assertEqual(out["jobId"], job_id)
        self.assertEqual(out["description"], "fw 2")

    def test_describe_has_every_member_and_counters(self):
        a, b, c = self.things(3)
        # a directly and through top; b and c through the child group
        top = self.group([a])
        self.group([b, c], parent=top)
        targets = [group_arn(top), thing_arn(a)]
        cfg = {
            "description": "all members",
            "presignedUrlConfig": {
                "roleArn": "arn:aws:iam::123456789012:role/JobRole",
                "expiresInSec": 600},
            "jobExecutionsRolloutConfig": {"maximumPerMinute": 50},
            "abortConfig": {"criteriaList": [{
                "failureType": "FAILED", "action": "CANCEL",
                "thresholdPercentage": 12.5,
                "minNumberOfExecutedThings": 3}]},
            "timeoutConfig": {"inProgressTimeoutInMinutes": 30},
            "jobExecutionsRetryConfig": {"criteriaList": [
                {"failureType": "FAILED", "numberOfRetries": 3},
                {"failureType": "TIMED_OUT", "numberOfRetries": 7}]},
            "namespaceId": "ns1",
        }
        job_id = self.create(targets, **cfg)
        job = self.job(job_id)
        self.assertEqual(job["jobArn"], job_arn(job_id))
        self.assertEqual(job["jobId"], job_id)
        self.assertEqual(job["status"], "IN_PROGRESS")
        self.assertEqual(job["targetSelection"], "SNAPSHOT")
        self.assertEqual(job["targets"], targets)
        self.assertIs(job["forceCanceled"], False)
        self.assertIs(job["isConcurrent"], False)
        self.assertNotIn("completedAt", job)
        self.assertIsInstance(job["createdAt"], datetime.datetime)
        self.assertIsInstance(job["lastUpdatedAt"], datetime.datetime)
        for k, v in cfg.items():
            self.assertEqual(job[k], v, k)
        self.assertCounts(job_id, numberOfQueuedThings=3)
        for t in (a, b, c):
            ex = self.exec_status(job_id, t)
            self.assertEqual((ex["status"], ex["executionNumber"],
                              ex["versionNumber"]), ("QUEUED", 1, 1))

    def test_get_job_document_is_verbatim(self):
        (t,) = self.things(1)
        doc = '{ "operation" : "install",\n  "url": "${aws:iot:s3-' \
              'presigned-url:https://s3.amazonaws.com/b/k}" }'
        job_id = self.create([thing_arn(t)], document=doc)
        self.assertEqual(self.iot.get_job_document(jobId=job_id)["document"],
                         doc)

    def test_duplicate_job_id_already_exists(self):
        (t,) = self.things(1)
        job_id = self.create([thing_arn(t)])
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.create([thing_arn(t)], job_id=job_id)
        self.assertClientError(cm.exception,
                               "ResourceAlreadyExistsException", 409)
        self.assertEqual(cm.exception.response.get("resourceId"), job_id)
        self.assertEqual(cm.exception.response.get("resourceArn"),
                         job_arn(job_id))
        self.assertCounts(job_id, numberOfQueuedThings=1)

    def test_target_selection_continuous_is_kept(self):
        (t,) = self.things(1)
        job_id = self.create([thing_arn(t)], targetSelection="CONTINUOUS")
        self.assertEqual(self.job(job_id)["targetSelection"], "CONTINUOUS")

    def test_repeated_targets_queue_one_execution(self):
        (t,) = self.things(1)
        g = self.group([t])
        job_id = self.create([thing_arn(t), thing_arn(t), group_arn(g)])
        job = self.job(job_id)
        self.assertEqual(job["targets"], [thing_arn(t), group_arn(g)])
        self.assertCounts(job_id, numberOfQueuedThings=1)

    def test_empty_group_snapshot_job_completes(self):
        g = self.group()
        job_id = self.create([group_arn(g)])
        job = self.job(job_id)
        self.assertEqual(job["status"], "COMPLETED")
        self.assertIn("completedAt", job)
        self.assertCounts(job_id)

    def test_unknown_thing_target_not_found(self):
        name = unique_name("ghost")
        job_id = unique_name("job")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.create([thing_arn(name)], job_id=job_id)
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        self.assertIn(name, cm.exception.response["Error"]["Message"])
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_job(jobId=job_id)

    def test_unknown_group_target_not_found(self):
        name = unique_name("ghostgrp")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.create([group_arn(name)])
        self.assertIn(name, cm.exception.response["Error"]["Message"])

    def test_foreign_or_malformed_targets_invalid(self):
        (t,) = self.things(1)
        bad = [
            "arn:aws:iot:eu-west-1:%s:thing/%s" % (ACCOUNT_ID, t),
            "arn:aws:iot:%s:999999999999:thing/%s" % (REGION, t),
            "arn:aws:s3:::bucket/key",
            PREFIX + "job/" + t,
            PREFIX + "thing/bad name",
            PREFIX + "thing/",
        ]
        for arn in bad:
            with self.subTest(arn=arn):
                self.assertInvalid(self.create, arn, targets=[arn])

    def test_too_many_targets_invalid(self):
        targets = [thing_arn("t%03d" % i) for i in range(101)]
        self.assertInvalid(self.create, "targets", "100", targets=targets)

    def test_document_rules(self):
        (t,) = self.things(1)
        tg = [thing_arn(t)]
        jid = unique_name("job")
        self.assertInvalid(self.iot.create_job, "document", jobId=jid,
                           targets=tg)
        self.assertInvalid(self.iot.create_job, "document", jobId=jid,
                           targets=tg, document="{not json")
        self.assertInvalid(self.iot.create_job, "JSON object", jobId=jid,
                           targets=tg, document="[1, 2]")
        # 20000 characters (within the model's 32768) but 40000 bytes
        big = json.dumps({"k": "\u00e9" * 20000}, ensure_ascii=False)
        self.assertInvalid(self.iot.create_job, "32768", jobId=jid,
                           targets=tg, document=big)
        self.assertInvalid(self.iot.create_job, "documentSource", jobId=jid,
                           targets=tg,
                           documentSource="https://s3.amazonaws.com/b/k")
        self.assertInvalid(self.iot.create_job, "documentSource", jobId=jid,
                           targets=tg, document="{}",
                           documentSource="https://s3.amazonaws.com/b/k")
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_job(jobId=jid)

    def test_config_rules(self):
        (t,) = self.things(1)
        cases = [
            ({"timeoutConfig": {"inProgressTimeoutInMinutes": 0}},
             "inProgressTimeoutInMinutes"),
            ({"timeoutConfig": {"inProgressTimeoutInMinutes": 10081}},
             "inProgressTimeoutInMinutes"),
            ({"jobExecutionsRetryConfig": {"criteriaList": [
                {"failureType": "FAILED", "numberOfRetries": 6},
                {"failureType": "TIMED_OUT", "numberOfRetries": 5}]}},
             "jobExecutionsRetryConfig"),
            ({"jobExecutionsRetryConfig": {"criteriaList": [
                {"failureType": "FAILED", "numberOfRetries": 1},
                {"failureType": "FAILED", "numberOfRetries": 1}]}},
             "failureType"),
            ({"jobExecutionsRolloutConfig": {"maximumPerMinute": 1001}},
             "maximumPerMinute"),
            ({"jobExecutionsRolloutConfig": {
                "maximumPerMinute": 10, "exponentialRate": {
                    "baseRatePerMinute": 5, "incrementFactor": 2,
                    "rateIncreaseCriteria": {
                        "numberOfNotifiedThings": 5}}}},
             "exponentialRate"),
            ({"jobExecutionsRolloutConfig": {"exponentialRate": {
                "baseRatePerMinute": 5, "incrementFactor": 1.55,
                "rateIncreaseCriteria": {"numberOfNotifiedThings": 5}}}},
             "incrementFactor"),
            ({"jobExecutionsRolloutConfig": {"exponentialRate": {
                "baseRatePerMinute": 5, "incrementFactor": 1.5,
                "rateIncreaseCriteria": {}}}},
             "rateIncreaseCriteria"),
            ({"abortConfig": {"criteriaList": [{
                "failureType": "ALL", "action": "CANCEL",
                "thresholdPercentage": 10.999,
                "minNumberOfExecutedThings": 1}]}},
             "thresholdPercentage"),
            ({"documentParameters": {"k": "v"}}, "documentParameters"),
        ]
        for kw, word in cases:
            with self.subTest(word=word, kw=kw):
                jid = unique_name("job")
                self.assertInvalid(self.create, word, targets=[thing_arn(t)],
                                   job_id=jid, **kw)
                with self.assertRaises(
                        self.iot.exceptions.ResourceNotFoundException):
                    self.iot.describe_job(jobId=jid)

    def test_config_accepts_bounds(self):
        (t,) = self.things(1)
        job_id = self.create(
            [thing_arn(t)],
            timeoutConfig={"inProgressTimeoutInMinutes": 10080},
            jobExecutionsRetryConfig={"criteriaList": [
                {"failureType": "FAILED", "numberOfRetries": 4},
                {"failureType": "TIMED_OUT", "numberOfRetries": 6}]},
            jobExecutionsRolloutConfig={"exponentialRate": {
                "baseRatePerMinute": 1000, "incrementFactor": 1.5,
                "rateIncreaseCriteria": {"numberOfSucceededThings": 2}}},
            abortConfig={"criteriaList": [{
                "failureType": "ALL", "action": "CANCEL",
                "thresholdPercentage": 99.99,
                "minNumberOfExecutedThings": 1}]})
        job = self.job(job_id)
        self.assertEqual(
            job["jobExecutionsRolloutConfig"]["exponentialRate"]
            ["incrementFactor"], 1.5)
        self.assertEqual(job["abortConfig"]["criteriaList"][0]
                         ["thresholdPercentage"], 99.99)

    def test_unknown_job_template_not_found(self):
        (t,) = self.things(1)
        tmpl = PREFIX + "jobtemplate/" + unique_name("tmpl")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_job(jobId=unique_name("job"),
                                targets=[thing_arn(t)], jobTemplateArn=tmpl)
        self.assertIn(tmpl, cm.exception.response["Error"]["Message"])

    def test_scheduled_job(self):
        self.requireMember("CreateJob", "schedulingConfig")
        (t,) = self.things(1)
        sched = {"startTime": sched_time(datetime.timedelta(hours=2)),
                 "endTime": sched_time(datetime.timedelta(hours=5)),
                 "endBehavior": "CANCEL"}
        job_id = self.create([thing_arn(t)], schedulingConfig=sched)
        job = self.job(job_id)
        self.assertEqual(job["status"], "SCHEDULED")
        self.assertEqual(job["schedulingConfig"], sched)
        self.assertCounts(job_id)
        self.assertEqual(self.data.get_pending_job_executions(
            thingName=t)["queuedJobs"], [])

    def test_scheduling_rules(self):
        self.requireMember("CreateJob", "schedulingConfig")
        (t,) = self.things(1)
        h = datetime.timedelta(hours=1)
        cases = [
            ({"startTime": "2030-01-01 10:00"}, "startTime"),
            ({"startTime": "2030-02-30T10:00"}, "startTime"),
            ({"startTime": sched_time(datetime.timedelta(minutes=10))},
             "startTime"),
            ({"startTime": sched_time(400 * 24 * h)}, "startTime"),
            ({"startTime": sched_time(2 * h), "endTime": sched_time(2 * h)},
             "endTime"),
            ({"endTime": sched_time(800 * 24 * h)}, "endTime"),
        ]
        for sched, word in cases:
            with self.subTest(sched=sched):
                self.assertInvalid(self.create, word,
                                   targets=[thing_arn(t)],
                                   schedulingConfig=sched)

    def test_destination_package_versions_limit(self):
        self.requireMember("CreateJob", "destinationPackageVersions")
        (t,) = self.things(1)
        arns = [PREFIX + "package/p/version/%d" % i for i in range(26)]
        self.assertInvalid(self.create, "destinationPackageVersions",
                           targets=[thing_arn(t)],
                           destinationPackageVersions=arns)
        job_id = self.create([thing_arn(t)],
                             destinationPackageVersions=arns[:25])
        self.assertEqual(self.job(job_id)["destinationPackageVersions"],
                         arns[:25])

    def test_describe_and_document_of_missing_job(self):
        for fn in (self.iot.describe_job, self.iot.get_job_document):
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException) as cm:
                fn(jobId="no-such-job")
            self.assertClientError(cm.exception, "ResourceNotFoundException",
                                   404)
            self.assertIn("no-such-job",
                          cm.exception.response["Error"]["Message"])


class JobProgressTest(JobTestCase):
    """Counters and completion as devices move their executions."""

    def test_snapshot_group_job_completes_when_all_terminal(self):
        a, b, c = self.things(3)
        g = self.group([a, b, c])
        job_id = self.create([group_arn(g)])
        self.assertCounts(job_id, numberOfQueuedThings=3)
        self.data.start_next_pending_job_execution(thingName=a)
        self.assertCounts(job_id, numberOfQueuedThings=2,
                          numberOfInProgressThings=1)
        self.data.update_job_execution(jobId=job_id, thingName=a,
                                       status="SUCCEEDED")
        self.data.update_job_execution(jobId=job_id, thingName=b,
                                       status="REJECTED")
        self.data.start_next_pending_job_execution(thingName=c)
        job = self.job(job_id)
        self.assertEqual(job["status"], "IN_PROGRESS")
        self.assertNotIn("completedAt", job)
        self.data.update_job_execution(jobId=job_id, thingName=c,
                                       status="FAILED")
        job = self.job(job_id)
        self.assertEqual(job["status"], "COMPLETED")
        self.assertIn("completedAt", job)
        self.assertGreaterEqual(job["lastUpdatedAt"], job["createdAt"])
        self.assertCounts(job_id, numberOfSucceededThings=1,
                          numberOfRejectedThings=1, numberOfFailedThings=1)
        listed = self.iot.list_jobs(status="COMPLETED")["jobs"]
        self.assertIn(job_id, [j["jobId"] for j in listed])

    def test_continuous_job_never_completes(self):
        (a,) = self.things(1)
        g = self.group([a])
        job_id = self.create([group_arn(g)], targetSelection="CONTINUOUS")
        self.data.start_next_pending_job_execution(thingName=a)
        self.data.update_job_execution(jobId=job_id, thingName=a,
                                       status="SUCCEEDED")
        self.assertEqual(self.job(job_id)["status"], "IN_PROGRESS")
        self.assertCounts(job_id, numberOfSucceededThings=1)

    def test_continuous_job_follows_group_membership(self):
        a, b, c = self.things(3)
        top = self.group([a])
        sub = self.group(parent=top)
        job_id = self.create([group_arn(top)], targetSelection="CONTINUOUS")
        snap_id = self.create([group_arn(top)])
        self.assertCounts(job_id, numberOfQueuedThings=1)
        self.iot.add_thing_to_thing_group(thingGroupName=top, thingName=b)
        self.iot.add_thing_to_thing_group(thingGroupName=sub, thingName=c)
        self.assertCounts(job_id, numberOfQueuedThings=3)
        for t in (b, c):
            queued = self.data.get_pending_job_executions(
                thingName=t)["queuedJobs"]
            self.assertEqual([q["jobId"] for q in queued], [job_id])
        # the SNAPSHOT job keeps its original target set
        self.assertCounts(snap_id, numberOfQueuedThings=1)
        # joining a second target group does not queue a second execution
        other = self.group()
        self.iot.associate_targets_with_job(jobId=job_id,
                                            targets=[group_arn(other)])
        self.iot.add_thing_to_thing_group(thingGroupName=other, thingName=b)
        self.assertCounts(job_id, numberOfQueuedThings=3)

    def test_canceled_continuous_job_ignores_new_members(self):
        (a, b) = self.things(2)
        g = self.group([a])
        job_id = self.create([group_arn(g)], targetSelection="CONTINUOUS")
        self.iot.cancel_job(jobId=job_id)
        self.iot.add_thing_to_thing_group(thingGroupName=g, thingName=b)
        self.assertCounts(job_id, numberOfCanceledThings=1)
        self.assertEqual(self.data.get_pending_job_executions(
            thingName=b)["queuedJobs"], [])


class CancelJobTest(JobTestCase):

    def _three_states(self):
        a, b, c = self.things(3)
        job_id = self.create([thing_arn(x) for x in (a, b, c)],
                             description="to cancel")
        self.data.start_next_pending_job_execution(thingName=a)
        self.data.start_next_pending_job_execution(thingName=c)
        self.data.update_job_execution(jobId=job_id, thingName=c,
                                       status="SUCCEEDED")
        return job_id, a, b, c

    def test_cancel_without_force_cancels_queued_only(self):
        job_id, a, b, c = self._three_states()
        before = self.exec_status(job_id, b)
        out = self.iot.cancel_job(jobId=job_id, reasonCode="BAD_BUILD_7",
                                  comment="rolled back")
        self.assertEqual((out["jobArn"], out["jobId"], out["description"]),
                         (job_arn(job_id), job_id, "to cancel"))
        job = self.job(job_id)
        self.assertEqual(job["status"], "CANCELED")
        self.assertIs(job["forceCanceled"], False)
        self.assertEqual(job["reasonCode"], "BAD_BUILD_7")
        self.assertEqual(job["comment"], "rolled back")
        self.assertNotIn("completedAt", job)
        self.assertEqual(self.exec_status(job_id, a)["status"],
                         "IN_PROGRESS")
        eb = self.exec_status(job_id, b)
        self.assertEqual(eb["status"], "CANCELED")
        self.assertEqual(eb["versionNumber"], before["versionNumber"] + 1)
        self.assertEqual(self.exec_status(job_id, c)["status"], "SUCCEEDED")
        self.assertCounts(job_id, numberOfInProgressThings=1,
                          numberOfCanceledThings=1,
                          numberOfSucceededThings=1)

    def test_cancel_again_needs_force_then_cancels_in_progress(self):
        job_id, a, b, c = self._three_states()
        self.iot.cancel_job(jobId=job_id)
        self.assertInvalid(self.iot.cancel_job, job_id, "CANCELED",
                           jobId=job_id)
        self.iot.cancel_job(jobId=job_id, force=True)
        job = self.job(job_id)
        self.assertIs(job["forceCanceled"], True)
        ea = self.exec_status(job_id, a)
        self.assertEqual(ea["status"], "CANCELED")
        self.assertIs(ea["forceCanceled"], True)
        self.assertEqual(self.exec_status(job_id, c)["status"], "SUCCEEDED")
        self.assertCounts(job_id, numberOfCanceledThings=2,
                          numberOfSucceededThings=1)
        # the device can no longer move it
        with self.assertRaises(self.data.exceptions.ClientError) as cm:
            self.data.update_job_execution(jobId=job_id, thingName=a,
                                           status="SUCCEEDED")
        self.assertEqual(
            cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)

    def test_force_cancel_at_once(self):
        job_id, a, b, c = self._three_states()
        self.iot.cancel_job(jobId=job_id, force=True)
        self.assertCounts(job_id, numberOfCanceledThings=2,
                          numberOfSucceededThings=1)
        pending = self.data.get_pending_job_executions(thingName=a)
        self.assertEqual(pending.get("inProgressJobs", []), [])
        self.assertEqual(pending.get("queuedJobs", []), [])

    def test_cancel_completed_job_invalid(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)])
        self.data.update_job_execution(jobId=job_id, thingName=a,
                                       status="REJECTED")
        self.assertEqual(self.job(job_id)["status"], "COMPLETED")
        self.assertInvalid(self.iot.cancel_job, job_id, "COMPLETED",
                           jobId=job_id)
        self.assertInvalid(self.iot.cancel_job, job_id, jobId=job_id,
                           force=True)
        self.assertEqual(self.job(job_id)["status"], "COMPLETED")

    def test_cancel_missing_job_not_found(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.cancel_job(jobId="no-such-job")


class DeleteJobTest(JobTestCase):

    def test_in_progress_needs_force(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)])
        with self.assertRaises(
                self.iot.exceptions.InvalidStateTransitionException) as cm:
            self.iot.delete_job(jobId=job_id)
        self.assertClientError(cm.exception,
                               "InvalidStateTransitionException", 409)
        self.assertIn(job_id, cm.exception.response["Error"]["Message"])
        self.assertEqual(self.job(job_id)["status"], "IN_PROGRESS")
        self.iot.delete_job(jobId=job_id, force=True)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_job(jobId=job_id)
        with self.assertRaises(
                self.data.exceptions.ResourceNotFoundException):
            self.data.describe_job_execution(jobId=job_id, thingName=a)
        self.assertEqual(self.data.get_pending_job_executions(
            thingName=a)["queuedJobs"], [])
        self.assertNotIn(job_id, [j["jobId"] for j in
                                  self.iot.list_jobs()["jobs"]])

    def test_completed_and_canceled_delete_without_force(self):
        (a,) = self.things(1)
        done = self.create([thing_arn(a)])
        self.data.update_job_execution(jobId=done, thingName=a,
                                       status="REJECTED")
        canceled = self.create([thing_arn(a)])
        self.iot.cancel_job(jobId=canceled)
        for job_id in (done, canceled):
            self.iot.delete_job(jobId=job_id)
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException):
                self.iot.get_job_document(jobId=job_id)

    def test_job_id_reusable_after_delete(self):
        a, b = self.things(2)
        job_id = self.create([thing_arn(a)], document='{"v": 1}')
        self.iot.delete_job(jobId=job_id, force=True)
        self.create([thing_arn(b)], job_id=job_id, document='{"v": 2}')
        job = self.job(job_id)
        self.assertEqual(job["targets"], [thing_arn(b)])
        self.assertCounts(job_id, numberOfQueuedThings=1)
        self.assertEqual(self.iot.get_job_document(jobId=job_id)["document"],
                         '{"v": 2}')

    def test_delete_missing_not_found(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.delete_job(jobId="no-such-job", force=True)


class UpdateJobTest(JobTestCase):

    def test_update_supported_members(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)], description="old",
                             timeoutConfig={"inProgressTimeoutInMinutes": 5},
                             namespaceId="keep")
        created = self.job(job_id)
        out = self.iot.update_job(
            jobId=job_id, description="new",
            timeoutConfig={"inProgressTimeoutInMinutes": 60},
            abortConfig={"criteriaList": [{
                "failureType": "TIMED_OUT", "action": "CANCEL",
                "thresholdPercentage": 50,
                "minNumberOfExecutedThings": 2}]})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        job = self.job(job_id)
        self.assertEqual(job["description"], "new")
        self.assertEqual(job["timeoutConfig"],
                         {"inProgressTimeoutInMinutes": 60})
        self.assertEqual(job["abortConfig"]["criteriaList"][0]
                         ["failureType"], "TIMED_OUT")
        self.assertEqual(job["namespaceId"], "keep")
        self.assertEqual(job["createdAt"], created["createdAt"])
        self.assertGreaterEqual(job["lastUpdatedAt"],
                                created["lastUpdatedAt"])

    def test_update_rules(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)])
        self.assertInvalid(self.iot.update_job, "inProgressTimeoutInMinutes",
                           jobId=job_id,
                           timeoutConfig={"inProgressTimeoutInMinutes": 0})
        self.assertNotIn("timeoutConfig", self.job(job_id))
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.update_job(jobId="no-such-job", description="x")

    def test_update_canceled_job(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)])
        self.iot.cancel_job(jobId=job_id)
        self.iot.update_job(jobId=job_id, description="post mortem")
        job = self.job(job_id)
        self.assertEqual((job["status"], job["description"]),
                         ("CANCELED", "post mortem"))


class AssociateTargetsTest(JobTestCase):

    def test_adds_groups_and_queues_new_things(self):
        a, b, c = self.things(3)
        g1 = self.group([a])
        job_id = self.create([group_arn(g1)], targetSelection="CONTINUOUS",
                             description="cont")
        g2 = self.group([a, b, c])
        out = self.iot.associate_targets_with_job(
            jobId=job_id, targets=[group_arn(g2), group_arn(g1)],
            comment="more devices")
        self.assertEqual((out["jobArn"], out["jobId"], out["description"]),
                         (job_arn(job_id), job_id, "cont"))
        job = self.job(job_id)
        self.assertEqual(job["targets"], [group_arn(g1), group_arn(g2)])
        self.assertEqual(job["comment"], "more devices")
        self.assertCounts(job_id, numberOfQueuedThings=3)
        self.assertEqual(self.exec_status(job_id, a)["versionNumber"], 1)

    def test_snapshot_or_canceled_job_invalid(self):
        (a,) = self.things(1)
        g = self.group([a])
        snap = self.create([thing_arn(a)])
        self.assertInvalid(self.iot.associate_targets_with_job, "CONTINUOUS",
                           jobId=snap, targets=[group_arn(g)])
        cont = self.create([thing_arn(a)], targetSelection="CONTINUOUS")
        self.iot.cancel_job(jobId=cont)
        self.assertInvalid(self.iot.associate_targets_with_job, "CANCELED",
                           jobId=cont, targets=[group_arn(g)])
        self.assertEqual(self.job(cont)["targets"], [thing_arn(a)])

    def test_more_than_100_targets_limit_exceeded(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)], targetSelection="CONTINUOUS")
        many = [group_arn("g%03d" % i) for i in range(100)]
        with self.assertRaises(
                self.iot.exceptions.LimitExceededException) as cm:
            self.iot.associate_targets_with_job(jobId=job_id, targets=many)
        self.assertClientError(cm.exception, "LimitExceededException", 410)
        self.assertEqual(len(self.job(job_id)["targets"]), 1)

    def test_unknown_or_foreign_targets(self):
        (a,) = self.things(1)
        job_id = self.create([thing_arn(a)], targetSelection="CONTINUOUS")
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.associate_targets_with_job(jobId=job_id,
                                                targets=[group_arn(ghost)])
        self.assertIn(ghost, cm.exception.response["Error"]["Message"])
        self.assertInvalid(self.iot.associate_targets_with_job, "s3",
                           jobId=job_id, targets=["arn:aws:s3:::b"])
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.associate_targets_with_job(jobId="no-such-job",
                                                targets=[thing_arn(a)])


class ListJobsTest(JobTestCase):
    """A daemon of its own: the listing sees only these jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iot = cls.iot
        cls.thing = unique_name("lt")
        iot.create_thing(thingName=cls.thing)
        cls.grp = unique_name("lg")
        g = iot.create_thing_group(thingGroupName=cls.grp)
        cls.grp_id = g["thingGroupId"]
        iot.add_thing_to_thing_group(thingGroupName=cls.grp,
                                     thingName=cls.thing)
        cls.ids = []
        specs = [
            ([thing_arn(cls.thing)], {}),
            ([group_arn(cls.grp)], {"targetSelection": "CONTINUOUS"}),
            ([thing_arn(cls.thing)], {"namespaceId": "ns-a"}),
            ([thing_arn(cls.thing), group_arn(cls.grp)], {}),
            ([thing_arn(cls.thing)], {"targetSelection": "CONTINUOUS",
                                      "namespaceId": "ns-a"}),
        ]
        for i, (targets, kw) in enumerate(specs):
            job_id = "list-%d-%s" % (i, unique_name("j"))
            iot.create_job(jobId=job_id, targets=targets, document="{}",
                           **kw)
            cls.ids.append(job_id)
        iot.cancel_job(jobId=cls.ids[0])

    def ids_of(self, **kw):
        return [j["jobId"] for j in self.iot.list_jobs(**kw)["jobs"]]

    def test_newest_first_with_summary_members(self):
        jobs = self.iot.list_jobs()["jobs"]
        self.assertEqual([j["jobId"] for j in jobs], self.ids[::-1])
        by_id = {j["jobId"]: j for j in jobs}
        first = by_id[self.ids[0]]
        self.assertEqual(first["jobArn"], job_arn(self.ids[0]))
        self.assertEqual(first["status"], "CANCELED")
        self.assertEqual(first["targetSelection"], "SNAPSHOT")
        self.assertIs(first["isConcurrent"], False)
        self.assertNotIn("thingGroupId", first)
        self.assertIsInstance(first["createdAt"], datetime.datetime)
        self.assertIsInstance(first["lastUpdatedAt"], datetime.datetime)
        self.assertEqual(by_id[self.ids[1]]["thingGroupId"], self.grp_id)
        self.assertEqual(by_id[self.ids[3]]["thingGroupId"], self.grp_id)

    def test_pagination(self):
        seen, token, pages = [], None, 0
        while True:
            kw = {"maxResults": 2}
            if token:
                kw["nextToken"] = token
            out = self.iot.list_jobs(**kw)
            self.assertLessEqual(len(out["jobs"]), 2)
            seen += [j["jobId"] for j in out["jobs"]]
            pages += 1
            token = out.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, self.ids[::-1])
        self.assertEqual(pages, 3)
        paged = [j["jobId"] for page in self.iot.get_paginator(
            "list_jobs").paginate(PaginationConfig={"PageSize": 3})
            for j in page["jobs"]]
        self.assertEqual(paged, self.ids[::-1])

    def test_filters(self):
        ids = self.ids
        self.assertEqual(self.ids_of(status="CANCELED"), [ids[0]])
        self.assertEqual(self.ids_of(status="IN_PROGRESS"), ids[:0:-1])
        self.assertEqual(self.ids_of(targetSelection="CONTINUOUS"),
                         [ids[4], ids[1]])
        self.assertEqual(self.ids_of(thingGroupName=self.grp),
                         [ids[3], ids[1]])
        self.assertEqual(self.ids_of(thingGroupId=self.grp_id),
                         [ids[3], ids[1]])
        self.assertEqual(self.ids_of(namespaceId="ns-a"), [ids[4], ids[2]])
        self.assertEqual(self.ids_of(namespaceId="ns-a",
                                     targetSelection="SNAPSHOT"), [ids[2]])
        self.assertEqual(self.ids_of(thingGroupName=self.grp,
                                     targetSelection="SNAPSHOT"), [ids[3]])
        self.assertEqual(self.ids_of(thingGroupName=unique_name("none")), [])
        self.assertEqual(self.ids_of(
            thingGroupId="00000000-0000-4000-8000-000000000000"), [])
        page = self.iot.list_jobs(status="IN_PROGRESS", maxResults=3)
        more = self.iot.list_jobs(status="IN_PROGRESS", maxResults=3,
                                  nextToken=page["nextToken"])
        self.assertEqual([j["jobId"] for j in page["jobs"] + more["jobs"]],
                         ids[:0:-1])
        self.assertNotIn("nextToken", more)

    def test_bad_next_token_invalid(self):
        for token in ("garbage", "J1.zzzzzzzzzzzzzzzz", "J1.0000000000000000"):
            with self.subTest(token=token):
                self.assertInvalid(self.iot.list_jobs, "nextToken",
                                   nextToken=token)


if __name__ == "__main__":
    unittest.main()
