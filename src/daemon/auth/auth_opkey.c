/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier's cache of operator keys (auth_int.h): each key a request
 * named, opened (secret unsealed, policy parsed) once and kept while its
 * row stays as it was. When the store's authorization generation moves
 * (looked at no more than once a second), every cached key is checked
 * against its row and retired if it was revoked, removed or changed; a
 * key not cached is read from the store at once, so a new key works on
 * its first request and a revoked one stops within about a second.
 *
 * Invariant: a principal's policy pointer stays valid until auth_close().
 * Retired entries therefore keep their policy (their secret is wiped at
 * once) on a list freed only by auth_opkeys_free(); they cost memory only
 * when keys actually change, which operators do by hand.
 */
#include "auth/auth_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/opkey.h"
#include "log.h"
#include "policy.h"
#include "store/store.h"
#include "store/store_identity.h"
#include "store/store_opkey.h"
#include "xmalloc.h"

#define OPKEYS_CHECK_MS	1000	/* generation looked at once a second */

struct opkey_entry {
	struct opkey_entry *next;
	char access_key_id[AUTH_KEY_MAX + 1];
	char name[AUTH_NAME_MAX + 1];
	char secret[AUTH_SECRET_MAX + 1];	/* wiped when retired */
	char *policy_doc;	/* the row's text: tells a changed row */
	struct policy *policy;
	uint64_t serial;
};

struct auth_opkeys {
	pthread_mutex_t lock;	/* everything below */
	struct store *st;
	char data_dir[PATH_MAX];
	unsigned char key[OPKEY_KEY_LEN];	/* sealing key, wiped at free */
	bool have_key;
	bool have_generation;
	int64_t generation;	/* of the store, when last looked at */
	int64_t checked_ms;	/* monotonic time of that look */
	struct opkey_entry *live;
	struct opkey_entry *retired;	/* policies still lent out */
};

static atomic_uint_least64_t serials = 1;

uint64_t
auth_serial_next(void)
{
	return atomic_fetch_add(&serials, 1);
}

void
auth_key_release(struct auth_key *k)
{
	OPENSSL_cleanse(k->buf, sizeof(k->buf));
	k->secret = NULL;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
auth_opkeys_new(const char *data_dir, struct store *st,
    struct auth_opkeys **out, struct err *err)
{
	struct auth_opkeys *o;

	*out = NULL;
	o = xcalloc(1, sizeof(*o));
	if ((size_t)snprintf(o->data_dir, sizeof(o->data_dir), "%s",
	    data_dir) >= sizeof(o->data_dir)) {
		free(o);
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "data directory path too long: %s", data_dir);
	}
	pthread_mutex_init(&o->lock, NULL);
	o->st = st;
	*out = o;
	return 0;
}

