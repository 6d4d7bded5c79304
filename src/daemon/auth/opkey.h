/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator keys: named SigV4 key pairs beside the admin's, each with an
 * IAM-style policy document, made by `iotjobsd credentials create`. SigV4
 * needs the secret itself to verify a signature, so the store keeps it
 * sealed (AES-256-GCM, a random 96-bit nonce per secret, the access key id
 * as additional authenticated data: a sealed secret moved to another row
 * does not open) under the 32-byte key of DATA_DIR/tls/keys.key.
 */
#ifndef IOTJOBS_OPKEY_H
#define IOTJOBS_OPKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "err.h"

struct store;

#define OPKEY_KEY_LEN		32	/* AES-256 */
#define OPKEY_NONCE_LEN		12	/* GCM's 96-bit IV */
#define OPKEY_TAG_LEN		16
#define OPKEY_FORMAT		1	/* first byte of a sealed secret */
#define OPKEY_SECRET_MAX	128	/* = AUTH_SECRET_MAX (auth_int.h) */
#define OPKEY_SEALED_MAX	(1 + OPKEY_NONCE_LEN + OPKEY_SECRET_MAX + \
				OPKEY_TAG_LEN)
/* IAM: a managed policy document is at most 6144 characters, white space
 * not counted. */
#define OPKEY_POLICY_MAX	6144
#define OPKEY_NAME_MAX		64	/* IAM UserName: [\w+=,.@-]{1,64} */

#define OPKEY_KEYFILE		"tls/keys.key"

/*
 * Loads the sealing key DATA_DIR/tls/keys.key into KEY. When it is missing
 * and CREATE is set, makes DATA_DIR/tls (mode 0700) and a new random key
 * file (mode 0600, written to a temporary file and linked into place, so
 * two concurrent first uses agree on one key). Returns 1 when KEY is
 * loaded, 0 when the file is missing and CREATE is false, -1 with ERR set
 * (InternalFailure): unreadable, not 32 bytes, or open to group or others
 * (refused: a key anyone may read protects nothing). The caller wipes KEY.
 */
int opkey_keyfile_load(const char *data_dir, bool create,
    unsigned char key[OPKEY_KEY_LEN], struct err *err);

/*
 * Seals SECRET of access key id AKID under KEY into OUT (OUT_SIZE at least
 * OPKEY_SEALED_MAX): format byte, nonce, ciphertext, tag. *OUT_LEN is the
 * sealed length. Returns 0 or -1 with ERR set.
 */
int opkey_seal(const unsigned char key[OPKEY_KEY_LEN], const char *akid,
    const char *secret, unsigned char *out, size_t out_size, size_t *out_len,
    struct err *err);

/*
 * Opens the LEN bytes IN sealed for AKID under KEY into SECRET (a string;
 * SECRET_SIZE at least OPKEY_SECRET_MAX + 1). Fails, with SECRET wiped,
 * when anything was changed, the key differs or AKID is not the one it
 * was sealed for. Returns 0 or -1 with ERR set (InternalFailure).
 */
int opkey_unseal(const unsigned char key[OPKEY_KEY_LEN], const char *akid,
    const unsigned char *in, size_t len, char *secret, size_t secret_size,
    struct err *err);

/* True when NAME is a valid operator key name (IAM's UserName rule). */
bool opkey_name_is_valid(const char *name);

/*
 * Checks policy document DOC (LEN bytes): at most OPKEY_POLICY_MAX
 * characters that are not white space, and a document policy_parse()
 * accepts. Returns 0, or -1 with ERR set (MalformedPolicyException).
 */
int opkey_policy_check(const char *doc, size_t len, struct err *err);

/* A key just made: the only time its secret is seen in the clear. */
struct opkey_new {
	char access_key_id[AUTH_KEY_MAX + 1];
	char secret[OPKEY_SECRET_MAX + 1];	/* the caller wipes it */
	int64_t created_at;
};

/*
 * Makes operator key NAME with policy document POLICY (a string) at NOW
 * (epoch seconds): a new AKIA... id and 40-character secret, the secret
 * sealed under the key file (created on first use) and the row stored in
 * one transaction that bumps the authorization generation. Returns 0 with
 * OUT filled, or -1 with ERR set: InvalidRequestException (bad name),
 * MalformedPolicyException, ResourceAlreadyExistsException (the name is
 * taken, by an active or a revoked key), InternalFailure.
 */
int opkey_create(struct store *st, const char *data_dir, const char *name,
    const char *policy, int64_t now, struct opkey_new *out, struct err *err);

#endif
