/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates and CA certificates (store_cert.h, with what
 * authentication reads of them in store_identity.h and the broker's
 * trust store of store_broker.h): round trips in which an update writes
 * only the fields it names, the listings in creation order both ways
 * through pages, the attachment counts DeleteCertificate checks, the
 * registration code, and the authorization generation that must move
 * with every committed bump and only then.
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_broker.h"
#include "store/store_cert.h"
#include "store/store_identity.h"
#include "store/store_policy.h"
#include "store/store_principal.h"

/* A certificate id: 64 times the hex digit C. */
static const char *
cid(char c, char buf[STORE_CERT_ID_LEN + 1])
{
	memset(buf, c, STORE_CERT_ID_LEN);
	buf[STORE_CERT_ID_LEN] = '\0';
	return buf;
}

/* Inserts certificate C... (of CA CA..., '\0': none) created at AT. */
static void
cert_put(struct store_tx *tx, char c, char ca, const char *status,
    int64_t at)
{
	struct store_cert cert = { .not_before = 100, .not_after = 200,
	    .customer_version = 1, .created_at = at, .modified_at = at };
	struct err err;
	char pem[64];

	cid(c, cert.id);
	if (ca != '\0')
		cid(ca, cert.ca_id);
	snprintf(pem, sizeof(pem), "PEM-%c", c);
	cert.pem = pem;
	snprintf(cert.status, sizeof(cert.status), "%s", status);
	snprintf(cert.mode, sizeof(cert.mode), "DEFAULT");
	snprintf(cert.common_name, sizeof(cert.common_name), "cn-%c", c);
	snprintf(cert.generation_id, sizeof(cert.generation_id), "gen-%c", c);
	assert_int_equal(store_cert_insert(tx, &cert, &err), 0);
}

/* Inserts CA certificate C... of SUBJECT, registration configuration
 * CONFIG (JSON text, NULL: none), created at AT. */
static void
ca_put(struct store_tx *tx, char c, const char *subject, const char *status,
    const char *config, int64_t at)
{
	struct store_ca ca = { .not_before = 10, .not_after = 20,
	    .customer_version = 1, .created_at = at, .modified_at = at };
	struct err err;
	char pem[64];

	cid(c, ca.id);
	snprintf(pem, sizeof(pem), "CA-PEM-%c", c);
	ca.pem = pem;
	ca.subject = (char *)subject;
	snprintf(ca.status, sizeof(ca.status), "%s", status);
	snprintf(ca.auto_registration, sizeof(ca.auto_registration),
	    "DISABLE");
	snprintf(ca.mode, sizeof(ca.mode), "DEFAULT");
	snprintf(ca.generation_id, sizeof(ca.generation_id), "cagen-%c", c);
	ca.registration_config = config != NULL ? json_loads(config, 0, NULL) :
	    NULL;
	assert_int_equal(store_ca_insert(tx, &ca, &err), 0);
	json_decref(ca.registration_config);
}

