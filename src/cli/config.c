/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Settings of the iotjobs command, found in the order the AWS CLI finds
 * them (https://docs.aws.amazon.com/cli/latest/userguide/
 * cli-configure-precedence.html): flags, then the environment, then the
 * profile in ~/.aws/credentials and ~/.aws/config. An explicit --profile
 * makes the AWS_ACCESS_KEY_ID pair of the environment ignored, as
 * botocore does; AWS_PROFILE does not.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN	4096

int
cli_err_set(struct cli_err *e, const char *type, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	snprintf(e->type, sizeof(e->type), "%s", type);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* What one profile of one file says; empty strings when absent. */
struct profile_vals {
	char access_key_id[CLI_KEY_MAX];
	char secret_access_key[CLI_KEY_MAX];
	char session_token[CLI_TOKEN_MAX];
	char region[64];
	char endpoint_url[CLI_URL_MAX];
};

static void
profile_set(struct profile_vals *p, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
		{ "aws_access_key_id",
		  offsetof(struct profile_vals, access_key_id), CLI_KEY_MAX },
		{ "aws_secret_access_key",
		  offsetof(struct profile_vals, secret_access_key),
		  CLI_KEY_MAX },
		{ "aws_session_token",
		  offsetof(struct profile_vals, session_token),
		  CLI_TOKEN_MAX },
		{ "region", offsetof(struct profile_vals, region), 64 },
		{ "endpoint_url", offsetof(struct profile_vals, endpoint_url),
		  CLI_URL_MAX },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].key, key) == 0)
			snprintf((char *)p + keys[i].off, keys[i].size, "%s",
			    val);
}

/*
 * Reads the section of PROFILE from the INI file PATH into P. In the
 * config file (CONFIG) a profile other than default is "[profile NAME]".
 * Indented lines (sub-sections such as "s3 =") are skipped. 0 read or
 * absent, -1 with E when the file exists and cannot be read.
 */
static int
profile_read(const char *path, const char *profile, bool config,
    struct profile_vals *p, struct cli_err *e)
{
	char line[LINE_MAX_LEN], want[CLI_NAME_MAX + 16];
	bool in = false;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		return cli_err_set(e, "ConfigError", "cannot read %s: %s", path,
		    strerror(errno));
	}
	if (config && strcmp(profile, "default") != 0)
		snprintf(want, sizeof(want), "profile %s", profile);
	else
		snprintf(want, sizeof(want), "%s", profile);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq;

		if (line[0] == ' ' || line[0] == '\t')
			continue;
		s = trim(line);
		if (s[0] == '#' || s[0] == ';' || s[0] == '\0')
			continue;
		if (s[0] == '[') {
			char *end = strchr(s, ']');

			if (end != NULL)
				*end = '\0';
			in = strcmp(trim(s + 1), want) == 0;
			continue;
		}
		if (!in || (eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		profile_set(p, trim(s), trim(eq + 1));
	}
	fclose(f);
	return 0;
}

static void
file_path(const char *env_name, const char *base, char *buf, size_t size)
{
	const char *v = env(env_name), *home = env("HOME");

	if (v != NULL)
		snprintf(buf, size, "%s", v);
	else
		snprintf(buf, size, "%s/.aws/%s", home != NULL ? home : ".",
		    base);
}

static void
endpoint_pick(struct cli_conf *c, const struct profile_vals *cfg)
{
	static const char *const vars[] = {
		"IOTJOBS_ENDPOINT", "AWS_ENDPOINT_URL_IOT", "AWS_ENDPOINT_URL",
	};
	size_t i, n;

	if (c->endpoint[0] == '\0') {
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (env(vars[i]) != NULL) {
				snprintf(c->endpoint, sizeof(c->endpoint),
				    "%s", env(vars[i]));
				c->endpoint_from = vars[i];
				break;
			}
	}
	if (c->endpoint[0] == '\0' && cfg->endpoint_url[0] != '\0') {
		snprintf(c->endpoint, sizeof(c->endpoint), "%s",
		    cfg->endpoint_url);
		c->endpoint_from = "profile endpoint_url";
	}
	if (c->endpoint[0] == '\0') {
		snprintf(c->endpoint, sizeof(c->endpoint), "%s",
		    CLI_DEFAULT_ENDPOINT);
		c->endpoint_from = "default";
	}
	n = strlen(c->endpoint);
	while (n > 0 && c->endpoint[n - 1] == '/')
		c->endpoint[--n] = '\0';
}

static void
region_pick(struct cli_conf *c, const struct profile_vals *cfg)
{
	const char *v;

	if (c->region[0] != '\0')
		return;
	if ((v = env("AWS_REGION")) != NULL) {
		c->region_from = "AWS_REGION";
	} else if ((v = env("AWS_DEFAULT_REGION")) != NULL) {
		c->region_from = "AWS_DEFAULT_REGION";
	} else if (cfg->region[0] != '\0') {
		v = cfg->region;
		c->region_from = "profile region";
	} else {
		v = CLI_DEFAULT_REGION;
		c->region_from = "default";
	}
	snprintf(c->region, sizeof(c->region), "%s", v);
}

static bool
creds_take(struct cli_conf *c, const char *akid, const char *secret,
    const char *token, const char *from)
{
	if (akid == NULL || secret == NULL || akid[0] == '\0' ||
	    secret[0] == '\0')
		return false;
	snprintf(c->access_key_id, sizeof(c->access_key_id), "%s", akid);
	snprintf(c->secret_access_key, sizeof(c->secret_access_key), "%s",
	    secret);
	snprintf(c->session_token, sizeof(c->session_token), "%s",
	    token != NULL ? token : "");
	c->creds_from = from;
	return true;
}

int
cli_conf_load(struct cli_conf *c, struct cli_err *e)
{
	struct profile_vals cred, cfg;
	char cred_path[4096], cfg_path[4096];
	const char *v;
	int rc = -1;

	memset(&cred, 0, sizeof(cred));
	memset(&cfg, 0, sizeof(cfg));
	if (c->profile[0] == '\0') {
		v = env("AWS_PROFILE");
		if (v == NULL)
			v = env("AWS_DEFAULT_PROFILE");
		snprintf(c->profile, sizeof(c->profile), "%s",
		    v != NULL ? v : "default");
	}
	file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials", cred_path,
	    sizeof(cred_path));
	file_path("AWS_CONFIG_FILE", "config", cfg_path, sizeof(cfg_path));
	if (profile_read(cred_path, c->profile, false, &cred, e) == -1 ||
	    profile_read(cfg_path, c->profile, true, &cfg, e) == -1)
		goto out;
	endpoint_pick(c, &cfg);
	region_pick(c, &cfg);
	if (!c->profile_explicit && creds_take(c, env("AWS_ACCESS_KEY_ID"),
	    env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN"),
	    "environment"))
		rc = 0;
	else if (creds_take(c, cred.access_key_id, cred.secret_access_key,
	    cred.session_token, "shared credentials file"))
		rc = 0;
	else if (creds_take(c, cfg.access_key_id, cfg.secret_access_key,
	    cfg.session_token, "config file"))
		rc = 0;
	else
		cli_err_set(e, "NoCredentialsError", "no credentials: set"
		    " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add"
		    " profile '%s' to %s", c->profile, cred_path);
out:
	explicit_bzero(&cred, sizeof(cred));
	explicit_bzero(&cfg, sizeof(cfg));
	return rc;
}
