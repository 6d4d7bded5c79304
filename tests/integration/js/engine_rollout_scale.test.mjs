// The rollout rate at fleet scale, as the issue states it: a job for a
// group of 100,000 things with maximumPerMinute 1,000 releases exactly
// 1,000 executions per simulated minute, and a thing not yet rolled out
// sees nothing pending. The fleet is made through the API (the JS SDK,
// many requests in flight), the minutes with the test clock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
	CreateThingCommand, CreateThingGroupCommand,
	AddThingToThingGroupCommand, CreateJobCommand, DescribeJobCommand,
	ListJobExecutionsForJobCommand,
} from "@aws-sdk/client-iot";
import {
	GetPendingJobExecutionsCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	startDaemon, dataClient, iotClient, uniqueName, REGION, ACCOUNT_ID,
} from "../harness/harness.mjs";

const FLEET = 100000;
const RATE = 1000;
const IN_FLIGHT = 64;
let d, data, iot;

before(async () => {
	d = await startDaemon({ testClock: true });
	data = dataClient(d);
	iot = iotClient(d);
});
after(async () => { await d?.close(); });

// Runs fn(i) for i in [0, n) with at most IN_FLIGHT calls pending.
async function pool(n, fn) {
	let next = 0;
	async function worker() {
		while (next < n) {
			const i = next++;
			await fn(i);
		}
	}
	await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function counts(jobId) {
	const job = await iot.send(new DescribeJobCommand({ jobId }));
	return job.job;
}

test("1,000 per minute releases exactly 1,000 of 100,000 each minute",
    { timeout: 900000 }, async () => {
	const group = uniqueName("fleet");
	const prefix = uniqueName("f");
	await iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
	await pool(FLEET, async (i) => {
		const thingName = `${prefix}-${i}`;
		await iot.send(new CreateThingCommand({ thingName }));
		await iot.send(new AddThingToThingGroupCommand(
		    { thingGroupName: group, thingName }));
	});
	const jobId = uniqueName("rollout");
	await iot.send(new CreateJobCommand({
		jobId, document: "{}",
		targets: [`arn:aws:iot:${REGION}:${ACCOUNT_ID}:thinggroup/${group}`],
		jobExecutionsRolloutConfig: { maximumPerMinute: RATE },
	}));
	let job = await counts(jobId);
	assert.equal(job.jobProcessDetails.numberOfQueuedThings, RATE);
	assert.equal(job.isConcurrent, true);
	for (let minute = 2; minute <= 4; minute++) {
		await d.advance(59);
		job = await counts(jobId);
		assert.equal(job.jobProcessDetails.numberOfQueuedThings,
		    (minute - 1) * RATE, `just before minute ${minute}`);
		await d.advance(1);
		job = await counts(jobId);
		assert.equal(job.jobProcessDetails.numberOfQueuedThings,
		    minute * RATE, `at minute ${minute}`);
	}
	// The 4,000 released things see the job; a sample of the others
	// sees nothing pending yet.
	const released = new Set();
	let nextToken;
	do {
		const page = await iot.send(new ListJobExecutionsForJobCommand(
		    { jobId, maxResults: 250, nextToken }));
		for (const e of page.executionSummaries)
			released.add(e.thingArn.split("/").pop());
		nextToken = page.nextToken;
	} while (nextToken);
	assert.equal(released.size, 4 * RATE);
	const names = Array.from({ length: FLEET }, (_, i) => `${prefix}-${i}`);
	const sample = names.filter((_, i) => i % 50 === 0);
	await pool(sample.length, async (i) => {
		const p = await data.send(new GetPendingJobExecutionsCommand(
		    { thingName: sample[i] }));
		assert.equal(p.queuedJobs.length,
		    released.has(sample[i]) ? 1 : 0, sample[i]);
	});
});
