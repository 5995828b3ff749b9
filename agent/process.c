/*
 * New processes (docs/AGENT.md "Processes"): fork, vfork, and clone/clone3
 * without CLONE_VM or with CLONE_VM | CLONE_VFORK (vfork, posix_spawn).
 * The agent makes the system call itself; the child starts like the
 * kernel's child (arch/x86/kernel/process.c copy_thread: ax = 0, sp = the
 * new stack when one is given) right after the program's syscall.  The
 * tracer sees it through PTRACE_EVENT_FORK/VFORK/CLONE and serves it as a
 * process of its own.
 *
 * - Without CLONE_VM the child is a copy of the parent including the
 *   agent (its state block at the same gs base, its stack, decode cache,
 *   records): it comes back from the syscall in the agent, on the agent's
 *   stack in its own memory.  A new stack is therefore not given to the
 *   kernel; the agent puts it into the child's rsp.
 * - CLONE_VM | CLONE_VFORK (vfork, glibc's posix_spawn): the child runs
 *   in the parent's memory while the parent is suspended in the syscall
 *   until the child execs or exits (kernel/fork.c wait_for_vfork_done).
 *   The parent's agent state and stack are in use (its syscall frame), so
 *   the child gets its own slot: a state block (its gs base), stack, trace
 *   buffer and signal block, set up here before the clone; the kernel is
 *   given the slot's stack, and agent_clone_vm's child branch points the
 *   gs base at the slot's state and steps on.  The decode cache,
 *   displaced records and patch bookkeeping are shared, as the memory is.
 *   VCHILD_SLOTS levels of vfork children of vfork children; deeper ones
 *   get a copy instead (clone without CLONE_VM, the parent still
 *   suspended).
 * - Threads (CLONE_VM otherwise): the same with a thread slot
 *   (agent/thread_slots.c) instead of a vfork slot; the parent goes on.
 */
#include "agent/agent.h"
#include "agent/process.h"
#include "agent/ring.h"
#include "agent/thread_slots.h"
#include "agent/sys.h"
#include "common/agent_signal.h"

/* include/uapi/linux/sched.h */
#define CLONE_VM 0x00000100ull
#define CLONE_SIGHAND 0x00000800ull
#define CLONE_VFORK 0x00004000ull
#define CLONE_THREAD 0x00010000ull
#define SIGCHLD 17
#define CLONE_ARGS_MAX 256 /* bytes of struct clone_args we copy (88 today) */
#define VCHILD_RING_BYTES (RING_HDR_BYTES + (512u << 10)) /* 2^16 words */
#define VCHILD_STACK (64u << 10)
#define VCHILD_SLOTS 4 /* vfork children of vfork children, nested */

/* struct clone_args (include/uapi/linux/sched.h), the fields used here;
 * all __aligned_u64. */
struct clone_args_head {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size;
};

/* Slot i is used by a vfork child whose parent runs on slot i - 1 (or on
 * the agent's own state for i = 0): vfork children nest strictly (each
 * parent is suspended until its child execs or exits). */
static struct agent_state vchild_state[VCHILD_SLOTS];
static struct agent_sig vchild_sig[VCHILD_SLOTS];
/* Slot i's trace ring, opened by the first vfork child of slot i and
 * kept: the next child of the same slot continues in it. */
static uint64_t vchild_ring[VCHILD_SLOTS][VCHILD_RING_BYTES / 8] __attribute__((aligned(4096)));
static int vchild_ring_open[VCHILD_SLOTS];
static uint64_t vchild_stack[VCHILD_SLOTS][VCHILD_STACK / 8] __attribute__((aligned(64)));

long agent_clone_vm(long nr, long a1, long a2, long a3, long a4, long a5);
__attribute__((noreturn)) void agent_vchild_run(struct agent_state *s);

