# SPDX-License-Identifier: Apache-2.0
"""Dynamic thing groups through boto3's 'iot' client: Create, Update and
DeleteDynamicThingGroup with their errors; membership as things are
created, updated (attributes, thing type, static groups) and deleted;
what DescribeThingGroup and the listings show; the operations that refuse
a dynamic group; the group limits; SNAPSHOT and CONTINUOUS jobs targeting
one; and, last, a provisioning script as a new user would write it."""

import json
import unittest

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

ARN = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
DOC = json.dumps({"op": "update", "to": "2.0"})


def group_arn(name):
    return ARN + "thinggroup/" + name


class DynamicCase(DaemonTestCase):

    def thing(self, attrs=None, type_name=None, prefix="t"):
        name = unique_name(prefix)
        kw = {"attributePayload": {"attributes": attrs or {}}}
        if type_name:
            kw["thingTypeName"] = type_name
        self.iot.create_thing(thingName=name, **kw)
        return name

    def dynamic(self, query, **kw):
        name = unique_name("dg")
        self.iot.create_dynamic_thing_group(thingGroupName=name,
                                            queryString=query, **kw)
        return name

    def members(self, group):
        out = []
        for page in self.iot.get_paginator(
                "list_things_in_thing_group").paginate(
                thingGroupName=group):
            out += page["things"]
        return sorted(out)

    def set_attrs(self, thing, **attrs):
        self.iot.update_thing(thingName=thing, attributePayload={
            "attributes": attrs, "merge": True})

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)


class CreateTest(DynamicCase):

    def test_create_answers_and_builds_membership(self):
        tag = unique_name("fw")
        a = self.thing({"fw": tag})
        b = self.thing({"fw": tag})
        self.thing({"fw": "other"})
        name = unique_name("dg")
        out = self.iot.create_dynamic_thing_group(
            thingGroupName=name, queryString="attributes.fw:" + tag,
            thingGroupProperties={"thingGroupDescription": "on " + tag})
        self.assertEqual(out["thingGroupName"], name)
        self.assertEqual(out["thingGroupArn"], group_arn(name))
        self.assertEqual(out["queryString"], "attributes.fw:" + tag)
        self.assertEqual(out["indexName"], "AWS_Things")
        self.assertEqual(out["queryVersion"], "2017-09-30")
        self.assertEqual(self.members(name), sorted([a, b]))
        d = self.iot.describe_thing_group(thingGroupName=name)
        self.assertEqual(d["thingGroupId"], out["thingGroupId"])
        self.assertEqual((d["queryString"], d["indexName"],
                          d["queryVersion"], d["status"]),
                         ("attributes.fw:" + tag, "AWS_Things",
                          "2017-09-30", "ACTIVE"))
        self.assertEqual(d["thingGroupProperties"]["thingGroupDescription"],
                         "on " + tag)
        self.assertEqual(d["version"], 1)
        groups = self.iot.list_thing_groups_for_thing(
            thingName=a)["thingGroups"]
        self.assertEqual(groups, [{"groupName": name,
                                   "groupArn": group_arn(name)}])
        names = [g["groupName"] for g in self.iot.get_paginator(
            "list_thing_groups").paginate().build_full_result()[
            "thingGroups"]]
        self.assertIn(name, names)

    def test_static_describe_has_no_query_members(self):
        name = unique_name("sg")
        self.iot.create_thing_group(thingGroupName=name)
        d = self.iot.describe_thing_group(thingGroupName=name)
        for member in ("queryString", "indexName", "queryVersion",
                       "status"):
            self.assertNotIn(member, d)

    def test_invalid_query_says_where(self):
        name = unique_name("dg")
        with self.assertRaises(
                self.iot.exceptions.InvalidQueryException) as cm:
            self.iot.create_dynamic_thing_group(
                thingGroupName=name,
                queryString="thingName:a AND (attributes.fw > ")
        self.assertError(cm, "InvalidQueryException", 400, "queryString",
                         "at character 34")
        with self.assertRaises(
                self.iot.exceptions.InvalidQueryException) as cm:
            self.iot.create_dynamic_thing_group(
                thingGroupName=name, queryString="shadow.reported.x:1")
        self.assertError(cm, "InvalidQueryException", 400,
                         "unknown field shadow.reported.x")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing_group(thingGroupName=name)

    def test_index_and_query_version(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_dynamic_thing_group(
                thingGroupName=unique_name("dg"), queryString="thingName:a",
                indexName="AWS_ThingGroups")
        self.assertError(cm, "ResourceNotFoundException", 404,
                         "AWS_ThingGroups")
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_dynamic_thing_group(
                thingGroupName=unique_name("dg"), queryString="thingName:a",
                queryVersion="2030-01-01")
        self.assertError(cm, "InvalidRequestException", 400, "queryVersion")
        self.dynamic("thingName:a", indexName="AWS_Things",
                     queryVersion="2017-09-30")

    def test_create_again_identically_succeeds_differently_conflicts(self):
        name = unique_name("dg")
        a = self.iot.create_dynamic_thing_group(thingGroupName=name,
                                                queryString="thingName:a*")
        b = self.iot.create_dynamic_thing_group(thingGroupName=name,
                                                queryString="thingName:a*")
        self.assertEqual(a["thingGroupId"], b["thingGroupId"])
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.iot.create_dynamic_thing_group(thingGroupName=name,
                                                queryString="thingName:b*")
        self.assertError(cm, "ResourceAlreadyExistsException", 409, name)
        self.assertEqual(cm.exception.response.get("resourceId"),
                         a["thingGroupId"])
        static = unique_name("sg")
        self.iot.create_thing_group(thingGroupName=static)
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException):
            self.iot.create_dynamic_thing_group(thingGroupName=static,
                                                queryString="thingName:a*")
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException):
            self.iot.create_thing_group(thingGroupName=name)


