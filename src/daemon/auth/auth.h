/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may call iotjobsd: the credential set (an admin key pair from the
 * environment or from DATA_DIR/credentials.json, and the operators' named
 * keys of the store, each with a policy) and the SigV4 verification of
 * each HTTP request against it. Transport-neutral: the HTTP front end
 * fills a struct auth_request, this module answers with the principal that
 * signed and the credential scope's service, which picks the API plane.
 */
#ifndef IOTJOBS_AUTH_H
#define IOTJOBS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define AUTH_KEY_MAX	128
#define AUTH_NAME_MAX	128

struct policy;
struct store;

enum principal_kind {
	PRINCIPAL_ADMIN,	/* may call every operation */
	PRINCIPAL_THING,	/* an MQTT request the broker authorized */
	PRINCIPAL_CERT,		/* an X.509 client certificate: its policies */
	PRINCIPAL_OPERATOR	/* a named operator key: its policy decides */
};

struct principal {
	enum principal_kind kind;
	char access_key_id[AUTH_KEY_MAX + 1];
	char thing_name[AUTH_NAME_MAX + 1];	/* PRINCIPAL_THING only */
	char cert_id[65];	/* PRINCIPAL_CERT: hex SHA-256 of the DER */
	char name[AUTH_NAME_MAX + 1];	/* PRINCIPAL_OPERATOR: key's name */
	/*
	 * PRINCIPAL_OPERATOR: the key's parsed policy, borrowed from the
	 * struct auth that checked the request and valid until its
	 * auth_close() (a key revoked or changed meanwhile keeps it alive).
	 * NULL for the other kinds.
	 */
	const struct policy *policy;
};

/* A name/value pair: a header, or a raw query parameter. */
struct auth_pair {
	const char *name;
	const char *value;	/* NULL for a query key without "=" */
};

struct auth_request {
	const char *method;
	const char *raw_path;	/* as received: percent-encoded, no query */
	const struct auth_pair *query;	/* raw (still encoded), in order */
	size_t nquery;
	const struct auth_pair *headers;	/* as received, any case */
	size_t nheaders;
	const unsigned char *body;
	size_t body_len;
};

struct auth_result {
	struct principal who;
	char service[64];	/* "iot-jobs-data", "iot", "execute-api" */
	char region[64];
};

struct auth;

/*
 * Loads the credential set: IOTJOBS_ACCESS_KEY_ID / IOTJOBS_SECRET_ACCESS_KEY
 * (and optional IOTJOBS_SESSION_TOKEN) when set, else DATA_DIR/
 * credentials.json, which is created with a new random key pair (mode 0600)
 * when missing; *GENERATED tells the caller to print the export lines once.
 * With a store ST (borrowed: open while auth_check may run; auth_close
 * does not touch it), operator keys of ST are accepted too, their secrets
 * opened with DATA_DIR/tls/keys.key; with ST NULL only the admin key is.
 */
int auth_open(const char *data_dir, struct store *st, struct auth **out,
    bool *generated, struct err *err);
void auth_close(struct auth *a);

/* The admin key pair, borrowed for the life of A (for the first-start hint). */
void auth_admin_key(const struct auth *a, const char **access_key_id,
    const char **secret_access_key);

/*
 * Verifies the SigV4 signature of R at NOW_REAL (epoch seconds of the system
 * clock; 5 minutes of skew allowed), by the admin key or an ACTIVE operator
 * key (PRINCIPAL_OPERATOR with its name and policy; a key revoked is
 * refused within about a second, a new one is known at once). On success
 * fills RES and returns 0; on failure returns -1 with ERR set to a 403
 * error: MissingAuthenticationTokenException, UnrecognizedClientException
 * (an unknown or revoked key) or InvalidSignatureException (an expired or
 * future-dated signature says so); ServiceUnavailableException when the
 * store cannot be read. Thread-safe.
 */
int auth_check(const struct auth *a, const struct auth_request *r,
    int64_t now_real, struct auth_result *res, struct err *err);

/*
 * What auth_check() can tell from R's head alone, before its body is
 * read (R's body members are ignored): the Authorization header or the
 * presigned query parses, names the admin key or an ACTIVE operator key
 * with the session token it needs, its scope is valid and its date within
 * the skew (or the presigned expiry). The signature is not checked: that
 * needs the body. 0 with the scope's service in SERVICE (of SIZE bytes),
 * or -1 with ERR set as auth_check() sets it. Thread-safe.
 */
int auth_precheck(const struct auth *a, const struct auth_request *r,
    int64_t now_real, char *service, size_t size, struct err *err);

#endif
