// SPDX-License-Identifier: Apache-2.0
//
// Starts a real Mosquitto for the MQTT integration tests, on a free
// 127.0.0.1 port. Started by the test itself, never as a service.
//
// startBroker: the test-only password configuration (mosquitto/password.conf
// and mosquitto/acl beside this file): the lines that name the listener,
// the password file and the ACL file are pointed at a temporary folder.
// Accounts: "iotjobsd" (the daemon's, password IOTJOBSD_PASSWORD) and the
// devices the test adds (username = thing name). For the suites that are
// not about device identity.
//
// startTlsBroker does the same with mosquitto/tls-username.conf (client
// certificates; the username is the certificate's common name), with a CA
// and certificates made by the openssl command at start: iotjobsd's own
// mqtts:// client.
//
// startPluginBroker: the shipped configuration (etc/mosquitto/) with the
// iotjobs plugin, beside a running iotjobsd (see its comment).

import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
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
// The test-only configurations.
const TEST_ETC = path.join(here, "mosquitto");

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
// ACL ACLDIR/acl) on PORT, started. Returns { log, signal, stop, restart,
// close }; signal(SIG) is false when the broker is stopped; close() also
// removes DIR unless IOTJOBS_KEEP is set.
async function runBroker(dir, conf, port, aclDir = TEST_ETC) {
	const confPath = path.join(dir, "mosquitto.conf");
	const logPath = path.join(dir, "mosquitto.log");
	fs.writeFileSync(confPath, conf, { mode: 0o644 });
	fs.copyFileSync(path.join(aclDir, "acl"), path.join(dir, "acl"));
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

// The test password config with its listener and file paths moved to DIR.
export function brokerConfig(dir, port) {
	const text = fs.readFileSync(path.join(TEST_ETC, "password.conf"),
	    "utf8");
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
		throw new Error("mosquitto/password.conf lacks listener, " +
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

// --- client certificates as usernames (mosquitto/tls-username.conf) -----

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

// The test config tls-username.conf with its listener, CA, server
// certificate, server key and ACL paths moved to DIR.
export function tlsBrokerConfig(dir, port) {
	const text = fs.readFileSync(path.join(TEST_ETC, "tls-username.conf"),
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
			throw new Error(`tls-username.conf: ${m[1]} twice`);
		seen.add(m[1]);
		return `${m[1]} ${moved[m[1]]}`;
	});
	if (seen.size !== Object.keys(moved).length)
		throw new Error("mosquitto/tls-username.conf lacks one of " +
		    Object.keys(moved).join(", "));
	return out.join("\n");
}

// Starts Mosquitto with tls-username.conf on a free port, with a fresh
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

// --- the shipped configuration with the iotjobs plugin ---------------------

const PLUGIN = path.resolve(process.env.IOTJOBS_PLUGIN ??
    path.join(here, "..", "..", "..", "build", "mosquitto_iotjobs.so"));

// The shipped mosquitto.conf with every line marked "rewritten" moved:
// PLAIN and TLS are the two listeners' ports; DIR holds the broker's
// files; DATA is iotjobsd's data folder (its socket, its CA folder).
export function pluginBrokerConfig({ dir, data, socket, plain, tls, region,
    account }) {
	const text = fs.readFileSync(path.join(ETC, "mosquitto.conf"), "utf8");
	const moved = {
		password_file: path.join(dir, "passwd"),
		acl_file: path.join(dir, "acl"),
		plugin: PLUGIN,
		plugin_opt_socket: socket,
		plugin_opt_region: region,
		plugin_opt_account: account,
		capath: path.join(data, "tls", "broker-ca"),
		certfile: path.join(dir, "server.crt"),
		keyfile: path.join(dir, "server.key"),
	};
	const seen = new Set();
	let listeners = 0;
	const out = text.split("\n").map((line) => {
		const m = /^(\w+)\s/.exec(line);
		if (m === null)
			return line;
		if (m[1] === "listener") {
			listeners++;
			return listeners === 1 ? `listener ${plain} 127.0.0.1` :
			    `listener ${tls} 127.0.0.1`;
		}
		if (!(m[1] in moved))
			return line;
		seen.add(m[1]);
		return `${m[1]} ${moved[m[1]]}`;
	});
	if (listeners !== 2 || seen.size !== Object.keys(moved).length)
		throw new Error("etc/mosquitto/mosquitto.conf: expected two " +
		    `listeners and ${Object.keys(moved).join(", ")}`);
	return out.join("\n");
}

// The uid and gid of the "mosquitto" user when we are root (Mosquitto
// started as root runs as that user), else null.
function brokerUser() {
	if (process.getuid() !== 0)
		return null;
	try {
		const uid = Number(execFileSync("id", ["-u", "mosquitto"]));
		const gid = Number(execFileSync("id", ["-g", "mosquitto"]));
		return { uid, gid };
	} catch {
		return null;
	}
}

// Lets the broker's user reach iotjobsd D's socket and CA folder: the
// socket's group becomes the broker's (mode 0660 stays), the folders on
// the way are made traversable (never readable) by others.
export function shareWithBroker(d, socket) {
	const u = brokerUser();
	if (u === null)
		return;
	for (const p of [path.dirname(d.dataDir), d.dataDir,
	    path.join(d.dataDir, "tls")])
		if (fs.existsSync(p))
			fs.chmodSync(p, fs.statSync(p).mode & 0o7777 | 0o711);
	if (fs.existsSync(socket))
		fs.chownSync(socket, 0, u.gid);
}

// iotjobsd's CA (D/tls/ca.crt and ca.key, made at its first start).
export function daemonCa(d) {
	const tls = path.join(d.dataDir, "tls");
	return { cert: path.join(tls, "ca.crt"),
	    key: path.join(tls, "ca.key") };
}

// A key and certificate for CN in DIR (base name BASE) signed by the CA
// ISSUER ({ cert, key } files) with extensions EXT of OPENSSL_CNF.
// Returns { cert, key, pem, id }: id is the hex SHA-256 of the DER (the
// certificate id iotjobsd knows it by).
export function signedCert(dir, base, cn, issuer, ext = "test_client") {
	if (!fs.existsSync(path.join(dir, "openssl.cnf")))
		fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
	openssl(dir, ["req", "-new", "-config", "openssl.cnf", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
	    "-keyout", `${base}.key`, "-subj", `/CN=${cn}`,
	    "-out", `${base}.csr`]);
	openssl(dir, ["x509", "-req", "-in", `${base}.csr`,
	    "-CA", issuer.cert, "-CAkey", issuer.key,
	    "-set_serial", `0x${randomBytes(8).toString("hex")}`,
	    "-days", "2", "-extfile", "openssl.cnf", "-extensions", ext,
	    "-out", `${base}.crt`]);
	fs.rmSync(path.join(dir, `${base}.csr`));
	for (const f of [`${base}.key`, `${base}.crt`])
		fs.chmodSync(path.join(dir, f), 0o644);
	const cert = path.join(dir, `${base}.crt`);
	const pem = fs.readFileSync(cert, "utf8");
	const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""),
	    "base64");
	return { cert, key: path.join(dir, `${base}.key`), pem,
	    id: createHash("sha256").update(der).digest("hex") };
}

