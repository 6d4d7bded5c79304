/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy evaluator (policy.h): AWS IoT policy documents parsed once
 * into a compact, read-only form (statements, patterns of tokens, one
 * string pool, all in one allocation), then evaluated without allocation,
 * locks or JSON. Linked by iotjobsd and by the broker plugin: libc and
 * jansson only, reentrant, no mutable globals.
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-policies.html
 *
 * Choices where AWS documents the IAM rule, followed here:
 * - Version "2012-10-17" enables policy variables; "2008-10-17", or no
 *   Version at all (IAM's default), leaves "${...}" as literal text.
 * - Principal / NotPrincipal are refused: an AWS IoT policy is an
 *   identity policy, it applies to the principal it is attached to (IAM
 *   refuses a Principal in identity policies the same way).
 * - Actions must be "*" or "vendor:name" (IAM: "Actions must be prefaced
 *   by a vendor"); resources must be "*" or start with "arn:".
 * - Condition key and variable names match case-insensitively (IAM:
 *   context key names are not case-sensitive).
 * - A missing key makes a condition false, except for the negated
 *   operators (true), ...IfExists (true), ForAllValues: (true) and Null;
 *   several values are OR (NOR for the negated operators), several keys
 *   and several operators AND.
 * Choices where AWS is silent (docs/compatibility.md, "Policies"):
 * - An unknown variable or condition key is not an error: AWS IoT has
 *   many (thing attributes, thing type, certificate fields...) this
 *   evaluator has no facts for, and IAM accepts any key. It is always
 *   absent, so a pattern holding it matches nothing (fail closed).
 * - "${" without a closing "}" is literal text.
 * - Empty arrays (Statement, Action, Resource, condition values) and
 *   empty operator blocks are refused.
 * - Numeric, Date and Binary operators are refused: no key here carries
 *   such a value, and silently ignoring a Deny's condition would be worse.
 * - Operator names match case-insensitively; Effect is exactly Allow|Deny.
 * - '?' matches one UTF-8 character; '*' never splits one.
 * One file, longer than the house's 800 lines, so that the broker plugin
 * links one source: matching and evaluation first, then parsing.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request facts, in the order of struct policy_facts. */
enum pvar {
	PV_CLIENT_ID,
	PV_THING_NAME,
	PV_IS_ATTACHED,
	PV_CERT_CN,
	PV_CERT_ID,
	PV_SOURCE_IP,
	PV_UNKNOWN,	/* any other name: always absent */
	PV_COUNT
};

static const char *const pvar_names[PV_UNKNOWN] = {
	"iot:ClientId",
	"iot:Connection.Thing.ThingName",
	"iot:Connection.Thing.IsAttached",
	"iot:Certificate.Subject.CommonName",
	"iot:CertificateId",
	"aws:SourceIp",
};

/* One pattern token: literal text, a variable, '*' or '?'. */
enum tok_kind { TK_LIT, TK_VAR, TK_STAR, TK_ONE };

struct ptok {
	uint8_t kind;
	uint8_t var;		/* TK_VAR: enum pvar */
	uint8_t has_def;	/* TK_VAR: off/len hold a default value */
	uint32_t off, len;	/* text in the pool */
};

/*
 * A pattern. PAT_ANY: a lone "*" (glob). PAT_EXACT: literal text only,
 * compared whole. PAT_TOKENS: the general case, walked by pat_walk().
 */
enum pat_kind { PAT_ANY, PAT_EXACT, PAT_TOKENS };

struct pat {
	uint8_t kind;
	uint8_t has_var;
	uint32_t tok, ntok;	/* PAT_TOKENS */
	uint32_t off, len;	/* PAT_EXACT: text in the pool */
};

enum cond_op { CO_STR_EQ, CO_STR_EQ_IC, CO_STR_LIKE, CO_ARN, CO_BOOL,
	CO_IP, CO_NULL };

#define CF_NEG		0x01	/* the Not... form */
#define CF_IFEXISTS	0x02
#define CF_FORALL	0x04
#define CF_FORANY	0x08

#define CV_TRUE		0x01	/* "true" (for Null: absent) */
#define CV_FALSE	0x02

#define ARN_PARTS	6

/* Resources whose lengths policy_eval measures once, on its stack. */
#define POLICY_RES_FAST	16

/* Documents up to this size keep every pool offset within 32 bits. */
#define POLICY_DOC_MAX	(1u << 30)

/* One (operator, key) pair of a Condition block. */
struct cond {
	uint8_t op, flags, key, bits;	/* bits: Bool and Null values */
	uint32_t first, n;	/* pats (ARN_PARTS per value for CO_ARN),
				 * or cidrs for CO_IP */
};

struct cidr {
	uint8_t v6, bits;
	uint8_t addr[16];
};

#define ST_DENY		0x01
#define ST_NOT_ACTION	0x02
#define ST_NOT_RESOURCE	0x04

struct stmt {
	uint32_t flags;
	uint32_t act, nact;	/* pats */
	uint32_t res, nres;	/* pats */
	uint32_t cond, ncond;	/* conds */
};

struct policy {
	const struct stmt *stmt;
	const struct pat *pat;
	const struct ptok *tok;
	const struct cond *cond;
	const struct cidr *cidr;
	const char *pool;
	uint32_t nstmt;
	int has_deny;
};

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/* What one evaluation knows: the facts as strings with their lengths. */
struct ectx {
	const char *val[PV_COUNT];
	size_t len[PV_COUNT];
};

static inline unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline size_t
utf8_next(const char *s, size_t i, size_t n)
{
	i++;
	while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static bool
bytes_equal(const char *a, const char *b, size_t n, bool icase)
{
	size_t i;

	/* Most case-insensitive compares meet the same case. */
	if (memcmp(a, b, n) == 0)
		return true;
	if (!icase)
		return false;
	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* The text of literal or variable token K (a variable known present). */
static inline const char *
tok_text(const struct policy *p, const struct ectx *x, const struct ptok *k,
    size_t *len)
{
	if (k->kind == TK_VAR && x->val[k->var] != NULL) {
		*len = x->len[k->var];
		return x->val[k->var];
	}
	*len = k->len;
	return p->pool + k->off;
}

#define PK_END	(-1)
#define PK_STAR	(-2)
#define PK_ONE	(-3)

/*
 * What the pattern cursor (*T, *O) points at: a byte, '*', '?' or the
 * end; moves past exhausted literal and variable tokens first.
 */
static inline int
pat_peek(const struct policy *p, const struct ectx *x, uint32_t end,
    uint32_t *t, size_t *o)
{
	const struct ptok *k;
	const char *s;
	size_t len;

	for (; *t < end; (*t)++, *o = 0) {
		k = &p->tok[*t];
		if (k->kind == TK_STAR)
			return PK_STAR;
		if (k->kind == TK_ONE)
			return PK_ONE;
		s = tok_text(p, x, k, &len);
		if (*o < len)
			return (unsigned char)s[*o];
	}
	return PK_END;
}

/*
 * Glob match of S[0..N) against token pattern PT: greedy, remembering
 * only the last '*' (the classic two-pointer algorithm), so the cost is
 * at most O(N * pattern length), never exponential. Substituted
 * variable text is literal: its '*' and '?' are plain bytes.
 */
static bool
pat_walk(const struct policy *p, const struct ectx *x, const struct pat *pt,
    const char *s, size_t n, bool icase)
{
	uint32_t end = pt->tok + pt->ntok, t = pt->tok, st = UINT32_MAX;
	size_t o = 0, i = 0, si = 0, len;
	const char *txt, *hit;
	int c;

	for (;;) {
		c = pat_peek(p, x, end, &t, &o);
		if (c >= 0 && st == UINT32_MAX) {
			/* No '*' to fall back on: the text matches whole. */
			txt = tok_text(p, x, &p->tok[t], &len);
			if (len - o > n - i || !bytes_equal(txt + o, s + i,
			    len - o, icase))
				return false;
			i += len - o;
			t++;
			o = 0;
			continue;
		}
		if (c >= 0 && !icase && t == st && o == 0 && i == si) {
			/* Just past the '*': it absorbs up to the next place
			 * the text can start, as many retries would. */
			hit = i < n ? memchr(s + i, c, n - i) : NULL;
			if (hit == NULL)
				return false;
			si = i = (size_t)(hit - s);
		}
		if (c == PK_STAR) {
			t++;
			o = 0;
			st = t;
			si = i;
			continue;
		}
		if (i < n) {
			if (c == PK_ONE) {
				t++;
				o = 0;
				i = utf8_next(s, i, n);
				continue;
			}
			if (c >= 0 && (c == (unsigned char)s[i] || (icase &&
			    ascii_lower((unsigned char)c) ==
			    ascii_lower((unsigned char)s[i])))) {
				o++;
				i++;
				continue;
			}
		} else if (c == PK_END)
			return true;
		if (st == UINT32_MAX || si >= n)
			return false;
		si = utf8_next(s, si, n);
		i = si;
		t = st;
		o = 0;
	}
}

/* Whether S[0..N) matches pattern PT; false when a variable is absent. */
static bool
pat_match(const struct policy *p, const struct ectx *x, const struct pat *pt,
    const char *s, size_t n, bool icase)
{
	uint32_t i;

	switch (pt->kind) {
	case PAT_ANY:
		return true;
	case PAT_EXACT:
		return n == pt->len && bytes_equal(p->pool + pt->off, s, n,
		    icase);
	default:
		break;
	}
	if (pt->has_var)
		for (i = pt->tok; i < pt->tok + pt->ntok; i++)
			if (p->tok[i].kind == TK_VAR &&
			    x->val[p->tok[i].var] == NULL && !p->tok[i].has_def)
				return false;
	return pat_walk(p, x, pt, s, n, icase);
}

/* Whether S matches any of the N patterns from FIRST. */
static bool
pat_any(const struct policy *p, const struct ectx *x, uint32_t first,
    uint32_t n, const char *s, size_t len, bool icase)
{
	uint32_t i;

	for (i = first; i < first + n; i++)
		if (pat_match(p, x, &p->pat[i], s, len, icase))
			return true;
	return false;
}

/* ARN operators: each of the six colon-separated parts on its own. */
static bool
arn_match(const struct policy *p, const struct ectx *x, uint32_t first,
    const char *s, size_t n)
{
	size_t start = 0, i = 0;
	int part;

	for (part = 0; part < ARN_PARTS; part++) {
		if (part < ARN_PARTS - 1) {
			while (i < n && s[i] != ':')
				i++;
			if (i == n)
				return false;
		} else
			i = n;
		if (!pat_match(p, x, &p->pat[first + part], s + start,
		    i - start, false))
			return false;
		start = ++i;
	}
	return true;
}

/* Parses TEXT as an IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4). */
static bool
ip_parse(const char *text, size_t len, struct cidr *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	char buf[INET6_ADDRSTRLEN + 1];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->bits = 32;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return false;
	if (memcmp(out->addr, mapped, sizeof(mapped)) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->bits = 32;
		return true;
	}
	out->v6 = 1;
	out->bits = 128;
	return true;
}

static bool
cidr_contains(const struct cidr *net, const struct cidr *ip)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;

	if (net->v6 != ip->v6)
		return false;
	if (memcmp(net->addr, ip->addr, full) != 0)
		return false;
	return rest == 0 || ((net->addr[full] ^ ip->addr[full]) &
	    (0xff << (8 - rest)) & 0xff) == 0;
}

static bool
bool_value(const char *v, size_t n, unsigned *bits)
{
	if (n == 4 && bytes_equal(v, "true", 4, true))
		*bits = CV_TRUE;
	else if (n == 5 && bytes_equal(v, "false", 5, true))
		*bits = CV_FALSE;
	else
		return false;
	return true;
}

/* One (operator, key) pair against the request. */
static bool
cond_holds(const struct policy *p, const struct ectx *x, const struct cond *c)
{
	const char *v = x->val[c->key];
	size_t n = x->len[c->key];
	struct cidr ip;
	unsigned bits;
	bool any = false;
	uint32_t i;

	if (c->op == CO_NULL)
		return (c->bits & (v == NULL ? CV_TRUE : CV_FALSE)) != 0;
	if (v == NULL) {
		if (c->flags & (CF_IFEXISTS | CF_FORALL))
			return true;
		return !(c->flags & CF_FORANY) && (c->flags & CF_NEG);
	}
	switch (c->op) {
	case CO_STR_EQ:
	case CO_STR_LIKE:
		any = pat_any(p, x, c->first, c->n, v, n, false);
		break;
	case CO_STR_EQ_IC:
		any = pat_any(p, x, c->first, c->n, v, n, true);
		break;
	case CO_ARN:
		for (i = 0; i < c->n && !any; i++)
			any = arn_match(p, x, c->first + i * ARN_PARTS, v, n);
		break;
	case CO_BOOL:
		any = bool_value(v, n, &bits) && (c->bits & bits) != 0;
		break;
	case CO_IP:
		if (ip_parse(v, n, &ip))
			for (i = 0; i < c->n && !any; i++)
				any = cidr_contains(&p->cidr[c->first + i],
				    &ip);
		break;
	default:
		break;
	}
	return (c->flags & CF_NEG) ? !any : any;
}

static bool
stmt_applies(const struct policy *p, const struct ectx *x,
    const struct stmt *st, const char *action, size_t alen,
    const char *const *res, const size_t *rlen, size_t nres)
{
	bool hit = false;
	size_t r, len;
	uint32_t i;

	if (pat_any(p, x, st->act, st->nact, action, alen, true) ==
	    !!(st->flags & ST_NOT_ACTION))
		return false;
	for (r = 0; r < nres && !hit; r++) {
		len = r < POLICY_RES_FAST ? rlen[r] : strlen(res[r]);
		hit = pat_any(p, x, st->res, st->nres, res[r], len, false) !=
		    !!(st->flags & ST_NOT_RESOURCE);
	}
	if (!hit)
		return false;
	for (i = st->cond; i < st->cond + st->ncond; i++)
		if (!cond_holds(p, x, &p->cond[i]))
			return false;
	return true;
}

static void
ectx_init(struct ectx *x, const struct policy_facts *f)
{
	int i;

	memset(x, 0, sizeof(*x));
	if (f != NULL) {
		x->val[PV_CLIENT_ID] = f->client_id;
		x->val[PV_THING_NAME] = f->thing_name;
		x->val[PV_IS_ATTACHED] = f->thing_attached ? "true" : "false";
		x->val[PV_CERT_CN] = f->cert_cn;
		x->val[PV_CERT_ID] = f->cert_id;
		x->val[PV_SOURCE_IP] = f->source_ip;
	}
	for (i = 0; i < PV_UNKNOWN; i++)
		if (x->val[i] != NULL)
			x->len[i] = strlen(x->val[i]);
}

enum policy_decision
policy_eval(const struct policy *const *p, size_t n, const char *action,
    const char *const *res, size_t nres, const struct policy_facts *facts)
{
	size_t rlen[POLICY_RES_FAST], alen, i, r;
	enum policy_decision d = POLICY_DENY_DEFAULT;
	const struct stmt *st;
	struct ectx x;
	uint32_t s;

	if (action == NULL || res == NULL)
		return d;
	ectx_init(&x, facts);
	alen = strlen(action);
	for (r = 0; r < nres && r < POLICY_RES_FAST; r++)
		rlen[r] = strlen(res[r]);
	for (i = 0; i < n; i++) {
		if (p[i] == NULL || (d == POLICY_ALLOW && !p[i]->has_deny))
			continue;
		for (s = 0; s < p[i]->nstmt; s++) {
			st = &p[i]->stmt[s];
			/* Once allowed, only a Deny can change the answer. */
			if (d == POLICY_ALLOW && !(st->flags & ST_DENY))
				continue;
			if (!stmt_applies(p[i], &x, st, action, alen, res,
			    rlen, nres))
				continue;
			if (st->flags & ST_DENY)
				return POLICY_DENY_EXPLICIT;
			d = POLICY_ALLOW;
		}
	}
	return d;
}

/* ------------------------------------------------------------------ */
/* The admin's policy                                                  */

static const struct ptok allow_all_tok[] = { { TK_STAR, 0, 0, 0, 0 } };
static const struct pat allow_all_pat[] = { { PAT_ANY, 0, 0, 1, 0, 0 } };
static const struct stmt allow_all_stmt[] = { { 0, 0, 1, 0, 1, 0, 0 } };
static const struct policy allow_all = {
	allow_all_stmt, allow_all_pat, allow_all_tok, NULL, NULL, "", 1, 0
};

const struct policy *
policy_allow_all(void)
{
	return &allow_all;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

struct vec {
	char *p;
	size_t n, cap, sz;
};

/* What a parse builds before policy_pack() copies it into one block. */
struct build {
	struct vec stmt, pat, tok, cond, cidr, pool;
	bool vars;		/* Version 2012-10-17: ${...} expands */
	bool has_deny;
};

static int
oom(struct err *err)
{
	return err_set(err, ERR_INTERNAL_FAILURE, "policy: out of memory");
}

/* Appends N elements (copied from E when not NULL); *IDX gets the first. */
static int
vec_add(struct vec *v, const void *e, size_t n, uint32_t *idx,
    struct err *err)
{
	size_t cap;
	char *np;

	if (v->n + n > v->cap) {
		cap = v->cap ? v->cap : 16;
		while (cap < v->n + n)
			cap *= 2;
		np = realloc(v->p, cap * v->sz);
		if (np == NULL)
			return oom(err);
		v->p = np;
		v->cap = cap;
	}
	if (e != NULL && n > 0)
		memcpy(v->p + v->n * v->sz, e, n * v->sz);
	if (idx != NULL)
		*idx = (uint32_t)v->n;
	v->n += n;
	return 0;
}

static int
tok_add(struct build *b, uint8_t kind, uint8_t var, uint8_t has_def,
    uint32_t off, uint32_t len, struct err *err)
{
	struct ptok k = { kind, var, has_def, off, len };

	return vec_add(&b->tok, &k, 1, NULL, err);
}

/* The variable named S[0..N), case-insensitively; PV_UNKNOWN if none. */
static uint8_t
pvar_lookup(const char *s, size_t n)
{
	uint8_t i;

	for (i = 0; i < PV_UNKNOWN; i++)
		if (strlen(pvar_names[i]) == n &&
		    bytes_equal(pvar_names[i], s, n, true))
			return i;
	return PV_UNKNOWN;
}

/*
 * At S[0..N) (just after "${"): the length up to and including the
 * closing brace, the name's length and, for "${name, 'default'}", the
 * default's offset and length. 0 when there is no closing brace.
 */
static size_t
var_scan(const char *s, size_t n, size_t *name, size_t *doff, size_t *dlen)
{
	size_t i, q;

	*doff = *dlen = 0;
	for (i = 0; i < n && s[i] != '}' && s[i] != ','; i++)
		;
	if (i == n)
		return 0;
	*name = i;
	if (s[i] == '}')
		return i + 1;
	for (q = i + 1; q < n && s[q] == ' '; q++)
		;
	if (q < n && s[q] == '\'') {
		*doff = q + 1;
		for (q++; q < n && s[q] != '\''; q++)
			;
		if (q + 1 < n && s[q + 1] == '}') {
			*dlen = q - *doff;
			return q + 2;
		}
	}
	/* Not the default syntax: the whole text is an (unknown) name. */
	*doff = 0;
	for (; i < n && s[i] != '}'; i++)
		;
	if (i == n)
		return 0;
	*name = i;
	return i + 1;
}

/*
 * Compiles S[0..N) into a new pattern, *OUT its index. GLOB: '*' and '?'
 * are wildcards. Variables expand when the document's Version allows.
 */
static int
pat_build(struct build *b, const char *s, size_t n, bool glob, uint32_t *out,
    struct err *err)
{
	struct pat pt = { PAT_TOKENS, 0, (uint32_t)b->tok.n, 0, 0, 0 };
	uint32_t run = (uint32_t)b->pool.n, off;
	size_t i = 0, used, name, doff, dlen;
	const struct ptok *k;
	char c;

	while (i < n) {
		c = s[i];
		used = 0;
		if (b->vars && c == '$' && i + 1 < n && s[i + 1] == '{')
			used = var_scan(s + i + 2, n - i - 2, &name, &doff,
			    &dlen);
		if (used == 2 && name == 1 && s[i + 2] != '\0' &&
		    strchr("*?$", s[i + 2]) != NULL) {
			/* ${*} ${?} ${$}: the character itself. */
			if (vec_add(&b->pool, &s[i + 2], 1, NULL, err) == -1)
				return -1;
			i += 4;
			continue;
		}
		if (used == 0 && !(glob && (c == '*' || c == '?'))) {
			if (vec_add(&b->pool, &c, 1, NULL, err) == -1)
				return -1;
			i++;
			continue;
		}
		if (b->pool.n > run && tok_add(b, TK_LIT, 0, 0, run,
		    (uint32_t)(b->pool.n - run), err) == -1)
			return -1;
		if (used > 0) {
			if (vec_add(&b->pool, s + i + 2 + doff, dlen, &off,
			    err) == -1 || tok_add(b, TK_VAR,
			    pvar_lookup(s + i + 2, name), doff > 0, off,
			    (uint32_t)dlen, err) == -1)
				return -1;
			pt.has_var = 1;
			i += 2 + used;
		} else {
			k = b->tok.n > pt.tok ? (const struct ptok *)(void *)
			    b->tok.p + b->tok.n - 1 : NULL;
			/* "**" is "*". */
			if (c == '?' || k == NULL || k->kind != TK_STAR)
				if (tok_add(b, c == '*' ? TK_STAR : TK_ONE, 0,
				    0, 0, 0, err) == -1)
					return -1;
			i++;
		}
		run = (uint32_t)b->pool.n;
	}
	if (b->pool.n > run && tok_add(b, TK_LIT, 0, 0, run,
	    (uint32_t)(b->pool.n - run), err) == -1)
		return -1;
	pt.ntok = (uint32_t)b->tok.n - pt.tok;
	k = pt.ntok > 0 ? (const struct ptok *)(void *)b->tok.p + pt.tok :
	    NULL;
	if (k == NULL || (pt.ntok == 1 && k->kind == TK_LIT)) {
		pt.kind = PAT_EXACT;
		pt.off = pt.ntok ? k->off : 0;
		pt.len = pt.ntok ? k->len : 0;
		b->tok.n = pt.tok;
		pt.tok = pt.ntok = 0;
	} else if (pt.ntok == 1 && k->kind == TK_STAR) {
		pt.kind = PAT_ANY;
		b->tok.n = pt.tok;
		pt.tok = pt.ntok = 0;
	}
	return vec_add(&b->pat, &pt, 1, out, err);
}

/* The elements of a string-or-array member, each a non-empty array. */
static int
strings_get(json_t *v, const char *where, json_t ***items, size_t *n,
    json_t **one, struct err *err)
{
	if (json_is_string(v)) {
		*one = v;
		*items = one;
		*n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s must be a string or an array of strings", where);
	if (json_array_size(v) == 0)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s must not be an empty array", where);
	*items = NULL;
	*n = json_array_size(v);
	return 0;
}

static json_t *
strings_at(json_t *v, json_t **items, size_t i)
{
	return items != NULL ? items[i] : json_array_get(v, i);
}

/* Action / NotAction (ACTION) or Resource / NotResource: *FIRST, *N. */
static int
list_build(struct build *b, json_t *v, const char *where, bool action,
    uint32_t *first, uint32_t *n, struct err *err)
{
	json_t **items, *one, *e;
	const char *s, *colon;
	size_t count = 0, i, len;
	uint32_t idx;

	if (strings_get(v, where, &items, &count, &one, err) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		e = strings_at(v, items, i);
		if (!json_is_string(e))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s[%zu] must be a string", where, i);
		s = json_string_value(e);
		len = json_string_length(e);
		colon = memchr(s, ':', len);
		if (action && strcmp(s, "*") != 0 && (colon == NULL ||
		    colon == s || colon + 1 == s + len ||
		    strcspn(s, "*?") < (size_t)(colon - s)))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s \"%.64s\" must be \"*\" or a vendor prefix, a"
			    " colon and an action name, as \"iot:Publish\"",
			    where, s);
		if (!action && strcmp(s, "*") != 0 &&
		    strncmp(s, "arn:", 4) != 0)
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s \"%.64s\" must be \"*\" or an ARN", where, s);
		if (action) {
			/* IAM expands no variables in actions. */
			bool vars = b->vars;

			b->vars = false;
			if (pat_build(b, s, len, true, &idx, err) == -1)
				return -1;
			b->vars = vars;
		} else if (pat_build(b, s, len, true, &idx, err) == -1)
			return -1;
		if (i == 0)
			*first = idx;
	}
	*n = (uint32_t)count;
	return 0;
}

static const struct {
	const char *name;
	uint8_t op, flags;
} cond_ops[] = {
	{ "StringEquals", CO_STR_EQ, 0 },
	{ "StringNotEquals", CO_STR_EQ, CF_NEG },
	{ "StringEqualsIgnoreCase", CO_STR_EQ_IC, 0 },
	{ "StringNotEqualsIgnoreCase", CO_STR_EQ_IC, CF_NEG },
	{ "StringLike", CO_STR_LIKE, 0 },
	{ "StringNotLike", CO_STR_LIKE, CF_NEG },
	{ "ArnEquals", CO_ARN, 0 },
	{ "ArnLike", CO_ARN, 0 },
	{ "ArnNotEquals", CO_ARN, CF_NEG },
	{ "ArnNotLike", CO_ARN, CF_NEG },
	{ "Bool", CO_BOOL, 0 },
	{ "IpAddress", CO_IP, 0 },
	{ "NotIpAddress", CO_IP, CF_NEG },
	{ "Null", CO_NULL, 0 },
};

static bool
prefix_is(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && bytes_equal(s, pre, k, true);
}

/* NAME as operator and flags: [ForAllValues:|ForAnyValue:]Op[IfExists]. */
static int
cond_op_parse(const char *name, const char *where, struct cond *c,
    struct err *err)
{
	const char *s = name;
	size_t n = strlen(name), i;

	c->flags = 0;
	if (prefix_is(s, n, "ForAllValues:")) {
		c->flags |= CF_FORALL;
		s += 13;
		n -= 13;
	} else if (prefix_is(s, n, "ForAnyValue:")) {
		c->flags |= CF_FORANY;
		s += 12;
		n -= 12;
	}
	if (n > 8 && bytes_equal(s + n - 8, "IfExists", 8, true)) {
		c->flags |= CF_IFEXISTS;
		n -= 8;
	}
	for (i = 0; i < sizeof(cond_ops) / sizeof(cond_ops[0]); i++)
		if (strlen(cond_ops[i].name) == n &&
		    bytes_equal(cond_ops[i].name, s, n, true))
			break;
	if (i == sizeof(cond_ops) / sizeof(cond_ops[0])) {
		if (prefix_is(s, n, "Numeric") || prefix_is(s, n, "Date") ||
		    prefix_is(s, n, "Binary"))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s: condition operator \"%.64s\" is not"
			    " supported (no condition key here is a number,"
			    " a date or binary)", where, name);
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s: unknown condition operator \"%.64s\"", where, name);
	}
	c->op = cond_ops[i].op;
	c->flags |= cond_ops[i].flags;
	if (c->op == CO_NULL && c->flags != 0)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s: condition operator \"%.64s\" is not valid: Null takes"
		    " no IfExists suffix or set prefix", where, name);
	return 0;
}

