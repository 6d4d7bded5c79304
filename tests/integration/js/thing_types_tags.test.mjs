// SPDX-License-Identifier: Apache-2.0
//
// Thing types and tags through the AWS SDK for JavaScript v3, which sends
// what boto3 refuses (too long descriptions, tag keys and values): the
// daemon answers InvalidRequestException 400 naming the member. Also the
// happy path of every operation with this client, the deprecation clock on
// the test clock, and ListTagsForResource's paginator.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	CreateJobTemplateCommand,
	CreateThingCommand,
	CreateThingTypeCommand,
	DeleteThingTypeCommand,
	DeprecateThingTypeCommand,
	DescribeThingCommand,
	DescribeThingTypeCommand,
	InvalidRequestException,
	LimitExceededException,
	ListTagsForResourceCommand,
	ResourceAlreadyExistsException,
	ListThingsCommand,
	ResourceNotFoundException,
	TagResourceCommand,
	UntagResourceCommand,
	UpdateThingCommand,
	UpdateThingTypeCommand,
	paginateListTagsForResource,
	paginateListThingTypes,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;

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

describe("thing types and tags (JS v3 clients)", () => {
	let d, iot;

	before(async () => {
		d = await startDaemon({ testClock: true });
		iot = iotClient(d);
	});

	after(async () => {
		iot?.destroy();
		await d?.close();
	});

	test("a thing type's life: create, describe, update, deprecate,"
	    + " delete after five minutes", async () => {
		const name = uniqueName("tt");
		const mqtt5 = { propagatingAttributes: [
			{ userPropertyKey: "fw", thingAttribute: "fw" }] };
		const out = await iot.send(new CreateThingTypeCommand({
			thingTypeName: name,
			thingTypeProperties: { thingTypeDescription: "bulbs",
			    searchableAttributes: ["w"],
			    mqtt5Configuration: mqtt5 },
			tags: [{ Key: "team", Value: "lights" }],
		}));
		assert.equal(out.thingTypeArn, ARN + "thingtype/" + name);
		const again = await iot.send(new CreateThingTypeCommand({
			thingTypeName: name,
			thingTypeProperties: { thingTypeDescription: "bulbs",
			    searchableAttributes: ["w"],
			    mqtt5Configuration: mqtt5 } }));
		assert.equal(again.thingTypeId, out.thingTypeId);
		const clash = await assertError(iot.send(
		    new CreateThingTypeCommand({ thingTypeName: name })),
		    ResourceAlreadyExistsException, 409, name);
		assert.equal(clash.resourceId, out.thingTypeId);
		let dsc = await iot.send(new DescribeThingTypeCommand({
			thingTypeName: name }));
		assert.deepEqual(dsc.thingTypeProperties, {
			thingTypeDescription: "bulbs",
			searchableAttributes: ["w"],
			mqtt5Configuration: mqtt5 });
		assert.equal(dsc.thingTypeMetadata.deprecated, false);
		assert.ok(dsc.thingTypeMetadata.creationDate instanceof Date);
		await iot.send(new UpdateThingTypeCommand({
			thingTypeName: name,
			thingTypeProperties: { thingTypeDescription: "lamps" },
		}));
		await iot.send(new CreateThingCommand({ thingName: name + "-1",
		    thingTypeName: name }));
		await iot.send(new DeprecateThingTypeCommand({
			thingTypeName: name }));
		dsc = await iot.send(new DescribeThingTypeCommand({
			thingTypeName: name }));
		assert.equal(dsc.thingTypeProperties.thingTypeDescription,
		    "lamps");
		assert.equal(dsc.thingTypeMetadata.deprecated, true);
		assert.ok(dsc.thingTypeMetadata.deprecationDate instanceof Date);
		await assertError(iot.send(new CreateThingCommand({
			thingName: name + "-2", thingTypeName: name })),
		    InvalidRequestException, 400, "deprecated");
		await assertError(iot.send(new DeleteThingTypeCommand({
			thingTypeName: name })), InvalidRequestException, 400,
		    "5 minutes");
		await d.advance(300);
		await assertError(iot.send(new DeleteThingTypeCommand({
			thingTypeName: name })), InvalidRequestException, 400,
		    "things");
		await iot.send(new UpdateThingCommand({ thingName: name + "-1",
		    removeThingType: true }));
		await iot.send(new DeleteThingTypeCommand({
			thingTypeName: name }));
		await assertError(iot.send(new DescribeThingTypeCommand({
			thingTypeName: name })), ResourceNotFoundException, 404,
		    name);
		await assertError(iot.send(new ListTagsForResourceCommand({
			resourceArn: out.thingTypeArn })),
		    ResourceNotFoundException, 404);
	});

	test("ListThingTypes pages with the paginator", async () => {
		const prefix = uniqueName("pg");
		for (let i = 0; i < 5; i++)
			await iot.send(new CreateThingTypeCommand({
				thingTypeName: `${prefix}-${i}` }));
		const names = [];
		for await (const page of paginateListThingTypes({
			client: iot, pageSize: 2 }, {}))
			for (const t of page.thingTypes)
				if (t.thingTypeName.startsWith(prefix))
					names.push(t.thingTypeName);
		assert.deepEqual(names, [0, 1, 2, 3, 4].map(
		    (i) => `${prefix}-${i}`));
	});

	test("typed things: fifty attributes, the type in listings",
	    async () => {
		const tt = uniqueName("tt");
		await iot.send(new CreateThingTypeCommand({
			thingTypeName: tt }));
		const attributes = {};
		for (let i = 0; i < 50; i++)
			attributes[`a${i}`] = `${i}`;
		const name = uniqueName("t");
		await iot.send(new CreateThingCommand({ thingName: name,
		    thingTypeName: tt, attributePayload: { attributes } }));
		const dsc = await iot.send(new DescribeThingCommand({
			thingName: name }));
		assert.equal(dsc.thingTypeName, tt);
		const list = await iot.send(new ListThingsCommand({
			thingTypeName: tt }));
		assert.deepEqual(list.things.map((t) => [t.thingName,
		    t.thingTypeName]), [[name, tt]]);
		await assertError(iot.send(new CreateThingCommand({
			thingName: uniqueName("t"),
			attributePayload: { attributes: { a: "1", b: "2",
			    c: "3", d: "4" } } })),
		    InvalidRequestException, 400, "attributes");
	});

	test("what boto3 would refuse is InvalidRequestException naming the"
	    + " member", async () => {
		await assertError(iot.send(new CreateThingTypeCommand({
			thingTypeName: uniqueName("tt"),
			thingTypeProperties: {
			    thingTypeDescription: "d".repeat(2029) } })),
		    InvalidRequestException, 400, "thingTypeDescription");
		await assertError(iot.send(new CreateThingTypeCommand({
			thingTypeName: "t".repeat(129) })),
		    InvalidRequestException, 400, "thingTypeName");
		const tpl = uniqueName("tpl");
		await assertError(iot.send(new CreateJobTemplateCommand({
			jobTemplateId: tpl, description: "d", document: "{}",
			tags: [{ Key: "k", Value: "v".repeat(257) }] })),
		    InvalidRequestException, 400, "Value");
		await assertError(iot.send(new CreateJobTemplateCommand({
			jobTemplateId: tpl, description: "d", document: "{}",
			tags: [{ Key: "k".repeat(129), Value: "v" }] })),
		    InvalidRequestException, 400, "Key");
		await assertError(iot.send(new CreateJobTemplateCommand({
			jobTemplateId: tpl, description: "d", document: "{}",
			tags: [{ Key: "", Value: "v" }] })),
		    InvalidRequestException, 400, "Key");
		await iot.send(new CreateJobTemplateCommand({
			jobTemplateId: tpl, description: "d", document: "{}",
			tags: [{ Key: "k".repeat(128),
			    Value: "v".repeat(256) }] }));
		const got = await iot.send(new ListTagsForResourceCommand({
			resourceArn: ARN + "jobtemplate/" + tpl }));
		assert.deepEqual(got.tags, [{ Key: "k".repeat(128),
		    Value: "v".repeat(256) }]);
	});

	test("tags round trip, page, and keep their limits", async () => {
		const tt = uniqueName("tt");
		const arn = ARN + "thingtype/" + tt;
		await iot.send(new CreateThingTypeCommand({ thingTypeName: tt,
		    tags: [{ Key: "a", Value: "1" }] }));
		const many = [];
		for (let i = 0; i < 48; i++)
			many.push({ Key: `k${String(i).padStart(2, "0")}`,
			    Value: `${i}` });
		await iot.send(new TagResourceCommand({ resourceArn: arn,
		    tags: many }));
		await iot.send(new TagResourceCommand({ resourceArn: arn,
		    tags: [{ Key: "a", Value: "2" }, { Key: "z", Value: "" }] }));
		await assertError(iot.send(new TagResourceCommand({
			resourceArn: arn, tags: [{ Key: "over", Value: "x" }] })),
		    LimitExceededException, 410, "50");
		const keys = [];
		let pages = 0;
		for await (const page of paginateListTagsForResource({
			client: iot }, { resourceArn: arn })) {
			pages++;
			for (const t of page.tags)
				keys.push(t.Key);
		}
		assert.equal(pages, 2);
		assert.equal(keys.length, 50);
		assert.deepEqual(keys, [...keys].sort());
		await iot.send(new UntagResourceCommand({ resourceArn: arn,
		    tagKeys: many.map((t) => t.Key) }));
		const left = await iot.send(new ListTagsForResourceCommand({
			resourceArn: arn }));
		assert.deepEqual(left.tags, [{ Key: "a", Value: "2" },
		    { Key: "z", Value: "" }]);
		assert.equal(left.nextToken, undefined);
		await assertError(iot.send(new TagResourceCommand({
			resourceArn: ARN + "thing/x", tags: [] })),
		    InvalidRequestException, 400, "thing");
		await assertError(iot.send(new UntagResourceCommand({
			resourceArn: ARN + "thingtype/" + uniqueName("none"),
			tagKeys: ["a"] })), ResourceNotFoundException, 404);
	});
});
