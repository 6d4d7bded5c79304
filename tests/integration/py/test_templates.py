# SPDX-License-Identifier: Apache-2.0
"""Job templates through boto3's 'iot' client (WIRE.md 11.4):
CreateJobTemplate (from a document or a job), DescribeJobTemplate,
ListJobTemplates, DeleteJobTemplate, ListManagedJobTemplates,
DescribeManagedJobTemplate, and CreateJob from a custom or AWS-managed
template, down to the document a device gets. Runs under both boto3
versions."""

import datetime
import json
import unittest

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

PREFIX = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
MANAGED = "arn:aws:iot:%s::jobtemplate/" % REGION

ROLLOUT = {"maximumPerMinute": 40}
ABORT = {"criteriaList": [{
    "failureType": "FAILED", "action": "CANCEL",
    "thresholdPercentage": 20.5, "minNumberOfExecutedThings": 2}]}
TIMEOUT = {"inProgressTimeoutInMinutes": 15}
RETRY = {"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 2}]}
PRESIGNED = {"roleArn": "arn:aws:iam::123456789012:role/JobRole",
             "expiresInSec": 900}


def template_arn(tid):
    return PREFIX + "jobtemplate/" + tid


class TemplateTestCase(DaemonTestCase):

    def assertError(self, fn, code, status, *words, **kw):
        with self.assertRaises(getattr(self.iot.exceptions, code)) as cm:
            fn(**kw)
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)
        return msg

    def thing(self):
        name = unique_name("th")
        self.iot.create_thing(thingName=name)
        return name

    def template(self, **kw):
        tid = unique_name("tpl")
        kw.setdefault("description", "a template")
        if "jobArn" not in kw:
            kw.setdefault("document", '{"op": "update"}')
        self.iot.create_job_template(jobTemplateId=tid, **kw)
        return tid

    def device_document(self, thing, job_id):
        e = self.data.describe_job_execution(thingName=thing, jobId=job_id)
        return json.loads(e["execution"]["jobDocument"])


