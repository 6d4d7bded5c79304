/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing of the SigV4 Authorization header, its Credential, and the
 * X-Amz-Date timestamp (sigv4.h). Strict: anything unexpected is an
 * InvalidSignatureException naming what is wrong, with the offending text
 * reduced to printable ASCII so the error body stays valid UTF-8.
 */
#include "sigv4/sigv4.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define QUOTE_MAX	64	/* echo at most this much of bad input */

/* Printable-ASCII copy of S[0..LEN) (others become '?') into OUT. */
static void
quote_input(const char *s, size_t len, char out[QUOTE_MAX + 1])
{
	size_t i;

	if (len > QUOTE_MAX)
		len = QUOTE_MAX;
	for (i = 0; i < len; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[len] = '\0';
}

/* Sets ERR to "BEFORE'S'AFTER" with S quoted; returns -1. */
static int
bad(struct err *err, const char *before, const char *s, size_t len,
    const char *after)
{
	char q[QUOTE_MAX + 1];

	quote_input(s, len, q);
	return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "%s'%s'%s",
	    before, q, after);
}

static bool
is_scope_part(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > SIGV4_SCOPE_PART_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static bool
is_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
sigv4_parse_credential(const char *value, size_t len,
    struct sigv4_authz *out, struct err *err)
{
	const char *part[5], *end = value + len, *p = value, *slash;
	size_t plen[5], n = 0;

	while (n < 5) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		part[n] = p;
		plen[n++] = (size_t)(slash - p);
		if (slash == end)
			break;
		p = slash + 1;
	}
	if (n != 5 || part[4] + plen[4] != end)
		return bad(err, "Credential must have exactly 5 "
		    "slash-delimited elements, e.g. "
		    "keyid/date/region/service/term, got ",
		    value, len, "");
	if (plen[0] == 0 || plen[0] > SIGV4_AKID_MAX)
		return bad(err, "Credential has an invalid access key id: ",
		    part[0], plen[0], "");
	if (plen[1] != SIGV4_DAY_LEN || !is_digits(part[1], plen[1]))
		return bad(err, "Credential should be scoped to a valid date "
		    "(YYYYMMDD), not ", part[1], plen[1], ". ");
	if (!is_scope_part(part[2], plen[2]))
		return bad(err, "Credential should be scoped to a valid "
		    "region, not ", part[2], plen[2], ". ");
	if (!is_scope_part(part[3], plen[3]))
		return bad(err, "Credential should be scoped to a valid "
		    "service, not ", part[3], plen[3], ". ");
	if (plen[4] > SIGV4_SCOPE_PART_MAX)
		return bad(err, "Credential should be scoped with a valid "
		    "terminator: 'aws4_request', not ", part[4], plen[4],
		    ". ");
	memcpy(out->access_key_id, part[0], plen[0]);
	out->access_key_id[plen[0]] = '\0';
	memcpy(out->scope.day, part[1], plen[1]);
	out->scope.day[plen[1]] = '\0';
	memcpy(out->scope.region, part[2], plen[2]);
	out->scope.region[plen[2]] = '\0';
	memcpy(out->scope.service, part[3], plen[3]);
	out->scope.service[plen[3]] = '\0';
	memcpy(out->terminator, part[4], plen[4]);
	out->terminator[plen[4]] = '\0';
	return 0;
}

enum authz_part { AP_CREDENTIAL, AP_SIGNED_HEADERS, AP_SIGNATURE, AP_N };

static const char *const authz_names[AP_N] = {
	"Credential", "SignedHeaders", "Signature"
};

