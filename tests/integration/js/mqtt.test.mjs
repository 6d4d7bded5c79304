// SPDX-License-Identifier: Apache-2.0
//
// The MQTT front end against a real Mosquitto started with the shipped
// configuration (harness/broker.mjs), with devices on the npm mqtt client:
// every request topic and reply payload of WIRE.md 10, the rejected codes,
// notify and notify-next for each cause, late devices, the per-thing ACL,
// a broker restart during traffic, HTTP while the broker is away and two
// iotjobsd nodes on one broker.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AddThingToThingGroupCommand,
	CancelJobCommand,
	CreateJobCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DeleteJobCommand,
	DescribeJobExecutionCommand,
	ListThingsCommand,
} from "@aws-sdk/client-iot";

import {
	groupArn, iotClient, sleep, startDaemon, thingArn, uniqueName,
	withTimeout,
} from "../harness/harness.mjs";
import {
	IOTJOBSD_PASSWORD, IOTJOBSD_USER, assertSeconds, connectDevice,
	daemonMqttArgs, inbox, startBroker,
} from "../harness/broker.mjs";

const DOC = { operation: "upgrade", url: "https://example.com/fw.bin" };

// A connected device of thing NAME with its inbox, subscribed to its jobs.
async function device(broker, name, opts = {}) {
	const c = await connectDevice(broker, name, opts);
	const box = inbox(c);
	await c.subscribeAsync(`$aws/things/${name}/jobs/#`, { qos: 1 });
	return { c, box, name,
		// Publishes SUFFIX with BODY; resolves with the reply.
		async ask(suffix, body, token = uniqueName("tok")) {
			const from = box.length;
			const payload = body === undefined ? "" :
			    typeof body === "string" ? body :
			    JSON.stringify({ clientToken: token, ...body });
			await withTimeout(c.publishAsync(
			    `$aws/things/${name}/jobs/${suffix}`, payload,
			    { qos: 1 }), 5000);
			return box.wait((m) => m.topic.startsWith(
			    `$aws/things/${name}/jobs/${suffix}/`), 5000, from);
		},
	};
}

// Whether BROKER delivers $share/G/$aws/... subscriptions (Mosquitto 2.0.11,
// Debian 12's, does not).
async function sharedDollarTopics(broker) {
	const s = await connectDevice(broker, IOTJOBSD_USER,
	    { password: IOTJOBSD_PASSWORD });
	const box = inbox(s);
	try {
		await s.subscribeAsync("$share/probe/$aws/things/+/jobs/probe",
		    { qos: 1 });
		await s.publishAsync("$aws/things/x/jobs/probe", "{}", { qos: 1 });
		await sleep(300);
		return box.length > 0;
	} finally {
		await s.endAsync();
	}
}

