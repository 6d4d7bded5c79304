// SPDX-License-Identifier: Apache-2.0
//
// Operating iotjobsd through the JS SDK v3 clients: a request signed for
// another region than the daemon's is refused as AWS refuses it, on both
// planes; the health and ready probes answer without a signature; JSON
// log lines name the request id the SDK got back.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

import { CreateThingCommand, ListThingsCommand } from "@aws-sdk/client-iot";
import {
	DescribeJobExecutionCommand,
} from "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCESS_KEY_ID, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

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

describe("operating iotjobsd (JS v3 clients)", () => {
	let d;

	before(async () => {
		d = await startDaemon({ args: ["--log-format", "json"] });
	});
	after(async () => {
		await d?.close();
	});

	test("a control-plane request signed for eu-west-1 is refused",
	    async () => {
		const err = await rejection(iotClient(d, { region: "eu-west-1" })
		    .send(new ListThingsCommand({})));
		assert.equal(err.name, "InvalidSignatureException");
		assert.equal(err.$metadata.httpStatusCode, 403);
		assert.equal(err.message, "Credential should be scoped to a " +
		    "valid region, not 'eu-west-1'. ");
	});

	test("a data-plane request signed for ap-south-1 is refused",
	    async () => {
		const err = await rejection(dataClient(d, {
			region: "ap-south-1" }).send(
		    new DescribeJobExecutionCommand({ thingName: "t",
		    jobId: "j" })));
		assert.equal(err.$metadata.httpStatusCode, 403);
		assert.match(err.message, /^Credential should be scoped to a /);
	});

	test("the probes answer without a signature", async () => {
		let res = await fetch(`${d.endpoint}/_iotjobs/health`);
		assert.equal(res.status, 200);
		assert.deepEqual(await res.json(), { status: "ok" });
		res = await fetch(`${d.endpoint}/_iotjobs/ready`);
		assert.equal(res.status, 200);
		assert.deepEqual(await res.json(), { status: "ready",
		    store: "ok", broker: "off", role: "leader" });
	});

	test("the JSON log line of a request names its id and principal",
	    async () => {
		const name = uniqueName("js");
		const out = await iotClient(d).send(new CreateThingCommand({
			thingName: name }));
		const rid = out.$metadata.requestId;
		assert.ok(rid);
		const lines = fs.readFileSync(d.logPath, "utf8").split("\n")
		    .filter((l) => l.startsWith("{"))
		    .map((l) => JSON.parse(l));
		const mine = lines.filter((o) => o.id === rid);
		assert.equal(mine.length, 1);
		assert.equal(mine[0].op, "CreateThing");
		assert.equal(mine[0].thing, name);
		assert.equal(mine[0].principal, ACCESS_KEY_ID);
		assert.equal(mine[0].level, "info");
	});
});
