/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker plugin's routes (see broker.h) and the broker's CA folder.
 * The plugin authenticates and authorizes every MQTT client with what
 * these routes answer, so that both planes decide with one store and one
 * policy evaluator.
 */
#include "http/broker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth/identity.h"
#include "log.h"
#include "store/store.h"
#include "store/store_broker.h"
#include "store/store_identity.h"

#define BROKER_CLIENT_ID_MAX	128	/* AWS IoT: client ids up to 128 */
#define BROKER_CA_FILE_MAX	(64 * 1024)

static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t ca_synced_gen = -1;

static bool
broker_is_hex_id(const char *s)
{
	return s != NULL && strlen(s) == 64 &&
	    strspn(s, "0123456789abcdef") == 64;
}

/* The whole file PATH as a new string (NULL when absent or too big). */
static char *
broker_read_file(const char *path)
{
	char *buf;
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	buf = malloc(BROKER_CA_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, BROKER_CA_FILE_MAX + 1, f);
	fclose(f);
	if (n > BROKER_CA_FILE_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Writes TEXT to DIR/NAME (mode 0644) unless it holds TEXT already. */
static int
broker_ca_write(const char *dir, const char *name, const char *text,
    struct err *err)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 64];
	char *old;
	size_t len = strlen(text);
	int fd;
	bool same;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp",
	    dir, name) >= sizeof(tmp))
		return err_set(err, ERR_INTERNAL_FAILURE, "%s: path too long",
		    dir);
	old = broker_read_file(path);
	same = old != NULL && strcmp(old, text) == 0;
	free(old);
	if (same)
		return 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot write %s: %s",
		    tmp, strerror(errno));
	if (fchmod(fd, 0644) == -1 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot write %s: %s",
		    tmp, strerror(errno));
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot rename %s: "
		    "%s", tmp, strerror(errno));
	}
	return 0;
}

/* Removes every file of DIR that KEEP (an object of names) lacks. */
static void
broker_ca_prune(const char *dir, json_t *keep)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    json_object_get(keep, de->d_name) != NULL)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (unlink(path) == -1)
			log_warn("broker: cannot remove %s", path);
	}
	closedir(d);
}

/*
 * Adds the certificate PEM to DIR as <subject hash>.N (N: the next free
 * index of that hash in NAMES, which also records it), once per DER
 * (SEEN: the SHA-256 fingerprints kept).
 */
static int
broker_ca_add(const char *dir, const char *pem, json_t *names, json_t *seen,
    struct err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char fp[2 * EVP_MAX_MD_SIZE + 1], name[32];
	unsigned mdlen, i, n;
	BIO *in = BIO_new_mem_buf(pem, -1), *out = NULL;
	X509 *x = in != NULL ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
	char *text;
	long tlen;
	int rc = 0;

	if (x == NULL) {
		log_warnx("broker: a CA certificate of the store is not PEM;"
		    " left out of %s", dir);
		goto out;
	}
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (i = 0; i < mdlen; i++)
		snprintf(fp + 2 * i, 3, "%02x", md[i]);
	if (json_object_get(seen, fp) != NULL)
		goto out;
	json_object_set_new(seen, fp, json_true());
	for (n = 0;; n++) {
		snprintf(name, sizeof(name), "%08lx.%u",
		    X509_subject_name_hash(x), n);
		if (json_object_get(names, name) == NULL)
			break;
	}
	out = BIO_new(BIO_s_mem());
	if (out == NULL || !PEM_write_bio_X509(out, x) ||
	    BIO_write(out, "", 1) != 1) {
		rc = err_set(err, ERR_INTERNAL_FAILURE, "cannot encode a CA");
		goto out;
	}
	tlen = BIO_get_mem_data(out, &text);
	(void)tlen;
	rc = broker_ca_write(dir, name, text, err);
	if (rc == 0)
		json_object_set_new(names, name, json_true());
out:
	BIO_free(out);
	X509_free(x);
	BIO_free(in);
	return rc;
}

/* The authorization generation into *GEN. */
static int
broker_generation_read(struct app *app, int64_t *gen, struct err *err)
{
	struct store_tx *tx;
	int rc;

	if (store_begin(app->st, false, &tx, err) == -1)
		return -1;
	rc = store_authz_generation(tx, gen, err);
	store_end(tx, false, NULL);
	return rc;
}

/* The generation and the PEMs of the ACTIVE CA certificates (iotjobsd's
 * own CA is one: ca_register puts it in the store). */
static int
broker_ca_collect(struct app *app, json_t *pems, int64_t *gen,
    struct err *err)
{
	struct store_tx *tx;
	int rc;

