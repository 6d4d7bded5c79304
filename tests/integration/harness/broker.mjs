// SPDX-License-Identifier: Apache-2.0
//
// Starts a real Mosquitto for the MQTT integration tests, on a free
// 127.0.0.1 port, with the repository's shipped configuration
// (etc/mosquitto/mosquitto.conf and acl): the lines that name the
// listener, the password file and the ACL file are pointed at a temporary
// folder; everything else is used as shipped. Accounts: "iotjobsd" (the
// daemon's, password IOTJOBSD_PASSWORD) and the devices the test adds
// (username = thing name). Started by the test itself, never as a service.

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import mqtt from "mqtt";

import { freePort } from "./harness.mjs";

export const IOTJOBSD_USER = "iotjobsd";
export const IOTJOBSD_PASSWORD = "iotjobsd-test-password";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ETC = path.join(here, "..", "..", "..", "etc", "mosquitto");

const live = new Set();
process.on("exit", () => {
	for (const child of live)
		child.kill("SIGKILL");
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function canConnect(port) {
	return new Promise((resolve) => {
		const s = net.connect({ host: "127.0.0.1", port });
		s.once("connect", () => { s.destroy(); resolve(true); });
		s.once("error", () => { s.destroy(); resolve(false); });
	});
}

function mosquittoPath() {
	for (const p of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"])
		if (fs.existsSync(p))
			return p;
	return "mosquitto";
}

// The shipped config with its listener and file paths moved to DIR.
export function brokerConfig(dir, port) {
	const text = fs.readFileSync(path.join(ETC, "mosquitto.conf"), "utf8");
	let seen = 0;
	const out = text.split("\n").map((line) => {
		if (/^listener\s/.test(line)) {
			seen++;
			return `listener ${port} 127.0.0.1`;
		}
		if (/^password_file\s/.test(line)) {
			seen++;
			return `password_file ${path.join(dir, "passwd")}`;
		}
		if (/^acl_file\s/.test(line)) {
			seen++;
			return `acl_file ${path.join(dir, "acl")}`;
		}
		return line;
	});
	if (seen !== 3)
		throw new Error("etc/mosquitto/mosquitto.conf lacks listener, " +
		    "password_file or acl_file");
	return out.join("\n");
}

// Starts Mosquitto. Returns { port, url, addDevices, stop, restart, log }.
export async function startBroker() {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-mq-"));
	// The broker drops root for the "mosquitto" user: let it read.
	fs.chmodSync(dir, 0o755);
	const confPath = path.join(dir, "mosquitto.conf");
	const logPath = path.join(dir, "mosquitto.log");
	fs.writeFileSync(confPath, brokerConfig(dir, port), { mode: 0o644 });
	fs.copyFileSync(path.join(ETC, "acl"), path.join(dir, "acl"));
	fs.chmodSync(path.join(dir, "acl"), 0o644);
	const users = new Map([[IOTJOBSD_USER, IOTJOBSD_PASSWORD]]);
	let child = null;
	let exited = null;

	function writePasswords() {
		const p = path.join(dir, "passwd");
		const plain = [...users].map(([u, pw]) => `${u}:${pw}`)
		    .join("\n") + "\n";
		fs.writeFileSync(p, plain, { mode: 0o644 });
		execFileSync("mosquitto_passwd", ["-U", p]);
		fs.chmodSync(p, 0o644);
	}

	const log = () => {
		try {
			return fs.readFileSync(logPath, "utf8");
		} catch {
			return "(no log)";
		}
	};

	async function start() {
		const fd = fs.openSync(logPath, "a");
		child = spawn(mosquittoPath(), ["-c", confPath],
		    { stdio: ["ignore", fd, fd] });
		fs.closeSync(fd);
		live.add(child);
		const me = child;
		exited = new Promise((resolve) => me.once("exit", () => {
			live.delete(me);
			resolve();
		}));
		const deadline = Date.now() + 10000;
		while (!(await canConnect(port))) {
			if (me.exitCode !== null)
				throw new Error(`mosquitto exited:\n${log()}`);
			if (Date.now() > deadline)
				throw new Error(`mosquitto did not listen:\n${log()}`);
			await sleep(20);
		}
	}

	async function stop() {
		if (!child)
			return;
		const me = child;
		child = null;
		me.kill("SIGTERM");
		await exited;
	}

	writePasswords();
	await start();
	return {
		port,
		url: `mqtt://127.0.0.1:${port}`,
		dir,
		log,
		// Adds device accounts (username = thing name) and reloads.
		async addDevices(names, password = "pw") {
			for (const n of names)
				users.set(n, password);
			writePasswords();
			if (child) {
				child.kill("SIGHUP");
				await sleep(200);
			}
		},
		async restart() {
			await stop();
			await start();
		},
		stop,
		async close() {
			await stop();
			if (!process.env.IOTJOBS_KEEP)
				fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

// iotjobsd flags to use BROKER.
export function daemonMqttArgs(broker, extra = []) {
	return ["--mqtt", broker.url, "--mqtt-username", IOTJOBSD_USER,
	    "--mqtt-password", IOTJOBSD_PASSWORD, ...extra];
}

// A device client (MQTT 5 by default) logged in as thing NAME.
export async function connectDevice(broker, name, opts = {}) {
	const client = mqtt.connect(broker.url, {
		username: name,
		password: opts.password ?? "pw",
		clientId: opts.clientId ?? `${name}-${Math.random()}`,
		protocolVersion: opts.protocolVersion ?? 5,
		reconnectPeriod: opts.reconnectPeriod ?? 0,
		connectTimeout: 5000,
		...(opts.mqtt ?? {}),
	});
	await new Promise((resolve, reject) => {
		client.once("connect", resolve);
		client.once("error", reject);
	});
	return client;
}

// Collects every message a client receives: { topic, json }.
export function inbox(client) {
	const box = [];
	const waiters = [];
	client.on("message", (topic, payload) => {
		let json = null;
		try {
			json = JSON.parse(payload.toString("utf8"));
		} catch {
			json = { raw: payload.toString("utf8") };
		}
		box.push({ topic, json, at: Date.now() });
		for (const w of [...waiters])
			w();
	});
	// Resolves with the first message matching PRED after index FROM.
	box.wait = (pred, timeoutMs = 5000, from = 0) => new Promise(
	    (resolve, reject) => {
		const check = () => {
			for (let i = from; i < box.length; i++)
				if (pred(box[i])) {
					cleanup();
					resolve(box[i]);
					return true;
				}
			return false;
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error("no matching message within " +
			    `${timeoutMs} ms; got ${JSON.stringify(box)}`));
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			const i = waiters.indexOf(check);
			if (i >= 0)
				waiters.splice(i, 1);
		};
		if (!check())
			waiters.push(check);
	});
	return box;
}
