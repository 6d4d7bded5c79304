/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration file (daemon/conf_file.c): keys as the long options,
 * comments, quoting, and every problem reported with its line; the
 * example file printed from the option table parses back to the defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static struct conf *
conf_fresh(void)
{
	struct conf *c = calloc(1, sizeof(*c));
	size_t i;

	assert_non_null(c);
	for (i = 0; i < conf_nopts; i++)
		assert_int_equal(conf_set(c, &conf_opts[i], conf_opts[i].def),
		    0);
	return c;
}

static void
conf_file_sets_keys(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "  listen = 0.0.0.0:9000  \n"
	    "threads=8\r\n"
	    "region = \"eu-west-1\"\n"
	    "mqtt = \"\"\n"
	    "test-clock = true\n"
	    "log-format = json\n"
	    "log-level = warning\n"
	    "\t# indented comment\n"
	    "data-dir = /var/lib/iotjobs";
	struct conf_report *rep = calloc(1, sizeof(*rep));
	struct conf *c = conf_fresh();

	(void)state;
	assert_int_equal(conf_parse_text(c, "t.conf", text, strlen(text),
	    rep), 0);
	assert_string_equal(c->listen_host, "0.0.0.0");
	assert_int_equal(c->listen_port, 9000);
	assert_int_equal(c->threads, 8);
	assert_string_equal(c->region, "eu-west-1");
	assert_string_equal(c->mqtt_url, "");
	assert_true(c->test_clock);
	assert_int_equal(c->log_format, LOG_FORMAT_JSON);
	assert_int_equal(c->log_level, LOG_LEVEL_WARNING);
	assert_string_equal(c->data_dir, "/var/lib/iotjobs");
	free(c);
	free(rep);
}

static void
conf_file_reports_every_problem_with_its_line(void **state)
{
	static const struct {
		const char *text, *first;
		size_t n;
	} cases[] = {
		{ "nope = 1\n", "t.conf:1: unknown key \"nope\"", 1 },
		{ "\n\nthreads = 0\n", "t.conf:3: invalid threads \"0\": "
		  "expected a whole number from 1 to 256", 1 },
		{ "threads = 2\nthreads = 3\n", "t.conf:2: threads is set "
		  "twice (first on line 1)", 1 },
		{ "listen\n", "t.conf:1: expected \"key = value\"", 1 },
		{ "config = /x\n", "t.conf:1: config is not a key", 1 },
		{ "test-clock = yes\n", "t.conf:1: invalid test-clock \"yes\": "
		  "expected true or false", 1 },
		{ "region = \"a\"b\"\n", "t.conf:1: a value may be quoted", 1 },
		{ "mqtt-password = \"x\n", "t.conf:1: a value may be quoted",
		  1 },
		{ "log-format = xml\n", "t.conf:1: invalid log-format \"xml\": "
		  "expected text or json", 1 },
		{ "a = 1\nb = 2\nthreads = x\nlisten = y\n",
		  "t.conf:1: unknown key \"a\"", 4 },
		{ "--listen = 1.2.3.4:5\n",
		  "t.conf:1: unknown key \"--listen\"", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_report *rep = calloc(1, sizeof(*rep));
		struct conf *c = conf_fresh();

		assert_int_equal(conf_parse_text(c, "t.conf", cases[i].text,
		    strlen(cases[i].text), rep), cases[i].n);
		assert_int_equal(rep->n, cases[i].n);
		if (strncmp(rep->msg[0], cases[i].first,
		    strlen(cases[i].first)) != 0)
			fail_msg("case %zu: \"%s\" does not start with \"%s\"",
			    i, rep->msg[0], cases[i].first);
		free(c);
		free(rep);
	}
}

/* A password's value never appears in a problem's message. */
static void
conf_file_never_echoes_a_password(void **state)
{
	struct conf_report *rep = calloc(1, sizeof(*rep));
	struct conf *c = conf_fresh();
	char text[600];

	(void)state;
	snprintf(text, sizeof(text), "mqtt-password = s3cret%0260d\n", 0);
	assert_int_equal(conf_parse_text(c, "t.conf", text, strlen(text),
	    rep), 1);
	assert_null(strstr(rep->msg[0], "s3cret"));
	free(c);
	free(rep);
}

/* etc/iotjobsd.conf, as printed, is valid and sets only what it shows. */
static void
conf_template_parses_back(void **state)
{
	struct conf_report *rep = calloc(1, sizeof(*rep));
	struct conf *c = conf_fresh(), *d = conf_fresh();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(conf_print_template(f, "conf"), 0);
	fclose(f);
	assert_int_equal(conf_parse_text(c, "t.conf", text, len, rep), 0);
	assert_string_equal(c->data_dir, "/var/lib/iotjobs");
	snprintf(d->data_dir, sizeof(d->data_dir), "%s", c->data_dir);
	assert_memory_equal(c, d, sizeof(*c));
	assert_int_equal(conf_print_template(stdout, "xml"), -1);
	free(text);
	free(c);
	free(d);
	free(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_file_sets_keys),
		cmocka_unit_test(conf_file_reports_every_problem_with_its_line),
		cmocka_unit_test(conf_file_never_echoes_a_password),
		cmocka_unit_test(conf_template_parses_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
