/*
 * Engine displaced, linked exits (agent/displaced_link.c): the exits of a
 * stub whose successor is known when it is built (the next instruction
 * after a copy, both sides of jcc/loop/jrcxz, direct jmp and call) record
 * the retired instruction themselves (disp_step) and jump through a slot,
 * straight into the successor's stub once linked: no table lookup, no
 * byte compare, no shared indirect jump.
 */
#ifndef UMSS_AGENT_DISPLACED_LINK_H
#define UMSS_AGENT_DISPLACED_LINK_H

#include "agent/stub_emit.h"

/* Most bytes put_linked_exit writes. */
#define LINKED_EXIT_MAX 65

/* Writes an exit to `next` that links (the slot starts unlinked). */
void put_linked_exit(struct sb *b, uint64_t next);

/* An exit to the address in rax (the program's rax in AS_D_RAX) that
 * looks it up in disp_ind and jumps to its stub from a jump of its own. */
void put_indirect_exit(struct sb *b);
#define INDIRECT_EXIT_LEN 43

/* The slot and the successor of the linked exit whose disp_step call
 * returned to ret (AS_D_LAST). */
static inline uint64_t *
linked_exit_slot(uint64_t ret)
{
	return (uint64_t *)(ret + 16);
}

static inline uint64_t
linked_exit_next(uint64_t ret)
{
	return *(const uint64_t *)(ret + 24);
}

/* Whether the slot still goes the slow way (through disp_unlinked). */
int link_unlinked(const uint64_t *slot);

/* The registry of linked slots lives in `mem`, room for max links. */
void links_init(void *mem, uint64_t max);
#define LINK_RECORD_BYTES 16

/* Links slot to stub, the stub of the instruction at target.  0 when the
 * registry is full (the slot stays unlinked). */
int link_set(uint64_t *slot, uint64_t target, uint64_t stub);

/* Unlinks every slot that jumps to an instruction starting in [lo, hi). */
void links_forget_targets(uint64_t lo, uint64_t hi);

/* An arena [lo, hi) goes away: unlinks the slots that jump into it and
 * forgets the slots inside it. */
void links_forget_arena(uint64_t lo, uint64_t hi);

/* Every stub is gone (the arenas are refilled from the start). */
void links_reset(void);

#endif
