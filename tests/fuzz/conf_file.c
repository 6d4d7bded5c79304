/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the configuration file (daemon/conf_file.c), as an
 * operator's editor leaves it. Whatever the bytes, parsing ends, reports
 * at most one problem per line, and a file that parses with no problem
 * parses the same way again (the keys are applied, not accumulated).
 */
#include "fuzz.h"

#include <stdio.h>

#include "conf_int.h"
#include "xmalloc.h"

static struct conf *
conf_fresh(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	size_t i;

	for (i = 0; i < conf_nopts; i++)
		if (conf_set(c, &conf_opts[i], conf_opts[i].def) == -1)
			abort();
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_report *rep = xcalloc(1, sizeof(*rep));
	struct conf *a = conf_fresh(), *b = conf_fresh();
	size_t lines = 1, i, n;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	n = conf_parse_text(a, "fuzz.conf", (const char *)data, size, rep);
	if (n > lines || n != rep->n)
		abort();
	if (n == 0) {
		if (conf_parse_text(b, "fuzz.conf", (const char *)data, size,
		    rep) != 0 || memcmp(a, b, sizeof(*a)) != 0)
			abort();
	}
	free(a);
	free(b);
	free(rep);
	return 0;
}