describe("MQTT front end", () => {
	let broker, d, iot;

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ args: daemonMqttArgs(broker) });
		iot = iotClient(d);
	});
	after(async () => {
		await d?.close();
		await broker?.close();
	});

	async function newThing() {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		await broker.addDevices([name]);
		return name;
	}

	async function createJob(things, extra = {}) {
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({ jobId,
		    targets: things.map(thingArn), document: JSON.stringify(DOC),
		    ...extra }));
		return jobId;
	}

	test("a whole job: get, notify-next, $next, start-next, updates",
	    async () => {
		const name = await newThing();
		const dev = await device(broker, name);
		try {
			let r = await dev.ask("get", {}, "tok-1");
			assert.equal(r.topic, `$aws/things/${name}/jobs/get/accepted`);
			assert.deepEqual(r.json.inProgressJobs, []);
			assert.deepEqual(r.json.queuedJobs, []);
			assert.equal(r.json.clientToken, "tok-1");
			assertSeconds(r.json.timestamp);

			// Nothing pending: no execution member.
			r = await dev.ask("$next/get", {});
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/$next/get/accepted`);
			assert.equal(r.json.execution, undefined);
			r = await dev.ask("start-next", {});
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/start-next/accepted`);
			assert.equal(r.json.execution, undefined);

			const from = dev.box.length;
			const t0 = Date.now();
			const jobId = await createJob([name]);
			const next = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next`, 1000, from);
			assert.ok(next.at - t0 < 1000,
			    `notify-next after ${next.at - t0} ms`);
			assertSeconds(next.json.timestamp);
			assert.equal(next.json.execution.jobId, jobId);
			assert.equal(next.json.execution.status, "QUEUED");
			assert.deepEqual(next.json.execution.jobDocument, DOC);
			assert.equal(next.json.execution.versionNumber, 1);
			assert.equal(next.json.execution.executionNumber, 1);
			assertSeconds(next.json.execution.queuedAt);
			const list = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify`, 2000, from);
			assert.deepEqual(Object.keys(list.json.jobs), ["QUEUED"]);
			assert.equal(list.json.jobs.QUEUED[0].jobId, jobId);
			assert.equal(list.json.jobs.QUEUED[0].versionNumber, 1);

			r = await dev.ask("get", {}, "tok-2");
			assert.equal(r.json.queuedJobs[0].jobId, jobId);
			assert.equal(r.json.queuedJobs[0].executionNumber, 1);

			r = await dev.ask("$next/get", {});
			assert.equal(r.json.execution.jobId, jobId);
			assert.deepEqual(r.json.execution.jobDocument, DOC);
			r = await dev.ask(`${jobId}/get`,
			    { includeJobDocument: false });
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/${jobId}/get/accepted`);
			assert.equal(r.json.execution.jobDocument, undefined);
			assert.equal(r.json.execution.thingName, name);

			r = await dev.ask("start-next",
			    { statusDetails: { step: "download" } });
			assert.equal(r.json.execution.status, "IN_PROGRESS");
			assert.deepEqual(r.json.execution.jobDocument, DOC);
			assert.equal(r.json.execution.versionNumber, 2);
			assertSeconds(r.json.execution.startedAt);

			// expectedVersion as a numeric string.
			r = await dev.ask(`${jobId}/update`, {
				status: "IN_PROGRESS", expectedVersion: "2",
				statusDetails: { step: "flash" },
				includeJobExecutionState: true,
				includeJobDocument: true,
			}, "tok-3");
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/${jobId}/update/accepted`);
			assert.equal(r.json.clientToken, "tok-3");
			assert.deepEqual(r.json.executionState, {
				status: "IN_PROGRESS",
				statusDetails: { step: "flash" },
				versionNumber: 3,
			});
			assert.deepEqual(r.json.jobDocument, DOC);

			// Without the include flags: neither member.
			r = await dev.ask(`${jobId}/update`,
			    { status: "IN_PROGRESS", expectedVersion: 3 });
			assert.equal(r.json.executionState, undefined);
			assert.equal(r.json.jobDocument, undefined);

			r = await dev.ask(`${jobId}/update`,
			    { status: "IN_PROGRESS", expectedVersion: 1 },
			    "tok-vm");
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/${jobId}/update/rejected`);
			assert.equal(r.json.code, "VersionMismatch");
			assert.equal(r.json.clientToken, "tok-vm");
			assert.equal(r.json.executionState.versionNumber, 4);
			assert.equal(r.json.executionState.status, "IN_PROGRESS");
			assertSeconds(r.json.timestamp);

			// A status devices never set: as over HTTP.
			r = await dev.ask(`${jobId}/update`, { status: "QUEUED" });
			assert.equal(r.json.code, "InvalidRequest");
			assert.equal(r.json.executionState, undefined);
			assert.ok(r.json.message);

			const from2 = dev.box.length;
			r = await dev.ask(`${jobId}/update`,
			    { status: "SUCCEEDED" });
			assert.match(r.topic, /update\/accepted$/);
			const empty = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next`, 2000, from2);
			assert.equal(empty.json.execution, undefined);
			assertSeconds(empty.json.timestamp);
			const emptyList = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify`, 2000, from2);
			assert.deepEqual(emptyList.json.jobs, {});

			r = await dev.ask(`${jobId}/get`, {});
			assert.equal(r.json.execution.status, "SUCCEEDED");
			r = await dev.ask(`${jobId}/update`,
			    { status: "IN_PROGRESS" });
			assert.equal(r.json.code, "InvalidStateTransition");
			assert.equal(r.json.executionState.status, "SUCCEEDED");
		} finally {
			await dev.c.endAsync();
		}
	});

	test("rejected codes: InvalidJson, InvalidRequest, ResourceNotFound, " +
	    "InvalidTopic", async () => {
		const name = await newThing();
		const dev = await device(broker, name);
		try {
			let r = await dev.ask("get", "{not json");
			assert.equal(r.topic, `$aws/things/${name}/jobs/get/rejected`);
			assert.equal(r.json.code, "InvalidJson");
			assert.equal(r.json.clientToken, undefined);
			assertSeconds(r.json.timestamp);

			r = await dev.ask("nope-job/update",
			    { status: "SUCCEEDED" }, "tok-404");
			assert.equal(r.json.code, "ResourceNotFound");
			assert.equal(r.json.clientToken, "tok-404");
			assert.equal(r.json.executionState, undefined);

			r = await dev.ask("nope-job/get", {});
			assert.equal(r.json.code, "ResourceNotFound");

			const jobId = await createJob([name]);
			r = await dev.ask(`${jobId}/update`, { status: "BOGUS" });
			assert.equal(r.json.code, "InvalidRequest");
			r = await dev.ask(`${jobId}/update`, {});
			assert.equal(r.json.code, "InvalidRequest");
			r = await dev.ask("start-next",
			    { stepTimeoutInMinutes: 0 });
			assert.equal(r.json.code, "InvalidRequest");
			r = await dev.ask(`${jobId}/update`, { status: "IN_PROGRESS",
			    statusDetails: { k: 5 } });
			assert.equal(r.json.code, "InvalidRequest");

			r = await dev.ask("whatever", {}, "tok-topic");
			assert.equal(r.topic,
			    `$aws/things/${name}/jobs/whatever/rejected`);
			assert.equal(r.json.code, "InvalidTopic");
			assert.equal(r.json.clientToken, "tok-topic");

			// clientToken comes back exactly, whatever it holds.
			const odd = "ünï \"quoted\" / + # $ 🚀";
			r = await dev.ask("get", {}, odd);
			assert.equal(r.json.clientToken, odd);

			// A thing unknown to iotjobsd.
			const ghost = uniqueName("ghost");
			await broker.addDevices([ghost]);
			const g = await device(broker, ghost);
			try {
				r = await g.ask("get", {});
				assert.equal(r.json.code, "ResourceNotFound");
			} finally {
				await g.c.endAsync();
			}
		} finally {
			await dev.c.endAsync();
		}
	});

	test("notify holds at most 10 pending executions, IN_PROGRESS first",
	    async () => {
		const name = await newThing();
		const jobs = [];
		for (let i = 0; i < 12; i++)
			jobs.push(await createJob([name]));
		const dev = await device(broker, name);
		try {
			const from = dev.box.length;
			let r = await dev.ask(`${jobs[5]}/update`,
			    { status: "IN_PROGRESS" });
			assert.match(r.topic, /accepted$/);
			const n = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify`, 2000, from);
			assert.deepEqual(n.json.jobs.IN_PROGRESS.map((s) => s.jobId),
			    [jobs[5]]);
			assert.equal(n.json.jobs.QUEUED.length, 9);
			assert.equal(n.json.jobs.QUEUED[0].jobId, jobs[0]);
			assert.ok(n.json.jobs.IN_PROGRESS[0].startedAt);
			const nx = await dev.box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next`, 2000, from);
			assert.equal(nx.json.execution.jobId, jobs[5]);
			assert.equal(nx.json.execution.status, "IN_PROGRESS");
		} finally {
			await dev.c.endAsync();
		}
	});

	test("starting the first execution keeps the list; starting an " +
	    "earlier one behind a started one reorders it", async () => {
		const name = await newThing();
		const [a, b, c] = [await createJob([name]),
		    await createJob([name]), await createJob([name])];
		const dev = await device(broker, name);
		const quiet = async (from, what) => {
			await sleep(300);
			assert.ok(!dev.box.slice(from).some((m) =>
			    /\/notify(-next)?$/.test(m.topic)), what);
		};
		try {
			// start-next of the first queued execution: same order,
			// same first execution, nothing to notify.
			let from = dev.box.length;
			let r = await dev.ask("start-next", {});
			assert.equal(r.json.execution.jobId, a);
			await quiet(from, "notify after start-next of the first");
			r = await dev.ask(`${a}/update`, { status: "SUCCEEDED" });
			assert.match(r.topic, /accepted$/);
			await dev.box.wait((m) => m.topic.endsWith("/notify-next") &&
			    m.json.execution?.jobId === b, 2000, from);

			// c started first, then b: b (lower id) moves ahead of c.
			from = dev.box.length;
			r = await dev.ask(`${c}/update`, { status: "IN_PROGRESS" });
			assert.match(r.topic, /accepted$/);
			let nx = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify-next"), 2000, from);
			assert.equal(nx.json.execution.jobId, c);
			from = dev.box.length;
			r = await dev.ask(`${b}/update`, { status: "IN_PROGRESS" });
			assert.match(r.topic, /accepted$/);
			const n = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify"), 2000, from);
			assert.deepEqual(n.json.jobs.IN_PROGRESS.map((s) => s.jobId),
			    [b, c]);
			nx = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify-next"), 2000, from);
			assert.equal(nx.json.execution.jobId, b);
			assert.equal(nx.json.execution.status, "IN_PROGRESS");
		} finally {
			await dev.c.endAsync();
		}
	});

	test("notify-next on cancel, delete and group membership", async () => {
		const name = await newThing();
		const dev = await device(broker, name);
		try {
			let from = dev.box.length;
			const j1 = await createJob([name]);
			await dev.box.wait((m) => m.topic.endsWith("/notify-next") &&
			    m.json.execution?.jobId === j1, 2000, from);

			from = dev.box.length;
			const j2 = await createJob([name]);
			// j1 stays first: notify, no notify-next.
			const n = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify"), 2000, from);
			assert.deepEqual(n.json.jobs.QUEUED.map((s) => s.jobId),
			    [j1, j2]);
			await sleep(300);
			assert.ok(!dev.box.slice(from).some((m) =>
			    m.topic.endsWith("/notify-next")),
			    "notify-next although the first execution stayed");

			from = dev.box.length;
			await iot.send(new CancelJobCommand({ jobId: j1 }));
			let nx = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify-next"), 2000, from);
			assert.equal(nx.json.execution.jobId, j2);

			from = dev.box.length;
			await iot.send(new DeleteJobCommand({ jobId: j2,
			    force: true }));
			nx = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify-next"), 2000, from);
			assert.equal(nx.json.execution, undefined);

			// A continuous job reaches a thing that joins its group.
			const group = uniqueName("grp");
			await iot.send(new CreateThingGroupCommand(
			    { thingGroupName: group }));
			const j3 = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId: j3,
			    targets: [groupArn(group)],
			    targetSelection: "CONTINUOUS",
			    document: JSON.stringify(DOC) }));
			from = dev.box.length;
			await iot.send(new AddThingToThingGroupCommand(
			    { thingGroupName: group, thingName: name }));
			nx = await dev.box.wait((m) => m.topic.endsWith(
			    "/notify-next"), 3000, from);
			assert.equal(nx.json.execution.jobId, j3);
		} finally {
			await dev.c.endAsync();
		}
	});

	test("a device that connects late learns its job with get", async () => {
		const name = await newThing();
		const jobId = await createJob([name]);
		await sleep(200);
		const dev = await device(broker, name);
		try {
			let r = await dev.ask("get", {});
			assert.equal(r.json.queuedJobs[0].jobId, jobId);
			r = await dev.ask("$next/get", {});
			assert.equal(r.json.execution.jobId, jobId);
			await dev.c.endAsync();
			// Reconnecting: the pending job is still there.
			const again = await device(broker, name);
			r = await again.ask("$next/get", {});
			assert.equal(r.json.execution.jobId, jobId);
			await again.c.endAsync();
		} finally {
			dev.c.end(true);
		}
	});

	test("a device cannot use another thing's topics", async () => {
		const victim = await newThing();
		const intruder = await newThing();
		const v = await device(broker, victim);
		const c = await connectDevice(broker, intruder);
		const box = inbox(c);
		try {
			const jobId = await createJob([victim]);
			// Mosquitto may grant the subscription; it then
			// delivers nothing the ACL forbids.
			await c.subscribeAsync(`$aws/things/${victim}/jobs/#`,
			    { qos: 1 }).catch(() => {});
			const from = v.box.length;
			const j2 = await createJob([victim]);
			await v.box.wait((m) => m.topic.endsWith("/notify"), 2000,
			    from);
			await c.publishAsync(`$aws/things/${victim}/jobs/${jobId}/` +
			    "update", JSON.stringify({ status: "REJECTED" }),
			    { qos: 1 }).catch(() => {});
			await c.publishAsync(`$aws/things/${victim}/jobs/get`, "{}",
			    { qos: 1 }).catch(() => {});
			await sleep(500);
			assert.deepEqual(v.box.slice(from).filter((m) =>
			    /(update|get)\/(accepted|rejected)$/.test(m.topic)), []);
			assert.equal(box.length, 0,
			    `intruder received ${JSON.stringify(box)}`);
			for (const j of [jobId, j2]) {
				const r = await v.ask(`${j}/get`, {});
				assert.equal(r.json.execution.status, "QUEUED");
			}
		} finally {
			await v.c.endAsync();
			await c.endAsync();
		}
	});

	// Updates go out every 25 ms without waiting for their replies, and
	// the broker is stopped and started again while they flow: every
	// update that was answered accepted (before or after) is in the store,
	// and iotjobsd answers again once it has reconnected.
	test("a broker restart during traffic loses no acknowledged update",
	    { timeout: 60000 }, async () => {
		const name = await newThing();
		const jobs = [];
		for (let i = 0; i < 60; i++)
			jobs.push(await createJob([name]));
		const dev = await device(broker, name,
		    { reconnectPeriod: 100, mqtt: { clean: false,
		    clientId: `${name}-persist` } });
		dev.c.on("error", () => {});
		// The broker keeps no sessions (persistence false): subscribe
		// again on every reconnect.
		dev.c.on("connect", () => dev.c.subscribe(
		    `$aws/things/${name}/jobs/#`, { qos: 1 }));
		const token = (jobId) => `restart-${jobId}`;
		const acked = (box) => new Set(box.filter((m) =>
		    m.topic.endsWith("/update/accepted")).map((m) =>
		    m.json.clientToken));
		try {
			let restartedAt = -1;
			let sendIndex = 0;
			for (let i = 0; i < jobs.length; i++) {
				if (i === 20) {
					// Stop mid-flight: earlier updates may
					// still be unanswered.
					restartedAt = dev.box.length;
					await broker.restart();
				}
				// Offline publishes are queued by the client
				// or lost with the broker; either is fine.
				dev.c.publish(`$aws/things/${name}/jobs/` +
				    `${jobs[i]}/update`, JSON.stringify({
				    clientToken: token(jobs[i]),
				    status: "SUCCEEDED" }), { qos: 1 },
				    () => {});
				sendIndex = i;
				await sleep(25);
			}
			assert.equal(sendIndex, jobs.length - 1);
			// As a device does: send again what got no answer
			// (iotjobsd reconnects with backoff meanwhile).
			const answered = () => new Set(dev.box.filter((m) =>
			    /\/update\/(accepted|rejected)$/.test(m.topic))
			    .map((m) => m.json.clientToken));
			const deadline = Date.now() + 20000;
			for (;;) {
				const done = answered();
				const left = jobs.filter((j) => !done.has(token(j)));
				if (left.length === 0 || Date.now() > deadline)
					break;
				if (dev.c.connected)
					for (const j of left)
						dev.c.publish(`$aws/things/${name}/` +
						    `jobs/${j}/update`, JSON.stringify({
						    clientToken: token(j),
						    status: "SUCCEEDED" }), { qos: 1 },
						    () => {});
				await sleep(500);
			}
			await sleep(300);
			const ok = acked(dev.box);
			const after = acked(dev.box.slice(restartedAt));
			assert.equal(answered().size, jobs.length,
			    "updates never answered after the restart");
			assert.ok(ok.size >= 20, `only ${ok.size} acked`);
			assert.ok(after.size > 0,
			    "no update accepted after the restart");
			// An update applied before the broker went away whose
			// answer was lost: sent again, it finds SUCCEEDED.
			for (const m of dev.box.filter((x) => x.topic.endsWith(
			    "/update/rejected"))) {
				assert.equal(m.json.code, "InvalidStateTransition",
				    JSON.stringify(m.json));
				assert.equal(m.json.executionState.status,
				    "SUCCEEDED");
			}
			for (const jobId of jobs) {
				const out = await iot.send(
				    new DescribeJobExecutionCommand(
				    { jobId, thingName: name }));
				assert.equal(out.execution.status, "SUCCEEDED",
				    `${jobId}: ${ok.has(token(jobId)) ?
				    "acknowledged" : "answered"}`);
			}
		} finally {
			dev.c.end(true);
		}
	});

	// Publishes N `get` requests tagged PREFIX-i from DEV and checks that
	// each was answered exactly once.
	async function eachAnsweredOnce(dev, prefix, n = 40) {
		const mine = (m) => /jobs\/get\/(accepted|rejected)$/.test(
		    m.topic) && m.json.clientToken?.startsWith(`${prefix}-`);
		const tokens = [];
		for (let i = 0; i < n; i++) {
			tokens.push(`${prefix}-${i}`);
			await dev.c.publishAsync(`$aws/things/${dev.name}/jobs/get`,
			    JSON.stringify({ clientToken: `${prefix}-${i}` }),
			    { qos: 1 });
		}
		await dev.box.wait(() => dev.box.filter(mine).length >= n, 5000);
		await sleep(500);	/* a second answer would be here by now */
		assert.deepEqual(dev.box.filter(mine).map(
		    (m) => m.json.clientToken).sort(), [...tokens].sort());
		assert.ok(dev.box.filter(mine).every(
		    (m) => m.topic.endsWith("accepted")));
	}

	async function waitForLog(d, re, ms = 5000) {
		const deadline = Date.now() + ms;
		while (!re.test(d.log(400))) {
			if (Date.now() > deadline)
				assert.fail(`no ${re} in the log:\n${d.log()}`);
			await sleep(50);
		}
	}

	test("two iotjobsd nodes on one broker answer each request once",
	    async () => {
		// A broker of their own; node 2 shares node 1's data folder:
		// node 1 leads, node 2 stands by.
		const b = await startBroker();
		const d1 = await startDaemon({ args: daemonMqttArgs(b) });
		const d2 = await startDaemon({ args: daemonMqttArgs(b),
		    dataDir: d1.dataDir });
		const iot2 = iotClient(d2);
		const name = uniqueName("dev");
		let dev;
		try {
			await waitForLog(d2, /standing by/);
			await iot2.send(new CreateThingCommand({ thingName: name }));
			await b.addDevices([name]);
			dev = await device(b, name);
			const next = (jobId) => dev.box.filter((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next` &&
			    m.json.execution?.jobId === jobId);

			// A job created through the standby: notified once.
			const job1 = uniqueName("job");
			const t0 = Date.now();
			await iot2.send(new CreateJobCommand({ jobId: job1,
			    targets: [thingArn(name)],
			    document: JSON.stringify(DOC) }));
			await dev.box.wait(() => next(job1).length > 0, 2000);
			const at = dev.box.find((m) => next(job1).includes(m)).at;
			assert.ok(at - t0 < 1000, `notify-next after ${at - t0} ms`);
			await eachAnsweredOnce(dev, "both");
			assert.equal(next(job1).length, 1);

			// An update over MQTT, seen through the other node.
			const r = await dev.ask(`${job1}/update`,
			    { status: "SUCCEEDED" });
			assert.match(r.topic, /accepted$/, JSON.stringify(r.json));
			await sleep(300);
			assert.equal(dev.box.filter((m) => m.topic ===
			    `$aws/things/${name}/jobs/${job1}/update/accepted`)
			    .length, 1);
			const out = await iot2.send(new DescribeJobExecutionCommand(
			    { jobId: job1, thingName: name }));
			assert.equal(out.execution.status, "SUCCEEDED");

			// The leader dies: the standby leads at once.
			await d1.kill9();
			await waitForLog(d2, /leading: the previous leader is gone/);
			let answered = false;
			for (let i = 0; i < 20 && !answered; i++) {
				const from = dev.box.length;
				await dev.c.publishAsync(
				    `$aws/things/${name}/jobs/get`,
				    JSON.stringify({ clientToken: `probe-${i}` }),
				    { qos: 1 });
				answered = await dev.box.wait((m) => m.topic.endsWith(
				    "get/accepted"), 250, from).then(() => true,
				    () => false);
			}
			assert.ok(answered, "the new leader does not answer");
			await eachAnsweredOnce(dev, "after");
			const job2 = uniqueName("job");
			await iot2.send(new CreateJobCommand({ jobId: job2,
			    targets: [thingArn(name)],
			    document: JSON.stringify(DOC) }));
			await dev.box.wait(() => next(job2).length > 0, 2000);
			await sleep(300);
			assert.equal(next(job2).length, 1);
		} finally {
			await dev?.c.endAsync();
			await d2.close();
			await d1.close();
			await b.close();
		}
	});

	test("with --mqtt-share-group every node answers, each request once",
	    async (t) => {
		if (!(await sharedDollarTopics(broker))) {
			t.skip("this Mosquitto does not deliver shared " +
			    "subscriptions of $ topics (docs/compatibility.md)");
			return;
		}
		const share = ["--mqtt-share-group", "iotjobsd"];
		const b = await startBroker();
		const d1 = await startDaemon({ args: daemonMqttArgs(b, share) });
		const d2 = await startDaemon({ args: daemonMqttArgs(b, share),
		    dataDir: d1.dataDir });
		const name = uniqueName("dev");
		let dev;
		try {
			await iotClient(d1).send(new CreateThingCommand(
			    { thingName: name }));
			await b.addDevices([name]);
			await sleep(1000);	/* d2 subscribed */
			dev = await device(b, name);
			await eachAnsweredOnce(dev, "shared");
		} finally {
			await dev?.c.endAsync();
			await d2.close();
			await d1.close();
			await b.close();
		}
	});
});

describe("MQTT events", () => {
	let broker, d, iot;

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ args: daemonMqttArgs(broker,
		    ["--mqtt-events"]) });
		iot = iotClient(d);
	});
	after(async () => {
		await d?.close();
		await broker?.close();
	});

	test("job and execution events with --mqtt-events", async () => {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		await broker.addDevices([name]);
		const watcher = await connectDevice(broker, IOTJOBSD_USER,
		    { password: IOTJOBSD_PASSWORD });
		const events = inbox(watcher);
		await watcher.subscribeAsync("$aws/events/#", { qos: 1 });
		const dev = await device(broker, name);
		try {
			const jobId = uniqueName("job");
			await iot.send(new CreateJobCommand({ jobId,
			    targets: [thingArn(name)],
			    document: JSON.stringify(DOC) }));
			const r = await dev.ask(`${jobId}/update`, {
				status: "SUCCEEDED", statusDetails: { ok: "yes" } });
			assert.match(r.topic, /accepted$/);
			const ex = await events.wait((m) => m.topic ===
			    `$aws/events/jobExecution/${jobId}/succeeded`);
			assert.equal(ex.json.eventType, "JOB_EXECUTION");
			assert.equal(ex.json.operation, "succeeded");
			assert.equal(ex.json.jobId, jobId);
			assert.equal(ex.json.thingArn, thingArn(name));
			assert.equal(ex.json.status, "SUCCEEDED");
			assert.deepEqual(ex.json.statusDetails, { ok: "yes" });
			assert.ok(ex.json.eventId);
			assertSeconds(ex.json.timestamp);
			const job = await events.wait((m) => m.topic ===
			    `$aws/events/job/${jobId}/completed`);
			assert.equal(job.json.eventType, "JOB");
			assert.equal(job.json.status, "COMPLETED");
		} finally {
			await dev.c.endAsync();
			await watcher.endAsync();
		}
	});
});

describe("MQTT broker away", () => {
	test("HTTP answers at once while the broker is away; MQTT follows it",
	    { timeout: 60000 }, async () => {
		const b = await startBroker();
		await b.stop();
		let d, dev;
		try {
			// iotjobsd starts and serves with no broker to talk to.
			d = await startDaemon({ args: daemonMqttArgs(b) });
			const iot = iotClient(d);
			const name = uniqueName("dev");
			const jobId = uniqueName("job");
			const timed = async (cmd) => {
				const t0 = Date.now();
				const out = await iot.send(cmd);
				const ms = Date.now() - t0;
				assert.ok(ms < 1000, `${cmd.constructor.name}` +
				    ` took ${ms} ms`);
				return out;
			};
			await timed(new CreateThingCommand({ thingName: name }));
			await timed(new CreateJobCommand({ jobId,
			    targets: [thingArn(name)],
			    document: JSON.stringify(DOC) }));
			const list = await timed(new ListThingsCommand({}));
			assert.ok(list.things.some((t) => t.thingName === name));
			assert.doesNotMatch(d.log(), /mqtt: connected/);

			// The broker comes: iotjobsd connects (backoff) and
			// answers the device, which learns its job with get.
			await b.addDevices([name]);
			await b.restart();
			const deadline = Date.now() + 40000;
			while (!/mqtt: connected/.test(d.log())) {
				assert.ok(Date.now() < deadline,
				    `iotjobsd did not connect:\n${d.log()}`);
				await sleep(100);
			}
			dev = await device(b, name);
			const r = await dev.ask("get", {});
			assert.match(r.topic, /get\/accepted$/);
			assert.deepEqual(r.json.queuedJobs.map((j) => j.jobId),
			    [jobId]);
		} finally {
			await dev?.c.endAsync();
			await d?.close();
			await b.close();
		}
	});
});

describe("MQTT request queue", () => {
	test("a full queue answers RequestThrottled at once, with the token",
	    { timeout: 60000 }, async () => {
		const b = await startBroker();
		let d, dev;
		try {
			// One worker and room for one waiting request.
			d = await startDaemon({ args: daemonMqttArgs(b,
			    ["--mqtt-queue", "1", "--threads", "1"]) });
			const name = uniqueName("dev");
			await iotClient(d).send(new CreateThingCommand(
			    { thingName: name }));
			await b.addDevices([name]);
			dev = await device(b, name);
			const n = 300;
			const reply = (m) => /jobs\/get\/(accepted|rejected)$/
			    .test(m.topic) && m.json.clientToken?.startsWith("q-");
			for (let i = 0; i < n; i++)
				dev.c.publish(`$aws/things/${name}/jobs/get`,
				    JSON.stringify({ clientToken: `q-${i}` }),
				    { qos: 0 });
			await dev.box.wait(() => dev.box.filter(reply).length >= n,
			    20000);
			const got = dev.box.filter(reply);
			// Every request has exactly one answer.
			assert.equal(new Set(got.map((m) =>
			    m.json.clientToken)).size, n);
			const throttled = got.filter((m) =>
			    m.topic.endsWith("rejected"));
			assert.ok(throttled.length > 0, "nothing was throttled");
			assert.ok(throttled.length < n, "everything was throttled");
			for (const m of throttled) {
				assert.equal(m.json.code, "RequestThrottled");
				assert.equal(typeof m.json.message, "string");
				assertSeconds(m.json.timestamp);
				assert.equal(m.json.executionState, undefined);
			}
		} finally {
			await dev?.c.endAsync();
			await d?.close();
			await b.close();
		}
	});
});
