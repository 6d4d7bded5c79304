/* SPDX-License-Identifier: Apache-2.0 */
/* The audit log's record hash (audit_hash.h), with OpenSSL's SHA-256. */
#include "audit_hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static int
put_str(EVP_MD_CTX *md, const char *s)
{
	char len[32];
	size_t n = s != NULL ? strlen(s) : 0;
	int k = snprintf(len, sizeof(len), "%zu:", n);

	return EVP_DigestUpdate(md, len, (size_t)k) == 1 &&
	    (n == 0 || EVP_DigestUpdate(md, s, n) == 1) &&
	    EVP_DigestUpdate(md, "\n", 1) == 1 ? 0 : -1;
}

static int
put_int(EVP_MD_CTX *md, int64_t v)
{
	char buf[32];
	int k = snprintf(buf, sizeof(buf), "%lld\n", (long long)v);

	return EVP_DigestUpdate(md, buf, (size_t)k) == 1 ? 0 : -1;
}

int
audit_hash(const struct audit_fields *f, char out[AUDIT_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	const char *const strs[] = {
		f->principal, f->operation, f->target, f->thing, f->job,
		f->peer, f->request_id, f->result, f->detail, f->prev_hash,
	};
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, i;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, "iotjobs-audit-1\n", 16) != 1 ||
	    put_int(md, f->seq) == -1 || put_int(md, f->at) == -1)
		goto out;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (put_str(md, strs[i]) == -1)
			goto out;
	if (EVP_DigestFinal_ex(md, d, &dlen) != 1 || dlen != 32)
		goto out;
	for (i = 0; i < dlen; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[AUDIT_HASH_LEN] = '\0';
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}
