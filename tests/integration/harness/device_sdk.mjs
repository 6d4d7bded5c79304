// SPDX-License-Identifier: Apache-2.0
//
// What the tests on the AWS IoT Device SDK v2 for JavaScript
// (aws-iot-device-sdk-v2) share: releasing its native clients at the end
// of a run, and a queue of the calls of its message handlers.

import v8 from "node:v8";
import vm from "node:vm";

import crt from "aws-crt/dist/native/binding.js";

// The SDK's native client is released by the garbage collector after
// close(); until then it keeps the process (and so the test run) alive
// for many seconds. Collecting once at the end lets the process exit.
// The release finishes on the CRT's own threads; one that calls back into
// Node while the process is exiting aborts it, so the CRT's callbacks are
// switched off at exit (as aws-crt itself does under Electron).
export function collectNativeClients() {
	v8.setFlagsFromString("--expose-gc");
	vm.runInNewContext("gc")();
}
process.on("exit", () => crt.default.disable_threadsafe_function());

// Calls of an SDK message handler, in order; wait() resolves with the
// first (error, response) after index FROM matching PRED.
export function handlerQueue() {
	const calls = [];
	const waiters = new Set();
	const handler = (error, response) => {
		calls.push({ error, response });
		for (const w of [...waiters])
			w();
	};
	const wait = (pred = () => true, from = 0, ms = 5000) =>
	    new Promise((resolve, reject) => {
		const check = () => {
			for (let i = from; i < calls.length; i++)
				if (pred(calls[i])) {
					waiters.delete(check);
					clearTimeout(timer);
					resolve(calls[i]);
					return true;
				}
			return false;
		};
		const timer = setTimeout(() => {
			waiters.delete(check);
			reject(new Error(`no matching message in ${ms} ms: ` +
			    JSON.stringify(calls)));
		}, ms);
		if (!check())
			waiters.add(check);
	});
	return { calls, handler, wait };
}