static void
cert_round_trip(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_cert c = { 0 };
	struct err err;
	char id[STORE_CERT_ID_LEN + 1], ca[STORE_CERT_ID_LEN + 1];

	ca_put(tx, 'c', "CN=ca", "ACTIVE", NULL, 900);
	cert_put(tx, 'a', 'c', "ACTIVE", 1000);
	cert_put(tx, 'b', '\0', "PENDING_TRANSFER", 1000);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_cert_get(tx, cid('a', id), &c, &err), 1);
	assert_string_equal(c.id, id);
	assert_string_equal(c.pem, "PEM-a");
	assert_string_equal(c.status, "ACTIVE");
	assert_string_equal(c.ca_id, cid('c', ca));
	assert_string_equal(c.mode, "DEFAULT");
	assert_string_equal(c.common_name, "cn-a");
	assert_int_equal(c.not_before, 100);
	assert_int_equal(c.not_after, 200);
	assert_int_equal(c.customer_version, 1);
	assert_string_equal(c.generation_id, "gen-a");
	assert_int_equal(c.created_at, 1000);
	assert_int_equal(c.modified_at, 1000);
	/* Update writes status, version, generation, modification only. */
	snprintf(c.status, sizeof(c.status), "REVOKED");
	c.customer_version = 2;
	snprintf(c.generation_id, sizeof(c.generation_id), "gen-a-2");
	c.modified_at = 1500;
	c.created_at = 1;
	c.not_after = 1;
	snprintf(c.common_name, sizeof(c.common_name), "changed");
	snprintf(c.mode, sizeof(c.mode), "SNI_ONLY");
	c.ca_id[0] = '\0';
	assert_int_equal(store_cert_update(tx, &c, &err), 0);
	store_cert_release(&c);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_cert_get(tx, id, &c, &err), 1);
	assert_string_equal(c.status, "REVOKED");
	assert_int_equal(c.customer_version, 2);
	assert_string_equal(c.generation_id, "gen-a-2");
	assert_int_equal(c.modified_at, 1500);
	assert_int_equal(c.created_at, 1000);
	assert_int_equal(c.not_after, 200);
	assert_string_equal(c.common_name, "cn-a");
	assert_string_equal(c.mode, "DEFAULT");
	assert_string_equal(c.ca_id, ca);
	assert_string_equal(c.pem, "PEM-a");
	store_cert_release(&c);
	/* Without a CA: "". Existence only; not found. */
	assert_int_equal(store_cert_get(tx, cid('b', id), &c, &err), 1);
	assert_string_equal(c.ca_id, "");
	assert_string_equal(c.status, "PENDING_TRANSFER");
	store_cert_release(&c);
	assert_int_equal(store_cert_get(tx, id, NULL, &err), 1);
	assert_int_equal(store_cert_get(tx, cid('9', id), NULL, &err), 0);
	assert_int_equal(store_cert_get(tx, id, &c, &err), 0);
	/* A CA id is not a certificate's. */
	assert_int_equal(store_cert_get(tx, ca, NULL, &err), 0);
	/* Delete: gone, the other stays; a missing one is not an error. */
	assert_int_equal(store_cert_delete(tx, cid('a', id), &err), 0);
	assert_int_equal(store_cert_delete(tx, cid('9', id), &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_cert_get(tx, cid('a', id), NULL, &err), 0);
	assert_int_equal(store_cert_get(tx, cid('b', id), NULL, &err), 1);
	assert_int_equal(store_ca_get(tx, ca, NULL, &err), 1);
	c_rollback(tx);
}

/* What authentication reads: the certificate with its CA's status. */
static void
cert_auth_view(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_cert_auth a;
	struct store_ca ca = { 0 };
	struct err err;
	char id[STORE_CERT_ID_LEN + 1], caid[STORE_CERT_ID_LEN + 1];

	ca_put(tx, 'c', "CN=ca", "ACTIVE", NULL, 900);
	cert_put(tx, 'a', 'c', "ACTIVE", 1000);
	cert_put(tx, 'b', '\0', "INACTIVE", 1000);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_cert_auth_get(tx, cid('a', id), &a, &err), 1);
	assert_string_equal(a.status, "ACTIVE");
	assert_string_equal(a.ca_id, cid('c', caid));
	assert_string_equal(a.ca_status, "ACTIVE");
	assert_string_equal(a.common_name, "cn-a");
	assert_int_equal(a.not_before, 100);
	assert_int_equal(a.not_after, 200);
	assert_int_equal(store_cert_auth_get(tx, cid('b', id), &a, &err), 1);
	assert_string_equal(a.status, "INACTIVE");
	assert_string_equal(a.ca_id, "");
	assert_string_equal(a.ca_status, "");
	assert_int_equal(store_cert_auth_get(tx, cid('9', id), &a, &err), 0);
	/* The CA's status as it is now. */
	assert_int_equal(store_ca_get(tx, caid, &ca, &err), 1);
	snprintf(ca.status, sizeof(ca.status), "INACTIVE");
	assert_int_equal(store_ca_update(tx, &ca, &err), 0);
	store_ca_release(&ca);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_cert_auth_get(tx, cid('a', id), &a, &err), 1);
	assert_string_equal(a.ca_status, "INACTIVE");
	assert_string_equal(a.status, "ACTIVE");
	c_rollback(tx);
}

