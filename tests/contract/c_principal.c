/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thing principals (store_principal.h, and store_principal_things of
 * store_identity.h): an attachment made once and its type replaced in
 * place, detached once, another thing of a principal (an exclusive one
 * first), counts that are the recount of a listing, and the listings by
 * thing and by principal in name order through pages, with the type
 * filter.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_identity.h"
#include "store/store_principal.h"

#define C_CERT	C_ARN "cert/"
#define EXCL	"EXCLUSIVE_THING"
#define NONEX	"NON_EXCLUSIVE_THING"

static void
attach(struct store_tx *tx, const char *thing, const char *principal,
    const char *type)
{
	struct err err;

	assert_int_equal(store_thing_principal_put(tx, thing, principal,
	    type, 1000, &err), 0);
}

/*
 * The principals of THING of TYPE (NULL: any) through pages of PAGE, as a
 * new array of their ARNs; with TYPE NULL its length is the count.
 */
static json_t *
principals_walk(struct store_tx *tx, const char *thing, const char *type,
    int page)
{
	json_t *all = json_array(), *out = json_array();
	char after[512] = "";
	struct store_page pg = { after, page };
	struct err err;
	size_t i;
	bool more;
	int64_t n;

	do {
		json_array_clear(out);
		assert_int_equal(store_thing_principals(tx, thing, type, &pg,
		    out, &more, &err), 0);
		if (more)
			assert_int_equal(c_len(out), page);
		for (i = 0; i < c_len(out); i++) {
			if (type != NULL)
				assert_string_equal(c_member(out, i,
				    "thingPrincipalType"), type);
			json_array_append_new(all, json_string(c_member(out, i,
			    "principal")));
		}
		if (c_len(out) > 0)
			snprintf(after, sizeof(after), "%s", c_member(out,
			    c_len(out) - 1, "principal"));
	} while (more);
	json_decref(out);
	if (type == NULL) {
		assert_int_equal(store_thing_principal_count(tx, thing, &n,
		    &err), 0);
		assert_int_equal(n, c_len(all));
	}
	return all;
}

/* The things of PRINCIPAL of TYPE (NULL: any) through pages of PAGE. */
static json_t *
things_walk(struct store_tx *tx, const char *principal, const char *type,
    int page)
{
	json_t *all = json_array(), *out = json_array();
	char after[STORE_NAME_MAX + 1] = "";
	struct store_page pg = { after, page };
	struct err err;
	size_t i;
	bool more;

	do {
		json_array_clear(out);
		assert_int_equal(store_principal_thing_list(tx, principal, type,
		    &pg, out, &more, &err), 0);
		if (more)
			assert_int_equal(c_len(out), page);
		for (i = 0; i < c_len(out); i++) {
			if (type != NULL)
				assert_string_equal(c_member(out, i,
				    "thingPrincipalType"), type);
			json_array_append_new(all, json_string(c_member(out, i,
			    "thingName")));
		}
		if (c_len(out) > 0)
			snprintf(after, sizeof(after), "%s", c_member(out,
			    c_len(out) - 1, "thingName"));
	} while (more);
	json_decref(out);
	return all;
}

