// SPDX-License-Identifier: Apache-2.0
//
// iotjobsd's MQTT client over TLS with a client certificate: a real
// Mosquitto started with the test-only harness/mosquitto/tls-username.conf
// and acl (harness/broker.mjs startTlsBroker; the CA and certificates are
// made with openssl at start), iotjobsd connected with --mqtt mqtts://
// --mqtt-ca --mqtt-cert --mqtt-key, devices on the npm mqtt client whose
// certificate's common name is their thing name: a job run over TLS, the
// per-thing ACL keyed on the certificate, certificates the broker refuses,
// a broker restart, and an iotjobsd that does not trust the broker.
// Device identity with policies (the iotjobs plugin): mqtt_plugin.test.mjs.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobCommand,
	CreateThingCommand,
	DescribeJobExecutionCommand,
	ListThingsCommand,
} from "@aws-sdk/client-iot";

import {
	iotClient, sleep, startDaemon, thingArn, uniqueName,
} from "../harness/harness.mjs";
import {
	connectCertDevice, daemonTlsArgs, inbox, startTlsBroker,
} from "../harness/broker.mjs";

const DOC = { operation: "upgrade", url: "https://example.com/fw.bin" };

// Waits for RE in D's log past line FROM.
async function waitForLog(d, re, ms = 5000, from = 0) {
	const deadline = Date.now() + ms;
	while (!re.test(d.log(10000).split("\n").slice(from).join("\n"))) {
		if (Date.now() > deadline)
			assert.fail(`no ${re} in the log:\n${d.log()}`);
		await sleep(50);
	}
}

