/*
 * The agent's side of its trace ring (common/agent_abi.h "The trace
 * ring"): append words, wait for room, open a ring.  The per-instruction
 * appends of engine displaced are in agent/displaced_entry.S (disp_exit,
 * disp_step), the same steps as ring_put through d_ptr and d_room.
 */
#ifndef UMSS_AGENT_RING_H
#define UMSS_AGENT_RING_H

#include "agent/agent.h"

/* Bytes of the main state block's ring: the header and 2^17 words (1 MiB,
 * as a thread's).  A larger ring was slower: 8 MiB of shared memory is
 * page-faulted by both processes as the words go round the first time
 * (4096 faults for 5 M instructions) and the words the drain thread reads
 * have left the caches; umss keeps up with the agent, a 1 MiB ring
 * rarely fills. */
#define RING_MAIN_BYTES (RING_HDR_BYTES + (1ull << 20))

/* Waits until n more words fit (the tracer drains concurrently or at a
 * gate stop). */
void ring_wait(struct agent_state *s, uint64_t n);

/*
 * Maps a new ring (a memfd, MAP_SHARED) over [area, area + bytes) for the
 * state block `owner` and hands it to the tracer (AGENT_REQ_RING through
 * `s`, the running thread's state), then closes the fd so the program
 * never sees it.  Does not return on failure (AGENT_REQ_FAILED).
 */
void ring_open(struct agent_state *s, struct agent_state *owner, void *area, uint64_t bytes);

/* Points owner at the ring already mapped at area (a vfork slot's,
 * reused), continuing at its published head. */
void ring_attach(struct agent_state *owner, void *area, uint64_t bytes);

/* Opens a fresh ring in place of the one s writes (a fork child: the
 * mapping it inherited is its parent's). */
void ring_reopen(struct agent_state *s);

/* The main state block's ring area (bss, page aligned). */
void *ring_main_area(void);

/* Engine displaced's flag-free appends (agent/displaced_entry.S) write
 * from d_ptr on, d_room words: up to the limit, never across the ring's
 * end.  (agent/displaced.c set_exit zeroes d_room when C wants control.) */
static inline void
ring_fast_sync(struct agent_state *s)
{
	uint64_t at = s->ring_head & s->ring_mask;
	uint64_t free = s->ring_limit - s->ring_head, to_end = s->ring_mask + 1 - at;
	s->d_ptr = s->ring_data + at * 8;
	s->d_room = free < to_end ? free : to_end;
}

static inline void
ring_publish(struct agent_state *s, uint64_t head)
{
	s->ring_head = head;
	ring_fast_sync(s);
	__asm__ volatile("" ::: "memory"); /* the words before head (x86: stores stay in order) */
	((volatile struct agent_ring_header *)s->ring_hdr)->head = head;
}

static inline void
ring_put(struct agent_state *s, uint64_t word)
{
	if (s->ring_head + 1 > s->ring_limit)
		ring_wait(s, 1);
	uint64_t h = s->ring_head;
	((uint64_t *)s->ring_data)[h & s->ring_mask] = word;
	ring_publish(s, h + 1);
}

/* A code record: the marker word (length, address), then 16 bytes. */
static inline void
ring_put_code(struct agent_state *s, uint64_t addr, const uint8_t *bytes, unsigned len)
{
	if (s->ring_head + 3 > s->ring_limit)
		ring_wait(s, 3);
	uint64_t h = s->ring_head, w[2];
	uint64_t *d = (uint64_t *)s->ring_data;
	memcpy(w, bytes, 16);
	d[h & s->ring_mask] = AGENT_REC_CODE | (uint64_t)len << AGENT_REC_LEN_SHIFT | addr;
	d[(h + 1) & s->ring_mask] = w[0];
	d[(h + 2) & s->ring_mask] = w[1];
	ring_publish(s, h + 3);
}

#endif
