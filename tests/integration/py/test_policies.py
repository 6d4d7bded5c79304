# SPDX-License-Identifier: Apache-2.0
"""AWS IoT policies through boto3's 'iot' client: CreatePolicy, GetPolicy,
ListPolicies, DeletePolicy, the version operations, AttachPolicy,
DetachPolicy, ListAttachedPolicies, ListTargetsForPolicy and the
deprecated principal forms (AttachPrincipalPolicy, DetachPrincipalPolicy,
ListPrincipalPolicies, ListPolicyPrincipals).

Targets are thing groups, which exist on every branch; certificate targets
are exercised in test_principals.py, where certificates are made."""

import datetime
import json
import unittest

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

PREFIX = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)


def policy_arn(name):
    return PREFIX + "policy/" + name


def group_arn(name):
    return PREFIX + "thinggroup/" + name


def cert_arn(cert_id):
    return PREFIX + "cert/" + cert_id


def document(topic=None, indent=None):
    """A policy allowing iot:Publish to TOPIC (None: to anything)."""
    resource = "*" if topic is None else PREFIX + "topic/" + topic
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:Publish", "Resource": resource}]},
        indent=indent, separators=None if indent else (",", ":"))


def sized_document(chars, indent=None):
    """A valid policy of exactly CHARS characters without white space."""
    base = document("")
    doc = document("a" * (chars - len(base)), indent=indent)
    assert sum(1 for c in doc if not c.isspace()) == chars
    return doc


class PolicyTestCase(DaemonTestCase):

    def create(self, name=None, doc=None):
        name = name or unique_name("pol")
        self.iot.create_policy(policyName=name,
                               policyDocument=document() if doc is None
                               else doc)
        return name

    def group(self, parent=None):
        name = unique_name("grp")
        kw = {"parentGroupName": parent} if parent else {}
        self.iot.create_thing_group(thingGroupName=name, **kw)
        return name

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)


