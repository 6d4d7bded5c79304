/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend core (libpq): connections, transactions, group
 * commit, the lead and the watch of other nodes' commits. Several iotjobsd
 * nodes, on several hosts, may share one database; everything they agree
 * on lives in it.
 *
 * Writes: every write transaction of every node runs alone, as on SQLite
 * (store.h: "WRITE transactions are serialized and see every committed
 * write"), so that each operation's reads and checks hold until it
 * commits. A node's writes go through one connection with group commit:
 * a write transaction is a SAVEPOINT inside the writer's open
 * transaction, which began by taking a transaction-level advisory lock
 * (pg_advisory_xact_lock) that every node's writer takes, and pg_end()
 * returns only once a COMMIT covering it returned (synchronous_commit as
 * the server has it: on by default, so the COMMIT returns once durable).
 * One COMMIT answers every write that ran while the previous one was
 * being written; a failed request rolls back only its own savepoint. The
 * lock is released by the COMMIT, or by the server when the node dies.
 *
 * Reads: each thread reads through a connection of its own, in
 * REPEATABLE READ READ ONLY transactions (a consistent snapshot).
 *
 * Lead: a session-level advisory lock held on a connection of its own;
 * the server drops it when that connection ends (the node died: kill -9
 * included). Other nodes' commits reach the leader through LISTEN/NOTIFY:
 * each batch's COMMIT carries a NOTIFY on the store's channel.
 *
 * Schemas: the store is the first schema of the connection's search_path
 * (libpq's options=-csearch_path=NAME), created when missing; the locks
 * and the channel are the schema's own, so several stores may share one
 * database.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "pg_int.h"
#include "version.h"
#include "xmalloc.h"

#define PG_CACHE_SLOTS	256	/* prepared statements, open addressing */
#define PG_BATCH_RING	1024	/* commit results kept for late waiters */
#define PG_DEFER_MAX	16	/* statements waiting for a query */
#define PG_BATCH_MAX	512	/* writes after which a COMMIT is not delayed */
#define PG_HOOKS_MAX	8
#define PG_WATCH_MS	100	/* the watcher's wait between looks */
#define PG_URL_MAX	2048

/* The advisory lock classes (first key); the second is the schema's. */
#define PG_LOCK_WRITE	0x696f7401
#define PG_LOCK_LEAD	0x696f7402
#define PG_LOCK_MIGRATE	0x696f7403

struct pg_conn {
	PGconn *db;
	struct {
		const char *sql;
	} cache[PG_CACHE_SLOTS];	/* statement "sN" is slot N's SQL */
	/*
	 * A transaction's opening statements (a reader's BEGIN; a write's
	 * SAVEPOINT, after the batch's BEGIN and write lock and the last
	 * write's RELEASE) wait for its first query and go in one pipeline
	 * with it (pg_defer); any other use of the connection sends them
	 * first (pg_flush). A reader's ROLLBACK is sent without waiting, its
	 * result read at the connection's next use (pg_conn_drain).
	 */
	struct pg_deferred {
		const char *sql;	/* no parameters; or NULL, and: */
		char name[16];		/* a prepared statement, with */
		struct pg_args args;	/* a copy of its parameters */
		char *buf;		/* holding their text */
	} defer[PG_DEFER_MAX];
	int ndefer;
	bool unread;			/* a ROLLBACK's result is due */
	struct pg_conn *next;		/* every reader, for store_close */
};

struct pg_store {
	struct store base;
	char url[PG_URL_MAX];		/* as libpq takes it */
	char shown[PG_URL_MAX];		/* the same without a password */
	int key;			/* the schema's lock key */
	char channel[64];		/* the schema's NOTIFY channel */
	pthread_mutex_t write_lock;	/* the writer connection */
	struct pg_conn *writer;
	bool writer_open;		/* BEGIN done, COMMIT due */
	bool writer_dirty;		/* a write of the open batch was kept */
	bool batch_lost;		/* the server ended the open batch */
	/* The last write's RELEASE goes with the next SAVEPOINT (or COMMIT). */
	bool release_due;
	char lock_sql[96];		/* the batch's write lock */
	/* The open batch's outbox switch (pg_batch_switch_get). */
	bool switch_known, switch_notify, switch_events;
	uint64_t open_batch;
	/* Group commit, under gc_lock; the committer thread commits. */
	pthread_mutex_t gc_lock;
	pthread_cond_t gc_cond;
	pthread_cond_t done_cond;
	pthread_t committer;
	bool stopping;
	int writers;			/* write transactions begun, not ended */
	int batch_size;
	uint64_t joined;		/* newest batch a write joined */
	uint64_t committed;		/* last batch whose COMMIT returned */
	bool batch_ok[PG_BATCH_RING];	/* outcome of batch % RING */
	struct {
		void (*fn)(void *);
		void *arg;
	} hooks[PG_HOOKS_MAX];
	int nhooks;
	pthread_key_t reader_key;
	pthread_mutex_t list_lock;
	struct pg_conn *readers;
	int schema_version;
	PGconn *lead;			/* NULL, or the lock's connection */
	atomic_bool leading;		/* the lock is ours (watcher: lost) */
	/* store_watch_start: other nodes' commits run the hooks. */
	pthread_t watcher;
	bool watching;
	bool watch_stop;		/* under gc_lock */
	void (*watch_fn)(void *);
	void *watch_arg;
	void (*fail_fn)(void *);
	void *fail_arg;
};

static void *pg_committer(void *arg);
static int pg_flush(struct pg_conn *c, struct err *err);
static void pg_defer_clear(struct pg_conn *c);

/* The server's notices ("already exists, skipping"): the debug log. */
static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("store: postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
}

/*
 * A connection to URL. connect_timeout comes before the URL's own
 * settings so that the URL may override it.
 */
static PGconn *
pg_connect(const char *url, struct err *err)
{
	static const char *const keys[] = { "connect_timeout", "dbname",
	    "fallback_application_name", NULL };
	const char *values[] = { "10", url, "iotjobsd", NULL };
	PGconn *db = PQconnectdbParams(keys, values, 1);

	if (db == NULL)
		fatalx("store: out of memory");
	if (PQstatus(db) != CONNECTION_OK) {
		err_set(err, ERR_UNAVAILABLE, "cannot connect to the store:"
		    " %s", PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	PQsetNoticeProcessor(db, pg_notice, NULL);
	return db;
}

static struct pg_conn *
pg_conn_open(struct pg_store *st, struct err *err)
{
	struct pg_conn *c;
	PGconn *db = pg_connect(st->url, err);

	if (db == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->db = db;
	return c;
}

/* After the server ended C's session: a new one, with no statement. */
static int
pg_conn_reset(struct pg_conn *c, struct err *err)
{
	memset(c->cache, 0, sizeof(c->cache));
	pg_defer_clear(c);
	c->unread = false;
	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK)
		return err_set(err, ERR_UNAVAILABLE, "the store is"
		    " unavailable: %s", PQerrorMessage(c->db));
	log_info("store: reconnected to the database");
	return 0;
}

static void
pg_conn_close(struct pg_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->db);
	free(c);
}

PGconn *
pg_db(struct store_tx *tx)
{
	struct pg_conn *c = pg_txp(tx)->conn;

	/* A failure shows in the connection's state at its next use. */
	pg_flush(c, NULL);
	return c->db;
}

int
pg_fail(struct store_tx *tx, const PGresult *r, struct err *err)
{
	const char *state = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	PGconn *db = pg_txp(tx)->conn->db;

	metrics_store_error();
	if (msg == NULL)
		msg = PQerrorMessage(db);
	log_warnx("store: postgresql error %s: %s", state != NULL ? state :
	    "(none)", msg);
	if (PQstatus(db) != CONNECTION_OK || state == NULL ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strncmp(state, "53", 2) == 0 || strncmp(state, "40", 2) == 0)
		return err_set(err, ERR_UNAVAILABLE, "the store is"
		    " unavailable: %s", state != NULL ? state :
		    "connection lost");
	return err_set(err, ERR_INTERNAL_FAILURE, "internal store error: %s",
	    state);
}

/*
 * The name of SQL's prepared statement on TX's connection, preparing it
 * on first use. Fatal when SQL does not compile (a programmer error);
 * -1 with ERR when the server is gone.
 */
static int
pg_prepared(struct store_tx *tx, const char *sql, int nparams,
    char name[16], struct err *err)
{
	struct pg_conn *c = pg_txp(tx)->conn;
	size_t h = ((uintptr_t)sql >> 3) % PG_CACHE_SLOTS, i, k;
	PGresult *r;
	const char *state;

	for (i = 0; i < PG_CACHE_SLOTS; i++) {
		k = (h + i) % PG_CACHE_SLOTS;
		snprintf(name, 16, "s%zu", k);
		if (c->cache[k].sql == sql)
			return 0;
		if (c->cache[k].sql != NULL)
			continue;
		r = PQprepare(c->db, name, sql, nparams, NULL);
		if (r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			c->cache[k].sql = sql;
			return 0;
		}
		state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) :
		    NULL;
		if (state != NULL && (strncmp(state, "42", 2) == 0 ||
		    strncmp(state, "22", 2) == 0))
			fatalx("store: cannot prepare \"%s\": %s", sql,
			    PQresultErrorMessage(r));
		pg_fail(tx, r, err);
		PQclear(r);
		return -1;
	}
	fatalx("store: statement cache full");
}

static void
pg_defer(struct pg_conn *c, const char *sql)
{
	if (c->ndefer == PG_DEFER_MAX)
		fatalx("store: too many statements deferred");
	c->defer[c->ndefer].sql = sql;
	c->defer[c->ndefer].buf = NULL;
	c->ndefer++;
}

static void
pg_defer_clear(struct pg_conn *c)
{
	int i;

	for (i = 0; i < c->ndefer; i++)
		free(c->defer[i].buf);
	c->ndefer = 0;
}

/* Sends deferred statement D (in pipeline mode): true when sent. */
static bool
pg_defer_send(PGconn *db, const struct pg_deferred *d)
{
	if (d->sql != NULL)
		return PQsendQueryParams(db, d->sql, 0, NULL, NULL, NULL, NULL,
		    0) == 1;
	return PQsendQueryPrepared(db, d->name, d->args.n, d->args.v,
	    d->args.len, d->args.fmt, 0) == 1;
}

/*
 * C's deferred statements, then the prepared statement NAME (NULL: none),
 * in one pipeline (one round trip). 0 with NAME's result in *OUT; -1 when
 * the connection failed, or a deferred statement did (its result in
 * *BAD; NAME's was not run).
 */
static int
pg_pipeline(struct pg_conn *c, const char *name, const struct pg_args *a,
    PGresult **out, PGresult **bad)
{
	PGconn *db = c->db;
	PGresult *r;
	ExecStatusType s;
	int i, n = 0, nulls = 0, deferred = c->ndefer;
	int want = deferred + (name != NULL);
	bool sent = PQenterPipelineMode(db) == 1;

	*out = *bad = NULL;
	for (i = 0; sent && i < deferred; i++)
		sent = pg_defer_send(db, &c->defer[i]);
	pg_defer_clear(c);
	if (sent && name != NULL)
		sent = PQsendQueryPrepared(db, name, a->n, a->v, a->len,
		    a->fmt, 0) == 1;
	if (sent)
		sent = PQpipelineSync(db) == 1;
	if (!sent) {
		/* Nothing to wait for without the sync: a new session. */
		if (PQstatus(db) == CONNECTION_OK)
			pg_conn_reset(c, NULL);
		return -1;
	}
	/* Each statement's result and a NULL, then the sync's result. */
	while (PQstatus(db) == CONNECTION_OK) {
		if ((r = PQgetResult(db)) == NULL) {
			if (++nulls > want)
				break;
			continue;
		}
		s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (n++ < deferred && s != PGRES_COMMAND_OK &&
		    s != PGRES_TUPLES_OK && *bad == NULL)
			*bad = r;
		else if (n > deferred && *bad == NULL && *out == NULL)
			*out = r;
		else
			PQclear(r);
	}
	/* Never left in pipeline mode: a new session (what it held is lost). */
	if (PQexitPipelineMode(db) != 1 && PQstatus(db) == CONNECTION_OK) {
		sent = false;
		pg_conn_reset(c, NULL);
	}
	if (!sent || *bad != NULL || (name != NULL && *out == NULL)) {
		PQclear(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Sends C's deferred statements now: 0, or -1 (told in ERR). */
static int
pg_flush(struct pg_conn *c, struct err *err)
{
	PGresult *out, *bad;

	if (c->ndefer == 0)
		return 0;
	if (pg_pipeline(c, NULL, NULL, &out, &bad) == 0)
		return 0;
	err_set(err, ERR_UNAVAILABLE, "the store is unavailable: %s",
	    bad != NULL ? PQresultErrorMessage(bad) : PQerrorMessage(c->db));
	PQclear(bad);
	return -1;
}

/* Reads the result of C's ROLLBACK sent without waiting: 0, or -1. */
static int
pg_conn_drain(struct pg_conn *c)
{
	PGresult *r;
	int rc = 0;

	if (!c->unread)
		return 0;
	c->unread = false;
	while ((r = PQgetResult(c->db)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = -1;
		PQclear(r);
	}
	return PQstatus(c->db) == CONNECTION_OK ? rc : -1;
}

PGresult *
pg_query(struct store_tx *tx, const char *sql, const struct pg_args *a,
    struct err *err)
{
	static const struct pg_args none;
	struct pg_conn *c = pg_txp(tx)->conn;
	char name[16];
	PGresult *r, *bad;
	ExecStatusType s;

	if (a == NULL)
		a = &none;
	if (pg_prepared(tx, sql, a->n, name, err) == -1)
		return NULL;
	if (c->ndefer > 0) {
		if (pg_pipeline(c, name, a, &r, &bad) == -1) {
			pg_fail(tx, bad, err);
			PQclear(bad);
			return NULL;
		}
	} else
		r = PQexecPrepared(c->db, name, a->n, a->v, a->len, a->fmt,
		    0);
	s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	pg_fail(tx, r, err);
	PQclear(r);
	return NULL;
}

int
pg_exec_later(struct store_tx *tx, const char *sql, const struct pg_args *a,
    struct err *err)
{
	struct pg_conn *c = pg_txp(tx)->conn;
	struct pg_deferred *d;
	size_t size = 0, off = 0;
	int i;

	if (!tx->write || c->ndefer == PG_DEFER_MAX)
		return pg_exec(tx, sql, a, err);
	d = &c->defer[c->ndefer];
	if (pg_prepared(tx, sql, a->n, d->name, err) == -1)
		return -1;
	d->sql = NULL;
	d->args = *a;
	for (i = 0; i < a->n; i++)
		if (a->v[i] != NULL && a->v[i] != a->num[i])
			size += a->fmt[i] == 1 ? (size_t)a->len[i] :
			    strlen(a->v[i]) + 1;
	d->buf = size > 0 ? xmalloc(size) : NULL;
	for (i = 0; i < a->n; i++) {
		size_t n;

		if (a->v[i] == NULL)
			continue;
		if (a->v[i] == a->num[i]) {
			d->args.v[i] = d->args.num[i];
			continue;
		}
		n = a->fmt[i] == 1 ? (size_t)a->len[i] : strlen(a->v[i]) + 1;
		memcpy(d->buf + off, a->v[i], n);
		d->args.v[i] = d->buf + off;
		off += n;
	}
	c->ndefer++;
	return 0;
}

/* Runs SQL (no parameters, maybe several statements) on DB: 0 or -1. */
static int
pg_simple(PGconn *db, const char *sql, struct err *err)
{
	PGresult *r = PQexec(db, sql);
	ExecStatusType s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		const char *state = r != NULL ?
		    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

		log_warnx("store: postgresql error %s: %s", state != NULL ?
		    state : "(none)", r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(db));
		rc = err_set(err, ERR_UNAVAILABLE, "the store is unavailable:"
		    " %s", state != NULL ? state : "connection lost");
	}
	PQclear(r);
	return rc;
}

/* The single value of SQL (no parameters) on DB into OUT ("" for NULL). */
static int
pg_simple_value(PGconn *db, const char *sql, char *out, size_t size,
    struct err *err)
{
	PGresult *r = PQexec(db, sql);

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK ||
	    PQntuples(r) != 1) {
		err_set(err, ERR_UNAVAILABLE, "the store is unavailable: %s",
		    r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(db));
		PQclear(r);
		return -1;
	}
	snprintf(out, size, "%s", PQgetisnull(r, 0, 0) ? "" :
	    PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

void
pg_url_redact(const char *url, char *out, size_t size)
{
	const char *auth = strstr(url, "://"), *end, *at, *colon, *pw;
	size_t n;

	snprintf(out, size, "%s", url);
	if (auth != NULL) {
		auth += 3;
		end = auth + strcspn(auth, "/?");
		at = memchr(auth, '@', (size_t)(end - auth));
		colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) :
		    NULL;
		if (colon != NULL) {
			n = (size_t)(colon - url);
			snprintf(out, size, "%.*s%s", (int)n, url, at);
		}
	}
	pw = strstr(out, "password=");
	if (pw != NULL) {
		char *v = (char *)pw + 9;

		n = strcspn(v, "&");
		memmove(v, v + n, strlen(v + n) + 1);
	}
}

static int
pg_lock_sql(PGconn *db, const char *fn, int cls, int key, struct err *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s(%d, %d)", fn, cls, key);
	return pg_simple(db, sql, err);
}

/*
 * The store's schema: the connection's current one, else the first of its
 * search_path, created (under the migration lock, since CREATE SCHEMA IF
 * NOT EXISTS races with itself). Sets the schema's lock key and channel;
 * returns with the migration lock held (pg_open releases it).
 */
static int
pg_schema(struct pg_store *st, PGconn *db, struct err *err)
{
	char cur[256], path[1024], sql[600];
	const char *params[1] = { cur };
	char *ident;
	const char *p;
	PGresult *r;
	size_t n;

	if (pg_simple_value(db, "SELECT current_schema()", cur, sizeof(cur),
	    err) == -1)
		return -1;
	if (cur[0] == '\0') {
		if (pg_simple_value(db, "SHOW search_path", path,
		    sizeof(path), err) == -1)
			return -1;
		p = path + strspn(path, " ");
		n = strcspn(p, ",");
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
			p++;
			n -= 2;
		}
		if (n == 0 || n >= sizeof(cur) || strncmp(p, "$user", n) == 0)
			return err_set(err, ERR_INVALID_REQUEST, "store: the"
			    " connection's search_path (%s) names no schema"
			    " to keep the store in", path);
		memcpy(cur, p, n);
		cur[n] = '\0';
	}
	r = PQexecParams(db, "SELECT hashtext($1)", 1, NULL, params, NULL,
	    NULL, 0);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
		err_set(err, ERR_UNAVAILABLE, "the store is unavailable: %s",
		    PQerrorMessage(db));
		PQclear(r);
		return -1;
	}
	st->key = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	snprintf(st->channel, sizeof(st->channel), "iotjobs_%u",
	    (unsigned)st->key);
	if (pg_lock_sql(db, "pg_advisory_lock", PG_LOCK_MIGRATE, st->key,
	    err) == -1)
		return -1;
	ident = PQescapeIdentifier(db, cur, strlen(cur));
	if (ident == NULL)
		fatalx("store: out of memory");
	snprintf(sql, sizeof(sql), "SET client_min_messages = warning;"
	    " CREATE SCHEMA IF NOT EXISTS %s; RESET client_min_messages",
	    ident);
	PQfreemem(ident);
	return pg_simple(db, sql, err);
}

static int
pg_schema_known(void)
{
	return pg_nmigrations > 0 ? pg_migrations[pg_nmigrations - 1].version :
	    0;
}

static int
pg_db_version(PGconn *db, int *version, struct err *err)
{
	char v[32];

	if (pg_simple_value(db, "SELECT coalesce(max(version), 0)"
	    " FROM schema_migrations", v, sizeof(v), err) == -1)
		return -1;
	*version = (int)strtol(v, NULL, 10);
	return 0;
}

/* Applies one migration M, recorded in the same transaction. */
static int
pg_apply(PGconn *db, const struct pg_migration *m, struct err *err)
{
	static const char note[] = "INSERT INTO schema_migrations (version,"
	    " name, applied_at, iotjobs) VALUES ($1::bigint, $2,"
	    " extract(epoch FROM now())::bigint, $3)";
	char ver[16];
	const char *params[3] = { ver, m->name, version_string() };
	PGresult *r;
	int ok;

	snprintf(ver, sizeof(ver), "%d", m->version);
	if (pg_simple(db, "BEGIN", err) == -1)
		return -1;
	r = PQexec(db, m->sql);
	ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		err_set(err, ERR_INTERNAL_FAILURE, "store migration %04d-%s"
		    " failed: %s", m->version, m->name, r != NULL ?
		    PQresultErrorMessage(r) : PQerrorMessage(db));
	PQclear(r);
	if (ok) {
		r = PQexecParams(db, note, 3, NULL, params, NULL, NULL, 0);
		ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			err_set(err, ERR_INTERNAL_FAILURE, "store migration"
			    " %04d-%s: %s", m->version, m->name,
			    PQerrorMessage(db));
		PQclear(r);
	}
	if (!ok) {
		pg_simple(db, "ROLLBACK", NULL);
		return -1;
	}
	if (pg_simple(db, "COMMIT", err) == -1)
		return -1;
	log_info("store: applied migration %04d-%s", m->version, m->name);
	return 0;
}

/*
 * Applies the migrations the store lacks, under the migration lock (held:
 * pg_schema) so that nodes starting together apply each once; refuses a
 * store whose schema is newer than this binary knows.
 */
static int
pg_migrate(struct pg_store *st, PGconn *db, struct err *err)
{
	char have[32];
	int version = 0, i, rc = -1;
	PGresult *r;

	if (pg_simple(db, "SET client_min_messages = warning;"
	    " CREATE TABLE IF NOT EXISTS schema_migrations"
	    " (version bigint PRIMARY KEY, name text NOT NULL,"
	    " applied_at bigint NOT NULL, iotjobs text);"
	    " RESET client_min_messages", err) == -1 ||
	    pg_db_version(db, &version, err) == -1)
		goto out;
	if (version > pg_schema_known()) {
		have[0] = '\0';
		r = PQexec(db, "SELECT iotjobs FROM schema_migrations"
		    " ORDER BY version DESC LIMIT 1");
		if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
			snprintf(have, sizeof(have), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		err_set(err, ERR_INTERNAL_FAILURE, "the store %s is at schema"
		    " version %d, newer than this iotjobsd (%s, schema %d)"
		    " knows: it needs an iotjobsd with migration %04d%s%s"
		    " (schemas only move forward; see docs/upgrading.md)",
		    st->shown, version, version_string(), pg_schema_known(),
		    version, have[0] != '\0' ? ", such as iotjobs " : "",
		    have);
		goto out;
	}
	for (i = 0; i < pg_nmigrations; i++) {
		char sql[96];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM"
		    " schema_migrations WHERE version = %d",
		    pg_migrations[i].version);
		if (pg_simple_value(db, sql, have, sizeof(have), err) == -1)
			goto out;
		if (strcmp(have, "0") != 0)
			continue;
		if (pg_apply(db, &pg_migrations[i], err) == -1)
			goto out;
	}
	if (pg_db_version(db, &st->schema_version, err) == -1)
		goto out;
	rc = 0;
out:
	return rc;
}

static int
pg_open(const char *where, struct store **out, struct err *err)
{
	struct pg_store *st;
	PGconn *db;
	int rc;

	st = xcalloc(1, sizeof(*st));
	st->base.ops = &pg_ops;
	if ((size_t)snprintf(st->url, sizeof(st->url), "postgresql:%s",
	    where) >= sizeof(st->url)) {
		free(st);
		return err_set(err, ERR_INVALID_REQUEST, "store URL too long");
	}
	pg_url_redact(st->url, st->shown, sizeof(st->shown));
	pthread_mutex_init(&st->write_lock, NULL);
	pthread_mutex_init(&st->list_lock, NULL);
	pthread_mutex_init(&st->gc_lock, NULL);
	pthread_cond_init(&st->gc_cond, NULL);
	pthread_cond_init(&st->done_cond, NULL);
	pthread_key_create(&st->reader_key, NULL);
	st->open_batch = 1;
	st->writer = pg_conn_open(st, err);
	if (st->writer == NULL)
		goto fail;
	db = st->writer->db;
	rc = pg_schema(st, db, err) == -1 || pg_migrate(st, db, err) == -1;
	pg_lock_sql(db, "pg_advisory_unlock", PG_LOCK_MIGRATE, st->key, NULL);
	if (rc)
		goto fail;
	if (pthread_create(&st->committer, NULL, pg_committer, st) != 0)
		fatal("store: cannot start the committer thread");
	log_debug("store: %s, schema version %d", st->shown,
	    st->schema_version);
	*out = &st->base;
	return 0;
fail:
	pg_conn_close(st->writer);
	pthread_key_delete(st->reader_key);
	free(st);
	return -1;
}

void
pg_close(struct store *base)
{
	struct pg_store *st = (struct pg_store *)base;
	struct pg_conn *c, *next;

	if (st == NULL)
		return;
	if (st->watching) {
		pthread_mutex_lock(&st->gc_lock);
		st->watch_stop = true;
		pthread_mutex_unlock(&st->gc_lock);
		pthread_join(st->watcher, NULL);
	}
	pthread_mutex_lock(&st->gc_lock);
	st->stopping = true;
	pthread_cond_signal(&st->gc_cond);
	pthread_mutex_unlock(&st->gc_lock);
	pthread_join(st->committer, NULL);
	for (c = st->readers; c != NULL; c = next) {
		next = c->next;
		pg_conn_close(c);
	}
	pg_conn_close(st->writer);
	if (st->lead != NULL)
		PQfinish(st->lead);	/* another node may lead now */
	pthread_key_delete(st->reader_key);
	free(st);
}

/* A COMMIT is due (gc_lock held); as on SQLite (sqlite.c). */
static bool
pg_commit_due(const struct pg_store *st)
{
	return st->joined > st->committed && (st->writers == 0 ||
	    st->batch_size >= PG_BATCH_MAX);
}

static void
pg_writer_done(struct pg_store *st, uint64_t batch)
{
	pthread_mutex_lock(&st->gc_lock);
	st->writers--;
	if (batch != 0) {
		st->batch_size++;
		if (batch > st->joined)
			st->joined = batch;
	}
	if (pg_commit_due(st) || st->stopping)
		pthread_cond_signal(&st->gc_cond);
	pthread_mutex_unlock(&st->gc_lock);
}

/*
 * The writer's connection, ready for a statement (write_lock held): a
 * session the server ended is opened again, and the batch it held is
 * lost (its writes fail at its COMMIT).
 */
static int
pg_writer_ready(struct pg_store *st, struct err *err)
{
	PGconn *db = st->writer->db;
	PGTransactionStatusType ts = PQtransactionStatus(db);

	if (PQstatus(db) != CONNECTION_OK || ts == PQTRANS_UNKNOWN) {
		if (st->writer_open) {
			st->writer_open = false;
			st->batch_lost = st->batch_lost || st->writer_dirty;
		}
		return pg_conn_reset(st->writer, err);
	}
	if (st->writer_open && ts == PQTRANS_INTRANS)
		return 0;
	if (st->writer_open) {
		/* The server aborted the batch: what it kept is lost. */
		st->writer_open = false;
		st->batch_lost = st->batch_lost || st->writer_dirty;
	}
	if (ts != PQTRANS_IDLE)
		pg_simple(db, "ROLLBACK", NULL);
	return 0;
}

static int
pg_reader(struct pg_store *st, struct pg_conn **out, struct err *err)
{
	struct pg_conn *c = pthread_getspecific(st->reader_key);

	if (c == NULL) {
		c = pg_conn_open(st, err);
		if (c == NULL)
			return -1;
		pthread_setspecific(st->reader_key, c);
		pthread_mutex_lock(&st->list_lock);
		c->next = st->readers;
		st->readers = c;
		pthread_mutex_unlock(&st->list_lock);
	} else if ((pg_conn_drain(c) == -1 ||
	    PQstatus(c->db) != CONNECTION_OK) && pg_conn_reset(c, err) == -1) {
		return -1;
	}
	*out = c;
	return 0;
}

int
pg_begin(struct store *base, bool write, struct store_tx **out,
    struct err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct store_tx *tx;

	tx = xcalloc(1, sizeof(struct pg_tx));
	tx->st = &st->base;
	tx->write = write;
	if (!write) {
		if (pg_reader(st, &pg_txp(tx)->conn, err) == -1) {
			free(tx);
			return -1;
		}
		pg_defer(pg_txp(tx)->conn, "BEGIN ISOLATION LEVEL REPEATABLE"
		    " READ READ ONLY");
		*out = tx;
		return 0;
	}
	pthread_mutex_lock(&st->gc_lock);
	st->writers++;
	pthread_mutex_unlock(&st->gc_lock);
	pthread_mutex_lock(&st->write_lock);
	pg_txp(tx)->conn = st->writer;
	if (pg_writer_ready(st, err) == -1)
		goto fail;
	/* Sent with the write's first query (pg_pipeline). */
	if (!st->writer_open) {
		st->release_due = false;
		st->switch_known = false;
		snprintf(st->lock_sql, sizeof(st->lock_sql), "SELECT"
		    " pg_advisory_xact_lock(%d, %d)", PG_LOCK_WRITE, st->key);
		pg_defer(st->writer, "BEGIN ISOLATION LEVEL READ COMMITTED");
		pg_defer(st->writer, st->lock_sql);
		st->writer_open = true;
	}
	if (st->release_due)
		pg_defer(st->writer, "RELEASE req");
	pg_defer(st->writer, "SAVEPOINT req");
	st->release_due = false;
	*out = tx;
	return 0;
fail:
	pthread_mutex_unlock(&st->write_lock);
	pg_writer_done(st, 0);
	free(tx);
	return -1;
}

/*
 * Commits the writer's open batch (committer only): true when it is
 * durable. A batch the server ended, or whose COMMIT failed, is lost
 * with every write in it.
 */
static bool
pg_commit_batch(struct pg_store *st, uint64_t *batch)
{
	char sql[96];
	bool ok = true;

	pthread_mutex_lock(&st->write_lock);
	*batch = st->open_batch++;
	if (st->batch_lost) {
		log_warnx("store: the database ended the open batch: each of"
		    " its writes fails");
		st->batch_lost = false;
		ok = false;
	}
	if (st->writer_open) {
		snprintf(sql, sizeof(sql), "NOTIFY %s; COMMIT", st->channel);
		if (PQstatus(st->writer->db) != CONNECTION_OK ||
		    PQtransactionStatus(st->writer->db) != PQTRANS_INTRANS ||
		    pg_simple(st->writer->db, sql, NULL) == -1) {
			ok = false;
			if (PQstatus(st->writer->db) == CONNECTION_OK &&
			    PQtransactionStatus(st->writer->db) !=
			    PQTRANS_IDLE)
				pg_simple(st->writer->db, "ROLLBACK", NULL);
		}
		st->writer_open = false;
	}
	st->writer_dirty = false;
	st->release_due = false;
	pthread_mutex_unlock(&st->write_lock);
	return ok;
}

/*
 * The committer thread: commits the open batch once every write that has
 * begun has joined it (or PG_BATCH_MAX wait), then wakes the waiters and
 * runs the commit hooks.
 */
static void *
pg_committer(void *arg)
{
	struct pg_store *st = arg;
	struct timespec t0, t1;
	uint64_t batch;
	bool ok;
	int i, size;

	pthread_mutex_lock(&st->gc_lock);
	for (;;) {
		if (st->stopping && st->joined <= st->committed &&
		    st->writers == 0)
			break;
		if (!pg_commit_due(st)) {
			pthread_cond_wait(&st->gc_cond, &st->gc_lock);
			continue;
		}
		size = st->batch_size;
		pthread_mutex_unlock(&st->gc_lock);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ok = pg_commit_batch(st, &batch);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_commit(size, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		pthread_mutex_lock(&st->gc_lock);
		st->batch_ok[batch % PG_BATCH_RING] = ok;
		st->committed = batch;
		st->batch_size = 0;
		pthread_cond_broadcast(&st->done_cond);
		pthread_mutex_unlock(&st->gc_lock);
		for (i = 0; i < st->nhooks; i++)
			st->hooks[i].fn(st->hooks[i].arg);
		pthread_mutex_lock(&st->gc_lock);
	}
	pthread_mutex_unlock(&st->gc_lock);
	return NULL;
}

bool
pg_batch_switch_get(struct store_tx *tx, bool *notify, bool *events)
{
	struct pg_store *st = (struct pg_store *)tx->st;

	if (!tx->write || !st->switch_known)
		return false;
	*notify = st->switch_notify;
	*events = st->switch_events;
	return true;
}

void
pg_batch_switch_put(struct store_tx *tx, bool notify, bool events)
{
	struct pg_store *st = (struct pg_store *)tx->st;

	if (!tx->write)
		return;
	st->switch_notify = notify;
	st->switch_events = events;
	st->switch_known = true;
}

void
pg_batch_switch_forget(struct store_tx *tx)
{
	((struct pg_store *)tx->st)->switch_known = false;
}

int
pg_batch_status(struct store *base, uint64_t batch)
{
	struct pg_store *st = (struct pg_store *)base;
	int rc;

	pthread_mutex_lock(&st->gc_lock);
	rc = st->committed < batch ? 0 :
	    st->batch_ok[batch % PG_BATCH_RING] ? 1 : -1;
	pthread_mutex_unlock(&st->gc_lock);
	return rc;
}

int
pg_item_begin(struct store_tx *tx, struct err *err)
{
	return pg_simple(pg_db(tx), "SAVEPOINT item", err);
}

void
pg_item_end(struct store_tx *tx, bool keep)
{
	if (!keep)
		pg_simple(pg_db(tx), "ROLLBACK TO item", NULL);
	pg_simple(pg_db(tx), "RELEASE item", NULL);
}

void
pg_on_commit(struct store *base, void (*fn)(void *), void *arg)
{
	struct pg_store *st = (struct pg_store *)base;

	if (st->nhooks == PG_HOOKS_MAX)
		fatalx("store: too many commit hooks");
	st->hooks[st->nhooks].fn = fn;
	st->hooks[st->nhooks].arg = arg;
	st->nhooks++;
}

/*
 * A write of TX rolled back (write_lock held): its savepoint is undone;
 * when no write of the open batch was kept, the batch ends too, so that
 * an idle node does not hold the write lock against the others.
 */
static void
pg_writer_rollback(struct pg_store *st)
{
	PGconn *db = st->writer->db;

	pg_flush(st->writer, NULL);
	if (PQstatus(db) != CONNECTION_OK)
		return;
	st->switch_known = false;
	pg_simple(db, "ROLLBACK TO req; RELEASE req", NULL);
	if (st->writer_open && !st->writer_dirty) {
		pg_simple(db, "ROLLBACK", NULL);
		st->writer_open = false;
	}
}

int
pg_end(struct store_tx *tx, bool commit, struct err *err)
{
	struct pg_store *st;
	uint64_t mine;
	bool ok;

	if (tx == NULL)
		return 0;
	st = (struct pg_store *)tx->st;
	if (!tx->write) {
		struct pg_conn *c = pg_txp(tx)->conn;

		/* Nothing ran: no BEGIN was sent. Else end it, not waiting. */
		if (c->ndefer > 0)
			pg_defer_clear(c);
		else if (PQsendQuery(c->db, "ROLLBACK") == 1)
			c->unread = true;
		free(tx);
		return 0;
	}
	if (!commit) {
		pg_writer_rollback(st);
		pthread_mutex_unlock(&st->write_lock);
		pg_writer_done(st, 0);
		free(tx);
		return 0;
	}
	/* Its RELEASE goes with the next write's SAVEPOINT, or the COMMIT. */
	if (PQtransactionStatus(pg_db(tx)) != PQTRANS_INTRANS) {
		if (err != NULL && err->type == NULL)
			err_set(err, ERR_UNAVAILABLE, "the store could not"
			    " commit the change");
		pg_writer_rollback(st);
		pthread_mutex_unlock(&st->write_lock);
		pg_writer_done(st, 0);
		free(tx);
		return -1;
	}
	mine = st->open_batch;
	st->writer_dirty = true;
	st->release_due = true;
	pthread_mutex_unlock(&st->write_lock);
	pg_writer_done(st, mine);
	free(tx);
	if (store_deferring()) {
		store_deferred(mine);
		return 0;
	}
	pthread_mutex_lock(&st->gc_lock);
	while (st->committed < mine)
		pthread_cond_wait(&st->done_cond, &st->gc_lock);
	ok = st->batch_ok[mine % PG_BATCH_RING];
	pthread_mutex_unlock(&st->gc_lock);
	if (!ok)
		return err_set(err, ERR_UNAVAILABLE, "the store could not"
		    " commit the change: the database is unavailable");
	return 0;
}

/*
 * Tries the lead lock on the lead connection (made, or made again, as
 * needed): 1 taken (or held), 0 another node holds it, -1 with ERR.
 */
static int
pg_lead_lock(struct pg_store *st, struct err *err)
{
	char sql[96], v[8] = "";

	if (st->lead != NULL && PQstatus(st->lead) != CONNECTION_OK) {
		PQfinish(st->lead);
		st->lead = NULL;
	}
	if (st->lead == NULL && (st->lead = pg_connect(st->url, err)) == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%d, %d)",
	    PG_LOCK_LEAD, st->key);
	if (pg_simple_value(st->lead, sql, v, sizeof(v), err) == -1)
		return -1;
	return v[0] == 't';
}

/*
 * Lead: a session advisory lock on a connection of its own, which the
 * server drops when the connection ends (the node exited or was killed),
 * so another node's next try takes it; standby nodes try on a connection
 * they keep. The watcher looks after the leader's connection.
 */
int
pg_lead_try(struct store *base, struct err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	int rc;

	if (atomic_load(&st->leading))
		return 1;
	rc = pg_lead_lock(st, err);
	if (rc == 1)
		atomic_store(&st->leading, true);
	return rc;
}

bool
pg_leads(struct store *base)
{
	return atomic_load(&((struct pg_store *)base)->leading);
}

/*
 * The leader's lock connection, checked by the watcher: when the server
 * ended it (a restart, a network cut) the lock went with it, and is taken
 * again at once if no other node took it meanwhile. Otherwise another
 * node leads now, and this one stops leading (store_leads() turns false;
 * its owner stands by and may take the lead again with store_lead_try).
 */
static void
pg_lead_check(struct pg_store *st)
{
	struct err err;
	int rc;

	if (!atomic_load(&st->leading))
		return;
	if (PQstatus(st->lead) == CONNECTION_OK && PQconsumeInput(st->lead) &&
	    PQstatus(st->lead) == CONNECTION_OK)
		return;
	err_clear(&err);
	rc = pg_lead_lock(st, &err);
	if (rc == 1) {
		log_info("store: the lead's connection to the database was"
		    " lost; connected again, still leading");
		return;
	}
	if (rc == -1)
		return;		/* the database is away: try again */
	log_warnx("store: lost the lead: another node leads now");
	atomic_store(&st->leading, false);
}

/* Runs the commit hooks and the watch function. */
static void
pg_watch_tell(struct pg_store *st)
{
	int i;

	for (i = 0; i < st->nhooks; i++)
		st->hooks[i].fn(st->hooks[i].arg);
	st->watch_fn(st->watch_arg);
}

/*
 * The watcher thread: LISTENs on the store's channel; another node's
 * commit runs the hooks and the watch function. It also looks after the
 * lead's connection (pg_lead_check).
 */
static void *
pg_watcher(void *arg)
{
	struct pg_store *st = arg;
	PGconn *db = NULL;
	PGnotify *n;
	struct pollfd pfd;
	struct err err;
	char sql[96];
	bool stop, told;

	for (;;) {
		pthread_mutex_lock(&st->gc_lock);
		stop = st->watch_stop;
		pthread_mutex_unlock(&st->gc_lock);
		if (stop)
			break;
		pg_lead_check(st);
		if (db == NULL || PQstatus(db) != CONNECTION_OK) {
			if (db != NULL)
				PQfinish(db);
			err_clear(&err);
			snprintf(sql, sizeof(sql), "LISTEN %s", st->channel);
			db = pg_connect(st->url, &err);
			if (db == NULL || pg_simple(db, sql, &err) == -1) {
				if (db != NULL)
					PQfinish(db);
				db = NULL;
				usleep(PG_WATCH_MS * 1000);
				continue;
			}
			/* Commits while not listening: one look. */
			pg_watch_tell(st);
		}
		pfd.fd = PQsocket(db);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, PG_WATCH_MS) > 0 && PQconsumeInput(db) != 1)
			continue;
		told = false;
		while ((n = PQnotifies(db)) != NULL) {
			/* This node's own commits ran the hooks already. */
			if (n->be_pid != PQbackendPID(st->writer->db))
				told = true;
			PQfreemem(n);
		}
		if (told)
			pg_watch_tell(st);
	}
	if (db != NULL)
		PQfinish(db);
	return NULL;
}

int
pg_watch_start(struct store *base, void (*fn)(void *), void *arg,
    struct err *err)
{
	struct pg_store *st = (struct pg_store *)base;

	if (st->watching)
		return 0;
	st->watch_fn = fn;
	st->watch_arg = arg;
	if (pthread_create(&st->watcher, NULL, pg_watcher, st) != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "store: cannot"
		    " start the watcher thread");
	st->watching = true;
	return 0;
}

void
pg_on_failure(struct store *base, void (*fn)(void *), void *arg)
{
	struct pg_store *st = (struct pg_store *)base;

	st->fail_fn = fn;
	st->fail_arg = arg;
}

/* A database's files do not vanish under a client: never failed. */
bool
pg_failed(struct store *base)
{
	(void)base;
	return false;
}

const char *
pg_path(const struct store *base)
{
	return ((const struct pg_store *)base)->shown;
}

const char *
pg_backend_name(const struct store *base)
{
	(void)base;
	return "postgresql";
}

int
pg_size_bytes(struct store *base, int64_t *bytes, struct err *err)
{
	struct store_tx *tx;
	int rc;

	*bytes = 0;
	if (pg_begin(base, false, &tx, err) == -1)
		return -1;
	rc = pg_count(tx, "SELECT coalesce(sum(pg_total_relation_size(c.oid)),"
	    " 0)::bigint FROM pg_class c JOIN pg_namespace n"
	    " ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
	    " AND c.relkind = 'r'", NULL, bytes, err);
	pg_end(tx, false, NULL);
	return rc;
}

int
pg_ping(struct store *base, struct err *err)
{
	struct store_tx *tx;
	int64_t n;
	int rc;

	if (pg_begin(base, false, &tx, err) == -1)
		return -1;
	rc = pg_count(tx, "SELECT count(*) FROM schema_migrations", NULL, &n,
	    err);
	pg_end(tx, false, NULL);
	return rc;
}

int
pg_schema_version(struct store *base)
{
	return ((struct pg_store *)base)->schema_version;
}

static int
pg_backup(const char *where, const char *to, const struct store_file *files,
    size_t nfiles, int *version, struct err *err)
{
	(void)where;
	(void)to;
	(void)files;
	(void)nfiles;
	(void)version;
	return err_set(err, ERR_INVALID_REQUEST, "iotjobsd backup copies an"
	    " SQLite store; back a PostgreSQL store up with pg_dump or"
	    " pg_basebackup");
}

static int
pg_restore(const char *from, const char *where,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, int *version, struct err *err)
{
	(void)from;
	(void)where;
	(void)fn;
	(void)arg;
	(void)version;
	return err_set(err, ERR_INVALID_REQUEST, "iotjobsd restore writes an"
	    " SQLite store; restore a PostgreSQL store with pg_restore, or"
	    " move an SQLite one with iotjobsd migrate");
}

/* No file of this host holds a PostgreSQL store. */
static void
pg_local_files(const char *where, void (*fn)(void *arg, const char *path),
    void *arg)
{
	(void)where;
	(void)fn;
	(void)arg;
}

const struct store_ops pg_ops = {
#define X STORE_OP_ANY
#define STORE_OP_ENTRY(ret, name, params) .name = pg_##name,
	STORE_OPS
#undef STORE_OP_ENTRY
#undef X
};

const struct store_backend store_postgresql = {
	.scheme = "postgresql",
	.open = pg_open,
	.backup = pg_backup,
	.restore = pg_restore,
	.local_files = pg_local_files,
	.schema_known = pg_schema_known,
};

/* libpq's other spelling of the scheme. */
const struct store_backend store_postgres = {
	.scheme = "postgres",
	.open = pg_open,
	.backup = pg_backup,
	.restore = pg_restore,
	.local_files = pg_local_files,
	.schema_known = pg_schema_known,
};
