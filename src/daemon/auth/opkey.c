/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator keys (opkey.h): the sealing key file, sealing and opening a
 * secret (OpenSSL EVP AES-256-GCM), the name and policy rules, and the
 * creation of a key. The verifier's side, the cache of opened keys, is
 * auth_opkey.c.
 */
#include "auth/opkey.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/atomic_file.h"
#include "auth/auth_int.h"
#include "policy.h"
#include "store/store.h"
#include "store/store_opkey.h"

_Static_assert(OPKEY_SECRET_MAX == AUTH_SECRET_MAX,
    "an opened secret must fit struct auth's buffers");
_Static_assert(OPKEY_SEALED_MAX <= STORE_OPKEY_SEALED_MAX,
    "a sealed secret must fit the store's buffer");
_Static_assert(OPKEY_NAME_MAX <= STORE_OPKEY_NAME_MAX &&
    OPKEY_NAME_MAX <= AUTH_NAME_MAX, "a name must fit every buffer");

#define OPKEY_CREATE_TRIES	4	/* fresh ids drawn on an id collision */

static int
keyfile_paths(const char *data_dir, char *dir, size_t dir_size, char *path,
    size_t path_size, struct err *err)
{
	if ((size_t)snprintf(dir, dir_size, "%s/tls", data_dir) >= dir_size ||
	    (size_t)snprintf(path, path_size, "%s/%s", data_dir,
	    OPKEY_KEYFILE) >= path_size)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "data directory path too long: %s", data_dir);
	return 0;
}

/* Reads the key from the open file FD (named PATH) into KEY. */
static int
keyfile_read(int fd, const char *path, unsigned char key[OPKEY_KEY_LEN],
    struct err *err)
{
	unsigned char buf[OPKEY_KEY_LEN + 1];
	struct stat sb;
	size_t n = 0;
	ssize_t r;
	int rc = -1;

	if (fstat(fd, &sb) == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot stat %s: %s",
		    path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return err_set(err, ERR_INTERNAL_FAILURE, "%s is not a regular "
		    "file", path);
	if ((sb.st_mode & 077) != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "refusing %s: mode "
		    "%04o lets group or others at the sealing key; chmod 600 "
		    "it", path, (unsigned)(sb.st_mode & 07777));
	while (n < sizeof(buf)) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_set(err, ERR_INTERNAL_FAILURE, "cannot read %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n != OPKEY_KEY_LEN) {
		err_set(err, ERR_INTERNAL_FAILURE, "%s must hold exactly %d "
		    "bytes", path, OPKEY_KEY_LEN);
		goto out;
	}
	memcpy(key, buf, OPKEY_KEY_LEN);
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/*
 * Writes a new random key file at PATH. Returns 1 when another process
 * made it first (the caller reads theirs), 0 when ours is in place.
 * link(2), unlike rename(2), never replaces: secrets another process has
 * sealed under its key stay openable.
 */
static int
keyfile_create(const char *path, struct err *err)
{
	unsigned char key[OPKEY_KEY_LEN];
	int rc;

	if (RAND_bytes(key, (int)sizeof(key)) != 1)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot draw random bytes for the sealing key");
	rc = atomic_file_put(path, (const char *)key, sizeof(key), 0600,
	    false, err);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
opkey_keyfile_load(const char *data_dir, bool create,
    unsigned char key[OPKEY_KEY_LEN], struct err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int fd, rc, tries;

	if (keyfile_paths(data_dir, dir, sizeof(dir), path, sizeof(path),
	    err) == -1)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd != -1) {
			rc = keyfile_read(fd, path, key, err);
			close(fd);
			return rc == 0 ? 1 : -1;
		}
		if (errno != ENOENT)
			return err_set(err, ERR_INTERNAL_FAILURE, "cannot open "
			    "%s: %s", path, strerror(errno));
		if (!create)
			return 0;
		if ((mkdir(data_dir, 0700) == -1 && errno != EEXIST) ||
		    (mkdir(dir, 0700) == -1 && errno != EEXIST))
			return err_set(err, ERR_INTERNAL_FAILURE, "cannot "
			    "create %s: %s", dir, strerror(errno));
		if (keyfile_create(path, err) == -1)
			return -1;
		/* Ours or a concurrent creator's: read what is in place. */
	}
	return err_set(err, ERR_INTERNAL_FAILURE, "cannot open %s", path);
}

int
opkey_seal(const unsigned char key[OPKEY_KEY_LEN], const char *akid,
    const char *secret, unsigned char *out, size_t out_size, size_t *out_len,
    struct err *err)
{
	size_t n = strlen(secret);
	unsigned char *nonce = out + 1, *ct = out + 1 + OPKEY_NONCE_LEN;
	EVP_CIPHER_CTX *c;
	int len, fin, rc = -1;

	if (n == 0 || n > OPKEY_SECRET_MAX || out_size < OPKEY_SEALED_MAX)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot seal a "
		    "secret of %zu characters", n);
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "out of memory");
	out[0] = OPKEY_FORMAT;
	if (RAND_bytes(nonce, OPKEY_NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, OPKEY_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)akid,
	    (int)strlen(akid)) != 1 ||
	    EVP_EncryptUpdate(c, ct, &len, (const unsigned char *)secret,
	    (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, OPKEY_TAG_LEN,
	    ct + len + fin) != 1) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot seal the secret of "
		    "%s", akid);
		OPENSSL_cleanse(out, out_size);
		goto out;
	}
	*out_len = 1 + OPKEY_NONCE_LEN + (size_t)(len + fin) + OPKEY_TAG_LEN;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
