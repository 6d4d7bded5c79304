// SPDX-License-Identifier: Apache-2.0
//
// The device data plane through the AWS SDK for JavaScript v3. JS v3 sends
// what botocore refuses to (values past a model max, bad patterns and
// enums, out-of-range prose limits), so the server-side checks are tested
// here; also $next as %24next and as a literal, a StartNext race between
// concurrent requests, and StartCommandExecution of an unknown command.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobCommand,
	CreateThingCommand,
	DescribeJobCommand,
} from "@aws-sdk/client-iot";
import {
	DescribeJobExecutionCommand,
	GetPendingJobExecutionsCommand,
	InvalidRequestException,
	InvalidStateTransitionException,
	ResourceNotFoundException,
	StartCommandExecutionCommand,
	StartNextPendingJobExecutionCommand,
	UpdateJobExecutionCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const thingArn = (name) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:thing/${name}`;

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

// Asserts the error class name, HTTP status and a message naming WORD.
function assertAwsError(err, name, status, word) {
	assert.equal(err.name, name, err.message);
	assert.equal(err.$metadata.httpStatusCode, status);
	assert.ok(err.message, "error without a message");
	if (word !== undefined)
		assert.ok(err.message.includes(word),
		    `message "${err.message}" does not name ${word}`);
}

describe("data plane (JS v3 clients)", () => {
	let d, iot, data;

	before(async () => {
		d = await startDaemon();
		iot = iotClient(d);
		data = dataClient(d);
	});

	after(async () => {
		iot?.destroy();
		data?.destroy();
		await d?.close();
	});

	async function thingWithJob(document = { op: "x" }) {
		const thing = uniqueName("js");
		const jobId = uniqueName("job");
		await iot.send(new CreateThingCommand({ thingName: thing }));
		await iot.send(new CreateJobCommand({
			jobId, targets: [thingArn(thing)],
			document: JSON.stringify(document),
		}));
		return { thing, jobId };
	}

	test("describe, update and pending list shapes", async () => {
		const { thing, jobId } = await thingWithJob({ fw: "3.1" });
		const { execution: e } = await data.send(
		    new DescribeJobExecutionCommand({ thingName: thing, jobId }));
		assert.equal(e.status, "QUEUED");
		assert.equal(e.versionNumber, 1);
		assert.equal(typeof e.queuedAt, "number");
		assert.deepEqual(JSON.parse(e.jobDocument), { fw: "3.1" });

		const out = await data.send(new UpdateJobExecutionCommand({
			thingName: thing, jobId, status: "IN_PROGRESS",
			statusDetails: { step: "1" },
			includeJobExecutionState: true,
		}));
		assert.deepEqual(out.executionState, {
			status: "IN_PROGRESS", statusDetails: { step: "1" },
			versionNumber: 2,
		});
		assert.equal(out.jobDocument, undefined);

		const p = await data.send(new GetPendingJobExecutionsCommand({
			thingName: thing,
		}));
		assert.deepEqual(p.inProgressJobs.map((s) => s.jobId), [jobId]);
		assert.deepEqual(p.queuedJobs, []);
	});

	test("server-side range and pattern checks", async () => {
		const { thing, jobId } = await thingWithJob();
		const eleven = Object.fromEntries(Array.from({ length: 11 },
		    (_, i) => [`k${i}`, "v"]));
		const cases = [
			[{ stepTimeoutInMinutes: 0 }, "stepTimeoutInMinutes"],
			[{ stepTimeoutInMinutes: 10081 },
			    "stepTimeoutInMinutes"],
			[{ stepTimeoutInMinutes: -2 }, "stepTimeoutInMinutes"],
			[{ statusDetails: eleven }, "statusDetails"],
			[{ statusDetails: { k: "x".repeat(1025) } },
			    "statusDetails"],
			[{ statusDetails: { ["k".repeat(129)]: "v" } },
			    "statusDetails"],
			[{ statusDetails: { k: "tab\there" } }, "statusDetails"],
			[{ statusDetails: { k: "" } }, "statusDetails"],
			[{ status: "DONE" }, "status"],
		];
		for (const [extra, word] of cases) {
			const err = await rejection(data.send(
			    new UpdateJobExecutionCommand({
				thingName: thing, jobId, status: "IN_PROGRESS",
				...extra,
			})));
			assertAwsError(err, "InvalidRequestException", 400,
			    word);
			assert.ok(err instanceof InvalidRequestException);
		}
		let err = await rejection(data.send(
		    new StartNextPendingJobExecutionCommand({
			thingName: thing, stepTimeoutInMinutes: -1,
		})));
		assertAwsError(err, "InvalidRequestException", 400,
		    "stepTimeoutInMinutes");
		err = await rejection(data.send(new UpdateJobExecutionCommand({
			thingName: thing, jobId: "bad!id", status: "IN_PROGRESS",
		})));
		assertAwsError(err, "InvalidRequestException", 400, "jobId");
		err = await rejection(data.send(
		    new GetPendingJobExecutionsCommand({
			thingName: "t".repeat(129),
		})));
		assertAwsError(err, "InvalidRequestException", 400,
		    "thingName");
		// Nothing above changed the execution.
		const { execution } = await data.send(
		    new DescribeJobExecutionCommand({ thingName: thing, jobId }));
		assert.equal(execution.versionNumber, 1);
		assert.equal(execution.status, "QUEUED");
	});

	test("errors of the state machine and lookups", async () => {
		const { thing, jobId } = await thingWithJob();
		let err = await rejection(data.send(new UpdateJobExecutionCommand({
			thingName: thing, jobId, status: "CANCELED",
		})));
		assertAwsError(err, "InvalidRequestException", 400, "CANCELED");
		await data.send(new UpdateJobExecutionCommand({
			thingName: thing, jobId, status: "REJECTED",
		}));
		err = await rejection(data.send(new UpdateJobExecutionCommand({
			thingName: thing, jobId, status: "IN_PROGRESS",
		})));
		assertAwsError(err, "InvalidStateTransitionException", 409);
		assert.ok(err instanceof InvalidStateTransitionException);
		err = await rejection(data.send(new DescribeJobExecutionCommand({
			thingName: thing, jobId: uniqueName("nojob"),
		})));
		assertAwsError(err, "ResourceNotFoundException", 404);
		assert.ok(err instanceof ResourceNotFoundException);
	});

	test("$next arrives as %24next and as a literal", async () => {
		const { thing, jobId } = await thingWithJob();
		const paths = [];
		const literal = dataClient(d);
		try {
			// Rewrites the SDK's %24next to $next before signing,
			// as a hand-written client would send it.
			literal.middlewareStack.add((next) => async (args) => {
				args.request.path = args.request.path.replace(
				    "%24next", "$next");
				paths.push(args.request.path);
				return next(args);
			}, { step: "build", name: "literalNext" });
			for (const client of [data, literal]) {
				const out = await client.send(
				    new DescribeJobExecutionCommand({
					thingName: thing, jobId: "$next",
				}));
				assert.equal(out.execution.jobId, jobId);
			}
		} finally {
			literal.destroy();
		}
		assert.deepEqual(paths, [`/things/${thing}/jobs/$next`]);
	});

	test("concurrent StartNext starts the execution once", async () => {
		const { thing, jobId } = await thingWithJob();
		const n = 12;
		const outs = await Promise.all(Array.from({ length: n },
		    (_, i) => data.send(new StartNextPendingJobExecutionCommand({
			thingName: thing, statusDetails: { worker: String(i) },
		}))));
		const winners = new Set(outs.map(
		    (o) => o.execution.statusDetails.worker));
		assert.equal(winners.size, 1);
		for (const o of outs) {
			assert.equal(o.execution.jobId, jobId);
			assert.equal(o.execution.status, "IN_PROGRESS");
			assert.equal(o.execution.versionNumber, 2);
		}
		const job = await iot.send(new DescribeJobCommand({ jobId }));
		assert.equal(job.job.jobProcessDetails.numberOfInProgressThings,
		    1);
		assert.equal(job.job.jobProcessDetails.numberOfQueuedThings, 0);
	});

	// The feature itself: commands.test.mjs.
	test("StartCommandExecution of an unknown command is 404",
	    async () => {
		const err = await rejection(data.send(
		    new StartCommandExecutionCommand({
			targetArn: thingArn("any"),
			commandArn: `arn:aws:iot:${REGION}:${ACCOUNT_ID}:` +
			    "command/c1",
		})));
		assertAwsError(err, "ResourceNotFoundException", 404, "c1");
	});
});
