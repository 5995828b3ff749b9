/*
 * New processes (docs/AGENT.md "Processes"): fork, vfork, and clone/clone3
 * without CLONE_VM.  The agent makes the system call itself, so the child
 * is a copy of the parent including the agent (its state block at the same
 * gs base, its stack, its decode cache and records); it continues in the
 * agent right after the syscall with the program's registers but rax = 0,
 * like the kernel's child (arch/x86/kernel/process.c copy_thread: ax = 0,
 * sp = the new stack when one is given).  The tracer sees the child through
 * PTRACE_EVENT_FORK/VFORK/CLONE and serves it as a process of its own.
 *
 * What the agent changes so that a copy is enough:
 * - vfork runs as clone(CLONE_VFORK | SIGCHLD): the parent stays suspended
 *   until the child execs or exits, as natively, but the child writes to
 *   its own copy of memory (the agent's stack and state would otherwise be
 *   shared by two running threads).  DESIGN.md allows vfork as fork; a
 *   program that writes into the parent's memory from a vfork child (other
 *   than through the kernel) would see a difference.
 * - CLONE_VM | CLONE_VFORK without CLONE_THREAD/CLONE_SIGHAND (glibc's
 *   posix_spawn) the same way: clone without CLONE_VM.  The one difference
 *   a program can see: glibc's spawn child reports a failed exec by writing
 *   errno into the parent's memory, so with a copy posix_spawn returns 0
 *   and the child exits 127 instead of posix_spawn returning the error.
 * - A new stack for the child is not given to the kernel (the child
 *   returns into the agent, on the agent's stack in its own memory); the
 *   agent puts it into the child's rsp itself.
 * Threads (CLONE_VM otherwise) are refused (process_refused).
 */
#include "agent/agent.h"
#include "agent/process.h"
#include "agent/sys.h"

/* include/uapi/linux/sched.h */
#define CLONE_VM 0x00000100ull
#define CLONE_SIGHAND 0x00000800ull
#define CLONE_VFORK 0x00004000ull
#define CLONE_THREAD 0x00010000ull
#define SIGCHLD 17
#define CLONE_ARGS_MAX 256 /* bytes of struct clone_args we copy (88 today) */

/* struct clone_args (include/uapi/linux/sched.h), the fields used here;
 * all __aligned_u64. */
struct clone_args_head {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size;
};

static int
is_thread(uint64_t flags)
{
	if (!(flags & CLONE_VM))
		return 0;
	return !(flags & CLONE_VFORK) || (flags & (CLONE_THREAD | CLONE_SIGHAND));
}

/* clone3's arguments, when they can be read and are of a size we copy. */
static int
clone3_args(const struct agent_state *s, uint8_t args[CLONE_ARGS_MAX], struct clone_args_head *h)
{
	uint64_t size = s->ctx.gpr[X86_RSI];
	if (size < sizeof *h || size > CLONE_ARGS_MAX ||
	    agent_safe_copy(args, (const void *)s->ctx.gpr[X86_RDI], size) < 0)
		return 0;
	memcpy(h, args, sizeof *h);
	return 1;
}

int
process_refused(const struct agent_state *s, long nr)
{
	uint8_t args[CLONE_ARGS_MAX];
	struct clone_args_head h;
	switch (nr) {
	case NR_CLONE:
		return is_thread(s->ctx.gpr[X86_RDI]);
	case NR_CLONE3:
		if (s->ctx.gpr[X86_RSI] > CLONE_ARGS_MAX)
			return 1; /* a clone_args larger than we know */
		return clone3_args(s, args, &h) && is_thread(h.flags);
	}
	return 0;
}

long
process_syscall(struct agent_state *s, long nr, uint64_t *child_sp)
{
	const uint64_t *g = s->ctx.gpr;
	uint8_t args[CLONE_ARGS_MAX];
	struct clone_args_head h;
	*child_sp = 0;
	switch (nr) {
	case NR_FORK:
		return sys6(NR_FORK, 0, 0, 0, 0, 0, 0);
	case NR_VFORK:
		return sys6(NR_CLONE, (long)(CLONE_VFORK | SIGCHLD), 0, 0, 0, 0, 0);
	case NR_CLONE:
		/* clone(flags, stack, parent_tid, child_tid, tls) on x86-64. */
		*child_sp = g[X86_RSI];
		return sys6(NR_CLONE, (long)(g[X86_RDI] & ~CLONE_VM), 0, (long)g[X86_RDX],
			    (long)g[X86_R10], (long)g[X86_R8], 0);
	case NR_CLONE3:
		if (!clone3_args(s, args, &h) || (h.stack == 0) != (h.stack_size == 0))
			/* The kernel refuses it: EFAULT, EINVAL (kernel/fork.c
			 * copy_clone_args_from_user, clone3_stack_valid). */
			return sys6(NR_CLONE3, (long)g[X86_RDI], (long)g[X86_RSI], 0, 0, 0, 0);
		/* clone3_stack_valid: the child's sp = stack + stack_size. */
		*child_sp = h.stack ? h.stack + h.stack_size : 0;
		h.flags &= ~CLONE_VM;
		h.stack = 0;
		h.stack_size = 0;
		memcpy(args, &h, sizeof h);
		return sys6(NR_CLONE3, (long)args, (long)g[X86_RSI], 0, 0, 0, 0);
	}
	return -38; /* ENOSYS: not a process syscall */
}