/* A CIDR ("10.0.0.0/8", "2001:db8::/32", or one address). */
static bool
cidr_parse(const char *s, size_t n, struct cidr *out)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n, i;
	unsigned bits = 0, max;

	if (!ip_parse(s, alen, out))
		return false;
	if (slash == NULL)
		return true;
	if (slash + 1 == s + n || s + n - slash - 1 > 3)
		return false;
	for (i = 1; slash + i < s + n; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return false;
		bits = bits * 10 + (unsigned)(slash[i] - '0');
	}
	max = out->v6 ? 128 : 32;
	if (!out->v6 && memchr(s, ':', alen) != NULL) {
		/* IPv4-mapped IPv6: the prefix counts the 96 bits before. */
		if (bits < 96)
			return false;
		bits -= 96;
	}
	if (bits > max)
		return false;
	out->bits = (uint8_t)bits;
	return true;
}

/* Splits an ARN pattern into its six parts at colons outside ${...}. */
static int
arn_build(struct build *b, const char *s, size_t n, const char *where,
    struct err *err)
{
	size_t start = 0, i, depth = 0;
	int part = 0;

	for (i = 0; i <= n && part < ARN_PARTS; i++) {
		if (i < n && b->vars && s[i] == '$' && i + 1 < n &&
		    s[i + 1] == '{')
			depth = 1;
		else if (i < n && depth && s[i] == '}')
			depth = 0;
		if (i < n && (depth || s[i] != ':' || part == ARN_PARTS - 1))
			continue;
		if (i == n && part < ARN_PARTS - 1)
			break;
		if (pat_build(b, s + start, i - start, true, NULL, err) == -1)
			return -1;
		part++;
		start = i + 1;
	}
	if (part < ARN_PARTS)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s: \"%.64s\" is not an ARN (six parts separated by"
		    " colons)", where, s);
	return 0;
}

