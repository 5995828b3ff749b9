/*
 * A hash map from a pair of 64-bit keys to a 64-bit value (open addressing,
 * linear probing): counts per (file, offset), ids per (pid, tid).
 */
#ifndef UMSS_CLI_PAIRMAP_H
#define UMSS_CLI_PAIRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pairmap_slot {
	uint64_t a, b, v;
	bool used;
};

struct pairmap {
	struct pairmap_slot *slots;
	size_t cap, n;	/* cap is a power of two */
};

void pairmap_init(struct pairmap *m);
void pairmap_free(struct pairmap *m);
/* The value of (a, b), inserted as 0 when absent. */
uint64_t *pairmap_ref(struct pairmap *m, uint64_t a, uint64_t b);
/* The value of (a, b), or NULL. */
uint64_t *pairmap_find(const struct pairmap *m, uint64_t a, uint64_t b);
void pairmap_remove(struct pairmap *m, uint64_t a, uint64_t b);

#endif
