// SPDX-License-Identifier: Apache-2.0
//
// Dynamic thing groups through the AWS SDK for JavaScript v3: creation
// with its errors (InvalidQueryException as the SDK's class), membership
// following attribute updates, a CONTINUOUS job following the group as a
// device sees it through the data plane, and a provisioning script as a
// JS user would write it (thing types, tags, a dynamic group, a job).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AddThingToThingGroupCommand,
	CreateDynamicThingGroupCommand,
	CreateJobCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	CreateThingTypeCommand,
	DeleteDynamicThingGroupCommand,
	DescribeJobCommand,
	DescribeThingGroupCommand,
	InvalidQueryException,
	InvalidRequestException,
	ListTagsForResourceCommand,
	ListThingsInThingGroupCommand,
	ResourceAlreadyExistsException,
	ResourceNotFoundException,
	UpdateDynamicThingGroupCommand,
	UpdateThingCommand,
	VersionConflictException,
} from "@aws-sdk/client-iot";
import {
	DescribeJobExecutionCommand,
	GetPendingJobExecutionsCommand,
	UpdateJobExecutionCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;
const DOC = JSON.stringify({ op: "update", to: "2.0" });

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

async function assertError(promise, cls, status, ...words) {
	const err = await rejection(promise);
	assert.ok(err instanceof cls, `${err.name}: ${err.message}`);
	assert.equal(err.$metadata.httpStatusCode, status);
	for (const w of words)
		assert.match(err.message, new RegExp(w),
		    `message lacks ${w}: ${err.message}`);
	return err;
}

describe("dynamic thing groups (JS v3 clients)", () => {
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

	async function thing(attributes, thingTypeName) {
		const thingName = uniqueName("t");
		await iot.send(new CreateThingCommand({ thingName,
		    thingTypeName, attributePayload: { attributes } }));
		return thingName;
	}

	async function members(group) {
		const out = await iot.send(new ListThingsInThingGroupCommand({
			thingGroupName: group }));
		return out.things.sort();
	}

	const setAttrs = (thingName, attributes) => iot.send(
	    new UpdateThingCommand({ thingName,
	    attributePayload: { attributes, merge: true } }));

	async function pending(thingName) {
		const p = await data.send(new GetPendingJobExecutionsCommand({
			thingName }));
		return [...p.queuedJobs, ...p.inProgressJobs].map(
		    (j) => j.jobId);
	}

	test("create, describe, update, delete and their errors",
	    async () => {
		const tag = uniqueName("v");
		const a = await thing({ fw: tag });
		const name = uniqueName("dg");
		const out = await iot.send(new CreateDynamicThingGroupCommand({
			thingGroupName: name,
			queryString: `attributes.fw:${tag}`,
		}));
		assert.equal(out.thingGroupArn, ARN + "thinggroup/" + name);
		assert.equal(out.indexName, "AWS_Things");
		assert.deepEqual(await members(name), [a]);
		const dsc = await iot.send(new DescribeThingGroupCommand({
			thingGroupName: name }));
		assert.equal(dsc.status, "ACTIVE");
		assert.equal(dsc.queryString, `attributes.fw:${tag}`);
		await assertError(iot.send(new CreateDynamicThingGroupCommand({
			thingGroupName: uniqueName("dg"),
			queryString: "thingName:(a OR" })),
		    InvalidQueryException, 400, "at character 14: OR");
		await assertError(iot.send(new CreateDynamicThingGroupCommand({
			thingGroupName: name, queryString: "thingName:other" })),
		    ResourceAlreadyExistsException, 409, name);
		await assertError(iot.send(new AddThingToThingGroupCommand({
			thingGroupName: name, thingName: a })),
		    InvalidRequestException, 400, "dynamic");
		await assertError(iot.send(new UpdateDynamicThingGroupCommand({
			thingGroupName: name, expectedVersion: 3,
			thingGroupProperties: {} })),
		    VersionConflictException, 409);
		const up = await iot.send(new UpdateDynamicThingGroupCommand({
			thingGroupName: name, expectedVersion: 1,
			queryString: `attributes.fw:${tag}x`,
			thingGroupProperties: {} }));
		assert.equal(up.version, 2);
		assert.deepEqual(await members(name), []);
		await iot.send(new DeleteDynamicThingGroupCommand({
			thingGroupName: name }));
		await assertError(iot.send(new DescribeThingGroupCommand({
			thingGroupName: name })), ResourceNotFoundException,
		    404);
	});

	test("a CONTINUOUS job follows the group as attributes change",
	    async () => {
		const site = uniqueName("s");
		const a = await thing({ site, fw: "1.0" });
		const b = await thing({ site, fw: "0.9" });
		const g = uniqueName("dg");
		await iot.send(new CreateDynamicThingGroupCommand({
			thingGroupName: g,
			queryString: `attributes.site:${site} attributes.fw < 2`,
		}));
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({ jobId,
		    targets: [ARN + "thinggroup/" + g], document: DOC,
		    targetSelection: "CONTINUOUS" }));
		assert.deepEqual(await pending(a), [jobId]);
		assert.deepEqual(await pending(b), [jobId]);
		await setAttrs(a, { fw: "2.0" });
		const ex = await data.send(new DescribeJobExecutionCommand({
			thingName: a, jobId }));
		assert.equal(ex.execution.status, "REMOVED");
		const c = await thing({ site, fw: "1.5" });
		assert.deepEqual(await pending(c), [jobId]);
		await data.send(new UpdateJobExecutionCommand({ thingName: b,
		    jobId, status: "SUCCEEDED" }));
		const job = await iot.send(new DescribeJobCommand({ jobId }));
		const p = job.job.jobProcessDetails;
		assert.deepEqual([p.numberOfQueuedThings,
		    p.numberOfSucceededThings, p.numberOfRemovedThings],
		    [1, 1, 1]);
	});

	test("a provisioning script: types, tags, a dynamic group and a"
	    + " CONTINUOUS job", async () => {
		const tags = [{ Key: "owner", Value: "fleet" }];
		const tt = uniqueName("camera");
		await iot.send(new CreateThingTypeCommand({ thingTypeName: tt,
		    thingTypeProperties: { searchableAttributes: ["fw"] },
		    tags }));
		const site = uniqueName("site");
		await iot.send(new CreateThingGroupCommand({
			thingGroupName: site, tags }));
		const fleet = [];
		for (let i = 0; i < 4; i++) {
			const n = await thing({ fw: i < 3 ? "1.0" : "2.0" }, tt);
			await iot.send(new AddThingToThingGroupCommand({
				thingGroupName: site, thingName: n }));
			fleet.push(n);
		}
		const g = await iot.send(new CreateDynamicThingGroupCommand({
			thingGroupName: uniqueName("old-fw"),
			queryString: `thingTypeName:${tt} AND`
			    + ` thingGroupNames:${site} AND attributes.fw:1.*`,
			tags }));
		const job = await iot.send(new CreateJobCommand({
			jobId: uniqueName("fw"), targets: [g.thingGroupArn],
			document: DOC, targetSelection: "CONTINUOUS", tags }));
		for (const arn of [g.thingGroupArn, job.jobArn,
		    ARN + "thingtype/" + tt, ARN + "thinggroup/" + site]) {
			const got = await iot.send(
			    new ListTagsForResourceCommand({ resourceArn: arn }));
			assert.deepEqual(got.tags, tags, arn);
		}
		const queued = async () => {
			const out = [];
			for (const n of fleet)
				if ((await pending(n)).length > 0)
					out.push(n);
			return out;
		};
		assert.deepEqual(await queued(), fleet.slice(0, 3));
		await setAttrs(fleet[0], { fw: "2.0" });
		await setAttrs(fleet[3], { fw: "1.1" });
		assert.deepEqual(await queued(), fleet.slice(1));
	});
});