	if (store_begin(app->st, false, &tx, err) == -1)
		return -1;
	rc = store_authz_generation(tx, gen, err);
	if (rc == 0)
		rc = store_ca_active_pems(tx, pems, err);
	store_end(tx, false, NULL);
	return rc;
}

int
broker_ca_sync(struct app *app, bool force, struct err *err)
{
	char dir[PATH_MAX + 32];
	json_t *pems = json_array(), *names = json_object(),
	    *seen = json_object(), *v;
	int64_t gen = 0;
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&ca_lock);
	if (!force) {
		if (broker_generation_read(app, &gen, err) == -1)
			goto out;
		rc = 0;
		if (gen == ca_synced_gen)
			goto out;
	}
	rc = -1;
	if (broker_ca_collect(app, pems, &gen, err) == -1)
		goto out;
	rc = 0;
	snprintf(dir, sizeof(dir), "%s/tls", app->conf->data_dir);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		rc = err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: %s",
		    dir, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/%s", app->conf->data_dir,
	    BROKER_CA_DIR);
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    chmod(dir, 0755) == -1) {
		rc = err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: %s",
		    dir, strerror(errno));
		goto out;
	}
	json_array_foreach(pems, i, v)
		if ((rc = broker_ca_add(dir, json_string_value(v), names, seen,
		    err)) == -1)
			goto out;
	broker_ca_prune(dir, names);
	ca_synced_gen = gen;
	log_debug("broker: %zu CA certificate(s) in %s at generation %lld",
	    json_object_size(names), dir, (long long)gen);
out:
	pthread_mutex_unlock(&ca_lock);
	json_decref(pems);
	json_decref(names);
	json_decref(seen);
	return rc;
}

static int
broker_generation(struct app *app, json_t **out, struct err *err)
{
	int64_t gen;

	if (broker_generation_read(app, &gen, err) == -1)
		return -1;
	if (broker_ca_sync(app, false, err) == -1)
		log_warnx("broker: %s", err->msg);
	*out = json_pack("{s:I}", "generation", (json_int_t)gen);
	return 0;
}

static int
broker_identity(struct app *app, broker_query_fn *query, void *arg,
    json_t **out, int *status, struct err *err)
{
	const char *cert = query(arg, "certificateId");
	const char *cid = query(arg, "clientId");
	struct identity id;
	json_t *o;

	*status = 400;
	if (!broker_is_hex_id(cert))
		return err_set(err, ERR_INVALID_REQUEST, "certificateId must "
		    "be 64 lower-case hexadecimal digits");
	if (cid == NULL || cid[0] == '\0' ||
	    strlen(cid) > BROKER_CLIENT_ID_MAX)
		return err_set(err, ERR_INVALID_REQUEST, "clientId must be 1 "
		    "to %d characters", BROKER_CLIENT_ID_MAX);
	*status = 503;
	memset(&id, 0, sizeof(id));
	if (identity_load(app->st, app->conf, cert, cid, &id, err) == -1) {
		identity_release(&id);
		return -1;
	}
	o = json_pack("{s:I, s:s, s:s, s:b, s:s, s:O, s:O}",
	    "generation", (json_int_t)id.generation,
	    "certificateId", id.cert_id, "certificateArn", id.cert_arn,
	    "usable", id.usable, "commonName", id.common_name,
	    "things", id.things, "policies", id.policy_docs);
	if (!id.usable && id.refusal != NULL)
		json_object_set_new(o, "refusal", json_string(id.refusal));
	identity_release(&id);
	*out = o;
	*status = 200;
	return 0;
}

int
broker_serve(struct app *app, const char *method, const char *path,
    broker_query_fn *query, void *arg, json_t **out, int *status,
    struct err *err)
{
	const char *route;

	*out = NULL;
	*status = 404;
	if (strncmp(path, BROKER_PATH_PREFIX, strlen(BROKER_PATH_PREFIX)) != 0)
		return err_set(err, ERR_NOT_FOUND, "Not Found: %s", path);
	route = path + strlen(BROKER_PATH_PREFIX);
	if (strcmp(route, "generation") != 0 && strcmp(route, "identity") != 0)
		return err_set(err, ERR_NOT_FOUND, "Not Found: %s", path);
	if (strcmp(method, "GET") != 0) {
		*status = 405;
		return err_set(err, ERR_INVALID_REQUEST, "%s %s: use GET",
		    method, path);
	}
	if (strcmp(route, "generation") == 0) {
		*status = 503;
		if (broker_generation(app, out, err) == -1)
			return -1;
		*status = 200;
		return 0;
	}
	return broker_identity(app, query, arg, out, status, err);
}
