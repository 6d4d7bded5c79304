/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write ceiling of the PostgreSQL store for `make bench`: the server's
 * raw committed single-row UPDATEs per second (each its own transaction,
 * synchronous_commit as the server has it: on), through 1 and through 16
 * connections at once, each connection updating rows of its own.
 *
 *   pg_raw CONNINFO SECONDS
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct worker {
	const char *conninfo;
	int id;
	double seconds;
	long n;
	pthread_t thread;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static PGconn *
connect_or_die(const char *conninfo)
{
	PGconn *db = PQconnectdb(conninfo);

	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "pg_raw: %s", PQerrorMessage(db));
		exit(1);
	}
	return db;
}

static void
exec_or_die(PGconn *db, const char *sql)
{
	PGresult *r = PQexec(db, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pg_raw: %s: %s", sql, PQerrorMessage(db));
		exit(1);
	}
	PQclear(r);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	PGconn *db = connect_or_die(w->conninfo);
	char id[16];
	const char *params[1] = { id };
	double t0 = now_s();
	PGresult *r;

	r = PQprepare(db, "u", "UPDATE pg_raw SET v = v + 1 WHERE id = $1",
	    1, NULL);
	PQclear(r);
	do {
		snprintf(id, sizeof(id), "%ld", w->id * 1000 + w->n % 1000);
		r = PQexecPrepared(db, "u", 1, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "pg_raw: %s", PQerrorMessage(db));
			exit(1);
		}
		PQclear(r);
		w->n++;
	} while (now_s() - t0 < w->seconds);
	w->seconds = now_s() - t0;
	PQfinish(db);
	return NULL;
}

static void
run(const char *conninfo, int conns, double seconds)
{
	struct worker w[16];
	double rate = 0;
	int i;

	for (i = 0; i < conns; i++) {
		w[i] = (struct worker){ conninfo, i, seconds, 0, 0 };
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (i = 0; i < conns; i++) {
		pthread_join(w[i].thread, NULL);
		rate += (double)w[i].n / w[i].seconds;
	}
	printf("  postgresql raw committed updates, %2d connection%s: %8.0f/s\n",
	    conns, conns == 1 ? " " : "s", rate);
}

int
main(int argc, char **argv)
{
	PGconn *db;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_raw CONNINFO SECONDS\n");
		return 2;
	}
	db = connect_or_die(argv[1]);
	exec_or_die(db, "SET client_min_messages = warning");
	exec_or_die(db, "DROP TABLE IF EXISTS pg_raw");
	exec_or_die(db, "CREATE TABLE pg_raw (id bigint PRIMARY KEY,"
	    " v bigint NOT NULL)");
	exec_or_die(db, "INSERT INTO pg_raw SELECT g, 0 FROM"
	    " generate_series(0, 15999) g");
	run(argv[1], 1, atof(argv[2]));
	run(argv[1], 16, atof(argv[2]));
	exec_or_die(db, "DROP TABLE pg_raw");
	PQfinish(db);
	return 0;
}
