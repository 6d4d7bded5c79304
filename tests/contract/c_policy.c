/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policies (store_policy.h, and store_target_policy_docs of
 * store_identity.h): a policy's round trip with its numbered versions
 * (counted, listed newest first, deleted once, gone with the policy),
 * ListPolicies in creation order both ways through pages, and the
 * attachments: made and removed once, counted as a recount of their
 * listings, listed by name and by time, inherited from a group's
 * ancestors, dropped with their target, and the documents an
 * authorization decision reads.
 */
#include "contract.h"

#include <stdio.h>
#include <string.h>

#include "store/store_identity.h"
#include "store/store_policy.h"

#define C_CERT	C_ARN "cert/"

/* Inserts policy NAME (version 1 of DOC) created at AT. */
static void
pol_put(struct store_tx *tx, const char *name, int64_t at, const char *doc)
{
	struct store_policy p = { .default_version = 1, .next_version = 2,
	    .created_at = at, .modified_at = at };
	struct err err;

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.generation_id, sizeof(p.generation_id), "gen-%s", name);
	assert_int_equal(store_policy_insert(tx, &p, doc, &err), 0);
}

/* Inserts version ID of policy NAME with document DOC, created at AT. */
static void
ver_put(struct store_tx *tx, const char *name, int64_t id, const char *doc,
    int64_t at)
{
	struct store_policy_version v = { id, (char *)doc, at };
	struct err err;

	assert_int_equal(store_policy_version_insert(tx, name, &v, &err), 0);
}

/* The version ids of policy NAME as store_policy_versions lists them,
 * checked against store_policy_version_count. */
static json_t *
ver_ids(struct store_tx *tx, const char *name)
{
	json_t *out = json_array();
	struct err err;
	int64_t n;
	size_t i;

	assert_int_equal(store_policy_versions(tx, name, out, &err), 0);
	assert_int_equal(store_policy_version_count(tx, name, &n, &err), 0);
	assert_int_equal(n, c_len(out));
	for (i = 0; i < c_len(out); i++)
		assert_true(json_is_integer(json_object_get(json_array_get(out,
		    i), "createdAt")));
	return out;
}

