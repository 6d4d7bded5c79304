# SPDX-License-Identifier: Apache-2.0
"""Things on the control plane through boto3's 'iot' client: CreateThing,
DescribeThing, UpdateThing, DeleteThing, ListThings (WIRE.md 11.2)."""

import base64
import unittest
import uuid

from harness import (ACCOUNT_ID, CONTROL_SERVICE, REGION, DaemonTestCase,
                     unique_name)


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


class ThingLifecycleTest(DaemonTestCase):

    def test_create_returns_name_arn_and_uuid(self):
        name = unique_name("life")
        out = self.iot.create_thing(thingName=name)
        self.assertEqual(out["thingName"], name)
        self.assertEqual(out["thingArn"], thing_arn(name))
        self.assertEqual(str(uuid.UUID(out["thingId"])), out["thingId"])

    def test_create_twice_identical_returns_same_id(self):
        name = unique_name("idem")
        attrs = {"attributes": {"color": "red", "size": "9"}}
        a = self.iot.create_thing(thingName=name, attributePayload=attrs)
        b = self.iot.create_thing(thingName=name, attributePayload=attrs)
        self.assertEqual(a["thingId"], b["thingId"])
        self.assertEqual(b["thingArn"], thing_arn(name))

    def test_create_same_name_different_config_conflicts(self):
        name = unique_name("dup")
        first = self.iot.create_thing(
            thingName=name, attributePayload={"attributes": {"a": "1"}})
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.iot.create_thing(
                thingName=name, attributePayload={"attributes": {"a": "2"}})
        self.assertClientError(cm.exception,
                               "ResourceAlreadyExistsException", 409)
        body = cm.exception.response
        self.assertEqual(body.get("resourceId"), first["thingId"])
        self.assertEqual(body.get("resourceArn"), thing_arn(name))
        self.assertIn(name, body["Error"]["Message"])

    def test_create_with_thing_type_is_not_found(self):
        name = unique_name("typed")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_thing(thingName=name, thingTypeName="Bulb")
        self.assertClientError(cm.exception, "ResourceNotFoundException", 404)
        self.assertIn("Bulb", cm.exception.response["Error"]["Message"])
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName=name)

    def test_create_with_billing_group_is_not_found(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_thing(thingName=unique_name("bill"),
                                  billingGroupName="Finance")
        self.assertIn("Finance", cm.exception.response["Error"]["Message"])

    def test_create_rejects_more_than_three_attributes(self):
        attrs = {"a": "1", "b": "2", "c": "3", "d": "4"}
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing(thingName=unique_name("many"),
                                  attributePayload={"attributes": attrs})
        self.assertClientError(cm.exception, "InvalidRequestException", 400)
        self.assertIn("attributes", cm.exception.response["Error"]["Message"])

    def test_describe_shape(self):
        name = unique_name("desc")
        created = self.iot.create_thing(
            thingName=name, attributePayload={"attributes": {"k": "v"}})
        out = self.iot.describe_thing(thingName=name)
        self.assertEqual(out["thingName"], name)
        self.assertEqual(out["defaultClientId"], name)
        self.assertEqual(out["thingId"], created["thingId"])
        self.assertEqual(out["thingArn"], thing_arn(name))
        self.assertEqual(out["attributes"], {"k": "v"})
        self.assertEqual(out["version"], 1)
        self.assertNotIn("thingTypeName", out)

    def test_describe_without_attributes_has_empty_object(self):
        name = unique_name("bare")
        self.iot.create_thing(thingName=name)
        self.assertEqual(self.iot.describe_thing(thingName=name)["attributes"],
                         {})

    def test_describe_missing_names_the_thing(self):
        name = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.describe_thing(thingName=name)
        self.assertClientError(cm.exception, "ResourceNotFoundException", 404)
        self.assertIn(name, cm.exception.response["Error"]["Message"])


class ThingUpdateTest(DaemonTestCase):

    def make(self, attrs):
        name = unique_name("upd")
        self.iot.create_thing(thingName=name,
                              attributePayload={"attributes": attrs})
        return name

    def describe(self, name):
        return self.iot.describe_thing(thingName=name)

    def test_update_without_merge_replaces_all(self):
        name = self.make({"a": "1", "b": "2"})
        out = self.iot.update_thing(
            thingName=name, attributePayload={"attributes": {"c": "3"}})
        self.assertNotIn("version", out)
        d = self.describe(name)
        self.assertEqual(d["attributes"], {"c": "3"})
        self.assertEqual(d["version"], 2)

    def test_update_with_merge_adds_replaces_and_removes(self):
        name = self.make({"a": "1", "b": "2"})
        self.iot.update_thing(thingName=name, attributePayload={
            "attributes": {"a": "9", "b": "", "c": "3"}, "merge": True})
        self.assertEqual(self.describe(name)["attributes"],
                         {"a": "9", "c": "3"})

    def test_merge_limit_counts_the_result(self):
        name = self.make({"a": "1", "b": "2", "c": "3"})
        with self.assertRaises(self.iot.exceptions.InvalidRequestException):
            self.iot.update_thing(thingName=name, attributePayload={
                "attributes": {"d": "4"}, "merge": True})
        self.iot.update_thing(thingName=name, attributePayload={
            "attributes": {"d": "4", "a": ""}, "merge": True})
        self.assertEqual(self.describe(name)["attributes"],
                         {"b": "2", "c": "3", "d": "4"})

    def test_version_increments_and_expected_version_is_checked(self):
        name = self.make({})
        self.iot.update_thing(thingName=name, expectedVersion=1,
                              attributePayload={"attributes": {"x": "1"}})
        self.assertEqual(self.describe(name)["version"], 2)
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException) as cm:
            self.iot.update_thing(thingName=name, expectedVersion=1,
                                  attributePayload={"attributes": {"x": "2"}})
        self.assertClientError(cm.exception, "VersionConflictException", 409)
        d = self.describe(name)
        self.assertEqual((d["version"], d["attributes"]), (2, {"x": "1"}))
        self.iot.update_thing(thingName=name, expectedVersion=2,
                              removeThingType=True)
        self.assertEqual(self.describe(name)["version"], 3)

    def test_update_missing_thing(self):
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.update_thing(thingName=unique_name("none"),
                                  attributePayload={"attributes": {}})

    def test_update_with_thing_type_is_not_found(self):
        name = self.make({})
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.update_thing(thingName=name, thingTypeName="Sensor")
        self.assertIn("Sensor", cm.exception.response["Error"]["Message"])
        self.assertEqual(self.describe(name)["version"], 1)


