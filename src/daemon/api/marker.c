/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page tokens (marker.h): base64 by OpenSSL, checked strictly on the way
 * back (the listing and subject that issued it, the fields its kind of
 * position holds, and the canonical text of the result), so a token the
 * daemon did not issue, or issued for another listing, is refused instead
 * of resuming somewhere odd.
 */
#include "api/marker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "num.h"
#include "store/store_thing.h"

#define MARKER_VERSION	"1"

/* The model's Marker: at most 1024 characters. */
_Static_assert(MARKER_MAX - 1 <= 1024, "a token must fit the Marker shape");

/* Appends field F (cut at MAX bytes) and its NUL to RAW at *LEN. */
static void
raw_put(unsigned char *raw, size_t *len, const char *f, size_t max)
{
	size_t n = strnlen(f, max);

	memcpy(raw + *len, f, n);
	*len += n;
	raw[(*len)++] = '\0';
}

void
marker_encode(const struct marker_listing *l, const char *subject,
    const struct marker_pos *pos, char buf[MARKER_MAX])
{
	unsigned char raw[MARKER_RAW_MAX];
	char seq[24];
	size_t len = 0;

	snprintf(seq, sizeof(seq), "%" PRId64, pos->seq);
	raw_put(raw, &len, MARKER_VERSION, 1);
	raw_put(raw, &len, l->name, MARKER_NAME_MAX);
	raw_put(raw, &len, subject != NULL ? subject : "",
	    MARKER_SUBJECT_MAX);
	raw_put(raw, &len, seq, sizeof(seq));
	raw_put(raw, &len, pos->key, MARKER_KEY_MAX);
	EVP_EncodeBlock((unsigned char *)buf, raw, (int)len);
}

int
marker_refuse(const struct marker_listing *l, struct err *err)
{
	return err_set(err, l->err_type, "Invalid %s: %s did not return it",
	    l->member, l->name);
}

/*
 * The LEN bytes TEXT encodes into RAW; -1 unless TEXT is whole groups of
 * base64 short enough to be a token.
 */
static int
raw_decode(const char *text, unsigned char raw[MARKER_RAW_MAX + 2],
    size_t *len)
{
	size_t n = strlen(text), pad = 0;
	int got;

	if (n < 4 || n % 4 != 0 || n >= MARKER_MAX)
		return -1;
	if (text[n - 1] == '=')
		pad = text[n - 2] == '=' ? 2 : 1;
	got = EVP_DecodeBlock(raw, (const unsigned char *)text, (int)n);
	if (got < 0 || (size_t)got < pad)
		return -1;
	*len = (size_t)got - pad;
	return 0;
}

/*
 * Splits RAW of LEN bytes into its N NUL-ended fields F; -1 unless RAW
 * is exactly that (a token cut short, or a NUL inside a field, is not).
 */
static int
raw_split(const unsigned char *raw, size_t len, const char **f, int n)
{
	const unsigned char *p = raw, *end = raw + len, *nul;
	int i;

	for (i = 0; i < n; i++) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return -1;
		f[i] = (const char *)p;
		p = nul + 1;
	}
	return p == end ? 0 : -1;
}

/* Whether POS holds what L's kind of position holds. */
static bool
marker_pos_fits(const struct marker_listing *l, const struct marker_pos *pos)
{
	switch (l->kind) {
	case MARKER_KEY:
		return pos->seq == 0 && pos->key[0] != '\0';
	case MARKER_TIME_KEY:
		return pos->key[0] != '\0';
	case MARKER_ROW:
		return pos->seq > 0 && pos->key[0] == '\0';
	}
	return false;
}

int
marker_decode(const struct marker_listing *l, const char *subject,
    const char *text, struct marker_pos *pos, struct err *err)
{
	unsigned char raw[MARKER_RAW_MAX + 2];
	const char *f[5];
	char back[MARKER_MAX];
	size_t len;

	memset(pos, 0, sizeof(*pos));
	if (raw_decode(text, raw, &len) == -1 || raw_split(raw, len, f,
	    5) == -1)
		goto bad;
	if (strlen(f[4]) > MARKER_KEY_MAX ||
	    strcmp(f[0], MARKER_VERSION) != 0 || strcmp(f[1], l->name) != 0 ||
	    strcmp(f[2], subject != NULL ? subject : "") != 0)
		goto bad;
	if (num_parse_i64(f[3], INT64_MIN, INT64_MAX, &pos->seq) == -1)
		goto bad;
	memcpy(pos->key, f[4], strlen(f[4]) + 1);
	/* Only the canonical text of a position is a token of ours. */
	marker_encode(l, subject, pos, back);
	if (marker_pos_fits(l, pos) && strcmp(back, text) == 0)
		return 0;
bad:
	memset(pos, 0, sizeof(*pos));
	return marker_refuse(l, err);
}

int
marker_read(const struct marker_listing *l, const char *subject,
    const json_t *in, struct marker_pos *pos, bool *given, struct err *err)
{
	const char *text = json_string_value(json_object_get(in, l->member));

	memset(pos, 0, sizeof(*pos));
	*given = text != NULL;
	if (text == NULL)
		return 0;
	return marker_decode(l, subject, text, pos, err);
}

void
marker_write(const struct marker_listing *l, const char *subject,
    const struct marker_pos *pos, json_t *out)
{
	char buf[MARKER_MAX];

	marker_encode(l, subject, pos, buf);
	json_object_set_new(out, l->next, json_string(buf));
}

int
marker_read_row(const struct marker_listing *l, const char *subject,
    const json_t *in, int64_t *after, struct err *err)
{
	struct marker_pos pos;
	bool given;

	if (marker_read(l, subject, in, &pos, &given, err) == -1)
		return -1;
	*after = pos.seq;
	return 0;
}

void
marker_write_row(const struct marker_listing *l, const char *subject,
    int64_t seq, json_t *out)
{
	struct marker_pos pos = { seq, "" };

	marker_write(l, subject, &pos, out);
}

int
marker_page_init(const struct marker_listing *l, const json_t *in,
    const char *size_member, int def, struct store_page *pg,
    struct marker_pos *pos, struct err *err)
{
	const json_t *size = json_object_get(in, size_member);
	bool given;

	pg->limit = json_is_integer(size) ? (int)json_integer_value(size) :
	    def;
	pg->after = NULL;
	if (marker_read(l, NULL, in, pos, &given, err) == -1)
		return -1;
	if (given)
		pg->after = pos->key;
	return 0;
}

void
marker_page_next(const struct marker_listing *l, json_t *out,
    const char *last, bool more)
{
	struct marker_pos pos = { 0, "" };

	if (!more || last == NULL)
		return;
	snprintf(pos.key, sizeof(pos.key), "%s", last);
	marker_write(l, NULL, &pos, out);
}
