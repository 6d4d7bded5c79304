// SPDX-License-Identifier: Apache-2.0
//
// Boots iotjobsd for the JS integration tests (node --test) and hands out
// the unmodified AWS SDK for JavaScript v3 clients. Same behaviour as
// daemon.py: $IOTJOBSD (absolute path) on a free 127.0.0.1 port, a fresh
// temporary data folder, the fixed test credentials, stderr kept in a log
// file, SIGTERM must end the daemon with exit status 0.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, randomUUID } from "node:crypto";

import { IoTJobsDataPlaneClient } from "@aws-sdk/client-iot-jobs-data-plane";
import { IoTClient } from "@aws-sdk/client-iot";
// Installed with the SDK clients (their own signer): signs the test
// clock's admin requests exactly as the clients sign theirs.
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

export const ACCESS_KEY_ID = "AKIAIOTJOBSTEST00001";
export const SECRET_ACCESS_KEY = "iotjobs/TEST/secret+key/0123456789abcdef";
export const REGION = "us-east-1";
export const ACCOUNT_ID = "123456789012";

const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 10000;

const live = new Set();

// A test file that dies must not leave daemons holding ports.
process.on("exit", () => {
	for (const child of live)
		child.kill("SIGKILL");
});

export function daemonPath() {
	let p = process.env.IOTJOBSD;
	if (!p) {
		const here = path.dirname(fileURLToPath(import.meta.url));
		p = path.join(here, "..", "..", "..", "build", "iotjobsd");
	}
	p = path.resolve(p);
	try {
		fs.accessSync(p, fs.constants.X_OK);
	} catch {
		throw new Error(`iotjobsd not found or not executable: ${p} ` +
		    "(set IOTJOBSD to its absolute path)");
	}
	return p;
}

// Ports handed to the servers a test starts come from below Linux's
// ephemeral range (32768-60999): a port the kernel picked for listen(0)
// may be taken again by any outgoing connection before the server binds it.
const PORT_LOW = 20000, PORT_HIGH = 32767;

function tryListen(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once("error", () => resolve(false));
		srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
	});
}

export async function freePort() {
	for (let i = 0; i < 200; i++) {
		const port = PORT_LOW +
		    Math.floor(Math.random() * (PORT_HIGH - PORT_LOW + 1));
		if (await tryListen(port))
			return port;
	}
	throw new Error(`no free port in ${PORT_LOW}-${PORT_HIGH}`);
}

