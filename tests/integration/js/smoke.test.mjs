// SPDX-License-Identifier: Apache-2.0
//
// Smoke test: the AWS SDK for JavaScript v3 clients (both planes) reach
// iotjobsd, are authenticated, and get AWS-shaped answers and errors.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateThingCommand,
	DescribeThingCommand,
	ResourceNotFoundException,
} from "@aws-sdk/client-iot";
import {
	GetPendingJobExecutionsCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, rawRequest, startDaemon,
	uniqueName,
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

describe("smoke (JS v3 clients)", () => {
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

	test("CreateThing then DescribeThing", async () => {
		const name = uniqueName("smoke");
		const out = await iot.send(new CreateThingCommand({
			thingName: name,
		}));
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.equal(out.thingName, name);
		assert.equal(out.thingArn, thingArn(name));

		const got = await iot.send(new DescribeThingCommand({
			thingName: name,
		}));
		assert.equal(got.$metadata.httpStatusCode, 200);
		assert.ok(got.$metadata.requestId, "x-amzn-RequestId missing");
		assert.equal(got.thingName, name);
		assert.equal(got.thingArn, thingArn(name));
	});

	test("DescribeThing of a missing thing is ResourceNotFound", async () => {
		const err = await rejection(iot.send(new DescribeThingCommand({
			thingName: uniqueName("missing"),
		})));
		assert.equal(err.name, "ResourceNotFoundException");
		assert.ok(err instanceof ResourceNotFoundException,
		    "not the modeled exception class");
		assert.equal(err.$metadata.httpStatusCode, 404);
		assert.ok(err.message, "error without a message");
	});

	test("GetPendingJobExecutions of a thing without jobs is empty",
	    async () => {
		const name = uniqueName("idle");
		await iot.send(new CreateThingCommand({ thingName: name }));
		const out = await data.send(new GetPendingJobExecutionsCommand({
			thingName: name,
		}));
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.deepEqual(out.inProgressJobs ?? [], []);
		assert.deepEqual(out.queuedJobs ?? [], []);
	});

	test("a wrong secret is InvalidSignatureException", async () => {
		const creds = { secretAccessKey: "x".repeat(40) };
		const badData = dataClient(d, creds);
		const badIot = iotClient(d, creds);
		try {
			let err = await rejection(badData.send(
			    new GetPendingJobExecutionsCommand({
				thingName: uniqueName("nosig"),
			})));
			assert.equal(err.name, "InvalidSignatureException");
			assert.equal(err.$metadata.httpStatusCode, 403);

			err = await rejection(badIot.send(new DescribeThingCommand({
				thingName: uniqueName("nosig"),
			})));
			assert.equal(err.name, "InvalidSignatureException");
			assert.equal(err.$metadata.httpStatusCode, 403);
		} finally {
			badData.destroy();
			badIot.destroy();
		}
	});

	test("an unsigned request is MissingAuthenticationToken", async () => {
		const r = await rawRequest(d, "GET",
		    `/things/${uniqueName("anon")}/jobs`);
		assert.equal(r.status, 403);
		assert.equal(r.errorType, "MissingAuthenticationTokenException");
		assert.ok(r.headers.get("x-amzn-requestid"),
		    "x-amzn-RequestId missing");
		assert.equal(typeof r.json().message, "string");
	});
});