class MembershipTest(DynamicCase):

    def test_follows_creates_updates_and_deletes(self):
        tag = unique_name("v")
        g = self.dynamic("attributes.fw:%s AND attributes.ok:yes" % tag)
        a = self.thing({"fw": tag, "ok": "yes"})
        b = self.thing({"fw": tag})
        self.assertEqual(self.members(g), [a])
        self.set_attrs(b, ok="yes")
        self.assertEqual(self.members(g), sorted([a, b]))
        self.set_attrs(a, ok="no")
        self.assertEqual(self.members(g), [b])
        self.iot.delete_thing(thingName=b)
        self.assertEqual(self.members(g), [])
        # An update that changes nothing the query reads changes nothing.
        self.set_attrs(a, ok="yes")
        self.set_attrs(a, other="1")
        self.assertEqual(self.members(g), [a])

    def test_numeric_ranges_wildcards_and_not(self):
        tag = unique_name("n")
        g = self.dynamic("thingName:%s* AND attributes.fw > 2 AND NOT "
                         "attributes.site:lab?" % tag)
        ok = self.thing({"fw": "2.5", "site": "field"}, prefix=tag)
        self.thing({"fw": "10", "site": "lab1"}, prefix=tag)
        self.thing({"fw": "1.9"}, prefix=tag)
        self.thing({"fw": "abc"}, prefix=tag)
        self.thing({"fw": "3"})
        self.assertEqual(self.members(g), [ok])

    def test_thing_type_changes(self):
        tt = unique_name("tt")
        self.iot.create_thing_type(thingTypeName=tt)
        g = self.dynamic("thingTypeName:" + tt)
        a = self.thing(type_name=tt)
        b = self.thing()
        self.assertEqual(self.members(g), [a])
        self.iot.update_thing(thingName=b, thingTypeName=tt)
        self.assertEqual(self.members(g), sorted([a, b]))
        self.iot.update_thing(thingName=a, removeThingType=True)
        self.assertEqual(self.members(g), [b])

    def test_thing_group_names_follow_static_membership(self):
        static = unique_name("sg")
        self.iot.create_thing_group(thingGroupName=static)
        g = self.dynamic("thingGroupNames:%s" % static)
        a, b = self.thing(), self.thing()
        self.iot.add_thing_to_thing_group(thingGroupName=static, thingName=a)
        self.assertEqual(self.members(g), [a])
        self.iot.update_thing_groups_for_thing(thingName=b,
                                               thingGroupsToAdd=[static])
        self.assertEqual(self.members(g), sorted([a, b]))
        self.iot.remove_thing_from_thing_group(thingGroupName=static,
                                               thingName=a)
        self.assertEqual(self.members(g), [b])
        self.iot.delete_thing_group(thingGroupName=static)
        self.assertEqual(self.members(g), [])

    def test_ten_groups_at_most(self):
        t = self.thing({"k": "v"})
        statics = []
        for _ in range(10):
            s = unique_name("sg")
            self.iot.create_thing_group(thingGroupName=s)
            self.iot.add_thing_to_thing_group(thingGroupName=s, thingName=t)
            statics.append(s)
        g = self.dynamic("thingName:" + t)
        # At ten groups the thing stays out of the dynamic group.
        self.assertEqual(self.members(g), [])
        self.iot.remove_thing_from_thing_group(thingGroupName=statics[0],
                                               thingName=t)
        self.set_attrs(t, k="w")
        self.assertEqual(self.members(g), [t])

    def test_override_dynamic_groups(self):
        t = self.thing()
        for _ in range(9):
            s = unique_name("sg")
            self.iot.create_thing_group(thingGroupName=s)
            self.iot.add_thing_to_thing_group(thingGroupName=s, thingName=t)
        g = self.dynamic("thingName:" + t)
        self.assertEqual(self.members(g), [t])
        tenth = unique_name("sg")
        self.iot.create_thing_group(thingGroupName=tenth)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.add_thing_to_thing_group(thingGroupName=tenth,
                                              thingName=t)
        self.assertError(cm, "InvalidRequestException", 400, "10")
        self.iot.add_thing_to_thing_group(thingGroupName=tenth, thingName=t,
                                          overrideDynamicGroups=True)
        self.assertEqual(self.members(g), [])
        self.assertEqual(self.members(tenth), [t])

    def test_update_query_rebuilds_membership(self):
        tag = unique_name("q")
        a = self.thing({"fw": "1"}, prefix=tag)
        b = self.thing({"fw": "2"}, prefix=tag)
        g = self.dynamic("thingName:%s* AND attributes.fw:1" % tag)
        self.assertEqual(self.members(g), [a])
        out = self.iot.update_dynamic_thing_group(
            thingGroupName=g, queryString="thingName:%s* AND attributes.fw:2"
            % tag, thingGroupProperties={"thingGroupDescription": "two"})
        self.assertEqual(out["version"], 2)
        self.assertEqual(self.members(g), [b])
        d = self.iot.describe_thing_group(thingGroupName=g)
        self.assertEqual(d["queryString"],
                         "thingName:%s* AND attributes.fw:2" % tag)
        self.assertEqual(d["thingGroupProperties"]["thingGroupDescription"],
                         "two")
        # Properties alone keep the members and the query.
        out = self.iot.update_dynamic_thing_group(
            thingGroupName=g, expectedVersion=2,
            thingGroupProperties={"attributePayload": {
                "attributes": {"owner": "ops"}}})
        self.assertEqual(out["version"], 3)
        self.assertEqual(self.members(g), [b])


