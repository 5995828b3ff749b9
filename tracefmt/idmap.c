/* id -> pointer map (see idmap.h). */
#include <errno.h>
#include <stdlib.h>

#include "tracefmt/idmap.h"

static uint32_t
id_hash(uint32_t id, uint32_t bits)
{
	return (uint32_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

void *
id_map_get(const struct id_map *m, uint32_t id)
{
	if (!m->slots)
		return NULL;
	uint32_t mask = (1u << m->bits) - 1;
	for (uint32_t i = id_hash(id, m->bits);; i = (i + 1) & mask) {
		if (!m->slots[i].val)
			return NULL;
		if (m->slots[i].id == id)
			return m->slots[i].val;
	}
}

static void
id_map_insert(struct id_slot *slots, uint32_t bits, uint32_t id, void *val)
{
	uint32_t mask = (1u << bits) - 1;
	uint32_t i = id_hash(id, bits);
	while (slots[i].val && slots[i].id != id)
		i = (i + 1) & mask;
	slots[i].id = id;
	slots[i].val = val;
}

int
id_map_put(struct id_map *m, uint32_t id, void *val)
{
	if (!m->slots || (uint64_t)(m->count + 1) * 2 > (1ull << m->bits)) {
		uint32_t bits = m->slots ? m->bits + 1 : 4;
		struct id_slot *slots = calloc((size_t)1 << bits, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; m->slots && i < (size_t)1 << m->bits; i++) {
			if (m->slots[i].val)
				id_map_insert(slots, bits, m->slots[i].id,
					      m->slots[i].val);
		}
		free(m->slots);
		m->slots = slots;
		m->bits = bits;
	}
	if (!id_map_get(m, id))
		m->count++;
	id_map_insert(m->slots, m->bits, id, val);
	return 0;
}

void *
id_map_del(struct id_map *m, uint32_t id)
{
	if (!m->slots)
		return NULL;
	uint32_t mask = (1u << m->bits) - 1;
	uint32_t i = id_hash(id, m->bits);
	while (m->slots[i].val && m->slots[i].id != id)
		i = (i + 1) & mask;
	void *val = m->slots[i].val;
	if (!val)
		return NULL;
	m->count--;
	/*
	 * Backward-shift deletion: move later members of the probe run into
	 * the hole when their home slot does not lie in (hole, their slot].
	 */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		uint32_t home = id_hash(m->slots[j].id, m->bits);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].val = NULL;
	m->slots[hole].id = 0;
	return val;
}

void
id_map_free(struct id_map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->bits = 0;
	m->count = 0;
}
