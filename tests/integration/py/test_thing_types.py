# SPDX-License-Identifier: Apache-2.0
"""Thing types through boto3's 'iot' client: CreateThingType (idempotent,
conflicts, searchable attributes, MQTT 5 configuration), Describe, List
(pagination, name filter), UpdateThingType, Deprecate (and undo), Delete
after five minutes of deprecation on the test clock and with no thing of
the type; and things with a type: Create/Update/Describe/ListThings,
removeThingType, the attribute limits of typed and untyped things."""

import json
import unittest
import uuid

from harness import (ACCOUNT_ID, CONTROL_SERVICE, REGION, DaemonTestCase,
                     unique_name)

MQTT5 = {"propagatingAttributes": [
    {"userPropertyKey": "fw", "thingAttribute": "fw"},
    {"userPropertyKey": "iot:ClientId",
     "connectionAttribute": "iot:ClientId"}]}


def type_arn(name):
    return "arn:aws:iot:%s:%s:thingtype/%s" % (REGION, ACCOUNT_ID, name)


class ThingTypeCase(DaemonTestCase):

    test_clock = True

    def has_member(self, shape, member):
        model = self.iot.meta.service_model
        return member in model.shape_for(shape).members

    def make_type(self, **props):
        name = unique_name("tt")
        self.iot.create_thing_type(thingTypeName=name,
                                   thingTypeProperties=props)
        return name

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)


