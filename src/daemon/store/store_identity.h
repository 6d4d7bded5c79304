/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an authorization decision reads from the store (schema 0012): the
 * generation counter that tells caches to reload, a certificate's state,
 * and the things and policies attached to a principal. The control-plane
 * operations of certificates, policies and principals have their own
 * headers (store_cert.h, store_policy.h); every transaction that changes
 * what these functions return calls store_authz_bump() before it ends.
 */
#ifndef IOTJOBS_STORE_IDENTITY_H
#define IOTJOBS_STORE_IDENTITY_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define STORE_CERT_ID_LEN	64	/* hex SHA-256 of the DER */
#define STORE_STATUS_MAX	32

/* Adds one to the authorization generation inside write transaction TX. */
int store_authz_bump(struct store_tx *tx, struct err *err);

/* The authorization generation into *GEN. */
int store_authz_generation(struct store_tx *tx, int64_t *gen,
    struct err *err);

/* A certificate as authentication sees it. */
struct store_cert_auth {
	char status[STORE_STATUS_MAX];		/* ACTIVE, INACTIVE, ... */
	char ca_id[STORE_CERT_ID_LEN + 1];	/* "" without CA */
	char ca_status[STORE_STATUS_MAX];	/* "" without CA */
	char common_name[256];
	int64_t not_before, not_after;
};

/* Certificate ID into *OUT: 1 found, 0 unknown, -1 with ERR. */
int store_cert_auth_get(struct store_tx *tx, const char *id,
    struct store_cert_auth *out, struct err *err);

/* The names of the things PRINCIPAL (an ARN) is attached to, appended to
 * the array OUT. */
int store_principal_things(struct store_tx *tx, const char *principal,
    json_t *out, struct err *err);

/*
 * The default-version documents of the policies attached to TARGET (a
 * certificate or thing group ARN), appended as strings to the array OUT.
 */
int store_target_policy_docs(struct store_tx *tx, const char *target,
    json_t *out, struct err *err);

#endif
