// SPDX-License-Identifier: Apache-2.0
//
// Job templates through the AWS SDK for JavaScript v3 (WIRE.md 11.4):
// custom templates (create, describe, list, delete), AWS-managed templates
// (list, describe), and CreateJob from both, down to the document a device
// gets, with the error classes the SDK maps the answers to.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import {
	ConflictException,
	CreateJobCommand,
	CreateJobTemplateCommand,
	CreateThingCommand,
	DeleteJobTemplateCommand,
	DescribeJobCommand,
	DescribeJobTemplateCommand,
	DescribeManagedJobTemplateCommand,
	InvalidRequestException,
	ListJobTemplatesCommand,
	ListManagedJobTemplatesCommand,
	ResourceNotFoundException,
	paginateListJobTemplates,
} from "@aws-sdk/client-iot";
import { DescribeJobExecutionCommand } from
    "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";

const PREFIX = `arn:aws:iot:${REGION}:${ACCOUNT_ID}:`;
const MANAGED = `arn:aws:iot:${REGION}::jobtemplate/`;
const thingArn = (n) => `${PREFIX}thing/${n}`;
const templateArn = (n) => `${PREFIX}jobtemplate/${n}`;

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

function assertError(err, cls, status, ...words) {
	assert.ok(err instanceof cls, `expected ${cls.name}, got ${err.name}:` +
	    ` ${err.message}`);
	assert.equal(err.$metadata.httpStatusCode, status);
	for (const w of words)
		assert.ok(err.message.includes(w),
		    `message "${err.message}" does not name ${w}`);
}

