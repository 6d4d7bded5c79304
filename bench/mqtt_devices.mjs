// SPDX-License-Identifier: Apache-2.0
//
// The MQTT figures of bench/mqtt.sh, which starts Mosquitto and iotjobsd
// and passes their addresses in the environment (BENCH_HTTP, BENCH_MQTT_URL,
// BENCH_PASSWD: the broker's password file in plain "user:password" lines,
// rewritten with mosquitto_passwd -U by this script's caller between the
// phases; BENCH_DEVICES, BENCH_RT_DEVICES, BENCH_RT_JOBS, BENCH_SECONDS;
// BENCH_IOTJOBSD_PID, BENCH_BROKER_PID, BENCH_CLK_TCK for the CPU times).
//
//   node bench/mqtt_devices.mjs fleet    creates the things and groups
//   node bench/mqtt_devices.mjs run      the measurements
//
// 1. Fan-out: BENCH_DEVICES device clients connected, each subscribed to
//    its notify-next; one CreateJob for their group; the time until every
//    one of them has received the notify-next naming the job.
// 2. The broker's own rate: BENCH_RT_DEVICES clients each publish QoS 1 on
//    a topic they subscribe to and wait for the delivery, in a loop.
// 3. Device round trips: BENCH_RT_DEVICES devices each loop start-next,
//    then update SUCCEEDED, waiting for each accepted reply.
//
// Beside the rates 2 and 3: the CPU time iotjobsd, the broker and this
// process spent per message or round trip over the same interval (from
// /proc), and how busy the machine was; on a machine whose cores are all
// busy, those say where a faster figure has to come from.

import fs from "node:fs";

import {
	AddThingToThingGroupCommand, CreateJobCommand, CreateThingCommand,
	CreateThingGroupCommand, IoTClient,
} from "@aws-sdk/client-iot";
import mqtt from "mqtt";