class CustomTemplateTest(TemplateTestCase):

    def test_create_returns_arn_and_id(self):
        tid = unique_name("tpl")
        out = self.iot.create_job_template(
            jobTemplateId=tid, description="d", document='{"a": 1}')
        self.assertEqual(out["jobTemplateArn"], template_arn(tid))
        self.assertEqual(out["jobTemplateId"], tid)

    def test_describe_returns_every_member(self):
        tid = self.template(
            description="firmware", document='{"fw": "2.0"}',
            presignedUrlConfig=PRESIGNED,
            jobExecutionsRolloutConfig=ROLLOUT, abortConfig=ABORT,
            timeoutConfig=TIMEOUT, jobExecutionsRetryConfig=RETRY)
        t = self.iot.describe_job_template(jobTemplateId=tid)
        self.assertEqual(t["jobTemplateArn"], template_arn(tid))
        self.assertEqual(t["jobTemplateId"], tid)
        self.assertEqual(t["description"], "firmware")
        self.assertEqual(json.loads(t["document"]), {"fw": "2.0"})
        self.assertIsInstance(t["createdAt"], datetime.datetime)
        self.assertEqual(t["presignedUrlConfig"], PRESIGNED)
        self.assertEqual(t["jobExecutionsRolloutConfig"], ROLLOUT)
        self.assertEqual(t["abortConfig"], ABORT)
        self.assertEqual(t["timeoutConfig"], TIMEOUT)
        self.assertEqual(t["jobExecutionsRetryConfig"], RETRY)
        self.assertNotIn("documentSource", t)

    def test_duplicate_id_is_conflict(self):
        tid = self.template()
        self.assertError(self.iot.create_job_template, "ConflictException",
                         409, tid, jobTemplateId=tid, description="again",
                         document='{"a": 2}')

    def test_document_or_job_required(self):
        self.assertError(self.iot.create_job_template,
                         "InvalidRequestException", 400, "document",
                         "jobArn", jobTemplateId=unique_name("tpl"),
                         description="none")

    def test_document_must_be_json_object(self):
        self.assertError(self.iot.create_job_template,
                         "InvalidRequestException", 400, "document",
                         jobTemplateId=unique_name("tpl"), description="x",
                         document="[1, 2]")

    def test_document_source_unsupported(self):
        self.assertError(self.iot.create_job_template,
                         "InvalidRequestException", 400, "documentSource",
                         jobTemplateId=unique_name("tpl"), description="x",
                         documentSource="https://s3.amazonaws.com/b/k")

    def test_description_required_by_the_model(self):
        # The client refuses before sending; the server checks it too.
        r = self.daemon.signed_request(
            "PUT", "/job-templates/" + unique_name("tpl"),
            body=json.dumps({"document": "{}"}).encode(), service="iot")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.error_type, "InvalidRequestException")

    def test_bad_rollout_rejected(self):
        self.assertError(self.iot.create_job_template,
                         "InvalidRequestException", 400, "maximumPerMinute",
                         jobTemplateId=unique_name("tpl"), description="x",
                         document="{}",
                         jobExecutionsRolloutConfig={
                             "maximumPerMinute": 5000})

    def test_describe_missing_is_not_found(self):
        tid = unique_name("none")
        self.assertError(self.iot.describe_job_template,
                         "ResourceNotFoundException", 404, tid,
                         jobTemplateId=tid)

    def test_delete_then_gone_then_not_found(self):
        tid = self.template()
        self.iot.delete_job_template(jobTemplateId=tid)
        self.assertError(self.iot.describe_job_template,
                         "ResourceNotFoundException", 404,
                         jobTemplateId=tid)
        self.assertError(self.iot.delete_job_template,
                         "ResourceNotFoundException", 404, tid,
                         jobTemplateId=tid)
        # the id is free again
        self.iot.create_job_template(jobTemplateId=tid, description="new",
                                     document="{}")
        self.assertEqual(self.iot.describe_job_template(
            jobTemplateId=tid)["description"], "new")

    def test_list_pages_in_creation_order(self):
        before = {t["jobTemplateId"] for t in
                  self.iot.list_job_templates()["jobTemplates"]}
        ids = [self.template(description="d%d" % i) for i in range(5)]
        seen, token, pages = [], None, 0
        while True:
            kw = {"nextToken": token} if token else {}
            out = self.iot.list_job_templates(maxResults=2, **kw)
            self.assertLessEqual(len(out["jobTemplates"]), 2)
            seen.extend(out["jobTemplates"])
            pages += 1
            token = out.get("nextToken")
            if not token:
                break
        mine = [t for t in seen if t["jobTemplateId"] not in before]
        self.assertEqual([t["jobTemplateId"] for t in mine], ids)
        self.assertGreaterEqual(pages, 3)
        first = mine[0]
        self.assertEqual(first["jobTemplateArn"], template_arn(ids[0]))
        self.assertEqual(first["description"], "d0")
        self.assertIsInstance(first["createdAt"], datetime.datetime)

    def test_list_paginator_and_bad_token(self):
        self.template()
        pages = self.iot.get_paginator("list_job_templates").paginate(
            PaginationConfig={"PageSize": 1})
        self.assertGreaterEqual(
            sum(len(p["jobTemplates"]) for p in pages), 1)
        self.assertError(self.iot.list_job_templates,
                         "InvalidRequestException", 400, "nextToken",
                         nextToken="bogus")

    def test_from_job_copies_document_and_configuration(self):
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            document='{"from": "job"}',
                            timeoutConfig=TIMEOUT, abortConfig=ABORT)
        tid = self.template(jobArn=PREFIX + "job/" + job_id,
                            jobExecutionsRolloutConfig=ROLLOUT)
        t = self.iot.describe_job_template(jobTemplateId=tid)
        self.assertEqual(json.loads(t["document"]), {"from": "job"})
        self.assertEqual(t["timeoutConfig"], TIMEOUT)
        self.assertEqual(t["abortConfig"], ABORT)
        self.assertEqual(t["jobExecutionsRolloutConfig"], ROLLOUT)

    def test_from_missing_job_is_not_found(self):
        job_id = unique_name("nojob")
        self.assertError(self.iot.create_job_template,
                         "ResourceNotFoundException", 404, job_id,
                         jobTemplateId=unique_name("tpl"), description="x",
                         jobArn=PREFIX + "job/" + job_id)

    def test_from_job_and_document_is_invalid(self):
        self.assertError(self.iot.create_job_template,
                         "InvalidRequestException", 400, "jobArn",
                         jobTemplateId=unique_name("tpl"), description="x",
                         document="{}", jobArn=PREFIX + "job/x")


