/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store operations of the operators' named SigV4 keys (table operator_keys
 * of schema 0012): insert, look-up by access key id or name, list, revoke.
 * The secret is kept sealed (auth/opkey.h seals it); this layer never sees
 * it in the clear. Every change calls store_authz_bump() in its own
 * transaction, so the verifier's cache (auth/auth_opkey.c) reloads.
 * Look-ups return 1 (found), 0 (missing) or -1 (ERR set).
 */
#ifndef IOTJOBS_STORE_OPKEY_H
#define IOTJOBS_STORE_OPKEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define STORE_OPKEY_ID_MAX	128	/* SigV4 AccessKeyId: 16..128 */
#define STORE_OPKEY_NAME_MAX	64	/* IAM UserName: 1..64 */
#define STORE_OPKEY_SEALED_MAX	256	/* auth/opkey.h OPKEY_SEALED_MAX fits */
#define STORE_OPKEY_STATUS_MAX	16

#define STORE_OPKEY_ACTIVE	"ACTIVE"
#define STORE_OPKEY_REVOKED	"REVOKED"

/* One row. POLICY is owned (store_opkey_release frees it). */
struct store_opkey {
	char access_key_id[STORE_OPKEY_ID_MAX + 1];
	char name[STORE_OPKEY_NAME_MAX + 1];
	unsigned char sealed[STORE_OPKEY_SEALED_MAX];
	size_t sealed_len;
	char *policy;		/* the document as the operator gave it */
	char status[STORE_OPKEY_STATUS_MAX];	/* ACTIVE | REVOKED */
	int64_t created_at;	/* epoch seconds, real clock */
	int64_t revoked_at;	/* 0 while ACTIVE */
};

/* Frees what K owns and wipes the sealed secret; safe on a zeroed struct. */
void store_opkey_release(struct store_opkey *k);

/*
 * Inserts K (status ACTIVE) in write transaction TX and bumps the
 * authorization generation. Returns 1 inserted, 0 when K's name or access
 * key id is taken (nothing written), -1 with ERR set.
 */
int store_opkey_insert(struct store_tx *tx, const struct store_opkey *k,
    struct err *err);

/* The key of access key id ID into *OUT (OUT may be NULL). */
int store_opkey_get(struct store_tx *tx, const char *id,
    struct store_opkey *out, struct err *err);

/* The key named NAME into *OUT (OUT may be NULL). */
int store_opkey_get_by_name(struct store_tx *tx, const char *name,
    struct store_opkey *out, struct err *err);

/*
 * Every key, oldest first, each passed to FN(ARG, K) (K borrowed for the
 * call; no secret in the clear anywhere). A non-zero return of FN stops
 * the walk. Returns 0 or -1 with ERR set.
 */
int store_opkey_list(struct store_tx *tx,
    int (*fn)(void *arg, const struct store_opkey *k), void *arg,
    struct err *err);

enum store_opkey_revoke {
	STORE_OPKEY_UNKNOWN,		/* no key by that name or id */
	STORE_OPKEY_NOW_REVOKED,	/* ACTIVE until this call */
	STORE_OPKEY_WAS_REVOKED		/* nothing changed */
};

/*
 * Revokes the key named WHICH, else the key whose access key id is WHICH
 * (a name wins), at NOW in write transaction TX, bumping the generation
 * when its status changed. The key's row after the call goes into *OUT
 * (may be NULL) unless it is unknown. Returns 0 with *RESULT set, or -1
 * with ERR set.
 */
int store_opkey_revoke(struct store_tx *tx, const char *which, int64_t now,
    enum store_opkey_revoke *result, struct store_opkey *out,
    struct err *err);

#endif
