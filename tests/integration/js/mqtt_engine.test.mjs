// SPDX-License-Identifier: Apache-2.0
//
// notify and notify-next (WIRE.md 10.4) for the causes that come from the
// job engine rather than from a request: rollout releases, in-progress and
// step timers, retries after TIMED_OUT and FAILED, and a scheduled start.
// A real Mosquitto (harness/broker.mjs), devices on the npm mqtt client,
// the daemon on the test clock: time moves only with d.advance(), so every
// queuedAt, lastUpdatedAt and timestamp is known to the second. Each step
// checks that the expected notifications arrive once, carry the expected
// execution, and that nothing else is published to the devices.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AddThingToThingGroupCommand,
	CreateJobCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DescribeJobCommand,
	DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot";

import {
	groupArn, iotClient, sleep, startDaemon, thingArn, uniqueName,
	withTimeout,
} from "../harness/harness.mjs";
import {
	connectDevice, daemonMqttArgs, inbox, startBroker,
} from "../harness/broker.mjs";

const DOC = { operation: "upgrade", url: "https://example.com/fw.bin" };

// Long enough for a second (wrong) notification to arrive after the first.
const SETTLE_MS = 300;

// A connected device of thing NAME with its inbox, subscribed to its jobs.
async function device(broker, name) {
	const c = await connectDevice(broker, name);
	const box = inbox(c);
	await c.subscribeAsync(`$aws/things/${name}/jobs/#`, { qos: 1 });
	const dev = { c, box, name,
		// Publishes SUFFIX with BODY; resolves with the reply.
		async ask(suffix, body = {}) {
			const from = box.length;
			const token = uniqueName("tok");
			await withTimeout(c.publishAsync(
			    `$aws/things/${name}/jobs/${suffix}`,
			    JSON.stringify({ clientToken: token, ...body }),
			    { qos: 1 }), 5000);
			return box.wait((m) => m.topic.startsWith(
			    `$aws/things/${name}/jobs/${suffix}/`) &&
			    m.json.clientToken === token, 5000, from);
		},
		// notify and notify-next messages received since index FROM.
		notes(from) {
			const pre = `$aws/things/${name}/jobs/`;
			const got = box.slice(from);
			return {
				notify: got.filter((m) => m.topic ===
				    pre + "notify").map((m) => m.json),
				next: got.filter((m) => m.topic ===
				    pre + "notify-next").map((m) => m.json),
			};
		},
	};
	return dev;
}

// Waits for the notifications DEV is due since index FROM (want.notify,
// want.next: whether each is due), lets SETTLE_MS pass, and checks that
// each due one came exactly once and nothing else came. Returns
// { notify, next }: the payloads (undefined when not due).
async function expectNotes(dev, from, want) {
	const pre = `$aws/things/${dev.name}/jobs/`;
	for (const [key, topic] of [["notify", "notify"],
	    ["next", "notify-next"]])
		if (want[key])
			await dev.box.wait((m) => m.topic === pre + topic, 3000,
			    from);
	await sleep(SETTLE_MS);
	const got = dev.notes(from);
	assert.equal(got.notify.length, want.notify ? 1 : 0,
	    `${dev.name}: notify ${JSON.stringify(got.notify)}`);
	assert.equal(got.next.length, want.next ? 1 : 0,
	    `${dev.name}: notify-next ${JSON.stringify(got.next)}`);
	return { notify: got.notify[0], next: got.next[0] };
}

// Checks a payload's timestamp: epoch seconds between LO and HI.
function assertStamp(payload, lo, hi = lo) {
	const ts = payload.timestamp;
	assert.equal(typeof ts, "number");
	assert.ok(Number.isInteger(ts) && ts > 1.5e9 && ts < 1e10,
	    `timestamp ${ts} is not in epoch seconds`);
	assert.ok(ts >= lo && ts <= hi, `timestamp ${ts} not in [${lo}, ${hi}]`);
}

// notify's payload without its timestamp, checked apart.
function jobsOf(payload) {
	assert.deepEqual(Object.keys(payload).sort(), ["jobs", "timestamp"]);
	return payload.jobs;
}

