// SPDX-License-Identifier: Apache-2.0
//
// Device identities for the broker plugin's tests, through the AWS API
// (JS SDK v3): CreateKeysAndCertificate, RegisterCACertificate,
// RegisterCertificate, UpdateCertificate, UpdateCACertificate,
// CreatePolicy, AttachPolicy, AttachThingPrincipal, DetachThingPrincipal.
// STACK is what startPluginStack returns; key and certificate files go to
// the broker's folder.

import fs from "node:fs";
import path from "node:path";

import {
	AttachPolicyCommand,
	AttachThingPrincipalCommand,
	CreateKeysAndCertificateCommand,
	CreatePolicyCommand,
	DetachThingPrincipalCommand,
	RegisterCACertificateCommand,
	RegisterCertificateCommand,
	UpdateCACertificateCommand,
	UpdateCertificateCommand,
} from "@aws-sdk/client-iot";

import { iotClient } from "./harness.mjs";
import { newCa, signedCert } from "./broker.mjs";

function iot(stack) {
	stack.iot ??= iotClient(stack.d);
	return stack.iot;
}

let files = 0;

// A new ACTIVE certificate of iotjobsd's CA and its key
// (CreateKeysAndCertificate setAsActive). Returns { certificateId,
// certificateArn, cert, key } (cert and key: files).
export async function createCertificate(stack) {
	const out = await iot(stack).send(
	    new CreateKeysAndCertificateCommand({ setAsActive: true }));
	const base = path.join(stack.broker.dir, `api-${++files}`);
	fs.writeFileSync(`${base}.crt`, out.certificatePem);
	fs.writeFileSync(`${base}.key`, out.keyPair.PrivateKey,
	    { mode: 0o600 });
	return { certificateId: out.certificateId,
	    certificateArn: out.certificateArn, cert: `${base}.crt`,
	    key: `${base}.key` };
}

// UpdateCertificate: the certificate's status (ACTIVE, INACTIVE, ...).
export async function updateCertificate(stack, id, status) {
	await iot(stack).send(new UpdateCertificateCommand(
	    { certificateId: id, newStatus: status }));
}

// A new CA of the test's own, registered ACTIVE (RegisterCACertificate,
// SNI_ONLY: no verification certificate). Returns { certificateId, cert,
// key, pem }.
export async function registerCa(stack, cn) {
	const ca = newCa(stack.broker.dir, `ca-${++files}`, cn);
	ca.pem = fs.readFileSync(ca.cert, "utf8");
	const out = await iot(stack).send(new RegisterCACertificateCommand(
	    { caCertificate: ca.pem, setAsActive: true,
	    certificateMode: "SNI_ONLY" }));
	return { ...ca, certificateId: out.certificateId };
}

// UpdateCACertificate: the CA's status.
export async function updateCa(stack, id, status) {
	await iot(stack).send(new UpdateCACertificateCommand(
	    { certificateId: id, newStatus: status }));
}

// A certificate for CN signed by CA (registerCa), registered ACTIVE with
// it (RegisterCertificate). Returns what createCertificate returns.
export async function registerCertificate(stack, ca, cn) {
	const c = signedCert(stack.broker.dir, `reg-${++files}`, cn, ca);
	const out = await iot(stack).send(new RegisterCertificateCommand(
	    { certificatePem: c.pem, caCertificatePem: ca.pem,
	    status: "ACTIVE" }));
	return { certificateId: out.certificateId,
	    certificateArn: out.certificateArn, cert: c.cert, key: c.key };
}

// CreatePolicy with DOC (an object).
export async function createPolicy(stack, name, doc) {
	await iot(stack).send(new CreatePolicyCommand({ policyName: name,
	    policyDocument: JSON.stringify(doc) }));
}

// AttachPolicy: policy NAME to TARGET (a certificate or thing group ARN).
export async function attachPolicy(stack, name, target) {
	await iot(stack).send(new AttachPolicyCommand({ policyName: name,
	    target }));
}

// AttachThingPrincipal: certificate ARN PRINCIPAL to thing THING.
export async function attachThingPrincipal(stack, thing, principal) {
	await iot(stack).send(new AttachThingPrincipalCommand(
	    { thingName: thing, principal }));
}

// DetachThingPrincipal.
export async function detachThingPrincipal(stack, thing, principal) {
	await iot(stack).send(new DetachThingPrincipalCommand(
	    { thingName: thing, principal }));
}