class CreateJobFromTemplateTest(TemplateTestCase):

    def test_job_inherits_document_and_configuration(self):
        tid = self.template(description="tpl desc",
                            document='{"op": "tpl"}',
                            jobExecutionsRolloutConfig=ROLLOUT,
                            timeoutConfig=TIMEOUT, abortConfig=ABORT)
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=template_arn(tid))
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["jobTemplateArn"], template_arn(tid))
        self.assertEqual(job["jobExecutionsRolloutConfig"], ROLLOUT)
        self.assertEqual(job["timeoutConfig"], TIMEOUT)
        self.assertEqual(job["abortConfig"], ABORT)
        self.assertEqual(job["description"], "tpl desc")
        doc = self.iot.get_job_document(jobId=job_id)["document"]
        self.assertEqual(json.loads(doc), {"op": "tpl"})
        self.assertEqual(self.device_document(th, job_id), {"op": "tpl"})

    def test_explicit_members_override_template(self):
        tid = self.template(document='{"op": "tpl"}',
                            timeoutConfig=TIMEOUT,
                            jobExecutionsRolloutConfig=ROLLOUT)
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=template_arn(tid),
                            document='{"op": "mine"}', description="mine",
                            timeoutConfig={"inProgressTimeoutInMinutes": 99})
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["timeoutConfig"],
                         {"inProgressTimeoutInMinutes": 99})
        self.assertEqual(job["jobExecutionsRolloutConfig"], ROLLOUT)
        self.assertEqual(job["description"], "mine")
        self.assertEqual(self.device_document(th, job_id), {"op": "mine"})

    def test_missing_template_is_not_found(self):
        th = self.thing()
        arn = template_arn(unique_name("none"))
        self.assertError(self.iot.create_job, "ResourceNotFoundException",
                         404, arn, jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th],
                         jobTemplateArn=arn)

    def test_deleting_a_used_template_keeps_the_job(self):
        tid = self.template(document='{"keep": true}')
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=template_arn(tid))
        self.iot.delete_job_template(jobTemplateId=tid)
        self.assertEqual(self.device_document(th, job_id), {"keep": True})

    def test_document_parameters_need_a_managed_template(self):
        th = self.thing()
        tid = self.template()
        self.assertError(self.iot.create_job, "InvalidRequestException",
                         400, "documentParameters",
                         jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th],
                         jobTemplateArn=template_arn(tid),
                         documentParameters={"a": "b"})
        self.assertError(self.iot.create_job, "InvalidRequestException",
                         400, "documentParameters",
                         jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th], document="{}",
                         documentParameters={"a": "b"})

    def test_foreign_template_arn_is_invalid(self):
        th = self.thing()
        self.assertError(self.iot.create_job, "InvalidRequestException",
                         400, "jobTemplateArn",
                         jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th],
                         jobTemplateArn="arn:aws:iot:eu-west-9:"
                         "123456789012:jobtemplate/x")


