// SPDX-License-Identifier: Apache-2.0
//
// The jobs control plane through the AWS SDK for JavaScript v3 (WIRE.md
// 11.3). The JS client sends what it is given, so these tests cover the
// server-side checks (model limits, patterns, enums, and the rules of the
// prose) and the error classes the SDK maps the answers to.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AddThingToThingGroupCommand,
	AssociateTargetsWithJobCommand,
	CancelJobCommand,
	CreateJobCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DeleteJobCommand,
	DescribeJobCommand,
	GetJobDocumentCommand,
	InvalidRequestException,
	InvalidStateTransitionException,
	LimitExceededException,
	ListJobsCommand,
	ResourceAlreadyExistsException,
	ResourceNotFoundException,
	UpdateJobCommand,
} from "@aws-sdk/client-iot";
import {
	StartNextPendingJobExecutionCommand,
	UpdateJobExecutionCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const PREFIX = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;
const thingArn = (n) => `${PREFIX}thing/${n}`;
const groupArn = (n) => `${PREFIX}thinggroup/${n}`;
const jobArn = (n) => `${PREFIX}job/${n}`;

// Resolves to the error a promise rejects with; fails if it resolves.
async function rejection(promise) {
	try {
		const out = await promise;
		assert.fail(`expected an error, got ${JSON.stringify(out)}`);
	} catch (err) {
		if (err instanceof assert.AssertionError)
			throw err;
		return err;
	}
}

// Asserts ERR is an instance of CLASS with STATUS and a message naming
// every word of WORDS.
function assertError(err, cls, status, ...words) {
	assert.ok(err instanceof cls, `expected ${cls.name}, got ${err.name}:` +
	    ` ${err.message}`);
	assert.equal(err.name, cls.name);
	assert.equal(err.$metadata.httpStatusCode, status);
	for (const w of words)
		assert.ok(err.message.includes(w),
		    `message "${err.message}" does not name ${w}`);
}

describe("jobs control plane (JS v3 clients)", () => {
	let d, iot, data, thing, group;

	const create = (input) => iot.send(new CreateJobCommand({
		jobId: uniqueName("job"), targets: [thingArn(thing)],
		document: "{}", ...input,
	}));

	before(async () => {
		d = await startDaemon();
		iot = iotClient(d);
		data = dataClient(d);
		thing = uniqueName("th");
		group = uniqueName("grp");
		await iot.send(new CreateThingCommand({ thingName: thing }));
		await iot.send(new CreateThingGroupCommand({
			thingGroupName: group,
		}));
		await iot.send(new AddThingToThingGroupCommand({
			thingGroupName: group, thingName: thing,
		}));
	});

	after(async () => {
		iot?.destroy();
		data?.destroy();
		await d?.close();
	});

	test("CreateJob, DescribeJob, GetJobDocument round trip", async () => {
		const jobId = uniqueName("job");
		const out = await create({
			jobId, description: "js", document: '{"a":[1,2]}',
			targets: [groupArn(group)],
			timeoutConfig: { inProgressTimeoutInMinutes: 10 },
		});
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.equal(out.jobArn, jobArn(jobId));
		assert.equal(out.description, "js");
		const { job } = await iot.send(new DescribeJobCommand({ jobId }));
		assert.equal(job.status, "IN_PROGRESS");
		assert.equal(job.targetSelection, "SNAPSHOT");
		assert.deepEqual(job.targets, [groupArn(group)]);
		assert.ok(job.createdAt instanceof Date);
		assert.deepEqual(job.timeoutConfig,
		    { inProgressTimeoutInMinutes: 10 });
		assert.equal(job.jobProcessDetails.numberOfQueuedThings, 1);
		assert.equal(job.jobProcessDetails.numberOfTimedOutThings, 0);
		const doc = await iot.send(new GetJobDocumentCommand({ jobId }));
		assert.equal(doc.document, '{"a":[1,2]}');
	});

	test("model limits and patterns are checked by the server", async () => {
		const cases = [
			[{ jobId: "bad id!" }, "jobId"],
			[{ jobId: "x".repeat(65) }, "jobId"],
			[{ targets: [] }, "targets"],
			[{ targets: undefined }, "targets"],
			[{ description: "d".repeat(2029) }, "description"],
			[{ document: `{"k":"${"x".repeat(32768)}"}` }, "document"],
			[{ targetSelection: "SOMETIMES" }, "targetSelection"],
			[{ abortConfig: { criteriaList: [{
				failureType: "FAILED", action: "CANCEL",
				thresholdPercentage: 101,
				minNumberOfExecutedThings: 1 }] } },
			    "thresholdPercentage"],
			[{ jobExecutionsRetryConfig: { criteriaList: [{
				failureType: "FAILED", numberOfRetries: 11 }] } },
			    "numberOfRetries"],
			[{ presignedUrlConfig: { expiresInSec: 59 } },
			    "expiresInSec"],
		];
		for (const [input, word] of cases) {
			const err = await rejection(create(input));
			assertError(err, InvalidRequestException, 400, word);
		}
	});

	test("prose rules are checked by the server", async () => {
		const cases = [
			[{ targets: Array.from({ length: 101 },
			    (_, i) => thingArn(`t${i}`)) }, "100"],
			[{ targets: ["arn:aws:iot:eu-west-1:123456789012:thing/x"] },
			    "eu-west-1"],
			[{ timeoutConfig: { inProgressTimeoutInMinutes: -1 } },
			    "inProgressTimeoutInMinutes"],
			[{ jobExecutionsRolloutConfig: { maximumPerMinute: 5000 } },
			    "maximumPerMinute"],
			[{ document: "not json" }, "document"],
			[{ document: undefined }, "document"],
			[{ documentSource: "https://s3.amazonaws.com/b/k" },
			    "documentSource"],
			[{ schedulingConfig: { startTime: "tomorrow" } },
			    "startTime"],
		];
		for (const [input, word] of cases) {
			const err = await rejection(create(input));
			assertError(err, InvalidRequestException, 400, word);
		}
	});

	test("error classes of the other failures", async () => {
		const jobId = uniqueName("job");
		await create({ jobId });
		assertError(await rejection(create({ jobId })),
		    ResourceAlreadyExistsException, 409, jobId);
		const dup = await rejection(create({ jobId }));
		assert.equal(dup.resourceId, jobId);
		assert.equal(dup.resourceArn, jobArn(jobId));
		assertError(await rejection(iot.send(new DeleteJobCommand({
		    jobId }))), InvalidStateTransitionException, 409, jobId);
		assertError(await rejection(iot.send(new DescribeJobCommand({
		    jobId: "nope" }))), ResourceNotFoundException, 404, "nope");
		assertError(await rejection(create({
		    targets: [thingArn("ghost-thing")] })),
		    ResourceNotFoundException, 404, "ghost-thing");
		const cont = uniqueName("job");
		await create({ jobId: cont, targetSelection: "CONTINUOUS" });
		assertError(await rejection(iot.send(
		    new AssociateTargetsWithJobCommand({ jobId: cont,
		    targets: Array.from({ length: 100 },
		    (_, i) => groupArn(`g${i}`)) }))),
		    LimitExceededException, 410, "100");
		assertError(await rejection(iot.send(new CancelJobCommand({
		    jobId, reasonCode: "lower case" }))),
		    InvalidRequestException, 400, "reasonCode");
		assertError(await rejection(iot.send(new UpdateJobCommand({
		    jobId, timeoutConfig: { inProgressTimeoutInMinutes: 10081 },
		}))), InvalidRequestException, 400,
		    "inProgressTimeoutInMinutes");
	});

	test("a device finishing the last execution completes the job",
	    async () => {
		const jobId = uniqueName("job");
		const dev = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: dev }));
		await create({ jobId, targets: [thingArn(dev)] });
		await data.send(new StartNextPendingJobExecutionCommand({
			thingName: dev,
		}));
		let { job } = await iot.send(new DescribeJobCommand({ jobId }));
		assert.equal(job.jobProcessDetails.numberOfInProgressThings, 1);
		await data.send(new UpdateJobExecutionCommand({
			jobId, thingName: dev, status: "SUCCEEDED",
		}));
		({ job } = await iot.send(new DescribeJobCommand({ jobId })));
		assert.equal(job.status, "COMPLETED");
		assert.ok(job.completedAt instanceof Date);
		assert.equal(job.jobProcessDetails.numberOfSucceededThings, 1);
		assert.equal(job.jobProcessDetails.numberOfInProgressThings, 0);
		const del = await iot.send(new DeleteJobCommand({ jobId }));
		assert.equal(del.$metadata.httpStatusCode, 200);
	});

	test("ListJobs: maxResults bounds, token, group filter", async () => {
		for (const maxResults of [0, 251]) {
			const err = await rejection(iot.send(new ListJobsCommand({
				maxResults })));
			assertError(err, InvalidRequestException, 400,
			    "maxResults");
		}
		assertError(await rejection(iot.send(new ListJobsCommand({
		    nextToken: "not-a-token" }))), InvalidRequestException, 400,
		    "nextToken");
		const jobId = uniqueName("job");
		await create({ jobId, targets: [groupArn(group)] });
		const out = await iot.send(new ListJobsCommand({
			thingGroupName: group, maxResults: 1,
		}));
		assert.equal(out.jobs.length, 1);
		assert.equal(out.jobs[0].jobId, jobId);
		assert.ok(out.jobs[0].thingGroupId);
		assert.equal(out.jobs[0].isConcurrent, false);
	});
});
