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
	AddThingToThingGroupCommand,
	CreateJobCommand,
	CreatePolicyVersionCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, groupArn, iotClient, sleep, startDaemon, thingArn,
	uniqueName,
} from "../harness/harness.mjs";
import {
	connectPluginDevice, inbox, startPluginStack,
} from "../harness/broker.mjs";
import {
	attachPolicy, attachThingPrincipal, createCertificate, createPolicy,
	detachThingPrincipal, registerCa, registerCertificate, updateCa,
	updateCertificate,
} from "../harness/identity.mjs";

const DOC = { operation: "upgrade", url: "https://example.com/fw.bin" };
const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}`;
const NOT_AUTHORIZED = 135;
const IOTJOBSD_ID = "iotjobsd-plugin-test";

// AWS's jobs tutorial policy: the thing's own client id and jobs topics.
function thingPolicy(extra = []) {
	const jobs = "$aws/things/${iot:Connection.Thing.ThingName}/jobs/*";
	return {
		Version: "2012-10-17",
		Statement: [
			{ Effect: "Allow", Action: "iot:Connect", Resource:
			  `${ARN}:client/\${iot:Connection.Thing.ThingName}` },
			{ Effect: "Allow",
			  Action: ["iot:Publish", "iot:Receive"],
			  Resource: `${ARN}:topic/${jobs}` },
			{ Effect: "Allow", Action: "iot:Subscribe",
			  Resource: `${ARN}:topicfilter/${jobs}` },
			...extra,
		],
	};
}

// The SUBACK reason codes for FILTERS (mqtt.js rejects a SUBACK with a
// failure in it; the packet has them all).
async function subscribeCodes(c, filters) {
	try {
		const granted = await c.subscribeAsync(filters, { qos: 1 });
		return granted.map((g) => g.qos);
	} catch (e) {
		if (e.packet?.granted === undefined)
			throw e;
		return e.packet.granted;
	}
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
		stack = await startPluginStack(startDaemon,
		    { args: ["--mqtt-client-id", IOTJOBSD_ID] });
		iot = iotClient(stack.d);
	});
	after(async () => {
		await stack?.broker.close();
	});

	// A thing with a certificate attached, and a policy POLICY (default:
	// thingPolicy()) attached to the certificate.
	async function provision(policy = thingPolicy(),
	    { attach = true } = {}) {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		const cert = await createCertificate(stack);
		if (policy !== null) {
			const pname = uniqueName("pol");
			await createPolicy(stack, pname, policy);
			await attachPolicy(stack, pname, cert.certificateArn);
		}
		if (attach)
			await attachThingPrincipal(stack, name,
			    cert.certificateArn);
		return { name, cert };
	}

	// The certificate's policy alone connects; the jobs topics come from
	// the policy of the thing's group.
	const CONNECT_ONLY = {
		Version: "2012-10-17",
		Statement: [{ Effect: "Allow", Action: "iot:Connect",
		    Resource:
		    `${ARN}:client/\${iot:Connection.Thing.ThingName}` }],
	};

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

	// SUBACK reason 135 for the filters the policy does not allow; a
	// QoS 1 publish to another thing's topic gets PUBACK 135 and
	// iotjobsd never sees it.
	test("another thing's topics, wildcards and $aws/events are refused",
	    async () => {
		const me = await provision();
		const other = await provision();
		const a = await connect(me);
		const b = await connect(other);
		try {
			await b.c.subscribeAsync(`$aws/things/${other.name}/jobs/#`,
			    { qos: 1 });
			const granted = await subscribeCodes(a.c, [
			    `$aws/things/${me.name}/jobs/#`,
			    `$aws/things/${other.name}/jobs/#`,
			    "$aws/things/+/jobs/#",
			    "$aws/events/#",
			    "#",
			]);
			assert.deepEqual(granted, [1, NOT_AUTHORIZED,
			    NOT_AUTHORIZED, NOT_AUTHORIZED, NOT_AUTHORIZED]);
			const from = b.box.length;
			await assert.rejects(a.c.publishAsync(
			    `$aws/things/${other.name}/jobs/get`, "{}",
			    { qos: 1 }), (e) => e.code === NOT_AUTHORIZED);
			// The other thing's own request is answered to it alone.
			const r = await b.ask("get", { clientToken: "mine" });
			assert.equal(r.json.clientToken, "mine");
			await sleep(300);
			// What b sees: its own request (it subscribed to its
			// jobs/#) and its answer, never a's.
			assert.deepEqual(b.box.slice(from).map((m) =>
			    [m.topic, m.json.clientToken]), [
			    [`$aws/things/${other.name}/jobs/get`, "mine"],
			    [`$aws/things/${other.name}/jobs/get/accepted`,
			    "mine"]]);
			assert.equal(a.box.length, 0,
			    JSON.stringify(a.box.map((m) => m.topic)));
		} finally {
			await a.c.endAsync();
			await b.c.endAsync();
		}
	});

	test("an explicit Deny beats an Allow", async () => {
		const dev = await provision(thingPolicy([
			{ Effect: "Deny", Action: "iot:Subscribe", Resource:
			  `${ARN}:topicfilter/$aws/things/*/jobs/notify` },
			{ Effect: "Deny", Action: "iot:Publish", Resource:
			  `${ARN}:topic/$aws/things/*/jobs/get` },
		]));
		const { c, ask } = await connect(dev);
		try {
			const granted = await subscribeCodes(c, [
			    `$aws/things/${dev.name}/jobs/notify`,
			    `$aws/things/${dev.name}/jobs/notify-next`,
			    `$aws/things/${dev.name}/jobs/get/+`,
			    `$aws/things/${dev.name}/jobs/+/get/+`,
			]);
			assert.deepEqual(granted, [NOT_AUTHORIZED, 1, 1, 1]);
			await assert.rejects(c.publishAsync(
			    `$aws/things/${dev.name}/jobs/get`, "{}",
			    { qos: 1 }), (e) => e.code === NOT_AUTHORIZED);
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(dev.name)],
			    document: JSON.stringify(DOC) }));
			const r = await ask(`${jobId}/get`, {});
			assert.equal(r.json.execution.status, "QUEUED");
		} finally {
			await c.endAsync();
		}
	});

	test("${iot:Connection.Thing.ThingName} resolves through " +
	    "AttachThingPrincipal", async () => {
		const dev = await provision(thingPolicy(), { attach: false });
		// Not attached: the variable resolves to nothing, so nothing
		// allows iot:Connect.
		assert.equal(await refusedWith(connect(dev)), NOT_AUTHORIZED);
		await attachThingPrincipal(stack, dev.name,
		    dev.cert.certificateArn);
		const { c } = await connect(dev);
		await c.endAsync();
		// Attached to this thing, but connecting as another one: the
		// variable stays unresolved.
		const other = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: other }));
		assert.equal(await refusedWith(connect(dev,
		    { clientId: other })), NOT_AUTHORIZED);
	});

	// Waits until client C is closed; returns the ms it took.
	function closed(c, ms) {
		const t0 = Date.now();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(
			    `still connected after ${ms} ms`)), ms);
			c.once("close", () => {
				clearTimeout(timer);
				resolve(Date.now() - t0);
			});
		});
	}

	test("a certificate set INACTIVE mid-session is disconnected within " +
	    "5 s, then refused", async () => {
		const dev = await provision();
		const { c } = await connect(dev);
		const gone = closed(c, 5000);
		const reason = new Promise((r) => c.once("disconnect",
		    (p) => r(p.reasonCode)));
		await updateCertificate(stack, dev.cert.certificateId,
		    "INACTIVE");
		await gone;
		// MQTT 5 DISCONNECT 152: Administrative action.
		assert.equal(await reason, 152);
		assert.equal(await refusedWith(connect(dev)), NOT_AUTHORIZED);
		await updateCertificate(stack, dev.cert.certificateId,
		    "ACTIVE");
		await sleep(100);
		const again = await connect(dev);
		await again.c.endAsync();
	});

	test("a certificate detached from its thing is disconnected",
	    async () => {
		const dev = await provision();
		const { c } = await connect(dev);
		const gone = closed(c, 5000);
		await detachThingPrincipal(stack, dev.name,
		    dev.cert.certificateArn);
		await gone;
		assert.equal(await refusedWith(connect(dev)), NOT_AUTHORIZED);
	});

	test("a policy change applies to a connected device within 5 s",
	    async () => {
		const pname = uniqueName("pol");
		const dev = await provision(null);
		await createPolicy(stack, pname, thingPolicy());
		await attachPolicy(stack, pname, dev.cert.certificateArn);
		const { c } = await connect(dev);
		const notify = `$aws/things/${dev.name}/jobs/notify`;
		assert.deepEqual(await subscribeCodes(c, [notify]), [1]);
		// A default version that denies that filter: refused from the
		// next SUBSCRIBE on.
		await iot.send(new CreatePolicyVersionCommand({
		    policyName: pname, setAsDefault: true,
		    policyDocument: JSON.stringify(thingPolicy([{
		    Effect: "Deny", Action: "iot:Subscribe",
		    Resource: `${ARN}:topicfilter/${notify}` }])) }));
		const t0 = Date.now();
		const code = async () => (await subscribeCodes(c, [notify]))[0];
		while (await code() !== NOT_AUTHORIZED) {
			assert.ok(Date.now() - t0 < 5000, "still subscribed");
			await sleep(200);
		}
		// One without iot:Connect: disconnected.
		const gone = closed(c, 5000);
		await iot.send(new CreatePolicyVersionCommand({
		    policyName: pname, setAsDefault: true,
		    policyDocument: JSON.stringify({ Version: "2012-10-17",
		    Statement: thingPolicy().Statement.slice(1) }) }));
		await gone;
		assert.equal(await refusedWith(connect(dev)), NOT_AUTHORIZED);
	});

	test("a certificate of an unregistered CA fails the handshake",
	    async () => {
		const name = uniqueName("dev");
		const id = stack.broker.deviceCert(name, { foreign: true });
		await assert.rejects(connectPluginDevice(stack.broker, id,
		    { clientId: name }),
		    (e) => e.code === "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA");
	});

	test("a certificate of iotjobsd's CA that is not registered is " +
	    "refused", async () => {
		const name = uniqueName("dev");
		const id = stack.broker.deviceCert(name);
		assert.equal(await refusedWith(connectPluginDevice(stack.broker,
		    id, { clientId: name })), NOT_AUTHORIZED);
	});

	test("a thing group's policies apply to the thing connecting",
	    async () => {
		const dev = await provision(CONNECT_ONLY);
		const group = uniqueName("grp");
		const filter = `$aws/things/${dev.name}/jobs/notify-next`;
		let { c } = await connect(dev);
		assert.deepEqual(await subscribeCodes(c, [filter]),
		    [NOT_AUTHORIZED]);
		await c.endAsync();
		await iot.send(new CreateThingGroupCommand(
		    { thingGroupName: group }));
		await iot.send(new AddThingToThingGroupCommand(
		    { thingGroupName: group, thingName: dev.name }));
		const pname = uniqueName("pol");
		await createPolicy(stack, pname, thingPolicy());
		await attachPolicy(stack, pname, groupArn(group));
		({ c } = await connect(dev));
		try {
			assert.deepEqual(await subscribeCodes(c, [filter]), [1]);
		} finally {
			await c.endAsync();
		}
	});

	// OpenSSL reads the hashed CA folder at each handshake: a CA
	// registered after the broker started needs no reload.
	test("a CA registered while the broker runs is trusted at once; " +
	    "INACTIVE, its devices are cut off", async () => {
		const ca = await registerCa(stack, uniqueName("CA"));
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		const cert = await registerCertificate(stack, ca, name);
		const pname = uniqueName("pol");
		await createPolicy(stack, pname, thingPolicy());
		await attachPolicy(stack, pname, cert.certificateArn);
		await attachThingPrincipal(stack, name, cert.certificateArn);
		const dev = { name, cert };
		// iotjobsd writes the folder when the plugin next asks for
		// the generation (every second).
		let conn = null;
		for (let i = 0; i < 30 && conn === null; i++) {
			conn = await connect(dev).catch(() => null);
			if (conn === null)
				await sleep(200);
		}
		assert.ok(conn !== null, "the new CA's device never connected");
		const gone = closed(conn.c, 5000);
		await updateCa(stack, ca.certificateId, "INACTIVE");
		await gone;
		const code = await refusedWith(connect(dev));
		// Refused by the plugin (CONNACK 135) or, once OpenSSL has
		// forgotten the CA, by the handshake.
		assert.ok(code === NOT_AUTHORIZED ||
		    code === "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", String(code));
	});

	// New connections are refused (fail closed); connected devices keep
	// their cached identity; all is back once iotjobsd is.
	test("iotjobsd unreachable: new devices refused, connected ones " +
	    "kept", async () => {
		const a = await provision();
		const b = await provision();
		const { c } = await connect(a);
		const closes = [];
		c.on("close", () => closes.push(Date.now()));
		try {
			await stack.d.stop();
			assert.equal(await refusedWith(connect(b)),
			    NOT_AUTHORIZED);
			await sleep(1500);
			assert.deepEqual(await subscribeCodes(c,
			    [`$aws/things/${a.name}/jobs/notify`]), [1]);
			assert.deepEqual(closes, []);
			assert.match(stack.broker.log(),
			    /iotjobs: iotjobsd unreachable/);
		} finally {
			if (!stack.d.running) {
				await stack.d.restart();
				stack.broker.share();
			}
		}
		const back = await connect(b);
		await back.c.endAsync();
		await c.endAsync();
	});

	test("another device's client id, or iotjobsd's prefix, is refused " +
	    "and the session it aimed at keeps running", async () => {
		const victim = await provision();
		// Its own thing's client id only, as the victim's policy.
		const intruder = await provision();
		// Any client id, iotjobsd's too, says this one's policy.
		const greedy = await provision({
			Version: "2012-10-17",
			Statement: [{ Effect: "Allow", Action: "iot:*",
			    Resource: "*" }],
		});
		const v = await connect(victim);
		await v.c.subscribeAsync(`$aws/things/${victim.name}/jobs/#`,
		    { qos: 1 });
		const closes = [];
		v.c.on("close", () => closes.push(Date.now()));
		try {
			assert.equal(await refusedWith(connectPluginDevice(
			    stack.broker, intruder.cert,
			    { clientId: victim.name })), NOT_AUTHORIZED);
			// iotjobsd's own session (--mqtt-client-id, below).
			assert.equal(await refusedWith(connectPluginDevice(
			    stack.broker, greedy.cert, { clientId: IOTJOBSD_ID })),
			    NOT_AUTHORIZED);
			assert.equal(await refusedWith(connectPluginDevice(
			    stack.broker, greedy.cert,
			    { clientId: "iotjobsd-other" })), NOT_AUTHORIZED);
			// Both sessions still run: the victim gets its
			// notification and iotjobsd answers its request.
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(victim.name)],
			    document: JSON.stringify(DOC) }));
			const next = await v.box.wait((m) => m.topic ===
			    `$aws/things/${victim.name}/jobs/notify-next`, 3000);
			assert.equal(next.json.execution.jobId, jobId);
			const r = await v.ask("start-next", {});
			assert.equal(r.json.execution.jobId, jobId);
			assert.equal(r.json.execution.status, "IN_PROGRESS");
			assert.deepEqual(closes, []);
		} finally {
			await v.c.endAsync();
		}
	});
});
