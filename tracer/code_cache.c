/* Open-addressing hash map from address to the code bytes recorded there. */
#include "tracer/code_cache.h"

#include <stdlib.h>
#include <string.h>

#include "tracer/xalloc.h"

static uint64_t
hash_addr(uint64_t a)
{
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	return a ^ (a >> 32);
}

void
code_cache_init(struct code_cache *c)
{
	c->mask = 1023;
	c->used = 0;
	c->slots = xcalloc(c->mask + 1, sizeof *c->slots);
}

void
code_cache_free(struct code_cache *c)
{
	free(c->slots);
	c->slots = NULL;
}

void
code_cache_clear(struct code_cache *c)
{
	code_cache_free(c);
	code_cache_init(c);
}

void
code_cache_copy(struct code_cache *dst, const struct code_cache *src)
{
	dst->mask = src->mask;
	dst->used = src->used;
	dst->slots = xcalloc(src->mask + 1, sizeof *dst->slots);
	memcpy(dst->slots, src->slots, (src->mask + 1) * sizeof *dst->slots);
}

static struct code_entry *
find_slot(const struct code_cache *c, uint64_t addr)
{
	uint64_t i = hash_addr(addr) & c->mask;
	while (c->slots[i].addr && c->slots[i].addr != addr)
		i = (i + 1) & c->mask;
	return &c->slots[i];
}

bool
code_cache_same(const struct code_cache *c, uint64_t addr, const uint8_t *bytes, uint8_t len)
{
	const struct code_entry *e = find_slot(c, addr);
	return e->addr == addr && e->len == len && memcmp(e->bytes, bytes, len) == 0;
}

static void
grow(struct code_cache *c)
{
	struct code_cache bigger = { .mask = c->mask * 2 + 1, .used = 0 };
	bigger.slots = xcalloc(bigger.mask + 1, sizeof *bigger.slots);
	for (uint64_t i = 0; i <= c->mask; i++)
		if (c->slots[i].addr)
			*find_slot(&bigger, c->slots[i].addr) = c->slots[i];
	bigger.used = c->used;
	free(c->slots);
	*c = bigger;
}

void
code_cache_put(struct code_cache *c, uint64_t addr, const uint8_t *bytes, uint8_t len)
{
	if ((c->used + 1) * 4 > (c->mask + 1) * 3)
		grow(c);
	struct code_entry *e = find_slot(c, addr);
	if (!e->addr) {
		e->addr = addr;
		c->used++;
	}
	e->len = len;
	memcpy(e->bytes, bytes, len);
}

bool
code_cache_has(const struct code_cache *c, uint64_t addr)
{
	return find_slot(c, addr)->addr == addr;
}
