# SPDX-License-Identifier: Apache-2.0
"""Thing principals through boto3's 'iot' client: AttachThingPrincipal
(EXCLUSIVE_THING and NON_EXCLUSIVE_THING), DetachThingPrincipal,
ListThingPrincipals(V2), ListPrincipalThings(V2), DeleteThing refused
while a principal is attached, and policies attached to certificates
(made by CreateKeysAndCertificate)."""

import unittest

import botocore

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name

PREFIX = "arn:aws:iot:%s:%s:" % (REGION, ACCOUNT_ID)
EXCLUSIVE = "EXCLUSIVE_THING"
NON_EXCLUSIVE = "NON_EXCLUSIVE_THING"


def cert_arn(cert_id):
    return PREFIX + "cert/" + cert_id


def make_cert(case):
    """A new ACTIVE certificate of CASE's daemon: its ARN."""
    return case.iot.create_keys_and_certificate(
        setAsActive=True)["certificateArn"]


class PrincipalTestCase(DaemonTestCase):

    def thing(self):
        name = unique_name("dev")
        self.iot.create_thing(thingName=name)
        return name

    def cert(self):
        return make_cert(self)

    def requireType(self):
        """Skips unless this botocore knows thingPrincipalType (Debian's
        1.29 predates exclusive attachments)."""
        op = self.iot.meta.service_model.operation_model(
            "AttachThingPrincipal")
        if "thingPrincipalType" not in op.input_shape.members:
            self.skipTest("botocore %s has no thingPrincipalType" %
                          botocore.__version__)

    def attach(self, thing, principal, kind=None):
        kw = {"thingPrincipalType": kind} if kind else {}
        return self.iot.attach_thing_principal(thingName=thing,
                                               principal=principal, **kw)

    def principals(self, thing):
        return self.iot.list_thing_principals(thingName=thing)["principals"]

    def things(self, principal):
        return self.iot.list_principal_things(principal=principal)["things"]

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)


class PrincipalErrorTest(PrincipalTestCase):
    """What needs no certificate: the checks before one is looked at."""

    UNKNOWN = cert_arn("cd" * 32)

    def test_attach_to_missing_thing_is_not_found(self):
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.attach(ghost, self.UNKNOWN)
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_attach_unknown_certificate_is_not_found(self):
        thing = self.thing()
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.attach(thing, self.UNKNOWN)
        self.assertError(cm, "ResourceNotFoundException", 404, "cd" * 32)
        self.assertEqual(self.principals(thing), [])

    def test_attach_what_is_no_certificate_is_invalid(self):
        thing = self.thing()
        for principal in (
                "us-east-1:11111111-2222-3333-4444-555555555555",
                PREFIX + "thinggroup/g",
                "arn:aws:iot:%s:999999999999:cert/%s" % (REGION, "ab" * 32),
                cert_arn("AB" * 32),
                cert_arn("ab" * 31)):
            with self.subTest(principal=principal), self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.attach(thing, principal)
            self.assertError(cm, "InvalidRequestException", 400,
                             "principal")

    def test_detach_from_missing_thing_is_not_found(self):
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.detach_thing_principal(thingName=ghost,
                                            principal=self.UNKNOWN)
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_detach_what_is_not_attached_succeeds(self):
        self.iot.detach_thing_principal(thingName=self.thing(),
                                        principal=self.UNKNOWN)

    def test_detach_what_is_no_certificate_is_invalid(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.detach_thing_principal(thingName=self.thing(),
                                            principal="nobody")
        self.assertError(cm, "InvalidRequestException", 400, "principal")

    def test_list_principals_of_missing_thing_is_not_found(self):
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.principals(ghost)
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)

    def test_new_thing_has_no_principals(self):
        self.assertEqual(self.principals(self.thing()), [])

    def test_list_things_of_unknown_certificate_is_not_found(self):
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.things(self.UNKNOWN)
        self.assertError(cm, "ResourceNotFoundException", 404, "cd" * 32)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.things("nobody")
        self.assertError(cm, "InvalidRequestException", 400, "principal")

    def test_invalid_next_token_is_invalid_request(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_thing_principals(thingName=self.thing(),
                                           nextToken="!!")
        self.assertError(cm, "InvalidRequestException", 400, "nextToken")

    def test_delete_thing_without_principals(self):
        thing = self.thing()
        self.iot.delete_thing(thingName=thing)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName=thing)


