/*
 * Small open-addressing map from a 32-bit id (pid, tid) to a pointer, with
 * deletion by backward shift (no tombstones), for the writer's and the
 * reader's per-process and per-thread state.
 */
#ifndef UMSS_TRACEFMT_IDMAP_H
#define UMSS_TRACEFMT_IDMAP_H

#include <stdint.h>

struct id_slot {
	uint32_t id;
	void *val; /* NULL = free slot */
};

struct id_map {
	struct id_slot *slots; /* 1 << bits of them, or NULL */
	uint32_t bits;
	uint32_t count;
};

void *
id_map_get(const struct id_map *m, uint32_t id);
/* Inserts or replaces; val must not be NULL.  Returns 0 or -ENOMEM. */
int
id_map_put(struct id_map *m, uint32_t id, void *val);
/* Removes id and returns its value, or NULL when absent. */
void *
id_map_del(struct id_map *m, uint32_t id);
void
id_map_free(struct id_map *m);

#endif /* UMSS_TRACEFMT_IDMAP_H */
