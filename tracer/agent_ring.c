/*
 * An agent's trace ring, the tracer's side (tracer/agent_ring.h).  The
 * memfd is taken from the program with pidfd_getfd (the agent closes its
 * own fd after the request) and mapped MAP_SHARED: the mapping outlives
 * the program, so what its agent published before a SIGKILL is still
 * here.
 */
#include "tracer/agent_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/agent_abi.h"
#include "tracer/xalloc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The room freed while a long drain goes on, so the agent need not
 * wait for the whole of it. */
#define PUBLISH_EVERY 65536

struct agent_ring {
	volatile struct agent_ring_header *hdr;
	const uint64_t *data;
	uint64_t mask;
	size_t bytes;
	uint64_t addr;
	unsigned refs;
};

/* The program's fd as one of ours: pidfd_getfd, else /proc/PID/fd/N. */
static int
take_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		int mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		close(pidfd);
		if (mine >= 0)
			return mine;
	}
	char name[64];
	snprintf(name, sizeof name, "/proc/%d/fd/%d", (int)pid, fd);
	return open(name, O_RDWR | O_CLOEXEC);
}

struct agent_ring *
agent_ring_map(pid_t pid, int fd, uint64_t addr, uint64_t bytes, unsigned wait_mode,
	       const char **why)
{
	uint64_t words = (bytes - RING_HDR_BYTES) / 8;
	if (bytes <= RING_HDR_BYTES || (bytes - RING_HDR_BYTES) % 8 || (words & (words - 1)) ||
	    bytes > (1ull << 32)) {
		*why = "the agent's trace ring has a bad size";
		return NULL;
	}
	int mine = take_fd(pid, fd);
	if (mine < 0) {
		*why = "cannot take the agent's trace ring from the program";
		return NULL;
	}
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, mine, 0);
	close(mine);
	if (p == MAP_FAILED) {
		*why = "cannot map the agent's trace ring";
		return NULL;
	}
	struct agent_ring *r = xcalloc(1, sizeof *r);
	r->hdr = p;
	r->data = (const uint64_t *)((char *)p + RING_HDR_BYTES);
	r->mask = words - 1;
	r->bytes = bytes;
	r->addr = addr;
	r->refs = 1;
	r->hdr->wait_mode = wait_mode;
	return r;
}

struct agent_ring *
agent_ring_ref(struct agent_ring *r)
{
	if (r)
		r->refs++;
	return r;
}

void
agent_ring_unref(struct agent_ring *r)
{
	if (!r || --r->refs)
		return;
	munmap((void *)r->hdr, r->bytes);
	free(r);
}

uint64_t
agent_ring_addr(const struct agent_ring *r)
{
	return r->addr;
}

/* The consumer's tail, then (a full barrier) a look at whether the agent
 * waits for room: it says so before it looks at tail again. */
static void
publish_tail(struct agent_ring *r, uint64_t tail)
{
	__atomic_store_n(&r->hdr->tail, tail, __ATOMIC_SEQ_CST);
	if (r->hdr->waiting) {
		r->hdr->waiting = 0;
		syscall(SYS_futex, &r->hdr->tail, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
}

long
agent_ring_drain(struct agent_ring *r, const struct agent_ring_sink *sink, uint64_t max)
{
	uint64_t tail = r->hdr->tail;
	uint64_t head = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	uint64_t start = tail, published = tail;
	if (head - tail > r->mask + 1)
		return -1;
	while (tail != head && tail - start < max) {
		uint64_t i = tail & r->mask;
		uint64_t word = r->data[i];
		if (word & AGENT_REC_CODE) {
			if (head - tail < 3)
				return -1; /* published only whole */
			uint64_t b[2] = { r->data[(i + 1) & r->mask], r->data[(i + 2) & r->mask] };
			sink->code(sink->ctx, word & AGENT_REC_ADDR_MASK, (const uint8_t *)b,
				   (unsigned)(word >> AGENT_REC_LEN_SHIFT) & 15);
			tail += 3;
		} else {
			/* A run of addresses up to a code record, the ring's
			 * end or head. */
			uint64_t end = r->mask + 1 - i;
			if (end > head - tail)
				end = head - tail;
			if (end > max - (tail - start))
				end = max - (tail - start);
			uint64_t n = 1;
			while (n < end && !(r->data[i + n] & AGENT_REC_CODE))
				n++;
			sink->insns(sink->ctx, &r->data[i], n);
			tail += n;
		}
		if (tail - published >= PUBLISH_EVERY) {
			publish_tail(r, tail);
			published = tail;
		}
	}
	if (tail != published || r->hdr->waiting)
		publish_tail(r, tail);
	return (long)(tail - start);
}