static void
ca_round_trip(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_ca ca = { 0 };
	struct err err;
	char id[STORE_CERT_ID_LEN + 1];

	ca_put(tx, 'd', "CN=root,O=x", "ACTIVE",
	    "{\"templateName\":\"tpl\",\"roleArn\":\"r\"}", 1000);
	ca_put(tx, 'e', "CN=other", "INACTIVE", NULL, 1001);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_ca_get(tx, cid('d', id), &ca, &err), 1);
	assert_string_equal(ca.id, id);
	assert_string_equal(ca.pem, "CA-PEM-d");
	assert_string_equal(ca.status, "ACTIVE");
	assert_string_equal(ca.auto_registration, "DISABLE");
	assert_string_equal(ca.mode, "DEFAULT");
	assert_string_equal(ca.subject, "CN=root,O=x");
	assert_non_null(ca.registration_config);
	assert_string_equal(json_string_value(json_object_get(
	    ca.registration_config, "templateName")), "tpl");
	assert_int_equal(ca.not_before, 10);
	assert_int_equal(ca.not_after, 20);
	assert_int_equal(ca.customer_version, 1);
	assert_string_equal(ca.generation_id, "cagen-d");
	assert_int_equal(ca.created_at, 1000);
	assert_int_equal(ca.modified_at, 1000);
	/* Update: status, auto-registration, configuration, version,
	 * generation, modification; nothing else. */
	snprintf(ca.status, sizeof(ca.status), "INACTIVE");
	snprintf(ca.auto_registration, sizeof(ca.auto_registration),
	    "ENABLE");
	json_decref(ca.registration_config);
	ca.registration_config = NULL;
	ca.customer_version = 2;
	snprintf(ca.generation_id, sizeof(ca.generation_id), "cagen-d-2");
	ca.modified_at = 1600;
	ca.created_at = 1;
	ca.not_after = 1;
	free(ca.subject);
	ca.subject = strdup("CN=changed");
	snprintf(ca.mode, sizeof(ca.mode), "SNI_ONLY");
	assert_int_equal(store_ca_update(tx, &ca, &err), 0);
	store_ca_release(&ca);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_ca_get(tx, id, &ca, &err), 1);
	assert_string_equal(ca.status, "INACTIVE");
	assert_string_equal(ca.auto_registration, "ENABLE");
	assert_null(ca.registration_config);
	assert_int_equal(ca.customer_version, 2);
	assert_string_equal(ca.generation_id, "cagen-d-2");
	assert_int_equal(ca.modified_at, 1600);
	assert_int_equal(ca.created_at, 1000);
	assert_int_equal(ca.not_after, 20);
	assert_string_equal(ca.subject, "CN=root,O=x");
	assert_string_equal(ca.mode, "DEFAULT");
	assert_string_equal(ca.pem, "CA-PEM-d");
	store_ca_release(&ca);
	assert_int_equal(store_ca_get(tx, cid('e', id), &ca, &err), 1);
	assert_null(ca.registration_config);
	store_ca_release(&ca);
	assert_int_equal(store_ca_get(tx, id, NULL, &err), 1);
	assert_int_equal(store_ca_get(tx, cid('9', id), NULL, &err), 0);
	assert_int_equal(store_ca_get(tx, id, &ca, &err), 0);
	assert_int_equal(store_ca_delete(tx, cid('d', id), &err), 0);
	assert_int_equal(store_ca_delete(tx, cid('9', id), &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_ca_get(tx, cid('d', id), &ca, &err), 0);
	assert_int_equal(store_ca_get(tx, cid('e', id), NULL, &err), 1);
	c_rollback(tx);
}

