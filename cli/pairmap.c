/* Pair-keyed hash map; see pairmap.h. */
#include <stdlib.h>

#include "cli/messages.h"
#include "cli/pairmap.h"

void
pairmap_init(struct pairmap *m)
{
	m->cap = 256;
	m->n = 0;
	m->slots = cli_calloc(m->cap, sizeof *m->slots);
}

void
pairmap_free(struct pairmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static size_t
home(const struct pairmap *m, uint64_t a, uint64_t b)
{
	uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b + (b << 21) + (b >> 7));

	h *= 0xff51afd7ed558ccdull;
	return (size_t)(h ^ (h >> 32)) & (m->cap - 1);
}

uint64_t *
pairmap_find(const struct pairmap *m, uint64_t a, uint64_t b)
{
	for (size_t i = home(m, a, b);; i = (i + 1) & (m->cap - 1)) {
		struct pairmap_slot *s = &m->slots[i];

		if (!s->used)
			return NULL;
		if (s->a == a && s->b == b)
			return &s->v;
	}
}

uint64_t *
pairmap_ref(struct pairmap *m, uint64_t a, uint64_t b)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3) {
		struct pairmap_slot *old = m->slots;
		size_t n = m->cap;

		m->cap *= 2;
		m->slots = cli_calloc(m->cap, sizeof *m->slots);
		for (size_t j = 0; j < n; j++)
			if (old[j].used) {
				for (i = home(m, old[j].a, old[j].b); m->slots[i].used;
				     i = (i + 1) & (m->cap - 1))
					;
				m->slots[i] = old[j];
			}
		free(old);
	}
	for (i = home(m, a, b);; i = (i + 1) & (m->cap - 1)) {
		struct pairmap_slot *s = &m->slots[i];

		if (!s->used) {
			*s = (struct pairmap_slot){ .a = a, .b = b, .used = true };
			m->n++;
			return &s->v;
		}
		if (s->a == a && s->b == b)
			return &s->v;
	}
}

void
pairmap_remove(struct pairmap *m, uint64_t a, uint64_t b)
{
	size_t mask = m->cap - 1, i, j;

	for (i = home(m, a, b);; i = (i + 1) & mask) {
		if (!m->slots[i].used)
			return;
		if (m->slots[i].a == a && m->slots[i].b == b)
			break;
	}
	/* Backward-shift deletion keeps every probe chain unbroken. */
	m->slots[i].used = false;
	m->n--;
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		size_t h = home(m, m->slots[j].a, m->slots[j].b);

		/* Move j into the hole i unless its home lies in (i, j]. */
		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].used = false;
			i = j;
		}
	}
}