class PrincipalTest(PrincipalTestCase):

    def test_attach_list_both_ways_detach(self):
        thing, cert = self.thing(), self.cert()
        out = self.attach(thing, cert)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.principals(thing), [cert])
        self.assertEqual(self.things(cert), [thing])
        self.iot.detach_thing_principal(thingName=thing, principal=cert)
        self.assertEqual(self.principals(thing), [])
        self.assertEqual(self.things(cert), [])

    def test_attach_twice_attaches_once(self):
        thing, cert = self.thing(), self.cert()
        self.attach(thing, cert)
        self.attach(thing, cert)
        self.assertEqual(self.principals(thing), [cert])

    def test_delete_thing_refused_while_a_principal_is_attached(self):
        thing, cert = self.thing(), self.cert()
        self.attach(thing, cert)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.delete_thing(thingName=thing)
        self.assertError(cm, "InvalidRequestException", 400,
                         "Cannot delete. Thing %s is still attached to one "
                         "or more principals" % thing)
        self.assertEqual(self.iot.describe_thing(thingName=thing)
                         ["thingName"], thing)
        self.iot.detach_thing_principal(thingName=thing, principal=cert)
        self.iot.delete_thing(thingName=thing)
        with self.assertRaises(self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing(thingName=thing)
        self.assertEqual(self.things(cert), [])

    def test_list_principal_things_pages(self):
        cert = self.cert()
        things = sorted(self.thing() for _ in range(3))
        for t in things:
            self.attach(t, cert)
        seen, token = [], None
        for _ in range(3):
            kw = {"nextToken": token} if token else {}
            out = self.iot.list_principal_things(principal=cert,
                                                 maxResults=1, **kw)
            seen += out["things"]
            token = out.get("nextToken")
        self.assertEqual(seen, things)
        self.assertIsNone(token)

    def test_list_thing_principals_pages(self):
        thing = self.thing()
        certs = sorted(self.cert() for _ in range(2))
        for c in certs:
            self.attach(thing, c)
        out = self.iot.list_thing_principals(thingName=thing, maxResults=1)
        self.assertEqual(out["principals"], certs[:1])
        out = self.iot.list_thing_principals(thingName=thing, maxResults=1,
                                             nextToken=out["nextToken"])
        self.assertEqual(out["principals"], certs[1:])
        self.assertNotIn("nextToken", out)

    def test_policy_attached_to_a_certificate(self):
        cert = self.cert()
        name = unique_name("pol")
        self.iot.create_policy(policyName=name, policyDocument='{"Version":'
                               '"2012-10-17","Statement":[{"Effect":"Allow",'
                               '"Action":"iot:Connect","Resource":"*"}]}')
        self.iot.attach_policy(policyName=name, target=cert)
        self.assertEqual([p["policyName"] for p in self.iot.
                          list_attached_policies(target=cert)["policies"]],
                         [name])
        self.assertEqual([p["policyName"] for p in self.iot.
                          list_attached_policies(target=cert,
                                                 recursive=True)
                          ["policies"]], [name])
        self.assertEqual(self.iot.list_targets_for_policy(
            policyName=name)["targets"], [cert])
        self.assertEqual([p["policyName"] for p in self.iot.
                          list_principal_policies(principal=cert)
                          ["policies"]], [name])
        self.assertEqual(self.iot.list_policy_principals(
            policyName=name)["principals"], [cert])
        with self.assertRaises(
                self.iot.exceptions.DeleteConflictException):
            self.iot.delete_policy(policyName=name)
        self.iot.detach_policy(policyName=name, target=cert)
        self.iot.delete_policy(policyName=name)

    def test_at_most_ten_policies_per_certificate(self):
        cert = self.cert()
        doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
               '"Action":"iot:Connect","Resource":"*"}]}')
        names = [unique_name("pol") for _ in range(11)]
        for n in names:
            self.iot.create_policy(policyName=n, policyDocument=doc)
        for n in names[:10]:
            self.iot.attach_policy(policyName=n, target=cert)
        with self.assertRaises(
                self.iot.exceptions.LimitExceededException) as cm:
            self.iot.attach_policy(policyName=names[10], target=cert)
        self.assertError(cm, "LimitExceededException", 410, cert)
        self.iot.attach_policy(policyName=names[0], target=cert)
        self.assertEqual(len(self.iot.list_attached_policies(
            target=cert)["policies"]), 10)


