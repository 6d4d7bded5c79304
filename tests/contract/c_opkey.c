/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator keys (store_opkey.h): insert (a taken name or id writes
 * nothing), look-ups by id and by name, the list oldest first, revoke by
 * name or id once, and the authorization generation each change bumps.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_identity.h"
#include "store/store_opkey.h"

/* A key ID named NAME, created at AT, its sealed bytes LEN of FILL. */
static struct store_opkey
ok_key(const char *id, const char *name, int64_t at, unsigned char fill,
    size_t len)
{
	struct store_opkey k = { 0 };

	snprintf(k.access_key_id, sizeof(k.access_key_id), "%s", id);
	snprintf(k.name, sizeof(k.name), "%s", name);
	memset(k.sealed, fill, len);
	k.sealed[0] = 0;	/* binary: a NUL byte must survive */
	k.sealed_len = len;
	k.policy = (char *)"{\"Statement\":[]}";
	k.created_at = at;
	return k;
}

static int64_t
ok_gen(struct store_tx *tx)
{
	struct err err;
	int64_t gen = -1;

	assert_int_equal(store_authz_generation(tx, &gen, &err), 0);
	return gen;
}

/* Insert once; look-ups by id and name; taken name or id writes none. */
static void
opkey_insert_get(void **state)
{
	struct store *st = *state;
	struct store_opkey k = ok_key("AKIDAAAAAAAAAAAA0001", "alice", 100,
	    0xab, 60), out;
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	int64_t gen = ok_gen(tx);

	assert_int_equal(store_opkey_get(tx, k.access_key_id, NULL, &err), 0);
	assert_int_equal(store_opkey_get_by_name(tx, "alice", NULL, &err), 0);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	assert_true(ok_gen(tx) > gen);
	gen = ok_gen(tx);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_opkey_get(tx, "AKIDAAAAAAAAAAAA0001", &out,
	    &err), 1);
	assert_string_equal(out.name, "alice");
	assert_string_equal(out.status, STORE_OPKEY_ACTIVE);
	assert_int_equal(out.sealed_len, 60);
	assert_memory_equal(out.sealed, k.sealed, 60);
	assert_string_equal(out.policy, k.policy);
	assert_int_equal(out.created_at, 100);
	assert_int_equal(out.revoked_at, 0);
	store_opkey_release(&out);
	assert_int_equal(store_opkey_get_by_name(tx, "alice", &out, &err), 1);
	assert_string_equal(out.access_key_id, "AKIDAAAAAAAAAAAA0001");
	store_opkey_release(&out);
	/* The name and the id are each one key's. */
	k = ok_key("AKIDAAAAAAAAAAAA0002", "alice", 101, 0xcd, 60);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 0);
	k = ok_key("AKIDAAAAAAAAAAAA0001", "bob", 101, 0xcd, 60);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 0);
	assert_int_equal(ok_gen(tx), gen);
	assert_int_equal(store_opkey_get_by_name(tx, "bob", NULL, &err), 0);
	assert_int_equal(store_opkey_get(tx, "AKIDAAAAAAAAAAAA0002", NULL,
	    &err), 0);
	c_commit(tx);
}

struct ok_walk {
	json_t *names;
	size_t stop;		/* stop after this many (0: never) */
};

static int
ok_collect(void *arg, const struct store_opkey *k)
{
	struct ok_walk *w = arg;

	json_array_append_new(w->names, json_string(k->name));
	return json_array_size(w->names) == w->stop ? 1 : 0;
}

/* The list, oldest first (whatever the insertion order); FN stops it. */
static void
opkey_list_order(void **state)
{
	struct store *st = *state;
	struct store_opkey k;
	struct store_tx *tx = c_begin(st, true);
	struct ok_walk w = { json_array(), 0 };
	struct err err;

	assert_int_equal(store_opkey_list(tx, ok_collect, &w, &err), 0);
	assert_int_equal(c_len(w.names), 0);
	k = ok_key("AKIDAAAAAAAAAAAA0003", "third", 300, 1, 40);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	k = ok_key("AKIDAAAAAAAAAAAA0001", "first", 100, 1, 40);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	k = ok_key("AKIDAAAAAAAAAAAA0002", "second", 200, 1, 40);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	c_commit(tx);

	tx = c_begin(st, false);
	assert_int_equal(store_opkey_list(tx, ok_collect, &w, &err), 0);
	assert_int_equal(c_len(w.names), 3);
	assert_string_equal(c_str(w.names, 0), "first");
	assert_string_equal(c_str(w.names, 1), "second");
	assert_string_equal(c_str(w.names, 2), "third");
	json_array_clear(w.names);
	w.stop = 2;
	assert_int_equal(store_opkey_list(tx, ok_collect, &w, &err), 0);
	assert_int_equal(c_len(w.names), 2);
	c_rollback(tx);
	json_decref(w.names);
}

