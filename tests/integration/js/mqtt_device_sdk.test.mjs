// SPDX-License-Identifier: Apache-2.0
//
// A device on the AWS IoT Device SDK v2 for JavaScript (aws-iot-device-sdk-v2:
// its MQTT 5 client and its IotJobsClient, as in AWS's jobs sample) against
// iotjobsd through the test Mosquitto (plain TCP, username and password):
// it subscribes to notify-next, is told of a new job, starts it with
// start-next, completes it with an update, and is told nothing is next.
// The SDK parses every payload itself, so a member it expects under
// another name or type fails here.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobCommand, CreateThingCommand, DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot";
import { iotjobs, mqtt, mqtt5 } from "aws-iot-device-sdk-v2";

import {
	iotClient, startDaemon, thingArn, uniqueName,
} from "../harness/harness.mjs";
import {
	assertSeconds, daemonMqttArgs, startBroker,
} from "../harness/broker.mjs";
import {
	collectNativeClients, handlerQueue,
} from "../harness/device_sdk.mjs";

const DOC = { operation: "install", packages: ["agent-2.1"] };

// The SDK's MQTT 5 client logged in as thing NAME, connected.
async function sdkDevice(broker, name) {
	const client = new mqtt5.Mqtt5Client({
		hostName: "127.0.0.1",
		port: broker.port,
		// Metrics would append "?SDK=..." to the username, which only
		// AWS IoT strips.
		disableMetrics: true,
		connectProperties: {
			clientId: `${name}-sdk`,
			keepAliveIntervalSeconds: 30,
			username: name,
			password: Buffer.from("pw"),
		},
	});
	const up = new Promise((resolve, reject) => {
		client.once("connectionSuccess", resolve);
		client.once("connectionFailure", (e) => reject(e.error));
	});
	client.start();
	await up;
	return client;
}

describe("AWS IoT Device SDK v2 jobs client", () => {
	let broker, d, iot;

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ args: daemonMqttArgs(broker) });
		iot = iotClient(d);
	});
	after(async () => {
		await d?.close();
		await broker?.close();
		await new Promise((r) => setTimeout(r, 50));
		collectNativeClients();
		await new Promise((r) => setTimeout(r, 200));
	});

	test("notify-next, start-next, update SUCCEEDED, rejected update",
	    async () => {
		const thingName = uniqueName("sdk");
		await iot.send(new CreateThingCommand({ thingName }));
		await broker.addDevices([thingName]);
		const client = await sdkDevice(broker, thingName);
		const jobs = iotjobs.IotJobsClient.newFromMqtt5Client(client);
		const QOS = mqtt.QoS.AtLeastOnce;
		try {
			const next = handlerQueue();
			const started = handlerQueue();
			const startRejected = handlerQueue();
			await jobs.subscribeToNextJobExecutionChangedEvents(
			    { thingName }, QOS, next.handler);
			await jobs.subscribeToStartNextPendingJobExecutionAccepted(
			    { thingName }, QOS, started.handler);
			await jobs.subscribeToStartNextPendingJobExecutionRejected(
			    { thingName }, QOS, startRejected.handler);

			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(thingName)],
			    document: JSON.stringify(DOC) }));
			const ev = await next.wait((c) =>
			    c.response?.execution?.jobId === jobId);
			assert.equal(ev.error, undefined);
			assertSeconds(ev.response.timestamp);
			assert.equal(ev.response.execution.status, "QUEUED");
			assert.deepEqual(ev.response.execution.jobDocument, DOC);
			assert.equal(ev.response.execution.thingName, thingName);
			assert.equal(ev.response.execution.versionNumber, 1);

			await jobs.publishStartNextPendingJobExecution({ thingName,
			    clientToken: "sdk-start",
			    statusDetails: { step: "download" } }, QOS);
			const st = await started.wait();
			assert.equal(st.error, undefined);
			assert.equal(startRejected.calls.length, 0);
			assert.equal(st.response.clientToken, "sdk-start");
			assert.equal(st.response.execution.jobId, jobId);
			assert.equal(st.response.execution.status, "IN_PROGRESS");
			assert.equal(st.response.execution.versionNumber, 2);
			assert.deepEqual(st.response.execution.statusDetails,
			    { step: "download" });
			assert.deepEqual(st.response.execution.jobDocument, DOC);

			const updated = handlerQueue();
			const updateRejected = handlerQueue();
			await jobs.subscribeToUpdateJobExecutionAccepted(
			    { thingName, jobId }, QOS, updated.handler);
			await jobs.subscribeToUpdateJobExecutionRejected(
			    { thingName, jobId }, QOS, updateRejected.handler);
			const fromNext = next.calls.length;
			await jobs.publishUpdateJobExecution({ thingName, jobId,
			    status: iotjobs.model.JobStatus.SUCCEEDED,
			    expectedVersion: 2, includeJobExecutionState: true,
			    statusDetails: { step: "done" },
			    clientToken: "sdk-done" }, QOS);
			const up = await updated.wait();
			assert.equal(up.error, undefined);
			assert.equal(up.response.clientToken, "sdk-done");
			assert.equal(up.response.executionState.status, "SUCCEEDED");
			assert.equal(up.response.executionState.versionNumber, 3);
			assertSeconds(up.response.timestamp);

			// Nothing left: notify-next without an execution.
			const empty = await next.wait(() => true, fromNext);
			assert.equal(empty.response.execution, undefined);
			assertSeconds(empty.response.timestamp);

			const out = await iot.send(new DescribeJobExecutionCommand(
			    { jobId, thingName }));
			assert.equal(out.execution.status, "SUCCEEDED");
			assert.deepEqual(out.execution.statusDetails.detailsMap,
			    { step: "done" });

			// A second terminal update: the SDK's rejected handler
			// gets the code and the execution's state.
			await jobs.publishUpdateJobExecution({ thingName, jobId,
			    status: iotjobs.model.JobStatus.IN_PROGRESS,
			    clientToken: "sdk-again" }, QOS);
			const rej = await updateRejected.wait();
			assert.equal(rej.response.code,
			    iotjobs.model.RejectedErrorCode.INVALID_STATE_TRANSITION);
			assert.equal(rej.response.clientToken, "sdk-again");
			assert.equal(rej.response.executionState.status,
			    "SUCCEEDED");
			assert.equal(updated.calls.length, 1);
		} finally {
			const stopped = new Promise((r) =>
			    client.once("stopped", r));
			client.stop();
			await stopped;
			client.close();
		}
	});
});