class ThingDeleteTest(DaemonTestCase):

    def test_delete_then_describe_is_not_found(self):
        name = unique_name("del")
        self.iot.create_thing(thingName=name)
        self.iot.delete_thing(thingName=name)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName=name)

    def test_delete_missing_succeeds(self):
        self.iot.delete_thing(thingName=unique_name("never"))
        self.iot.delete_thing(thingName=unique_name("never"),
                              expectedVersion=3)

    def test_delete_checks_expected_version(self):
        name = unique_name("delv")
        self.iot.create_thing(thingName=name)
        with self.assertRaises(
                self.iot.exceptions.VersionConflictException) as cm:
            self.iot.delete_thing(thingName=name, expectedVersion=2)
        self.assertClientError(cm.exception, "VersionConflictException", 409)
        self.iot.describe_thing(thingName=name)
        self.iot.delete_thing(thingName=name, expectedVersion=1)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName=name)

    def test_delete_removes_group_membership_and_recreate_is_fresh(self):
        name = unique_name("member")
        group = unique_name("grp")
        first = self.iot.create_thing(thingName=name)
        self.iot.create_thing_group(thingGroupName=group)
        self.iot.add_thing_to_thing_group(thingGroupName=group,
                                          thingName=name)
        self.iot.delete_thing(thingName=name)
        self.assertEqual(self.iot.list_things_in_thing_group(
            thingGroupName=group)["things"], [])
        again = self.iot.create_thing(thingName=name)
        self.assertNotEqual(first["thingId"], again["thingId"])
        self.assertEqual(self.iot.list_thing_groups_for_thing(
            thingName=name)["thingGroups"], [])

    def test_delete_removes_attribute_index_rows(self):
        name = unique_name("idx")
        self.iot.create_thing(thingName=name, attributePayload={
            "attributes": {"delidx": "yes"}})
        self.iot.delete_thing(thingName=name)
        out = self.iot.list_things(attributeName="delidx",
                                   attributeValue="yes")
        self.assertEqual(out["things"], [])