class ExclusiveTest(PrincipalTestCase):

    def setUp(self):
        self.requireType()

    def test_default_type_is_non_exclusive(self):
        self.requireOperation(self.iot, "list_thing_principals_v2")
        thing, cert = self.thing(), self.cert()
        self.attach(thing, cert)
        out = self.iot.list_thing_principals_v2(thingName=thing)
        self.assertEqual(out["thingPrincipalObjects"], [
            {"principal": cert, "thingPrincipalType": NON_EXCLUSIVE}])

    def test_exclusive_certificate_cannot_join_another_thing(self):
        t1, t2, cert = self.thing(), self.thing(), self.cert()
        self.attach(t1, cert, EXCLUSIVE)
        self.attach(t1, cert, EXCLUSIVE)
        for kind in (None, NON_EXCLUSIVE, EXCLUSIVE):
            with self.subTest(kind=kind), self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.attach(t2, cert, kind)
            self.assertError(cm, "InvalidRequestException", 400, cert, t1)
        self.assertEqual(self.things(cert), [t1])
        self.iot.detach_thing_principal(thingName=t1, principal=cert)
        self.attach(t2, cert)
        self.assertEqual(self.things(cert), [t2])

    def test_shared_certificate_cannot_become_exclusive(self):
        t1, t2, t3, cert = self.thing(), self.thing(), self.thing(), \
            self.cert()
        self.attach(t1, cert, NON_EXCLUSIVE)
        self.attach(t2, cert)
        for thing in (t3, t1):
            with self.subTest(thing=thing), self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.attach(thing, cert, EXCLUSIVE)
            self.assertError(cm, "InvalidRequestException", 400, cert,
                             EXCLUSIVE)
        self.assertEqual(sorted(self.things(cert)), sorted([t1, t2]))

    def test_sole_attachment_can_become_exclusive(self):
        self.requireOperation(self.iot, "list_principal_things_v2")
        t1, t2, cert = self.thing(), self.thing(), self.cert()
        self.attach(t1, cert)
        self.attach(t1, cert, EXCLUSIVE)
        out = self.iot.list_principal_things_v2(principal=cert)
        self.assertEqual(out["principalThingObjects"], [
            {"thingName": t1, "thingPrincipalType": EXCLUSIVE}])
        with self.assertRaises(self.iot.exceptions.InvalidRequestException):
            self.attach(t2, cert)

    def test_v2_lists_filter_on_the_type(self):
        self.requireOperation(self.iot, "list_thing_principals_v2")
        self.requireOperation(self.iot, "list_principal_things_v2")
        thing, excl, shared = self.thing(), self.cert(), self.cert()
        other = self.thing()
        self.attach(thing, excl, EXCLUSIVE)
        self.attach(thing, shared)
        self.attach(other, shared)
        v2 = self.iot.list_thing_principals_v2
        self.assertEqual(sorted(
            (o["principal"], o["thingPrincipalType"]) for o in
            v2(thingName=thing)["thingPrincipalObjects"]),
            sorted([(excl, EXCLUSIVE), (shared, NON_EXCLUSIVE)]))
        self.assertEqual(v2(thingName=thing, thingPrincipalType=EXCLUSIVE)
                         ["thingPrincipalObjects"],
                         [{"principal": excl,
                           "thingPrincipalType": EXCLUSIVE}])
        out = self.iot.list_principal_things_v2(
            principal=shared, thingPrincipalType=NON_EXCLUSIVE)
        self.assertEqual(sorted(o["thingName"] for o in
                                out["principalThingObjects"]),
                         sorted([thing, other]))
        self.assertEqual(self.iot.list_principal_things_v2(
            principal=shared, thingPrincipalType=EXCLUSIVE)
            ["principalThingObjects"], [])
        out = v2(thingName=thing, maxResults=1)
        self.assertEqual(len(out["thingPrincipalObjects"]), 1)
        out = v2(thingName=thing, maxResults=1, nextToken=out["nextToken"])
        self.assertEqual(len(out["thingPrincipalObjects"]), 1)
        self.assertNotIn("nextToken", out)

    def test_v2_lists_of_missing_things_and_certificates(self):
        self.requireOperation(self.iot, "list_thing_principals_v2")
        ghost = unique_name("ghost")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_thing_principals_v2(thingName=ghost)
        self.assertError(cm, "ResourceNotFoundException", 404, ghost)
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_principal_things_v2(principal=cert_arn("ef" * 32))
        self.assertError(cm, "ResourceNotFoundException", 404, "ef" * 32)


if __name__ == "__main__":
    unittest.main()