describe("MQTT over TLS with client certificates", () => {
	let broker, d, iot;

	before(async () => {
		broker = await startTlsBroker();
		d = await startDaemon({ args: daemonTlsArgs(broker) });
		iot = iotClient(d);
		await waitForLog(d, /mqtt: connected to 127\.0\.0\.1:/);
	});
	after(async () => {
		await d?.close();
		await broker?.close();
	});

	// A thing, and a device connected with a certificate for it (or
	// IDENTITY), with its inbox, subscribed to its jobs.
	async function device(name, identity = broker.deviceCert(name)) {
		const c = await connectCertDevice(broker, identity);
		const box = inbox(c);
		const granted = await c.subscribeAsync(
		    `$aws/things/${name}/jobs/#`, { qos: 1 });
		return { c, box, granted,
			async ask(suffix, body) {
				const from = box.length;
				await c.publishAsync(`$aws/things/${name}/jobs/` +
				    suffix, JSON.stringify(body), { qos: 1 });
				return box.wait((m) => m.topic.startsWith(
				    `$aws/things/${name}/jobs/${suffix}/`), 5000,
				    from);
			},
		};
	}

	async function newThing() {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		return name;
	}

	test("a device with its certificate runs a job to SUCCEEDED",
	    async () => {
		const name = await newThing();
		const dev = await device(name);
		try {
			assert.deepEqual(dev.granted.map((g) => g.qos), [1]);
			const from = dev.box.length;
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(name)],
			    document: JSON.stringify(DOC) }));
			const next = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next`, 2000, from);
			assert.equal(next.json.execution.jobId, jobId);
			assert.equal(next.json.execution.status, "QUEUED");

			let r = await dev.ask("start-next",
			    { clientToken: "tls-1" });
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/start-next/accepted`);
			assert.equal(r.json.clientToken, "tls-1");
			assert.equal(r.json.execution.jobId, jobId);
			assert.equal(r.json.execution.status, "IN_PROGRESS");
			assert.deepEqual(r.json.execution.jobDocument, DOC);

			r = await dev.ask(`${jobId}/update`,
			    { status: "SUCCEEDED", expectedVersion: 2 });
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/${jobId}/update/accepted`,
			    JSON.stringify(r.json));

			const out = await iot.send(new DescribeJobExecutionCommand(
			    { jobId, thingName: name }));
			assert.equal(out.execution.status, "SUCCEEDED");
		} finally {
			await dev.c.endAsync();
		}
	});

	// Without set_tcp_nodelay in the broker's configuration, Nagle's
	// algorithm and delayed ACKs hold replies ~40 ms.
	test("replies come back without a Nagle delay", async () => {
		const name = await newThing();
		const dev = await device(name);
		dev.c.stream.setNoDelay(true);
		try {
			const ms = [];
			for (let i = 0; i < 20; i++) {
				const t0 = performance.now();
				const r = await dev.ask("get", { clientToken: `n${i}` });
				assert.equal(r.json.clientToken, `n${i}`);
				ms.push(performance.now() - t0);
			}
			ms.sort((a, b) => a - b);
			assert.ok(ms[10] < 20, `median round trip ${ms[10]} ms`);
		} finally {
			await dev.c.endAsync();
		}
	});

	// The username is the certificate's common name
	// (use_identity_as_username): the one a client sends is not used.
	test("a device's certificate opens only its own thing's topics",
	    async () => {
		const victim = await newThing();
		const intruder = await newThing();
		const v = await device(victim);
		const c = await connectCertDevice(broker,
		    broker.deviceCert(intruder),
		    { mqtt: { username: victim } });
		const box = inbox(c);
		try {
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(victim)],
			    document: JSON.stringify(DOC) }));
			// Mosquitto 2.0 grants the subscription; it then
			// delivers nothing the ACL forbids.
			await c.subscribeAsync(`$aws/things/${victim}/jobs/#`,
			    { qos: 1 });
			await c.publishAsync(`$aws/things/${victim}/jobs/start-next`,
			    "{}", { qos: 1 }).catch(() => {});
			await c.publishAsync(`$aws/things/${victim}/jobs/${jobId}/` +
			    "update", JSON.stringify({ status: "REJECTED" }),
			    { qos: 1 }).catch(() => {});
			// What the victim's own request gets is delivered to it
			// alone.
			const from = v.box.length;
			const r = await v.ask(`${jobId}/get`, {});
			assert.equal(r.json.execution.status, "QUEUED");
			assert.equal(r.json.execution.versionNumber, 1);
			await sleep(300);
			assert.deepEqual(v.box.slice(from).filter((m) =>
			    /(start-next|update)\/(accepted|rejected)$/.test(
			    m.topic)), []);
			assert.equal(box.length, 0,
			    `intruder received ${JSON.stringify(box)}`);
		} finally {
			await v.c.endAsync();
			await c.endAsync();
		}
	});

	test("the broker refuses a certificate of another CA, and none",
	    async () => {
		const name = await newThing();
		await assert.rejects(connectCertDevice(broker,
		    broker.deviceCert(name, { foreign: true })),
		    (e) => e.code === "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA");
		await assert.rejects(connectCertDevice(broker, null),
		    (e) => /certificate required|handshake failure/.test(
		    e.message));
		// The same thing with the right CA's certificate connects.
		const dev = await device(name);
		await dev.c.endAsync();
	});

	test("iotjobsd reconnects over TLS after a broker restart",
	    async () => {
		const name = await newThing();
		const id = broker.deviceCert(name);
		const from = d.log(10000).split("\n").length;
		await broker.restart();
		await waitForLog(d, /mqtt: connected to/, 8000, from);
		const dev = await device(name, id);
		try {
			const r = await dev.ask("get", { clientToken: "again" });
			assert.equal(r.topic, `$aws/things/${name}/jobs/get/accepted`);
			assert.equal(r.json.clientToken, "again");
		} finally {
			await dev.c.endAsync();
		}
	});

	test("iotjobsd that does not trust the broker's CA says why and " +
	    "still answers HTTP", async () => {
		const t0 = Date.now();
		const other = await startDaemon({ args: daemonTlsArgs(broker,
		    { ca: broker.otherCa }) });
		try {
			const out = await iotClient(other).send(
			    new ListThingsCommand({}));
			assert.deepEqual(out.things, []);
			assert.ok(Date.now() - t0 < 3000,
			    `ListThings after ${Date.now() - t0} ms`);
			await waitForLog(other,
			    /mqtt: 127\.0\.0\.1:\d+: .*certificate verify failed/);
			// A TLS failure is no reason to stop trying (backoff
			// 1 s, then 2 s): a third attempt follows.
			const tries = () => other.log(10000).split("\n").filter(
			    (l) => /certificate verify failed/.test(l)).length;
			const deadline = Date.now() + 8000;
			while (tries() < 3) {
				assert.ok(Date.now() < deadline, `${tries()} ` +
				    `attempts:\n${other.log()}`);
				await sleep(100);
			}
			assert.doesNotMatch(other.log(), /mqtt: connected to/);
		} finally {
			await other.close();
		}
	});
});
