/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration file of iotjobsd (iotjobsd.conf(5)) and the documents
 * printed from the option table: the example file and the option lists of
 * the manual pages (`make gen-conf` writes them, `make gen-check` fails
 * when the committed ones differ).
 *
 * The file: one "key = value" per line, the key an option's long name;
 * blank lines and lines whose first non-blank character is # are skipped;
 * a value may be quoted ("..."), which is how an empty one is written.
 * Every problem is reported with its line: an unknown key, a key given
 * twice, a value the option refuses, a line without "=".
 */
#include "conf_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

/* Values an installed service uses instead of the defaults (the example). */
static const struct {
	const char *flag, *value, *why;
} conf_installed[] = {
	{ "data-dir", "/var/lib/iotjobs", "The installed service keeps its"
	  " state in /var/lib/iotjobs, its StateDirectory (the default,"
	  " ./data, is for a checkout)." },
};

void
conf_problem(struct conf_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n < CONF_PROBLEMS_MAX) {
		va_start(ap, fmt);
		vsnprintf(r->msg[r->n], CONF_PROBLEM_LEN, fmt, ap);
		va_end(ap);
	}
	r->n++;
}

const char *
conf_expect(const struct conf_opt *o, char *buf, size_t size)
{
	switch (o->kind) {
	case CONF_ADDR:
		return strcmp(o->flag, "tls-listen") == 0 ?
		    "HOST:PORT, or empty for none" : "HOST:PORT";
	case CONF_PATH:
		return "a folder";
	case CONF_STR:
		return strcmp(o->flag, "region") == 0 ? "a region name such as"
		    " us-east-1" : "12 digits";
	case CONF_UINT:
		snprintf(buf, size, "a whole number from %lu to %lu", o->min,
		    o->max);
		return buf;
	case CONF_FLAG:
		return "true or false";
	case CONF_TEXT:
		return "text, shorter than the field it fills";
	case CONF_CHOICE:
		return strcmp(o->flag, "log-format") == 0 ? "text or json" :
		    "debug, info, warning or error";
	}
	return "?";
}

const struct conf_opt *
conf_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < conf_nopts; i++)
		if (strlen(conf_opts[i].flag) == len &&
		    memcmp(conf_opts[i].flag, name, len) == 0)
			return &conf_opts[i];
	return NULL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [*P, *END) without blanks on either side. */
static void
trim(const char **p, const char **end)
{
	while (*p < *end && is_blank(**p))
		(*p)++;
	while (*end > *p && is_blank((*end)[-1]))
		(*end)--;
}

/* Secrets are never echoed back, not even in a problem's message. */
static bool
is_secret(const struct conf_opt *o)
{
	return strstr(o->flag, "password") != NULL;
}

/* One line, "key = value", of file NAME at line N; seen[]: lines by key. */
static void
conf_line(struct conf *conf, const char *name, size_t n, const char *p,
    const char *end, size_t *seen, struct conf_report *rep)
{
	const char *eq, *k = p, *kend, *v, *vend;
	const struct conf_opt *o;
	char value[CONF_PROBLEM_LEN / 2], why[64];
	size_t vlen, idx;

	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL) {
		conf_problem(rep, "%s:%zu: expected \"key = value\"", name, n);
		return;
	}
	kend = eq;
	trim(&k, &kend);
	v = eq + 1;
	vend = end;
	trim(&v, &vend);
	if (vend - v >= 2 && v[0] == '"' && vend[-1] == '"') {
		v++;
		vend--;
	}
	vlen = (size_t)(vend - v);
	if (memchr(v, '"', vlen) != NULL) {
		conf_problem(rep, "%s:%zu: a value may be quoted as a whole, "
		    "and holds no other \"", name, n);
		return;
	}
	if (kend - k == 6 && memcmp(k, "config", 6) == 0) {
		conf_problem(rep, "%s:%zu: config is not a key of the file "
		    "(name the file with --config or IOTJOBS_CONFIG)", name, n);
		return;
	}
	o = conf_find(k, (size_t)(kend - k));
	if (o == NULL) {
		conf_problem(rep, "%s:%zu: unknown key \"%.*s\"", name, n,
		    (int)(kend - k > 64 ? 64 : kend - k), k);
		return;
	}
	idx = (size_t)(o - conf_opts);
	if (seen[idx] != 0) {
		conf_problem(rep, "%s:%zu: %s is set twice (first on line "
		    "%zu)", name, n, o->flag, seen[idx]);
		return;
	}
	seen[idx] = n;
	if (vlen >= sizeof(value)) {
		conf_problem(rep, "%s:%zu: the value of %s is too long", name,
		    n, o->flag);
		return;
	}
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	if (conf_set(conf, o, value) == -1)
		conf_problem(rep, "%s:%zu: invalid %s \"%s\": expected %s",
		    name, n, o->flag, is_secret(o) ? "(not shown)" : value,
		    conf_expect(o, why, sizeof(why)));
}