// A name valid as thingName, jobId and group name, unique per call.
export function uniqueName(prefix = "t") {
	return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

function canConnect(host, port) {
	return new Promise((resolve) => {
		const s = net.connect({ host, port });
		s.once("connect", () => { s.destroy(); resolve(true); });
		s.once("error", () => { s.destroy(); resolve(false); });
	});
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const thingArn = (n) => `arn:aws:iot:${REGION}:${ACCOUNT_ID}:thing/${n}`;
export const groupArn = (n) =>
    `arn:aws:iot:${REGION}:${ACCOUNT_ID}:thinggroup/${n}`;

// PROMISE, or a rejection after MS.
export function withTimeout(promise, ms) {
	let timer;
	const t = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timeout ${ms} ms`)),
		    ms);
	});
	return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// The --store flag of a daemon on DATADIR: none by default; with
// IOTJOBS_TEST_PG (a private PostgreSQL server, tests/pg/with_pg.sh) a
// schema there of its own, named after the folder, so that daemons that
// share a folder share the store (daemon.py's store_for does the same).
export function storeFor(dataDir) {
	const pg = process.env.IOTJOBS_TEST_PG;
	if (!pg)
		return null;
	const h = createHash("sha256").update(path.resolve(dataDir))
	    .digest("hex");
	return `${pg}&options=-csearch_path%3Dit_${h.slice(0, 20)}`;
}

function storeArgs(dataDir, args) {
	const url = storeFor(dataDir);
	if (!url || args.some((a) => a === "--store" ||
	    a.startsWith("--store=")))
		return [];
	return ["--store", url];
}

// Starts iotjobsd and resolves once its port accepts connections.
// Options: args (extra flags), testClock (adds --test-clock), env.
// Returns { endpoint, port, dataDir, logPath, stop, kill9, restart, log }.
// opts: args (flags), env, testClock, dataDir.
export async function startDaemon(opts = {}) {
	const binary = daemonPath();
	const host = "127.0.0.1";
	const port = await freePort();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-it-"));
	// opts.dataDir: share another daemon's data folder (a second node).
	const dataDir = opts.dataDir ?? path.join(workDir, "data");
	const logPath = path.join(workDir, "iotjobsd.log");
	if (!opts.dataDir)
		fs.mkdirSync(dataDir, { mode: 0o700 });
	const args = ["--listen", `${host}:${port}`, "--data-dir", dataDir,
	    "--region", REGION, "--account-id", ACCOUNT_ID,
	    ...storeArgs(dataDir, opts.args ?? []), ...(opts.args ?? [])];
	if (opts.testClock)
		args.push("--test-clock");
	let child = null;
	let exited = null;	// promise of [code, signal]

	const log = (tail = 200) => {
		try {
			const lines = fs.readFileSync(logPath, "utf8")
			    .split("\n");
			return lines.slice(-tail).join("\n");
		} catch {
			return "(no log)";
		}
	};

	async function start() {
		if (child)
			throw new Error("iotjobsd already running");
		const fd = fs.openSync(logPath, "a");
		fs.writeSync(fd, `--- ${binary} ${args.join(" ")}\n`);
		// Settings come from flags only: drop the caller's IOTJOBS_*.
		const env = Object.fromEntries(Object.entries(process.env)
		    .filter(([k]) => !k.startsWith("IOTJOBS_")));
		child = spawn(binary, args, {
			stdio: ["ignore", fd, fd],
			env: {
				...env,
				IOTJOBS_ACCESS_KEY_ID: ACCESS_KEY_ID,
				IOTJOBS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
				// No configuration file, even an installed one.
				IOTJOBS_CONFIG: "",
				...(opts.env ?? {}),
			},
		});
		fs.closeSync(fd);
		live.add(child);
		const me = child;
		exited = new Promise((resolve) => {
			me.once("exit", (code, sig) => {
				live.delete(me);
				resolve([code, sig]);
			});
			me.once("error", (e) => {
				live.delete(me);
				resolve([null, String(e)]);
			});
		});
		const deadline = Date.now() + START_TIMEOUT_MS;
		for (;;) {
			if (me.exitCode !== null || me.signalCode !== null) {
				const [code, sig] = await exited;
				child = null;
				throw new Error(`iotjobsd exited (${code ?? sig}) ` +
				    `while starting:\n${log()}`);
			}
			if (await canConnect(host, port))
				return;
			if (Date.now() > deadline) {
				await kill9();
				throw new Error("iotjobsd did not listen on " +
				    `${host}:${port} within ` +
				    `${START_TIMEOUT_MS / 1000} s:\n${log()}`);
			}
			await sleep(20);
		}
	}

	async function kill9() {
		if (!child)
			return;
		const me = child;
		child = null;
		if (me.exitCode === null && me.signalCode === null)
			me.kill("SIGKILL");
		await exited;
	}

	// SIGTERM, wait, and fail unless the exit status is 0.
	async function stop() {
		if (!child)
			return;
		const me = child;
		child = null;
		if (me.exitCode === null && me.signalCode === null)
			me.kill("SIGTERM");
		let timer;
		const timeout = new Promise((r) => {
			timer = setTimeout(() => r(null), STOP_TIMEOUT_MS);
		});
		const res = await Promise.race([exited, timeout]);
		clearTimeout(timer);
		if (res === null) {
			me.kill("SIGKILL");
			await exited;
			throw new Error("iotjobsd did not exit within " +
			    `${STOP_TIMEOUT_MS / 1000} s of SIGTERM:\n${log()}`);
		}
		const [code, sig] = res;
		if (code !== 0)
			throw new Error(`iotjobsd exited ${code ?? sig} after ` +
			    `SIGTERM (expected 0):\n${log()}`);
	}

	// Same port and data folder; { kill: true } for kill -9 first.
	async function restart({ kill = false } = {}) {
		if (kill)
			await kill9();
		else
			await stop();
		await start();
	}

	// stop() and remove the folder (unless IOTJOBS_KEEP is set).
	async function close() {
		try {
			await stop();
		} finally {
			if (!process.env.IOTJOBS_KEEP)
				fs.rmSync(workDir, { recursive: true, force: true });
		}
	}

	try {
		await start();
	} catch (e) {
		if (!process.env.IOTJOBS_KEEP)
			fs.rmSync(workDir, { recursive: true, force: true });
		throw e;
	}
	const d = {
		endpoint: `http://${host}:${port}`,
		host, port, dataDir, workDir, logPath,
		stop, kill9, restart, close, log,
		// Test clock (testClock: true): read it, or move it forward
		// (every deadline reached has run when the promise settles).
		now: () => clockRequest(d, "GET"),
		advance: (seconds) => clockRequest(d, "POST",
		    { advanceSeconds: seconds }),
		get running() { return child !== null; },
	};
	return d;
}

// GET or POST /_iotjobs/clock signed with the admin credential (as "iot").
async function clockRequest(d, method, body) {
	const text = body === undefined ? "" : JSON.stringify(body);
	const signer = new SignatureV4({
		service: "iot", region: REGION, sha256: Sha256,
		credentials: { accessKeyId: ACCESS_KEY_ID,
		    secretAccessKey: SECRET_ACCESS_KEY },
	});
	const req = await signer.sign({
		method, protocol: "http:", hostname: d.host, port: d.port,
		path: "/_iotjobs/clock", query: {},
		headers: { host: `${d.host}:${d.port}`,
		    ...(text ? { "content-type": "application/json" } : {}) },
		body: text || undefined,
	});
	const res = await fetch(d.endpoint + "/_iotjobs/clock", {
		method, headers: req.headers, body: text || undefined,
	});
	const out = await res.text();
	if (res.status !== 200)
		throw new Error(`${method} /_iotjobs/clock: ${res.status} ${out}`);
	return JSON.parse(out).now;
}

function clientConfig(d, creds = {}) {
	return {
		endpoint: d.endpoint,
		region: creds.region ?? REGION,
		credentials: {
			accessKeyId: creds.accessKeyId ?? ACCESS_KEY_ID,
			secretAccessKey: creds.secretAccessKey ??
			    SECRET_ACCESS_KEY,
		},
		maxAttempts: 1,
	};
}

// IoT Jobs data-plane client (signs as iot-jobs-data), no retries.
export function dataClient(d, creds) {
	return new IoTJobsDataPlaneClient(clientConfig(d, creds));
}

// IoT control-plane client (signs as iot), no retries.
export function iotClient(d, creds) {
	return new IoTClient(clientConfig(d, creds));
}

// An unsigned request: { status, headers, body, json(), errorType }.
export async function rawRequest(d, method, urlPath, { body, headers } = {})
{
	const init = { method, headers: { ...(headers ?? {}) } };
	if (body !== undefined) {
		if (typeof body === "object" && !(body instanceof Uint8Array)) {
			init.body = JSON.stringify(body);
			init.headers["content-type"] ??= "application/json";
		} else {
			init.body = body;
		}
	}
	const res = await fetch(d.endpoint + urlPath, init);
	const text = await res.text();
	const type = res.headers.get("x-amzn-errortype");
	return {
		status: res.status,
		headers: res.headers,
		body: text,
		errorType: type === null ? null : type.split(":")[0],
		json: () => (text ? JSON.parse(text) : {}),
	};
}
