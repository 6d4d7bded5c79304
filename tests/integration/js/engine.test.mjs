// The job engine through the AWS SDK for JavaScript v3 and the test clock:
// a timer, a retry and a rollout tick as the device and the operator see
// them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
	CreateThingCommand, CreateJobCommand, DescribeJobCommand,
} from "@aws-sdk/client-iot";
import {
	StartNextPendingJobExecutionCommand, DescribeJobExecutionCommand,
	GetPendingJobExecutionsCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	startDaemon, dataClient, iotClient, uniqueName, REGION, ACCOUNT_ID,
} from "../harness/harness.mjs";

const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;
let d, data, iot;

before(async () => {
	d = await startDaemon({ testClock: true });
	data = dataClient(d);
	iot = iotClient(d);
});
after(async () => { await d?.close(); });

async function thing() {
	const name = uniqueName("th");
	await iot.send(new CreateThingCommand({ thingName: name }));
	return name;
}

test("a timed-out execution is retried as a new execution", async () => {
	const t = await thing();
	const jobId = uniqueName("job");
	await iot.send(new CreateJobCommand({
		jobId, targets: [ARN + "thing/" + t], document: "{}",
		timeoutConfig: { inProgressTimeoutInMinutes: 2 },
		jobExecutionsRetryConfig: { criteriaList: [
		    { failureType: "ALL", numberOfRetries: 1 }] },
	}));
	const s = await data.send(new StartNextPendingJobExecutionCommand(
	    { thingName: t }));
	assert.equal(s.execution.approximateSecondsBeforeTimedOut, 120);
	const before = await d.now();
	assert.equal(await d.advance(120), before + 120);
	const old = await data.send(new DescribeJobExecutionCommand(
	    { thingName: t, jobId, executionNumber: 1 }));
	assert.equal(old.execution.status, "TIMED_OUT");
	const p = await data.send(new GetPendingJobExecutionsCommand(
	    { thingName: t }));
	assert.deepEqual(p.queuedJobs.map((q) => q.executionNumber), [2]);
	const job = await iot.send(new DescribeJobCommand({ jobId }));
	assert.equal(job.job.jobProcessDetails.numberOfTimedOutThings, 1);
	assert.equal(job.job.jobProcessDetails.numberOfQueuedThings, 1);
	assert.equal(job.job.status, "IN_PROGRESS");
});

test("a rollout rate releases one batch per minute", async () => {
	const targets = [];
	for (let i = 0; i < 3; i++)
		targets.push(ARN + "thing/" + await thing());
	const jobId = uniqueName("job");
	await iot.send(new CreateJobCommand({
		jobId, targets, document: "{}",
		jobExecutionsRolloutConfig: { maximumPerMinute: 2 },
	}));
	let job = await iot.send(new DescribeJobCommand({ jobId }));
	assert.equal(job.job.jobProcessDetails.numberOfQueuedThings, 2);
	assert.equal(job.job.isConcurrent, true);
	await d.advance(60);
	job = await iot.send(new DescribeJobCommand({ jobId }));
	assert.equal(job.job.jobProcessDetails.numberOfQueuedThings, 3);
	assert.equal(job.job.isConcurrent, false);
});