/* Put, get, put again (the type replaced), delete once. */
static void
principal_attach_detach(void **state)
{
	struct store *st = *state;
	char type[STORE_PRINCIPAL_TYPE_MAX + 1];
	struct store_tx *tx;
	struct err err;
	bool removed = true;
	json_t *all;
	int64_t n;

	c_thing(st, "pt-1");
	tx = c_begin(st, true);
	assert_int_equal(store_thing_principal_get(tx, "pt-1", C_CERT "a",
	    type, &err), 0);
	attach(tx, "pt-1", C_CERT "a", NONEX);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_principal_get(tx, "pt-1", C_CERT "a",
	    type, &err), 1);
	assert_string_equal(type, NONEX);
	/* Again with the other type: still one attachment, the new type. */
	attach(tx, "pt-1", C_CERT "a", EXCL);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_thing_principal_get(tx, "pt-1", C_CERT "a",
	    type, &err), 1);
	assert_string_equal(type, EXCL);
	assert_int_equal(store_thing_principal_count(tx, "pt-1", &n, &err), 0);
	assert_int_equal(n, 1);
	all = principals_walk(tx, "pt-1", EXCL, 5);
	assert_int_equal(c_len(all), 1);
	json_decref(all);
	all = principals_walk(tx, "pt-1", NONEX, 5);
	assert_int_equal(c_len(all), 0);
	json_decref(all);
	/* Neither the other principal nor the other thing matches. */
	assert_int_equal(store_thing_principal_get(tx, "pt-1", C_CERT "ab",
	    type, &err), 0);
	assert_int_equal(store_thing_principal_get(tx, "pt-2", C_CERT "a",
	    type, &err), 0);
	assert_int_equal(store_thing_principal_delete(tx, "pt-1",
	    C_CERT "a", &removed, &err), 0);
	assert_true(removed);
	assert_int_equal(store_thing_principal_delete(tx, "pt-1",
	    C_CERT "a", &removed, &err), 0);
	assert_false(removed);
	assert_int_equal(store_thing_principal_delete(tx, "never",
	    C_CERT "a", &removed, &err), 0);
	assert_false(removed);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_principal_get(tx, "pt-1", C_CERT "a",
	    type, &err), 0);
	assert_int_equal(store_thing_principal_count(tx, "pt-1", &n, &err), 0);
	assert_int_equal(n, 0);
	c_rollback(tx);
}

/* A rolled back attachment or detachment leaves things as they were. */
static void
principal_rollback(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char type[STORE_PRINCIPAL_TYPE_MAX + 1];
	struct err err;
	bool removed;

	attach(tx, "rb", C_CERT "kept", NONEX);
	c_commit(tx);
	tx = c_begin(st, true);
	attach(tx, "rb", C_CERT "new", NONEX);
	attach(tx, "rb", C_CERT "kept", EXCL);
	assert_int_equal(store_thing_principal_delete(tx, "rb", C_CERT "kept",
	    &removed, &err), 0);
	assert_true(removed);
	c_rollback(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_thing_principal_get(tx, "rb", C_CERT "kept",
	    type, &err), 1);
	assert_string_equal(type, NONEX);
	assert_int_equal(store_thing_principal_get(tx, "rb", C_CERT "new",
	    type, &err), 0);
	c_rollback(tx);
}

/* Another thing of a principal: none, any, then the exclusive one. */
static void
principal_other_thing(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char other[STORE_NAME_MAX + 1], type[STORE_PRINCIPAL_TYPE_MAX + 1];
	struct err err;
	int i;

	attach(tx, "o-mine", C_CERT "p", NONEX);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_principal_other_thing(tx, C_CERT "p", "o-mine",
	    other, type, &err), 0);
	assert_int_equal(store_principal_other_thing(tx, C_CERT "none",
	    "o-mine", other, type, &err), 0);
	/* From any other thing's view, o-mine is the other one. */
	assert_int_equal(store_principal_other_thing(tx, C_CERT "p", "o-x",
	    other, type, &err), 1);
	assert_string_equal(other, "o-mine");
	assert_string_equal(type, NONEX);
	/* Non-exclusive ones on both sides of the exclusive one. */
	attach(tx, "o-a", C_CERT "p", NONEX);
	attach(tx, "o-m", C_CERT "p", EXCL);
	attach(tx, "o-z", C_CERT "p", NONEX);
	c_commit(tx);
	tx = c_begin(st, false);
	for (i = 0; i < 2; i++) {
		assert_int_equal(store_principal_other_thing(tx, C_CERT "p",
		    i == 0 ? "o-mine" : "o-a", other, type, &err), 1);
		assert_string_equal(other, "o-m");
		assert_string_equal(type, EXCL);
	}
	/* The exclusive thing's own view: one of the others. */
	assert_int_equal(store_principal_other_thing(tx, C_CERT "p", "o-m",
	    other, type, &err), 1);
	assert_string_not_equal(other, "o-m");
	assert_string_equal(type, NONEX);
	c_rollback(tx);
}

