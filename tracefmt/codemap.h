/*
 * A process's code: address -> the bytes of the one instruction that starts
 * there.  Open addressing with linear probing; the writer looks up every
 * traced instruction here and the reader every replayed one, so the lookup
 * is inline and touches one cache line in the common case.
 */
#ifndef UMSS_TRACEFMT_CODEMAP_H
#define UMSS_TRACEFMT_CODEMAP_H

#include <stdint.h>

#include "tracefmt/format.h"

struct code_entry {
	uint64_t addr;                 /* instruction address */
	uint8_t lenp1;                 /* 0 = free slot, else length + 1 */
	uint8_t bytes[FMT_INSN_MAX];   /* the instruction's bytes */
};

/*
 * A direct-mapped cache of recent lookups in front of the table: hot code
 * stays in 256 KiB (L2), where the table's entries for it are scattered
 * over as many cache lines as instructions.  16 K entries (256 KiB a
 * process): with 512, `ls -l /usr/bin` under engine displaced spent 15% of
 * umss's time in code_map_probe, with 4 K 7%, with 16 K ~0%; sqlite3
 * running a 1500-row CTE (hot code past 4 K instructions) spent 11% there
 * with 4 K, and its trace took 13% less time with 16 K.
 */
#define CODE_HOT_BITS 14
struct code_hot {
	uint64_t addr;
	uint32_t slot;  /* index in slots */
	uint8_t lenp1;  /* 0 = empty, else the entry's lenp1 */
};

/*
 * Shared copy-on-write between a fork parent and child (refs > 1) until one
 * of them changes it: a shell that forks and execs copies nothing.
 */
struct code_map {
	struct code_hot hot[1u << CODE_HOT_BITS]; /* first: no pointer to chase */
	struct code_entry *slots; /* 1 << bits of them, or NULL when empty */
	uint32_t bits;
	uint32_t count;           /* used slots */
	uint32_t refs;            /* processes holding this map */
};

static inline uint32_t
code_map_hash(uint64_t addr, uint32_t bits)
{
	/* Fibonacci hashing: the top bits of a golden-ratio product. */
	return (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

static inline struct code_hot *
code_map_hot(struct code_map *m, uint64_t addr)
{
	return &m->hot[(addr ^ (addr >> CODE_HOT_BITS)) &
		       ((1u << CODE_HOT_BITS) - 1)];
}

/* The table lookup behind the cache (out of line); fills the cache. */
const struct code_entry *
code_map_probe(const struct code_map *m, uint64_t addr, struct code_hot *h);

/* An empty map's cache is all zero, so it never hits. */
static inline const struct code_entry *
code_map_find(struct code_map *m, uint64_t addr)
{
	struct code_hot *h = code_map_hot(m, addr);
	if (h->addr == addr && h->lenp1)
		return &m->slots[h->slot];
	return code_map_probe(m, addr, h);
}

/* The length + 1 of the instruction at addr, 0 when there is none. */
static inline uint32_t
code_map_lenp1(struct code_map *m, uint64_t addr)
{
	struct code_hot *h = code_map_hot(m, addr);
	if (h->addr == addr && h->lenp1)
		return h->lenp1;
	const struct code_entry *e = code_map_probe(m, addr, h);
	return e ? e->lenp1 : 0;
}

/* A new empty map with one reference, or NULL. */
struct code_map *
code_map_new(void);
/* Another reference to m (a fork child's). */
static inline struct code_map *
code_map_share(struct code_map *m)
{
	m->refs++;
	return m;
}
/* Drops a reference; frees m with the last.  NULL is fine. */
void
code_map_put(struct code_map *m);
/* Makes *pm this holder's own (copying it when shared); 0 or -ENOMEM. */
int
code_map_unshare(struct code_map **pm);
/* Empties *pm for this holder (a new map when shared); 0 or -ENOMEM. */
int
code_map_reset(struct code_map **pm);

/*
 * Sets the bytes at addr in a map that is not shared.  Returns 1 when they
 * replaced different bytes, 0 when new or unchanged (*added is 1 when new),
 * or -ENOMEM.
 */
int
code_map_set(struct code_map *m, uint64_t addr, const uint8_t *bytes,
	     uint32_t len, int *added);

#endif /* UMSS_TRACEFMT_CODEMAP_H */
