/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the admin key pair comes from: IOTJOBS_ACCESS_KEY_ID /
 * IOTJOBS_SECRET_ACCESS_KEY (+ IOTJOBS_SESSION_TOKEN), else
 * DATA_DIR/credentials.json, created on first start with a fresh random
 * pair shaped like AWS's (AKIA + 16 base32 characters; 40-character
 * secret), mode 0600, written to a temporary file and linked into place.
 * Operator keys come from the store (auth_opkey.c).
 */
#include "auth/auth_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/atomic_file.h"
#include "log.h"

#define CREDS_FILE	"credentials.json"
#define AKID_RANDOM	16	/* after "AKIA" */
#define SECRET_LEN	40
#define SECRET_RANDOM	(SECRET_LEN / 4 * 3)	/* bytes, base64 to 40 */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/*
 * Printable ASCII without space; an access key id may not hold the
 * characters that delimit the Credential ("/", ",", "=").
 */
static bool
is_key_text(const char *s, size_t max, bool is_akid)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
		if (is_akid && strchr("/,=;", s[i]) != NULL)
			return false;
	}
	return true;
}

static int
auth_set(struct auth *a, const char *akid, const char *secret,
    const char *token, const char *from, struct err *err)
{
	if (!is_key_text(akid, AUTH_KEY_MAX, true))
		return err_set(err, ERR_INTERNAL_FAILURE, "access key id from "
		    "%s must be 1-%d printable characters without '/', ',', "
		    "'=', ';'", from, AUTH_KEY_MAX);
	if (!is_key_text(secret, AUTH_SECRET_MAX, false))
		return err_set(err, ERR_INTERNAL_FAILURE, "secret access key "
		    "from %s must be 1-%d printable characters", from,
		    AUTH_SECRET_MAX);
	if (token != NULL && !is_key_text(token, AUTH_TOKEN_MAX, false))
		return err_set(err, ERR_INTERNAL_FAILURE, "session token from "
		    "%s must be 1-%d printable characters", from,
		    AUTH_TOKEN_MAX);
	snprintf(a->access_key_id, sizeof(a->access_key_id), "%s", akid);
	snprintf(a->secret, sizeof(a->secret), "%s", secret);
	if (token != NULL) {
		a->session_token = strdup(token);
		if (a->session_token == NULL)
			return err_set(err, ERR_INTERNAL_FAILURE,
			    "out of memory");
	}
	return 0;
}