/* long agent_clone_vm(nr, a1..a5): the clone or clone3 system call whose
 * child (rax = 0) starts on its slot's stack in the parent's memory, the
 * slot's state address at 8(%rsp) (vchild_stack_for): it sets its gs base
 * there (arch_prctl ARCH_SET_GS) and steps on. */
__asm__(".text\n"
	".globl agent_clone_vm\n"
	"agent_clone_vm:\n"
	"	mov	%rdi, %rax\n"
	"	mov	%rsi, %rdi\n"
	"	mov	%rdx, %rsi\n"
	"	mov	%rcx, %rdx\n"
	"	mov	%r8, %r10\n"
	"	mov	%r9, %r8\n"
	"	syscall\n"
	"	test	%rax, %rax\n"
	"	jz	1f\n"
	"	ret\n"
	"1:	mov	$158, %eax\n"         /* arch_prctl */
	"	mov	$0x1001, %edi\n"      /* ARCH_SET_GS */
	"	mov	8(%rsp), %rsi\n"
	"	syscall\n"
	"	mov	8(%rsp), %rdi\n"
	"	call	agent_vchild_run\n"
	"	ud2\n");

void
agent_vchild_run(struct agent_state *s)
{
	agent_run(s, AGENT_RUN_VCHILD);
}

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
	(void)args;
	(void)h;
	/* A clone_args larger than we know: its other fields could matter. */
	return nr == NR_CLONE3 && s->ctx.gpr[X86_RSI] > CLONE_ARGS_MAX;
}

/*
 * Sets up the agent of a child that shares the memory (a vfork child or a
 * thread): the program's registers as the child gets them (rax = 0, rcx
 * and r11 as syscall leaves them, rsp = sp or the parent's), its own
 * state block c, agent stack (top at stack_top) and signal block, and its
 * slot's trace ring: opened by the first child of the slot (the tracer
 * learns of it through s's gate) and kept for the next.
 */
static void
child_prepare(struct agent_state *s, struct agent_state *c, struct agent_sig *sig,
	      uint64_t stack_top, uint64_t next, uint64_t sp, void *ring_area, uint64_t ring_bytes,
	      int *ring_is_open)
{
	const struct agent_sig *psig = (const struct agent_sig *)s->reserved[AGENT_SIG_SLOT];
	uint64_t busy = c->slot_busy;
	*c = *s;
	c->self = (uint64_t)c;
	c->stack_top = stack_top;
	c->patch_addr = 0;
	c->pending = 0;
	c->slot_busy = busy;
	c->run_held = 0;
	c->run_steps = 0;
	c->reserved[AGENT_RECORDED_SLOT] = 0;
	c->reserved[AGENT_VCHILD_SLOT] = 0;
	c->ctx.gpr[X86_RAX] = 0;
	c->ctx.gpr[X86_RCX] = next;
	c->ctx.gpr[X86_R11] = s->ctx.rflags;
	if (sp)
		c->ctx.gpr[X86_RSP] = sp;
	c->ctx.rip = next;
	memset(sig, 0, sizeof *sig);
	sig->sigentry = psig->sigentry;
	sig->trap_blocked = psig->trap_blocked; /* the mask is inherited */
	c->reserved[AGENT_SIG_SLOT] = (uint64_t)sig;
	if (*ring_is_open) {
		ring_attach(c, ring_area, ring_bytes);
	} else {
		ring_open(s, c, ring_area, ring_bytes);
		*ring_is_open = 1;
	}
}

static void
vchild_prepare(struct agent_state *s, unsigned i, uint64_t next, uint64_t sp)
{
	struct agent_state *c = &vchild_state[i];
	c->slot_busy = 0;
	child_prepare(s, c, &vchild_sig[i], (uint64_t)&vchild_stack[i][VCHILD_STACK / 8], next, sp,
		      vchild_ring[i], VCHILD_RING_BYTES, &vchild_ring_open[i]);
	/* agent_clone_vm's child finds its state at 8(%rsp). */
	vchild_stack[i][VCHILD_STACK / 8 - 1] = (uint64_t)c;
}