size_t
conf_parse_text(struct conf *conf, const char *name, const char *text,
    size_t len, struct conf_report *rep)
{
	size_t *seen = xcalloc(conf_nopts, sizeof(*seen));
	const char *p = text, *end = text + len;
	size_t n = 0, before = rep->n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl != NULL ? nl : end;
		const char *q = p, *qend = lend;

		n++;
		trim(&q, &qend);
		if (memchr(p, '\0', (size_t)(lend - p)) != NULL)
			conf_problem(rep, "%s:%zu: the line holds a NUL byte",
			    name, n);
		else if (q < qend && *q != '#')
			conf_line(conf, name, n, q, qend, seen, rep);
		p = nl != NULL ? nl + 1 : end;
	}
	free(seen);
	return rep->n - before;
}

size_t
conf_read_file(struct conf *conf, const char *path, struct conf_report *rep)
{
	char *text;
	size_t len = 0, n;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		conf_problem(rep, "%s: cannot read the configuration file: %s",
		    path, strerror(errno));
		return 1;
	}
	text = xmalloc(CONF_FILE_MAX + 1);
	for (;;) {
		r = read(fd, text + len, CONF_FILE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || (len += (size_t)r) > CONF_FILE_MAX)
			break;
	}
	close(fd);
	if (r == -1)
		conf_problem(rep, "%s: cannot read the configuration file: %s",
		    path, strerror(errno));
	else if (len > CONF_FILE_MAX)
		conf_problem(rep, "%s: larger than %d bytes", path,
		    CONF_FILE_MAX);
	if (r == -1 || len > CONF_FILE_MAX) {
		free(text);
		return 1;
	}
	n = conf_parse_text(conf, path, text, len, rep);
	free(text);
	return n;
}

