/*
 * A FIFO ticket lock for the agent's threads (agent/lock.c): waiters sleep
 * in futex_wait, so a holder stopped by the tracer (a request, a fallback
 * step) costs the others no CPU.  Used by engine patch as the run lock
 * (one thread runs program code at a time) and by engine displaced around
 * the building of records and stubs.
 */
#ifndef UMSS_AGENT_LOCK_H
#define UMSS_AGENT_LOCK_H

#include <stdint.h>

struct agent_lock {
	uint32_t next;    /* the next ticket to hand out */
	uint32_t serving; /* the ticket that holds the lock (the futex word) */
};

void lock_acquire(struct agent_lock *l);
void lock_release(struct agent_lock *l);
/* True when another thread waits for the lock. */
int lock_contended(const struct agent_lock *l);
/* In a child process made by fork from a thread that held l: the child has
 * one thread, which holds it (held = 1) or not (held = 0); the tickets of
 * the parent's other threads mean nothing there. */
void lock_reset(struct agent_lock *l, int held);

#endif
