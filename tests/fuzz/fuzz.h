/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every fuzz target shares: the libFuzzer entry point (each
 * tests/fuzz/<target>.c defines it; replay.c or libFuzzer calls it) and a
 * NUL-terminated copy of the input for parsers that take C strings, and
 * the check every error message passes: it goes into a JSON body, so it
 * must be UTF-8 whatever the input was; the model's validation set up once.
 */
#ifndef IOTJOBS_FUZZ_H
#define IOTJOBS_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "err.h"

/* Runs one input; always returns 0 (a crash or a sanitizer report fails). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * DATA[0..SIZE) as a new NUL-terminated string (caller frees). An embedded
 * NUL ends the string early, as it would in a C string off the wire.
 */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Aborts when MSG (an err message, may be NULL) is not valid UTF-8. */
static inline void
fuzz_check_msg(const char *msg)
{
	json_t *j;

	if (msg == NULL)
		return;
	j = json_string(msg);
	if (j == NULL)
		abort();
	json_decref(j);
}

/* Compiles the model's patterns (validate_init), once per process. */
static inline void
fuzz_validate_init(void)
{
	static int done;
	struct err err;

	if (done)
		return;
	done = 1;
	err_clear(&err);
	if (validate_init(&err) == -1)
		abort();
}

#endif