const env = (k, d) => process.env[k] ?? d;
const HTTP = env("BENCH_HTTP");
const URL = env("BENCH_MQTT_URL");
const DEVICES = Number(env("BENCH_DEVICES", "10000"));
const RT = Number(env("BENCH_RT_DEVICES", "64"));
const SECONDS = Number(env("BENCH_SECONDS", "5"));
const RT_JOBS = Number(env("BENCH_RT_JOBS", "600"));
const CLK_TCK = Number(env("BENCH_CLK_TCK", "100"));
const PW = "bench-pw";
const IOTJOBSD_PW = env("BENCH_IOTJOBSD_PASSWORD");
const name = (i) => `mq-thing-${i}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const iot = new IoTClient({ endpoint: HTTP, region: "us-east-1",
    maxAttempts: 1 });

// Runs FN(i) for i < N with at most WIDTH at a time.
async function pool(n, width, fn) {
	let next = 0;
	const lane = async () => {
		while (next < n) {
			const i = next++;
			await fn(i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
}

async function fleet() {
	const t0 = Date.now();
	for (const g of ["mq-all", "mq-rt"])
		await iot.send(new CreateThingGroupCommand({ thingGroupName: g }));
	await pool(DEVICES, 32, async (i) => {
		await iot.send(new CreateThingCommand({ thingName: name(i) }));
		await iot.send(new AddThingToThingGroupCommand(
		    { thingGroupName: "mq-all", thingName: name(i) }));
		if (i < RT)
			await iot.send(new AddThingToThingGroupCommand(
			    { thingGroupName: "mq-rt", thingName: name(i) }));
	});
	const lines = [];
	for (let i = 0; i < DEVICES; i++)
		lines.push(`${name(i)}:${PW}`);
	fs.appendFileSync(env("BENCH_PASSWD"), lines.join("\n") + "\n");
	console.log(`fleet: ${DEVICES} things in mq-all, ${RT} in mq-rt ` +
	    `(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function connect(opts) {
	return new Promise((resolve, reject) => {
		const c = mqtt.connect(URL, { protocolVersion: 4,
		    reconnectPeriod: 0, connectTimeout: 30000, keepalive: 300,
		    ...opts });
		// Small messages answered one by one, as devices do: no
		// Nagle on the device side either.
		c.once("connect", () => {
			c.stream.setNoDelay?.(true);
			resolve(c);
		});
		c.once("error", reject);
	});
}

function pct(sorted, p) {
	return sorted[Math.min(sorted.length - 1,
	    Math.floor(sorted.length * p))];
}

async function fanout() {
	const got = new Array(DEVICES).fill(0);
	const clients = [];
	let jobId = null, t0 = 0, count = 0, resolveAll;
	const all = new Promise((r) => { resolveAll = r; });
	const tc = Date.now();
	await pool(DEVICES, 200, async (i) => {
		const c = await connect({ username: name(i), password: PW,
		    clientId: `${name(i)}-bench` });
		c.on("message", (topic, payload) => {
			if (jobId === null || got[i] !== 0)
				return;
			const m = JSON.parse(payload.toString());
			if (m.execution?.jobId !== jobId)
				return;
			got[i] = Date.now() - t0;
			if (++count === DEVICES)
				resolveAll();
		});
		await c.subscribeAsync(`$aws/things/${name(i)}/jobs/notify-next`,
		    { qos: 1 });
		clients.push(c);
	});
	console.log(`fan-out: ${DEVICES} device connections subscribed in ` +
	    `${((Date.now() - tc) / 1000).toFixed(1)} s`);
	await sleep(1000);
	jobId = `mq-fanout-${Date.now()}`;
	t0 = Date.now();
	await iot.send(new CreateJobCommand({ jobId,
	    targets: ["arn:aws:iot:us-east-1:123456789012:thinggroup/mq-all"],
	    document: "{\"operation\":\"bench\"}" }));
	const tJob = Date.now() - t0;
	const timeout = sleep(60000).then(() => "timeout");
	const r = await Promise.race([all, timeout]);
	const done = got.filter((x) => x > 0).sort((a, b) => a - b);
	if (r === "timeout")
		console.log(`fan-out: only ${done.length} of ${DEVICES} ` +
		    "notified within 60 s");
	console.log(`fan-out: CreateJob answered in ${tJob} ms; notify-next ` +
	    `at ${done.length} of ${DEVICES} devices: p50 ${pct(done, 0.5)} ms,` +
	    ` p99 ${pct(done, 0.99)} ms, all ${done[done.length - 1]} ms`);
	await Promise.all(clients.map((c) => c.endAsync(true)));
}

// CPU seconds (user + system) process PID has used, NaN when unknown.
function cpuOf(pid) {
	try {
		const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
		// After "(comm) ": state is field 3, utime 14, stime 15.
		const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
		return (Number(f[11]) + Number(f[12])) / CLK_TCK;
	} catch {
		return NaN;
	}
}

// The machine's busy and total CPU ticks so far (/proc/stat).
function machineTicks() {
	try {
		const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]
		    .trim().split(/\s+/).slice(1, 9).map(Number);
		const total = f.reduce((a, b) => a + b, 0);
		return { busy: total - f[3] - f[4], total };
	} catch {
		return { busy: NaN, total: NaN };
	}
}

function cpuSnap() {
	const u = process.cpuUsage();
	return { iotjobsd: cpuOf(env("BENCH_IOTJOBSD_PID", "")),
	    broker: cpuOf(env("BENCH_BROKER_PID", "")),
	    generator: (u.user + u.system) / 1e6, machine: machineTicks() };
}

// CPU microseconds per operation between snapshots A and B, N operations.
function cpuLine(a, b, n, what) {
	const us = (k) => {
		const v = (b[k] - a[k]) * 1e6 / n;
		return Number.isFinite(v) ? `${v.toFixed(0)} us` : "?";
	};
	const busy = 100 * (b.machine.busy - a.machine.busy) /
	    (b.machine.total - a.machine.total);
	return `  CPU per ${what}: iotjobsd ${us("iotjobsd")}, broker ` +
	    `${us("broker")}, load generator ${us("generator")}; all cores ` +
	    `${busy.toFixed(0)}% busy`;
}