/* Revoke by name or id, once; the generation moves only on a change. */
static void
opkey_revoke_once(void **state)
{
	struct store *st = *state;
	struct store_opkey k = ok_key("AKIDAAAAAAAAAAAA0001", "carol", 100, 7,
	    40), out;
	struct store_opkey k2 = ok_key("AKIDAAAAAAAAAAAA0002",
	    "AKIDAAAAAAAAAAAA0009", 100, 7, 40);
	struct store_tx *tx = c_begin(st, true);
	enum store_opkey_revoke r;
	struct err err;
	int64_t gen;

	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	assert_int_equal(store_opkey_insert(tx, &k2, &err), 1);
	k = ok_key("AKIDAAAAAAAAAAAA0009", "dave", 100, 7, 40);
	assert_int_equal(store_opkey_insert(tx, &k, &err), 1);
	c_commit(tx);

	tx = c_begin(st, true);
	gen = ok_gen(tx);
	assert_int_equal(store_opkey_revoke(tx, "nobody", 500, &r, &out,
	    &err), 0);
	assert_int_equal(r, STORE_OPKEY_UNKNOWN);
	assert_int_equal(ok_gen(tx), gen);
	assert_int_equal(store_opkey_revoke(tx, "carol", 500, &r, &out, &err),
	    0);
	assert_int_equal(r, STORE_OPKEY_NOW_REVOKED);
	assert_string_equal(out.status, STORE_OPKEY_REVOKED);
	assert_int_equal(out.revoked_at, 500);
	assert_string_equal(out.access_key_id, "AKIDAAAAAAAAAAAA0001");
	store_opkey_release(&out);
	assert_true(ok_gen(tx) > gen);
	gen = ok_gen(tx);
	/* Again, by id: nothing changes, the row is as revoked. */
	assert_int_equal(store_opkey_revoke(tx, "AKIDAAAAAAAAAAAA0001", 600,
	    &r, &out, &err), 0);
	assert_int_equal(r, STORE_OPKEY_WAS_REVOKED);
	assert_int_equal(out.revoked_at, 500);
	store_opkey_release(&out);
	assert_int_equal(ok_gen(tx), gen);
	/* A name wins over an id: this revokes the key named so. */
	assert_int_equal(store_opkey_revoke(tx, "AKIDAAAAAAAAAAAA0009", 700,
	    &r, NULL, &err), 0);
	assert_int_equal(r, STORE_OPKEY_NOW_REVOKED);
	c_commit(tx);

	tx = c_begin(st, false);
	assert_int_equal(store_opkey_get(tx, "AKIDAAAAAAAAAAAA0002", &out,
	    &err), 1);
	assert_string_equal(out.status, STORE_OPKEY_REVOKED);
	store_opkey_release(&out);
	assert_int_equal(store_opkey_get_by_name(tx, "dave", &out, &err), 1);
	assert_string_equal(out.status, STORE_OPKEY_ACTIVE);
	assert_int_equal(out.revoked_at, 0);
	store_opkey_release(&out);
	assert_int_equal(store_opkey_get_by_name(tx, "carol", &out, &err), 1);
	assert_string_equal(out.status, STORE_OPKEY_REVOKED);
	assert_int_equal(out.revoked_at, 500);
	store_opkey_release(&out);
	c_rollback(tx);
}

static const struct CMUnitTest tests[] = {
	C_CASE(opkey_insert_get),
	C_CASE(opkey_list_order),
	C_CASE(opkey_revoke_once),
};

C_AREA(c_area_opkey, "opkey", tests);