class PolicyLifecycleTest(PolicyTestCase):

    def test_create_answers_name_arn_document_and_version_1(self):
        name = unique_name("pol")
        doc = document()
        out = self.iot.create_policy(policyName=name, policyDocument=doc)
        self.assertEqual(out["policyName"], name)
        self.assertEqual(out["policyArn"], policy_arn(name))
        self.assertEqual(out["policyDocument"], doc)
        self.assertEqual(out["policyVersionId"], "1")

    def test_get_answers_the_default_version(self):
        doc = document(indent=2)
        name = self.create(doc=doc)
        out = self.iot.get_policy(policyName=name)
        self.assertEqual(out["policyName"], name)
        self.assertEqual(out["policyArn"], policy_arn(name))
        self.assertEqual(out["policyDocument"], doc)
        self.assertEqual(out["defaultVersionId"], "1")
        self.assertIsInstance(out["creationDate"], datetime.datetime)
        self.assertEqual(out["creationDate"], out["lastModifiedDate"])
        self.assertTrue(out["generationId"])

    def test_create_with_tags_is_accepted(self):
        name = unique_name("tagged")
        self.iot.create_policy(policyName=name, policyDocument=document(),
                               tags=[{"Key": "team", "Value": "fw"}])
        self.assertEqual(self.iot.get_policy(policyName=name)["policyName"],
                         name)

    def test_create_twice_is_already_exists(self):
        name = self.create()
        with self.assertRaises(
                self.iot.exceptions.ResourceAlreadyExistsException) as cm:
            self.create(name)
        self.assertError(cm, "ResourceAlreadyExistsException", 409, name)
        self.assertEqual(cm.exception.response.get("resourceArn"),
                         policy_arn(name))

    def test_name_outside_the_pattern_is_invalid(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.create("has space")
        self.assertError(cm, "InvalidRequestException", 400, "policyName")

    def test_name_with_the_patterns_punctuation_is_accepted(self):
        name = "p+=,.@-_" + unique_name("x")
        self.create(name)
        self.assertEqual(self.iot.get_policy(policyName=name)["policyArn"],
                         policy_arn(name))

    def test_document_the_parser_refuses_is_malformed(self):
        bad_effect = document().replace("Allow", "Maybe")
        bad_resource = document().replace('"*"', '"topic/x"')
        for doc in ("{", "not json", "[1, 2]", '"text"', "{}",
                    '{"Version":"2012-10-17","Statement":[]}', bad_effect,
                    bad_resource):
            with self.subTest(doc=doc), self.assertRaises(
                    self.iot.exceptions.MalformedPolicyException) as cm:
                self.create(doc=doc)
            self.assertError(cm, "MalformedPolicyException", 400)

    def test_empty_document_is_malformed(self):
        for doc in ("", "  \n\t "):
            with self.subTest(doc=doc), self.assertRaises(
                    self.iot.exceptions.MalformedPolicyException) as cm:
                self.create(doc=doc)
            self.assertError(cm, "MalformedPolicyException", 400,
                             "policyDocument")

    def test_document_of_2048_characters_without_white_space_fits(self):
        doc = sized_document(2048, indent=8)
        self.assertGreater(len(doc), 2048)
        name = self.create(doc=doc)
        self.assertEqual(self.iot.get_policy(policyName=name)
                         ["policyDocument"], doc)

    def test_document_of_2049_characters_is_malformed(self):
        name = unique_name("big")
        with self.assertRaises(
                self.iot.exceptions.MalformedPolicyException) as cm:
            self.create(name, sized_document(2049))
        self.assertError(cm, "MalformedPolicyException", 400, "2048")
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.get_policy(policyName=name)

    def test_get_missing_is_not_found(self):
        name = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.get_policy(policyName=name)
        self.assertError(cm, "ResourceNotFoundException", 404, name)

    def test_delete_removes_the_policy(self):
        name = self.create()
        self.iot.delete_policy(policyName=name)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.get_policy(policyName=name)
        self.create(name)
        self.assertEqual(self.iot.get_policy(policyName=name)
                         ["defaultVersionId"], "1")

    def test_delete_missing_is_not_found(self):
        name = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.delete_policy(policyName=name)
        self.assertError(cm, "ResourceNotFoundException", 404, name)

    def test_delete_with_other_versions_conflicts(self):
        name = self.create()
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("a"))
        with self.assertRaises(
                self.iot.exceptions.DeleteConflictException) as cm:
            self.iot.delete_policy(policyName=name)
        self.assertError(cm, "DeleteConflictException", 409, name)
        self.iot.delete_policy_version(policyName=name, policyVersionId="2")
        self.iot.delete_policy(policyName=name)

    def test_delete_while_attached_conflicts(self):
        name = self.create()
        group = self.group()
        self.iot.attach_policy(policyName=name, target=group_arn(group))
        with self.assertRaises(
                self.iot.exceptions.DeleteConflictException) as cm:
            self.iot.delete_policy(policyName=name)
        self.assertError(cm, "DeleteConflictException", 409, name,
                         "attached")
        self.iot.detach_policy(policyName=name, target=group_arn(group))
        self.iot.delete_policy(policyName=name)


