/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The input of `iotjobs thing import`: CSV with a header line (a column
 * "name" or "thingName"; a column "groups" of thing group names joined by
 * ';'; every other column an attribute, empty cells left out), or JSON
 * lines ({"thingName": ..., "attributes": {...}, "groups": [...]}).
 * A line that cannot be read becomes an item with its reason, so the
 * summary reports it and the rest goes on.
 */
#include "import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN	65536
#define COLS_MAX	128

static void
item_fail(struct import_item *it, const char *why)
{
	it->error = strdup(why);
}

/* Splits one CSV LINE (modified) into at most COLS_MAX fields. */
static int
csv_split(char *line, char **cols, int *n)
{
	char *r = line, *w = line;

	*n = 0;
	for (;;) {
		if (*n == COLS_MAX)
			return -1;
		cols[(*n)++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;	/* unterminated */
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return 0;
		}
		*w++ = '\0';
		r++;
		w = r;
	}
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static json_t *
groups_split(const char *text)
{
	json_t *a = json_array();
	const char *p = text, *semi;

	while (*p != '\0') {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		if (semi > p)
			json_array_append_new(a, json_stringn(p,
			    (size_t)(semi - p)));
		p = *semi == ';' ? semi + 1 : semi;
	}
	return a;
}

static void
csv_item(char **hdr, int nhdr, char *line, struct import_item *it)
{
	char *cols[COLS_MAX];
	int n, i;

	if (csv_split(line, cols, &n) == -1) {
		item_fail(it, "not a CSV line (unbalanced quotes or too many"
		    " columns)");
		return;
	}
	if (n != nhdr) {
		item_fail(it, "the line has a different number of columns"
		    " than the header");
		return;
	}
	it->attrs = json_object();
	for (i = 0; i < n; i++) {
		if (strcmp(hdr[i], "name") == 0 ||
		    strcmp(hdr[i], "thingName") == 0)
			it->name = strdup(cols[i]);
		else if (strcmp(hdr[i], "groups") == 0)
			it->groups = groups_split(cols[i]);
		else if (cols[i][0] != '\0')
			json_object_set_new(it->attrs, hdr[i],
			    json_string(cols[i]));
	}
}

static void
jsonl_item(const char *line, struct import_item *it)
{
	json_error_t jerr;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *name;

	if (!json_is_object(o)) {
		json_decref(o);
		item_fail(it, "not a JSON object");
		return;
	}
	name = json_string_value(json_object_get(o, "thingName"));
	if (name == NULL)
		name = json_string_value(json_object_get(o, "name"));
	if (name != NULL)
		it->name = strdup(name);
	v = json_object_get(o, "attributes");
	it->attrs = json_is_object(v) ? json_incref(v) : json_object();
	v = json_object_get(o, "groups");
	it->groups = json_is_array(v) ? json_incref(v) : json_array();
	json_decref(o);
}

/* Checks what the daemon would refuse anyway, to say it per line. */
static void
item_check(struct import_item *it)
{
	const char *k;
	json_t *v;
	size_t i;

	if (it->error != NULL)
		return;
	if (it->name == NULL || it->name[0] == '\0') {
		item_fail(it, "no thing name");
		return;
	}
	if (it->groups == NULL)
		it->groups = json_array();
	json_object_foreach(it->attrs, k, v)
		if (!json_is_string(v)) {
			item_fail(it, "attribute values are strings");
			return;
		}
	json_array_foreach(it->groups, i, v)
		if (!json_is_string(v)) {
			item_fail(it, "groups are thing group names");
			return;
		}
}

static void
items_push(struct import_list *l, struct import_item *it)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 1024 : l->cap * 2;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL)
			abort();
	}
	l->v[l->n++] = *it;
}

int
import_read(const char *path, bool csv, struct import_list *l,
    struct cli_err *e)
{
	char *line = malloc(LINE_MAX_LEN), *hdr_line = NULL;
	char *hdr[COLS_MAX];
	int nhdr = 0;
	int64_t lineno = 0;
	FILE *f = fopen(path, "r");

	memset(l, 0, sizeof(*l));
	if (line == NULL)
		abort();
	if (f == NULL) {
		free(line);
		return cli_err_set(e, "InputError", "cannot read %s: %s", path,
		    strerror(errno));
	}
	while (fgets(line, LINE_MAX_LEN, f) != NULL) {
		struct import_item it;

		lineno++;
		chomp(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (csv && hdr_line == NULL) {
			hdr_line = strdup(line);
			if (csv_split(hdr_line, hdr, &nhdr) == -1)
				break;
			continue;
		}
		memset(&it, 0, sizeof(it));
		it.line = lineno;
		if (csv)
			csv_item(hdr, nhdr, line, &it);
		else
			jsonl_item(line, &it);
		item_check(&it);
		items_push(l, &it);
	}
	fclose(f);
	free(line);
	l->header = hdr_line;
	if (csv && hdr_line == NULL)
		return cli_err_set(e, "InputError", "%s has no header line",
		    path);
	if (csv && nhdr > 0) {
		int i;
		bool named = false;

		for (i = 0; i < nhdr; i++)
			named = named || strcmp(hdr[i], "name") == 0 ||
			    strcmp(hdr[i], "thingName") == 0;
		if (!named)
			return cli_err_set(e, "InputError", "the header of %s"
			    " has no name column", path);
	}
	return 0;
}

void
import_list_release(struct import_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].error);
		json_decref(l->v[i].attrs);
		json_decref(l->v[i].groups);
	}
	free(l->v);
	free(l->header);
	memset(l, 0, sizeof(*l));
}