void
process_forked_child(const struct agent_state *s)
{
	/* The slots' rings it inherited are its parent's: a vfork child
	 * of its own opens its slot's ring again.  s's own ring is opened
	 * again by the caller.  The parent's other threads are not here. */
	for (unsigned i = 0; i < VCHILD_SLOTS; i++)
		vchild_ring_open[i] = s == &vchild_state[i];
	thread_slots_forked_child(s);
}

/* The slot for a vfork child of the thread running on s; VCHILD_SLOTS
 * when there is none left (the child gets a copy instead). */
static unsigned
vchild_slot(const struct agent_state *s)
{
	for (unsigned i = 0; i < VCHILD_SLOTS; i++)
		if (s == &vchild_state[i])
			return i + 1;
	return 0;
}

/* The stack the kernel starts slot i's child on: 16 below the end (the
 * state address above it), 16-byte aligned for the call. */
static long
vchild_sp(unsigned i)
{
	return (long)&vchild_stack[i][VCHILD_STACK / 8 - 2];
}

/* clone/clone3 from the parent's own agent state whose child c shares the
 * memory.  The tracer learns where the child's state is from
 * reserved[AGENT_VCHILD_SLOT] at the clone's ptrace event. */
static long
clone_vm(struct agent_state *s, struct agent_state *c, long nr, long a1, long a2, long a3,
	 long a4, long a5)
{
	s->reserved[AGENT_VCHILD_SLOT] = (uint64_t)c;
	long r = agent_clone_vm(nr, a1, a2, a3, a4, a5);
	s->reserved[AGENT_VCHILD_SLOT] = 0;
	return r;
}

static long
clone_shared(struct agent_state *s, unsigned i, long nr, uint64_t next, uint64_t sp, long a1,
	     long a2, long a3, long a4, long a5)
{
	vchild_prepare(s, i, next, sp);
	return clone_vm(s, &vchild_state[i], nr, a1, a2, a3, a4, a5);
}

/*
 * A thread (docs/AGENT.md "Threads"): the kernel starts it on a thread
 * slot's agent stack, with every flag the program gave (CLONE_SETTLS,
 * CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID act as natively); the agent
 * gives it the program's new stack in ctx.rsp.
 */
static long
clone_thread(struct agent_state *s, long nr, uint64_t next, uint64_t *args, uint64_t args_size)
{
	const uint64_t *g = s->ctx.gpr;
	struct thread_slot t;
	if (!thread_slot_take(&t)) {
		/* Natively the thread would start: say so and end. */
		s->req_arg[0] = AGENT_WHY_THREADS;
		s->req_arg[1] = THREAD_SLOTS;
		for (;;) {
			s->req = AGENT_REQ_UNSUPPORTED;
			agent_gate();
		}
	}
	long r;
	if (nr == NR_CLONE) {
		child_prepare(s, t.state, t.sig, t.stack_sp + 16, next, g[X86_RSI], t.ring_area,
			      t.ring_bytes, t.ring_open);
		r = clone_vm(s, t.state, NR_CLONE, (long)g[X86_RDI], (long)t.stack_sp, (long)g[X86_RDX],
			     (long)g[X86_R10], (long)g[X86_R8]);
	} else {
		struct clone_args_head h;
		memcpy(&h, args, sizeof h);
		child_prepare(s, t.state, t.sig, t.stack_sp + 16, next, h.stack + h.stack_size,
			      t.ring_area, t.ring_bytes, t.ring_open);
		h.stack = t.stack_base;
		h.stack_size = t.stack_sp - t.stack_base;
		memcpy(args, &h, sizeof h);
		r = clone_vm(s, t.state, NR_CLONE3, (long)args, (long)args_size, 0, 0, 0);
	}
	if (r < 0)
		thread_slot_put_back(t.state);
	return r;
}