static int64_t
ver_id(const json_t *a, size_t i)
{
	json_t *v = json_object_get(json_array_get(a, i), "versionId");

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
policy_round_trip(void **state)
{
	struct store *st = *state;
	struct store_policy p = { 0 };
	struct store_policy_version v = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	json_t *ids;

	pol_put(tx, "P", 1000, "{\"v\":1}");
	pol_put(tx, "P2", 1000, "{\"other\":1}");
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_policy_get(tx, "P", &p, &err), 1);
	assert_string_equal(p.name, "P");
	assert_int_equal(p.default_version, 1);
	assert_int_equal(p.next_version, 2);
	assert_string_equal(p.generation_id, "gen-P");
	assert_int_equal(p.created_at, 1000);
	assert_int_equal(p.modified_at, 1000);
	assert_int_equal(store_policy_get(tx, "P", NULL, &err), 1);
	assert_int_equal(store_policy_get(tx, "Never", NULL, &err), 0);
	assert_int_equal(store_policy_get(tx, "Never", &p, &err), 0);
	/* The insert made version 1 with the document, at creation. */
	assert_int_equal(store_policy_version_get(tx, "P", 1, &v, &err), 1);
	assert_int_equal(v.version_id, 1);
	assert_string_equal(v.document, "{\"v\":1}");
	assert_int_equal(v.created_at, 1000);
	store_policy_version_release(&v);
	assert_int_equal(store_policy_version_get(tx, "P", 2, &v, &err), 0);
	store_policy_version_release(&v);
	assert_int_equal(store_policy_version_get(tx, "Never", 1, &v, &err),
	    0);
	store_policy_version_release(&v);
	/* A new default version: update writes what it names, no more. */
	assert_int_equal(store_policy_get(tx, "P", &p, &err), 1);
	ver_put(tx, "P", 2, "{\"v\":2}", 1100);
	p.default_version = 2;
	p.next_version = 3;
	snprintf(p.generation_id, sizeof(p.generation_id), "gen-P-2");
	p.modified_at = 1100;
	p.created_at = 5;
	assert_int_equal(store_policy_update(tx, &p, &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_policy_get(tx, "P", &p, &err), 1);
	assert_int_equal(p.default_version, 2);
	assert_int_equal(p.next_version, 3);
	assert_string_equal(p.generation_id, "gen-P-2");
	assert_int_equal(p.modified_at, 1100);
	assert_int_equal(p.created_at, 1000);
	assert_int_equal(store_policy_version_get(tx, "P", 2, &v, &err), 1);
	assert_string_equal(v.document, "{\"v\":2}");
	assert_int_equal(v.created_at, 1100);
	store_policy_version_release(&v);
	/* The other policy is untouched. */
	assert_int_equal(store_policy_get(tx, "P2", &p, &err), 1);
	assert_int_equal(p.default_version, 1);
	assert_string_equal(p.generation_id, "gen-P2");
	ids = ver_ids(tx, "P2");
	assert_int_equal(c_len(ids), 1);
	json_decref(ids);
	c_rollback(tx);
}

/* Versions: listed newest first, counted, deleted once each. */
static void
policy_versions(void **state)
{
	struct store *st = *state;
	struct store_policy_version v = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	json_t *ids;
	int64_t i, n;

	pol_put(tx, "V", 1000, "{\"v\":1}");
	pol_put(tx, "Vx", 1000, "{\"v\":1}");
	for (i = 2; i <= 5; i++)
		ver_put(tx, "V", i, "{}", 1000 + i);
	c_commit(tx);
	tx = c_begin(st, true);
	ids = ver_ids(tx, "V");
	assert_int_equal(c_len(ids), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(ver_id(ids, (size_t)i), 5 - i);
	json_decref(ids);
	assert_int_equal(store_policy_version_delete(tx, "V", 3, &err), 1);
	assert_int_equal(store_policy_version_delete(tx, "V", 3, &err), 0);
	assert_int_equal(store_policy_version_delete(tx, "V", 9, &err), 0);
	assert_int_equal(store_policy_version_delete(tx, "Never", 1, &err),
	    0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_policy_version_get(tx, "V", 3, &v, &err), 0);
	store_policy_version_release(&v);
	ids = ver_ids(tx, "V");
	assert_int_equal(c_len(ids), 4);
	assert_int_equal(ver_id(ids, 0), 5);
	assert_int_equal(ver_id(ids, 1), 4);
	assert_int_equal(ver_id(ids, 2), 2);
	assert_int_equal(ver_id(ids, 3), 1);
	json_decref(ids);
	/* A version deleted in a rolled back transaction stays. */
	assert_int_equal(store_policy_version_delete(tx, "V", 5, &err), 1);
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_policy_version_count(tx, "V", &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_policy_version_count(tx, "Vx", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_policy_version_count(tx, "Never", &n, &err),
	    0);
	assert_int_equal(n, 0);
	/* Delete takes the versions with the policy, no other's. */
	assert_int_equal(store_policy_delete(tx, "V", &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_policy_get(tx, "V", NULL, &err), 0);
	ids = ver_ids(tx, "V");
	assert_int_equal(c_len(ids), 0);
	json_decref(ids);
	assert_int_equal(store_policy_version_get(tx, "V", 5, &v, &err), 0);
	store_policy_version_release(&v);
	ids = ver_ids(tx, "Vx");
	assert_int_equal(c_len(ids), 1);
	json_decref(ids);
	/* A policy of the same name again starts with its one version. */
	pol_put(tx, "V", 2000, "{\"again\":1}");
	ids = ver_ids(tx, "V");
	assert_int_equal(c_len(ids), 1);
	assert_int_equal(ver_id(ids, 0), 1);
	json_decref(ids);
	assert_int_equal(store_policy_version_get(tx, "V", 1, &v, &err), 1);
	assert_string_equal(v.document, "{\"again\":1}");
	store_policy_version_release(&v);
	c_commit(tx);
}

/* A creation-order listing: policy_list, or one keyed by KEY. */
enum cwhich { C_POLICIES, C_OF_TARGET, C_OF_POLICY };

/*
 * Every row of the listing WHICH of KEY through pages of PAGE in the
 * order asked, as a new array of names; checks the order of the
 * creation times and of the names within one time.
 */
static json_t *
cwalk(struct store_tx *tx, enum cwhich which, const char *key,
    bool descending, int page)
{
	const char *field = which == C_POLICIES ? "policyName" : "name";
	json_t *all = json_array(), *out = json_array(), *o;
	char after[512] = "";
	struct store_cpage pg = { 0, NULL, descending, page };
	struct err err;
	int64_t at, last_at = 0;
	const char *name;
	size_t i;
	bool more;
	int rc;

	do {
		json_array_clear(out);
		if (which == C_POLICIES)
			rc = store_policy_list(tx, &pg, out, &more, &err);
		else if (which == C_OF_TARGET)
			rc = store_policy_attached_by_time(tx, key, &pg, out,
			    &more, &err);
		else
			rc = store_policy_targets_by_time(tx, key, &pg, out,
			    &more, &err);
		assert_int_equal(rc, 0);
		if (more)
			assert_int_equal(c_len(out), page);
		for (i = 0; i < c_len(out); i++) {
			o = json_array_get(out, i);
			assert_true(json_is_integer(json_object_get(o,
			    "createdAt")));
			at = json_integer_value(json_object_get(o,
			    "createdAt"));
			name = c_member(out, i, field);
			if (c_len(all) > 0) {
				int c = strcmp(name, c_str(all,
				    c_len(all) - 1));

				if (descending) {
					assert_true(at <= last_at);
					assert_true(at < last_at || c < 0);
				} else {
					assert_true(at >= last_at);
					assert_true(at > last_at || c > 0);
				}
			}
			last_at = at;
			json_array_append_new(all, json_string(name));
		}
		if (c_len(out) > 0) {
			snprintf(after, sizeof(after), "%s", c_str(all,
			    c_len(all) - 1));
			pg.after = after;
			pg.after_time = last_at;
		}
	} while (more);
	json_decref(out);
	return all;
}

/* The names of the array A joined with ",". */
static const char *
joined(const json_t *a, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c_len(a) && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    i > 0 ? "," : "", c_str(a, i));
	return buf;
}

/* ListPolicies: creation order, names within one second, both ways. */
static void
policy_list_order(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char buf[256];
	json_t *all;
	int page;

	pol_put(tx, "late", 3000, "{}");
	pol_put(tx, "b-same", 2000, "{}");
	pol_put(tx, "first", 1000, "{}");
	pol_put(tx, "a-same", 2000, "{}");
	pol_put(tx, "c-same", 2000, "{}");
	c_commit(tx);
	tx = c_begin(st, false);
	for (page = 1; page <= 6; page++) {
		all = cwalk(tx, C_POLICIES, NULL, false, page);
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    "first,a-same,b-same,c-same,late");
		json_decref(all);
		all = cwalk(tx, C_POLICIES, NULL, true, page);
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    "late,c-same,b-same,a-same,first");
		json_decref(all);
	}
	c_rollback(tx);
	/* A page, policies created before the position, the rest. */
	tx = c_begin(st, false);
	{
		struct store_cpage pg = { 0, NULL, false, 2 };
		json_t *out = json_array();
		struct err err;
		bool more;

		assert_int_equal(store_policy_list(tx, &pg, out, &more, &err),
		    0);
		assert_true(more);
		assert_string_equal(c_member(out, 1, "policyName"), "a-same");
		c_rollback(tx);
		tx = c_begin(st, true);
		pol_put(tx, "0-same", 2000, "{}");
		pol_put(tx, "zero", 500, "{}");
		/* The policy at the position may go too. */
		assert_int_equal(store_policy_delete(tx, "a-same", &err), 0);
		c_commit(tx);
		tx = c_begin(st, false);
		pg = (struct store_cpage){ 2000, "a-same", false, 10 };
		assert_int_equal(store_policy_list(tx, &pg, out, &more, &err),
		    0);
		assert_false(more);
		all = json_array();
		for (page = 0; page < (int)c_len(out); page++)
			json_array_append_new(all, json_string(c_member(out,
			    (size_t)page, "policyName")));
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    "first,a-same,b-same,c-same,late");
		json_decref(all);
		json_decref(out);
	}
	c_rollback(tx);
}

