/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd credentials create|list|revoke` (credentials_cmd.h): operator
 * keys managed from the host, by whoever may read the data folder. The
 * command opens the store itself (SQLite lets it beside a running daemon,
 * which sees a new key on its first request and a revoked one within about
 * a second). The secret is printed once, at creation, and never again.
 */
#include "credentials_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/opkey.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "policy.h"
#include "store/store.h"
#include "store/store_opkey.h"

#define CMD		"iotjobsd credentials"
#define DATA_DIR_ENV	"IOTJOBS_DATA_DIR"
/* A policy file is read whole; OPKEY_POLICY_MAX bounds what it may say. */
#define POLICY_FILE_MAX	65536

struct cmd_opts {
	char data_dir[PATH_MAX];
	const char *name;
	const char *policy_file;
	bool json;
};

void
credentials_cmd_usage(FILE *f)
{
	fprintf(f, "  " CMD " create --name NAME --policy-file FILE "
	    "[--output json]\n"
	    "  " CMD " list [--output json]\n"
	    "  " CMD " revoke NAME|ACCESS_KEY_ID\n"
	    "      Operator keys: named SigV4 key pairs beside the admin's, "
	    "each with an\n      IAM-style policy document (FILE, or - for "
	    "standard input). create prints\n      the access key id and the "
	    "secret, once; list never shows a secret.\n      Each takes "
	    "--data-dir DIR (else IOTJOBS_DATA_DIR, else the configuration\n"
	    "      file's data-dir, else ./data); the daemon may be running.\n"
	    "      Secrets are sealed under DATA_DIR/" OPKEY_KEYFILE ".\n");
}

bool
credentials_cmd_is(int argc, char **argv)
{
	return argc > 1 && strcmp(argv[1], "credentials") == 0;
}

static int
fail(const char *verb, const struct err *err)
{
	fprintf(stderr, CMD " %s: %s\n", verb, err->msg);
	return 1;
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, CMD ": %s\nusage:\n", msg);
	credentials_cmd_usage(stderr);
	return 2;
}

/* Parses the options after the verb ARGV[0]; the operands stay in ARGV. */
static int
opts_parse(int argc, char **argv, struct cmd_opts *o, int *first_operand)
{
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "policy-file", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct err err;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'p':
			o->policy_file = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0)
				return usage_error("--output is json or text, "
				    "not \"%s\"", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			printf("usage:\n");
			credentials_cmd_usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "usage:\n");
			credentials_cmd_usage(stderr);
			return 2;
		}
	}
	/* --data-dir, else IOTJOBS_DATA_DIR, the configuration file, ./data */
	err_clear(&err);
	if (conf_data_dir(dir, o->data_dir, sizeof(o->data_dir), &err) == -1)
		return usage_error("%s", err.msg);
	*first_operand = optind;
	return 0;
}

/*
 * Opens the store of O's data folder, which must exist: a mistyped
 * --data-dir must not start an empty store of its own.
 */
static int
store_of(const struct cmd_opts *o, struct store **st, struct err *err)
{
	char url[1024];
	struct stat sb;

	if (stat(o->data_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return err_set(err, ERR_INVALID_REQUEST, "no data folder %s "
		    "(pass --data-dir or set " DATA_DIR_ENV ")", o->data_dir);
	if (conf_store_of(o->data_dir, url, sizeof(url), err) == -1)
		return -1;
	return store_open(url, st, err);
}

/* Reads the policy file PATH ("-": standard input) into a new string. */
static char *
policy_read(const char *path, struct err *err)
{
	char *doc;
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	    open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err_set(err, ERR_INVALID_REQUEST, "cannot read policy file "
		    "%s: %s", path, strerror(errno));
		return NULL;
	}
	doc = malloc(POLICY_FILE_MAX + 1);
	while (doc != NULL && n <= POLICY_FILE_MAX) {
		r = read(fd, doc + n, POLICY_FILE_MAX + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_set(err, ERR_INVALID_REQUEST, "cannot read policy "
			    "file %s: %s", path, strerror(errno));
			goto bad;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (doc == NULL) {
		err_set(err, ERR_INTERNAL_FAILURE, "out of memory");
		goto bad;
	}
	if (n > POLICY_FILE_MAX) {
		err_set(err, ERR_INVALID_REQUEST, "policy file %s is larger "
		    "than %d bytes", path, POLICY_FILE_MAX);
		goto bad;
	}
	if (memchr(doc, '\0', n) != NULL) {
		err_set(err, ERR_MALFORMED_POLICY, "policy file %s holds a NUL "
		    "byte", path);
		goto bad;
	}
	doc[n] = '\0';
	if (fd != STDIN_FILENO)
		close(fd);
	return doc;
bad:
	free(doc);
	if (fd != STDIN_FILENO)
		close(fd);
	return NULL;
}

static void
iso_date(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)t);
}

/*
 * Prints the new key. The secret never goes through a JSON library's heap:
 * every field is of an alphabet JSON needs no escape for (names: IAM's
 * letters, digits and _+=,.@-; ids base32; secrets base64).
 */
static void
print_created(const struct cmd_opts *o, const struct opkey_new *k)
{
	if (o->json) {
		printf("{\"name\": \"%s\", \"accessKeyId\": \"%s\", "
		    "\"secretAccessKey\": \"%s\", \"status\": \"ACTIVE\", "
		    "\"createdAt\": %lld}\n", o->name, k->access_key_id,
		    k->secret, (long long)k->created_at);
	} else {
		printf("iotjobsd: created operator key \"%s\" in %s.\nThe "
		    "secret is shown only now. Use the key with the AWS CLI,\n"
		    "boto3 or the AWS SDKs:\n\n"
		    "export AWS_ACCESS_KEY_ID=%s\n"
		    "export AWS_SECRET_ACCESS_KEY=%s\n\n", o->name,
		    o->data_dir, k->access_key_id, k->secret);
	}
	fflush(stdout);
}

static int
cmd_create(const struct cmd_opts *o, int argc, char **argv, int first)
{
	struct store *st = NULL;
	struct opkey_new k;
	struct err err;
	char *doc = NULL;
	int rc = 1;

	err_clear(&err);
	memset(&k, 0, sizeof(k));
	if (first < argc)
		return usage_error("create takes no operand (\"%s\")",
		    argv[first]);
	if (o->name == NULL || o->policy_file == NULL)
		return usage_error("create needs --name and --policy-file");
	/* Refuse bad input before touching the data folder. */
	if (!opkey_name_is_valid(o->name)) {
		err_set(&err, ERR_INVALID_REQUEST, "name \"%.64s\" must be "
		    "1-%d characters of letters, digits and _+=,.@-", o->name,
		    OPKEY_NAME_MAX);
		goto out;
	}
	doc = policy_read(o->policy_file, &err);
	if (doc == NULL)
		goto out;
	if (opkey_policy_check(doc, strlen(doc), &err) == -1) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err.msg);
		err_set(&err, err.type, "policy file %s: %s", o->policy_file,
		    why);
		goto out;
	}
	if (store_of(o, &st, &err) == -1 ||
	    opkey_create(st, o->data_dir, o->name, doc, clock_real(), &k,
	    &err) == -1)
		goto out;
	print_created(o, &k);
	rc = 0;
out:
	OPENSSL_cleanse(&k, sizeof(k));
	store_close(st);
	free(doc);
	return rc == 0 ? 0 : fail("create", &err);
}

static int
list_one(void *arg, const struct store_opkey *k)
{
	json_t *arr = arg;
	char created[32], revoked[32];

	if (arr != NULL) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "name", k->name,
		    "accessKeyId", k->access_key_id, "status", k->status,
		    "createdAt", (json_int_t)k->created_at);

		if (k->revoked_at != 0)
			json_object_set_new(o, "revokedAt",
			    json_integer(k->revoked_at));
		json_array_append_new(arr, o);
		return 0;
	}
	iso_date(k->created_at, created);
	if (k->revoked_at != 0)
		iso_date(k->revoked_at, revoked);
	else
		snprintf(revoked, sizeof(revoked), "-");
	printf("%-24s %-22s %-8s %-21s %s\n", k->name, k->access_key_id,
	    k->status, created, revoked);
	return 0;
}

static int
cmd_list(const struct cmd_opts *o, int argc, char **argv, int first)
{
	struct store *st = NULL;
	struct store_tx *tx = NULL;
	struct err err;
	json_t *arr = NULL;
	int rc = 1;

	err_clear(&err);
	if (first < argc)
		return usage_error("list takes no operand (\"%s\")",
		    argv[first]);
	if (store_of(o, &st, &err) == -1 ||
	    store_begin(st, false, &tx, &err) == -1)
		goto out;
	if (o->json)
		arr = json_array();
	else
		printf("%-24s %-22s %-8s %-21s %s\n", "NAME", "ACCESS_KEY_ID",
		    "STATUS", "CREATED", "REVOKED");
	if (store_opkey_list(tx, list_one, arr, &err) == -1)
		goto out;
	if (arr != NULL) {
		json_t *root = json_pack("{s:O}", "credentials", arr);

		json_dumpf(root, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(root);
	}
	fflush(stdout);
	rc = 0;
out:
	store_end(tx, false, NULL);
	store_close(st);
	json_decref(arr);
	return rc == 0 ? 0 : fail("list", &err);
}

static int
cmd_revoke(const struct cmd_opts *o, int argc, char **argv, int first)
{
	enum store_opkey_revoke res = STORE_OPKEY_UNKNOWN;
	struct store_opkey k;
	struct store *st = NULL;
	struct store_tx *tx = NULL;
	struct err err;
	int rc = -1;

	err_clear(&err);
	memset(&k, 0, sizeof(k));
	if (argc - first != 1)
		return usage_error("revoke takes one NAME or ACCESS_KEY_ID");
	if (store_of(o, &st, &err) == -1 ||
	    store_begin(st, true, &tx, &err) == -1)
		goto out;
	rc = store_opkey_revoke(tx, argv[first], clock_real(), &res, &k,
	    &err);
	if (rc == 0 && res == STORE_OPKEY_UNKNOWN)
		rc = err_set(&err, ERR_NOT_FOUND, "no operator key named "
		    "\"%.64s\" (nor with that access key id)", argv[first]);
out:
	if (tx != NULL && store_end(tx, rc == 0, &err) == -1)
		rc = -1;
	if (rc == 0 && res == STORE_OPKEY_NOW_REVOKED)
		printf("revoked operator key \"%s\" (%s)\n", k.name,
		    k.access_key_id);
	else if (rc == 0)
		printf("operator key \"%s\" (%s) was revoked already\n",
		    k.name, k.access_key_id);
	fflush(stdout);
	store_opkey_release(&k);
	store_close(st);
	return rc == 0 ? 0 : fail("revoke", &err);
}

int
credentials_cmd_main(int argc, char **argv)
{
	static const struct {
		const char *verb;
		int (*fn)(const struct cmd_opts *, int, char **, int);
	} verbs[] = {
		{ "create", cmd_create },
		{ "list", cmd_list },
		{ "revoke", cmd_revoke },
	};
	struct cmd_opts o;
	size_t i;
	int first = 0, rc;

	log_init("iotjobsd credentials", 0);
	if (argc < 3 || strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0) {
		fprintf(argc < 3 ? stderr : stdout, "usage:\n");
		credentials_cmd_usage(argc < 3 ? stderr : stdout);
		return argc < 3 ? 2 : 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[2], verbs[i].verb) != 0)
			continue;
		rc = opts_parse(argc - 2, argv + 2, &o, &first);
		if (rc != 0)
			return rc;
		return verbs[i].fn(&o, argc - 2, argv + 2, first);
	}
	return usage_error("unknown command \"%s\" (create, list, revoke)",
	    argv[2]);
}
