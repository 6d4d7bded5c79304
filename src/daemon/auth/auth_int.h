/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credential set shared by auth.c (verification), auth_creds.c
 * (loading and first-start generation) and auth_opkey.c (the cache of
 * operator keys). Private to src/daemon/auth.
 */
#ifndef IOTJOBS_AUTH_INT_H
#define IOTJOBS_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"

#define AUTH_SECRET_MAX	128
#define AUTH_TOKEN_MAX	4096	/* STS tokens run to ~2 KB */

struct auth_opkeys;

/* One admin key pair; the secret and token are wiped by auth_close. */
struct auth {
	char access_key_id[AUTH_KEY_MAX + 1];
	char secret[AUTH_SECRET_MAX + 1];
	char *session_token;	/* NULL: requests must carry none */
	uint64_t serial;	/* names the admin secret (auth_key) */
	struct auth_opkeys *opkeys;	/* NULL: no store, admin only */
};

/*
 * The key a request claims, as verification needs it: its secret (for
 * an operator key a copy, wiped by auth_key_release), the session token
 * it must come with, and who it makes the caller. SERIAL names the secret
 * for the whole process, never reused: the per-thread signing-key cache
 * of auth.c is keyed by it.
 */
struct auth_key {
	enum principal_kind kind;
	const char *secret;
	const char *session_token;	/* NULL: none allowed */
	uint64_t serial;
	char name[AUTH_NAME_MAX + 1];	/* PRINCIPAL_OPERATOR */
	const struct policy *policy;	/* PRINCIPAL_OPERATOR */
	char buf[AUTH_SECRET_MAX + 1];	/* the copied secret */
};

/* Wipes K's copy of a secret. */
void auth_key_release(struct auth_key *k);

/* A serial no other secret of this process has had. */
uint64_t auth_serial_next(void);

/*
 * A fresh key pair shaped like AWS's: AKIA + 16 base32 characters, and a
 * 40-character secret. The caller wipes SECRET. Returns 0 or -1 with ERR.
 */
int auth_creds_random(char *akid, size_t akid_size, char *secret,
    size_t secret_size, struct err *err);

/*
 * The cache of operator keys behind ST, whose sealing key is under
 * DATA_DIR (read on the first key that needs it). Returns 0 or -1.
 */
int auth_opkeys_new(const char *data_dir, struct store *st,
    struct auth_opkeys **out, struct err *err);

/* Frees O, every policy it handed out and wipes every secret it held. */
void auth_opkeys_free(struct auth_opkeys *o);

/*
 * Operator key AKID into *K when it is ACTIVE: 1 found, 0 unknown or
 * revoked (or one that cannot be opened: logged), -1 with ERR set (the
 * store failed). Reloads what changed when the store's authorization
 * generation has moved (read at most once a second); a key not in the
 * cache is read from the store at once. Thread-safe.
 */
int auth_opkeys_find(struct auth_opkeys *o, const char *akid,
    struct auth_key *k, struct err *err);

#endif
