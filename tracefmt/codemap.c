/* The per-process code map: growth, insertion, copies (see codemap.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracefmt/codemap.h"

const struct code_entry *
code_map_probe(const struct code_map *m, uint64_t addr, struct code_hot *h)
{
	if (!m->slots)
		return NULL;
	uint32_t mask = (1u << m->bits) - 1;
	for (uint32_t i = code_map_hash(addr, m->bits);; i = (i + 1) & mask) {
		const struct code_entry *e = &m->slots[i];
		if (e->addr == addr && e->lenp1) {
			h->addr = addr;
			h->slot = i;
			h->lenp1 = e->lenp1;
			return e;
		}
		if (!e->lenp1)
			return NULL;
	}
}

static struct code_entry *
code_map_slot(struct code_entry *slots, uint32_t bits, uint64_t addr)
{
	uint32_t mask = (1u << bits) - 1;
	uint32_t i = code_map_hash(addr, bits);
	while (slots[i].lenp1 && slots[i].addr != addr)
		i = (i + 1) & mask;
	return &slots[i];
}

static int
code_map_grow(struct code_map *m)
{
	uint32_t bits = m->slots ? m->bits + 1 : 10;
	if (bits > 31)
		return -ENOMEM;
	struct code_entry *slots = calloc((size_t)1 << bits, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	/* Slot numbers change: forget them all.  An empty map's cache is all
	 * zero already (code_map_new, code_map_free_tables): not clearing it
	 * again spares its 256 KiB, fresh zero pages from calloc, being
	 * written and faulted in whole at the first instruction of every
	 * process (~0.1 ms; only the entries used are touched then). */
	if (m->slots) {
		memset(m->hot, 0, sizeof(m->hot));
		for (size_t i = 0; i < (size_t)1 << m->bits; i++) {
			if (m->slots[i].lenp1)
				*code_map_slot(slots, bits, m->slots[i].addr) =
					m->slots[i];
		}
		free(m->slots);
	}
	m->slots = slots;
	m->bits = bits;
	return 0;
}

int
code_map_set(struct code_map *m, uint64_t addr, const uint8_t *bytes,
	     uint32_t len, int *added)
{
	*added = 0;
	/* Keep the load under 5/8 so linear probes stay short. */
	if (!m->slots || (uint64_t)(m->count + 1) * 8 > (5ull << m->bits)) {
		int err = code_map_grow(m);
		if (err)
			return err;
	}
	struct code_entry *e = code_map_slot(m->slots, m->bits, addr);
	if (e->lenp1) {
		if (e->lenp1 == len + 1 && (!len || !memcmp(e->bytes, bytes, len)))
			return 0;
	} else {
		m->count++;
		*added = 1;
	}
	e->addr = addr;
	e->lenp1 = (uint8_t)(len + 1);
	struct code_hot *h = code_map_hot(m, addr);
	if (h->addr == addr)
		h->lenp1 = e->lenp1;
	memset(e->bytes, 0, sizeof(e->bytes));
	if (len)
		memcpy(e->bytes, bytes, len);
	return *added ? 0 : 1;
}

struct code_map *
code_map_new(void)
{
	struct code_map *m = calloc(1, sizeof(*m));
	if (m)
		m->refs = 1;
	return m;
}

static void
code_map_free_tables(struct code_map *m)
{
	free(m->slots);
	memset(m->hot, 0, sizeof(m->hot));
	m->slots = NULL;
	m->bits = 0;
	m->count = 0;
}

void
code_map_put(struct code_map *m)
{
	if (m && !--m->refs) {
		code_map_free_tables(m);
		free(m);
	}
}

int
code_map_unshare(struct code_map **pm)
{
	struct code_map *src = *pm;
	if (src->refs == 1)
		return 0;
	struct code_map *m = code_map_new();
	if (!m)
		return -ENOMEM;
	if (src->slots) {
		size_t n = (size_t)1 << src->bits;
		m->slots = malloc(n * sizeof(*m->slots));
		if (!m->slots) {
			code_map_put(m);
			return -ENOMEM;
		}
		memcpy(m->slots, src->slots, n * sizeof(*m->slots));
		m->bits = src->bits;
		m->count = src->count;
	}
	code_map_put(src);
	*pm = m;
	return 0;
}

int
code_map_reset(struct code_map **pm)
{
	if ((*pm)->refs == 1) {
		code_map_free_tables(*pm);
		return 0;
	}
	struct code_map *m = code_map_new();
	if (!m)
		return -ENOMEM;
	code_map_put(*pm);
	*pm = m;
	return 0;
}