int
process_shares_memory(const struct agent_state *s, long nr)
{
	uint8_t args[CLONE_ARGS_MAX];
	struct clone_args_head h;
	int can_share = vchild_slot(s) < VCHILD_SLOTS;
	switch (nr) {
	case NR_VFORK:
		return can_share;
	case NR_CLONE:
		return (s->ctx.gpr[X86_RDI] & CLONE_VM) && (can_share || is_thread(s->ctx.gpr[X86_RDI]));
	case NR_CLONE3:
		return clone3_args(s, args, &h) && (h.flags & CLONE_VM) &&
		       (can_share || is_thread(h.flags));
	}
	return 0;
}

long
process_syscall(struct agent_state *s, long nr, uint64_t next, uint64_t *child_sp)
{
	const uint64_t *g = s->ctx.gpr;
	uint8_t args[CLONE_ARGS_MAX];
	struct clone_args_head h;
	unsigned slot = vchild_slot(s);
	int can_share = slot < VCHILD_SLOTS;
	long stack = can_share ? vchild_sp(slot) : 0;
	*child_sp = 0;
	switch (nr) {
	case NR_FORK:
		return sys6(NR_FORK, 0, 0, 0, 0, 0, 0);
	case NR_VFORK:
		/* kernel/fork.c sys_vfork: CLONE_VFORK | CLONE_VM, SIGCHLD. */
		if (can_share)
			return clone_shared(s, slot, NR_CLONE, next, 0,
					    (long)(CLONE_VM | CLONE_VFORK | SIGCHLD), stack, 0, 0, 0);
		return sys6(NR_CLONE, (long)(CLONE_VFORK | SIGCHLD), 0, 0, 0, 0, 0);
	case NR_CLONE:
		/* clone(flags, stack, parent_tid, child_tid, tls) on x86-64. */
		if (is_thread(g[X86_RDI]))
			return clone_thread(s, nr, next, 0, 0);
		if (can_share && (g[X86_RDI] & CLONE_VM))
			return clone_shared(s, slot, NR_CLONE, next, g[X86_RSI], (long)g[X86_RDI],
					    stack, (long)g[X86_RDX], (long)g[X86_R10], (long)g[X86_R8]);
		*child_sp = g[X86_RSI];
		return sys6(NR_CLONE, (long)(g[X86_RDI] & ~CLONE_VM), 0, (long)g[X86_RDX],
			    (long)g[X86_R10], (long)g[X86_R8], 0);
	case NR_CLONE3:
		if (!clone3_args(s, args, &h) || (h.stack == 0) != (h.stack_size == 0))
			/* The kernel refuses it: EFAULT, EINVAL (kernel/fork.c
			 * copy_clone_args_from_user, clone3_stack_valid). */
			return sys6(NR_CLONE3, (long)g[X86_RDI], (long)g[X86_RSI], 0, 0, 0, 0);
		if (is_thread(h.flags))
			return clone_thread(s, nr, next, (uint64_t *)args, g[X86_RSI]);
		/* clone3_stack_valid: the child's sp = stack + stack_size. */
		uint64_t sp = h.stack ? h.stack + h.stack_size : 0;
		if (can_share && (h.flags & CLONE_VM)) {
			h.stack = (uint64_t)vchild_stack[slot];
			h.stack_size = (uint64_t)stack - h.stack;
			memcpy(args, &h, sizeof h);
			return clone_shared(s, slot, NR_CLONE3, next, sp, (long)args, (long)g[X86_RSI],
					    0, 0, 0);
		}
		*child_sp = sp;
		h.flags &= ~CLONE_VM;
		h.stack = 0;
		h.stack_size = 0;
		memcpy(args, &h, sizeof h);
		return sys6(NR_CLONE3, (long)args, (long)g[X86_RSI], 0, 0, 0, 0);
	}
	return -38; /* ENOSYS: not a process syscall */
}
