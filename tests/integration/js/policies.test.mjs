// SPDX-License-Identifier: Apache-2.0
//
// AWS IoT policies and thing principals through the AWS SDK for
// JavaScript v3: every policy operation's happy path, the SDK's own
// paginators over marker/nextMarker and nextToken, the version and
// default-version rules, attachments both ways, and what the SDK sends
// that boto3 refuses to (page sizes out of range, names too long).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	AttachPolicyCommand,
	AttachPrincipalPolicyCommand,
	AttachThingPrincipalCommand,
	CreateKeysAndCertificateCommand,
	CreatePolicyCommand,
	CreatePolicyVersionCommand,
	CreateThingCommand,
	CreateThingGroupCommand,
	DeleteConflictException,
	DeletePolicyCommand,
	DeletePolicyVersionCommand,
	DeleteThingCommand,
	DetachPolicyCommand,
	DetachPrincipalPolicyCommand,
	DetachThingPrincipalCommand,
	GetPolicyCommand,
	GetPolicyVersionCommand,
	ListAttachedPoliciesCommand,
	ListPolicyPrincipalsCommand,
	ListPolicyVersionsCommand,
	ListPrincipalPoliciesCommand,
	ListPrincipalThingsV2Command,
	ListThingPrincipalsV2Command,
	ListTargetsForPolicyCommand,
	MalformedPolicyException,
	SetDefaultPolicyVersionCommand,
	VersionsLimitExceededException,
	paginateListAttachedPolicies,
	paginateListPolicies,
	paginateListPrincipalThings,
	paginateListTargetsForPolicy,
	paginateListThingPrincipals,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, groupArn, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const PREFIX = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;
const policyArn = (name) => `${PREFIX}policy/${name}`;
const certArn = (id) => `${PREFIX}cert/${id}`;

// A policy allowing iot:Publish to TOPIC (undefined: to anything).
const documentFor = (topic) => JSON.stringify({
	Version: "2012-10-17",
	Statement: [{
		Effect: "Allow", Action: "iot:Publish",
		Resource: topic === undefined ? "*" : `${PREFIX}topic/${topic}`,
	}],
});

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

// Asserts error NAME with HTTP STATUS whose message mentions each WORD.
async function assertError(promise, name, status, ...words) {
	const err = await rejection(promise);
	assert.equal(err.name, name, err.message);
	assert.equal(err.$metadata.httpStatusCode, status);
	for (const w of words)
		assert.ok(err.message.includes(w),
		    `message does not name ${w}: ${err.message}`);
	return err;
}

async function collect(paginator, key, map = (x) => x) {
	const items = [];
	let pages = 0;
	for await (const page of paginator) {
		pages++;
		items.push(...(page[key] ?? []).map(map));
	}
	return { items, pages };
}

