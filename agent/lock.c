/* The agent's ticket lock (agent/lock.h). */
#include "agent/lock.h"

#include "agent/sys.h"

#define NR_FUTEX 202
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

void
lock_acquire(struct agent_lock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
	for (;;) {
		uint32_t now = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE);
		if (now == me)
			return;
		/* Sleeps only while serving is still `now`; a release in
		 * between makes the kernel return EAGAIN at once. */
		sys6(NR_FUTEX, (long)&l->serving, FUTEX_WAIT_PRIVATE, (long)now, 0, 0, 0);
	}
}

void
lock_release(struct agent_lock *l)
{
	uint32_t now = __atomic_add_fetch(&l->serving, 1, __ATOMIC_RELEASE);
	/* Every waiter looks at its ticket: FIFO, whoever the kernel wakes. */
	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) != now)
		sys6(NR_FUTEX, (long)&l->serving, FUTEX_WAKE_PRIVATE, 0x7fffffff, 0, 0, 0);
}

int
lock_contended(const struct agent_lock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) -
		       __atomic_load_n(&l->serving, __ATOMIC_RELAXED) > 1;
}

void
lock_reset(struct agent_lock *l, int held)
{
	l->next = l->serving + (held ? 1 : 0);
}
