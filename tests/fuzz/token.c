/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the small decoders of client text: the page tokens of
 * every listing (marker_decode, for a listing of each kind of position,
 * with and without a subject), base64 payloads and results
 * (command_b64_decode), and percent-decoding of paths and queries
 * (pct_decode, strict and lenient). A token that decodes is the token of
 * its position, which holds what its listing's kind holds; one that does
 * not is refused with its listing's error and an empty position.
 */
#include "fuzz.h"

#include <string.h>

#include "api/command.h"
#include "api/marker.h"
#include "err.h"
#include "pct.h"
#include "xmalloc.h"

static const struct {
	struct marker_listing l;
	const char *subject;
} listings[] = {
	{ { "ListThings", "nextToken", "nextToken", ERR_INVALID_REQUEST,
	    MARKER_KEY }, NULL },
	{ { "ListPolicies", "marker", "nextMarker", ERR_INVALID_REQUEST,
	    MARKER_TIME_KEY }, NULL },
	{ { "ListJobExecutionsForJob", "nextToken", "nextToken",
	    ERR_INVALID_REQUEST, MARKER_ROW }, "job-1" },
	{ { "ListCommands", "nextToken", "nextToken", ERR_VALIDATION,
	    MARKER_ROW }, "ASCENDING" },
};

static void
token_check(const struct marker_listing *l, const char *subject,
    const char *text)
{
	struct marker_pos pos;
	char back[MARKER_MAX];
	struct err err;

	err_clear(&err);
	if (marker_decode(l, subject, text, &pos, &err) == 0) {
		marker_encode(l, subject, &pos, back);
		if (strcmp(back, text) != 0)
			abort();
		if (l->kind == MARKER_ROW ? pos.seq <= 0 || pos.key[0] != '\0'
		    : pos.key[0] == '\0')
			abort();
		return;
	}
	if (err.type == NULL || strcmp(err.type, l->err_type) != 0 ||
	    strstr(err.msg, l->member) == NULL || pos.seq != 0 ||
	    pos.key[0] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	unsigned char *bin;
	size_t len, i;
	char *dec;

	for (i = 0; i < sizeof(listings) / sizeof(listings[0]); i++)
		token_check(&listings[i].l, listings[i].subject, text);
	if (command_b64_decode(text, &bin, &len) == 0) {
		if (len > strlen(text) / 4 * 3)
			abort();
		free(bin);
	} else if (bin != NULL)
		abort();
	dec = pct_decode_dup((const char *)data, size);
	if (dec != NULL && strlen(dec) > size)
		abort();
	free(dec);
	dec = xmalloc(size + 1);
	if (pct_decode((const char *)data, size, PCT_LENIENT, dec, size + 1,
	    &len) == -1 || len > size || dec[len] != '\0')
		abort();
	free(dec);
	free(text);
	return 0;
}
