/*
 * Thread slots (docs/AGENT.md "Threads"): each of the program's threads
 * but the first runs the agent on a slot of its own, a state block (its gs
 * base), a signal block, a trace ring and a stack, set up by the thread
 * that makes it (agent/process.c) like the vfork slots.  bss is touched
 * lazily (the agent's mapping is MAP_NORESERVE), so unused slots cost
 * address space only.
 *
 * A slot is busy from thread_slot_take() until the tracer, at the
 * thread's PTRACE_EVENT_EXIT, clears its busy word (agent_state.slot_busy
 * points at it): by then the thread will not run user code again.
 */
#include "agent/thread_slots.h"

#include "agent/ring.h"

#define THREAD_RING_BYTES (RING_HDR_BYTES + (1u << 20)) /* 2^17 words */
#define THREAD_STACK (64u << 10)

static struct agent_state slot_state[THREAD_SLOTS];
static struct agent_sig slot_sig[THREAD_SLOTS];
static uint64_t slot_busy[THREAD_SLOTS];
/* A slot's ring is opened by the first thread on the slot and kept: the
 * next thread there continues in it (the tracer hands it over). */
static uint64_t slot_ring[THREAD_SLOTS][THREAD_RING_BYTES / 8] __attribute__((aligned(4096)));
static int slot_ring_open[THREAD_SLOTS];
static uint64_t slot_stack[THREAD_SLOTS][THREAD_STACK / 8] __attribute__((aligned(64)));

int
thread_slot_take(struct thread_slot *out)
{
	for (unsigned i = 0; i < THREAD_SLOTS; i++) {
		uint64_t free = 0;
		if (!__atomic_compare_exchange_n(&slot_busy[i], &free, 1, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		out->state = &slot_state[i];
		out->sig = &slot_sig[i];
		out->ring_area = slot_ring[i];
		out->ring_bytes = THREAD_RING_BYTES;
		out->ring_open = &slot_ring_open[i];
		out->stack_base = (uint64_t)slot_stack[i];
		/* 16 below the end (the state address above it), aligned
		 * for the call agent_clone_vm makes. */
		out->stack_sp = (uint64_t)&slot_stack[i][THREAD_STACK / 8 - 2];
		slot_stack[i][THREAD_STACK / 8 - 1] = (uint64_t)&slot_state[i];
		slot_state[i].slot_busy = (uint64_t)&slot_busy[i];
		return 1;
	}
	return 0;
}

void
thread_slots_forked_child(const struct agent_state *s)
{
	for (unsigned i = 0; i < THREAD_SLOTS; i++) {
		int mine = s == &slot_state[i];
		slot_busy[i] = (uint64_t)mine;
		slot_ring_open[i] = mine;
	}
}

void
thread_slot_put_back(struct agent_state *c)
{
	__atomic_store_n((uint64_t *)c->slot_busy, 0, __ATOMIC_RELEASE);
}

unsigned
thread_slots_busy(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < THREAD_SLOTS; i++)
		n += __atomic_load_n(&slot_busy[i], __ATOMIC_RELAXED) != 0;
	return n;
}
