/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dynamic thing groups' query language (thing_query.h): a recursive
 * descent parser over the query text into a small tree, and its
 * evaluation against one thing. The grammar, keywords upper case:
 *
 *	query   := expr END
 *	expr    := and ( "OR" and )*
 *	and     := unary ( ["AND"] unary )*		juxtaposition is AND
 *	unary   := "NOT" unary | "-" unary | primary
 *	primary := "(" expr ")" | term			(at the top level)
 *	         | "(" expr ")" | range | value		(inside field:( ))
 *	term    := field ":" ( "(" expr ")" | range | value )
 *	         | field ( "<" | "<=" | ">" | ">=" ) value
 *	field   := thingName | thingTypeName | thingGroupNames
 *	         | attributes.NAME			NAME: [A-Za-z0-9_.-]+
 *	range   := ( "[" | "{" ) bound "TO" bound ( "]" | "}" )
 *	bound   := value | "*"
 *	value   := '"' chars '"' (\" and \\ escaped) | bare
 *	bare    := [A-Za-z0-9_.:=*?-]+ (not a keyword)
 *
 * Whitespace separates tokens and may surround ':' and the comparisons.
 */
#include "api/thing_query.h"
#include "api/thing_query_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

/* The parser's position and what it found so far. */
struct tq_parser {
	const char *text;
	size_t pos;
	int depth;
	int terms;
	int leading;	/* terms whose value starts with a wildcard */
	struct thing_query *q;
	char *why;
	size_t why_size;
	bool failed;
};

static int
tq_fail(struct tq_parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
tq_fail(struct tq_parser *p, size_t at, const char *fmt, ...)
{
	char msg[THING_QUERY_WHY_MAX];
	va_list ap;

	if (p->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->why, p->why_size, "at character %zu: %s", at + 1, msg);
	p->failed = true;
	return -1;
}

static int
tq_node_new(struct thing_query *q, enum tq_kind kind)
{
	if (q->n == q->cap) {
		q->cap = q->cap == 0 ? 16 : q->cap * 2;
		q->nodes = xrealloc(q->nodes, (size_t)q->cap *
		    sizeof(*q->nodes));
	}
	memset(&q->nodes[q->n], 0, sizeof(q->nodes[0]));
	q->nodes[q->n].kind = kind;
	q->nodes[q->n].a = q->nodes[q->n].b = -1;
	return q->n++;
}

static int
tq_binary(struct thing_query *q, enum tq_kind kind, int a, int b)
{
	int n = tq_node_new(q, kind);

	q->nodes[n].a = a;
	q->nodes[n].b = b;
	return n;
}

/* --- lexical helpers ---------------------------------------------------- */

static bool
tq_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static bool
tq_is_bare(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	    c == '=' || c == '*' || c == '?' || c == '-';
}

static bool
tq_is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static void
tq_skip_space(struct tq_parser *p)
{
	while (tq_is_space(p->text[p->pos]))
		p->pos++;
}

/* Whether keyword KW stands at the position (followed by a separator). */
static bool
tq_at_keyword(const struct tq_parser *p, const char *kw)
{
	size_t n = strlen(kw);
	char next;

	if (strncmp(p->text + p->pos, kw, n) != 0)
		return false;
	next = p->text[p->pos + n];
	return next == '\0' || tq_is_space(next) || next == '(' ||
	    next == ')' || next == '"';
}

/* C as text for a message: itself when printable ASCII, else its code. */
static const char *
tq_char(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", u);
	return buf;
}

/* Whether the bare word of LEN bytes at S is one of the keywords. */
static bool
tq_is_keyword(const char *s, size_t len)
{
	static const char *const kws[] = { "AND", "OR", "NOT", "TO" };
	size_t i;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (strlen(kws[i]) == len && memcmp(s, kws[i], len) == 0)
			return true;
	return false;
}

/* --- values --------------------------------------------------------------- */

/* A quoted value at the position (on '"') into a new string. */
static char *
tq_quoted(struct tq_parser *p)
{
	size_t start = p->pos, n = 0;
	char buf[TQ_VALUE_MAX + 1];
	char c;

	p->pos++;
	for (;;) {
		c = p->text[p->pos];
		if (c == '\0') {
			tq_fail(p, start, "the quoted value is not closed");
			return NULL;
		}
		if (c == '"')
			break;
		if (c == '\\' && (p->text[p->pos + 1] == '"' ||
		    p->text[p->pos + 1] == '\\'))
			c = p->text[++p->pos];
		if (n == TQ_VALUE_MAX) {
			tq_fail(p, start, "a value can be at most %d bytes",
			    TQ_VALUE_MAX);
			return NULL;
		}
		buf[n++] = c;
		p->pos++;
	}
	p->pos++;
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * A value at the position into a new string (*QUOTED tells which form);
 * NULL when there is none (WHY set). WHAT names it in messages.
 */
static char *
tq_value(struct tq_parser *p, bool *quoted, const char *what)
{
	size_t start, len;
	char *v, cb[8];

	tq_skip_space(p);
	start = p->pos;
	*quoted = p->text[p->pos] == '"';
	if (*quoted)
		return tq_quoted(p);
	while (tq_is_bare(p->text[p->pos]))
		p->pos++;
	len = p->pos - start;
	if (len == 0) {
		if (p->text[start] == '\0')
			tq_fail(p, start, "%s is missing at the end of the"
			    " query", what);
		else
			tq_fail(p, start, "%s expected, not %s", what,
			    tq_char(p->text[start], cb));
		return NULL;
	}
	if (tq_is_keyword(p->text + start, len)) {
		tq_fail(p, start, "%s expected, not the keyword %.*s", what,
		    (int)len, p->text + start);
		return NULL;
	}
	if (len > TQ_VALUE_MAX) {
		tq_fail(p, start, "a value can be at most %d bytes",
		    TQ_VALUE_MAX);
		return NULL;
	}
	v = xmalloc(len + 1);
	memcpy(v, p->text + start, len);
	v[len] = '\0';
	return v;
}

/* Counts a term, refusing the thirteenth. */
static int
tq_count_term(struct tq_parser *p, size_t at)
{
	if (++p->terms > THING_QUERY_TERMS_MAX)
		return tq_fail(p, at, "a query can have at most %d terms",
		    THING_QUERY_TERMS_MAX);
	return 0;
}

/* Sets the numeric bounds of range node N, or refuses mixed bounds. */
static int
tq_range_numeric(struct tq_parser *p, struct tq_node *n, size_t at)
{
	bool lo_num = n->lo != NULL && thing_query_number(n->lo, &n->nlo);
	bool hi_num = n->hi != NULL && thing_query_number(n->hi, &n->nhi);

	if (n->lo != NULL && n->hi != NULL && lo_num != hi_num)
		return tq_fail(p, at, "the bounds of a range must both be"
		    " numbers or both be text");
	n->numeric = lo_num || hi_num;
	return 0;
}

/* A range "[a TO b]" at the position (on '[' or '{') into term node N. */
static int
tq_range(struct tq_parser *p, struct tq_node *n)
{
	size_t start = p->pos;
	bool quoted;
	char *lo, *hi, close;

	n->op = TQ_RANGE;
	n->lo_incl = p->text[p->pos++] == '[';
	if ((lo = tq_value(p, &quoted, "the lower bound of a range")) == NULL)
		return -1;
	n->lo = strcmp(lo, "*") == 0 && !quoted ? NULL : lo;
	if (n->lo == NULL)
		free(lo);
	tq_skip_space(p);
	if (!tq_at_keyword(p, "TO"))
		return tq_fail(p, p->pos, "TO expected in a range");
	p->pos += 2;
	if ((hi = tq_value(p, &quoted, "the upper bound of a range")) == NULL)
		return -1;
	n->hi = strcmp(hi, "*") == 0 && !quoted ? NULL : hi;
	if (n->hi == NULL)
		free(hi);
	tq_skip_space(p);
	close = p->text[p->pos];
	if (close != ']' && close != '}')
		return tq_fail(p, p->pos, "a range ends with ']' or '}'");
	n->hi_incl = close == ']';
	p->pos++;
	return tq_range_numeric(p, n, start);
}

/* A value or range for the field F into a new term node. */
static int
tq_leaf(struct tq_parser *p, const struct tq_fieldref *f)
{
	struct tq_node *n;
	size_t start;
	bool quoted;
	char *v;
	int id;

	tq_skip_space(p);
	start = p->pos;
	if (tq_count_term(p, start) == -1)
		return -1;
	id = tq_node_new(p->q, TQ_TERM);
	n = &p->q->nodes[id];
	n->f = *f;
	if (f->field == TQ_F_GROUPS)
		p->q->uses_groups = true;
	if (p->text[start] == '[' || p->text[start] == '{')
		return tq_range(p, n) == -1 ? -1 : id;
	if ((v = tq_value(p, &quoted, "a value")) == NULL)
		return -1;
	n = &p->q->nodes[id];
	n->value = v;
	n->op = !quoted && strpbrk(v, "*?") != NULL ? TQ_GLOB : TQ_EQ;
	if (n->op == TQ_GLOB && (v[0] == '*' || v[0] == '?') &&
	    strcmp(v, "*") != 0 && ++p->leading > 1)
		return tq_fail(p, start, "only one term of a query can start"
		    " with a wildcard");
	return id;
}

/* A comparison "field > value" into a new range node. */
static int
tq_compare(struct tq_parser *p, const struct tq_fieldref *f)
{
	size_t start = p->pos;
	bool gt = p->text[p->pos] == '>', eq, quoted;
	struct tq_node *n;
	char *v;
	int id;

	p->pos++;
	eq = p->text[p->pos] == '=';
	if (eq)
		p->pos++;
	if (tq_count_term(p, start) == -1)
		return -1;
	if ((v = tq_value(p, &quoted, "a value to compare with")) == NULL)
		return -1;
	id = tq_node_new(p->q, TQ_TERM);
	n = &p->q->nodes[id];
	n->f = *f;
	n->op = TQ_RANGE;
	if (f->field == TQ_F_GROUPS)
		p->q->uses_groups = true;
	if (gt) {
		n->lo = v;
		n->lo_incl = eq;
	} else {
		n->hi = v;
		n->hi_incl = eq;
	}
	return tq_range_numeric(p, n, start) == -1 ? -1 : id;
}

/* --- structure ----------------------------------------------------------- */

static int tq_expr(struct tq_parser *p, const struct tq_fieldref *f);

/* A field name at the position into *F. */
static int
tq_field(struct tq_parser *p, struct tq_fieldref *f)
{
	static const char attr_prefix[] = "attributes.";
	size_t start = p->pos, len;
	const char *s = p->text + start;
	char cb[8];

	while (tq_is_name(p->text[p->pos]))
		p->pos++;
	len = p->pos - start;
	memset(f, 0, sizeof(*f));
	if (len == 9 && memcmp(s, "thingName", 9) == 0)
		f->field = TQ_F_NAME;
	else if (len == 13 && memcmp(s, "thingTypeName", 13) == 0)
		f->field = TQ_F_TYPE;
	else if (len == 15 && memcmp(s, "thingGroupNames", 15) == 0)
		f->field = TQ_F_GROUPS;
	else if (len > sizeof(attr_prefix) - 1 &&
	    memcmp(s, attr_prefix, sizeof(attr_prefix) - 1) == 0) {
		if (len - (sizeof(attr_prefix) - 1) > TQ_ATTR_MAX)
			return tq_fail(p, start, "an attribute name can be at"
			    " most %d characters", TQ_ATTR_MAX);
		f->field = TQ_F_ATTR;
		memcpy(f->attr, s + sizeof(attr_prefix) - 1,
		    len - (sizeof(attr_prefix) - 1));
	} else if (len == 0) {
		if (*s == '\0')
			return tq_fail(p, start, "a term is missing at the"
			    " end of the query");
		return tq_fail(p, start, "a term (field:value) expected, not"
		    " %s", tq_char(*s, cb));
	} else {
		return tq_fail(p, start, "unknown field %.*s: iotjobs"
		    " searches thingName, thingTypeName, thingGroupNames and"
		    " attributes.NAME", (int)(len > 64 ? 64 : len), s);
	}
	return 0;
}

/* A top-level term: field, then ':' or a comparison. */
static int
tq_term(struct tq_parser *p)
{
	struct tq_fieldref f;
	size_t at;
	int id;

	if (tq_field(p, &f) == -1)
		return -1;
	tq_skip_space(p);
	at = p->pos;
	if (p->text[at] == '<' || p->text[at] == '>')
		return tq_compare(p, &f);
	if (p->text[at] != ':')
		return tq_fail(p, at, "':' or a comparison expected after the"
		    " field");
	p->pos++;
	tq_skip_space(p);
	if (p->text[p->pos] != '(')
		return tq_leaf(p, &f);
	/* Field grouping: thingName:(a OR b) applies the field inside. */
	at = p->pos++;
	if (++p->depth > THING_QUERY_DEPTH_MAX)
		return tq_fail(p, at, "the query nests deeper than %d",
		    THING_QUERY_DEPTH_MAX);
	id = tq_expr(p, &f);
	p->depth--;
	if (id == -1)
		return -1;
	tq_skip_space(p);
	if (p->text[p->pos] != ')')
		return tq_fail(p, at, "the parenthesis is not closed");
	p->pos++;
	return id;
}

static int
tq_primary(struct tq_parser *p, const struct tq_fieldref *f)
{
	size_t at;
	int id;

	tq_skip_space(p);
	at = p->pos;
	if (p->text[at] == '(') {
		p->pos++;
		if (++p->depth > THING_QUERY_DEPTH_MAX)
			return tq_fail(p, at, "the query nests deeper than"
			    " %d", THING_QUERY_DEPTH_MAX);
		id = tq_expr(p, f);
		p->depth--;
		if (id == -1)
			return -1;
		tq_skip_space(p);
		if (p->text[p->pos] != ')')
			return tq_fail(p, at, "the parenthesis is not"
			    " closed");
		p->pos++;
		return id;
	}
	return f != NULL ? tq_leaf(p, f) : tq_term(p);
}

static int
tq_unary(struct tq_parser *p, const struct tq_fieldref *f)
{
	size_t at;
	int id, n;

	tq_skip_space(p);
	at = p->pos;
	if (tq_at_keyword(p, "NOT"))
		p->pos += 3;
	else if (p->text[at] == '-')
		p->pos++;
	else
		return tq_primary(p, f);
	if (++p->depth > THING_QUERY_DEPTH_MAX)
		return tq_fail(p, at, "the query nests deeper than %d",
		    THING_QUERY_DEPTH_MAX);
	id = tq_unary(p, f);
	p->depth--;
	if (id == -1)
		return -1;
	n = tq_node_new(p->q, TQ_NOT);
	p->q->nodes[n].a = id;
	return n;
}

/* Whether the position ends an AND chain: OR, ')' or the end. */
static bool
tq_ends_and(struct tq_parser *p)
{
	char c;

	tq_skip_space(p);
	c = p->text[p->pos];
	return c == '\0' || c == ')' || tq_at_keyword(p, "OR");
}

static int
tq_and(struct tq_parser *p, const struct tq_fieldref *f)
{
	int left, right;
	size_t at;

	if ((left = tq_unary(p, f)) == -1)
		return -1;
	while (!tq_ends_and(p)) {
		if (tq_at_keyword(p, "AND")) {
			at = p->pos;
			p->pos += 3;
			if (tq_ends_and(p))
				return tq_fail(p, at, "AND needs a term on"
				    " each side");
		}
		if ((right = tq_unary(p, f)) == -1)
			return -1;
		left = tq_binary(p->q, TQ_AND, left, right);
	}
	return left;
}

static int
tq_expr(struct tq_parser *p, const struct tq_fieldref *f)
{
	int left, right;
	size_t at;

	tq_skip_space(p);
	if (tq_at_keyword(p, "OR") || tq_at_keyword(p, "AND"))
		return tq_fail(p, p->pos, "%s needs a term on each side",
		    p->text[p->pos] == 'O' ? "OR" : "AND");
	if ((left = tq_and(p, f)) == -1)
		return -1;
	while (tq_at_keyword(p, "OR")) {
		at = p->pos;
		p->pos += 2;
		tq_skip_space(p);
		if (p->text[p->pos] == '\0' || p->text[p->pos] == ')' ||
		    tq_at_keyword(p, "OR") || tq_at_keyword(p, "AND"))
			return tq_fail(p, at, "OR needs a term on each side");
		if ((right = tq_and(p, f)) == -1)
			return -1;
		left = tq_binary(p->q, TQ_OR, left, right);
	}
	return left;
}

void
thing_query_free(struct thing_query *q)
{
	int i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->nodes[i].value);
		free(q->nodes[i].lo);
		free(q->nodes[i].hi);
	}
	free(q->nodes);
	free(q);
}

int
thing_query_parse(const char *text, struct thing_query **out, char *why,
    size_t why_size)
{
	struct tq_parser p;
	size_t len = strlen(text);
	char cb[8];

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.why = why;
	p.why_size = why_size;
	if (len > THING_QUERY_LEN_MAX)
		return tq_fail(&p, THING_QUERY_LEN_MAX, "a query can be at"
		    " most %d bytes, not %zu", THING_QUERY_LEN_MAX, len);
	tq_skip_space(&p);
	if (text[p.pos] == '\0')
		return tq_fail(&p, p.pos, "the query is empty");
	p.q = xcalloc(1, sizeof(*p.q));
	p.q->root = tq_expr(&p, NULL);
	if (p.q->root != -1) {
		tq_skip_space(&p);
		if (text[p.pos] == ')')
			tq_fail(&p, p.pos, "')' without a '(' before it");
		else if (text[p.pos] != '\0')
			tq_fail(&p, p.pos, "unexpected %s",
			    tq_char(text[p.pos], cb));
	}
	if (p.failed) {
		thing_query_free(p.q);
		return -1;
	}
	*out = p.q;
	return 0;
}

bool
thing_query_uses_groups(const struct thing_query *q)
{
	return q->uses_groups;
}
