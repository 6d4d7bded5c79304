# SPDX-License-Identifier: Apache-2.0
"""Tags through boto3's 'iot' client: given at creation and round-tripped
through ListTagsForResource, TagResource and UntagResource for every kind
of resource iotjobs tags (jobs, job templates, thing groups, dynamic thing
groups, thing types, commands, policies, CA certificates); gone with their
resource; the limits (50 per resource, the reserved aws: prefix,
duplicates), the ARN errors, and ListTagsForResource's pages."""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import (ACCOUNT_ID, REGION, DaemonTestCase, sqlite_only,
                     store_env, unique_name)

DOC = '{"op":"noop"}'
POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
          '"Action":"iot:Connect","Resource":"*"}]}')


def arn(kind, name):
    return "arn:aws:iot:%s:%s:%s/%s" % (REGION, ACCOUNT_ID, kind, name)


def tags_of(*pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True,
                   capture_output=True)


class TagsCase(DaemonTestCase):

    def list_tags(self, resource_arn):
        out = []
        for page in self.iot.get_paginator(
                "list_tags_for_resource").paginate(resourceArn=resource_arn):
            out += page["tags"]
        return sorted((t["Key"], t.get("Value", "")) for t in out)

    def assertError(self, cm, code, status, *words):
        self.assertClientError(cm.exception, code, status)
        msg = cm.exception.response["Error"]["Message"]
        for w in words:
            self.assertIn(w, msg)

    # One maker per resource kind: (ARN, a function that deletes it).

    def make_job(self, tags):
        job = unique_name("job")
        thing = unique_name("t")
        self.iot.create_thing(thingName=thing)
        self.iot.create_job(jobId=job, targets=[arn("thing", thing)],
                            document=DOC, tags=tags)

        def delete():
            self.iot.delete_job(jobId=job, force=True)
        return arn("job", job), delete

    def make_template(self, tags):
        tid = unique_name("tpl")
        self.iot.create_job_template(jobTemplateId=tid, description="d",
                                     document=DOC, tags=tags)
        return arn("jobtemplate", tid), lambda: \
            self.iot.delete_job_template(jobTemplateId=tid)

    def make_group(self, tags):
        name = unique_name("g")
        self.iot.create_thing_group(thingGroupName=name, tags=tags)
        return arn("thinggroup", name), lambda: \
            self.iot.delete_thing_group(thingGroupName=name)

    def make_dynamic_group(self, tags):
        name = unique_name("dg")
        self.iot.create_dynamic_thing_group(
            thingGroupName=name, queryString="thingName:x*", tags=tags)
        return arn("thinggroup", name), lambda: \
            self.iot.delete_dynamic_thing_group(thingGroupName=name)

    def make_type(self, tags):
        name = unique_name("tt")
        self.iot.create_thing_type(thingTypeName=name, tags=tags)

        def delete():
            self.iot.deprecate_thing_type(thingTypeName=name)
            self.daemon.advance(300)
            self.iot.delete_thing_type(thingTypeName=name)
        return arn("thingtype", name), delete

    def make_command(self, tags):
        cid = unique_name("cmd")
        self.iot.create_command(
            commandId=cid, payload={"content": b'{"op":"reboot"}',
                                    "contentType": "application/json"},
            tags=tags)

        def delete():
            self.iot.update_command(commandId=cid, deprecated=True)
            self.daemon.advance(24 * 3600)
            self.iot.delete_command(commandId=cid)
        return arn("command", cid), delete

    def make_policy(self, tags):
        name = unique_name("pol")
        self.iot.create_policy(policyName=name, policyDocument=POLICY,
                               tags=tags)
        return arn("policy", name), lambda: \
            self.iot.delete_policy(policyName=name)

    def make_ca(self, tags):
        d = tempfile.mkdtemp(prefix="iotjobs-tags-")
        self.addCleanup(shutil.rmtree, d, True)
        p = lambda f: os.path.join(d, f)  # noqa: E731
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"),
                "-subj", "/CN=" + unique_name("ca"), "-days", "30",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", p("ca.crt"))
        code = self.iot.get_registration_code()["registrationCode"]
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("v.key"),
                "-subj", "/CN=" + code, "-out", p("v.csr"))
        openssl("x509", "-req", "-in", p("v.csr"), "-CA", p("ca.crt"),
                "-CAkey", p("ca.key"), "-set_serial", "7", "-days", "1",
                "-out", p("v.crt"))
        with open(p("ca.crt")) as f:
            ca = f.read()
        with open(p("v.crt")) as f:
            ver = f.read()
        out = self.iot.register_ca_certificate(
            caCertificate=ca, verificationCertificate=ver, tags=tags)
        cid = out["certificateId"]
        self.assertEqual(out["certificateArn"], arn("cacert", cid))
        return out["certificateArn"], lambda: \
            self.iot.delete_ca_certificate(certificateId=cid)


