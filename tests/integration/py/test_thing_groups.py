# SPDX-License-Identifier: Apache-2.0
"""Static thing groups and membership through boto3's 'iot' client
(WIRE.md 11.2): hierarchy, versions, listings, Add/Remove, limits."""

import unittest
import uuid

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name


def group_arn(name):
    return "arn:aws:iot:%s:%s:thinggroup/%s" % (REGION, ACCOUNT_ID, name)


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


def ref(name):
    return {"groupName": name, "groupArn": group_arn(name)}


class GroupLifecycleTest(DaemonTestCase):

    def test_create_returns_ids_and_repeat_is_idempotent(self):
        name = unique_name("g")
        props = {"thingGroupDescription": "first floor",
                 "attributePayload": {"attributes": {"site": "A"}}}
        a = self.iot.create_thing_group(thingGroupName=name,
                                        thingGroupProperties=props)
        self.assertEqual(a["thingGroupName"], name)
        self.assertEqual(a["thingGroupArn"], group_arn(name))
        uuid.UUID(a["thingGroupId"])
        b = self.iot.create_thing_group(thingGroupName=name,
                                        thingGroupProperties=props)
        self.assertEqual(b["thingGroupId"], a["thingGroupId"])

    def test_create_same_name_different_properties_conflicts(self):
        name = unique_name("g")
        a = self.iot.create_thing_group(
            thingGroupName=name,
            thingGroupProperties={"thingGroupDescription": "one"})
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.iot.create_thing_group(
                thingGroupName=name,
                thingGroupProperties={"thingGroupDescription": "two"})
        self.assertClientError(cm.exception,
                               "ResourceAlreadyExistsException", 409)
        self.assertEqual(cm.exception.response.get("resourceId"),
                         a["thingGroupId"])
        self.assertEqual(cm.exception.response.get("resourceArn"),
                         group_arn(name))

    def test_create_with_missing_parent(self):
        parent = unique_name("nop")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_thing_group(thingGroupName=unique_name("g"),
                                        parentGroupName=parent)
        self.assertClientError(cm.exception, "ResourceNotFoundException", 404)
        self.assertIn(parent, cm.exception.response["Error"]["Message"])

    def test_describe_root_group(self):
        name = unique_name("root")
        created = self.iot.create_thing_group(
            thingGroupName=name, thingGroupProperties={
                "thingGroupDescription": "d",
                "attributePayload": {"attributes": {"k": "v"}}})
        d = self.iot.describe_thing_group(thingGroupName=name)
        self.assertEqual(d["thingGroupName"], name)
        self.assertEqual(d["thingGroupId"], created["thingGroupId"])
        self.assertEqual(d["thingGroupArn"], group_arn(name))
        self.assertEqual(d["version"], 1)
        self.assertEqual(d["thingGroupProperties"], {
            "thingGroupDescription": "d",
            "attributePayload": {"attributes": {"k": "v"}}})
        md = d["thingGroupMetadata"]
        self.assertNotIn("parentGroupName", md)
        self.assertNotIn("rootToParentThingGroups", md)
        self.assertIn("creationDate", md)
        for absent in ("indexName", "queryString", "status"):
            self.assertNotIn(absent, d)

    def test_describe_nested_group_metadata(self):
        a, b, c = (unique_name("h") for _ in range(3))
        self.iot.create_thing_group(thingGroupName=a)
        self.iot.create_thing_group(thingGroupName=b, parentGroupName=a)
        self.iot.create_thing_group(thingGroupName=c, parentGroupName=b)
        md = self.iot.describe_thing_group(
            thingGroupName=c)["thingGroupMetadata"]
        self.assertEqual(md["parentGroupName"], b)
        self.assertEqual(md["rootToParentThingGroups"], [ref(a), ref(b)])

    def test_describe_missing(self):
        name = unique_name("none")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.describe_thing_group(thingGroupName=name)
        self.assertIn(name, cm.exception.response["Error"]["Message"])

    def test_update_versions_and_merge(self):
        name = unique_name("u")
        self.iot.create_thing_group(thingGroupName=name, thingGroupProperties={
            "attributePayload": {"attributes": {"a": "1", "b": "2"}}})
        out = self.iot.update_thing_group(
            thingGroupName=name, expectedVersion=1, thingGroupProperties={
                "thingGroupDescription": "new",
                "attributePayload": {"attributes": {"b": "", "c": "3"},
                                     "merge": True}})
        self.assertEqual(out["version"], 2)
        d = self.iot.describe_thing_group(thingGroupName=name)
        self.assertEqual(d["thingGroupProperties"], {
            "thingGroupDescription": "new",
            "attributePayload": {"attributes": {"a": "1", "c": "3"}}})
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException) as cm:
            self.iot.update_thing_group(
                thingGroupName=name, expectedVersion=1,
                thingGroupProperties={"thingGroupDescription": "x"})
        self.assertClientError(cm.exception, "VersionConflictException", 409)
        out = self.iot.update_thing_group(
            thingGroupName=name, thingGroupProperties={
                "attributePayload": {"attributes": {"z": "9"}}})
        self.assertEqual(out["version"], 3)
        d = self.iot.describe_thing_group(thingGroupName=name)
        self.assertEqual(d["thingGroupProperties"]["attributePayload"],
                         {"attributes": {"z": "9"}})
        self.assertEqual(d["thingGroupProperties"]["thingGroupDescription"],
                         "new")

    def test_update_missing(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.update_thing_group(
                thingGroupName=unique_name("none"),
                thingGroupProperties={"thingGroupDescription": "x"})

    def test_delete(self):
        name = unique_name("del")
        self.iot.create_thing_group(thingGroupName=name)
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException):
            self.iot.delete_thing_group(thingGroupName=name,
                                        expectedVersion=5)
        self.iot.delete_thing_group(thingGroupName=name, expectedVersion=1)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing_group(thingGroupName=name)
        self.iot.delete_thing_group(thingGroupName=name)   # missing: fine

    def test_delete_with_children_is_refused(self):
        parent, child = unique_name("p"), unique_name("c")
        self.iot.create_thing_group(thingGroupName=parent)
        self.iot.create_thing_group(thingGroupName=child,
                                    parentGroupName=parent)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.delete_thing_group(thingGroupName=parent)
        self.assertClientError(cm.exception, "InvalidRequestException", 400)
        self.assertIn(parent, cm.exception.response["Error"]["Message"])
        self.iot.delete_thing_group(thingGroupName=child)
        self.iot.delete_thing_group(thingGroupName=parent)

    def test_hierarchy_depth_is_limited_to_seven(self):
        names = [unique_name("d%d" % i) for i in range(8)]
        self.iot.create_thing_group(thingGroupName=names[0])
        for i in range(1, 7):
            self.iot.create_thing_group(thingGroupName=names[i],
                                        parentGroupName=names[i - 1])
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing_group(thingGroupName=names[7],
                                        parentGroupName=names[6])
        self.assertIn("parentGroupName",
                      cm.exception.response["Error"]["Message"])


