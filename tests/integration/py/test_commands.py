# SPDX-License-Identifier: Apache-2.0
"""Commands (WIRE.md 9) through boto3: the control plane's command and
execution operations, StartCommandExecution on the data plane, clientToken
retries and conflicts, validation, timeouts and deletion on the test clock.
Debian's botocore predates commands: every test skips there. Delivery over
MQTT: js/commands.test.mjs."""

import base64
import unittest

from botocore.exceptions import ClientError

from harness import ACCOUNT_ID, REGION, DaemonTestCase, unique_name


def thing_arn(name):
    return "arn:aws:iot:%s:%s:thing/%s" % (REGION, ACCOUNT_ID, name)


def client_arn(name):
    return "arn:aws:iot:%s:%s:client/%s" % (REGION, ACCOUNT_ID, name)


def command_arn(cid):
    return "arn:aws:iot:%s:%s:command/%s" % (REGION, ACCOUNT_ID, cid)


PARAMS = [
    {"name": "speed", "type": "INTEGER", "defaultValue": {"I": 5},
     "valueConditions": [{"comparisonOperator": "IN_RANGE",
                          "operand": {"numberRange": {"min": "1",
                                                      "max": "10"}}}]},
    {"name": "mode", "type": "STRING",
     "valueConditions": [{"comparisonOperator": "IN_SET",
                          "operand": {"strings": ["eco", "sport"]}}]},
]
TEMPLATE = ('{"speed": "${aws:iot:commandexecution::parameter:speed}",'
            ' "mode": "${aws:iot:commandexecution::parameter:mode}"}')