opkey_unseal(const unsigned char key[OPKEY_KEY_LEN], const char *akid,
    const unsigned char *in, size_t len, char *secret, size_t secret_size,
    struct err *err)
{
	const unsigned char *nonce = in + 1, *ct = in + 1 + OPKEY_NONCE_LEN;
	unsigned char tag[OPKEY_TAG_LEN];
	EVP_CIPHER_CTX *c;
	size_t n;
	int outl, fin, rc = -1;

	if (len <= 1 + OPKEY_NONCE_LEN + OPKEY_TAG_LEN || len >
	    OPKEY_SEALED_MAX || in[0] != OPKEY_FORMAT ||
	    secret_size < OPKEY_SECRET_MAX + 1)
		return err_set(err, ERR_INTERNAL_FAILURE, "the sealed secret "
		    "of %s is malformed", akid);
	n = len - 1 - OPKEY_NONCE_LEN - OPKEY_TAG_LEN;
	memcpy(tag, ct + n, OPKEY_TAG_LEN);
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "out of memory");
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, OPKEY_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &outl, (const unsigned char *)akid,
	    (int)strlen(akid)) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)secret, &outl, ct, (int)n) !=
	    1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, OPKEY_TAG_LEN,
	    tag) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)secret + outl, &fin) != 1 ||
	    (size_t)(outl + fin) != n || memchr(secret, '\0', n) != NULL) {
		err_set(err, ERR_INTERNAL_FAILURE, "the sealed secret of %s "
		    "does not open under %s (changed, or sealed under another "
		    "key file)", akid, OPKEY_KEYFILE);
		OPENSSL_cleanse(secret, secret_size);
		goto out;
	}
	secret[n] = '\0';
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

bool
opkey_name_is_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > OPKEY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!(ch < 0x80 && (isalnum(ch) || strchr("_+=,.@-", ch) !=
		    NULL)))
			return false;
	}
	return true;
}

int
opkey_policy_check(const char *doc, size_t len, struct err *err)
{
	struct policy *p = NULL;
	size_t i, chars = 0;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)doc[i]))
			chars++;
	if (chars > OPKEY_POLICY_MAX)
		return err_set(err, ERR_MALFORMED_POLICY, "the policy document "
		    "has %zu characters besides white space; at most %d are "
		    "allowed", chars, OPKEY_POLICY_MAX);
	if (policy_parse(doc, len, &p, err) == -1)
		return -1;
	policy_free(p);
	return 0;
}

/* Draws a new key pair into OUT, seals it under KEY into ROW. */
static int
opkey_draw(const unsigned char key[OPKEY_KEY_LEN], struct opkey_new *out,
    struct store_opkey *row, struct err *err)
{
	if (auth_creds_random(out->access_key_id, sizeof(out->access_key_id),
	    out->secret, sizeof(out->secret), err) == -1)
		return -1;
	snprintf(row->access_key_id, sizeof(row->access_key_id), "%s",
	    out->access_key_id);
	return opkey_seal(key, out->access_key_id, out->secret, row->sealed,
	    sizeof(row->sealed), &row->sealed_len, err);
}

/* Inserts NAME's new key in TX: 1 done, 0 name taken, -1 ERR. */
static int
opkey_insert(struct store_tx *tx, const unsigned char key[OPKEY_KEY_LEN],
    struct store_opkey *row, struct opkey_new *out, struct err *err)
{
	int tries, rc;

	rc = store_opkey_get_by_name(tx, row->name, NULL, err);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	/* The name is free in this transaction: a 0 is an id collision. */
	for (tries = 0; tries < OPKEY_CREATE_TRIES; tries++) {
		if (opkey_draw(key, out, row, err) == -1)
			return -1;
		rc = store_opkey_insert(tx, row, err);
		if (rc != 0)
			return rc;
	}
	return err_set(err, ERR_INTERNAL_FAILURE, "could not draw a free "
	    "access key id");
}

int
opkey_create(struct store *st, const char *data_dir, const char *name,
    const char *policy, int64_t now, struct opkey_new *out, struct err *err)
{
	unsigned char key[OPKEY_KEY_LEN];
	struct store_opkey row;
	struct store_tx *tx = NULL;
	int rc = -1, ins;

	memset(out, 0, sizeof(*out));
	memset(&row, 0, sizeof(row));
	if (!opkey_name_is_valid(name))
		return err_set(err, ERR_INVALID_REQUEST, "name \"%.64s\" must "
		    "be 1-%d characters of letters, digits and _+=,.@-", name,
		    OPKEY_NAME_MAX);
	if (opkey_policy_check(policy, strlen(policy), err) == -1)
		return -1;
	if (opkey_keyfile_load(data_dir, true, key, err) == -1)
		return -1;
	snprintf(row.name, sizeof(row.name), "%s", name);
	row.policy = (char *)policy;
	row.created_at = now;
	if (store_begin(st, true, &tx, err) == -1)
		goto out;
	ins = opkey_insert(tx, key, &row, out, err);
	if (ins == 0)
		err_set(err, ERR_ALREADY_EXISTS, "an operator key named \"%s\" "
		    "exists already (names of revoked keys stay taken)", name);
	if (ins != 1)
		goto out;
	rc = 0;
out:
	if (tx != NULL && store_end(tx, rc == 0, err) == -1)
		rc = -1;
	if (rc == 0)
		out->created_at = now;
	else
		OPENSSL_cleanse(out, sizeof(*out));
	row.policy = NULL;
	store_opkey_release(&row);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}
