// SPDX-License-Identifier: Apache-2.0
//
// /metrics with a real Mosquitto (harness/broker.mjs): the MQTT series
// move with known traffic: connected, messages received (a device's
// requests) and sent (their replies and notifications), the queue.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { CreateJobCommand, CreateThingCommand } from "@aws-sdk/client-iot";

import {
	iotClient, rawRequest, sleep, startDaemon, thingArn, uniqueName,
	withTimeout,
} from "../harness/harness.mjs";
import {
	connectDevice, daemonMqttArgs, inbox, startBroker,
} from "../harness/broker.mjs";

// The value of the sample NAME (exact line prefix) in TEXT, or undefined.
function sample(text, name) {
	const line = text.split("\n").find((l) => l.startsWith(name + " "));
	return line === undefined ? undefined : Number(line.split(" ")[1]);
}

describe("MQTT metrics", () => {
	let broker, d, iot;

	before(async () => {
		broker = await startBroker();
		d = await startDaemon({ args: daemonMqttArgs(broker) });
		iot = iotClient(d);
	});
	after(async () => {
		await d?.close();
		await broker?.close();
	});

	async function scrape() {
		const r = await rawRequest(d, "GET", "/metrics");
		assert.equal(r.status, 200);
		return r.body;
	}

	test("connected, received and sent follow a device's traffic",
	    async () => {
		let text;
		for (let i = 0; i < 100; i++) {
			text = await scrape();
			if (sample(text, "iotjobs_mqtt_connected") === 1)
				break;
			await sleep(50);
		}
		assert.equal(sample(text, "iotjobs_mqtt_connected"), 1);
		const in0 = sample(text, "iotjobs_mqtt_messages_received_total");
		const out0 = sample(text, "iotjobs_mqtt_messages_sent_total");
		const name = uniqueName("dev");
		await iot.send(new CreateThingCommand({ thingName: name }));
		await broker.addDevices([name]);
		const c = await connectDevice(broker, name);
		const box = inbox(c);
		try {
			await c.subscribeAsync(`$aws/things/${name}/jobs/#`,
			    { qos: 1 });
			for (let i = 0; i < 3; i++) {
				const from = box.length;
				await withTimeout(c.publishAsync(
				    `$aws/things/${name}/jobs/get`,
				    JSON.stringify({ clientToken: `t${i}` }),
				    { qos: 1 }), 5000);
				await box.wait((m) => m.topic ===
				    `$aws/things/${name}/jobs/get/accepted`, 5000,
				    from);
			}
			const from = box.length;
			await iot.send(new CreateJobCommand({
			    jobId: uniqueName("job"), targets: [thingArn(name)],
			    document: "{}" }));
			await box.wait((m) => m.topic ===
			    `$aws/things/${name}/jobs/notify-next`, 5000, from);
		} finally {
			await c.endAsync();
		}
		text = await scrape();
		assert.ok(sample(text, "iotjobs_mqtt_messages_received_total") -
		    in0 >= 3, text);
		assert.ok(sample(text, "iotjobs_mqtt_messages_sent_total") -
		    out0 >= 4, text);
		assert.equal(sample(text, "iotjobs_mqtt_queue_depth"), 0);
		assert.equal(sample(text, "iotjobs_mqtt_throttled_total"), 0);
	});
});
