/*
 * Engine displaced, linked stubs (agent/displaced_link.c): an exit whose
 * successor is known when the stub is built (the next instruction after
 * a copy, both sides of a jcc, a direct jmp or call) jumps straight into
 * the successor's stub once linked, past disp_exit's table lookup, byte
 * compare and shared indirect jump.
 */
#ifndef UMSS_AGENT_DISPLACED_LINK_H
#define UMSS_AGENT_DISPLACED_LINK_H

#include "agent/stub_emit.h"

/* Bytes link_exit writes. */
#define LINK_EXIT_LEN 75
/* Room link_header may take (the slots, aligned, and the entry code). */
#define LINK_HEADER_MAX (8 + 16 + LINK_SLOW_LEN + LINK_ENTRY_LEN)
#define LINK_SLOW_LEN 36
#define LINK_ENTRY_LEN 149

/*
 * Writes, before the stub of the instruction at `at`, two link slots
 * (*slots = the first's address, 8-aligned, both 0) and the stub's
 * linked entry; b->p is then where the stub proper starts.
 */
void link_header(struct sb *b, uint64_t at, uint64_t *slots);

/* The linked entry of the stub that starts at stub (link_header's). */
static inline uint64_t
link_entry_of(uint64_t stub)
{
	return stub - LINK_ENTRY_LEN;
}

/* An exit to `next` through the link slot at `slot`. */
void link_exit(struct sb *b, uint64_t next, uint64_t slot);

/* The registry of linked slots lives in `mem` (room for max links). */
void links_init(void *mem, uint64_t max);
#define LINK_RECORD_BYTES 16

/* Links slot to the stub of the instruction at target (entry = its
 * link_entry_of); nothing when the registry is full. */
void link_set(uint64_t slot, uint64_t target, uint64_t entry);

/* Unlinks every slot that jumps to an instruction starting in [lo, hi). */
void links_forget_targets(uint64_t lo, uint64_t hi);

/* An arena [lo, hi) goes away: unlinks the slots that jump into it and
 * forgets the slots inside it. */
void links_forget_arena(uint64_t lo, uint64_t hi);

/* Every stub is gone (the arenas are refilled from the start). */
void links_reset(void);

#endif