/* A condition value as text: a string, a JSON boolean or an integer. */
static bool
value_text(json_t *v, char *buf, size_t cap, const char **s, size_t *n)
{
	int k;

	if (json_is_string(v)) {
		*s = json_string_value(v);
		*n = json_string_length(v);
		return true;
	}
	if (json_is_boolean(v)) {
		*s = json_is_true(v) ? "true" : "false";
		*n = strlen(*s);
		return true;
	}
	if (!json_is_integer(v))
		return false;
	k = snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	*s = buf;
	*n = (size_t)k;
	return true;
}

/* One value of condition C (its operator known). */
static int
cond_value_add(struct build *b, struct cond *c, const char *s, size_t n,
    const char *where, struct err *err)
{
	struct cidr net;
	unsigned bits;

	switch (c->op) {
	case CO_STR_EQ:
	case CO_STR_EQ_IC:
		return pat_build(b, s, n, false, NULL, err);
	case CO_STR_LIKE:
		return pat_build(b, s, n, true, NULL, err);
	case CO_ARN:
		return arn_build(b, s, n, where, err);
	case CO_BOOL:
	case CO_NULL:
		if (!bool_value(s, n, &bits))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s: \"%.64s\" must be \"true\" or \"false\"",
			    where, s);
		c->bits |= (uint8_t)bits;
		return 0;
	default:
		if (!cidr_parse(s, n, &net))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s: \"%.64s\" is not an IP address or CIDR range",
			    where, s);
		return vec_add(&b->cidr, &net, 1, NULL, err);
	}
}