describe("policies and thing principals (JS v3 clients)", () => {
	let d, iot;

	const send = (cmd) => iot.send(cmd);

	async function createPolicy(name = uniqueName("pol"), doc) {
		await send(new CreatePolicyCommand({
			policyName: name, policyDocument: doc ?? documentFor(),
		}));
		return name;
	}

	async function createGroup() {
		const name = uniqueName("grp");
		await send(new CreateThingGroupCommand({ thingGroupName: name }));
		return name;
	}

	async function createThing() {
		const name = uniqueName("dev");
		await send(new CreateThingCommand({ thingName: name }));
		return name;
	}

	async function createCert() {
		const out = await send(new CreateKeysAndCertificateCommand({
			setAsActive: true,
		}));
		return out.certificateArn;
	}

	before(async () => {
		d = await startDaemon({ testClock: true });
		iot = iotClient(d);
	});

	after(async () => {
		iot?.destroy();
		await d?.close();
	});

	test("create, get and delete a policy", async () => {
		const name = uniqueName("pol");
		const doc = documentFor("a/b");
		const out = await send(new CreatePolicyCommand({
			policyName: name, policyDocument: doc,
			tags: [{ Key: "k", Value: "v" }],
		}));
		assert.equal(out.policyArn, policyArn(name));
		assert.equal(out.policyVersionId, "1");
		assert.equal(out.policyDocument, doc);
		const got = await send(new GetPolicyCommand({ policyName: name }));
		assert.equal(got.policyName, name);
		assert.equal(got.policyDocument, doc);
		assert.equal(got.defaultVersionId, "1");
		assert.ok(got.creationDate instanceof Date);
		assert.ok(got.lastModifiedDate instanceof Date);
		assert.ok(got.generationId.length > 0);
		await send(new DeletePolicyCommand({ policyName: name }));
		await assertError(send(new GetPolicyCommand({
			policyName: name,
		})), "ResourceNotFoundException", 404, name);
	});

	test("a duplicate name is ResourceAlreadyExistsException", async () => {
		const name = await createPolicy();
		await assertError(createPolicy(name),
		    "ResourceAlreadyExistsException", 409, name);
	});

	test("what the SDK sends past the model is InvalidRequestException",
	    async () => {
		await assertError(createPolicy("p".repeat(129)),
		    "InvalidRequestException", 400, "policyName");
		await assertError(createPolicy("no/slash%"),
		    "InvalidRequestException", 400);
		for (const pageSize of [0, 251]) {
			await assertError(send(new ListTargetsForPolicyCommand({
				policyName: await createPolicy(), pageSize,
			})), "InvalidRequestException", 400, "pageSize");
		}
	});

	test("a document the parser refuses is MalformedPolicyException",
	    async () => {
		const err = await assertError(createPolicy(undefined,
		    documentFor().replace("Allow", "Perhaps")),
		    "MalformedPolicyException", 400);
		assert.ok(err instanceof MalformedPolicyException);
		const big = documentFor("x".repeat(2048));
		await assertError(createPolicy(undefined, big),
		    "MalformedPolicyException", 400, "2048");
	});

	test("versions: five at most, the default one stays", async () => {
		const name = await createPolicy(undefined, documentFor("v1"));
		const v2 = await send(new CreatePolicyVersionCommand({
			policyName: name, policyDocument: documentFor("v2"),
			setAsDefault: true,
		}));
		assert.equal(v2.policyVersionId, "2");
		assert.equal(v2.isDefaultVersion, true);
		for (const v of ["3", "4", "5"]) {
			const out = await send(new CreatePolicyVersionCommand({
				policyName: name,
				policyDocument: documentFor(`v${v}`),
			}));
			assert.equal(out.policyVersionId, v);
			assert.equal(out.isDefaultVersion, false);
		}
		const err = await assertError(send(
		    new CreatePolicyVersionCommand({
			    policyName: name, policyDocument: documentFor("v6"),
		    })), "VersionsLimitExceededException", 409, name);
		assert.ok(err instanceof VersionsLimitExceededException);
		const list = await send(new ListPolicyVersionsCommand({
			policyName: name,
		}));
		assert.deepEqual(list.policyVersions.map((v) =>
		    [v.versionId, v.isDefaultVersion]), [["5", false],
		    ["4", false], ["3", false], ["2", true], ["1", false]]);
		assert.ok(list.policyVersions[0].createDate instanceof Date);

		const del = await assertError(send(
		    new DeletePolicyVersionCommand({
			    policyName: name, policyVersionId: "2",
		    })), "DeleteConflictException", 409, name);
		assert.ok(del instanceof DeleteConflictException);
		await send(new SetDefaultPolicyVersionCommand({
			policyName: name, policyVersionId: "4",
		}));
		const got = await send(new GetPolicyCommand({ policyName: name }));
		assert.equal(got.defaultVersionId, "4");
		assert.equal(got.policyDocument, documentFor("v4"));
		const v = await send(new GetPolicyVersionCommand({
			policyName: name, policyVersionId: "2",
		}));
		assert.equal(v.isDefaultVersion, false);
		assert.equal(v.policyDocument, documentFor("v2"));
		assert.equal(v.generationId, got.generationId);

		await assertError(send(new DeletePolicyCommand({
			policyName: name,
		})), "DeleteConflictException", 409, name);
		for (const id of ["1", "2", "3", "5"])
			await send(new DeletePolicyVersionCommand({
				policyName: name, policyVersionId: id,
			}));
		await assertError(send(new GetPolicyVersionCommand({
			policyName: name, policyVersionId: "1",
		})), "ResourceNotFoundException", 404, name);
		await assertError(send(new SetDefaultPolicyVersionCommand({
			policyName: name, policyVersionId: "9",
		})), "ResourceNotFoundException", 404, name);
		await send(new DeletePolicyCommand({ policyName: name }));
	});

	test("ListPolicies pages in creation order, both ways", async () => {
		const names = [];
		for (const n of ["zz", "aa", "mm"]) {
			names.push(await createPolicy(`${n}-${uniqueName()}`));
			await d.advance(1);
		}
		const asc = await collect(paginateListPolicies({
			client: iot, pageSize: 1,
		}, {}), "policies", (p) => p.policyName);
		const mine = asc.items.filter((n) => names.includes(n));
		assert.deepEqual(mine, names);
		assert.equal(asc.pages, asc.items.length);
		const desc = await collect(paginateListPolicies({
			client: iot, pageSize: 2,
		}, { ascendingOrder: false }), "policies", (p) => p.policyName);
		assert.deepEqual(desc.items.filter((n) => names.includes(n)),
		    [...names].reverse());
		assert.deepEqual([...desc.items].reverse(), asc.items);
	});

	test("attach to thing groups, list both ways, detach", async () => {
		const group = await createGroup();
		const names = [];
		for (let i = 0; i < 3; i++) {
			names.push(await createPolicy());
			await send(new AttachPolicyCommand({
				policyName: names[i], target: groupArn(group),
			}));
		}
		names.sort();
		const attached = await collect(paginateListAttachedPolicies({
			client: iot, pageSize: 2,
		}, { target: groupArn(group) }), "policies");
		assert.deepEqual(attached.items.map((p) => p.policyName), names);
		assert.deepEqual(attached.items.map((p) => p.policyArn),
		    names.map(policyArn));
		assert.equal(attached.pages, 2);

		const groups = [groupArn(group)];
		for (let i = 0; i < 2; i++) {
			groups.push(groupArn(await createGroup()));
			await send(new AttachPolicyCommand({
				policyName: names[0], target: groups[i + 1],
			}));
		}
		groups.sort();
		const targets = await collect(paginateListTargetsForPolicy({
			client: iot, pageSize: 1,
		}, { policyName: names[0] }), "targets");
		assert.deepEqual(targets.items, groups);
		assert.equal(targets.pages, 3);

		for (const g of groups)
			await send(new DetachPolicyCommand({
				policyName: names[0], target: g,
			}));
		const none = await send(new ListTargetsForPolicyCommand({
			policyName: names[0],
		}));
		assert.deepEqual(none.targets, []);
		await send(new DeletePolicyCommand({ policyName: names[0] }));
	});

	test("attachment errors", async () => {
		const name = await createPolicy();
		const ghost = uniqueName("ghost");
		await assertError(send(new AttachPolicyCommand({
			policyName: name, target: groupArn(ghost),
		})), "ResourceNotFoundException", 404, ghost);
		await assertError(send(new AttachPolicyCommand({
			policyName: ghost, target: groupArn(await createGroup()),
		})), "ResourceNotFoundException", 404, ghost);
		await assertError(send(new AttachPolicyCommand({
			policyName: name, target: certArn("0".repeat(64)),
		})), "ResourceNotFoundException", 404, "0".repeat(64));
		await assertError(send(new AttachPolicyCommand({
			policyName: name, target: "eu-west-1:cognito",
		})), "InvalidRequestException", 400, "target");
		await assertError(send(new ListAttachedPoliciesCommand({
			target: groupArn(ghost),
		})), "ResourceNotFoundException", 404, ghost);
		await assertError(send(new ListTargetsForPolicyCommand({
			policyName: ghost,
		})), "ResourceNotFoundException", 404, ghost);

		const group = await createGroup();
		for (let i = 0; i < 10; i++)
			await send(new AttachPolicyCommand({
				policyName: await createPolicy(),
				target: groupArn(group),
			}));
		await assertError(send(new AttachPolicyCommand({
			policyName: name, target: groupArn(group),
		})), "LimitExceededException", 410, groupArn(group));
	});

	test("the deprecated principal forms", async () => {
		const principal = groupArn(await createGroup());
		const name = await createPolicy();
		await send(new AttachPrincipalPolicyCommand({
			policyName: name, principal,
		}));
		const pols = await send(new ListPrincipalPoliciesCommand({
			principal,
		}));
		assert.deepEqual(pols.policies, [{
			policyName: name, policyArn: policyArn(name),
		}]);
		const prins = await send(new ListPolicyPrincipalsCommand({
			policyName: name,
		}));
		assert.deepEqual(prins.principals, [principal]);
		await send(new DetachPrincipalPolicyCommand({
			policyName: name, principal,
		}));
		assert.deepEqual((await send(new ListPolicyPrincipalsCommand({
			policyName: name,
		}))).principals, []);
		await assertError(send(new DetachPrincipalPolicyCommand({
			policyName: uniqueName("ghost"), principal,
		})), "ResourceNotFoundException", 404);
	});

	test("thing principals without a certificate: the errors",
	    async () => {
		const thing = await createThing();
		const unknown = certArn("ab".repeat(32));
		await assertError(send(new AttachThingPrincipalCommand({
			thingName: thing, principal: unknown,
		})), "ResourceNotFoundException", 404, "ab".repeat(32));
		await assertError(send(new AttachThingPrincipalCommand({
			thingName: thing, principal: "cognito-id",
		})), "InvalidRequestException", 400, "principal");
		await assertError(send(new AttachThingPrincipalCommand({
			thingName: thing, principal: unknown,
			thingPrincipalType: "SOMETIMES",
		})), "InvalidRequestException", 400, "thingPrincipalType");
		await assertError(send(new ListThingPrincipalsV2Command({
			thingName: uniqueName("ghost"),
		})), "ResourceNotFoundException", 404);
		await assertError(send(new ListPrincipalThingsV2Command({
			principal: unknown,
		})), "ResourceNotFoundException", 404);
		await send(new DetachThingPrincipalCommand({
			thingName: thing, principal: unknown,
		}));
	});

	test("thing principals: exclusive attachment, lists, DeleteThing",
	    async () => {
		const cert = await createCert();
		const things = [];
		for (let i = 0; i < 3; i++)
			things.push(await createThing());
		await send(new AttachThingPrincipalCommand({
			thingName: things[0], principal: cert,
			thingPrincipalType: "EXCLUSIVE_THING",
		}));
		await assertError(send(new AttachThingPrincipalCommand({
			thingName: things[1], principal: cert,
		})), "InvalidRequestException", 400, things[0]);
		const v2 = await send(new ListThingPrincipalsV2Command({
			thingName: things[0],
		}));
		assert.deepEqual(v2.thingPrincipalObjects, [{
			principal: cert, thingPrincipalType: "EXCLUSIVE_THING",
		}]);
		await assertError(send(new DeleteThingCommand({
			thingName: things[0],
		})), "InvalidRequestException", 400, "still attached");
		await send(new DetachThingPrincipalCommand({
			thingName: things[0], principal: cert,
		}));
		await send(new DeleteThingCommand({ thingName: things[0] }));

		for (const thing of things.slice(1))
			await send(new AttachThingPrincipalCommand({
				thingName: thing, principal: cert,
			}));
		const listed = await collect(paginateListPrincipalThings({
			client: iot, pageSize: 1,
		}, { principal: cert }), "things");
		assert.deepEqual(listed.items, things.slice(1).sort());
		assert.equal(listed.pages, 2);
		const prins = await collect(paginateListThingPrincipals({
			client: iot, pageSize: 1,
		}, { thingName: things[1] }), "principals");
		assert.deepEqual(prins.items, [cert]);
		const objs = await send(new ListPrincipalThingsV2Command({
			principal: cert, thingPrincipalType: "NON_EXCLUSIVE_THING",
		}));
		assert.equal(objs.principalThingObjects.length, 2);
	});
});