class MembershipTest(DaemonTestCase):

    def setUp(self):
        self.thing = unique_name("t")
        self.group = unique_name("g")
        self.iot.create_thing(thingName=self.thing)
        self.iot.create_thing_group(thingGroupName=self.group)

    def groups_of(self, thing):
        return self.iot.list_thing_groups_for_thing(
            thingName=thing)["thingGroups"]

    def test_add_by_name_twice_and_remove(self):
        self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                          thingName=self.thing)
        self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                          thingName=self.thing)
        self.assertEqual(self.iot.list_things_in_thing_group(
            thingGroupName=self.group)["things"], [self.thing])
        self.assertEqual(self.groups_of(self.thing), [ref(self.group)])
        self.iot.remove_thing_from_thing_group(thingGroupName=self.group,
                                               thingName=self.thing)
        self.assertEqual(self.groups_of(self.thing), [])
        self.iot.remove_thing_from_thing_group(thingGroupName=self.group,
                                               thingName=self.thing)

    def test_add_and_remove_by_arn(self):
        self.iot.add_thing_to_thing_group(
            thingGroupArn=group_arn(self.group),
            thingArn=thing_arn(self.thing))
        self.assertEqual(self.groups_of(self.thing), [ref(self.group)])
        self.iot.remove_thing_from_thing_group(
            thingGroupArn=group_arn(self.group),
            thingArn=thing_arn(self.thing))
        self.assertEqual(self.groups_of(self.thing), [])

    def test_missing_thing_or_group(self):
        for kw in ({"thingGroupName": self.group,
                    "thingName": unique_name("nothing")},
                   {"thingGroupName": unique_name("nogroup"),
                    "thingName": self.thing}):
            for call in (self.iot.add_thing_to_thing_group,
                         self.iot.remove_thing_from_thing_group):
                with self.assertRaises(
                        self.iot.exceptions.ResourceNotFoundException) as cm:
                    call(**kw)
                self.assertClientError(cm.exception,
                                       "ResourceNotFoundException", 404)

    def test_neither_name_nor_arn(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.add_thing_to_thing_group(thingName=self.thing)
        self.assertIn("thingGroupName",
                      cm.exception.response["Error"]["Message"])

    def test_malformed_arn(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                              thingArn="not-an-arn")
        self.assertIn("thingArn", cm.exception.response["Error"]["Message"])

    def test_other_account_arn_is_not_found(self):
        arn = "arn:aws:iot:%s:999999999999:thing/%s" % (REGION, self.thing)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                              thingArn=arn)

    def test_at_most_ten_groups_per_thing(self):
        groups = [unique_name("ten") for _ in range(11)]
        for g in groups:
            self.iot.create_thing_group(thingGroupName=g)
        for g in groups[:10]:
            self.iot.add_thing_to_thing_group(thingGroupName=g,
                                              thingName=self.thing)
        self.iot.add_thing_to_thing_group(thingGroupName=groups[0],
                                          thingName=self.thing)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.add_thing_to_thing_group(thingGroupName=groups[10],
                                              thingName=self.thing)
        self.assertIn(self.thing, cm.exception.response["Error"]["Message"])
        self.assertEqual(len(self.groups_of(self.thing)), 10)

    def test_group_delete_drops_memberships(self):
        self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                          thingName=self.thing)
        self.iot.delete_thing_group(thingGroupName=self.group)
        self.assertEqual(self.groups_of(self.thing), [])

    def test_list_groups_for_missing_thing(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.list_thing_groups_for_thing(thingName=unique_name("x"))

    def test_list_things_in_missing_group(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.list_things_in_thing_group(
                thingGroupName=unique_name("x"))

    def test_update_thing_groups_for_thing(self):
        other = unique_name("g2")
        self.iot.create_thing_group(thingGroupName=other)
        self.iot.add_thing_to_thing_group(thingGroupName=self.group,
                                          thingName=self.thing)
        self.iot.update_thing_groups_for_thing(
            thingName=self.thing, thingGroupsToAdd=[other],
            thingGroupsToRemove=[self.group])
        self.assertEqual(self.groups_of(self.thing), [ref(other)])


class HierarchyListingTest(DaemonTestCase):
    """A fixed tree: fleet > {eu > {eu-north}, us}; things in each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iot = cls.iot
        iot.create_thing_group(thingGroupName="fleet")
        iot.create_thing_group(thingGroupName="eu", parentGroupName="fleet")
        iot.create_thing_group(thingGroupName="us", parentGroupName="fleet")
        iot.create_thing_group(thingGroupName="eu-north",
                               parentGroupName="eu")
        iot.create_thing_group(thingGroupName="lonely")
        members = {"fleet": ["f1"], "eu": ["e1", "e2", "both"],
                   "eu-north": ["n1", "both"], "us": ["u1", "u2", "u3"]}
        for group, things in members.items():
            for t in things:
                iot.create_thing(thingName=t)
                iot.add_thing_to_thing_group(thingGroupName=group,
                                             thingName=t)

    def names(self, out):
        return [g["groupName"] for g in out["thingGroups"]]

    def test_list_all_groups(self):
        out = self.iot.list_thing_groups()
        self.assertEqual(self.names(out),
                         ["eu", "eu-north", "fleet", "lonely", "us"])
        self.assertEqual(out["thingGroups"][0], ref("eu"))

    def test_list_root_groups_only(self):
        out = self.iot.list_thing_groups(recursive=False)
        self.assertEqual(self.names(out), ["fleet", "lonely"])

    def test_list_children_and_descendants(self):
        self.assertEqual(self.names(self.iot.list_thing_groups(
            parentGroup="fleet")), ["eu", "us"])
        self.assertEqual(self.names(self.iot.list_thing_groups(
            parentGroup="fleet", recursive=True)), ["eu", "eu-north", "us"])

    def test_list_with_name_prefix(self):
        self.assertEqual(self.names(self.iot.list_thing_groups(
            namePrefixFilter="eu")), ["eu", "eu-north"])
        self.assertEqual(self.names(self.iot.list_thing_groups(
            parentGroup="fleet", recursive=True, namePrefixFilter="eu-")),
            ["eu-north"])

    def test_list_groups_pages(self):
        out = self.iot.list_thing_groups(maxResults=2)
        self.assertEqual(self.names(out), ["eu", "eu-north"])
        out = self.iot.list_thing_groups(maxResults=2,
                                         nextToken=out["nextToken"])
        self.assertEqual(self.names(out), ["fleet", "lonely"])
        out = self.iot.list_thing_groups(maxResults=2,
                                         nextToken=out["nextToken"])
        self.assertEqual(self.names(out), ["us"])
        self.assertNotIn("nextToken", out)

    def test_list_groups_missing_parent(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.list_thing_groups(parentGroup="atlantis")

    def test_things_in_group_direct_and_recursive(self):
        self.assertEqual(self.iot.list_things_in_thing_group(
            thingGroupName="eu")["things"], ["both", "e1", "e2"])
        self.assertEqual(self.iot.list_things_in_thing_group(
            thingGroupName="fleet", recursive=True)["things"],
            ["both", "e1", "e2", "f1", "n1", "u1", "u2", "u3"])

    def test_things_in_group_pages(self):
        seen, token = [], None
        while True:
            kw = {"thingGroupName": "fleet", "recursive": True,
                  "maxResults": 3}
            if token:
                kw["nextToken"] = token
            out = self.iot.list_things_in_thing_group(**kw)
            seen += out["things"]
            token = out.get("nextToken")
            if not token:
                break
        self.assertEqual(seen,
                         ["both", "e1", "e2", "f1", "n1", "u1", "u2", "u3"])

    def test_groups_for_thing_pages(self):
        out = self.iot.list_thing_groups_for_thing(thingName="both",
                                                   maxResults=1)
        self.assertEqual(self.names(out), ["eu"])
        out = self.iot.list_thing_groups_for_thing(
            thingName="both", maxResults=1, nextToken=out["nextToken"])
        self.assertEqual(self.names(out), ["eu-north"])
        self.assertNotIn("nextToken", out)

    def test_invalid_token(self):
        with self.assertRaises(self.iot.exceptions.InvalidRequestException):
            self.iot.list_things_in_thing_group(thingGroupName="eu",
                                                nextToken="%%%")


class ContinuousJobMembershipTest(DaemonTestCase):
    """Joining a (child) group of a CONTINUOUS job's target queues it."""

    def test_join_child_group_queues_parent_job(self):
        self.requireOperation(self.iot, "create_job")
        parent, child = unique_name("jp"), unique_name("jc")
        thing = unique_name("jt")
        self.iot.create_thing_group(thingGroupName=parent)
        self.iot.create_thing_group(thingGroupName=child,
                                    parentGroupName=parent)
        self.iot.create_thing(thingName=thing)
        job = unique_name("job")
        try:
            self.iot.create_job(jobId=job, targets=[group_arn(parent)],
                                document='{"op":"x"}',
                                targetSelection="CONTINUOUS")
        except self.iot.exceptions.ClientError as e:
            if e.response["Error"]["Code"] == "NotImplementedException":
                self.skipTest("CreateJob is not implemented yet")
            raise
        self.iot.add_thing_to_thing_group(thingGroupName=child,
                                          thingName=thing)
        pending = self.data.get_pending_job_executions(thingName=thing)
        self.assertEqual([j["jobId"] for j in pending["queuedJobs"]], [job])
        # Joining another group of the same tree queues nothing more.
        self.iot.add_thing_to_thing_group(thingGroupName=parent,
                                          thingName=thing)
        pending = self.data.get_pending_job_executions(thingName=thing)
        self.assertEqual(len(pending["queuedJobs"]), 1)


if __name__ == "__main__":
    unittest.main()