/* The values of KEY under operator OPNAME: one struct cond. */
static int
cond_key_build(struct build *b, const char *opname, const char *key,
    json_t *v, const char *at, struct err *err)
{
	char where[256], num[32];
	struct cond c = { 0, 0, 0, 0, 0, 0 };
	json_t **items, *one, *e;
	const char *colon, *s;
	size_t count = 0, i, n;

	snprintf(where, sizeof(where), "%s.%.64s.%.64s", at, opname, key);
	if (cond_op_parse(opname, where, &c, err) == -1)
		return -1;
	colon = strchr(key, ':');
	if (colon == NULL || colon == key || colon[1] == '\0')
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s: condition key \"%.64s\" must be a vendor prefix, a"
		    " colon and a name, as \"iot:ClientId\"", where, key);
	c.key = pvar_lookup(key, strlen(key));
	if (json_is_string(v) || json_is_boolean(v) || json_is_integer(v)) {
		one = v;
		items = &one;
		count = 1;
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		items = NULL;
		count = json_array_size(v);
	} else
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s must be a string or a non-empty array of strings",
		    where);
	c.first = (uint32_t)(c.op == CO_IP ? b->cidr.n : b->pat.n);
	for (i = 0; i < count; i++) {
		e = strings_at(v, items, i);
		if (!value_text(e, num, sizeof(num), &s, &n))
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s[%zu] must be a string", where, i);
		if (cond_value_add(b, &c, s, n, where, err) == -1)
			return -1;
	}
	c.n = (uint32_t)count;
	return vec_add(&b->cond, &c, 1, NULL, err);
}

