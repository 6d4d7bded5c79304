// SPDX-License-Identifier: Apache-2.0
//
// Things and thing groups through the AWS SDK for JavaScript v3, which
// sends what boto3 refuses to (too long names, bad patterns, out-of-range
// numbers): the daemon must answer InvalidRequestException 400 naming the
// member. Also the happy path of both resources with this client.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AddThingToThingGroupCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DescribeThingCommand,
	DescribeThingGroupCommand,
	InvalidRequestException,
	ListThingsCommand,
	ListThingsInThingGroupCommand,
	UpdateThingCommand,
	VersionConflictException,
	paginateListThings,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const thingArn = (name) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:thing/${name}`;

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

// Asserts an InvalidRequestException 400 whose message mentions MEMBER.
async function assertInvalid(promise, member) {
	const err = await rejection(promise);
	assert.equal(err.name, "InvalidRequestException", err.message);
	assert.ok(err instanceof InvalidRequestException);
	assert.equal(err.$metadata.httpStatusCode, 400);
	assert.match(err.message, new RegExp(member),
	    `message does not name ${member}: ${err.message}`);
}

describe("things and thing groups (JS v3 clients)", () => {
	let d, iot;

	before(async () => {
		d = await startDaemon();
		iot = iotClient(d);
	});

	after(async () => {
		iot?.destroy();
		await d?.close();
	});

	test("a 129-character thing name is rejected naming thingName",
	    async () => {
		await assertInvalid(iot.send(new CreateThingCommand({
			thingName: "a".repeat(129),
		})), "thingName");
		const ok = await iot.send(new CreateThingCommand({
			thingName: "b".repeat(128),
		}));
		assert.equal(ok.thingName, "b".repeat(128));
	});

	test("a thing name outside the pattern is rejected", async () => {
		await assertInvalid(iot.send(new CreateThingCommand({
			thingName: "dot.ted",
		})), "thingName");
	});

	test("attribute keys and values are checked", async () => {
		await assertInvalid(iot.send(new CreateThingCommand({
			thingName: uniqueName("attr"),
			attributePayload: { attributes: { "bad key": "v" } },
		})), "attributes");
		await assertInvalid(iot.send(new CreateThingCommand({
			thingName: uniqueName("attr"),
			attributePayload: { attributes: { k: "v".repeat(801) } },
		})), "attributes");
		await assertInvalid(iot.send(new CreateThingCommand({
			thingName: uniqueName("attr"),
			attributePayload: {
				attributes: { a: "1", b: "2", c: "3", d: "4" },
			},
		})), "attributes");
	});

	test("maxResults above 250 is rejected", async () => {
		await assertInvalid(iot.send(new ListThingsCommand({
			maxResults: 251,
		})), "maxResults");
		await assertInvalid(iot.send(new ListThingsCommand({
			maxResults: 0,
		})), "maxResults");
	});

	test("a too long group description is rejected", async () => {
		await assertInvalid(iot.send(new CreateThingGroupCommand({
			thingGroupName: uniqueName("g"),
			thingGroupProperties: {
				thingGroupDescription: "x".repeat(2029),
			},
		})), "thingGroupDescription");
	});

	test("a forged nextToken is rejected", async () => {
		await assertInvalid(iot.send(new ListThingsCommand({
			nextToken: "!!!",
		})), "nextToken");
	});

	test("create, update with versions, describe", async () => {
		const name = uniqueName("js");
		const c = await iot.send(new CreateThingCommand({
			thingName: name,
			attributePayload: { attributes: { k: "v" } },
		}));
		assert.equal(c.thingArn, thingArn(name));
		await iot.send(new UpdateThingCommand({
			thingName: name, expectedVersion: 1,
			attributePayload: { attributes: { j: "w" }, merge: true },
		}));
		const err = await rejection(iot.send(new UpdateThingCommand({
			thingName: name, expectedVersion: 1,
		})));
		assert.ok(err instanceof VersionConflictException);
		assert.equal(err.$metadata.httpStatusCode, 409);
		const got = await iot.send(new DescribeThingCommand({
			thingName: name,
		}));
		assert.deepEqual(got.attributes, { k: "v", j: "w" });
		assert.equal(got.version, 2);
		assert.equal(got.thingId, c.thingId);
	});

	test("paginateListThings walks every page in order", async () => {
		const names = [];
		for (let i = 0; i < 5; i++) {
			const n = `pg-${i}-${uniqueName("p")}`;
			names.push(n);
			await iot.send(new CreateThingCommand({
				thingName: n,
				attributePayload: { attributes: { batch: "pg" } },
			}));
		}
		const seen = [];
		for await (const page of paginateListThings({ client: iot,
		    pageSize: 2 }, { attributeName: "batch",
		    attributeValue: "pg" }))
			seen.push(...page.things.map((t) => t.thingName));
		assert.deepEqual(seen, [...names].sort());
	});

	test("groups: nesting, membership, recursive listing", async () => {
		const root = uniqueName("root");
		const leaf = uniqueName("leaf");
		const thing = uniqueName("member");
		await iot.send(new CreateThingGroupCommand({
			thingGroupName: root,
		}));
		await iot.send(new CreateThingGroupCommand({
			thingGroupName: leaf, parentGroupName: root,
		}));
		await iot.send(new CreateThingCommand({ thingName: thing }));
		await iot.send(new AddThingToThingGroupCommand({
			thingGroupName: leaf, thingArn: thingArn(thing),
		}));
		const direct = await iot.send(new ListThingsInThingGroupCommand({
			thingGroupName: root,
		}));
		assert.deepEqual(direct.things, []);
		const deep = await iot.send(new ListThingsInThingGroupCommand({
			thingGroupName: root, recursive: true,
		}));
		assert.deepEqual(deep.things, [thing]);
		const g = await iot.send(new DescribeThingGroupCommand({
			thingGroupName: leaf,
		}));
		assert.equal(g.thingGroupMetadata.parentGroupName, root);
		assert.ok(g.thingGroupMetadata.creationDate instanceof Date);
		assert.equal(g.thingGroupMetadata.rootToParentThingGroups[0]
		    .groupName, root);
	});
});
