// SPDX-License-Identifier: Apache-2.0
//
// Starts a real Mosquitto for the MQTT integration tests, on a free
// 127.0.0.1 port, with the repository's shipped configuration
// (etc/mosquitto/mosquitto.conf and acl): the lines that name the
// listener, the password file and the ACL file are pointed at a temporary
// folder; everything else is used as shipped. Accounts: "iotjobsd" (the
// daemon's, password IOTJOBSD_PASSWORD) and the devices the test adds
// (username = thing name). Started by the test itself, never as a service.
//
// startTlsBroker does the same with etc/mosquitto/mosquitto-tls.conf
// (client certificates; the username is the certificate's common name),
// with a CA and certificates made by the openssl command at start.

import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
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

// Runs mosquitto -c CONFPATH (output to LOGPATH) until PORT accepts
// connections. Returns { child, exited } (exited: a promise).
async function launch(confPath, logPath, port, log) {
	const fd = fs.openSync(logPath, "a");
	const child = spawn(mosquittoPath(), ["-c", confPath],
	    { stdio: ["ignore", fd, fd] });
	fs.closeSync(fd);
	live.add(child);
	const exited = new Promise((resolve) => child.once("exit", () => {
		live.delete(child);
		resolve();
	}));
	const deadline = Date.now() + 10000;
	while (!(await canConnect(port))) {
		if (child.exitCode !== null)
			throw new Error(`mosquitto exited:\n${log()}`);
		if (Date.now() > deadline) {
			child.kill("SIGKILL");
			throw new Error(`mosquitto did not listen:\n${log()}`);
		}
		await sleep(20);
	}
	return { child, exited };
}

// Mosquitto with config CONF (written to DIR/mosquitto.conf, beside the
// shipped ACL) on PORT, started. Returns { log, signal, stop, restart,
// close }; signal(SIG) is false when the broker is stopped; close() also
// removes DIR unless IOTJOBS_KEEP is set.
async function runBroker(dir, conf, port) {
	const confPath = path.join(dir, "mosquitto.conf");
	const logPath = path.join(dir, "mosquitto.log");
	fs.writeFileSync(confPath, conf, { mode: 0o644 });
	fs.copyFileSync(path.join(ETC, "acl"), path.join(dir, "acl"));
	fs.chmodSync(path.join(dir, "acl"), 0o644);
	const log = () => {
		try {
			return fs.readFileSync(logPath, "utf8");
		} catch {
			return "(no log)";
		}
	};
	let run = await launch(confPath, logPath, port, log);

	async function stop() {
		if (!run)
			return;
		const { child, exited } = run;
		run = null;
		child.kill("SIGTERM");
		await exited;
	}

	return {
		log,
		signal(sig) {
			return run !== null && run.child.kill(sig);
		},
		stop,
		async restart() {
			await stop();
			run = await launch(confPath, logPath, port, log);
		},
		async close() {
			await stop();
			if (!process.env.IOTJOBS_KEEP)
				fs.rmSync(dir, { recursive: true, force: true });
		},
	};
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
	const users = new Map([[IOTJOBSD_USER, IOTJOBSD_PASSWORD]]);

	function writePasswords() {
		const p = path.join(dir, "passwd");
		const plain = [...users].map(([u, pw]) => `${u}:${pw}`)
		    .join("\n") + "\n";
		fs.writeFileSync(p, plain, { mode: 0o644 });
		execFileSync("mosquitto_passwd", ["-U", p]);
		fs.chmodSync(p, 0o644);
	}

	writePasswords();
	const b = await runBroker(dir, brokerConfig(dir, port), port);
	return {
		port,
		url: `mqtt://127.0.0.1:${port}`,
		dir,
		log: b.log,
		// Adds device accounts (username = thing name) and reloads.
		async addDevices(names, password = "pw") {
			for (const n of names)
				users.set(n, password);
			writePasswords();
			if (b.signal("SIGHUP"))
				await sleep(200);
		},
		restart: b.restart,
		stop: b.stop,
		close: b.close,
	};
}

// iotjobsd flags to use BROKER.
export function daemonMqttArgs(broker, extra = []) {
	return ["--mqtt", broker.url, "--mqtt-username", IOTJOBSD_USER,
	    "--mqtt-password", IOTJOBSD_PASSWORD, ...extra];
}

