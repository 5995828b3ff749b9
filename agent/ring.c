/*
 * The agent's trace ring (agent/ring.h): opening one (memfd_create, mmap
 * MAP_SHARED | MAP_FIXED over a reserved area of the agent's own memory,
 * so the program's map keeps the shape it has without the ring) and
 * waiting for room when it is full.
 */
#include "agent/ring.h"

#include "agent/sys.h"

#define NR_FTRUNCATE 77
#define NR_FUTEX 202
#define NR_MEMFD_CREATE 319
#define NR_PRLIMIT64 302
#define RLIMIT_NOFILE 7
#define MFD_CLOEXEC 1
#define FUTEX_WAIT 0
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define PROT_READ 1
#define PROT_WRITE 2

static uint64_t main_area[RING_MAIN_BYTES / 8] __attribute__((aligned(4096)));

void *
ring_main_area(void)
{
	return main_area;
}

static __attribute__((noreturn)) void
ring_failed(struct agent_state *s, long err)
{
	s->req_arg[0] = AGENT_WHY_RING;
	s->req_arg[1] = (uint64_t)err;
	for (;;) {
		s->req = AGENT_REQ_FAILED;
		agent_gate();
	}
}

void
ring_attach(struct agent_state *owner, void *area, uint64_t bytes)
{
	volatile struct agent_ring_header *h = area;
	owner->ring_hdr = (uint64_t)area;
	owner->ring_data = (uint64_t)area + RING_HDR_BYTES;
	owner->ring_mask = (bytes - RING_HDR_BYTES) / 8 - 1;
	owner->ring_head = h->head;
	owner->ring_limit = h->tail + owner->ring_mask + 1;
	ring_fast_sync(owner);
}

/*
 * The ring's memfd, needed only until the tracer has mapped it.  A
 * program that lowered its soft RLIMIT_NOFILE below its open descriptors
 * (then exec'd: the new image's agent opens a ring first) leaves none
 * free: the soft limit is raised to the hard one for this one call and
 * put back (a descriptor above the soft limit stays valid; it is closed
 * right after).  With the hard limit that low the ring cannot be made.
 */
static long
ring_memfd(void)
{
	static const char name[] = "umss-ring";
	long fd = sys6(NR_MEMFD_CREATE, (long)name, MFD_CLOEXEC, 0, 0, 0, 0);
	struct { uint64_t cur, max; } old, raised;
	if (fd != -24 /* EMFILE */ ||
	    sys6(NR_PRLIMIT64, 0, RLIMIT_NOFILE, 0, (long)&old, 0, 0) < 0 || old.cur >= old.max)
		return fd;
	raised.cur = raised.max = old.max;
	if (sys6(NR_PRLIMIT64, 0, RLIMIT_NOFILE, (long)&raised, 0, 0, 0) < 0)
		return fd;
	fd = sys6(NR_MEMFD_CREATE, (long)name, MFD_CLOEXEC, 0, 0, 0, 0);
	sys6(NR_PRLIMIT64, 0, RLIMIT_NOFILE, (long)&old, 0, 0, 0);
	return fd;
}

void
ring_open(struct agent_state *s, struct agent_state *owner, void *area, uint64_t bytes)
{
	long fd = ring_memfd();
	if (fd < 0)
		ring_failed(s, fd);
	long r = sys6(NR_FTRUNCATE, fd, (long)bytes, 0, 0, 0, 0);
	if (r == 0)
		r = sys6(NR_MMAP, (long)area, (long)bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 fd, 0);
	if (r < 0 && r > -4096) {
		sys6(NR_CLOSE, fd, 0, 0, 0, 0, 0);
		ring_failed(s, r);
	}
	ring_attach(owner, area, bytes);
	s->req_arg[0] = (uint64_t)fd;
	s->req_arg[1] = (uint64_t)area;
	s->req_arg[2] = bytes;
	s->req_arg[3] = (uint64_t)owner;
	s->req = AGENT_REQ_RING;
	agent_gate();
	sys6(NR_CLOSE, fd, 0, 0, 0, 0, 0);
}

void
ring_reopen(struct agent_state *s)
{
	ring_open(s, s, (void *)s->ring_hdr, RING_HDR_BYTES + (s->ring_mask + 1) * 8);
}

void
ring_wait(struct agent_state *s, uint64_t n)
{
	volatile struct agent_ring_header *h = (void *)s->ring_hdr;
	for (;;) {
		uint64_t tail = h->tail;
		s->ring_limit = tail + s->ring_mask + 1;
		ring_fast_sync(s);
		if (s->ring_head + n <= s->ring_limit)
			return;
		if (h->wait_mode != RING_WAIT_FUTEX) {
			s->req = AGENT_REQ_FLUSH;
			agent_gate();
			continue;
		}
		/* Say so before looking at tail again (a full barrier: the
		 * tracer stores tail, then looks at waiting). */
		__atomic_store_n(&h->waiting, 1, __ATOMIC_SEQ_CST);
		if (h->tail != tail)
			continue;
		/* A timeout in case a wake-up is missed: never stuck. */
		struct { long sec, nsec; } ts = { 0, 10 * 1000 * 1000 };
		sys6(NR_FUTEX, (long)&h->tail, FUTEX_WAIT, (long)(uint32_t)tail, (long)&ts, 0, 0);
	}
}