/*
 * The name-order listing of the policies of TARGET (GROUP_PREFIX and
 * GROUP as store_policy_attached takes them) or, with NAME, the targets
 * of policy NAME, through pages of PAGE, joined into BUF.
 */
static const char *
nwalk(struct store_tx *tx, const char *target, const char *group_prefix,
    const char *group, const char *name, int page, char *buf, size_t size)
{
	json_t *all = json_array(), *out = json_array();
	char after[512] = "";
	struct store_page pg = { after, page };
	struct err err;
	bool more;

	do {
		json_array_clear(out);
		if (name != NULL)
			assert_int_equal(store_policy_targets(tx, name, &pg,
			    out, &more, &err), 0);
		else
			assert_int_equal(store_policy_attached(tx, target,
			    group_prefix, group, &pg, out, &more, &err), 0);
		if (more)
			assert_int_equal(c_len(out), page);
		if (c_len(out) > 0) {
			snprintf(after, sizeof(after), "%s", c_str(out,
			    c_len(out) - 1));
			if (c_len(all) > 0)
				assert_true(strcmp(c_str(out, 0), c_str(all,
				    c_len(all) - 1)) > 0);
		}
		json_array_extend(all, out);
	} while (more);
	joined(all, buf, size);
	json_decref(out);
	json_decref(all);
	return buf;
}