// Payload timestamps are integer epoch seconds (WIRE.md 10.6).
export function assertSeconds(ts) {
	assert.equal(typeof ts, "number");
	assert.ok(ts > 1.5e9 && ts < 1e10, `timestamp ${ts} is not in seconds`);
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

// --- client certificates (etc/mosquitto/mosquitto-tls.conf) ------------

// Extensions of the test certificates (openssl req/x509 -config/-extfile).
const OPENSSL_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
[test_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[test_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[test_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

function openssl(dir, args) {
	execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

// A P-256 key BASE.key and a certificate BASE.crt in DIR for common name
// CN: self-signed (a CA) without ISSUER, else signed by ISSUER (a base
// name of a CA in DIR) with the extensions of section EXT. Every file is
// world-readable: Mosquitto drops root before it reads them.
function makeCert(dir, base, cn, issuer, ext) {
	const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
	    "-nodes", "-keyout", `${base}.key`, "-subj", `/CN=${cn}`];
	if (issuer === undefined)
		openssl(dir, ["req", "-x509", "-config", "openssl.cnf",
		    "-extensions", "test_ca", ...key, "-days", "2",
		    "-out", `${base}.crt`]);
	else {
		openssl(dir, ["req", "-new", "-config", "openssl.cnf", ...key,
		    "-out", `${base}.csr`]);
		openssl(dir, ["x509", "-req", "-in", `${base}.csr`,
		    "-CA", `${issuer}.crt`, "-CAkey", `${issuer}.key`,
		    "-set_serial", `0x${randomBytes(8).toString("hex")}`,
		    "-days", "2", "-extfile", "openssl.cnf",
		    "-extensions", ext, "-out", `${base}.crt`]);
		fs.rmSync(path.join(dir, `${base}.csr`));
	}
	for (const f of [`${base}.key`, `${base}.crt`])
		fs.chmodSync(path.join(dir, f), 0o644);
	return { cert: path.join(dir, `${base}.crt`),
	    key: path.join(dir, `${base}.key`) };
}

// The shipped mosquitto-tls.conf with its listener, CA, server
// certificate, server key and ACL paths moved to DIR.
export function tlsBrokerConfig(dir, port) {
	const text = fs.readFileSync(path.join(ETC, "mosquitto-tls.conf"),
	    "utf8");
	const moved = {
		listener: `${port} 127.0.0.1`,
		cafile: path.join(dir, "ca.crt"),
		certfile: path.join(dir, "server.crt"),
		keyfile: path.join(dir, "server.key"),
		acl_file: path.join(dir, "acl"),
	};
	const seen = new Set();
	const out = text.split("\n").map((line) => {
		const m = /^(\w+)\s/.exec(line);
		if (m === null || !(m[1] in moved))
			return line;
		if (seen.has(m[1]))
			throw new Error(`mosquitto-tls.conf: ${m[1]} twice`);
		seen.add(m[1]);
		return `${m[1]} ${moved[m[1]]}`;
	});
	if (seen.size !== Object.keys(moved).length)
		throw new Error("etc/mosquitto/mosquitto-tls.conf lacks one of " +
		    Object.keys(moved).join(", "));
	return out.join("\n");
}

// Starts Mosquitto with mosquitto-tls.conf on a free port, with a fresh
// CA ("ca"), a server certificate for 127.0.0.1 and localhost, and
// iotjobsd's client certificate (CN=iotjobsd). Returns { port, url, dir,
// log, ca, otherCa, iotjobsd: { cert, key }, deviceCert, restart, stop,
// close }:
// otherCa is the certificate of a second CA, unknown to the broker;
// deviceCert(cn, { foreign }) makes a client certificate for CN signed by
// the broker's CA, or with foreign by the other one.
export async function startTlsBroker() {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-mqs-"));
	fs.chmodSync(dir, 0o755);
	fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
	makeCert(dir, "ca", "iotjobs test CA", undefined);
	makeCert(dir, "other-ca", "iotjobs other CA", undefined);
	makeCert(dir, "server", "localhost", "ca", "test_server");
	const iotjobsd = makeCert(dir, "iotjobsd", IOTJOBSD_USER, "ca",
	    "test_client");
	const b = await runBroker(dir, tlsBrokerConfig(dir, port), port);
	let n = 0;
	return {
		port,
		url: `mqtts://127.0.0.1:${port}`,
		dir,
		log: b.log,
		ca: path.join(dir, "ca.crt"),
		otherCa: path.join(dir, "other-ca.crt"),
		iotjobsd,
		deviceCert(cn, { foreign = false } = {}) {
			return makeCert(dir, `device-${++n}`, cn,
			    foreign ? "other-ca" : "ca", "test_client");
		},
		restart: b.restart,
		stop: b.stop,
		close: b.close,
	};
}

// iotjobsd flags to use the TLS broker BROKER with its client
// certificate; CA: the CA file it trusts (default: the broker's).
export function daemonTlsArgs(broker, { ca = broker.ca } = {}) {
	return ["--mqtt", broker.url, "--mqtt-ca", ca,
	    "--mqtt-cert", broker.iotjobsd.cert,
	    "--mqtt-key", broker.iotjobsd.key];
}

// A device client (MQTT 5) of the TLS broker presenting IDENTITY
// ({ cert, key } files; null: no client certificate). Resolves once
// connected; rejects with the error that ended the attempt (TLS or MQTT)
// otherwise.
export async function connectCertDevice(broker, identity, opts = {}) {
	const client = mqtt.connect({
		protocol: "mqtts",
		host: "127.0.0.1",
		port: broker.port,
		ca: fs.readFileSync(opts.ca ?? broker.ca),
		...(identity === null ? {} : {
			cert: fs.readFileSync(identity.cert),
			key: fs.readFileSync(identity.key),
		}),
		clientId: opts.clientId ?? `dev-${Math.random()}`,
		protocolVersion: 5,
		reconnectPeriod: 0,
		connectTimeout: 5000,
		...(opts.mqtt ?? {}),
	});
	try {
		await new Promise((resolve, reject) => {
			client.once("connect", resolve);
			client.once("error", reject);
			client.once("close", () => reject(new Error(
			    "connection closed before CONNACK")));
		});
	} catch (e) {
		client.end(true);
		throw e;
	}
	return client;
}
