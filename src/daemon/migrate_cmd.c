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

#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "store/store.h"

struct mg_opts {
	const char *from, *to, *data_dir, *config;
};

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

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "iotjobsd migrate: %s\nusage:\n", msg);
	migrate_cmd_usage(stderr);
	return 2;
}

static int
opts_parse(int argc, char **argv, struct mg_opts *o)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 't':
			o->to = optarg;
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'h':
			printf("usage:\n");
			migrate_cmd_usage(stdout);
			exit(0);
		default:
			return usage_error("see the usage");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (o->to == NULL)
		return usage_error("migrate takes --to postgresql://URI");
	if (strncmp(o->to, "postgresql://", 13) != 0 &&
	    strncmp(o->to, "postgres://", 11) != 0)
		return usage_error("--to must be a postgresql:// or "
		    "postgres:// URL");
	if (o->from != NULL && strncmp(o->from, "sqlite:", 7) != 0)
		return usage_error("--from must be sqlite:PATH");
	if (o->config != NULL && setenv("IOTJOBS_CONFIG", o->config, 1) == -1)
		return usage_error("cannot use --config");
	return 0;
}

/* Root may not make files beside a store another user owns (see above). */
static int
owner_check(const char *from)
{
	struct passwd *pw;
	struct stat sb;

	if (geteuid() != 0 || stat(from + 7, &sb) == -1 || sb.st_uid == 0)
		return 0;
	pw = getpwuid(sb.st_uid);
	fprintf(stderr, "iotjobsd migrate: %s belongs to %s: run this as that "
	    "user (sudo -u %s iotjobsd migrate ...), so that the files made "
	    "beside it stay theirs\n", from + 7, pw != NULL ? pw->pw_name :
	    "another user", pw != NULL ? pw->pw_name : "USER");
	return -1;
}

int
migrate_cmd_main(int argc, char **argv)
{
	char dir[PATH_MAX], from[PATH_MAX + 32];
	struct mg_opts o;
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
	if (owner_check(from) == -1)
		return 1;
	if (store_migrate(from, o.to, stdout, &err) == -1) {
		fprintf(stderr, "iotjobsd migrate: %s\n", err.msg);
		return 1;
	}
	return 0;
}