// notify-next's execution, the payload's only other member.
function nextOf(payload) {
	const keys = Object.keys(payload).sort();
	if (payload.execution === undefined) {
		assert.deepEqual(keys, ["timestamp"]);
		return undefined;
	}
	assert.deepEqual(keys, ["execution", "timestamp"]);
	return payload.execution;
}

// The summary notify lists for one execution (WIRE.md 10.4).
function summary(jobId, { queuedAt, startedAt, lastUpdatedAt,
    executionNumber = 1, versionNumber = 1 }) {
	return { jobId, queuedAt,
	    ...(startedAt !== undefined ? { startedAt } : {}),
	    lastUpdatedAt: lastUpdatedAt ?? queuedAt, executionNumber,
	    versionNumber };
}

// The JobExecution notify-next carries for a QUEUED execution.
function queuedExec(jobId, thingName, { queuedAt, executionNumber = 1 }) {
	return { jobId, thingName, status: "QUEUED", queuedAt,
	    lastUpdatedAt: queuedAt, versionNumber: 1, executionNumber,
	    jobDocument: DOC };
}

// YYYY-MM-DDTHH:MM (UTC) of epoch seconds T, as schedulingConfig takes it.
const schedTime = (t) => new Date(t * 1000).toISOString().slice(0, 16);

