/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's certificate authority: the CA that signs the device
 * certificates of CreateKeysAndCertificate and CreateCertificateFromCsr,
 * and the server certificate of iotjobsd's HTTPS and the broker. Its key
 * and certificate are DATA_DIR/tls/ca.key and ca.crt (created on first
 * start) or the operator's (--ca-cert, --ca-key). All X.509 work goes
 * through OpenSSL 3. Thread-safe once open: signing only reads the CA.
 */
#ifndef IOTJOBS_CA_H
#define IOTJOBS_CA_H

#include <stddef.h>
#include <stdint.h>

#include "auth/xcert.h"
#include "err.h"

struct ca;
struct store;

/* Device certificates: valid from 5 minutes ago for this long (5 years),
 * but never past the CA's own notAfter. */
#define CA_DEVICE_DAYS		1826
/* The CA created on first start: 10 years. */
#define CA_SELF_DAYS		3652
/* Server certificates: 1 year, reissued within 30 days of the end. */
#define CA_SERVER_DAYS		365
#define CA_SERVER_RENEW_DAYS	30
#define CA_SERVER_HOSTS_MAX	32

/*
 * Opens the CA. With CERT_PATH and KEY_PATH both NULL: DATA_DIR/tls/ca.crt
 * and ca.key, created when neither exists (folder 0700, key 0600, cert
 * 0640: the broker reads it by group; an EC P-256 key, a self-signed CA
 * certificate of CA_SELF_DAYS, subject CN "iotjobs CA <16 hex digits>").
 * Otherwise both must be given:
 * the operator's CA, which must be a CA certificate (basicConstraints
 * CA:TRUE), not expired, with the matching unencrypted private key.
 * *OUT is freed with ca_close(). InternalFailureException on failure.
 */
int ca_open(const char *data_dir, const char *cert_path,
    const char *key_path, struct ca **out, struct err *err);

/* Frees CA (NULL is a no-op); the key is wiped by OpenSSL's free. */
void ca_close(struct ca *ca);

/*
 * Registers the CA certificate in ST as an ACTIVE CA certificate
 * (ca_certificates, created at NOW) unless a row of its id exists in any
 * status, so that certificates it signs carry a caCertificateId.
 */
int ca_register(struct ca *ca, struct store *st, int64_t now,
    struct err *err);

/* The CA certificate (id, PEM, subject, validity), borrowed. */
const struct xcert *ca_cert(const struct ca *ca);

/* The file the CA certificate was read from, borrowed. */
const char *ca_cert_path(const struct ca *ca);

/*
 * A device certificate for the PKCS #10 request CSR_PEM: its
 * self-signature must verify and its key be RSA of at least 2048 bits or
 * EC on P-256, P-384 or P-521 (AWS's rule); only its subject and public
 * key are copied. Random 16-byte serial, CA_DEVICE_DAYS, keyUsage
 * digitalSignature + keyEncipherment, extendedKeyUsage clientAuth,
 * SKI/AKI. *OUT released by the caller. InvalidRequestException for a
 * CSR it cannot use, naming certificateSigningRequest.
 */
int ca_sign_csr(struct ca *ca, const char *csr_pem, struct xcert *out,
    struct err *err);

/* What ca_new_keys_and_cert() returns; ca_keys_release() wipes it. */
struct ca_keys {
	struct xcert cert;
	char *public_pem;	/* SubjectPublicKeyInfo PEM, owned */
	char *private_pem;	/* PKCS #1 "RSA PRIVATE KEY" PEM, owned */
	size_t private_len;
};

/*
 * A new RSA 2048 key pair (as AWS's CreateKeysAndCertificate makes) and a
 * device certificate for it, subject CN "AWS IoT Certificate", as
 * ca_sign_csr() issues them. The private key exists only in memory: in
 * OUT->private_pem, which ca_keys_release() wipes before freeing.
 */
int ca_new_keys_and_cert(struct ca *ca, struct ca_keys *out,
    struct err *err);

/* Wipes and frees what K owns; safe on a zeroed struct. */
void ca_keys_release(struct ca_keys *k);

/*
 * Makes sure CERT_OUT_PATH holds a server certificate of this CA for the
 * NHOSTS names HOSTS (each a DNS name or an IPv4/IPv6 address: the
 * subjectAltName DNS and IP entries; the first is also the CN), with
 * extendedKeyUsage serverAuth, and KEY_OUT_PATH its EC P-256 key (0600).
 * Reissues (new key, CA_SERVER_DAYS) when either file is missing or
 * unreadable, the key does not match, the certificate was not signed by
 * this CA, ends within CA_SERVER_RENEW_DAYS, or its SAN set is not HOSTS'
 * (order and case of DNS names aside). Returns 1 when it wrote new files,
 * 0 when the present ones were kept, -1 with ERR.
 */
int ca_server_cert(struct ca *ca, const char *const *hosts, size_t nhosts,
    const char *cert_out_path, const char *key_out_path, struct err *err);

#endif