class RefusalsTest(DynamicCase):

    def test_update_errors(self):
        g = self.dynamic("thingName:x")
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException) as cm:
            self.iot.update_dynamic_thing_group(
                thingGroupName=g, expectedVersion=7,
                thingGroupProperties={})
        self.assertError(cm, "VersionConflictException", 409, "7")
        with self.assertRaises(
                self.iot.exceptions.InvalidQueryException):
            self.iot.update_dynamic_thing_group(
                thingGroupName=g, queryString="(", thingGroupProperties={})
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.update_dynamic_thing_group(
                thingGroupName=unique_name("none"), thingGroupProperties={})
        self.assertEqual(self.iot.describe_thing_group(
            thingGroupName=g)["version"], 1)

    def test_static_and_dynamic_operations_refuse_each_other(self):
        g = self.dynamic("thingName:x")
        s = unique_name("sg")
        self.iot.create_thing_group(thingGroupName=s)
        t = self.thing()
        cases = [
            lambda: self.iot.add_thing_to_thing_group(thingGroupName=g,
                                                      thingName=t),
            lambda: self.iot.remove_thing_from_thing_group(
                thingGroupName=g, thingName=t),
            lambda: self.iot.update_thing_groups_for_thing(
                thingName=t, thingGroupsToAdd=[g]),
            lambda: self.iot.update_thing_groups_for_thing(
                thingName=t, thingGroupsToRemove=[g]),
            lambda: self.iot.create_thing_group(
                thingGroupName=unique_name("c"), parentGroupName=g),
            lambda: self.iot.update_thing_group(
                thingGroupName=g, thingGroupProperties={}),
            lambda: self.iot.delete_thing_group(thingGroupName=g),
            lambda: self.iot.update_dynamic_thing_group(
                thingGroupName=s, thingGroupProperties={}),
            lambda: self.iot.delete_dynamic_thing_group(thingGroupName=s),
        ]
        for fn in cases:
            with self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                fn()
            self.assertClientError(cm.exception, "InvalidRequestException",
                                   400)
        self.iot.describe_thing_group(thingGroupName=g)
        self.iot.describe_thing_group(thingGroupName=s)

    def test_delete(self):
        t = self.thing()
        g = self.dynamic("thingName:" + t)
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException):
            self.iot.delete_dynamic_thing_group(thingGroupName=g,
                                                expectedVersion=5)
        self.iot.delete_dynamic_thing_group(thingGroupName=g,
                                            expectedVersion=1)
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing_group(thingGroupName=g)
        self.assertEqual(self.iot.list_thing_groups_for_thing(
            thingName=t)["thingGroups"], [])
        # Deleting what is not there succeeds (the model lists no 404).
        self.iot.delete_dynamic_thing_group(thingGroupName=g)


