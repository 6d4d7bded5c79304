// SPDX-License-Identifier: Apache-2.0
//
// A device provisioned through the JS SDK v3 (CreateThing,
// CreateKeysAndCertificate, CreatePolicy, AttachPolicy,
// AttachThingPrincipal, DescribeEndpoint iot:Jobs) calls the jobs data
// plane over HTTPS with its certificate through Node's https module: its
// own jobs answer, another thing's are refused, and an INACTIVE
// certificate is cut off within seconds.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";

import {
	AttachPolicyCommand,
	AttachThingPrincipalCommand,
	CreateJobCommand,
	CreateKeysAndCertificateCommand,
	CreatePolicyCommand,
	CreateThingCommand,
	DescribeEndpointCommand,
	UpdateCertificateCommand,
} from "@aws-sdk/client-iot";

import {
	ACCOUNT_ID, REGION, freePort, iotClient, sleep, startDaemon, thingArn,
	uniqueName,
} from "../harness/harness.mjs";

const ARN = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;

function request(endpoint, ca, dev, method, urlPath, body) {
	const url = new URL(urlPath, `https://${endpoint}`);
	return new Promise((resolve, reject) => {
		const req = https.request(url, {
			method, ca, cert: dev.cert, key: dev.key,
			headers: body ? { "content-type": "application/json" } :
			    {},
			agent: false,
		}, (res) => {
			let data = "";
			res.setEncoding("utf8");
			res.on("data", (c) => { data += c; });
			res.on("end", () => resolve({
				status: res.statusCode,
				type: res.headers["x-amzn-errortype"],
				body: data ? JSON.parse(data) : {},
			}));
		});
		req.on("error", reject);
		req.setTimeout(10000, () => req.destroy(new Error("timeout")));
		if (body)
			req.write(JSON.stringify(body));
		req.end();
	});
}

async function provision(iot, name) {
	await iot.send(new CreateThingCommand({ thingName: name }));
	const c = await iot.send(new CreateKeysAndCertificateCommand({
		setAsActive: true }));
	const policyName = uniqueName("pol");
	await iot.send(new CreatePolicyCommand({
		policyName,
		policyDocument: JSON.stringify({
			Version: "2012-10-17",
			Statement: [{
				Effect: "Allow",
				Action: "iotjobsdata:*",
				Resource: `${ARN}thing/` +
				    "${iot:Connection.Thing.ThingName}",
			}],
		}),
	}));
	await iot.send(new AttachPolicyCommand({ policyName,
		target: c.certificateArn }));
	await iot.send(new AttachThingPrincipalCommand({ thingName: name,
		principal: c.certificateArn }));
	return { name, id: c.certificateId, cert: c.certificatePem,
		key: c.keyPair.PrivateKey };
}

describe("devices over HTTPS with their certificates (Node https)", () => {
	let d, iot, ca, endpoint;

	before(async () => {
		const tlsPort = await freePort();
		d = await startDaemon({ args: ["--tls-listen",
		    `127.0.0.1:${tlsPort}`] });
		iot = iotClient(d);
		// iotjobsd's CA signed the listener's certificate.
		ca = fs.readFileSync(path.join(d.dataDir, "tls", "ca.crt"));
		const ep = await iot.send(new DescribeEndpointCommand({
			endpointType: "iot:Jobs" }));
		endpoint = ep.endpointAddress;
		assert.equal(endpoint, `127.0.0.1:${tlsPort}`);
	});
	after(async () => { await d?.stop(); });

	test("a device runs its job and cannot see another's", async () => {
		const a = await provision(iot, uniqueName("a"));
		const b = await provision(iot, uniqueName("b"));
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({ jobId,
			targets: [thingArn(a.name), thingArn(b.name)],
			document: "{\"op\":\"x\"}" }));
		let r = await request(endpoint, ca, a, "GET",
		    `/things/${a.name}/jobs`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.deepEqual(r.body.queuedJobs.map((j) => j.jobId), [jobId]);
		r = await request(endpoint, ca, a, "PUT",
		    `/things/${a.name}/jobs/$next`, {});
		assert.equal(r.body.execution.status, "IN_PROGRESS");
		r = await request(endpoint, ca, a, "POST",
		    `/things/${a.name}/jobs/${jobId}`, { status: "SUCCEEDED" });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		r = await request(endpoint, ca, a, "GET",
		    `/things/${b.name}/jobs/${jobId}`);
		assert.equal(r.status, 403);
		assert.equal(r.type, "AccessDeniedException");
	});

	test("UpdateCertificate INACTIVE cuts a device off within 5 s",
	    async () => {
		const a = await provision(iot, uniqueName("in"));
		let r = await request(endpoint, ca, a, "GET",
		    `/things/${a.name}/jobs`);
		assert.equal(r.status, 200);
		await iot.send(new UpdateCertificateCommand({
			certificateId: a.id, newStatus: "INACTIVE" }));
		const t0 = Date.now();
		for (;;) {
			r = await request(endpoint, ca, a, "GET",
			    `/things/${a.name}/jobs`);
			if (r.status === 403)
				break;
			assert.ok(Date.now() - t0 < 5000, "still answered");
			await sleep(100);
		}
		assert.equal(r.type, "UnrecognizedClientException");
	});
});
