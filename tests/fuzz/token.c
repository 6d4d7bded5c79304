/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the small decoders of client text: nextToken of the thing
 * and group listings (store_token_decode) and of the command listings
 * (command_token_decode), base64 payloads and results
 * (command_b64_decode), and percent-decoding of paths and queries
 * (pct_decode, strict and lenient), and the markers of the policy and principal listings
 * (marker_decode). A listing token that decodes must name a key whose own
 * token decodes to the same key; a marker that decodes is the marker of
 * its key.
 */
#include "fuzz.h"

#include <string.h>

#include "api/command.h"
#include "api/marker.h"
#include "err.h"
#include "pct.h"
#include "store/store_thing.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char key[STORE_NAME_MAX + 1], key2[STORE_NAME_MAX + 1];
	char back[STORE_TOKEN_MAX];
	char mkey[MARKER_KEY_MAX + 1], mback[MARKER_MAX];
	unsigned char *bin;
	struct err err;
	size_t len;
	int64_t pos;
	char *dec;

	err_clear(&err);
	if (store_token_decode(text, key, &err) == 0) {
		store_token_encode(key, back);
		if (store_token_decode(back, key2, &err) == -1 ||
		    strcmp(key, key2) != 0)
			abort();
	} else if (err.type == NULL)
		abort();
	if (command_token_decode(text, true, &pos, &err) == 0 && pos <= 0)
		abort();
	if (command_token_decode(text, false, &pos, &err) == 0 && pos <= 0)
		abort();
	if (command_b64_decode(text, &bin, &len) == 0) {
		if (len > strlen(text) / 4 * 3)
			abort();
		free(bin);
	} else if (bin != NULL)
		abort();
	if (marker_decode(text, "marker", mkey, &err) == 0) {
		marker_encode(mkey, mback);
		if (strcmp(mback, text) != 0)
			abort();
	} else if (mkey[0] != '\0')
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