/* A statement's Condition block: *FIRST, *N conds. */
static int
cond_build(struct build *b, json_t *v, const char *at, uint32_t *first,
    uint32_t *n, struct err *err)
{
	const char *op, *key;
	json_t *keys, *vals;

	*first = (uint32_t)b->cond.n;
	if (!json_is_object(v))
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s must be an object of condition operators", at);
	json_object_foreach(v, op, keys) {
		if (!json_is_object(keys) || json_object_size(keys) == 0)
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s.%.64s must be a non-empty object of condition"
			    " keys", at, op);
		json_object_foreach(keys, key, vals)
			if (cond_key_build(b, op, key, vals, at, err) == -1)
				return -1;
	}
	*n = (uint32_t)b->cond.n - *first;
	return 0;
}

/* Statement I (object V). */
static int
stmt_build(struct build *b, json_t *v, size_t i, struct err *err)
{
	json_t *effect = NULL, *act = NULL, *res = NULL, *cond = NULL, *m;
	struct stmt st = { 0, 0, 0, 0, 0, 0, 0 };
	char at[64], where[96];
	const char *name;

	snprintf(at, sizeof(at), "Statement[%zu]", i);
	if (!json_is_object(v))
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s must be an object", at);
	json_object_foreach(v, name, m) {
		if (strcmp(name, "Effect") == 0)
			effect = m;
		else if (strcmp(name, "Action") == 0 ||
		    strcmp(name, "NotAction") == 0) {
			if (act != NULL)
				return err_set(err, ERR_MALFORMED_POLICY,
				    "%s has both Action and NotAction", at);
			act = m;
			if (name[0] == 'N')
				st.flags |= ST_NOT_ACTION;
		} else if (strcmp(name, "Resource") == 0 ||
		    strcmp(name, "NotResource") == 0) {
			if (res != NULL)
				return err_set(err, ERR_MALFORMED_POLICY,
				    "%s has both Resource and NotResource", at);
			res = m;
			if (name[0] == 'N')
				st.flags |= ST_NOT_RESOURCE;
		} else if (strcmp(name, "Condition") == 0)
			cond = m;
		else if (strcmp(name, "Sid") == 0) {
			if (!json_is_string(m))
				return err_set(err, ERR_MALFORMED_POLICY,
				    "%s.Sid must be a string", at);
		} else if (strcmp(name, "Principal") == 0 ||
		    strcmp(name, "NotPrincipal") == 0)
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s.%s is not allowed: an AWS IoT policy applies"
			    " to the principal it is attached to", at, name);
		else
			return err_set(err, ERR_MALFORMED_POLICY,
			    "%s has an unknown member \"%.64s\"", at, name);
	}
	if (effect == NULL)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s.Effect is missing", at);
	if (!json_is_string(effect) || (strcmp(json_string_value(effect),
	    "Allow") != 0 && strcmp(json_string_value(effect), "Deny") != 0))
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s.Effect must be \"Allow\" or \"Deny\"", at);
	if (json_string_value(effect)[0] == 'D') {
		st.flags |= ST_DENY;
		b->has_deny = true;
	}
	if (act == NULL)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s.Action is missing", at);
	if (res == NULL)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "%s.Resource is missing", at);
	snprintf(where, sizeof(where), "%s.%s", at,
	    st.flags & ST_NOT_ACTION ? "NotAction" : "Action");
	if (list_build(b, act, where, true, &st.act, &st.nact, err) == -1)
		return -1;
	snprintf(where, sizeof(where), "%s.%s", at,
	    st.flags & ST_NOT_RESOURCE ? "NotResource" : "Resource");
	if (list_build(b, res, where, false, &st.res, &st.nres, err) == -1)
		return -1;
	snprintf(where, sizeof(where), "%s.Condition", at);
	if (cond != NULL && cond_build(b, cond, where, &st.cond, &st.ncond,
	    err) == -1)
		return -1;
	return vec_add(&b->stmt, &st, 1, NULL, err);
}