describe("job templates (JS v3 clients)", () => {
	let d, iot, data, thing;

	const template = async (input = {}) => {
		const jobTemplateId = uniqueName("tpl");
		await iot.send(new CreateJobTemplateCommand({
			jobTemplateId, description: "js template",
			document: '{"op":"tpl"}', ...input,
		}));
		return jobTemplateId;
	};
	const deviceDocument = async (jobId) => {
		const out = await data.send(new DescribeJobExecutionCommand({
			jobId, thingName: thing,
		}));
		return JSON.parse(out.execution.jobDocument);
	};

	before(async () => {
		d = await startDaemon();
		iot = iotClient(d);
		data = dataClient(d);
		thing = uniqueName("th");
		await iot.send(new CreateThingCommand({ thingName: thing }));
	});

	after(async () => {
		iot?.destroy();
		data?.destroy();
		await d?.close();
	});

	test("CreateJobTemplate, DescribeJobTemplate round trip", async () => {
		const jobTemplateId = uniqueName("tpl");
		const out = await iot.send(new CreateJobTemplateCommand({
			jobTemplateId, description: "d", document: '{"a":1}',
			timeoutConfig: { inProgressTimeoutInMinutes: 5 },
		}));
		assert.equal(out.jobTemplateArn, templateArn(jobTemplateId));
		assert.equal(out.jobTemplateId, jobTemplateId);
		const t = await iot.send(new DescribeJobTemplateCommand({
			jobTemplateId,
		}));
		assert.equal(t.description, "d");
		assert.deepEqual(JSON.parse(t.document), { a: 1 });
		assert.ok(t.createdAt instanceof Date);
		assert.deepEqual(t.timeoutConfig,
		    { inProgressTimeoutInMinutes: 5 });
	});

	test("duplicate id is ConflictException", async () => {
		const id = await template();
		assertError(await rejection(iot.send(new CreateJobTemplateCommand({
			jobTemplateId: id, description: "x", document: "{}",
		}))), ConflictException, 409, id);
	});

	test("missing document and jobArn is InvalidRequestException",
	    async () => {
		assertError(await rejection(iot.send(new CreateJobTemplateCommand({
			jobTemplateId: uniqueName("tpl"), description: "x",
		}))), InvalidRequestException, 400, "document", "jobArn");
	});

	test("DescribeJobTemplate and DeleteJobTemplate of a missing one",
	    async () => {
		const id = uniqueName("none");
		assertError(await rejection(iot.send(
		    new DescribeJobTemplateCommand({ jobTemplateId: id }))),
		    ResourceNotFoundException, 404, id);
		assertError(await rejection(iot.send(
		    new DeleteJobTemplateCommand({ jobTemplateId: id }))),
		    ResourceNotFoundException, 404, id);
	});

	test("DeleteJobTemplate removes it", async () => {
		const id = await template();
		const out = await iot.send(new DeleteJobTemplateCommand({
			jobTemplateId: id,
		}));
		assert.equal(out.$metadata.httpStatusCode, 200);
		assertError(await rejection(iot.send(
		    new DescribeJobTemplateCommand({ jobTemplateId: id }))),
		    ResourceNotFoundException, 404);
	});

	test("ListJobTemplates pages through every template", async () => {
		const ids = [await template(), await template(),
		    await template()];
		const seen = [];
		for await (const page of paginateListJobTemplates(
		    { client: iot, pageSize: 1 }, {})) {
			assert.ok(page.jobTemplates.length <= 1);
			seen.push(...page.jobTemplates.map(
			    (t) => t.jobTemplateId));
		}
		for (const id of ids)
			assert.ok(seen.includes(id), id);
		const one = await iot.send(new ListJobTemplatesCommand({
			maxResults: 250,
		}));
		const t = one.jobTemplates.find((x) => x.jobTemplateId ===
		    ids[0]);
		assert.equal(t.jobTemplateArn, templateArn(ids[0]));
		assert.equal(t.description, "js template");
		assert.ok(t.createdAt instanceof Date);
	});

	test("CreateJob inherits from the template; explicit members win",
	    async () => {
		const id = await template({
			jobExecutionsRolloutConfig: { maximumPerMinute: 7 },
			timeoutConfig: { inProgressTimeoutInMinutes: 5 },
		});
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({
			jobId, targets: [thingArn(thing)],
			jobTemplateArn: templateArn(id),
			timeoutConfig: { inProgressTimeoutInMinutes: 50 },
		}));
		const { job } = await iot.send(new DescribeJobCommand({ jobId }));
		assert.equal(job.jobTemplateArn, templateArn(id));
		assert.deepEqual(job.jobExecutionsRolloutConfig,
		    { maximumPerMinute: 7 });
		assert.deepEqual(job.timeoutConfig,
		    { inProgressTimeoutInMinutes: 50 });
		assert.deepEqual(await deviceDocument(jobId), { op: "tpl" });
	});

	test("CreateJob with a missing template is ResourceNotFoundException",
	    async () => {
		assertError(await rejection(iot.send(new CreateJobCommand({
			jobId: uniqueName("job"), targets: [thingArn(thing)],
			jobTemplateArn: templateArn(uniqueName("none")),
		}))), ResourceNotFoundException, 404);
	});

	test("ListManagedJobTemplates and DescribeManagedJobTemplate",
	    async () => {
		const out = await iot.send(new ListManagedJobTemplatesCommand({}));
		const names = out.managedJobTemplates.map((t) => t.templateName);
		for (const n of ["AWS-Reboot", "AWS-Download-File",
		    "AWS-Run-Command"])
			assert.ok(names.includes(n), n);
		const t = await iot.send(new DescribeManagedJobTemplateCommand({
			templateName: "AWS-Run-Command",
		}));
		assert.equal(t.templateArn, `${MANAGED}AWS-Run-Command:1.0`);
		assert.deepEqual(t.environments, ["LINUX"]);
		assert.equal(t.documentParameters[0].key, "command");
		assert.equal(t.documentParameters[0].optional, false);
		assert.ok(t.document.includes("${aws:iot:parameter:command}"));
		assertError(await rejection(iot.send(
		    new DescribeManagedJobTemplateCommand({
			templateName: "AWS-Reboot", templateVersion: "2.0",
		    }))), ResourceNotFoundException, 404);
	});

	test("CreateJob from AWS-Download-File fills the document",
	    async () => {
		const jobId = uniqueName("job");
		await iot.send(new CreateJobCommand({
			jobId, targets: [thingArn(thing)],
			jobTemplateArn: `${MANAGED}AWS-Download-File:1.0`,
			documentParameters: {
				downloadUrl: "https://example.com/f.bin",
				filePath: "/var/f.bin",
			},
		}));
		const doc = await deviceDocument(jobId);
		assert.deepEqual(doc.steps[0].action.input.args,
		    ["https://example.com/f.bin", "/var/f.bin"]);
	});

	test("missing required documentParameters are named", async () => {
		assertError(await rejection(iot.send(new CreateJobCommand({
			jobId: uniqueName("job"), targets: [thingArn(thing)],
			jobTemplateArn: `${MANAGED}AWS-Download-File:1.0`,
			documentParameters: { filePath: "/x" },
		}))), InvalidRequestException, 400, "downloadUrl");
	});
});