class CreateDescribeTest(ThingTypeCase):

    def test_create_returns_name_arn_and_id(self):
        name = unique_name("tt")
        out = self.iot.create_thing_type(
            thingTypeName=name, thingTypeProperties={
                "thingTypeDescription": "light bulbs",
                "searchableAttributes": ["wattage", "model"]})
        self.assertEqual(out["thingTypeName"], name)
        self.assertEqual(out["thingTypeArn"], type_arn(name))
        uuid.UUID(out["thingTypeId"])
        d = self.iot.describe_thing_type(thingTypeName=name)
        self.assertEqual(d["thingTypeId"], out["thingTypeId"])
        self.assertEqual(d["thingTypeArn"], type_arn(name))
        self.assertEqual(d["thingTypeProperties"], {
            "thingTypeDescription": "light bulbs",
            "searchableAttributes": ["wattage", "model"]})
        md = d["thingTypeMetadata"]
        self.assertFalse(md["deprecated"])
        self.assertNotIn("deprecationDate", md)
        self.assertEqual(int(md["creationDate"].timestamp()),
                         int(self.daemon.now()))

    def test_create_again_identically_succeeds_with_the_same_id(self):
        name = unique_name("tt")
        props = {"thingTypeDescription": "d", "searchableAttributes": ["a"]}
        a = self.iot.create_thing_type(thingTypeName=name,
                                       thingTypeProperties=props)
        b = self.iot.create_thing_type(thingTypeName=name,
                                       thingTypeProperties=props)
        self.assertEqual(a["thingTypeId"], b["thingTypeId"])

    def test_create_again_differently_conflicts(self):
        name = unique_name("tt")
        a = self.iot.create_thing_type(
            thingTypeName=name,
            thingTypeProperties={"thingTypeDescription": "one"})
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.iot.create_thing_type(
                thingTypeName=name,
                thingTypeProperties={"thingTypeDescription": "two"})
        self.assertError(cm, "ResourceAlreadyExistsException", 409, name)
        self.assertEqual(cm.exception.response.get("resourceId"),
                         a["thingTypeId"])
        self.assertEqual(cm.exception.response.get("resourceArn"),
                         type_arn(name))

    def test_at_most_three_searchable_attributes(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing_type(
                thingTypeName=unique_name("tt"),
                thingTypeProperties={
                    "searchableAttributes": ["a", "b", "c", "d"]})
        self.assertError(cm, "InvalidRequestException", 400,
                         "searchableAttributes", "3")
        self.make_type(searchableAttributes=["a", "b", "c"])

    def test_without_properties_describe_has_empty_searchable_list(self):
        name = unique_name("tt")
        self.iot.create_thing_type(thingTypeName=name)
        d = self.iot.describe_thing_type(thingTypeName=name)
        self.assertEqual(d["thingTypeProperties"],
                         {"searchableAttributes": []})

    def test_mqtt5_configuration_is_stored_and_returned(self):
        name = unique_name("tt")
        props = {"thingTypeDescription": "m", "mqtt5Configuration": MQTT5}
        if self.has_member("ThingTypeProperties", "mqtt5Configuration"):
            self.iot.create_thing_type(thingTypeName=name,
                                       thingTypeProperties=props)
            d = self.iot.describe_thing_type(thingTypeName=name)
            got = d["thingTypeProperties"]["mqtt5Configuration"]
        else:
            # This botocore predates the member: send it unmodelled.
            r = self.daemon.signed_request(
                "POST", "/thing-types/" + name,
                body={"thingTypeProperties": props},
                service=CONTROL_SERVICE)
            self.assertEqual(r.status, 200, r)
            got = self.daemon.signed_request(
                "GET", "/thing-types/" + name,
                service=CONTROL_SERVICE).json()[
                "thingTypeProperties"]["mqtt5Configuration"]
        self.assertEqual(got, MQTT5)

    def test_describe_missing_is_not_found(self):
        name = unique_name("none")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.describe_thing_type(thingTypeName=name)
        self.assertError(cm, "ResourceNotFoundException", 404, name)

    def test_invalid_name_is_invalid_request(self):
        r = self.daemon.signed_request("POST", "/thing-types/a%20b",
                                       body={}, service=CONTROL_SERVICE)
        self.assertEqual((r.status, r.error_type),
                         (400, "InvalidRequestException"), r)


class ListTest(ThingTypeCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for i in range(5):
            cls.iot.create_thing_type(
                thingTypeName="lt-%02d" % i,
                thingTypeProperties={"thingTypeDescription": "n%d" % i})

    def test_pages_in_name_order(self):
        out = self.iot.list_thing_types(maxResults=2)
        self.assertEqual([t["thingTypeName"] for t in out["thingTypes"]],
                         ["lt-00", "lt-01"])
        first = out["thingTypes"][0]
        self.assertEqual(first["thingTypeArn"], type_arn("lt-00"))
        self.assertEqual(first["thingTypeProperties"],
                         {"thingTypeDescription": "n0",
                          "searchableAttributes": []})
        self.assertFalse(first["thingTypeMetadata"]["deprecated"])
        out = self.iot.list_thing_types(maxResults=2,
                                        nextToken=out["nextToken"])
        self.assertEqual([t["thingTypeName"] for t in out["thingTypes"]],
                         ["lt-02", "lt-03"])
        out = self.iot.list_thing_types(maxResults=2,
                                        nextToken=out["nextToken"])
        self.assertEqual([t["thingTypeName"] for t in out["thingTypes"]],
                         ["lt-04"])
        self.assertNotIn("nextToken", out)

    def test_paginator_sees_every_type(self):
        names = []
        for page in self.iot.get_paginator("list_thing_types").paginate(
                PaginationConfig={"PageSize": 3}):
            names += [t["thingTypeName"] for t in page["thingTypes"]]
        self.assertEqual([n for n in names if n.startswith("lt-")],
                         ["lt-%02d" % i for i in range(5)])

    def test_name_filter(self):
        out = self.iot.list_thing_types(thingTypeName="lt-03")
        self.assertEqual([t["thingTypeName"] for t in out["thingTypes"]],
                         ["lt-03"])
        self.assertEqual(
            self.iot.list_thing_types(thingTypeName="nope")["thingTypes"],
            [])

    def test_invalid_token(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_thing_types(nextToken="not-a-token!")
        self.assertError(cm, "InvalidRequestException", 400, "nextToken")


class UpdateTest(ThingTypeCase):

    def setUp(self):
        self.requireOperation(self.iot, "update_thing_type")

    def test_update_replaces_the_given_properties(self):
        name = self.make_type(thingTypeDescription="old",
                              searchableAttributes=["a"])
        self.iot.update_thing_type(
            thingTypeName=name,
            thingTypeProperties={"thingTypeDescription": "new"})
        d = self.iot.describe_thing_type(thingTypeName=name)
        self.assertEqual(d["thingTypeProperties"],
                         {"thingTypeDescription": "new",
                          "searchableAttributes": ["a"]})

    def test_update_missing_and_too_many_searchable(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.update_thing_type(thingTypeName=unique_name("none"),
                                       thingTypeProperties={})
        self.assertError(cm, "ResourceNotFoundException", 404)
        name = self.make_type()
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.update_thing_type(
                thingTypeName=name, thingTypeProperties={
                    "searchableAttributes": ["a", "b", "c", "d"]})
        self.assertError(cm, "InvalidRequestException", 400,
                         "searchableAttributes")


class DeprecateDeleteTest(ThingTypeCase):

    def test_deprecated_type_refuses_new_things_keeps_old_ones(self):
        name = self.make_type()
        old = unique_name("old")
        self.iot.create_thing(thingName=old, thingTypeName=name)
        self.iot.deprecate_thing_type(thingTypeName=name)
        md = self.iot.describe_thing_type(
            thingTypeName=name)["thingTypeMetadata"]
        self.assertTrue(md["deprecated"])
        self.assertEqual(int(md["deprecationDate"].timestamp()),
                         int(self.daemon.now()))
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing(thingName=unique_name("new"),
                                  thingTypeName=name)
        self.assertError(cm, "InvalidRequestException", 400, name,
                         "deprecated")
        other = unique_name("other")
        self.iot.create_thing(thingName=other)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException):
            self.iot.update_thing(thingName=other, thingTypeName=name)
        # The old thing keeps the type and may be updated with it.
        self.iot.update_thing(thingName=old, thingTypeName=name,
                              attributePayload={"attributes": {"k": "v"}})
        self.assertEqual(self.iot.describe_thing(
            thingName=old)["thingTypeName"], name)

    def test_undo_deprecate(self):
        name = self.make_type()
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.iot.deprecate_thing_type(thingTypeName=name,
                                      undoDeprecate=True)
        md = self.iot.describe_thing_type(
            thingTypeName=name)["thingTypeMetadata"]
        self.assertFalse(md["deprecated"])
        self.assertNotIn("deprecationDate", md)
        self.iot.create_thing(thingName=unique_name("t"),
                              thingTypeName=name)

    def test_deprecate_missing_is_not_found(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.deprecate_thing_type(thingTypeName=unique_name("n"))
        self.assertError(cm, "ResourceNotFoundException", 404)

    def test_delete_waits_five_minutes_of_deprecation_on_the_clock(self):
        name = self.make_type()
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.delete_thing_type(thingTypeName=name)
        self.assertError(cm, "InvalidRequestException", 400, name,
                         "not deprecated")
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.daemon.advance(299)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.delete_thing_type(thingTypeName=name)
        self.assertError(cm, "InvalidRequestException", 400,
                         "5 minutes", "in 1 seconds")
        # Deprecating again does not restart the wait.
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.daemon.advance(1)
        self.iot.delete_thing_type(thingTypeName=name)
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing_type(thingTypeName=name)

    def test_undo_resets_the_wait(self):
        name = self.make_type()
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.daemon.advance(400)
        self.iot.deprecate_thing_type(thingTypeName=name,
                                      undoDeprecate=True)
        self.iot.deprecate_thing_type(thingTypeName=name)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException):
            self.iot.delete_thing_type(thingTypeName=name)

    def test_delete_refused_while_a_thing_has_the_type(self):
        name = self.make_type()
        thing = unique_name("t")
        self.iot.create_thing(thingName=thing, thingTypeName=name)
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.daemon.advance(300)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.delete_thing_type(thingTypeName=name)
        self.assertError(cm, "InvalidRequestException", 400, name,
                         "things")
        self.iot.update_thing(thingName=thing, removeThingType=True)
        self.iot.delete_thing_type(thingTypeName=name)
        self.assertNotIn("thingTypeName",
                         self.iot.describe_thing(thingName=thing))

    def test_delete_missing_is_not_found(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.delete_thing_type(thingTypeName=unique_name("n"))
        self.assertError(cm, "ResourceNotFoundException", 404)

    def test_a_deleted_type_can_be_created_again(self):
        name = self.make_type(thingTypeDescription="one")
        self.iot.deprecate_thing_type(thingTypeName=name)
        self.daemon.advance(300)
        self.iot.delete_thing_type(thingTypeName=name)
        self.iot.create_thing_type(
            thingTypeName=name,
            thingTypeProperties={"thingTypeDescription": "two"})
        d = self.iot.describe_thing_type(thingTypeName=name)
        self.assertFalse(d["thingTypeMetadata"]["deprecated"])


class TypedThingTest(ThingTypeCase):

    def test_create_describe_and_list_with_a_type(self):
        tt = self.make_type()
        name = unique_name("t")
        self.iot.create_thing(thingName=name, thingTypeName=tt,
                              attributePayload={"attributes": {"w": "60"}})
        self.assertEqual(self.iot.describe_thing(
            thingName=name)["thingTypeName"], tt)
        out = self.iot.list_things(thingTypeName=tt)
        self.assertEqual([(t["thingName"], t["thingTypeName"])
                          for t in out["things"]], [(name, tt)])
        self.assertEqual(out["things"][0]["attributes"], {"w": "60"})

    def test_list_combines_type_and_attribute_filters(self):
        tt = self.make_type()
        a, b, c = unique_name("a"), unique_name("b"), unique_name("c")
        self.iot.create_thing(thingName=a, thingTypeName=tt,
                              attributePayload={"attributes": {"w": "60"}})
        self.iot.create_thing(thingName=b, thingTypeName=tt,
                              attributePayload={"attributes": {"w": "40"}})
        self.iot.create_thing(thingName=c,
                              attributePayload={"attributes": {"w": "60"}})
        got = self.iot.list_things(thingTypeName=tt, attributeName="w",
                                   attributeValue="60")["things"]
        self.assertEqual([t["thingName"] for t in got], [a])
        got = self.iot.list_things(thingTypeName=tt, attributeName="w",
                                   attributeValue="4",
                                   usePrefixAttributeValue=True)["things"]
        self.assertEqual([t["thingName"] for t in got], [b])
        page = self.iot.list_things(thingTypeName=tt, maxResults=1)
        self.assertEqual([t["thingName"] for t in page["things"]], [a])
        page = self.iot.list_things(thingTypeName=tt, maxResults=1,
                                    nextToken=page["nextToken"])
        self.assertEqual([t["thingName"] for t in page["things"]], [b])
        self.assertNotIn("nextToken", page)

    def test_create_with_missing_type_is_not_found(self):
        name = unique_name("none")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_thing(thingName=unique_name("t"),
                                  thingTypeName=name)
        self.assertError(cm, "ResourceNotFoundException", 404, name)

    def test_create_again_with_another_type_conflicts(self):
        t1, t2 = self.make_type(), self.make_type()
        name = unique_name("t")
        a = self.iot.create_thing(thingName=name, thingTypeName=t1)
        b = self.iot.create_thing(thingName=name, thingTypeName=t1)
        self.assertEqual(a["thingId"], b["thingId"])
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException):
            self.iot.create_thing(thingName=name, thingTypeName=t2)
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException):
            self.iot.create_thing(thingName=name)

    def test_typed_things_have_fifty_attributes_untyped_three(self):
        tt = self.make_type()
        fifty = {"a%02d" % i: str(i) for i in range(50)}
        name = unique_name("t")
        self.iot.create_thing(thingName=name, thingTypeName=tt,
                              attributePayload={"attributes": fifty})
        self.assertEqual(len(self.iot.describe_thing(
            thingName=name)["attributes"]), 50)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.update_thing(
                thingName=name, attributePayload={
                    "attributes": {"extra": "1"}, "merge": True})
        self.assertError(cm, "InvalidRequestException", 400, "50")
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing(
                thingName=unique_name("t"), thingTypeName=tt,
                attributePayload={"attributes": dict(fifty, extra="1")})
        self.assertError(cm, "InvalidRequestException", 400, "50")
        # Without its type the thing would have 50 attributes: refused.
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.update_thing(thingName=name, removeThingType=True)
        self.assertError(cm, "InvalidRequestException", 400,
                         "without a thing type", "3")
        self.assertEqual(self.iot.describe_thing(
            thingName=name)["thingTypeName"], tt)

    def test_update_sets_changes_and_removes_the_type(self):
        t1, t2 = self.make_type(), self.make_type()
        name = unique_name("t")
        self.iot.create_thing(thingName=name)
        self.iot.update_thing(thingName=name, thingTypeName=t1)
        d = self.iot.describe_thing(thingName=name)
        self.assertEqual((d["thingTypeName"], d["version"]), (t1, 2))
        self.iot.update_thing(thingName=name, thingTypeName=t2,
                              expectedVersion=2)
        self.assertEqual(self.iot.describe_thing(
            thingName=name)["thingTypeName"], t2)
        self.iot.update_thing(thingName=name, removeThingType=True)
        self.assertNotIn("thingTypeName",
                         self.iot.describe_thing(thingName=name))
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.update_thing(thingName=name,
                                  thingTypeName=unique_name("none"))

    def test_type_and_remove_type_together_are_invalid(self):
        tt = self.make_type()
        name = unique_name("t")
        self.iot.create_thing(thingName=name)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.update_thing(thingName=name, thingTypeName=tt,
                                  removeThingType=True)
        self.assertError(cm, "InvalidRequestException", 400,
                         "removeThingType")


if __name__ == "__main__":
    unittest.main()
