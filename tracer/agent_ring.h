/*
 * The tracer's side of an agent's trace ring (common/agent_abi.h "The
 * trace ring"): map it from the program's memfd, drain it (while the
 * program runs, or after it died without a stop), unmap it.  One per
 * agent state block; shared by reference where two processes' agents
 * write it in turn (a vfork slot's ring).
 */
#ifndef UMSS_TRACER_AGENT_RING_H
#define UMSS_TRACER_AGENT_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct agent_ring;

/* What a drain hands over, in the agent's order. */
struct agent_ring_sink {
	/* n instruction addresses (n >= 1). */
	void (*insns)(void *ctx, const uint64_t *addrs, size_t n);
	/* A code record: len bytes at addr. */
	void (*code)(void *ctx, uint64_t addr, const uint8_t bytes[16], unsigned len);
	void *ctx;
};

/*
 * Maps the ring the agent of process pid opened: its memfd is fd in pid,
 * bytes long (header included), at addr in pid.  wait_mode (RING_WAIT_*)
 * tells the agent how to wait when the ring is full.  NULL with *why set
 * when it cannot.
 */
struct agent_ring *agent_ring_map(pid_t pid, int fd, uint64_t addr, uint64_t bytes,
				  unsigned wait_mode, const char **why);
struct agent_ring *agent_ring_ref(struct agent_ring *r);
/* Drops a reference; the last one unmaps. */
void agent_ring_unref(struct agent_ring *r);
/* Where the program has it. */
uint64_t agent_ring_addr(const struct agent_ring *r);

/*
 * Hands the published words to sink (about max of them at most, whole
 * records), then frees their room (and wakes the agent when it waits for
 * room).  Returns the number of words taken, or -1 when the ring's words
 * make no sense (a damaged ring).
 */
long agent_ring_drain(struct agent_ring *r, const struct agent_ring_sink *sink, uint64_t max);

#endif