/* The document's members; fills B's statements. */
static int
doc_build(struct build *b, json_t *doc, struct err *err)
{
	json_t *stmts = NULL, *m;
	const char *name, *ver;
	size_t i;

	json_object_foreach(doc, name, m) {
		if (strcmp(name, "Version") == 0) {
			ver = json_string_value(m);
			if (ver == NULL || (strcmp(ver, "2012-10-17") != 0 &&
			    strcmp(ver, "2008-10-17") != 0))
				return err_set(err, ERR_MALFORMED_POLICY,
				    "Version must be \"2012-10-17\" or"
				    " \"2008-10-17\"");
			b->vars = strcmp(ver, "2012-10-17") == 0;
		} else if (strcmp(name, "Statement") == 0)
			stmts = m;
		else if (strcmp(name, "Id") == 0) {
			if (!json_is_string(m))
				return err_set(err, ERR_MALFORMED_POLICY,
				    "Id must be a string");
		} else
			return err_set(err, ERR_MALFORMED_POLICY,
			    "policy document has an unknown member \"%.64s\"",
			    name);
	}
	if (stmts == NULL)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "Statement is missing");
	if (json_is_object(stmts))
		return stmt_build(b, stmts, 0, err);
	if (!json_is_array(stmts))
		return err_set(err, ERR_MALFORMED_POLICY,
		    "Statement must be an object or an array of objects");
	if (json_array_size(stmts) == 0)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "Statement must not be an empty array");
	for (i = 0; i < json_array_size(stmts); i++)
		if (stmt_build(b, json_array_get(stmts, i), i, err) == -1)
			return -1;
	return 0;
}