class PolicyListTest(PolicyTestCase):
    """Its own daemon, with the test clock: the listing is exactly what
    these tests created, each a second after the previous one."""

    test_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Created in an order unlike the names' order.
        cls.names = ["m-%d" % i for i in (3, 1, 4, 0, 2)]
        for n in cls.names:
            cls.iot.create_policy(policyName=n, policyDocument=document())
            cls.daemon.advance(1)

    def pages(self, **kw):
        names, marker, n = [], None, 0
        while True:
            args = dict(kw)
            if marker:
                args["marker"] = marker
            out = self.iot.list_policies(**args)
            n += 1
            for p in out["policies"]:
                self.assertEqual(p["policyArn"], policy_arn(p["policyName"]))
                names.append(p["policyName"])
            marker = out.get("nextMarker")
            if not marker:
                return names, n

    def test_lists_in_creation_order(self):
        names, _ = self.pages()
        self.assertEqual(names, self.names)

    def test_descending_order_reverses(self):
        names, _ = self.pages(ascendingOrder=False)
        self.assertEqual(names, self.names[::-1])

    def test_pages_of_two_resume_at_the_marker(self):
        names, n = self.pages(pageSize=2)
        self.assertEqual((names, n), (self.names, 3))
        names, n = self.pages(pageSize=2, ascendingOrder=False)
        self.assertEqual((names, n), (self.names[::-1], 3))

    def test_last_page_has_no_marker(self):
        out = self.iot.list_policies(pageSize=5)
        self.assertEqual(len(out["policies"]), 5)
        self.assertNotIn("nextMarker", out)

    def test_invalid_marker_is_invalid_request(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_policies(marker="bm90IGEgbWFya2Vy")
        self.assertError(cm, "InvalidRequestException", 400, "marker")

class PolicyVersionTest(PolicyTestCase):

    def test_new_version_is_not_default_unless_asked(self):
        name = self.create(doc=document("v1"))
        out = self.iot.create_policy_version(policyName=name,
                                             policyDocument=document("v2"))
        self.assertEqual(out["policyArn"], policy_arn(name))
        self.assertEqual(out["policyDocument"], document("v2"))
        self.assertEqual(out["policyVersionId"], "2")
        self.assertFalse(out["isDefaultVersion"])
        got = self.iot.get_policy(policyName=name)
        self.assertEqual(got["policyDocument"], document("v1"))
        self.assertEqual(got["defaultVersionId"], "1")

    def test_set_as_default_makes_it_the_policys_document(self):
        name = self.create(doc=document("v1"))
        before = self.iot.get_policy(policyName=name)
        out = self.iot.create_policy_version(
            policyName=name, policyDocument=document("v2"), setAsDefault=True)
        self.assertTrue(out["isDefaultVersion"])
        got = self.iot.get_policy(policyName=name)
        self.assertEqual(got["policyDocument"], document("v2"))
        self.assertEqual(got["defaultVersionId"], "2")
        self.assertNotEqual(got["generationId"], before["generationId"])

    def test_at_most_five_versions(self):
        name = self.create()
        for i in range(2, 6):
            out = self.iot.create_policy_version(
                policyName=name, policyDocument=document(str(i)))
            self.assertEqual(out["policyVersionId"], str(i))
        with self.assertRaises(
                self.iot.exceptions.VersionsLimitExceededException) as cm:
            self.iot.create_policy_version(policyName=name,
                                           policyDocument=document("6"))
        self.assertError(cm, "VersionsLimitExceededException", 409, name)
        self.iot.delete_policy_version(policyName=name, policyVersionId="3")
        out = self.iot.create_policy_version(policyName=name,
                                             policyDocument=document("6"))
        # Version ids are never reused.
        self.assertEqual(out["policyVersionId"], "6")

    def test_create_version_of_missing_policy_is_not_found(self):
        name = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.create_policy_version(policyName=name,
                                           policyDocument=document())
        self.assertError(cm, "ResourceNotFoundException", 404, name)

    def test_create_version_with_malformed_document(self):
        name = self.create()
        with self.assertRaises(
                self.iot.exceptions.MalformedPolicyException) as cm:
            self.iot.create_policy_version(policyName=name,
                                           policyDocument="{]")
        self.assertError(cm, "MalformedPolicyException", 400)
        with self.assertRaises(
                self.iot.exceptions.MalformedPolicyException):
            self.iot.create_policy_version(
                policyName=name, policyDocument=sized_document(2049))
        self.assertEqual(len(self.iot.list_policy_versions(
            policyName=name)["policyVersions"]), 1)

    def test_get_version(self):
        name = self.create(doc=document("v1"))
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("v2"))
        policy = self.iot.get_policy(policyName=name)
        out = self.iot.get_policy_version(policyName=name,
                                          policyVersionId="2")
        self.assertEqual(out["policyArn"], policy_arn(name))
        self.assertEqual(out["policyName"], name)
        self.assertEqual(out["policyDocument"], document("v2"))
        self.assertEqual(out["policyVersionId"], "2")
        self.assertFalse(out["isDefaultVersion"])
        self.assertIsInstance(out["creationDate"], datetime.datetime)
        self.assertIsInstance(out["lastModifiedDate"], datetime.datetime)
        self.assertEqual(out["generationId"], policy["generationId"])
        self.assertTrue(self.iot.get_policy_version(
            policyName=name, policyVersionId="1")["isDefaultVersion"])

    def test_get_missing_version_is_not_found(self):
        name = self.create()
        for vid in ("2", "0", "99999999999999999999"):
            with self.subTest(vid=vid), self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException) as cm:
                self.iot.get_policy_version(policyName=name,
                                            policyVersionId=vid)
            self.assertError(cm, "ResourceNotFoundException", 404, name)
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.get_policy_version(policyName=ghost,
                                        policyVersionId="1")
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_list_versions_newest_first_one_default(self):
        name = self.create()
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("2"),
                                       setAsDefault=True)
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("3"))
        out = self.iot.list_policy_versions(policyName=name)
        versions = out["policyVersions"]
        self.assertEqual([v["versionId"] for v in versions], ["3", "2", "1"])
        self.assertEqual([v["isDefaultVersion"] for v in versions],
                         [False, True, False])
        for v in versions:
            self.assertIsInstance(v["createDate"], datetime.datetime)

    def test_list_versions_of_missing_policy_is_not_found(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_policy_versions(policyName=unique_name("ghost"))
        self.assertError(cm, "ResourceNotFoundException", 404)

    def test_set_default_version(self):
        name = self.create(doc=document("v1"))
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("v2"))
        before = self.iot.get_policy(policyName=name)
        self.iot.set_default_policy_version(policyName=name,
                                            policyVersionId="2")
        got = self.iot.get_policy(policyName=name)
        self.assertEqual(got["defaultVersionId"], "2")
        self.assertEqual(got["policyDocument"], document("v2"))
        self.assertNotEqual(got["generationId"], before["generationId"])
        self.iot.set_default_policy_version(policyName=name,
                                            policyVersionId="1")
        self.assertEqual(self.iot.get_policy(policyName=name)
                         ["policyDocument"], document("v1"))

    def test_set_default_to_missing_version_is_not_found(self):
        name = self.create()
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.set_default_policy_version(policyName=name,
                                                policyVersionId="7")
        self.assertError(cm, "ResourceNotFoundException", 404, name, "7")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.set_default_policy_version(
                policyName=unique_name("ghost"), policyVersionId="1")

    def test_default_version_cannot_be_deleted(self):
        name = self.create()
        self.iot.create_policy_version(policyName=name,
                                       policyDocument=document("2"),
                                       setAsDefault=True)
        with self.assertRaises(
                self.iot.exceptions.DeleteConflictException) as cm:
            self.iot.delete_policy_version(policyName=name,
                                           policyVersionId="2")
        self.assertError(cm, "DeleteConflictException", 409, name)
        self.iot.delete_policy_version(policyName=name, policyVersionId="1")
        versions = self.iot.list_policy_versions(
            policyName=name)["policyVersions"]
        self.assertEqual([v["versionId"] for v in versions], ["2"])

    def test_delete_missing_version_is_not_found(self):
        name = self.create()
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.delete_policy_version(policyName=name,
                                           policyVersionId="4")
        self.assertError(cm, "ResourceNotFoundException", 404, name)
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.delete_policy_version(
                policyName=unique_name("ghost"), policyVersionId="2")


