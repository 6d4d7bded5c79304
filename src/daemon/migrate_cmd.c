/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd migrate` (migrate_cmd.h): the options, and the source's
 * default (the data folder's SQLite file, the folder found as `iotjobsd
 * backup` finds it); the copy itself is the store's (store_migrate). The
 * data folder's other files (credentials.json, tls/) stay where they are:
 * nodes started with --store on the new store use them from there. As
 * root it refuses a source another user owns: opening it makes its -wal
 * and -shm files, which must stay the service's.
 */
#include "migrate_cmd.h"

#include <limits.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "store/store.h"
#include "store_cmd.h"

void
migrate_cmd_usage(FILE *f)
{
	fprintf(f, "  iotjobsd migrate --to postgresql://URI [--from sqlite:PATH]"
	    " [--data-dir DIR]\n"
	    "      Copies every row of the SQLite store PATH (else DIR/"
	    "iotjobs.db) into the\n      PostgreSQL store URI (its search_path's"
	    " first schema), which must be new\n      or empty, in one "
	    "transaction, and checks each table's row count. It\n      copies "
	    "one snapshot: writes made after it are not copied, so stop the\n"
	    "      service first; then start every node with --store URI and the"
	    " same\n      data folder (credentials, CA). postgres:// works too.\n");
}

bool
migrate_cmd_is(int argc, char **argv)
{
	return argc > 1 && strcmp(argv[1], "migrate") == 0;
}

/* The checks of migrate's own: --to and --from name their backends. */
static int
opts_parse(int argc, char **argv, struct store_cmd_opts *o)
{
	int rc = store_cmd_opts_parse("migrate", migrate_cmd_usage, argc, argv,
	    o);

	if (rc != 0)
		return rc;
	if (o->to == NULL)
		return store_cmd_usage_error("migrate", migrate_cmd_usage,
		    "migrate takes --to postgresql://URI");
	if (strncmp(o->to, "postgresql://", 13) != 0 &&
	    strncmp(o->to, "postgres://", 11) != 0)
		return store_cmd_usage_error("migrate", migrate_cmd_usage,
		    "--to must be a postgresql:// or postgres:// URL");
	if (o->from != NULL && strncmp(o->from, "sqlite:", 7) != 0)
		return store_cmd_usage_error("migrate", migrate_cmd_usage,
		    "--from must be sqlite:PATH");
	return 0;
}

int
migrate_cmd_main(int argc, char **argv)
{
	char dir[PATH_MAX], from[PATH_MAX + 32];
	struct store_cmd_opts o;
	struct err err;
	int rc;

	log_init("iotjobsd migrate", 0);
	rc = opts_parse(argc - 1, argv + 1, &o);
	if (rc != 0)
		return rc;
	err_clear(&err);
	if (o.from == NULL) {
		if (conf_data_dir(o.data_dir, dir, sizeof(dir), &err) == -1) {
			fprintf(stderr, "iotjobsd migrate: %s\n", err.msg);
			return 1;
		}
		if ((size_t)snprintf(from, sizeof(from), "sqlite:%s/iotjobs.db",
		    dir) >= sizeof(from)) {
			fprintf(stderr, "iotjobsd migrate: the data folder's "
			    "path is too long\n");
			return 1;
		}
	} else {
		snprintf(from, sizeof(from), "%s", o.from);
	}
	if (store_cmd_owner_check("migrate", from + 7) == -1)
		return 1;
	if (store_migrate(from, o.to, stdout, &err) == -1) {
		fprintf(stderr, "iotjobsd migrate: %s\n", err.msg);
		return 1;
	}
	return 0;
}