/* Strict read of credentials.json: an object of known string members. */
static int
creds_load(struct auth *a, const char *path, struct err *err)
{
	const char *akid = NULL, *secret = NULL, *token = NULL, *key;
	json_error_t jerr;
	json_t *root, *v;
	struct stat st;
	int rc = -1;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "%s: line %d: %s",
		    path, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		err_set(err, ERR_INTERNAL_FAILURE, "%s: not a JSON object",
		    path);
		goto out;
	}
	json_object_foreach(root, key, v) {
		const char **slot = strcmp(key, "accessKeyId") == 0 ? &akid :
		    strcmp(key, "secretAccessKey") == 0 ? &secret :
		    strcmp(key, "sessionToken") == 0 ? &token : NULL;

		if (slot == NULL || !json_is_string(v)) {
			err_set(err, ERR_INTERNAL_FAILURE, "%s: unexpected "
			    "member \"%s\" (want string accessKeyId, "
			    "secretAccessKey, sessionToken)", path, key);
			goto out;
		}
		*slot = json_string_value(v);
	}
	if (akid == NULL || secret == NULL) {
		err_set(err, ERR_INTERNAL_FAILURE, "%s: accessKeyId and "
		    "secretAccessKey are required", path);
		goto out;
	}
	rc = auth_set(a, akid, secret, token, path, err);
	if (rc == 0 && stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("auth: credentials file=%s is readable by others "
		    "(mode %03o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
out:
	json_decref(root);
	return rc;
}

int
auth_creds_random(char *akid, size_t akid_size, char *secret,
    size_t secret_size, struct err *err)
{
	unsigned char rnd[AKID_RANDOM + SECRET_RANDOM];
	size_t i;

	if (akid_size < 4 + AKID_RANDOM + 1 || secret_size < SECRET_LEN + 1)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "key buffer too small");
	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot draw random bytes for a new key pair");
	/* 256 is a multiple of 32: masking keeps the draw uniform. */
	memcpy(akid, "AKIA", 4);
	for (i = 0; i < AKID_RANDOM; i++)
		akid[4 + i] = b32[rnd[i] & 31];
	akid[4 + AKID_RANDOM] = '\0';
	/* Whole groups of three bytes: 40 characters, no padding. */
	EVP_EncodeBlock((unsigned char *)secret, rnd + AKID_RANDOM,
	    SECRET_RANDOM);
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

/*
 * Writes a new credentials file at PATH. Returns 1 when another process
 * created it first (the caller reads theirs), 0 when ours is in place.
 * link(2) never replaces: a concurrent first start keeps its pair.
 */
static int
creds_create(const char *path, const char *akid, const char *secret,
    struct err *err)
{
	char text[256];
	int n, rc;

	n = snprintf(text, sizeof(text), "{\n  \"accessKeyId\": \"%s\",\n"
	    "  \"secretAccessKey\": \"%s\"\n}\n", akid, secret);
	if (n < 0 || (size_t)n >= sizeof(text))
		rc = err_set(err, ERR_INTERNAL_FAILURE, "path too long: %s",
		    path);
	else
		rc = atomic_file_put(path, text, (size_t)n, 0600, false, err);
	explicit_bzero(text, sizeof(text));
	return rc;
}

static int
creds_from_file(struct auth *a, const char *data_dir, bool *generated,
    struct err *err)
{
	char path[4096], akid[AUTH_KEY_MAX + 1], secret[AUTH_SECRET_MAX + 1];
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", data_dir, CREDS_FILE) >=
	    (int)sizeof(path))
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "data directory path too long: %s", data_dir);
	if (access(path, F_OK) == 0)
		return creds_load(a, path, err);
	if (errno != ENOENT)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot access %s: "
		    "%s", path, strerror(errno));
	if (mkdir(data_dir, 0700) == -1 && errno != EEXIST)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot create data "
		    "directory %s: %s", data_dir, strerror(errno));
	if (auth_creds_random(akid, sizeof(akid), secret, sizeof(secret),
	    err) == -1)
		return -1;
	rc = creds_create(path, akid, secret, err);
	if (rc == 0) {
		rc = auth_set(a, akid, secret, NULL, path, err);
		*generated = rc == 0;
	} else if (rc == 1) {
		rc = creds_load(a, path, err);
	}
	explicit_bzero(secret, sizeof(secret));
	return rc;
}

int
auth_open(const char *data_dir, struct store *st, struct auth **out,
    bool *generated, struct err *err)
{
	const char *akid = getenv("IOTJOBS_ACCESS_KEY_ID");
	const char *secret = getenv("IOTJOBS_SECRET_ACCESS_KEY");
	const char *token = getenv("IOTJOBS_SESSION_TOKEN");
	struct auth *a;
	int rc;

	*out = NULL;
	*generated = false;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "out of memory");
	if (token != NULL && *token == '\0')
		token = NULL;
	if ((akid != NULL && *akid != '\0') ||
	    (secret != NULL && *secret != '\0')) {
		if (akid == NULL || secret == NULL)
			rc = err_set(err, ERR_INTERNAL_FAILURE,
			    "IOTJOBS_ACCESS_KEY_ID and "
			    "IOTJOBS_SECRET_ACCESS_KEY must be set together");
		else
			rc = auth_set(a, akid, secret, token, "the environment",
			    err);
	} else {
		rc = creds_from_file(a, data_dir, generated, err);
	}
	a->serial = auth_serial_next();
	if (rc == 0 && st != NULL)
		rc = auth_opkeys_new(data_dir, st, &a->opkeys, err);
	if (rc == -1) {
		auth_close(a);
		*generated = false;
		return -1;
	}
	*out = a;
	return 0;
}

void
auth_close(struct auth *a)
{
	if (a == NULL)
		return;
	auth_opkeys_free(a->opkeys);
	if (a->session_token != NULL) {
		explicit_bzero(a->session_token, strlen(a->session_token));
		free(a->session_token);
	}
	explicit_bzero(a, sizeof(*a));
	free(a);
}

void
auth_admin_key(const struct auth *a, const char **access_key_id,
    const char **secret_access_key)
{
	*access_key_id = a->access_key_id;
	*secret_access_key = a->secret;
}