/* One "Key=value" element of the header; records which parts were seen. */
static int
parse_element(const char *s, size_t len, struct sigv4_authz *out,
    bool seen[AP_N], struct err *err)
{
	const char *eq = memchr(s, '=', len);
	size_t klen, vlen;
	int i;

	if (eq == NULL)
		return bad(err, "Authorization header element ", s, len,
		    " is not 'Key=Value'.");
	klen = (size_t)(eq - s);
	vlen = len - klen - 1;
	for (i = 0; i < AP_N; i++)
		if (strlen(authz_names[i]) == klen &&
		    memcmp(authz_names[i], s, klen) == 0)
			break;
	if (i == AP_N || seen[i])
		return bad(err, "Authorization header has an unexpected or "
		    "repeated element ", s, klen, ".");
	seen[i] = true;
	switch (i) {
	case AP_CREDENTIAL:
		return sigv4_parse_credential(eq + 1, vlen, out, err);
	case AP_SIGNED_HEADERS:
		if (vlen == 0 || vlen > SIGV4_SIGNED_HEADERS_MAX)
			return bad(err, "SignedHeaders is empty or too long: ",
			    eq + 1, vlen, "");
		memcpy(out->signed_headers, eq + 1, vlen);
		out->signed_headers[vlen] = '\0';
		return 0;
	default:
		if (vlen != SIGV4_HEX_LEN)
			return err_set_status(err, 403, ERR_INVALID_SIGNATURE,
			    "Signature must be 64 hex digits.");
		memcpy(out->signature, eq + 1, vlen);
		out->signature[vlen] = '\0';
		return 0;
	}
}

int
sigv4_parse_authz(const char *value, struct sigv4_authz *out,
    struct err *err)
{
	size_t alg_len = strlen(SIGV4_ALGORITHM), len;
	bool seen[AP_N] = { false, false, false };
	const char *p = value, *comma;
	char missing[256];
	int i, n;

	memset(out, 0, sizeof(*out));
	while (*p == ' ')
		p++;
	if (strncmp(p, SIGV4_ALGORITHM, alg_len) != 0 ||
	    (p[alg_len] != ' ' && p[alg_len] != '\0')) {
		len = strcspn(p, " ");
		return bad(err, "Unsupported AWS 'algorithm': ", p, len,
		    ". Only AWS4-HMAC-SHA256 is supported.");
	}
	p += alg_len;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (parse_element(p, len, out, seen, err) == -1)
			return -1;
		p += len;
	}
	missing[0] = '\0';
	for (i = 0, n = 0; i < AP_N; i++) {
		if (seen[i])
			continue;
		n += snprintf(missing + n, sizeof(missing) - (size_t)n,
		    "Authorization header requires '%s' parameter. ",
		    authz_names[i]);
	}
	if (missing[0] != '\0')
		return err_set_status(err, 403, ERR_INVALID_SIGNATURE, "%s",
		    missing);
	return 0;
}

int
sigv4_parse_date(const char *s, int64_t *epoch)
{
	struct tm tm, back;
	time_t t;

	if (strlen(s) != SIGV4_DATE_LEN || !is_digits(s, 8) || s[8] != 'T' ||
	    !is_digits(s + 9, 6) || s[15] != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[4] - '0') * 10 + (s[5] - '0') - 1;
	tm.tm_mday = (s[6] - '0') * 10 + (s[7] - '0');
	tm.tm_hour = (s[9] - '0') * 10 + (s[10] - '0');
	tm.tm_min = (s[11] - '0') * 10 + (s[12] - '0');
	tm.tm_sec = (s[13] - '0') * 10 + (s[14] - '0');
	back = tm;
	t = timegm(&tm);
	/* timegm normalizes out-of-range fields: a changed field was bad. */
	if (t == (time_t)-1 || tm.tm_year != back.tm_year ||
	    tm.tm_mon != back.tm_mon || tm.tm_mday != back.tm_mday ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min ||
	    tm.tm_sec != back.tm_sec)
		return -1;
	*epoch = (int64_t)t;
	return 0;
}

void
sigv4_format_date(int64_t epoch, char out[SIGV4_DATE_LEN + 1])
{
	struct tm tm;
	time_t t = (time_t)epoch;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) !=
	    SIGV4_DATE_LEN)
		out[0] = '\0';
}
