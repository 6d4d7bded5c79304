// SPDX-License-Identifier: Apache-2.0
//
// Commands (WIRE.md 9, 10.7) end to end: the JS v3 clients create a static
// and a dynamic command and start executions; a real MQTT 5 device (npm
// mqtt, on the test Mosquitto) receives each payload with its content type
// and message expiry (JSON, or CBOR decoded with cborg), reports
// IN_PROGRESS then SUCCEEDED with a result, and the control plane reads it
// back; rejected reports, events, and the timeout on the test clock.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { decode as cborDecode } from "cborg";
import {
	CreateCommandCommand,
	CreateThingCommand,
	DeleteCommandExecutionCommand,
	GetCommandExecutionCommand,
	ListCommandExecutionsCommand,
} from "@aws-sdk/client-iot";
import { StartCommandExecutionCommand } from
    "@aws-sdk/client-iot-jobs-data-plane";

import {
	ACCOUNT_ID, REGION, dataClient, iotClient, startDaemon, uniqueName,
} from "../harness/harness.mjs";
import {
	connectDevice, daemonMqttArgs, startBroker,
} from "../harness/broker.mjs";

const thingArn = (n) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:thing/${n}`;
const clientArn = (n) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:client/${n}`;
const commandArn = (c) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:command/${c}`;
const enc = new TextEncoder();

const PARAMS = [
	{ name: "s", type: "STRING" },
	{ name: "b", type: "BOOLEAN" },
	{ name: "i", type: "INTEGER", valueConditions: [{
		comparisonOperator: "GREATER_THAN", operand: { number: "0" } }] },
	{ name: "l", type: "LONG" },
	{ name: "d", type: "DOUBLE" },
	{ name: "bin", type: "BINARY" },
	{ name: "ul", type: "UNSIGNEDLONG" },
	{ name: "dflt", type: "STRING", defaultValue: { S: "fallback" } },
];
const placeholder = (n) => `\${aws:iot:commandexecution::parameter:${n}}`;
const TEMPLATE = JSON.stringify({
	s: placeholder("s"), b: placeholder("b"), i: placeholder("i"),
	l: placeholder("l"), d: placeholder("d"), bin: placeholder("bin"),
	ul: placeholder("ul"), dflt: placeholder("dflt"),
	text: `speed=${placeholder("i")}`,
	timeout: "${aws:iot:commandexecution::executionTimeoutSec}",
});
const VALUES = {
	s: { S: "hello" }, b: { B: true }, i: { I: 42 },
	l: { L: 9007199254740991 }, d: { D: 2.5 },
	bin: { BIN: enc.encode("\u0001\u0002\u0003") },
	ul: { UL: "18446744073709551615" },
};

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

// Every message of CLIENT: { topic, payload (Buffer), props }.
function collect(client) {
	const box = [];
	const waiters = new Set();
	client.on("message", (topic, payload, packet) => {
		box.push({ topic, payload, props: packet.properties ?? {} });
		for (const w of waiters)
			w();
	});
	box.wait = (pred, ms = 5000) => new Promise((resolve, reject) => {
		const check = () => {
			const m = box.find(pred);
			if (!m)
				return;
			waiters.delete(check);
			clearTimeout(timer);
			resolve(m);
		};
		const timer = setTimeout(() => {
			waiters.delete(check);
			reject(new Error("no matching message; got " +
			    JSON.stringify(box.map((m) => m.topic))));
		}, ms);
		waiters.add(check);
		check();
	});
	return box;
}

describe("commands (JS v3 clients and an MQTT device)", () => {
	let broker, d, iot, data, events;

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ testClock: true, args:
		    daemonMqttArgs(broker, ["--mqtt-events"]) });
		iot = iotClient(d);
		data = dataClient(d);
		await broker.addDevices(["watcher"]);
		events = await connectDevice(broker, "iotjobsd", {
			password: "iotjobsd-test-password" });
		events.box = collect(events);
		await events.subscribeAsync("$aws/events/commandExecution/#",
		    { qos: 1 });
	});
	after(async () => {
		await events?.endAsync();
		await d?.close();
		await broker?.close();
	});

	async function thingDevice() {
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		await broker.addDevices([name]);
		const c = await connectDevice(broker, name);
		const box = collect(c);
		await c.subscribeAsync(`$aws/commands/things/${name}/#`,
		    { qos: 1 });
		return { c, box, name };
	}

	// Publishes a report of execution EX; resolves with the reply.
	async function reportOn(dev, kind, ex, body) {
		const base = `$aws/commands/${kind}/${dev.name}/executions/` +
		    `${ex}/response`;
		const from = dev.box.length;
		await dev.c.publishAsync(`${base}/json`, typeof body === "string" ?
		    body : JSON.stringify(body), { qos: 1 });
		const m = await dev.box.wait((x) => dev.box.indexOf(x) >= from &&
		    (x.topic === `${base}/accepted/json` ||
		    x.topic === `${base}/rejected/json`));
		return { topic: m.topic.slice(base.length + 1),
		    json: JSON.parse(m.payload.toString("utf8")) };
	}

	test("a static command to a thing, reported to SUCCEEDED", async () => {
		const dev = await thingDevice();
		try {
			const cid = uniqueName("reboot");
			const content = enc.encode('{"op":"reboot"}');
			await iot.send(new CreateCommandCommand({ commandId: cid,
			    payload: { content,
			    contentType: "application/json" } }));
			const { executionId: ex } = await data.send(
			    new StartCommandExecutionCommand({
				targetArn: thingArn(dev.name),
				commandArn: commandArn(cid),
				executionTimeoutSeconds: 120,
			}));
			const got = await dev.box.wait((m) => m.topic ===
			    `$aws/commands/things/${dev.name}/executions/` +
			    `${ex}/request/json`);
			assert.equal(got.payload.toString("utf8"),
			    '{"op":"reboot"}');
			assert.equal(got.props.contentType, "application/json");
			assert.ok(got.props.messageExpiryInterval > 100 &&
			    got.props.messageExpiryInterval <= 120,
			    JSON.stringify(got.props));

			let r = await reportOn(dev, "things", ex,
			    { status: "IN_PROGRESS" });
			assert.equal(r.topic, "accepted/json");
			assert.deepEqual(r.json, { executionId: ex });
			let e = await iot.send(new GetCommandExecutionCommand({
			    executionId: ex, targetArn: thingArn(dev.name) }));
			assert.equal(e.status, "IN_PROGRESS");
			assert.ok(e.startedAt instanceof Date);

			r = await reportOn(dev, "things", ex, {
				status: "SUCCEEDED",
				statusReason: { reasonCode: "OK_1",
				    reasonDescription: "rebooted" },
				result: { uptime: { s: "3s" }, ok: { B: true },
				    blob: { bin: "AQI=" } },
			});
			assert.equal(r.topic, "accepted/json");
			e = await iot.send(new GetCommandExecutionCommand({
			    executionId: ex, targetArn: thingArn(dev.name),
			    includeResult: true }));
			assert.equal(e.status, "SUCCEEDED");
			assert.deepEqual(e.statusReason, { reasonCode: "OK_1",
			    reasonDescription: "rebooted" });
			assert.equal(e.result.uptime.S, "3s");
			assert.equal(e.result.ok.B, true);
			assert.deepEqual([...e.result.blob.BIN], [1, 2]);
			assert.ok(e.completedAt instanceof Date);
			const noResult = await iot.send(
			    new GetCommandExecutionCommand({ executionId: ex,
			    targetArn: thingArn(dev.name) }));
			assert.equal(noResult.result, undefined);

			const list = await iot.send(
			    new ListCommandExecutionsCommand({
				commandArn: commandArn(cid) }));
			assert.deepEqual(list.commandExecutions.map((x) =>
			    [x.executionId, x.status]), [[ex, "SUCCEEDED"]]);

			// Terminal: further reports are refused.
			r = await reportOn(dev, "things", ex,
			    { status: "FAILED" });
			assert.equal(r.topic, "rejected/json");
			assert.equal(r.json.error, "TerminalStateReached");
			assert.equal(r.json.executionId, ex);

			const ev = await events.box.wait((m) => m.topic ===
			    `$aws/events/commandExecution/${cid}/SUCCEEDED`);
			const body = JSON.parse(ev.payload.toString("utf8"));
			assert.equal(body.eventType, "COMMAND_EXECUTION");
			assert.equal(body.executionId, ex);
			assert.equal(body.targetArn, thingArn(dev.name));
			assert.equal(body.commandArn, commandArn(cid));

			await iot.send(new DeleteCommandExecutionCommand({
			    executionId: ex, targetArn: thingArn(dev.name) }));
			const err = await rejection(iot.send(
			    new GetCommandExecutionCommand({ executionId: ex,
			    targetArn: thingArn(dev.name) })));
			assert.equal(err.name, "ResourceNotFoundException");
		} finally {
			await dev.c.endAsync();
		}
	});

	for (const format of ["JSON", "CBOR"]) {
		test(`a dynamic ${format} command with every parameter type`,
		    async () => {
			const dev = await thingDevice();
			try {
				const cid = uniqueName(`dyn-${format}`);
				await iot.send(new CreateCommandCommand({
				    commandId: cid, payloadTemplate: TEMPLATE,
				    preprocessor: { awsJsonSubstitution:
				    { outputFormat: format } },
				    mandatoryParameters: PARAMS }));
				const { executionId: ex } = await data.send(
				    new StartCommandExecutionCommand({
					targetArn: thingArn(dev.name),
					commandArn: commandArn(cid),
					parameters: VALUES,
					executionTimeoutSeconds: 60,
				}));
				const suffix = format.toLowerCase();
				const got = await dev.box.wait((m) => m.topic ===
				    `$aws/commands/things/${dev.name}/` +
				    `executions/${ex}/request/${suffix}`);
				assert.equal(got.props.contentType,
				    `application/${suffix}`);
				const p = format === "CBOR" ?
				    cborDecode(got.payload) :
				    JSON.parse(got.payload.toString("utf8"));
				assert.equal(p.s, "hello");
				assert.equal(p.b, true);
				assert.equal(p.i, 42);
				assert.equal(Number(p.l), 9007199254740991);
				assert.equal(p.d, 2.5);
				assert.equal(p.dflt, "fallback");
				assert.equal(p.text, "speed=42");
				assert.equal(p.timeout, 60);
				if (format === "CBOR") {
					assert.deepEqual([...p.bin], [1, 2, 3]);
					assert.equal(BigInt(p.ul),
					    18446744073709551615n);
				} else {
					assert.equal(p.bin, "AQID");
					assert.equal(p.ul,
					    "18446744073709551615");
				}
				const e = await iot.send(
				    new GetCommandExecutionCommand({
					executionId: ex,
					targetArn: thingArn(dev.name) }));
				assert.equal(e.parameters.dflt.S, "fallback");
				assert.equal(e.parameters.ul.UL,
				    "18446744073709551615");
				assert.deepEqual([...e.parameters.bin.BIN],
				    [1, 2, 3]);
			} finally {
				await dev.c.endAsync();
			}
		});
	}

	test("an MQTT client target, rejected reports, idempotent start",
	    async () => {
		const id = uniqueName("cli");
		await broker.addDevices([id]);
		const c = await connectDevice(broker, id, { clientId: id });
		const dev = { c, box: collect(c), name: id };
		try {
			await c.subscribeAsync(`$aws/commands/clients/${id}/#`,
			    { qos: 1 });
			const cid = uniqueName("ping");
			await iot.send(new CreateCommandCommand({ commandId: cid,
			    payload: { content: enc.encode("ping"),
			    contentType: "text/plain" } }));
			const req = { targetArn: clientArn(id),
			    commandArn: commandArn(cid), clientToken: "tok-1" };
			const a = await data.send(
			    new StartCommandExecutionCommand(req));
			const b = await data.send(
			    new StartCommandExecutionCommand(req));
			assert.equal(a.executionId, b.executionId);
			const err = await rejection(data.send(
			    new StartCommandExecutionCommand({ ...req,
			    executionTimeoutSeconds: 5 })));
			assert.equal(err.name, "ConflictException");
			assert.equal(err.$metadata.httpStatusCode, 409);

			const ex = a.executionId;
			const got = await dev.box.wait((m) => m.topic ===
			    `$aws/commands/clients/${id}/executions/${ex}/` +
			    "request");
			assert.equal(got.payload.toString("utf8"), "ping");
			assert.equal(got.props.contentType, "text/plain");
			assert.equal(dev.box.filter((m) =>
			    m.topic.includes("/request")).length, 1);

			for (const [body, code] of [
				["not json", "InvalidJson"],
				[{}, "InvalidRequest"],
				[{ status: "CREATED" }, "InvalidRequest"],
				[{ status: "TIMED_OUT" }, "InvalidStateTransition"],
				[{ status: "FAILED", statusReason:
				    { reasonCode: "bad code" } }, "InvalidRequest"],
				[{ status: "FAILED", result:
				    { r: { X: 1 } } }, "InvalidRequest"],
			]) {
				const r = await reportOn(dev, "clients", ex, body);
				assert.equal(r.topic, "rejected/json",
				    JSON.stringify(body));
				assert.equal(r.json.error, code,
				    JSON.stringify(body));
			}
			const r = await reportOn(dev, "clients",
			    "00000000-0000-4000-8000-000000000000",
			    { status: "FAILED" });
			assert.equal(r.json.error, "ResourceNotFound");
		} finally {
			await c.endAsync();
		}
	});

	test("no answer before the timeout: TIMED_OUT on the test clock",
	    async () => {
		const dev = await thingDevice();
		try {
			const cid = uniqueName("slow");
			await iot.send(new CreateCommandCommand({ commandId: cid,
			    payload: { content: enc.encode("{}"),
			    contentType: "application/json" } }));
			const { executionId: ex } = await data.send(
			    new StartCommandExecutionCommand({
				targetArn: thingArn(dev.name),
				commandArn: commandArn(cid),
				executionTimeoutSeconds: 30 }));
			await reportOn(dev, "things", ex,
			    { status: "IN_PROGRESS" });
			await d.advance(31);
			const e = await iot.send(new GetCommandExecutionCommand({
			    executionId: ex, targetArn: thingArn(dev.name) }));
			assert.equal(e.status, "TIMED_OUT");
			assert.equal(e.statusReason.reasonCode,
			    "$NO_RESPONSE_FROM_DEVICE");
			let r = await reportOn(dev, "things", ex,
			    { status: "SUCCEEDED" });
			assert.equal(r.json.error, "TerminalStateReached");
			r = await reportOn(dev, "things", ex, { status: "TIMED_OUT",
			    statusReason: { reasonCode: "DEVICE_BUSY" } });
			assert.equal(r.topic, "accepted/json");
			const again = await iot.send(
			    new GetCommandExecutionCommand({ executionId: ex,
			    targetArn: thingArn(dev.name) }));
			assert.equal(again.statusReason.reasonCode, "DEVICE_BUSY");
			await events.box.wait((m) => m.topic ===
			    `$aws/events/commandExecution/${cid}/TIMED_OUT`);
		} finally {
			await dev.c.endAsync();
		}
	});
});