// Waits until iotjobsd's CA folder holds a certificate (iotjobsd writes
// it at start and whenever the plugin asks for the generation).
async function waitCaFolder(d, ms = 5000) {
	const dir = path.join(d.dataDir, "tls", "broker-ca");
	const deadline = Date.now() + ms;
	while (!(fs.existsSync(dir) && fs.readdirSync(dir).some(
	    (f) => /^[0-9a-f]{8}\.\d+$/.test(f)))) {
		if (Date.now() > deadline)
			throw new Error(`no CA certificate in ${dir}`);
		await sleep(50);
	}
}

// Starts the whole stack as scripts/run.sh does: iotjobsd (startDaemon
// of harness.mjs, given here as START, with OPTS) logged in with a
// password on the plain listener, and Mosquitto with the shipped
// configuration and the plugin, its TLS listener's certificate signed by
// iotjobsd's CA. Returns { d, broker }: broker has port (plain), tlsPort,
// url (mqtt://, iotjobsd's), ca (the CA file devices trust), caKey, dir,
// log, deviceCert(cn, { foreign }), restart, stop, close (the daemon too).
export async function startPluginStack(start, opts = {}) {
	const plain = await freePort();
	const tls = await freePort();
	const url = `mqtt://127.0.0.1:${plain}`;
	// The broker's user reads the CA folder through its group (02750).
	const group = brokerUser() === null ? [] : ["--broker-group",
	    execFileSync("id", ["-gn", "mosquitto"]).toString().trim()];
	const d = await start({ ...opts, args: ["--mqtt", url,
	    "--mqtt-username", IOTJOBSD_USER, "--mqtt-password",
	    IOTJOBSD_PASSWORD, ...group, ...(opts.args ?? [])] });
	const socket = path.join(d.dataDir, "broker.sock");
	// The broker socket comes after the HTTP listener, and after the CA
	// folder and the server certificate.
	for (let t0 = Date.now(); !fs.existsSync(socket); await sleep(20))
		if (Date.now() - t0 > 10000)
			throw new Error(`no ${socket}:\n${d.log()}`);
	const ca = daemonCa(d);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotjobs-mqp-"));
	fs.chmodSync(dir, 0o755);
	// The server certificate iotjobsd's CA issued (broker socket on),
	// copied for the broker's user as scripts/run.sh does.
	for (const ext of ["crt", "key"]) {
		fs.copyFileSync(path.join(d.dataDir, "tls", `broker.${ext}`),
		    path.join(dir, `server.${ext}`));
		fs.chmodSync(path.join(dir, `server.${ext}`), 0o644);
	}
	const p = path.join(dir, "passwd");
	fs.writeFileSync(p, `${IOTJOBSD_USER}:${IOTJOBSD_PASSWORD}\n`,
	    { mode: 0o644 });
	execFileSync("mosquitto_passwd", ["-U", p]);
	fs.chmodSync(p, 0o644);
	shareWithBroker(d, socket);
	const conf = pluginBrokerConfig({ dir, data: d.dataDir, socket, plain,
	    tls, region: opts.region ?? "us-east-1",
	    account: opts.account ?? "123456789012" });
	const b = await runBroker(dir, conf, tls, ETC);
	await waitCaFolder(d);
	// iotjobsd started first: its next attempt (backoff 1 s) connects.
	const deadline = Date.now() + 8000;
	while (!/mqtt: connected to/.test(d.log(10000))) {
		if (Date.now() > deadline)
			throw new Error("iotjobsd did not connect:\n" +
			    d.log());
		await sleep(50);
	}
	let n = 0;
	const broker = {
		port: plain,
		tlsPort: tls,
		url,
		dir,
		ca: ca.cert,
		caKey: ca.key,
		socket,
		log: b.log,
		deviceCert(cn, { foreign = false } = {}) {
			const issuer = foreign ? foreignCa(dir) : ca;
			return signedCert(dir, `device-${++n}`, cn, issuer);
		},
		// After a daemon restart: the new socket to the broker's group.
		share: () => shareWithBroker(d, socket),
		restart: b.restart,
		stop: b.stop,
		async close() {
			await d.close();
			await b.close();
		},
	};
	return { d, broker };
}

// A new self-signed CA BASE.crt / BASE.key in DIR for CN: { cert, key }.
export function newCa(dir, base, cn) {
	if (!fs.existsSync(path.join(dir, "openssl.cnf")))
		fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
	return makeCert(dir, base, cn, undefined);
}

// A CA of DIR that iotjobsd does not know.
function foreignCa(dir) {
	if (!fs.existsSync(path.join(dir, "foreign-ca.crt"))) {
		fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
		makeCert(dir, "foreign-ca", "unregistered CA", undefined);
	}
	return { cert: path.join(dir, "foreign-ca.crt"),
	    key: path.join(dir, "foreign-ca.key") };
}

// A device client (MQTT 5 by default) of the plugin broker BROKER
// presenting IDENTITY ({ cert, key } files). Resolves once connected;
// rejects with the error that ended the attempt (TLS or MQTT) otherwise.
export async function connectPluginDevice(broker, identity, opts = {}) {
	return connectCertDevice({ port: broker.tlsPort, ca: broker.ca },
	    identity, opts);
}