#define ALIGN_UP(n)	(((n) + 7) & ~(size_t)7)

/* Copies B into one allocation (read-only from then on). */
static struct policy *
policy_pack(const struct build *b)
{
	const struct vec *v[] = { &b->stmt, &b->pat, &b->tok, &b->cond,
		&b->cidr, &b->pool };
	size_t off[6], total = ALIGN_UP(sizeof(struct policy)), i;
	struct policy *p;
	char *mem;

	for (i = 0; i < 6; i++) {
		off[i] = total;
		total += ALIGN_UP(v[i]->n * v[i]->sz);
	}
	mem = malloc(total + 1);
	if (mem == NULL)
		return NULL;
	for (i = 0; i < 6; i++)
		if (v[i]->n > 0)
			memcpy(mem + off[i], v[i]->p, v[i]->n * v[i]->sz);
	p = (struct policy *)(void *)mem;
	p->stmt = (const struct stmt *)(void *)(mem + off[0]);
	p->pat = (const struct pat *)(void *)(mem + off[1]);
	p->tok = (const struct ptok *)(void *)(mem + off[2]);
	p->cond = (const struct cond *)(void *)(mem + off[3]);
	p->cidr = (const struct cidr *)(void *)(mem + off[4]);
	p->pool = mem + off[5];
	p->nstmt = (uint32_t)b->stmt.n;
	p->has_deny = b->has_deny;
	return p;
}