class PolicyAttachTest(PolicyTestCase):

    def attached(self, target, **kw):
        out = self.iot.list_attached_policies(target=target, **kw)
        for p in out["policies"]:
            self.assertEqual(p["policyArn"], policy_arn(p["policyName"]))
        return [p["policyName"] for p in out["policies"]]

    def test_attach_list_both_ways_detach(self):
        name, group = self.create(), self.group()
        self.assertEqual(self.iot.attach_policy(
            policyName=name, target=group_arn(group))["ResponseMetadata"]
            ["HTTPStatusCode"], 200)
        self.assertEqual(self.attached(group_arn(group)), [name])
        self.assertEqual(self.iot.list_targets_for_policy(
            policyName=name)["targets"], [group_arn(group)])
        self.iot.detach_policy(policyName=name, target=group_arn(group))
        self.assertEqual(self.attached(group_arn(group)), [])
        self.assertEqual(self.iot.list_targets_for_policy(
            policyName=name)["targets"], [])

    def test_attach_twice_attaches_once(self):
        name, group = self.create(), self.group()
        for _ in range(2):
            self.iot.attach_policy(policyName=name, target=group_arn(group))
        self.assertEqual(self.attached(group_arn(group)), [name])

    def test_attach_missing_policy_is_not_found(self):
        group = self.group()
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.attach_policy(policyName=ghost, target=group_arn(group))
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_attach_to_missing_group_or_certificate_is_not_found(self):
        name = self.create()
        ghost = unique_name("ghost")
        for target, word in ((group_arn(ghost), ghost),
                             (cert_arn("ab" * 32), "ab" * 32)):
            with self.subTest(target=target), self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException) as cm:
                self.iot.attach_policy(policyName=name, target=target)
            self.assertError(cm, "ResourceNotFoundException", 404, word)

    def test_attach_to_what_is_no_target_is_invalid(self):
        name, group = self.create(), self.group()
        targets = (
            "us-east-1:11111111-2222-3333-4444-555555555555",   # Cognito
            "arn:aws:iot:eu-west-1:%s:thinggroup/%s" % (ACCOUNT_ID, group),
            "arn:aws:iot:%s:999999999999:thinggroup/%s" % (REGION, group),
            PREFIX + "thing/" + group,
            PREFIX + "cert/ABC",
            PREFIX + "thinggroup/",
        )
        for target in targets:
            with self.subTest(target=target), self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.iot.attach_policy(policyName=name, target=target)
            self.assertError(cm, "InvalidRequestException", 400, "target")

    def test_at_most_ten_policies_per_target(self):
        group = self.group()
        for _ in range(10):
            self.iot.attach_policy(policyName=self.create(),
                                   target=group_arn(group))
        extra = self.create()
        with self.assertRaises(
                self.iot.exceptions.LimitExceededException) as cm:
            self.iot.attach_policy(policyName=extra, target=group_arn(group))
        self.assertError(cm, "LimitExceededException", 410,
                         group_arn(group))
        self.assertEqual(len(self.attached(group_arn(group))), 10)
        self.assertEqual(self.iot.list_targets_for_policy(
            policyName=extra)["targets"], [])

    def test_deleting_a_group_detaches_its_policies(self):
        name, group = self.create(), self.group()
        self.iot.attach_policy(policyName=name, target=group_arn(group))
        self.iot.delete_thing_group(thingGroupName=group)
        self.assertEqual(self.iot.list_targets_for_policy(
            policyName=name)["targets"], [])
        self.iot.create_thing_group(thingGroupName=group)
        self.assertEqual(self.attached(group_arn(group)), [])
        self.iot.delete_policy(policyName=name)

    def test_detach_what_is_not_attached_succeeds(self):
        name, group = self.create(), self.group()
        self.iot.detach_policy(policyName=name, target=group_arn(group))
        self.iot.detach_policy(policyName=unique_name("ghost"),
                               target=group_arn(unique_name("ghost")))

    def test_detach_from_what_is_no_target_is_invalid(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.detach_policy(policyName=self.create(),
                                   target="not-an-arn")
        self.assertError(cm, "InvalidRequestException", 400, "target")

    def test_list_attached_recursive_includes_ancestors(self):
        root = self.group()
        mid = self.group(root)
        leaf = self.group(mid)
        p_root, p_leaf, p_both = (self.create("a" + unique_name()),
                                  self.create("b" + unique_name()),
                                  self.create("c" + unique_name()))
        self.iot.attach_policy(policyName=p_root, target=group_arn(root))
        self.iot.attach_policy(policyName=p_both, target=group_arn(root))
        self.iot.attach_policy(policyName=p_both, target=group_arn(leaf))
        self.iot.attach_policy(policyName=p_leaf, target=group_arn(leaf))
        self.assertEqual(self.attached(group_arn(leaf)), [p_leaf, p_both])
        self.assertEqual(self.attached(group_arn(leaf), recursive=True),
                         [p_root, p_leaf, p_both])
        self.assertEqual(self.attached(group_arn(mid), recursive=True),
                         [p_root, p_both])
        self.assertEqual(self.attached(group_arn(mid)), [])

    def test_list_attached_pages(self):
        group = self.group()
        names = sorted(self.create() for _ in range(3))
        for n in names:
            self.iot.attach_policy(policyName=n, target=group_arn(group))
        seen, marker = [], None
        for _ in range(3):
            kw = {"marker": marker} if marker else {}
            out = self.iot.list_attached_policies(target=group_arn(group),
                                                  pageSize=1, **kw)
            seen += [p["policyName"] for p in out["policies"]]
            marker = out.get("nextMarker")
        self.assertEqual(seen, names)
        self.assertIsNone(marker)

    def test_list_attached_of_missing_target_is_not_found(self):
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_attached_policies(target=group_arn(ghost))
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_attached_policies(target="nothing")
        self.assertError(cm, "InvalidRequestException", 400, "target")

    def test_list_targets_pages(self):
        name = self.create()
        groups = sorted(group_arn(self.group()) for _ in range(3))
        for g in groups:
            self.iot.attach_policy(policyName=name, target=g)
        seen, marker = [], None
        for _ in range(2):
            kw = {"marker": marker} if marker else {}
            out = self.iot.list_targets_for_policy(policyName=name,
                                                   pageSize=2, **kw)
            seen += out["targets"]
            marker = out.get("nextMarker")
        self.assertEqual(seen, groups)
        self.assertIsNone(marker)

    def test_list_targets_of_missing_policy_is_not_found(self):
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_targets_for_policy(policyName=ghost)
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_invalid_marker_is_invalid_request(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_targets_for_policy(policyName=self.create(),
                                             marker="AAAA")
        self.assertError(cm, "InvalidRequestException", 400, "marker")


class PrincipalPolicyTest(PolicyTestCase):
    """The deprecated forms, with the principal in x-amzn-iot-principal."""

    test_clock = True

    def test_attach_list_both_ways_detach(self):
        group = group_arn(self.group())
        first, second = self.create("z" + unique_name()), self.create()
        self.iot.attach_principal_policy(policyName=first, principal=group)
        self.daemon.advance(1)
        self.iot.attach_principal_policy(policyName=second, principal=group)
        out = self.iot.list_principal_policies(principal=group)
        self.assertEqual([p["policyName"] for p in out["policies"]],
                         [first, second])
        self.assertEqual(out["policies"][0]["policyArn"], policy_arn(first))
        out = self.iot.list_principal_policies(principal=group,
                                               ascendingOrder=False)
        self.assertEqual([p["policyName"] for p in out["policies"]],
                         [second, first])
        self.assertEqual(self.iot.list_policy_principals(
            policyName=first)["principals"], [group])
        self.assertEqual(self.iot.list_attached_policies(
            target=group)["policies"][1]["policyName"], first)
        self.iot.detach_principal_policy(policyName=first, principal=group)
        self.assertEqual(self.iot.list_policy_principals(
            policyName=first)["principals"], [])

    def test_list_principal_policies_pages(self):
        group = group_arn(self.group())
        names = []
        for _ in range(3):
            names.append(self.create())
            self.iot.attach_principal_policy(policyName=names[-1],
                                             principal=group)
            self.daemon.advance(1)
        seen, marker = [], None
        for _ in range(3):
            kw = {"marker": marker} if marker else {}
            out = self.iot.list_principal_policies(principal=group,
                                                   pageSize=1, **kw)
            seen += [p["policyName"] for p in out["policies"]]
            marker = out.get("nextMarker")
        self.assertEqual(seen, names)
        self.assertIsNone(marker)

    def test_list_policy_principals_pages(self):
        name = self.create()
        groups = []
        for _ in range(3):
            groups.append(group_arn(self.group()))
            self.iot.attach_principal_policy(policyName=name,
                                             principal=groups[-1])
            self.daemon.advance(1)
        out = self.iot.list_policy_principals(policyName=name, pageSize=2,
                                              ascendingOrder=False)
        self.assertEqual(out["principals"], groups[:0:-1])
        out = self.iot.list_policy_principals(
            policyName=name, pageSize=2, ascendingOrder=False,
            marker=out["nextMarker"])
        self.assertEqual(out["principals"], groups[:1])
        self.assertNotIn("nextMarker", out)

    def test_errors(self):
        group = group_arn(self.group())
        ghost = unique_name("ghost")
        for call in (
                lambda: self.iot.attach_principal_policy(
                    policyName=ghost, principal=group),
                lambda: self.iot.detach_principal_policy(
                    policyName=ghost, principal=group),
                lambda: self.iot.list_policy_principals(policyName=ghost),
                lambda: self.iot.list_principal_policies(
                    principal=group_arn(ghost))):
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException) as cm:
                call()
            self.assertError(cm, "ResourceNotFoundException", 404, ghost)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.attach_principal_policy(policyName=self.create(),
                                             principal="nobody")
        self.assertError(cm, "InvalidRequestException", 400, "principal")


if __name__ == "__main__":
    unittest.main()