class CommandsTest(DaemonTestCase):

    test_clock = True

    def setUp(self):
        self.requireOperation(self.iot, "create_command")
        self.requireOperation(self.data, "start_command_execution")

    def static_command(self, **kw):
        cid = unique_name("cmd")
        self.iot.create_command(
            commandId=cid, payload={"content": b'{"op":"reboot"}',
                                    "contentType": "application/json"},
            **kw)
        return cid

    def dynamic_command(self):
        cid = unique_name("dyn")
        self.iot.create_command(
            commandId=cid, payloadTemplate=TEMPLATE,
            preprocessor={"awsJsonSubstitution": {"outputFormat": "JSON"}},
            mandatoryParameters=PARAMS)
        return cid

    def thing(self):
        name = unique_name("dev")
        self.iot.create_thing(thingName=name)
        return name

    def assertValidation(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertClientError(cm.exception, "ValidationException", 400)
        return cm.exception.response["Error"]["Message"]

    def test_create_get_list_update(self):
        cid = self.static_command(displayName="Reboot",
                                  description="reboots")
        got = self.iot.get_command(commandId=cid)
        self.assertEqual(got["commandArn"], command_arn(cid))
        self.assertEqual(got["namespace"], "AWS-IoT")
        self.assertEqual(got["payload"]["content"], b'{"op":"reboot"}')
        self.assertEqual(got["payload"]["contentType"], "application/json")
        self.assertFalse(got["deprecated"])
        self.assertFalse(got["pendingDeletion"])
        dyn = self.dynamic_command()
        got = self.iot.get_command(commandId=dyn)
        self.assertEqual(got["payloadTemplate"], TEMPLATE)
        self.assertEqual(got["mandatoryParameters"][0]["defaultValue"],
                         {"I": 5})
        listed = self.iot.list_commands(commandParameterName="mode")
        self.assertEqual([c["commandId"] for c in listed["commands"]], [dyn])
        out = self.iot.update_command(commandId=cid, displayName="R2",
                                      deprecated=True)
        self.assertEqual((out["displayName"], out["deprecated"],
                          out["description"]), ("R2", True, "reboots"))
        with self.assertRaises(ClientError) as cm:
            self.iot.create_command(commandId=cid, payload={
                "content": b"x", "contentType": "text/plain"})
        self.assertClientError(cm.exception, "ConflictException", 409)

    def test_list_pages_and_order(self):
        ids = [self.static_command() for _ in range(3)]
        seen, token = [], None
        while True:
            kw = {"maxResults": 2, "sortOrder": "ASCENDING"}
            if token:
                kw["nextToken"] = token
            page = self.iot.list_commands(**kw)
            seen += [c["commandId"] for c in page["commands"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual([i for i in seen if i in ids], ids)
        desc = self.iot.list_commands(maxResults=100)["commands"]
        order = [c["commandId"] for c in desc if c["commandId"] in ids]
        self.assertEqual(order, ids[::-1])

    def test_create_validation(self):
        v = self.assertValidation
        v(self.iot.create_command, commandId="bad id!",
          payload={"content": b"x"})
        v(self.iot.create_command, commandId=unique_name("c"))
        v(self.iot.create_command, commandId=unique_name("c"),
          payload={"content": b"x"}, payloadTemplate="{}",
          preprocessor={"awsJsonSubstitution": {"outputFormat": "JSON"}})
        v(self.iot.create_command, commandId=unique_name("c"),
          payloadTemplate="{}")
        v(self.iot.create_command, commandId=unique_name("c"),
          payloadTemplate="{not json",
          preprocessor={"awsJsonSubstitution": {"outputFormat": "JSON"}})
        msg = v(self.iot.create_command, commandId=unique_name("c"),
                payloadTemplate='{"a": "${aws:iot:commandexecution::'
                                'parameter:nope}"}',
                preprocessor={"awsJsonSubstitution":
                              {"outputFormat": "CBOR"}})
        self.assertIn("nope", msg)
        v(self.iot.create_command, commandId=unique_name("c"),
          payloadTemplate=TEMPLATE,
          preprocessor={"awsJsonSubstitution": {"outputFormat": "JSON"}},
          mandatoryParameters=[{"name": "speed", "type": "INTEGER",
                                "defaultValue": {"S": "fast"}},
                               {"name": "mode"}])
        v(self.iot.create_command, commandId=unique_name("c"),
          payloadTemplate=TEMPLATE,
          preprocessor={"awsJsonSubstitution": {"outputFormat": "JSON"}},
          mandatoryParameters=[{"name": "speed", "type": "INTEGER",
                                "defaultValue": {"I": 50},
                                "valueConditions": PARAMS[0][
                                    "valueConditions"]},
                               {"name": "mode"}])
        v(self.iot.create_command, commandId=unique_name("c"),
          payload={"content": b"x"}, roleArn="arn:aws:iam::1:role/r")
        v(self.iot.update_command, commandId=self.static_command())

    def test_start_get_and_parameters(self):
        dyn, t = self.dynamic_command(), self.thing()
        out = self.data.start_command_execution(
            targetArn=thing_arn(t), commandArn=command_arn(dyn),
            parameters={"mode": {"S": "eco"}}, executionTimeoutSeconds=30)
        got = self.iot.get_command_execution(
            executionId=out["executionId"], targetArn=thing_arn(t))
        self.assertEqual(got["status"], "CREATED")
        self.assertEqual(got["parameters"],
                         {"mode": {"S": "eco"}, "speed": {"I": 5}})
        self.assertEqual(got["executionTimeoutSeconds"], 30)
        self.assertEqual(got["commandArn"], command_arn(dyn))
        self.assertNotIn("result", got)
        v = self.assertValidation
        start = self.data.start_command_execution
        v(start, targetArn=thing_arn(t), commandArn=command_arn(dyn))
        v(start, targetArn=thing_arn(t), commandArn=command_arn(dyn),
          parameters={"mode": {"S": "city"}})
        v(start, targetArn=thing_arn(t), commandArn=command_arn(dyn),
          parameters={"mode": {"S": "eco"}, "speed": {"I": 11}})
        v(start, targetArn=thing_arn(t), commandArn=command_arn(dyn),
          parameters={"mode": {"S": "eco"}, "speed": {"L": 3}})
        v(start, targetArn=thing_arn(t), commandArn=command_arn(dyn),
          parameters={"mode": {"S": "eco"}, "extra": {"B": True}})
        v(start, targetArn="arn:aws:iot:%s:%s:thinggroup/g" % (
            REGION, ACCOUNT_ID), commandArn=command_arn(dyn),
          parameters={"mode": {"S": "eco"}})
        v(start, targetArn=thing_arn(t), commandArn="arn:aws:iot:x")
        with self.assertRaises(ClientError) as cm:
            start(targetArn=thing_arn(unique_name("none")),
                  commandArn=command_arn(dyn),
                  parameters={"mode": {"S": "eco"}})
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        with self.assertRaises(ClientError) as cm:
            self.iot.get_command_execution(
                executionId=out["executionId"],
                targetArn=client_arn("other"))
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)

    def test_client_token(self):
        cid = self.static_command()
        kw = {"targetArn": client_arn("c-1"), "commandArn": command_arn(cid),
              "clientToken": unique_name("tok")}
        a = self.data.start_command_execution(**kw)
        b = self.data.start_command_execution(**kw)
        self.assertEqual(a["executionId"], b["executionId"])
        kw["executionTimeoutSeconds"] = 99
        with self.assertRaises(ClientError) as cm:
            self.data.start_command_execution(**kw)
        self.assertClientError(cm.exception, "ConflictException", 409)

    def test_timeout_list_and_delete(self):
        cid, t = self.static_command(), self.thing()
        ex = self.data.start_command_execution(
            targetArn=thing_arn(t), commandArn=command_arn(cid),
            executionTimeoutSeconds=60)["executionId"]
        with self.assertRaises(ClientError) as cm:
            self.iot.delete_command_execution(executionId=ex,
                                              targetArn=thing_arn(t))
        self.assertClientError(cm.exception, "ConflictException", 409)
        self.daemon.advance(61)
        got = self.iot.get_command_execution(executionId=ex,
                                             targetArn=thing_arn(t))
        self.assertEqual(got["status"], "TIMED_OUT")
        self.assertEqual(got["statusReason"]["reasonCode"],
                         "$NO_RESPONSE_FROM_DEVICE")
        listed = self.iot.list_command_executions(targetArn=thing_arn(t))
        self.assertEqual([(e["executionId"], e["status"])
                          for e in listed["commandExecutions"]],
                         [(ex, "TIMED_OUT")])
        self.assertEqual(self.iot.list_command_executions(
            commandArn=command_arn(cid), status="CREATED")[
                "commandExecutions"], [])
        v = self.assertValidation
        v(self.iot.list_command_executions, targetArn=thing_arn(t),
          commandArn=command_arn(cid))
        v(self.iot.list_command_executions,
          startedTimeFilter={"after": "2024-01-01T00:00"},
          completedTimeFilter={"after": "2024-01-01T00:00"})
        v(self.iot.list_command_executions,
          startedTimeFilter={"after": "yesterday"})
        # Two digits per field, no sign, no space: sscanf took all three.
        for bad in ("2024-1-01T00:00", "2024-01-01T 0:00",
                    "2024-+1-01T00:00"):
            self.assertIn(bad, v(self.iot.list_command_executions,
                                 startedTimeFilter={"after": bad}))
        self.iot.delete_command_execution(executionId=ex,
                                          targetArn=thing_arn(t))
        with self.assertRaises(ClientError) as cm:
            self.iot.get_command_execution(executionId=ex,
                                           targetArn=thing_arn(t))
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)

    def test_delete_command(self):
        cid = self.static_command()
        out = self.iot.delete_command(commandId=cid)
        self.assertEqual(out["statusCode"], 202)
        self.assertTrue(self.iot.get_command(commandId=cid)[
            "pendingDeletion"])
        with self.assertRaises(ClientError) as cm:
            self.data.start_command_execution(
                targetArn=client_arn("x"), commandArn=command_arn(cid))
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        self.daemon.advance(12 * 3600)
        with self.assertRaises(ClientError) as cm:
            self.iot.get_command(commandId=cid)
        self.assertClientError(cm.exception, "ResourceNotFoundException",
                               404)
        old = self.static_command()
        self.iot.update_command(commandId=old, deprecated=True)
        self.daemon.advance(12 * 3600)
        self.assertEqual(self.iot.delete_command(commandId=old)[
            "statusCode"], 200)
        self.assertEqual(self.iot.delete_command(commandId=old)[
            "statusCode"], 200)


if __name__ == "__main__":
    unittest.main()
