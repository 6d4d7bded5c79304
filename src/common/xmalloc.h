/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation that treats out-of-memory as fatal (daemon and tools only). */
#ifndef IOTJOBS_XMALLOC_H
#define IOTJOBS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