/* TEXT in lines of at most WIDTH columns, each starting with PREFIX. */
static void
wrap(FILE *f, const char *prefix, const char *text, size_t width)
{
	const char *p = text;
	size_t room = width - strlen(prefix);

	while (*p != '\0') {
		size_t n = strlen(p), cut = n;

		if (n > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		fprintf(f, "%s%.*s\n", prefix, (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static const char *
installed_value(const struct conf_opt *o, const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(conf_installed) / sizeof(conf_installed[0]);
	    i++)
		if (strcmp(conf_installed[i].flag, o->flag) == 0) {
			*why = conf_installed[i].why;
			return conf_installed[i].value;
		}
	return NULL;
}

/* The default as the file writes it: quoted when empty, words for flags. */
static const char *
file_value(const struct conf_opt *o, const char *v)
{
	if (o->kind == CONF_FLAG)
		return strcmp(v, "1") == 0 ? "true" : "false";
	return v[0] == '\0' ? "\"\"" : v;
}

static void
print_conf(FILE *f)
{
	const char *why, *v;
	size_t i;

	wrap(f, "# ", "iotjobsd.conf: the settings of iotjobsd(8), read at "
	    "start from " CONF_FILE_DEFAULT " (or the file --config names). "
	    "See iotjobsd.conf(5).", 76);
	fprintf(f, "#\n");
	wrap(f, "# ", "One \"key = value\" per line; lines starting with # "
	    "are comments. The keys are the long options of iotjobsd; an "
	    "option that takes no value on the command line takes true or "
	    "false here. Quote a value to write an empty one (\"\"). A key "
	    "left out keeps the default shown. The environment variable "
	    "named beside a key overrides the file, and the command-line "
	    "option overrides both. Check the file with iotjobsd "
	    "--check-config.", 76);
	fprintf(f, "#\n# Generated from iotjobsd's option table by "
	    "`iotjobsd --print-config-template`.\n");
	for (i = 0; i < conf_nopts; i++) {
		const struct conf_opt *o = &conf_opts[i];

		fprintf(f, "\n");
		wrap(f, "# ", o->help, 76);
		if (o->env != NULL)
			fprintf(f, "# Environment: %s.\n", o->env);
		v = installed_value(o, &why);
		if (v != NULL) {
			wrap(f, "# ", why, 76);
			fprintf(f, "%s = %s\n", o->flag, v);
		} else {
			fprintf(f, "#%s = %s\n", o->flag,
			    file_value(o, o->def));
		}
	}
}

/* TEXT for roff: backslashes doubled, a leading dot or quote escaped. */
static void
roff(FILE *f, const char *text)
{
	const char *p;

	if (text[0] == '.' || text[0] == '\'')
		fputs("\\&", f);
	for (p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else
			fputc(*p, f);
	}
}

static const char *
metavar(const struct conf_opt *o)
{
	size_t n = strlen(o->flag);

	switch (o->kind) {
	case CONF_ADDR:
		return "HOST:PORT";
	case CONF_PATH:
		return "DIR";
	case CONF_STR:
		return strcmp(o->flag, "region") == 0 ? "REGION" : "ID";
	case CONF_UINT:
		return "N";
	case CONF_FLAG:
		return NULL;
	case CONF_CHOICE:
		return "WORD";
	case CONF_TEXT:
		break;
	}
	if ((n > 5 && strcmp(o->flag + n - 5, "-cert") == 0) ||
	    (n > 4 && strcmp(o->flag + n - 4, "-key") == 0) ||
	    strcmp(o->flag, "mqtt-ca") == 0)
		return "FILE";
	return strcmp(o->flag, "mqtt") == 0 ? "URL" : "TEXT";
}

/* One option as a roff .TP entry: KEY (man5) or --FLAG (man8). */
static void
print_man_entry(FILE *f, const struct conf_opt *o, bool flag)
{
	const char *mv = metavar(o);

	fprintf(f, ".TP\n.B ");
	if (flag)
		fputs("\\-\\-", f);
	roff(f, o->flag);
	if (flag && mv != NULL)
		fprintf(f, " \\fI%s\\fR", mv);
	else if (!flag)
		fprintf(f, " = \\fI%s\\fR", mv != NULL ? mv : "true|false");
	fputs("\n", f);
	roff(f, o->help);
	fputs(".\n", f);
	if (o->kind == CONF_FLAG) {
		fputs("Off by default.", f);
	} else if (o->def[0] == '\0') {
		fputs("Empty by default.", f);
	} else {
		fputs("Default: \\fB", f);
		roff(f, o->def);
		fputs("\\fR.", f);
	}
	if (o->env != NULL) {
		fputs(flag ? " Environment: \\fB" : " Overridden by \\fB", f);
		roff(f, o->env);
		fputs("\\fR", f);
		if (!flag) {
			fputs(" and \\fB\\-\\-", f);
			roff(f, o->flag);
			fputs("\\fR", f);
		}
		fputs(".", f);
	}
	fputs("\n", f);
}

int
conf_print_template(FILE *f, const char *format)
{
	size_t i;
	bool man8;

	if (strcmp(format, "conf") == 0) {
		print_conf(f);
		return 0;
	}
	if (strcmp(format, "man5") != 0 && strcmp(format, "man8") != 0)
		return -1;
	man8 = strcmp(format, "man8") == 0;
	fprintf(f, ".\\\" Generated from iotjobsd's option table by "
	    "iotjobsd --print-config-template=%s.\n", format);
	for (i = 0; i < conf_nopts; i++)
		print_man_entry(f, &conf_opts[i], man8);
	return 0;
}