class LimitTest(DynamicCase):

    def test_one_hundred_dynamic_groups(self):
        for i in range(100):
            self.iot.create_dynamic_thing_group(
                thingGroupName="many-%03d" % i, queryString="thingName:x")
        with self.assertRaises(
                self.iot.exceptions.LimitExceededException) as cm:
            self.iot.create_dynamic_thing_group(
                thingGroupName="many-100", queryString="thingName:x")
        self.assertError(cm, "LimitExceededException", 410, "100")
        # Static groups are not counted.
        self.iot.create_thing_group(thingGroupName="many-static")


class JobsTest(DynamicCase):

    def pending(self, thing):
        p = self.data.get_pending_job_executions(thingName=thing)
        return [j["jobId"] for j in p["queuedJobs"] + p["inProgressJobs"]]

    def status(self, thing, job):
        return self.data.describe_job_execution(
            thingName=thing, jobId=job)["execution"]["status"]

    def test_snapshot_job_targets_the_members(self):
        tag = unique_name("s")
        a = self.thing({"fw": tag})
        self.thing({"fw": "no"})
        g = self.dynamic("attributes.fw:" + tag)
        job = unique_name("job")
        self.iot.create_job(jobId=job, targets=[group_arn(g)], document=DOC)
        self.assertEqual(self.pending(a), [job])
        # A SNAPSHOT job does not follow later members.
        b = self.thing({"fw": tag})
        self.assertEqual(self.pending(b), [])
        d = self.iot.describe_job(jobId=job)["job"]
        self.assertEqual(d["jobProcessDetails"]["numberOfQueuedThings"], 1)

    def test_continuous_job_follows_the_group(self):
        tag = unique_name("c")
        a = self.thing({"fw": "1.0", "site": tag})
        g = self.dynamic("attributes.site:%s AND attributes.fw:1.0" % tag)
        job = unique_name("job")
        self.iot.create_job(jobId=job, targets=[group_arn(g)], document=DOC,
                            targetSelection="CONTINUOUS")
        self.assertEqual(self.pending(a), [job])
        # A new thing that matches gets the job.
        b = self.thing({"fw": "1.0", "site": tag})
        self.assertEqual(self.pending(b), [job])
        # One whose update makes it match gets it too.
        c = self.thing({"fw": "0.9", "site": tag})
        self.assertEqual(self.pending(c), [])
        self.set_attrs(c, fw="1.0")
        self.assertEqual(self.pending(c), [job])
        # One that stops matching: its pending execution is REMOVED.
        self.set_attrs(a, fw="2.0")
        self.assertEqual(self.status(a, job), "REMOVED")
        self.assertEqual(self.pending(a), [])
        # Matching again: a new execution (executionNumber 2).
        self.set_attrs(a, fw="1.0")
        d = self.data.describe_job_execution(thingName=a, jobId=job)
        self.assertEqual((d["execution"]["status"],
                          d["execution"]["executionNumber"]), ("QUEUED", 2))
        # A thing that finished keeps its SUCCEEDED execution.
        self.data.update_job_execution(thingName=b, jobId=job,
                                       status="SUCCEEDED")
        self.set_attrs(b, fw="2.0")
        self.assertEqual(self.status(b, job), "SUCCEEDED")
        details = self.iot.describe_job(jobId=job)["job"][
            "jobProcessDetails"]
        self.assertEqual((details["numberOfQueuedThings"],
                          details["numberOfSucceededThings"],
                          details["numberOfRemovedThings"]), (2, 1, 1))

    def test_deleting_the_group_removes_pending_executions(self):
        a = self.thing({"k": "v"})
        g = self.dynamic("thingName:" + a)
        job = unique_name("job")
        self.iot.create_job(jobId=job, targets=[group_arn(g)], document=DOC,
                            targetSelection="CONTINUOUS")
        self.iot.delete_dynamic_thing_group(thingGroupName=g)
        self.assertEqual(self.status(a, job), "REMOVED")

    def test_changing_the_query_moves_the_job(self):
        tag = unique_name("m")
        a = self.thing({"ring": "1"}, prefix=tag)
        b = self.thing({"ring": "2"}, prefix=tag)
        g = self.dynamic("thingName:%s* AND attributes.ring:1" % tag)
        job = unique_name("job")
        self.iot.create_job(jobId=job, targets=[group_arn(g)], document=DOC,
                            targetSelection="CONTINUOUS")
        self.iot.update_dynamic_thing_group(
            thingGroupName=g, thingGroupProperties={},
            queryString="thingName:%s* AND attributes.ring:[1 TO 2]" % tag)
        self.assertEqual(self.pending(b), [job])
        self.iot.update_dynamic_thing_group(
            thingGroupName=g, thingGroupProperties={},
            queryString="thingName:%s* AND attributes.ring:2" % tag)
        self.assertEqual(self.status(a, job), "REMOVED")
        self.assertEqual(self.pending(b), [job])