/* The array A of strings sorted, joined with "," into BUF. */
static const char *
sorted(json_t *a, char *buf, size_t size)
{
	size_t i, j, n = c_len(a), len = 0;
	const char *s[16];

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		s[i] = c_str(a, i);
		for (j = i; j > 0 && strcmp(s[j - 1], s[j]) > 0; j--) {
			const char *t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	}
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%.1s",
		    i > 0 ? "," : "", s[i]);
	return buf;
}

/* CAs by subject (and status); the broker's ACTIVE PEMs in id order. */
static void
ca_subject_and_pems(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	json_t *out = json_array();
	struct store_ca ca = { 0 };
	struct err err;
	char buf[64], id[STORE_CERT_ID_LEN + 1];

	ca_put(tx, 'f', "CN=s", "ACTIVE", NULL, 1000);
	ca_put(tx, 'b', "CN=s", "INACTIVE", NULL, 1000);
	ca_put(tx, 'd', "CN=s", "ACTIVE", NULL, 1000);
	ca_put(tx, 'a', "CN=s,O=x", "ACTIVE", NULL, 1000);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_ca_by_subject(tx, "CN=s", NULL, out, &err), 0);
	assert_string_equal(sorted(out, buf, sizeof(buf)), "b,d,f");
	assert_int_equal(strlen(c_str(out, 0)), STORE_CERT_ID_LEN);
	json_array_clear(out);
	assert_int_equal(store_ca_by_subject(tx, "CN=s", "ACTIVE", out, &err),
	    0);
	assert_string_equal(sorted(out, buf, sizeof(buf)), "d,f");
	json_array_clear(out);
	assert_int_equal(store_ca_by_subject(tx, "CN=none", NULL, out, &err),
	    0);
	assert_int_equal(c_len(out), 0);
	/* The trust store: ACTIVE ones, appended, in id order. */
	json_array_append_new(out, json_string("kept"));
	assert_int_equal(store_ca_active_pems(tx, out, &err), 0);
	assert_int_equal(c_len(out), 4);
	assert_string_equal(c_str(out, 0), "kept");
	assert_string_equal(c_str(out, 1), "CA-PEM-a");
	assert_string_equal(c_str(out, 2), "CA-PEM-d");
	assert_string_equal(c_str(out, 3), "CA-PEM-f");
	json_array_clear(out);
	/* It follows status changes and deletes. */
	assert_int_equal(store_ca_get(tx, cid('b', id), &ca, &err), 1);
	snprintf(ca.status, sizeof(ca.status), "ACTIVE");
	assert_int_equal(store_ca_update(tx, &ca, &err), 0);
	store_ca_release(&ca);
	assert_int_equal(store_ca_get(tx, cid('f', id), &ca, &err), 1);
	snprintf(ca.status, sizeof(ca.status), "INACTIVE");
	assert_int_equal(store_ca_update(tx, &ca, &err), 0);
	store_ca_release(&ca);
	assert_int_equal(store_ca_delete(tx, cid('a', id), &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_ca_active_pems(tx, out, &err), 0);
	assert_int_equal(c_len(out), 2);
	assert_string_equal(c_str(out, 0), "CA-PEM-b");
	assert_string_equal(c_str(out, 1), "CA-PEM-d");
	json_array_clear(out);
	assert_int_equal(store_ca_by_subject(tx, "CN=s", "ACTIVE", out, &err),
	    0);
	assert_string_equal(sorted(out, buf, sizeof(buf)), "b,d");
	c_rollback(tx);
	json_decref(out);
}

/*
 * Every row of ListCertificates (CERTS; CA_ID NULL or the CA's) or of
 * ListCACertificates (TEMPLATE) through pages of PAGE in the order
 * asked: the first hex digit of each id, joined into BUF.
 */
