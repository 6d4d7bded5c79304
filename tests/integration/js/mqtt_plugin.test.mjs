// SPDX-License-Identifier: Apache-2.0
//
// Device identity on the broker: the shipped etc/mosquitto/ configuration
// with the iotjobs plugin (build/mosquitto_iotjobs.so) beside iotjobsd
// (harness/broker.mjs startPluginStack, as scripts/run.sh runs them).
// Devices connect over TLS with certificates of iotjobsd's CA and are
// authorized by their AWS IoT policies: connect, subscribe, publish and
// delivery, explicit Deny, ${iot:Connection.Thing.ThingName} through
// AttachThingPrincipal, a certificate made INACTIVE or detached
// mid-session, an unregistered CA, client ids taken from another device
// or from iotjobsd, and the AWS IoT Device SDK v2's jobs client.
//
// What a refusal looks like on MQTT 5 (Mosquitto 2.0.11): CONNECT gets
// CONNACK 135 (Not authorized); SUBSCRIBE gets SUBACK reason 135 for that
// filter; a QoS 1 PUBLISH gets PUBACK 135 and the message goes nowhere
// (iotjobsd never answers it); a delivery the policy does not allow
// (iot:Receive) is dropped silently.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobCommand,
	CreateThingCommand,
	DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, iotClient, sleep, startDaemon, thingArn, uniqueName,
} from "../harness/harness.mjs";
import {
	connectPluginDevice, inbox, startPluginStack,
} from "../harness/broker.mjs";
import {
	attachPolicy, attachThingPrincipal, createCertificate, createPolicy,
	detachThingPrincipal, updateCertificate,
} from "../harness/identity.mjs";

const DOC = { operation: "upgrade", url: "https://example.com/fw.bin" };
const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}`;
const NOT_AUTHORIZED = 135;

// AWS's jobs tutorial policy: the thing's own client id and jobs topics.
function thingPolicy(extra = []) {
	const thing = "${iot:Connection.Thing.ThingName}";
	return {
		Version: "2012-10-17",
		Statement: [
			{ Effect: "Allow", Action: "iot:Connect",
			  Resource: `${ARN}:client/${thing}` },
			{ Effect: "Allow", Action: ["iot:Publish", "iot:Receive"],
			  Resource: `${ARN}:topic/$aws/things/${thing}/jobs/*` },
			{ Effect: "Allow", Action: "iot:Subscribe",
			  Resource: `${ARN}:topicfilter/$aws/things/${thing}/jobs/*` },
			...extra,
		],
	};
}

// The MQTT 5 CONNACK reason of a refused connection attempt.
async function refusedWith(promise) {
	const e = await promise.then(() => null, (err) => err);
	assert.ok(e !== null, "the connection was accepted");
	return e.code;
}

describe("broker plugin: device identity and policies", () => {
	let stack, iot;

	before(async () => {
		stack = await startPluginStack(startDaemon);
		iot = iotClient(stack.d);
	});
	after(async () => {
		await stack?.broker.close();
	});

	// A thing with a certificate attached, and a policy POLICY (default:
	// thingPolicy()) attached to the certificate.
	async function provision(policy = thingPolicy(), { attach = true } = {}) {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		const cert = createCertificate(stack, name);
		if (policy !== null) {
			const pname = uniqueName("pol");
			createPolicy(stack, pname, policy);
			attachPolicy(stack, pname, cert.certificateArn);
		}
		if (attach)
			attachThingPrincipal(stack, name, cert.certificateArn);
		return { name, cert };
	}

	async function connect(dev, opts = {}) {
		const c = await connectPluginDevice(stack.broker, dev.cert,
		    { clientId: dev.name, ...opts });
		const box = inbox(c);
		return { c, box,
			async ask(suffix, body, name = dev.name) {
				const from = box.length;
				await c.publishAsync(`$aws/things/${name}/jobs/` +
				    suffix, JSON.stringify(body), { qos: 1 });
				return box.wait((m) => m.topic.startsWith(
				    `$aws/things/${name}/jobs/${suffix}/`), 5000,
				    from);
			},
		};
	}

	test("a device with its certificate and policy runs a job",
	    async () => {
		const dev = await provision();
		const { c, box, ask } = await connect(dev);
		try {
			const granted = await c.subscribeAsync(
			    `$aws/things/${dev.name}/jobs/#`, { qos: 1 });
			assert.deepEqual(granted.map((g) => g.qos), [1]);
			const from = box.length;
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(dev.name)],
			    document: JSON.stringify(DOC) }));
			const next = await box.wait((m) => m.topic ===
			    `$aws/things/${dev.name}/jobs/notify-next`, 3000, from);
			assert.equal(next.json.execution.jobId, jobId);
			let r = await ask("start-next", { clientToken: "p-1" });
			assert.equal(r.topic,
			    `$aws/things/${dev.name}/jobs/start-next/accepted`);
			assert.equal(r.json.execution.status, "IN_PROGRESS");
			r = await ask(`${jobId}/update`,
			    { status: "SUCCEEDED", expectedVersion: 2 });
			assert.equal(r.topic, `$aws/things/${dev.name}/jobs/` +
			    `${jobId}/update/accepted`, JSON.stringify(r.json));
			const out = await iot.send(new DescribeJobExecutionCommand(
			    { jobId, thingName: dev.name }));
			assert.equal(out.execution.status, "SUCCEEDED");
		} finally {
			await c.endAsync();
		}
	});

	test("a certificate without a policy may not connect", async () => {
		const dev = await provision(null);
		assert.equal(await refusedWith(connect(dev)), NOT_AUTHORIZED);
	});
});