class RoundTripTest(TagsCase):

    test_clock = True

    def round_trip(self, make):
        resource, delete = make(tags_of(("team", "fw"), ("cost", "")))
        self.assertEqual(self.list_tags(resource),
                         [("cost", ""), ("team", "fw")])
        self.iot.tag_resource(resourceArn=resource,
                              tags=tags_of(("team", "ops"), ("env", "lab")))
        self.assertEqual(self.list_tags(resource),
                         [("cost", ""), ("env", "lab"), ("team", "ops")])
        self.iot.untag_resource(resourceArn=resource,
                                tagKeys=["cost", "absent"])
        self.assertEqual(self.list_tags(resource),
                         [("env", "lab"), ("team", "ops")])
        delete()
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException) as cm:
            self.iot.list_tags_for_resource(resourceArn=resource)
        self.assertError(cm, "ResourceNotFoundException", 404, resource)
        return resource

    def test_job(self):
        self.round_trip(self.make_job)

    def test_job_template(self):
        self.round_trip(self.make_template)

    def test_thing_group(self):
        resource = self.round_trip(self.make_group)
        # A group created again under the name starts without tags.
        name = resource.rsplit("/", 1)[1]
        self.iot.create_thing_group(thingGroupName=name)
        self.assertEqual(self.list_tags(resource), [])

    def test_dynamic_thing_group(self):
        self.round_trip(self.make_dynamic_group)

    def test_thing_type(self):
        self.round_trip(self.make_type)

    def test_command(self):
        self.requireOperation(self.iot, "create_command")
        self.round_trip(self.make_command)

    def test_command_deleted_later_loses_its_tags_then(self):
        self.requireOperation(self.iot, "create_command")
        resource, _ = self.make_command(tags_of(("a", "1")))
        cid = resource.rsplit("/", 1)[1]
        self.iot.delete_command(commandId=cid)    # pending for 12 hours
        self.assertEqual(self.list_tags(resource), [("a", "1")])
        self.daemon.advance(12 * 3600)
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.list_tags_for_resource(resourceArn=resource)
        self.iot.create_command(
            commandId=cid, payload={"content": b'{"op":"x"}',
                                    "contentType": "application/json"})
        self.assertEqual(self.list_tags(resource), [])

    def test_policy(self):
        self.round_trip(self.make_policy)

    def test_ca_certificate(self):
        self.round_trip(self.make_ca)

    def test_created_without_tags_has_none(self):
        resource, _ = self.make_template([])
        self.assertEqual(self.iot.list_tags_for_resource(
            resourceArn=resource)["tags"], [])


