/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging (common/log.c): text lines as before; JSON lines that parse,
 * with the message's trailing key=value words as members, bytes that are
 * not UTF-8 replaced, quotes and control characters escaped; levels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"

static FILE *capture;
static int saved_stderr = -1;

/* Sends stderr to a temporary file until captured() reads it back. */
static void
capture_start(void)
{
	fflush(stderr);
	capture = tmpfile();
	assert_non_null(capture);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capture), STDERR_FILENO);
}

/* What was logged since capture_start (a new string; caller frees). */
static char *
captured(void)
{
	char *buf = calloc(1, 65536);
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(capture);
	n = fread(buf, 1, 65535, capture);
	buf[n] = '\0';
	fclose(capture);
	return buf;
}

static void
log_text_is_unchanged(void **state)
{
	char *out;

	(void)state;
	log_init("prog", 0);
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	capture_start();
	log_info("request id=1 op=X");
	log_debug("hidden");
	errno = ENOENT;
	log_warn("open %s", "f");
	log_warnx("careful");
	out = captured();
	assert_string_equal(out, "prog: request id=1 op=X\n"
	    "prog: warning: open f: No such file or directory\n"
	    "prog: warning: careful\n");
	free(out);
}

static void
log_json_lines_parse(void **state)
{
	json_error_t jerr;
	json_t *o;
	char *all, *out, *nl;

	(void)state;
	log_init("iotjobsd", 0);
	log_configure(LOG_FORMAT_JSON, LOG_LEVEL_DEBUG);
	capture_start();
	log_info("request id=ab-1 op=CreateJob status=200 error= peer=::1");
	errno = EACCES;
	log_warn("cannot open \"%s\"\t\x01 \xff\xfe", "a\\b");
	log_debug("store: msg=1 x=2");
	all = out = captured();
	nl = strchr(out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	o = json_loads(out, 0, &jerr);
	if (o == NULL)
		fail_msg("not JSON: %s: %s", out, jerr.text);
	assert_string_equal(json_string_value(json_object_get(o, "level")),
	    "info");
	assert_string_equal(json_string_value(json_object_get(o, "prog")),
	    "iotjobsd");
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "request");
	assert_string_equal(json_string_value(json_object_get(o, "id")),
	    "ab-1");
	assert_string_equal(json_string_value(json_object_get(o, "status")),
	    "200");
	assert_string_equal(json_string_value(json_object_get(o, "error")),
	    "");
	assert_string_equal(json_string_value(json_object_get(o, "peer")),
	    "::1");
	assert_non_null(json_string_value(json_object_get(o, "time")));
	json_decref(o);

	out = nl + 1;
	nl = strchr(out, '\n');
	*nl = '\0';
	o = json_loads(out, 0, &jerr);
	if (o == NULL)
		fail_msg("not JSON: %s: %s", out, jerr.text);
	assert_string_equal(json_string_value(json_object_get(o, "level")),
	    "warning");
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "cannot open \"a\\b\"\t\x01 \xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(o, "cause")),
	    strerror(EACCES));
	json_decref(o);

	/* "msg" is the line's own member: a word msg=1 stays in the text. */
	out = nl + 1;
	o = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "store: msg=1");
	assert_string_equal(json_string_value(json_object_get(o, "x")), "2");
	json_decref(o);
	free(all);
}

static void
log_levels_filter(void **state)
{
	enum log_level lv;
	enum log_format f;
	char *out;

	(void)state;
	assert_int_equal(log_level_parse("warning", &lv), 0);
	assert_int_equal(lv, LOG_LEVEL_WARNING);
	assert_int_equal(log_level_parse("loud", &lv), -1);
	assert_int_equal(log_format_parse("json", &f), 0);
	assert_int_equal(log_format_parse("xml", &f), -1);
	log_init("p", 0);
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_WARNING);
	assert_false(log_is_enabled(LOG_LEVEL_INFO));
	capture_start();
	log_info("not shown");
	log_warnx("shown");
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_ERROR);
	log_warnx("not shown either");
	out = captured();
	assert_string_equal(out, "p: warning: shown\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_text_is_unchanged),
		cmocka_unit_test(log_json_lines_parse),
		cmocka_unit_test(log_levels_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