static void
entry_free(struct opkey_entry *e)
{
	policy_free(e->policy);
	free(e->policy_doc);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

void
auth_opkeys_free(struct auth_opkeys *o)
{
	struct opkey_entry *e, *next;

	if (o == NULL)
		return;
	for (e = o->live; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	for (e = o->retired; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	pthread_mutex_destroy(&o->lock);
	OPENSSL_cleanse(o, sizeof(*o));
	free(o);
}

/* Moves E (unlinked by the caller) to the retired list; wipes its secret. */
static void
entry_retire(struct auth_opkeys *o, struct opkey_entry *e)
{
	OPENSSL_cleanse(e->secret, sizeof(e->secret));
	e->next = o->retired;
	o->retired = e;
}

/* *STALE: E no longer matches its row in TX (revoked, gone, changed). */
static int
entry_is_stale(struct store_tx *tx, const struct opkey_entry *e,
    bool *stale, struct err *err)
{
	struct store_opkey row;
	int rc;

	rc = store_opkey_get(tx, e->access_key_id, &row, err);
	if (rc == -1)
		return -1;
	*stale = rc == 0 || strcmp(row.status, STORE_OPKEY_ACTIVE) != 0 ||
	    strcmp(row.policy, e->policy_doc) != 0 ||
	    strcmp(row.name, e->name) != 0;
	if (rc == 1)
		store_opkey_release(&row);
	return 0;
}

/* Looks at the generation; on a move, retires what changed (lock held). */
static int
opkeys_refresh(struct auth_opkeys *o, struct err *err)
{
	struct opkey_entry **pp, *e;
	struct store_tx *tx;
	int64_t gen;
	bool stale;
	int rc = -1;

	if (store_begin(o->st, false, &tx, err) == -1)
		return -1;
	if (store_authz_generation(tx, &gen, err) == -1)
		goto out;
	if (o->have_generation && gen == o->generation) {
		rc = 0;
		goto out;
	}
	for (pp = &o->live; (e = *pp) != NULL;) {
		if (entry_is_stale(tx, e, &stale, err) == -1)
			goto out;
		if (!stale) {
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		log_info("auth: operator key name=%s id=%s retired (revoked or "
		    "changed)", e->name, e->access_key_id);
		entry_retire(o, e);
	}
	o->generation = gen;
	o->have_generation = true;
	rc = 0;
out:
	store_end(tx, false, NULL);
	return rc;
}

/* The sealing key, read on first need (lock held). 1, 0 (none), -1. */
static int
opkeys_sealing_key(struct auth_opkeys *o)
{
	struct err kerr;
	int rc;

	if (o->have_key)
		return 1;
	err_clear(&kerr);
	rc = opkey_keyfile_load(o->data_dir, false, o->key, &kerr);
	if (rc == -1)
		log_warnx("auth: operator keys cannot be verified: %s",
		    kerr.msg);
	else if (rc == 0)
		log_warnx("auth: operator keys cannot be verified: %s/%s is "
		    "missing", o->data_dir, OPKEY_KEYFILE);
	o->have_key = rc == 1;
	return rc == 1 ? 1 : 0;
}

/* Opens ROW into a new entry; NULL (logged) when it cannot be opened. */
static struct opkey_entry *
entry_open(struct auth_opkeys *o, const struct store_opkey *row)
{
	struct opkey_entry *e;
	struct err perr;

	if (opkeys_sealing_key(o) != 1)
		return NULL;
	err_clear(&perr);
	e = xcalloc(1, sizeof(*e));
	snprintf(e->access_key_id, sizeof(e->access_key_id), "%s",
	    row->access_key_id);
	snprintf(e->name, sizeof(e->name), "%s", row->name);
	if (opkey_unseal(o->key, row->access_key_id, row->sealed,
	    row->sealed_len, e->secret, sizeof(e->secret), &perr) == -1 ||
	    policy_parse(row->policy, strlen(row->policy), &e->policy,
	    &perr) == -1) {
		log_warnx("auth: operator key name=%s id=%s refused: %s",
		    row->name, row->access_key_id, perr.msg);
		entry_free(e);
		return NULL;
	}
	e->policy_doc = xstrdup(row->policy);
	e->serial = auth_serial_next();
	return e;
}

/* AKID read from the store into the cache (lock held): 1, 0, -1. */
static int
opkeys_load(struct auth_opkeys *o, const char *akid,
    struct opkey_entry **out, struct err *err)
{
	struct store_opkey row;
	struct store_tx *tx;
	int rc;

	*out = NULL;
	if (store_begin(o->st, false, &tx, err) == -1)
		return -1;
	rc = store_opkey_get(tx, akid, &row, err);
	store_end(tx, false, NULL);
	if (rc != 1)
		return rc;
	if (strcmp(row.status, STORE_OPKEY_ACTIVE) == 0)
		*out = entry_open(o, &row);
	store_opkey_release(&row);
	if (*out == NULL)
		return 0;
	(*out)->next = o->live;
	o->live = *out;
	return 1;
}

static struct opkey_entry *
opkeys_lookup(const struct auth_opkeys *o, const char *akid)
{
	struct opkey_entry *e;

	for (e = o->live; e != NULL; e = e->next)
		if (strcmp(e->access_key_id, akid) == 0)
			return e;
	return NULL;
}

int
auth_opkeys_find(struct auth_opkeys *o, const char *akid,
    struct auth_key *k, struct err *err)
{
	struct opkey_entry *e;
	int64_t now;
	int rc = -1;

	pthread_mutex_lock(&o->lock);
	now = mono_ms();
	if (!o->have_generation || now - o->checked_ms >= OPKEYS_CHECK_MS) {
		if (opkeys_refresh(o, err) == -1)
			goto out;
		o->checked_ms = now;
	}
	e = opkeys_lookup(o, akid);
	if (e == NULL) {
		rc = opkeys_load(o, akid, &e, err);
		if (rc != 1)
			goto out;
	}
	k->kind = PRINCIPAL_OPERATOR;
	memcpy(k->buf, e->secret, sizeof(k->buf));
	k->secret = k->buf;
	k->session_token = NULL;
	k->serial = e->serial;
	snprintf(k->name, sizeof(k->name), "%s", e->name);
	k->policy = e->policy;
	rc = 1;
out:
	pthread_mutex_unlock(&o->lock);
	return rc;
}
