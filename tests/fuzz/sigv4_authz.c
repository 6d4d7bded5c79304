/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the SigV4 Authorization header, its Credential element and
 * the X-Amz-Date value (common/sigv4/sigv4_authz.c), each fed the whole
 * input. What parses must hold NUL-terminated members within their caps,
 * and a date that parses must format back to the same text (years from
 * 1000: strftime does not pad %Y, and such dates only fail the skew check).
 */
#include "fuzz.h"

#include <string.h>

#include "err.h"
#include "sigv4/sigv4.h"

static void
check_authz(const struct sigv4_authz *az)
{
	if (strlen(az->access_key_id) == 0 ||
	    strlen(az->access_key_id) > SIGV4_AKID_MAX ||
	    strlen(az->scope.day) != SIGV4_DAY_LEN ||
	    strlen(az->scope.region) > SIGV4_SCOPE_PART_MAX ||
	    strlen(az->scope.service) > SIGV4_SCOPE_PART_MAX ||
	    strlen(az->terminator) > SIGV4_SCOPE_PART_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char back[SIGV4_DATE_LEN + 1];
	struct sigv4_authz az;
	struct err err;
	int64_t epoch;

	err_clear(&err);
	if (sigv4_parse_authz(text, &az, &err) == 0) {
		check_authz(&az);
		if (strlen(az.signed_headers) == 0 ||
		    strlen(az.signature) != SIGV4_HEX_LEN)
			abort();
	} else if (err.type == NULL)
		abort();
	err_clear(&err);
	memset(&az, 0, sizeof(az));
	if (sigv4_parse_credential(text, strlen(text), &az, &err) == 0)
		check_authz(&az);
	else if (err.type == NULL)
		abort();
	if (sigv4_parse_date(text, &epoch) == 0 && text[0] != '0') {
		sigv4_format_date(epoch, back);
		if (strcmp(back, text) != 0)
			abort();
	}
	free(text);
	return 0;
}