class LimitsTest(TagsCase):

    def test_fifty_tags_at_creation_fifty_one_refused(self):
        resource, _ = self.make_group(
            tags_of(*[("k%02d" % i, "v") for i in range(50)]))
        self.assertEqual(len(self.list_tags(resource)), 50)
        name = unique_name("g")
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing_group(
                thingGroupName=name,
                tags=tags_of(*[("k%02d" % i, "v") for i in range(51)]))
        self.assertError(cm, "InvalidRequestException", 400, "tags", "50")
        with self.assertRaises(
                self.iot.exceptions.ResourceNotFoundException):
            self.iot.describe_thing_group(thingGroupName=name)

    def test_tag_resource_past_fifty_is_limit_exceeded(self):
        resource, _ = self.make_group(
            tags_of(*[("k%02d" % i, "v") for i in range(49)]))
        # Replacing keeps the count: still 49.
        self.iot.tag_resource(resourceArn=resource,
                              tags=tags_of(("k00", "again")))
        with self.assertRaises(
                self.iot.exceptions.LimitExceededException) as cm:
            self.iot.tag_resource(resourceArn=resource,
                                  tags=tags_of(("x", "1"), ("y", "2")))
        self.assertError(cm, "LimitExceededException", 410, "50")
        self.assertEqual(len(self.list_tags(resource)), 49)
        self.iot.tag_resource(resourceArn=resource, tags=tags_of(("x", "1")))
        self.assertEqual(len(self.list_tags(resource)), 50)

    def test_aws_prefix_is_reserved(self):
        resource, _ = self.make_group([])
        for key in ("aws:owner", "AWS:owner"):
            with self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.iot.tag_resource(resourceArn=resource,
                                      tags=tags_of((key, "me")))
            self.assertError(cm, "InvalidRequestException", 400, key,
                             "reserved")
            with self.assertRaises(
                    self.iot.exceptions.InvalidRequestException):
                self.iot.untag_resource(resourceArn=resource,
                                        tagKeys=[key])
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_thing_type(thingTypeName=unique_name("tt"),
                                       tags=tags_of(("aws:x", "1")))
        self.assertError(cm, "InvalidRequestException", 400, "reserved")

    def test_a_key_twice_is_refused(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.create_policy(
                policyName=unique_name("pol"), policyDocument=POLICY,
                tags=tags_of(("a", "1"), ("a", "2")))
        self.assertError(cm, "InvalidRequestException", 400, "twice")

    def test_key_outside_the_pattern_is_refused(self):
        resource, _ = self.make_group([])
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.tag_resource(resourceArn=resource,
                                  tags=tags_of(("bad!key", "v")))
        self.assertError(cm, "InvalidRequestException", 400, "Key")

    def test_unicode_keys_and_values(self):
        resource, _ = self.make_group(tags_of(("Größe", "groß / 大")))
        self.assertEqual(self.list_tags(resource), [("Größe", "groß / 大")])


class ArnTest(TagsCase):

    def test_not_an_arn_is_invalid(self):
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.list_tags_for_resource(resourceArn="my-group")
        self.assertError(cm, "InvalidRequestException", 400, "my-group")

    def test_another_account_or_region_is_not_found(self):
        for other in ("arn:aws:iot:eu-west-1:%s:thinggroup/g" % ACCOUNT_ID,
                      "arn:aws:iot:%s:999999999999:thinggroup/g" % REGION):
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException):
                self.iot.tag_resource(resourceArn=other,
                                      tags=tags_of(("a", "b")))

    def test_missing_resource_is_not_found(self):
        for kind in ("job", "jobtemplate", "thinggroup", "thingtype",
                     "command", "policy", "cacert"):
            resource = arn(kind, unique_name("none"))
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException) as cm:
                self.iot.tag_resource(resourceArn=resource,
                                      tags=tags_of(("a", "b")))
            self.assertError(cm, "ResourceNotFoundException", 404, resource)
            with self.assertRaises(
                    self.iot.exceptions.ResourceNotFoundException):
                self.iot.untag_resource(resourceArn=resource, tagKeys=["a"])

    def test_a_thing_cannot_be_tagged(self):
        name = unique_name("t")
        self.iot.create_thing(thingName=name)
        with self.assertRaises(
                self.iot.exceptions.InvalidRequestException) as cm:
            self.iot.tag_resource(resourceArn=arn("thing", name),
                                  tags=tags_of(("a", "b")))
        self.assertError(cm, "InvalidRequestException", 400, "thing")


class PagesTest(TagsCase):

    def test_pages_of_twenty_five_in_key_order(self):
        keys = ["k%02d" % i for i in range(30)]
        resource, _ = self.make_group(tags_of(*[(k, k) for k in keys]))
        first = self.iot.list_tags_for_resource(resourceArn=resource)
        self.assertEqual([t["Key"] for t in first["tags"]], keys[:25])
        second = self.iot.list_tags_for_resource(
            resourceArn=resource, nextToken=first["nextToken"])
        self.assertEqual([t["Key"] for t in second["tags"]], keys[25:])
        self.assertNotIn("nextToken", second)
        self.assertEqual(len(self.list_tags(resource)), 30)

    def test_invalid_token(self):
        resource, _ = self.make_group([])
        for token in ("junk", "T1.zz", "T1.", "T1.00"):
            with self.assertRaises(
                    self.iot.exceptions.InvalidRequestException) as cm:
                self.iot.list_tags_for_resource(resourceArn=resource,
                                                nextToken=token)
            self.assertError(cm, "InvalidRequestException", 400,
                             "nextToken")