/* Listings by thing and by principal: name order, pages, type filter. */
static void
principal_listings(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	json_t *all, *out = json_array();
	struct err err;
	char arn[128], thing[32];
	int i, page;

	/* Thing L: principals c4 c3 c2 c1 c0, the even ones exclusive. */
	for (i = 4; i >= 0; i--) {
		snprintf(arn, sizeof(arn), C_CERT "c%d", i);
		attach(tx, "L", arn, i % 2 == 0 ? EXCL : NONEX);
	}
	/* Principal c0: things t5 ... t1 and L, t3 exclusive. */
	for (i = 5; i >= 1; i--) {
		snprintf(thing, sizeof(thing), "t%d", i);
		attach(tx, thing, C_CERT "c0", i == 3 ? EXCL : NONEX);
	}
	attach(tx, "other", C_CERT "c1", NONEX);
	c_commit(tx);
	tx = c_begin(st, false);
	for (page = 1; page <= 6; page++) {
		all = principals_walk(tx, "L", NULL, page);
		assert_int_equal(c_len(all), 5);
		for (i = 0; i < 5; i++) {
			snprintf(arn, sizeof(arn), C_CERT "c%d", i);
			assert_string_equal(c_str(all, i), arn);
		}
		json_decref(all);
		all = principals_walk(tx, "L", EXCL, page);
		assert_int_equal(c_len(all), 3);
		assert_string_equal(c_str(all, 2), C_CERT "c4");
		json_decref(all);
		all = things_walk(tx, C_CERT "c0", NULL, page);
		assert_int_equal(c_len(all), 6);
		assert_string_equal(c_str(all, 0), "L");
		assert_string_equal(c_str(all, 1), "t1");
		assert_string_equal(c_str(all, 5), "t5");
		json_decref(all);
		all = things_walk(tx, C_CERT "c0", NONEX, page);
		assert_int_equal(c_len(all), 4);
		json_decref(all);
	}
	all = things_walk(tx, C_CERT "c1", NULL, 10);
	assert_int_equal(c_len(all), 2);
	assert_string_equal(c_str(all, 0), "L");
	assert_string_equal(c_str(all, 1), "other");
	json_decref(all);
	/* store_principal_things: the same things, appended, name order. */
	json_array_append_new(out, json_string("kept"));
	assert_int_equal(store_principal_things(tx, C_CERT "c0", out, &err),
	    0);
	assert_int_equal(c_len(out), 7);
	assert_string_equal(c_str(out, 0), "kept");
	assert_string_equal(c_str(out, 1), "L");
	assert_string_equal(c_str(out, 3), "t2");
	assert_string_equal(c_str(out, 6), "t5");
	json_array_clear(out);
	assert_int_equal(store_principal_things(tx, C_CERT "none", out, &err),
	    0);
	assert_int_equal(c_len(out), 0);
	c_rollback(tx);
	/* A page, attachments before the position and the one at it gone,
	 * then the rest. */
	tx = c_begin(st, false);
	{
		struct store_page pg = { "", 2 };
		bool more, removed;

		assert_int_equal(store_thing_principals(tx, "L", NULL, &pg,
		    out, &more, &err), 0);
		assert_true(more);
		c_rollback(tx);
		tx = c_begin(st, true);
		attach(tx, "L", C_CERT "c0a", NONEX);
		attach(tx, "L", C_CERT "b", NONEX);
		/* The principal at the position may go too. */
		assert_int_equal(store_thing_principal_delete(tx, "L",
		    C_CERT "c1", &removed, &err), 0);
		assert_true(removed);
		c_commit(tx);
		tx = c_begin(st, false);
		pg.after = C_CERT "c1";
		pg.limit = 10;
		assert_int_equal(store_thing_principals(tx, "L", NULL, &pg,
		    out, &more, &err), 0);
		assert_false(more);
		assert_int_equal(c_len(out), 5);
		for (i = 0; i < 5; i++) {
			snprintf(arn, sizeof(arn), C_CERT "c%d", i);
			assert_string_equal(c_member(out, i, "principal"), arn);
		}
	}
	c_rollback(tx);
	json_decref(out);
}

static const struct CMUnitTest tests[] = {
	C_CASE(principal_attach_detach),
	C_CASE(principal_rollback),
	C_CASE(principal_other_thing),
	C_CASE(principal_listings),
};

C_AREA(c_area_principal, "principal", tests);
