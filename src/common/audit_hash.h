/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hash chain of the audit log, shared by iotjobsd (which writes the
 * log) and the iotjobs command (which proves it): each record's hash is
 * the SHA-256 of a canonical encoding of its fields, its predecessor's
 * hash among them, so editing, removing or inserting a record breaks
 * every link after it.
 *
 * Encoding: the line "iotjobs-audit-1", then each field in the order of
 * struct audit_fields on a line of its own: integers in decimal, strings
 * as LENGTH ":" BYTES (a NULL string is the empty one). Lower-case hex.
 */
#ifndef IOTJOBS_AUDIT_HASH_H
#define IOTJOBS_AUDIT_HASH_H

#include <stdint.h>

#define AUDIT_HASH_LEN	64
/* prev_hash of the first record. */
#define AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct audit_fields {
	int64_t seq;		/* 1, 2, ...: the position in the chain */
	int64_t at;		/* epoch seconds, the jobs' clock */
	const char *principal;	/* access key id, cert/ID, thing/NAME */
	const char *operation;	/* CreateJob, iotjobs:PauseJob, ... */
	const char *target;	/* job/ID, thing/NAME, ... or "" */
	const char *thing;	/* the thing concerned, or "" */
	const char *job;	/* the job concerned, or "" */
	const char *peer;	/* the client's address, or "" */
	const char *request_id;
	const char *result;	/* "OK", or the error type */
	const char *detail;	/* JSON text (hashes, never secrets), "" */
	const char *prev_hash;	/* the predecessor's hash, or genesis */
};

/* The hex SHA-256 of F into OUT (65 bytes). 0, or -1 (OpenSSL failed). */
int audit_hash(const struct audit_fields *f, char out[AUDIT_HASH_LEN + 1]);

#endif
