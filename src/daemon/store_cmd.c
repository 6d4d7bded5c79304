/* SPDX-License-Identifier: Apache-2.0 */
/* The options and checks of the store's commands (store_cmd.h). */
#include "store_cmd.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
store_cmd_usage_error(const char *verb, store_cmd_usage_fn *usage,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "iotjobsd %s: %s\nusage:\n", verb, msg);
	usage(stderr);
	return 2;
}

int
store_cmd_opts_parse(const char *verb, store_cmd_usage_fn *usage,
    int argc, char **argv, struct store_cmd_opts *o)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
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
		case 't':
			o->to = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'h':
			printf("usage:\n");
			usage(stdout);
			exit(0);
		default:
			return store_cmd_usage_error(verb, usage,
			    "see the usage");
		}
	}
	if (optind < argc)
		return store_cmd_usage_error(verb, usage, "unexpected argument"
		    " \"%s\"", argv[optind]);
	if (o->config != NULL && setenv("IOTJOBS_CONFIG", o->config, 1) == -1)
		return store_cmd_usage_error(verb, usage, "cannot use"
		    " --config");
	return 0;
}

int
store_cmd_owner_check(const char *verb, const char *path)
{
	struct passwd *pw;
	struct stat sb;

	if (geteuid() != 0 || stat(path, &sb) == -1 || sb.st_uid == 0)
		return 0;
	pw = getpwuid(sb.st_uid);
	fprintf(stderr, "iotjobsd %s: %s belongs to %s: run this as that user"
	    " (sudo -u %s iotjobsd %s ...), so that the files made stay "
	    "theirs\n", verb, path, pw != NULL ? pw->pw_name : "another user",
	    pw != NULL ? pw->pw_name : "USER", verb);
	return -1;
}