static const char *
cert_walk(struct store_tx *tx, bool certs, const char *ca_id,
    const char *template_name, bool ascending, int page, char *buf,
    size_t size)
{
	struct store_cert_page pg = { ascending, false, 0, "", page };
	json_t *out = json_array(), *o;
	struct err err;
	size_t i, len = 0;
	int64_t at, last_at = 0;
	bool more;
	int n = 0;

	buf[0] = '\0';
	do {
		json_array_clear(out);
		if (certs)
			assert_int_equal(store_cert_list(tx, ca_id, &pg, out,
			    &more, &err), 0);
		else
			assert_int_equal(store_ca_list(tx, template_name, &pg,
			    out, &more, &err), 0);
		if (more)
			assert_int_equal(c_len(out), page);
		for (i = 0; i < c_len(out); i++) {
			const char *id = c_member(out, i, "certificateId");

			o = json_array_get(out, i);
			assert_non_null(json_string_value(json_object_get(o,
			    "status")));
			assert_int_equal(json_object_get(o,
			    "certificateMode") != NULL, certs);
			assert_true(json_is_integer(json_object_get(o,
			    "creationDate")));
			at = json_integer_value(json_object_get(o,
			    "creationDate"));
			if (n++ > 0) {
				int c = strcmp(id, pg.after_id);

				if (ascending)
					assert_true(at > last_at ||
					    (at == last_at && c > 0));
				else
					assert_true(at < last_at ||
					    (at == last_at && c < 0));
			}
			last_at = at;
			snprintf(pg.after_id, sizeof(pg.after_id), "%s", id);
			pg.after_at = at;
			pg.has_after = true;
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len,
				    "%.1s", id);
		}
	} while (more);
	json_decref(out);
	return buf;
}

/* ListCertificates(ByCA), ListCACertificates: creation order, pages. */
static void
cert_listings(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char buf[64], ca[STORE_CERT_ID_LEN + 1];
	int page;

	ca_put(tx, '1', "CN=a", "ACTIVE", "{\"templateName\":\"t1\"}", 500);
	ca_put(tx, '2', "CN=b", "ACTIVE", NULL, 400);
	ca_put(tx, '3', "CN=c", "INACTIVE", "{\"templateName\":\"t1\"}", 500);
	ca_put(tx, '4', "CN=d", "ACTIVE", "{\"templateName\":\"t2\"}", 600);
	cert_put(tx, 'e', '1', "ACTIVE", 3000);
	cert_put(tx, 'c', '\0', "ACTIVE", 1000);
	cert_put(tx, 'a', '1', "INACTIVE", 2000);
	cert_put(tx, 'b', '\0', "ACTIVE", 2000);
	cert_put(tx, 'd', '1', "REVOKED", 2000);
	cert_put(tx, 'f', '2', "ACTIVE", 500);
	c_commit(tx);
	tx = c_begin(st, false);
	for (page = 1; page <= 7; page++) {
		assert_string_equal(cert_walk(tx, true, NULL, NULL, true, page,
		    buf, sizeof(buf)), "fcabde");
		assert_string_equal(cert_walk(tx, true, NULL, NULL, false,
		    page, buf, sizeof(buf)), "edbacf");
		assert_string_equal(cert_walk(tx, true, cid('1', ca), NULL,
		    true, page, buf, sizeof(buf)), "ade");
		assert_string_equal(cert_walk(tx, true, ca, NULL, false, page,
		    buf, sizeof(buf)), "eda");
		assert_string_equal(cert_walk(tx, true, cid('9', ca), NULL,
		    true, page, buf, sizeof(buf)), "");
		assert_string_equal(cert_walk(tx, false, NULL, NULL, true,
		    page, buf, sizeof(buf)), "2134");
		assert_string_equal(cert_walk(tx, false, NULL, NULL, false,
		    page, buf, sizeof(buf)), "4312");
		assert_string_equal(cert_walk(tx, false, NULL, "t1", true,
		    page, buf, sizeof(buf)), "13");
		assert_string_equal(cert_walk(tx, false, NULL, "t1", false,
		    page, buf, sizeof(buf)), "31");
		assert_string_equal(cert_walk(tx, false, NULL, "none", true,
		    page, buf, sizeof(buf)), "");
	}
	c_rollback(tx);
	/* A page, certificates created before the position, the rest. */
	tx = c_begin(st, false);
	{
		struct store_cert_page pg = { true, false, 0, "", 3 };
		json_t *out = json_array();
		struct err err;
		size_t i;
		bool more;

		assert_int_equal(store_cert_list(tx, NULL, &pg, out, &more,
		    &err), 0);
		assert_true(more);
		c_rollback(tx);
		tx = c_begin(st, true);
		cert_put(tx, '0', '\0', "ACTIVE", 2000);
		cert_put(tx, '9', '\0', "ACTIVE", 100);
		/* The certificate at the position may go too. */
		assert_int_equal(store_cert_delete(tx, cid('a', ca), &err), 0);
		c_commit(tx);
		tx = c_begin(st, false);
		pg.has_after = true;
		pg.after_at = 2000;
		cid('a', pg.after_id);
		pg.limit = 10;
		assert_int_equal(store_cert_list(tx, NULL, &pg, out, &more,
		    &err), 0);
		assert_false(more);
		buf[0] = '\0';
		for (i = 0; i < c_len(out); i++)
			snprintf(buf + i, sizeof(buf) - i, "%.1s",
			    c_member(out, i, "certificateId"));
		assert_string_equal(buf, "fcabde");
		json_decref(out);
	}
	c_rollback(tx);
}

