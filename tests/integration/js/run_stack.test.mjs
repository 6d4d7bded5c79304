// SPDX-License-Identifier: Apache-2.0
//
// `make run`'s contract, end to end: scripts/run.sh with
// IOTJOBS_DATA_DIR, IOTJOBS_BROKER_LISTEN and IOTJOBS_BROKER_TLS_LISTEN
// and iotjobsd's --listen and --tls-listen runs iotjobsd and Mosquitto
// with the plugin in the foreground; the command it prints
// (scripts/provision-device.sh, the AWS CLI) provisions a device whose
// files are mode 0600; that device asks for its jobs over mutual TLS and
// gets its answer, another client id is refused; SIGTERM stops all.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
	daemonPath, freePort, sleep, uniqueName,
} from "../harness/harness.mjs";
import { connectCertDevice, inbox } from "../harness/broker.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..",
    "..", "..");

describe("scripts/run.sh and scripts/provision-device.sh", () => {
	let work, data, child, exited, out = "", ports;

	before(async () => {
		work = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-run-"));
		// The broker's user crosses it to iotjobsd's data folder.
		fs.chmodSync(work, 0o711);
		data = path.join(work, "data");
		ports = { plain: await freePort(), tls: await freePort(),
		    http: await freePort(), https: await freePort() };
		const env = Object.fromEntries(Object.entries(process.env)
		    .filter(([k]) => !k.startsWith("IOTJOBS_")));
		child = spawn("sh", ["scripts/run.sh", "--listen",
		    `127.0.0.1:${ports.http}`, "--tls-listen",
		    `127.0.0.1:${ports.https}`], { cwd: root, env: { ...env,
		    IOTJOBSD: daemonPath(), IOTJOBS_DATA_DIR: data,
		    IOTJOBS_BROKER_LISTEN: `127.0.0.1:${ports.plain}`,
		    IOTJOBS_BROKER_TLS_LISTEN: `127.0.0.1:${ports.tls}` },
		    stdio: ["ignore", "pipe", "pipe"] });
		child.stdout.on("data", (b) => { out += b; });
		child.stderr.on("data", (b) => { out += b; });
		exited = new Promise((r) => child.once("exit",
		    (code, sig) => r(code ?? sig)));
		const deadline = Date.now() + 20000;
		while (!/provision-device\.sh THING_NAME/.test(out)) {
			assert.ok(child.exitCode === null, out);
			assert.ok(Date.now() < deadline, out);
			await sleep(50);
		}
	});
	after(async () => {
		if (child?.exitCode === null) {
			child.kill("SIGKILL");
			await exited;
		}
		if (!process.env.IOTJOBS_KEEP)
			fs.rmSync(work, { recursive: true, force: true });
	});

	test("a device provisioned through the AWS CLI gets its jobs; " +
	    "SIGTERM stops the stack", async () => {
		assert.match(out, new RegExp("the CA devices trust: .*" +
		    "/data/tls/ca\\.crt"));
		assert.match(out, /listening for HTTPS on 127\.0\.0\.1:/);
		const thing = uniqueName("run");
		const dev = path.join(work, "dev");
		const said = execFileSync("sh", ["scripts/provision-device.sh",
		    thing, dev], { cwd: root, encoding: "utf8", env: {
		    ...process.env, IOTJOBS_DATA_DIR: data,
		    AWS_ENDPOINT_URL: `http://127.0.0.1:${ports.http}`,
		    IOTJOBS_BROKER_TLS_LISTEN: `127.0.0.1:${ports.tls}` } });
		assert.match(said, new RegExp(`provisioned ${thing}: ` +
		    "certificate arn:aws:iot:us-east-1:123456789012:cert/"));
		for (const f of fs.readdirSync(dev))
			assert.equal(fs.statSync(path.join(dev, f)).mode & 0o777,
			    0o600, f);
		const id = { cert: path.join(dev, `${thing}.cert.pem`),
		    key: path.join(dev, `${thing}.private.key`) };
		const broker = { port: ports.tls, ca: path.join(dev, "ca.crt") };
		const c = await connectCertDevice(broker, id,
		    { clientId: thing });
		const box = inbox(c);
		await c.subscribeAsync(`$aws/things/${thing}/jobs/get/+`,
		    { qos: 1 });
		await c.publishAsync(`$aws/things/${thing}/jobs/get`,
		    JSON.stringify({ clientToken: "run" }), { qos: 1 });
		const r = await box.wait((m) => m.topic.endsWith("/accepted"));
		assert.equal(r.json.clientToken, "run");
		assert.deepEqual(r.json.queuedJobs, []);
		await c.endAsync();
		await assert.rejects(connectCertDevice(broker, id,
		    { clientId: `${thing}-other` }), (e) => e.code === 135);

		child.kill("SIGTERM");
		assert.equal(await exited, 143);
		assert.match(out, /iotjobsd: stopped/);
	});
});
