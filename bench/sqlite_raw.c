/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write ceiling for `make bench`: SQLite's raw committed single-row
 * UPDATEs per second, each COMMIT durable on return (WAL,
 * synchronous=FULL), one update per commit and 64 per commit, on a file
 * in DIR.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
run(sqlite3 *db, int per_commit, double seconds)
{
	sqlite3_stmt *s;
	double t0 = now_s(), t;
	long n = 0;
	int i;

	sqlite3_prepare_v2(db, "UPDATE t SET v = v + 1 WHERE id = ?", -1, &s,
	    NULL);
	do {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (i = 0; i < per_commit; i++) {
			sqlite3_bind_int(s, 1, (int)(n % 1000));
			sqlite3_step(s);
			sqlite3_reset(s);
			n++;
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		t = now_s();
	} while (t - t0 < seconds);
	sqlite3_finalize(s);
	return (double)n / (t - t0);
}

int
main(int argc, char **argv)
{
	char path[4096];
	sqlite3 *db;
	double seconds = argc > 2 ? atof(argv[2]) : 3;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/raw.db", argv[1]);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INT);"
	    "WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x+1 FROM c"
	    " WHERE x < 999) INSERT OR IGNORE INTO t SELECT x, 0 FROM c;",
	    NULL, NULL, NULL);
	printf("sqlite_commits_1_per_s=%.0f\n", run(db, 1, seconds));
	printf("sqlite_updates_64_per_commit_per_s=%.0f\n",
	    run(db, 64, seconds));
	sqlite3_close(db);
	return 0;
}