class ListThingsTest(DaemonTestCase):
    """One daemon with a known population (no other test class adds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = ["lt-%02d" % i for i in range(7)]
        colors = ["red", "red", "blue", "reddish", "green", "red", "blue"]
        for n, c in zip(cls.names, colors):
            cls.iot.create_thing(thingName=n, attributePayload={
                "attributes": {"color": c, "n": n}})
        cls.iot.create_thing(thingName="lt-plain")
        cls.all = sorted(cls.names + ["lt-plain"])

    def test_all_in_name_order_with_item_shape(self):
        out = self.iot.list_things()
        self.assertEqual([t["thingName"] for t in out["things"]], self.all)
        self.assertNotIn("nextToken", out)
        first = out["things"][0]
        self.assertEqual(first, {"thingName": "lt-00",
                                 "thingArn": thing_arn("lt-00"),
                                 "attributes": {"color": "red",
                                                "n": "lt-00"},
                                 "version": 1})
        plain = [t for t in out["things"] if t["thingName"] == "lt-plain"]
        self.assertEqual(plain[0]["attributes"], {})

    def test_pages_follow_next_token(self):
        seen, token, pages = [], None, 0
        while True:
            kw = {"maxResults": 3}
            if token:
                kw["nextToken"] = token
            out = self.iot.list_things(**kw)
            pages += 1
            self.assertLessEqual(len(out["things"]), 3)
            seen += [t["thingName"] for t in out["things"]]
            token = out.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, self.all)
        self.assertEqual(pages, 3)

    def test_exact_page_boundary_has_no_token(self):
        out = self.iot.list_things(maxResults=len(self.all))
        self.assertEqual(len(out["things"]), len(self.all))
        self.assertNotIn("nextToken", out)

    def test_paginator(self):
        pages = self.iot.get_paginator("list_things").paginate(
            PaginationConfig={"PageSize": 2})
        names = [t["thingName"] for p in pages for t in p["things"]]
        self.assertEqual(names, self.all)

    def test_attribute_filter_exact(self):
        out = self.iot.list_things(attributeName="color",
                                   attributeValue="red")
        self.assertEqual([t["thingName"] for t in out["things"]],
                         ["lt-00", "lt-01", "lt-05"])

    def test_attribute_filter_prefix(self):
        out = self.iot.list_things(attributeName="color",
                                   attributeValue="red",
                                   usePrefixAttributeValue=True)
        self.assertEqual([t["thingName"] for t in out["things"]],
                         ["lt-00", "lt-01", "lt-03", "lt-05"])

    def test_attribute_filter_pages(self):
        out = self.iot.list_things(attributeName="color",
                                   attributeValue="red", maxResults=2)
        self.assertEqual([t["thingName"] for t in out["things"]],
                         ["lt-00", "lt-01"])
        out = self.iot.list_things(attributeName="color",
                                   attributeValue="red", maxResults=2,
                                   nextToken=out["nextToken"])
        self.assertEqual([t["thingName"] for t in out["things"]], ["lt-05"])
        self.assertNotIn("nextToken", out)

    def test_attribute_name_only(self):
        out = self.iot.list_things(attributeName="n")
        self.assertEqual(len(out["things"]), 7)

    def test_unknown_thing_type_lists_nothing(self):
        self.assertEqual(self.iot.list_things(thingTypeName="T")["things"],
                         [])

    def test_invalid_next_token(self):
        for token in ("not-base64!", base64.b64encode(b"a b").decode(),
                      "QQ"):
            with self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.iot.list_things(nextToken=token)
            self.assertClientError(cm.exception, "InvalidRequestException",
                                   400)
            self.assertIn("nextToken",
                          cm.exception.response["Error"]["Message"])

    def test_max_results_out_of_range_raw(self):
        r = self.daemon.signed_request("GET", "/things",
                                       query={"maxResults": "251"},
                                       service=CONTROL_SERVICE)
        self.assertEqual((r.status, r.error_type),
                         (400, "InvalidRequestException"), r)
        self.assertIn("maxResults", r.json()["message"])


if __name__ == "__main__":
    unittest.main()
