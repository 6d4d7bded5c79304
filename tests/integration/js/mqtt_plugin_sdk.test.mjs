// SPDX-License-Identifier: Apache-2.0
//
// The AWS IoT Device SDK v2 for JavaScript (aws-iot-device-sdk-v2: its
// MQTT 5 client built for mutual TLS, as AWS's samples build it, and its
// IotJobsClient) against iotjobsd through the shipped broker with the
// iotjobs plugin (harness/broker.mjs startPluginStack): the device
// presents its certificate, its policy allows its own jobs topics, and it
// runs a job from notify-next to SUCCEEDED.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobCommand, CreateThingCommand, DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot";
import { iot, iotjobs, mqtt, mqtt5 } from "aws-iot-device-sdk-v2";

import {
	ACCOUNT_ID, REGION, iotClient, startDaemon, thingArn, uniqueName,
} from "../harness/harness.mjs";
import { startPluginStack } from "../harness/broker.mjs";
import {
	collectNativeClients, handlerQueue,
} from "../harness/device_sdk.mjs";
import {
	attachPolicy, attachThingPrincipal, createCertificate, createPolicy,
} from "../harness/identity.mjs";

const DOC = { operation: "install", packages: ["agent-2.1"] };
const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}`;

// The SDK's MQTT 5 client for thing NAME with certificate CERT, connected.
async function sdkDevice(broker, name, cert) {
	const config = iot.AwsIotMqtt5ClientConfigBuilder
	    .newDirectMqttBuilderWithMtlsFromPath("127.0.0.1", cert.cert,
	    cert.key)
	    .withPort(broker.tlsPort)
	    .withCertificateAuthorityFromPath(undefined, broker.ca)
	    .withConnectProperties({ clientId: name,
		keepAliveIntervalSeconds: 30 })
	    .build();
	const client = new mqtt5.Mqtt5Client(config);
	const up = new Promise((resolve, reject) => {
		client.once("connectionSuccess", resolve);
		client.once("connectionFailure", (e) => reject(e.error));
	});
	client.start();
	await up;
	return client;
}

describe("AWS IoT Device SDK v2 jobs client with its certificate",
    () => {
	let stack, ctl;

	before(async () => {
		stack = await startPluginStack(startDaemon);
		ctl = iotClient(stack.d);
	});
	after(async () => {
		await stack?.broker.close();
		await new Promise((r) => setTimeout(r, 50));
		collectNativeClients();
		await new Promise((r) => setTimeout(r, 200));
	});

	test("notify-next, start-next, update SUCCEEDED over mutual TLS",
	    async () => {
		const thingName = uniqueName("sdk");
		await ctl.send(new CreateThingCommand({ thingName }));
		const cert = await createCertificate(stack);
		const thing = "${iot:Connection.Thing.ThingName}";
		await createPolicy(stack, `${thingName}-policy`, {
			Version: "2012-10-17",
			Statement: [
				{ Effect: "Allow", Action: "iot:Connect",
				  Resource: `${ARN}:client/${thing}` },
				{ Effect: "Allow", Action: ["iot:Publish",
				  "iot:Receive"], Resource:
				  `${ARN}:topic/$aws/things/${thing}/jobs/*` },
				{ Effect: "Allow", Action: "iot:Subscribe",
				  Resource: `${ARN}:topicfilter/$aws/things/` +
				  `${thing}/jobs/*` },
			],
		});
		await attachPolicy(stack, `${thingName}-policy`,
		    cert.certificateArn);
		await attachThingPrincipal(stack, thingName,
		    cert.certificateArn);
		const client = await sdkDevice(stack.broker, thingName, cert);
		const jobs = iotjobs.IotJobsClient.newFromMqtt5Client(client);
		const QOS = mqtt.QoS.AtLeastOnce;
		try {
			const next = handlerQueue();
			const started = handlerQueue();
			const updated = handlerQueue();
			await jobs.subscribeToNextJobExecutionChangedEvents(
			    { thingName }, QOS, next.handler);
			await jobs.subscribeToStartNextPendingJobExecutionAccepted(
			    { thingName }, QOS, started.handler);

			const jobId = uniqueName("job");
			await ctl.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(thingName)],
			    document: JSON.stringify(DOC) }));
			const ev = await next.wait((c) =>
			    c.response?.execution?.jobId === jobId);
			assert.equal(ev.response.execution.status, "QUEUED");
			assert.deepEqual(ev.response.execution.jobDocument, DOC);

			await jobs.publishStartNextPendingJobExecution({ thingName,
			    clientToken: "sdk-start" }, QOS);
			const st = await started.wait();
			assert.equal(st.response.execution.jobId, jobId);
			assert.equal(st.response.execution.status, "IN_PROGRESS");

			await jobs.subscribeToUpdateJobExecutionAccepted(
			    { thingName, jobId }, QOS, updated.handler);
			await jobs.publishUpdateJobExecution({ thingName, jobId,
			    status: iotjobs.model.JobStatus.SUCCEEDED,
			    expectedVersion: 2, includeJobExecutionState: true,
			    clientToken: "sdk-done" }, QOS);
			const up = await updated.wait();
			assert.equal(up.response.clientToken, "sdk-done");
			assert.equal(up.response.executionState.status,
			    "SUCCEEDED");
			const out = await ctl.send(new DescribeJobExecutionCommand(
			    { jobId, thingName }));
			assert.equal(out.execution.status, "SUCCEEDED");
		} finally {
			const stopped = new Promise((r) =>
			    client.once("stopped", r));
			client.stop();
			await stopped;
			client.close();
		}
	});
});