static void
attach(struct store_tx *tx, const char *name, const char *target,
    int64_t now, bool want)
{
	struct err err;
	bool added = !want;

	assert_int_equal(store_policy_attach(tx, name, target, now, &added,
	    &err), 0);
	assert_int_equal(added, want);
}

/* Attach and detach once; counts are the recounts of the listings. */
static void
policy_attachments(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	char buf[512];
	bool removed;
	json_t *all;
	int64_t n;
	int page;

	pol_put(tx, "pa", 1000, "{}");
	pol_put(tx, "pb", 1000, "{}");
	pol_put(tx, "pc", 1000, "{}");
	attach(tx, "pb", C_CERT "x", 1200, true);
	attach(tx, "pa", C_CERT "x", 1300, true);
	attach(tx, "pc", C_CERT "x", 1100, true);
	attach(tx, "pa", C_CERT "x", 9999, false);
	attach(tx, "pa", C_CERT "y", 1000, true);
	attach(tx, "pa", C_GROUP_ARN "g", 1000, true);
	c_commit(tx);
	tx = c_begin(st, true);
	for (page = 1; page <= 4; page++) {
		assert_string_equal(nwalk(tx, C_CERT "x", NULL, NULL, NULL,
		    page, buf, sizeof(buf)), "pa,pb,pc");
		assert_string_equal(nwalk(tx, NULL, NULL, NULL, "pa", page,
		    buf, sizeof(buf)), C_CERT "x," C_CERT "y," C_GROUP_ARN "g");
		/* By time: the attachment's, kept by the second attach. */
		all = cwalk(tx, C_OF_TARGET, C_CERT "x", false, page);
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    "pc,pb,pa");
		json_decref(all);
		all = cwalk(tx, C_OF_TARGET, C_CERT "x", true, page);
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    "pa,pb,pc");
		json_decref(all);
		/* Within one time in target order; x's attach time kept. */
		all = cwalk(tx, C_OF_POLICY, "pa", false, page);
		assert_string_equal(joined(all, buf, sizeof(buf)),
		    C_CERT "y," C_GROUP_ARN "g," C_CERT "x");
		json_decref(all);
	}
	assert_int_equal(store_policy_target_count(tx, C_CERT "x", &n, &err),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(store_policy_attached_count(tx, "pa", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_policy_attached_count(tx, "pb", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_policy_target_count(tx, C_CERT "none", &n,
	    &err), 0);
	assert_int_equal(n, 0);
	/* Detach once; a missing attachment is removed = false. */
	assert_int_equal(store_policy_detach(tx, "pb", C_CERT "x", &removed,
	    &err), 0);
	assert_true(removed);
	assert_int_equal(store_policy_detach(tx, "pb", C_CERT "x", &removed,
	    &err), 0);
	assert_false(removed);
	assert_int_equal(store_policy_detach(tx, "pb", C_CERT "y", &removed,
	    &err), 0);
	assert_false(removed);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_string_equal(nwalk(tx, C_CERT "x", NULL, NULL, NULL, 2, buf,
	    sizeof(buf)), "pa,pc");
	assert_int_equal(store_policy_attached_count(tx, "pb", &n, &err), 0);
	assert_int_equal(n, 0);
	/* Dropping a target: its attachments go, and how many they were. */
	assert_int_equal(store_policy_target_drop(tx, C_CERT "x", &n, &err),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(store_policy_target_drop(tx, C_CERT "x", &n, &err),
	    0);
	assert_int_equal(n, 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_policy_target_count(tx, C_CERT "x", &n, &err),
	    0);
	assert_int_equal(n, 0);
	assert_string_equal(nwalk(tx, NULL, NULL, NULL, "pa", 2, buf,
	    sizeof(buf)), C_CERT "y," C_GROUP_ARN "g");
	/* Deleting a policy keeps its attachments (the api drops them). */
	assert_int_equal(store_policy_delete(tx, "pa", &err), 0);
	assert_int_equal(store_policy_attached_count(tx, "pa", &n, &err), 0);
	assert_int_equal(n, 2);
	/* A rolled back attachment is not there. */
	attach(tx, "pc", C_CERT "z", 2000, true);
	c_rollback(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_policy_target_count(tx, C_CERT "z", &n, &err),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(store_policy_attached_count(tx, "pa", &n, &err), 0);
	assert_int_equal(n, 2);
	c_rollback(tx);
}


/* With the group prefix: a group's policies and its ancestors', once. */
static void
policy_attached_ancestors(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char buf[512];
	int page;

	c_group_put(tx, "root", "", NULL);
	c_group_put(tx, "mid", "root", NULL);
	c_group_put(tx, "leaf", "mid", NULL);
	c_group_put(tx, "side", "root", NULL);
	pol_put(tx, "p-root", 1000, "{}");
	pol_put(tx, "p-mid", 1000, "{}");
	pol_put(tx, "p-leaf", 1000, "{}");
	pol_put(tx, "p-both", 1000, "{}");
	pol_put(tx, "p-side", 1000, "{}");
	attach(tx, "p-root", C_GROUP_ARN "root", 1000, true);
	attach(tx, "p-mid", C_GROUP_ARN "mid", 1000, true);
	attach(tx, "p-leaf", C_GROUP_ARN "leaf", 1000, true);
	attach(tx, "p-both", C_GROUP_ARN "leaf", 1000, true);
	attach(tx, "p-both", C_GROUP_ARN "root", 1000, true);
	attach(tx, "p-side", C_GROUP_ARN "side", 1000, true);
	c_commit(tx);
	tx = c_begin(st, false);
	for (page = 1; page <= 5; page++) {
		assert_string_equal(nwalk(tx, C_GROUP_ARN "leaf", C_GROUP_ARN,
		    "leaf", NULL, page, buf, sizeof(buf)),
		    "p-both,p-leaf,p-mid,p-root");
		assert_string_equal(nwalk(tx, C_GROUP_ARN "leaf", NULL, NULL,
		    NULL, page, buf, sizeof(buf)), "p-both,p-leaf");
		assert_string_equal(nwalk(tx, C_GROUP_ARN "side", C_GROUP_ARN,
		    "side", NULL, page, buf, sizeof(buf)),
		    "p-both,p-root,p-side");
		assert_string_equal(nwalk(tx, C_GROUP_ARN "root", C_GROUP_ARN,
		    "root", NULL, page, buf, sizeof(buf)), "p-both,p-root");
	}
	c_rollback(tx);
}

/* The documents behind an authorization: each attached policy's default. */
static void
policy_target_docs(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_policy p = { 0 };
	json_t *out = json_array();
	struct err err;

	pol_put(tx, "d1", 1000, "{\"d1\":1}");
	pol_put(tx, "d2", 1000, "{\"d2\":1}");
	pol_put(tx, "d3", 1000, "{\"d3\":1}");
	attach(tx, "d2", C_CERT "t", 1000, true);
	attach(tx, "d1", C_CERT "t", 1000, true);
	attach(tx, "d3", C_CERT "u", 1000, true);
	c_commit(tx);
	tx = c_begin(st, true);
	json_array_append_new(out, json_string("kept"));
	assert_int_equal(store_target_policy_docs(tx, C_CERT "t", out, &err),
	    0);
	assert_int_equal(c_len(out), 3);
	assert_string_equal(c_str(out, 0), "kept");
	/* Either order; both documents, no other's. */
	assert_true((strcmp(c_str(out, 1), "{\"d1\":1}") == 0 &&
	    strcmp(c_str(out, 2), "{\"d2\":1}") == 0) ||
	    (strcmp(c_str(out, 2), "{\"d1\":1}") == 0 &&
	    strcmp(c_str(out, 1), "{\"d2\":1}") == 0));
	json_array_clear(out);
	/* A new default version: its document, not version 1's. */
	ver_put(tx, "d3", 2, "{\"d3\":2}", 1100);
	assert_int_equal(store_policy_get(tx, "d3", &p, &err), 1);
	p.default_version = 2;
	p.next_version = 3;
	assert_int_equal(store_policy_update(tx, &p, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_target_policy_docs(tx, C_CERT "u", out, &err),
	    0);
	assert_int_equal(c_len(out), 1);
	assert_string_equal(c_str(out, 0), "{\"d3\":2}");
	json_array_clear(out);
	assert_int_equal(store_target_policy_docs(tx, C_CERT "none", out,
	    &err), 0);
	assert_int_equal(c_len(out), 0);
	/* A deleted policy's attachment has no document to give. */
	assert_int_equal(store_policy_delete(tx, "d3", &err), 0);
	assert_int_equal(store_target_policy_docs(tx, C_CERT "u", out, &err),
	    0);
	assert_int_equal(c_len(out), 0);
	c_commit(tx);
	json_decref(out);
}

static const struct CMUnitTest tests[] = {
	C_CASE(policy_round_trip),
	C_CASE(policy_versions),
	C_CASE(policy_list_order),
	C_CASE(policy_attachments),
	C_CASE(policy_attached_ancestors),
	C_CASE(policy_target_docs),
};

C_AREA(c_area_policy, "policy", tests);