// Loops STEP on each of N clients for SECONDS; returns the count per
// second, the count, the clients that stopped early and the CPU snapshots.
async function loop(clients, step) {
	let n = 0, early = 0;
	let stop = false;
	const t0 = Date.now();
	const c0 = cpuSnap();
	const timer = setTimeout(() => { stop = true; }, SECONDS * 1000);
	await Promise.all(clients.map(async (c, i) => {
		while (!stop) {
			if (!(await step(c, i))) {
				early++;
				return;
			}
			n++;
		}
	}));
	clearTimeout(timer);
	const c1 = cpuSnap();
	return { rate: n / ((Date.now() - t0) / 1000), n, early, c0, c1 };
}

// A client whose next message on any topic resolves wait().
function waiter(c) {
	let pending = null;
	c.on("message", (topic, payload) => {
		const p = pending;
		pending = null;
		p?.({ topic, payload });
	});
	c.next = () => new Promise((r) => { pending = r; });
	return c;
}

async function brokerRate() {
	const clients = [];
	for (let i = 0; i < RT; i++) {
		const c = waiter(await connect({ username: "iotjobsd",
		    password: IOTJOBSD_PW, clientId: `bench-raw-${i}` }));
		await c.subscribeAsync(`$aws/bench/raw/${i}`, { qos: 1 });
		clients.push(c);
	}
	const r = await loop(clients, async (c, i) => {
		const got = c.next();
		c.publish(`$aws/bench/raw/${i}`, "{\"clientToken\":\"x\"}",
		    { qos: 1 });
		await got;
		return true;
	});
	await Promise.all(clients.map((c) => c.endAsync(true)));
	return r;
}

async function roundTrips() {
	const t0 = Date.now();
	for (let j = 0; j < RT_JOBS; j++)
		await iot.send(new CreateJobCommand({ jobId: `mq-rt-${j}`,
		    targets: [
		    "arn:aws:iot:us-east-1:123456789012:thinggroup/mq-rt"],
		    document: "{\"operation\":\"bench\"}" }));
	console.log(`round trips: ${RT_JOBS} jobs for ${RT} devices created` +
	    ` in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	const clients = [];
	for (let i = 0; i < RT; i++) {
		const c = waiter(await connect({ username: name(i),
		    password: PW, clientId: `${name(i)}-rt` }));
		await c.subscribeAsync([`$aws/things/${name(i)}/jobs/` +
		    "start-next/+", `$aws/things/${name(i)}/jobs/+/update/+`],
		    { qos: 1 });
		clients.push(c);
	}
	let rejected = 0;
	const r = await loop(clients, async (c, i) => {
		const base = `$aws/things/${name(i)}/jobs/`;
		let got = c.next();
		c.publish(base + "start-next", "{}", { qos: 1 });
		let m = await got;
		const ex = JSON.parse(m.payload.toString()).execution;
		if (!ex)
			return false;
		got = c.next();
		c.publish(`${base}${ex.jobId}/update`,
		    "{\"status\":\"SUCCEEDED\"}", { qos: 1 });
		m = await got;
		if (!m.topic.endsWith("/accepted"))
			rejected++;
		return true;
	});
	await Promise.all(clients.map((c) => c.endAsync(true)));
	if (rejected > 0)
		console.log(`round trips: ${rejected} updates rejected`);
	if (r.early > 0)
		console.log(`round trips: ${r.early} of ${RT} devices ran out ` +
		    `of queued jobs before ${SECONDS} s (raise BENCH_RT_JOBS)`);
	return r;
}

async function run() {
	await fanout();
	const raw = await brokerRate();
	console.log(`broker: ${raw.rate.toFixed(0)} publish->deliver/s ` +
	    `(${RT} clients, QoS 1, one message in flight each)`);
	console.log(cpuLine(raw.c0, raw.c1, raw.n, "message"));
	const rt = await roundTrips();
	console.log(`round trips: ${rt.rate.toFixed(0)}/s (${RT} devices, ` +
	    "start-next then update SUCCEEDED, QoS 1): " +
	    `${(100 * rt.rate / raw.rate).toFixed(1)}% of the broker's rate`);
	console.log(cpuLine(rt.c0, rt.c1, rt.n, "round trip"));
}

const what = process.argv[2];
if (what === "fleet")
	await fleet();
else if (what === "run")
	await run();
else {
	console.error("usage: mqtt_devices.mjs fleet|run");
	process.exit(2);
}
process.exit(0);