class UpgradeTest(TagsCase):
    """Schema 0018 moves the tags that jobs, job templates, commands and
    CA certificates kept in their own rows into the tags table."""

    test_clock = True

    # Undoes migration 0018 after putting each resource's tags back where
    # the schema before it kept them.
    DOWNGRADE = """
        UPDATE jobs SET config = json_set(config, '$.tags', json(:tags))
            WHERE job_id = :job;
        UPDATE job_templates SET config = json_set(config, '$.tags',
            json(:tags)) WHERE template_id = :tpl;
        UPDATE commands SET def = json_set(def, '$.tags', json(:tags))
            WHERE command_id = :cmd;
        UPDATE ca_certificates SET tags = :tags WHERE certificate_id = :ca;
        DROP TABLE tags;
        DROP INDEX things_type;
        DROP TABLE thing_types;
        DROP INDEX thing_groups_dynamic;
        ALTER TABLE thing_groups DROP COLUMN query_string;
        ALTER TABLE thing_groups DROP COLUMN query_version;
        ALTER TABLE thing_groups DROP COLUMN index_name;
        DELETE FROM schema_migrations WHERE version = 18;
    """

    @sqlite_only
    def test_tags_kept_in_rows_move_to_the_tags_table(self):
        makers = [self.make_job, self.make_template, self.make_ca]
        # Debian's botocore predates commands: their row stays untagged.
        if hasattr(self.iot, "create_command"):
            makers.append(self.make_command)
        made = [make([]) for make in makers]
        ids = [arn_.rsplit("/", 1)[1] for arn_, _ in made] + ["-"]
        legacy = [{"Key": "team", "Value": "fw"}, {"Key": "cost"}]
        self.daemon.stop()
        db = sqlite3.connect(os.path.join(self.daemon.data_dir,
                                          "iotjobs.db"), timeout=10)
        try:
            for stmt in self.DOWNGRADE.split(";"):
                if stmt.strip():
                    db.execute(stmt, dict(zip(
                        ("job", "tpl", "ca", "cmd"), ids),
                        tags=json.dumps(legacy)))
            db.commit()
        finally:
            db.close()
        self.daemon.start()
        for arn_, _ in made:
            self.assertEqual(self.list_tags(arn_),
                             [("cost", ""), ("team", "fw")], arn_)
        db = sqlite3.connect(os.path.join(self.daemon.data_dir,
                                          "iotjobs.db"), timeout=10)
        try:
            rows = db.execute(
                "SELECT json_type(config, '$.tags') FROM jobs UNION ALL"
                " SELECT json_type(config, '$.tags') FROM job_templates"
                " UNION ALL SELECT json_type(def, '$.tags') FROM commands"
                " UNION ALL SELECT tags FROM ca_certificates").fetchall()
        finally:
            db.close()
        self.assertEqual(set(r[0] for r in rows), {None})
        d = self.iot.describe_job(jobId=ids[0])["job"]
        self.assertEqual(d["jobId"], ids[0])


class AuthorizationTest(TagsCase):
    """The tag operations are authorized on resourceArn, the thing type
    operations on thingtype/NAME, CreateDynamicThingGroup on
    thinggroup/NAME, as every operation is (auth/authz.c)."""

    POLICY = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["iot:TagResource", "iot:ListTagsForResource",
                   "iot:CreateThingType", "iot:CreateDynamicThingGroup"],
        "Resource": [arn("thinggroup", "team-*"),
                     arn("thingtype", "team-*")]}]}

    def operator(self):
        path = os.path.join(self.daemon.workdir, "tags-policy.json")
        with open(path, "w") as f:
            json.dump(self.POLICY, f)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IOTJOBS_")}
        env.update(store_env(self.daemon.data_dir))
        r = subprocess.run([self.daemon.binary, "credentials", "create",
                            "--name", unique_name("op"), "--policy-file",
                            path, "--output", "json"], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        c = self.daemon.iot_client(access_key=out["accessKeyId"],
                                   secret_key=out["secretAccessKey"])
        self.addCleanup(c.close)
        return c

    def test_policy_decides_on_the_resource_arn(self):
        op = self.operator()
        mine, other = unique_name("team-g"), unique_name("g")
        for name in (mine, other):
            self.iot.create_thing_group(thingGroupName=name)
        op.tag_resource(resourceArn=arn("thinggroup", mine),
                        tags=tags_of(("a", "1")))
        self.assertEqual(op.list_tags_for_resource(
            resourceArn=arn("thinggroup", mine))["tags"],
            [{"Key": "a", "Value": "1"}])
        denied = [
            lambda: op.tag_resource(resourceArn=arn("thinggroup", other),
                                    tags=tags_of(("a", "1"))),
            lambda: op.untag_resource(resourceArn=arn("thinggroup", mine),
                                      tagKeys=["a"]),
            lambda: op.create_thing_type(thingTypeName=unique_name("tt")),
            lambda: op.create_dynamic_thing_group(
                thingGroupName=unique_name("dg"), queryString="thingName:x"),
        ]
        for fn in denied:
            with self.assertRaises(Exception) as cm:
                fn()
            self.assertClientError(cm.exception, "AccessDeniedException",
                                   403)
        op.create_thing_type(thingTypeName=unique_name("team-t"))
        op.create_dynamic_thing_group(thingGroupName=unique_name("team-d"),
                                      queryString="thingName:x")
        self.assertEqual(self.list_tags(arn("thinggroup", other)), [])


if __name__ == "__main__":
    unittest.main()
