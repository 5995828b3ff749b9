/*
 * The code bytes a process's trace last recorded at each address, so the
 * tracer emits a CODE record only for new or changed instructions.
 */
#ifndef UMSS_TRACER_CODE_CACHE_H
#define UMSS_TRACER_CODE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct code_entry {
	uint64_t addr;      /* 0 = empty slot (address 0 never holds code) */
	uint8_t len;        /* 0 = unreadable */
	uint8_t bytes[15];
};

struct code_cache {
	struct code_entry *slots;
	uint64_t mask;      /* capacity - 1, capacity a power of two */
	uint64_t used;
};

void code_cache_init(struct code_cache *c);
void code_cache_free(struct code_cache *c);
void code_cache_clear(struct code_cache *c);
void code_cache_copy(struct code_cache *dst, const struct code_cache *src);
/* True when addr is recorded with exactly these bytes. */
bool code_cache_same(const struct code_cache *c, uint64_t addr, const uint8_t *bytes, uint8_t len);
/* True when some bytes are recorded at addr. */
bool code_cache_has(const struct code_cache *c, uint64_t addr);
void code_cache_put(struct code_cache *c, uint64_t addr, const uint8_t *bytes, uint8_t len);

#endif