int
policy_parse(const char *doc, size_t len, struct policy **out,
    struct err *err)
{
	struct build b;
	json_error_t jerr;
	json_t *j;
	int rc = -1;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.stmt.sz = sizeof(struct stmt);
	b.pat.sz = sizeof(struct pat);
	b.tok.sz = sizeof(struct ptok);
	b.cond.sz = sizeof(struct cond);
	b.cidr.sz = sizeof(struct cidr);
	b.pool.sz = 1;
	if (len > POLICY_DOC_MAX)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "policy document is larger than %u bytes", POLICY_DOC_MAX);
	j = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return err_set(err, ERR_MALFORMED_POLICY,
		    "policy document is not valid JSON: %s (line %d, column"
		    " %d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_object(j)) {
		err_set(err, ERR_MALFORMED_POLICY,
		    "policy document must be a JSON object");
		goto out;
	}
	if (doc_build(&b, j, err) == -1)
		goto out;
	*out = policy_pack(&b);
	if (*out == NULL) {
		oom(err);
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	free(b.stmt.p);
	free(b.pat.p);
	free(b.tok.p);
	free(b.cond.p);
	free(b.cidr.p);
	free(b.pool.p);
	return rc;
}

void
policy_free(struct policy *p)
{
	/* The static allow-all policy is never passed here by contract. */
	if (p != NULL && p != &allow_all)
		free(p);
}