describe("MQTT notifications from the job engine", () => {
	let broker, d, iot;
	const devices = [];

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ testClock: true,
		    args: daemonMqttArgs(broker) });
		iot = iotClient(d);
	});
	after(async () => {
		for (const dev of devices)
			await dev.c.endAsync();
		await d?.close();
		await broker?.close();
	});

	// Things NAMES, created, with their devices connected.
	async function things(names) {
		for (const name of names)
			await iot.send(new CreateThingCommand({ thingName: name }));
		await broker.addDevices(names);
		const out = [];
		for (const name of names) {
			const dev = await device(broker, name);
			devices.push(dev);
			out.push(dev);
		}
		return out;
	}

	async function createJob(targets, extra = {}) {
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({ jobId, targets,
		    document: JSON.stringify(DOC), ...extra }));
		return jobId;
	}

	async function execution(jobId, thingName, executionNumber) {
		const out = await iot.send(new DescribeJobExecutionCommand(
		    { jobId, thingName, executionNumber }));
		return out.execution;
	}

	// Marks where each device's inbox stands.
	const marks = (devs) => devs.map((dev) => dev.box.length);

	test("a rollout releases maximumPerMinute things a minute, each " +
	    "notified when released", async () => {
		// Released in thing-name order: -0 and -1 at once, -2 and -3
		// a minute later, -4 after two minutes.
		const base = uniqueName("roll");
		const devs = await things([0, 1, 2, 3, 4].map((i) =>
		    `${base}-${i}`));
		const group = uniqueName("grp");
		await iot.send(new CreateThingGroupCommand(
		    { thingGroupName: group }));
		for (const dev of devs)
			await iot.send(new AddThingToThingGroupCommand(
			    { thingGroupName: group, thingName: dev.name }));
		const t0 = await d.now();
		let from = marks(devs);
		const jobId = await createJob([groupArn(group)], {
			jobExecutionsRolloutConfig: { maximumPerMinute: 2 },
		});

		// Checks the release of DEVS[i] for i in WHO at time AT, and
		// that the others got nothing since FROM.
		async function released(who, at) {
			const due = devs.map((_, i) => who.includes(i));
			const all = await Promise.all(devs.map((dev, i) =>
			    expectNotes(dev, from[i],
			    { notify: due[i], next: due[i] })));
			for (let i = 0; i < devs.length; i++) {
				const dev = devs[i];
				const got = all[i];
				if (!due[i])
					continue;
				assertStamp(got.next, at);
				assert.deepEqual(nextOf(got.next),
				    queuedExec(jobId, dev.name,
				    { queuedAt: at }));
				assertStamp(got.notify, at);
				assert.deepEqual(jobsOf(got.notify), { QUEUED: [
				    summary(jobId, { queuedAt: at })] });
			}
			from = marks(devs);
		}
		const queued = async () => (await iot.send(
		    new DescribeJobCommand({ jobId }))).job.jobProcessDetails
		    .numberOfQueuedThings;

		await released([0, 1], t0);
		assert.equal(await queued(), 2);
		// Not a minute yet: nobody else.
		await d.advance(59);
		await released([], t0 + 59);
		assert.equal(await queued(), 2);
		await d.advance(1);
		await released([2, 3], t0 + 60);
		assert.equal(await queued(), 4);
		await d.advance(60);
		await released([4], t0 + 120);
		assert.equal(await queued(), 5);
		// Everyone released: later minutes publish nothing.
		await d.advance(120);
		await released([], t0 + 240);
	});

	test("the in-progress timer: TIMED_OUT leaves the list, the next " +
	    "execution is announced", async () => {
		const [dev] = await things([uniqueName("dev")]);
		const t0 = await d.now();
		let from = dev.box.length;
		const plain = await createJob([thingArn(dev.name)]);
		let got = await expectNotes(dev, from, { notify: true,
		    next: true });
		assert.equal(nextOf(got.next).jobId, plain);
		await d.advance(10);
		const t1 = t0 + 10;
		from = dev.box.length;
		const timed = await createJob([thingArn(dev.name)],
		    { timeoutConfig: { inProgressTimeoutInMinutes: 2 } });
		// Queued behind PLAIN: the list changes, its head does not.
		got = await expectNotes(dev, from, { notify: true, next: false });
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(plain, { queuedAt: t0 }),
		    summary(timed, { queuedAt: t1 })] });

		// TIMED goes IN_PROGRESS and thereby first.
		await d.advance(10);
		const t2 = t1 + 10;
		from = dev.box.length;
		const r = await dev.ask(`${timed}/update`,
		    { status: "IN_PROGRESS" });
		assert.match(r.topic, /update\/accepted$/, JSON.stringify(r.json));
		got = await expectNotes(dev, from, { notify: true, next: true });
		assertStamp(got.next, t2);
		assert.deepEqual(nextOf(got.next), { jobId: timed,
		    thingName: dev.name, status: "IN_PROGRESS", queuedAt: t1,
		    startedAt: t2, lastUpdatedAt: t2,
		    approximateSecondsBeforeTimedOut: 120, versionNumber: 2,
		    executionNumber: 1, jobDocument: DOC });
		assert.deepEqual(jobsOf(got.notify), {
		    IN_PROGRESS: [summary(timed, { queuedAt: t1, startedAt: t2,
			lastUpdatedAt: t2, versionNumber: 2 })],
		    QUEUED: [summary(plain, { queuedAt: t0 })] });

		// A second short of the deadline: nothing.
		from = dev.box.length;
		await d.advance(119);
		await expectNotes(dev, from, { notify: false, next: false });
		assert.equal((await execution(timed, dev.name)).status,
		    "IN_PROGRESS");
		// Past it: TIMED leaves the list, PLAIN is first again.
		await d.advance(31);
		got = await expectNotes(dev, from, { notify: true, next: true });
		const deadline = t2 + 120;
		assertStamp(got.next, deadline, deadline + 30);
		assert.deepEqual(nextOf(got.next),
		    queuedExec(plain, dev.name, { queuedAt: t0 }));
		assertStamp(got.notify, deadline, deadline + 30);
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(plain, { queuedAt: t0 })] });
		const ex = await execution(timed, dev.name);
		assert.equal(ex.status, "TIMED_OUT");
		assert.equal(ex.lastUpdatedAt.getTime() / 1000, deadline);
		assert.equal(ex.versionNumber, 3);
	});

	test("the step timer of start-next: TIMED_OUT empties the list",
	    async () => {
		const [dev] = await things([uniqueName("dev")]);
		const t0 = await d.now();
		let from = dev.box.length;
		const jobId = await createJob([thingArn(dev.name)],
		    { timeoutConfig: { inProgressTimeoutInMinutes: 10 } });
		let got = await expectNotes(dev, from, { notify: true,
		    next: true });
		// A QUEUED execution has no timer running yet.
		assert.deepEqual(nextOf(got.next),
		    queuedExec(jobId, dev.name, { queuedAt: t0 }));

		// The head goes IN_PROGRESS: neither topic (WIRE.md 10.4).
		from = dev.box.length;
		const r = await dev.ask("start-next",
		    { stepTimeoutInMinutes: 1 });
		assert.equal(r.json.execution.jobId, jobId);
		assert.equal(r.json.execution.approximateSecondsBeforeTimedOut,
		    60);
		await expectNotes(dev, from, { notify: false, next: false });

		await d.advance(59);
		await expectNotes(dev, from, { notify: false, next: false });
		await d.advance(6);
		got = await expectNotes(dev, from, { notify: true, next: true });
		assertStamp(got.next, t0 + 60, t0 + 65);
		assert.equal(nextOf(got.next), undefined);
		assertStamp(got.notify, t0 + 60, t0 + 65);
		assert.deepEqual(jobsOf(got.notify), {});
		const ex = await execution(jobId, dev.name);
		assert.equal(ex.status, "TIMED_OUT");
		assert.equal(ex.lastUpdatedAt.getTime() / 1000, t0 + 60);

		// The in-progress timer of the timed-out execution is gone:
		// its deadline passes without a word.
		from = dev.box.length;
		await d.advance(600);
		await expectNotes(dev, from, { notify: false, next: false });
	});

	test("a retry after TIMED_OUT is announced with notify-next, until " +
	    "the retries run out", async () => {
		const [dev] = await things([uniqueName("dev")]);
		const t0 = await d.now();
		let from = dev.box.length;
		const jobId = await createJob([thingArn(dev.name)], {
			timeoutConfig: { inProgressTimeoutInMinutes: 1 },
			jobExecutionsRetryConfig: { criteriaList: [
			    { failureType: "TIMED_OUT", numberOfRetries: 1 }] },
		});
		let got = await expectNotes(dev, from, { notify: true,
		    next: true });
		assert.deepEqual(nextOf(got.next),
		    queuedExec(jobId, dev.name, { queuedAt: t0 }));

		from = dev.box.length;
		let r = await dev.ask("start-next");
		assert.equal(r.json.execution.executionNumber, 1);
		await d.advance(70);
		// One change: #1 leaves, #2 is queued at the deadline. No
		// empty list in between.
		got = await expectNotes(dev, from, { notify: true, next: true });
		const d1 = t0 + 60;
		assertStamp(got.next, d1, d1 + 10);
		assert.deepEqual(nextOf(got.next), queuedExec(jobId, dev.name,
		    { queuedAt: d1, executionNumber: 2 }));
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(jobId, { queuedAt: d1, executionNumber: 2 })] });
		assert.equal((await execution(jobId, dev.name, 1)).status,
		    "TIMED_OUT");

		// The retry times out too; no retry is left.
		const t1 = await d.now();
		from = dev.box.length;
		r = await dev.ask("start-next");
		assert.equal(r.json.execution.executionNumber, 2);
		await expectNotes(dev, from, { notify: false, next: false });
		await d.advance(70);
		got = await expectNotes(dev, from, { notify: true, next: true });
		assertStamp(got.next, t1 + 60, t1 + 70);
		assert.equal(nextOf(got.next), undefined);
		assert.deepEqual(jobsOf(got.notify), {});
		assert.equal((await execution(jobId, dev.name, 2)).status,
		    "TIMED_OUT");
		await assert.rejects(execution(jobId, dev.name, 3),
		    { name: "ResourceNotFoundException" });
	});

	test("a retry after FAILED queues at the end and is announced when " +
	    "it comes first", async () => {
		const [dev] = await things([uniqueName("dev")]);
		const t0 = await d.now();
		let from = dev.box.length;
		const retried = await createJob([thingArn(dev.name)], {
			jobExecutionsRetryConfig: { criteriaList: [
			    { failureType: "FAILED", numberOfRetries: 2 }] },
		});
		await expectNotes(dev, from, { notify: true, next: true });
		await d.advance(5);
		const t1 = t0 + 5;
		from = dev.box.length;
		const other = await createJob([thingArn(dev.name)]);
		await expectNotes(dev, from, { notify: true, next: false });

		from = dev.box.length;
		let r = await dev.ask("start-next");
		assert.equal(r.json.execution.jobId, retried);
		await expectNotes(dev, from, { notify: false, next: false });
		await d.advance(5);
		const t2 = t1 + 5;
		r = await dev.ask(`${retried}/update`, { status: "FAILED" });
		assert.match(r.topic, /update\/accepted$/, JSON.stringify(r.json));
		// #1 leaves, OTHER comes first, the retry waits behind it.
		let got = await expectNotes(dev, from, { notify: true,
		    next: true });
		assertStamp(got.next, t2);
		assert.deepEqual(nextOf(got.next),
		    queuedExec(other, dev.name, { queuedAt: t1 }));
		assertStamp(got.notify, t2);
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(other, { queuedAt: t1 }),
		    summary(retried, { queuedAt: t2, executionNumber: 2 })] });

		// OTHER done: the retry is first.
		await d.advance(5);
		const t3 = t2 + 5;
		from = dev.box.length;
		r = await dev.ask(`${other}/update`, { status: "SUCCEEDED" });
		assert.match(r.topic, /update\/accepted$/, JSON.stringify(r.json));
		got = await expectNotes(dev, from, { notify: true, next: true });
		assertStamp(got.next, t3);
		assert.deepEqual(nextOf(got.next), queuedExec(retried, dev.name,
		    { queuedAt: t2, executionNumber: 2 }));
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(retried, { queuedAt: t2, executionNumber: 2 })] });

		// The retry started and failed: the second retry (#3) takes
		// its place at once.
		from = dev.box.length;
		r = await dev.ask("start-next");
		assert.equal(r.json.execution.executionNumber, 2);
		r = await dev.ask(`${retried}/update`, { status: "FAILED",
		    executionNumber: 2 });
		assert.match(r.topic, /update\/accepted$/, JSON.stringify(r.json));
		got = await expectNotes(dev, from, { notify: true, next: true });
		assert.deepEqual(nextOf(got.next), queuedExec(retried, dev.name,
		    { queuedAt: t3, executionNumber: 3 }));
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(retried, { queuedAt: t3, executionNumber: 3 })] });
		// A REJECTED is never retried: the list empties.
		from = dev.box.length;
		r = await dev.ask(`${retried}/update`, { status: "REJECTED" });
		assert.match(r.topic, /update\/accepted$/, JSON.stringify(r.json));
		got = await expectNotes(dev, from, { notify: true, next: true });
		assert.equal(nextOf(got.next), undefined);
		assert.deepEqual(jobsOf(got.notify), {});
	});

	test("a scheduled job notifies nobody until its startTime",
	    async () => {
		const [dev] = await things([uniqueName("dev")]);
		const now = await d.now();
		const start = (Math.floor(now / 60) + 35) * 60;
		let from = dev.box.length;
		const jobId = await createJob([thingArn(dev.name)], {
			schedulingConfig: { startTime: schedTime(start) },
		});
		assert.equal((await iot.send(new DescribeJobCommand({ jobId })))
		    .job.status, "SCHEDULED");
		await expectNotes(dev, from, { notify: false, next: false });
		await d.advance(start - now - 1);
		await expectNotes(dev, from, { notify: false, next: false });
		await d.advance(1);
		const got = await expectNotes(dev, from, { notify: true,
		    next: true });
		assertStamp(got.next, start);
		assert.deepEqual(nextOf(got.next),
		    queuedExec(jobId, dev.name, { queuedAt: start }));
		assertStamp(got.notify, start);
		assert.deepEqual(jobsOf(got.notify), { QUEUED: [
		    summary(jobId, { queuedAt: start })] });
	});
});
