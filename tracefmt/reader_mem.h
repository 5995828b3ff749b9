/*
 * Internal (not in the public header): a reader over a trace held in
 * memory, for the fuzz target and unit tests.  data must outlive the reader.
 */
#ifndef UMSS_TRACEFMT_READER_MEM_H
#define UMSS_TRACEFMT_READER_MEM_H

#include <stddef.h>

struct umss_reader;

struct umss_reader *
reader_open_mem(const void *data, size_t len, int *err);

#endif /* UMSS_TRACEFMT_READER_MEM_H */