class ManagedTemplateTest(TemplateTestCase):

    def test_list_has_common_operations(self):
        out = self.iot.list_managed_job_templates()
        names = {t["templateName"]: t for t in out["managedJobTemplates"]}
        for n in ("AWS-Reboot", "AWS-Download-File", "AWS-Run-Command",
                  "AWS-Install-Application", "AWS-Remove-Application",
                  "AWS-Start-Application", "AWS-Stop-Application",
                  "AWS-Restart-Application"):
            self.assertIn(n, names)
        r = names["AWS-Reboot"]
        self.assertEqual(r["templateArn"], MANAGED + "AWS-Reboot:1.0")
        self.assertEqual(r["templateVersion"], "1.0")
        self.assertEqual(r["environments"], ["LINUX"])
        self.assertTrue(r["description"])

    def test_list_by_name_and_pages(self):
        out = self.iot.list_managed_job_templates(templateName="AWS-Reboot")
        self.assertEqual([t["templateName"] for t in
                          out["managedJobTemplates"]], ["AWS-Reboot"])
        first = self.iot.list_managed_job_templates(maxResults=3)
        self.assertEqual(len(first["managedJobTemplates"]), 3)
        rest = self.iot.list_managed_job_templates(
            nextToken=first["nextToken"])
        names = [t["templateName"] for t in
                 first["managedJobTemplates"] + rest["managedJobTemplates"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertNotIn("nextToken", rest)
        self.assertError(self.iot.list_managed_job_templates,
                         "ResourceNotFoundException", 404, "AWS-Nothing",
                         templateName="AWS-Nothing")

    def test_describe_download_file(self):
        t = self.iot.describe_managed_job_template(
            templateName="AWS-Download-File")
        self.assertEqual(t["templateArn"], MANAGED + "AWS-Download-File:1.0")
        self.assertEqual(t["templateVersion"], "1.0")
        keys = {p["key"]: p for p in t["documentParameters"]}
        self.assertEqual(set(keys), {"downloadUrl", "filePath"})
        for p in keys.values():
            self.assertIs(p["optional"], False)
            self.assertTrue(p["regex"] and p["example"] and
                            p["description"])
        doc = t["document"]
        self.assertIn("${aws:iot:parameter:downloadUrl}", doc)
        json.loads(doc)

    def test_describe_version_and_missing(self):
        t = self.iot.describe_managed_job_template(
            templateName="AWS-Reboot", templateVersion="1.0")
        self.assertEqual(t["documentParameters"], [])
        self.assertError(self.iot.describe_managed_job_template,
                         "ResourceNotFoundException", 404, "AWS-Reboot",
                         templateName="AWS-Reboot", templateVersion="9.9")
        self.assertError(self.iot.describe_managed_job_template,
                         "ResourceNotFoundException", 404, "AWS-None",
                         templateName="AWS-None")

    def test_reboot_job(self):
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=MANAGED + "AWS-Reboot:1.0")
        doc = self.device_document(th, job_id)
        self.assertEqual(doc["steps"][0]["action"]["input"]["handler"],
                         "reboot.sh")

    def test_download_file_job_substitutes_parameters(self):
        th = self.thing()
        job_id = unique_name("job")
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=MANAGED + "AWS-Download-File:1.0",
                            documentParameters={
                                "downloadUrl": "https://example.com/a.bin",
                                "filePath": "/tmp/a.bin"})
        doc = self.device_document(th, job_id)
        self.assertEqual(doc["steps"][0]["action"]["input"]["args"],
                         ["https://example.com/a.bin", "/tmp/a.bin"])
        self.assertNotIn("${aws:iot:parameter", json.dumps(doc))
        job = self.iot.describe_job(jobId=job_id)["job"]
        self.assertEqual(job["documentParameters"]["filePath"],
                         "/tmp/a.bin")
        self.assertEqual(job["jobTemplateArn"],
                         MANAGED + "AWS-Download-File:1.0")

    def test_run_command_value_with_quotes_stays_json(self):
        th = self.thing()
        job_id = unique_name("job")
        cmd = 'echo,"hello",\\ world'
        self.iot.create_job(jobId=job_id, targets=[PREFIX + "thing/" + th],
                            jobTemplateArn=MANAGED + "AWS-Run-Command:1.0",
                            documentParameters={"command": cmd})
        doc = self.device_document(th, job_id)
        self.assertEqual(doc["steps"][0]["action"]["input"]["command"], cmd)

    def test_missing_required_parameters_named(self):
        th = self.thing()
        msg = self.assertError(
            self.iot.create_job, "InvalidRequestException", 400,
            "filePath", jobId=unique_name("job"),
            targets=[PREFIX + "thing/" + th],
            jobTemplateArn=MANAGED + "AWS-Download-File:1.0",
            documentParameters={"downloadUrl": "https://example.com/x"})
        self.assertNotIn("downloadUrl", msg)
        self.assertError(
            self.iot.create_job, "InvalidRequestException", 400,
            "downloadUrl", "filePath", jobId=unique_name("job"),
            targets=[PREFIX + "thing/" + th],
            jobTemplateArn=MANAGED + "AWS-Download-File:1.0")

    def test_unknown_or_malformed_parameters(self):
        th = self.thing()
        self.assertError(
            self.iot.create_job, "InvalidRequestException", 400, "bogus",
            jobId=unique_name("job"), targets=[PREFIX + "thing/" + th],
            jobTemplateArn=MANAGED + "AWS-Reboot:1.0",
            documentParameters={"bogus": "1"})
        self.assertError(
            self.iot.create_job, "InvalidRequestException", 400,
            "downloadUrl", jobId=unique_name("job"),
            targets=[PREFIX + "thing/" + th],
            jobTemplateArn=MANAGED + "AWS-Download-File:1.0",
            documentParameters={"downloadUrl": "not a url",
                                "filePath": "/tmp/x"})

    def test_unknown_managed_version_is_not_found(self):
        th = self.thing()
        self.assertError(self.iot.create_job, "ResourceNotFoundException",
                         404, "AWS-Reboot:7.0", jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th],
                         jobTemplateArn=MANAGED + "AWS-Reboot:7.0")

    def test_document_with_managed_template_is_invalid(self):
        th = self.thing()
        self.assertError(self.iot.create_job, "InvalidRequestException",
                         400, "document", jobId=unique_name("job"),
                         targets=[PREFIX + "thing/" + th], document="{}",
                         jobTemplateArn=MANAGED + "AWS-Reboot:1.0")


if __name__ == "__main__":
    unittest.main()
