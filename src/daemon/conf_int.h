/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the settings: the option table (conf.c) and what reads it besides
 * the command line, the configuration file and the documents printed from
 * the table (conf_file.c).
 */
#ifndef IOTJOBS_CONF_INT_H
#define IOTJOBS_CONF_INT_H

#include <stddef.h>
#include <stdio.h>

#include "build_info.h"
#include "conf.h"

/* Read when neither --config nor IOTJOBS_CONFIG names a file. */
#define CONF_FILE_DEFAULT	IOTJOBS_SYSCONFDIR "/iotjobs/iotjobsd.conf"
#define CONF_FILE_MAX		(1024 * 1024)
#define CONF_PROBLEMS_MAX	64
#define CONF_PROBLEM_LEN	600

enum conf_kind { CONF_ADDR, CONF_PATH, CONF_STR, CONF_UINT, CONF_FLAG,
    CONF_TEXT, CONF_CHOICE };

struct conf_opt {
	const char *flag;	/* long option name, and the file's key */
	const char *env;	/* environment variable, or NULL */
	enum conf_kind kind;
	const char *def;	/* default, as text */
	unsigned long min, max;	/* CONF_UINT bounds */
	const char *help;
};

extern const struct conf_opt conf_opts[];
extern const size_t conf_nopts;

/* Every problem found in the settings, each saying where it was found. */
struct conf_report {
	size_t n;		/* may exceed CONF_PROBLEMS_MAX: the rest */
	char msg[CONF_PROBLEMS_MAX][CONF_PROBLEM_LEN];
};

void conf_problem(struct conf_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets option O of CONF from the text V; -1 when V is not valid for O. */
int conf_set(struct conf *conf, const struct conf_opt *o, const char *v);

/* What a valid value of O looks like, for a problem's message. */
const char *conf_expect(const struct conf_opt *o, char *buf, size_t size);

/* The option whose flag (and key) is NAME (LEN bytes), or NULL. */
const struct conf_opt *conf_find(const char *name, size_t len);

/*
 * Applies the configuration file PATH to CONF: each problem (with its
 * line number) goes to REP. Returns the number of problems found.
 */
size_t conf_read_file(struct conf *conf, const char *path,
    struct conf_report *rep);

/* The same over TEXT (LEN bytes) read from a file named NAME. */
size_t conf_parse_text(struct conf *conf, const char *name, const char *text,
    size_t len, struct conf_report *rep);

/*
 * Prints, from the table, FORMAT: "conf" the example configuration file,
 * "man5" the key list of iotjobsd.conf(5), "man8" the option list of
 * iotjobsd(8). -1 for another FORMAT.
 */
int conf_print_template(FILE *f, const char *format);

#endif