class ProvisioningScriptTest(DaemonTestCase):
    """Issue 15's "done when": a provisioning script that creates thing
    types, tags its resources and targets a CONTINUOUS job at a dynamic
    thing group, unchanged against iotjobs; the job follows the fleet as
    its attributes change."""

    def test_provisioning_script(self):
        iot, data = self.iot, self.data
        tags = [{"Key": "owner", "Value": "fleet-team"},
                {"Key": "cost-center", "Value": "1234"}]
        iot.create_thing_type(
            thingTypeName="sensor",
            thingTypeProperties={"thingTypeDescription": "field sensors",
                                 "searchableAttributes": ["firmware"]},
            tags=tags)
        iot.create_thing_group(thingGroupName="berlin", tags=tags)
        fleet = ["sensor-%02d" % i for i in range(6)]
        for i, name in enumerate(fleet):
            iot.create_thing(thingName=name, thingTypeName="sensor",
                             attributePayload={"attributes": {
                                 "firmware": "1.0" if i < 4 else "2.0",
                                 "site": "berlin"}})
            iot.add_thing_to_thing_group(thingGroupName="berlin",
                                         thingName=name)
        group = iot.create_dynamic_thing_group(
            thingGroupName="sensors-on-1-0",
            queryString="thingTypeName:sensor AND attributes.firmware:1.0"
                        " AND thingGroupNames:berlin",
            tags=tags)
        job = iot.create_job(
            jobId="firmware-2-0", targets=[group["thingGroupArn"]],
            document=DOC, targetSelection="CONTINUOUS", tags=tags)
        for arn in (job["jobArn"], group["thingGroupArn"],
                    ARN + "thingtype/sensor", ARN + "thinggroup/berlin"):
            got = iot.list_tags_for_resource(resourceArn=arn)["tags"]
            self.assertEqual(sorted(t["Key"] for t in got),
                             ["cost-center", "owner"], arn)

        def queued():
            return sorted(n for n in fleet if data.get_pending_job_executions(
                thingName=n)["queuedJobs"])
        self.assertEqual(queued(), fleet[:4])
        # A device updates and reports; its record moves to 2.0.
        data.update_job_execution(thingName=fleet[0], jobId="firmware-2-0",
                                  status="SUCCEEDED")
        iot.update_thing(thingName=fleet[0], attributePayload={
            "attributes": {"firmware": "2.0"}, "merge": True})
        # An operator rolls one device back: the job follows it.
        iot.update_thing(thingName=fleet[5], attributePayload={
            "attributes": {"firmware": "1.0"}, "merge": True})
        # One device is taken out of service before it updated.
        iot.update_thing(thingName=fleet[1], attributePayload={
            "attributes": {"firmware": "retired"}, "merge": True})
        self.assertEqual(queued(), [fleet[2], fleet[3], fleet[5]])
        self.assertEqual(data.describe_job_execution(
            thingName=fleet[1], jobId="firmware-2-0")["execution"]["status"],
            "REMOVED")
        self.assertEqual(sorted(iot.list_things_in_thing_group(
            thingGroupName="sensors-on-1-0")["things"]),
            [fleet[2], fleet[3], fleet[5]])
        d = iot.describe_job(jobId="firmware-2-0")["job"]
        self.assertEqual(d["status"], "IN_PROGRESS")
        self.assertEqual((d["jobProcessDetails"]["numberOfQueuedThings"],
                          d["jobProcessDetails"]["numberOfSucceededThings"],
                          d["jobProcessDetails"]["numberOfRemovedThings"]),
                         (3, 1, 1))


if __name__ == "__main__":
    unittest.main()
