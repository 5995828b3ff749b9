/* Allocation that ends umss with a message instead of returning NULL. */
#ifndef UMSS_TRACER_XALLOC_H
#define UMSS_TRACER_XALLOC_H

#include <stddef.h>

void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
