/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page markers (marker.h): base64 by OpenSSL, checked strictly on the
 * way back (canonical padding, printable ASCII inside), so a marker the
 * daemon did not issue is refused instead of resuming somewhere odd.
 */
#include "api/marker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "num.h"
#include "store/store_thing.h"

void
marker_encode(const char *key, char buf[MARKER_MAX])
{
	size_t len = strnlen(key, MARKER_KEY_MAX);

	EVP_EncodeBlock((unsigned char *)buf, (const unsigned char *)key,
	    (int)len);
}

static int
marker_bad(const char *member, struct err *err)
{
	return err_set(err, ERR_INVALID_REQUEST, "%s is not a marker that"
	    " this listing returned", member);
}

int
marker_decode(const char *marker, const char *member,
    char key[MARKER_KEY_MAX + 1], struct err *err)
{
	unsigned char raw[MARKER_MAX];
	char back[MARKER_MAX];
	size_t len = strlen(marker), i, pad = 0;
	int n;

	key[0] = '\0';
	if (len == 0 || len % 4 != 0 || len >= MARKER_MAX)
		return marker_bad(member, err);
	if (marker[len - 1] == '=')
		pad = marker[len - 2] == '=' ? 2 : 1;
	n = EVP_DecodeBlock(raw, (const unsigned char *)marker, (int)len);
	if (n < 0 || (size_t)n < pad)
		return marker_bad(member, err);
	n -= (int)pad;
	if (n == 0 || n > MARKER_KEY_MAX)
		return marker_bad(member, err);
	for (i = 0; i < (size_t)n; i++)
		if (raw[i] < 0x21 || raw[i] > 0x7e)
			return marker_bad(member, err);
	memcpy(key, raw, (size_t)n);
	key[n] = '\0';
	/* Only the canonical text of a key is a marker of ours. */
	marker_encode(key, back);
	if (strcmp(back, marker) != 0) {
		key[0] = '\0';
		return marker_bad(member, err);
	}
	return 0;
}

void
marker_encode_pos(int64_t time, const char *key, char buf[MARKER_MAX])
{
	char pos[MARKER_KEY_MAX + 1];

	snprintf(pos, sizeof(pos), "%" PRId64 ":%s", time, key);
	marker_encode(pos, buf);
}

int
marker_decode_pos(const char *marker, const char *member, int64_t *time,
    char key[MARKER_KEY_MAX + 1], struct err *err)
{
	char pos[MARKER_KEY_MAX + 1], *colon;

	if (marker_decode(marker, member, pos, err) == -1)
		return -1;
	colon = strchr(pos, ':');
	if (colon == NULL || colon[1] == '\0' ||
	    num_parse_i64_len(pos, (size_t)(colon - pos), INT64_MIN,
	    INT64_MAX, time) == -1)
		return marker_bad(member, err);
	snprintf(key, MARKER_KEY_MAX + 1, "%s", colon + 1);
	return 0;
}

int
marker_page_init(const json_t *in, const char *size_member, int def,
    const char *token_member, struct store_page *pg,
    char key[MARKER_KEY_MAX + 1], struct err *err)
{
	const json_t *size = json_object_get(in, size_member);
	const char *marker = json_string_value(json_object_get(in,
	    token_member));

	pg->limit = json_is_integer(size) ? (int)json_integer_value(size) :
	    def;
	pg->after = NULL;
	if (marker == NULL)
		return 0;
	if (marker_decode(marker, token_member, key, err) == -1)
		return -1;
	pg->after = key;
	return 0;
}

void
marker_page_next(json_t *out, const char *member, const char *last,
    bool more)
{
	char marker[MARKER_MAX];

	if (!more || last == NULL)
		return;
	marker_encode(last, marker);
	json_object_set_new(out, member, json_string(marker));
}