/* What DeleteCertificate checks, and dropping the policies of one. */
static void
cert_attachments(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	struct store_policy p = { .default_version = 1, .next_version = 2,
	    .created_at = 1000, .modified_at = 1000 };
	struct err err;
	int64_t things = -1, policies = -1, n;
	bool added;

	snprintf(p.generation_id, sizeof(p.generation_id), "g");
	snprintf(p.name, sizeof(p.name), "p1");
	assert_int_equal(store_policy_insert(tx, &p, "{}", &err), 0);
	snprintf(p.name, sizeof(p.name), "p2");
	assert_int_equal(store_policy_insert(tx, &p, "{}", &err), 0);
	assert_int_equal(store_cert_attached(tx, C_ARN "cert/x", &things,
	    &policies, &err), 0);
	assert_int_equal(things, 0);
	assert_int_equal(policies, 0);
	assert_int_equal(store_thing_principal_put(tx, "t1", C_ARN "cert/x",
	    "NON_EXCLUSIVE_THING", 1000, &err), 0);
	assert_int_equal(store_thing_principal_put(tx, "t2", C_ARN "cert/x",
	    "NON_EXCLUSIVE_THING", 1000, &err), 0);
	assert_int_equal(store_policy_attach(tx, "p1", C_ARN "cert/x", 1000,
	    &added, &err), 0);
	assert_int_equal(store_policy_attach(tx, "p2", C_ARN "cert/x", 1000,
	    &added, &err), 0);
	assert_int_equal(store_policy_attach(tx, "p1", C_ARN "cert/y", 1000,
	    &added, &err), 0);
	assert_int_equal(store_policy_attach(tx, "p1", C_ARN "cert/xy", 1000,
	    &added, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_cert_attached(tx, C_ARN "cert/x", &things,
	    &policies, &err), 0);
	assert_int_equal(things, 2);
	assert_int_equal(policies, 2);
	assert_int_equal(store_cert_attached(tx, C_ARN "cert/y", &things,
	    &policies, &err), 0);
	assert_int_equal(things, 0);
	assert_int_equal(policies, 1);
	/* Detach the policies of x: its things and the others' stay. */
	assert_int_equal(store_cert_detach_policies(tx, C_ARN "cert/x", &err),
	    0);
	assert_int_equal(store_cert_detach_policies(tx, C_ARN "cert/none",
	    &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_cert_attached(tx, C_ARN "cert/x", &things,
	    &policies, &err), 0);
	assert_int_equal(things, 2);
	assert_int_equal(policies, 0);
	assert_int_equal(store_policy_attached_count(tx, "p1", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_policy_target_count(tx, C_ARN "cert/xy", &n,
	    &err), 0);
	assert_int_equal(n, 1);
	c_rollback(tx);
}

static void
regcode(void **state)
{
	struct store *st = *state;
	struct store_tx *tx = c_begin(st, true);
	char code[STORE_REGCODE_LEN + 1], a[STORE_REGCODE_LEN + 1],
	    b[STORE_REGCODE_LEN + 1];
	struct err err;

	memset(a, 'a', STORE_REGCODE_LEN);
	a[STORE_REGCODE_LEN] = '\0';
	memset(b, 'b', STORE_REGCODE_LEN);
	b[STORE_REGCODE_LEN] = '\0';
	assert_int_equal(store_regcode_get(tx, code, &err), 0);
	/* Deleting none is not an error. */
	assert_int_equal(store_regcode_delete(tx, &err), 0);
	assert_int_equal(store_regcode_put(tx, a, 1000, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_regcode_get(tx, code, &err), 1);
	assert_string_equal(code, a);
	/* Put replaces. */
	assert_int_equal(store_regcode_put(tx, b, 2000, &err), 0);
	assert_int_equal(store_regcode_get(tx, code, &err), 1);
	assert_string_equal(code, b);
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_regcode_get(tx, code, &err), 1);
	assert_string_equal(code, a);
	assert_int_equal(store_regcode_delete(tx, &err), 0);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_regcode_get(tx, code, &err), 0);
	assert_int_equal(store_regcode_put(tx, b, 3000, &err), 0);
	c_commit(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_regcode_get(tx, code, &err), 1);
	assert_string_equal(code, b);
	c_rollback(tx);
}

/* The generation moves by one per committed bump, and only then. */
static void
authz_generation(void **state)
{
	struct store *st = *state, *other;
	struct store_tx *tx = c_begin(st, false), *snap;
	struct err err;
	int64_t g0, g;

	assert_int_equal(store_authz_generation(tx, &g0, &err), 0);
	c_rollback(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_authz_bump(tx, &err), 0);
	/* Inside the transaction: its own bump. */
	assert_int_equal(store_authz_generation(tx, &g, &err), 0);
	assert_int_equal(g, g0 + 1);
	c_rollback(tx);
	tx = c_begin(st, false);
	assert_int_equal(store_authz_generation(tx, &g, &err), 0);
	assert_int_equal(g, g0);
	c_rollback(tx);
	/* Two bumps in one transaction, one in the next. */
	tx = c_begin(st, true);
	assert_int_equal(store_authz_bump(tx, &err), 0);
	assert_int_equal(store_authz_bump(tx, &err), 0);
	c_commit(tx);
	snap = c_begin(st, false);
	assert_int_equal(store_authz_generation(snap, &g, &err), 0);
	assert_int_equal(g, g0 + 2);
	tx = c_begin(st, true);
	assert_int_equal(store_authz_bump(tx, &err), 0);
	c_commit(tx);
	/* A read begun before keeps its snapshot; another opener sees it. */
	assert_int_equal(store_authz_generation(snap, &g, &err), 0);
	assert_int_equal(g, g0 + 2);
	c_rollback(snap);
	assert_int_equal(contract_open(&other, &err), 0);
	tx = c_begin(other, false);
	assert_int_equal(store_authz_generation(tx, &g, &err), 0);
	assert_int_equal(g, g0 + 3);
	c_rollback(tx);
	store_close(other);
}

static const struct CMUnitTest tests[] = {
	C_CASE(cert_round_trip),
	C_CASE(cert_auth_view),
	C_CASE(ca_round_trip),
	C_CASE(ca_subject_and_pems),
	C_CASE(cert_listings),
	C_CASE(cert_attachments),
	C_CASE(regcode),
	C_CASE(authz_generation),
};

C_AREA(c_area_cert, "cert", tests);
