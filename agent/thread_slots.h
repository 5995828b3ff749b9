/* The agent's per-thread resources for the program's threads (agent/thread_slots.c). */
#ifndef UMSS_AGENT_THREAD_SLOTS_H
#define UMSS_AGENT_THREAD_SLOTS_H

#include "agent/agent.h"
#include "common/agent_signal.h"

#define THREAD_SLOTS 64 /* threads at once, besides the first */

struct thread_slot {
	struct agent_state *state;
	struct agent_sig *sig;
	void *ring_area;               /* the slot's trace ring (agent/ring.h) */
	uint64_t ring_bytes;
	int *ring_open;                /* the ring is mapped (kept when the slot is reused) */
	uint64_t stack_base, stack_sp; /* the kernel starts the thread at stack_sp, state at 8(%rsp) */
};

/* Takes a free slot (its state's slot_busy set); 0 when all are busy. */
int thread_slot_take(struct thread_slot *out);
/* In a forked child running on s (a copy with one thread): the other
 * slots are free, and every slot's ring is its parent's (s's own is opened
 * again by the caller). */
void thread_slots_forked_child(const struct agent_state *s);
/* How many slots are busy: 0 when the process has one thread (and no
 * thread of it is still being reaped). */
unsigned thread_slots_busy(void);
/* Gives back a slot whose clone failed.  A slot whose thread ran is
 * freed by the tracer when it sees the thread gone (the thread cannot
 * free the stack it exits on). */
void thread_slot_put_back(struct agent_state *c);

#endif
