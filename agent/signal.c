/*
 * Signals, engines `patch` and `displaced` (docs/AGENT.md "Signals",
 * "Signals (displaced)").  The kernel delivers every signal: under
 * ptrace each one stops the thread first, and the
 * tracer takes those bound for a program handler out of the kernel's hands
 * (tracer/patch_engine.c), queues them and, when the agent reaches an
 * instruction boundary and asks (AGENT_REQ_DELIVER), delivers them for real
 * with the program's registers, stopping at the handler's first
 * instruction.  So the frame, siginfo, fpstate, masks, alternate stack,
 * SA_RESTART, SA_NODEFER and SA_RESETHAND are the kernel's own, and the
 * agent keeps no copy of the program's dispositions.  rt_sigreturn is
 * stepped by the tracer for the same reason.
 *
 * What the agent must adjust:
 * - SIGTRAP: the agent's gate is an int3, a forced signal; when SIGTRAP is
 *   blocked the kernel would reset the program's SIGTRAP handler to
 *   SIG_DFL and unblock it (kernel/signal.c force_sig_info_to_task).  So
 *   the real mask never holds SIGTRAP while the agent runs and the
 *   program's bit is kept in agent_sig.trap_blocked.
 * - sigaltstack: the kernel answers for the stack pointer of the caller,
 *   the agent's; SS_ONSTACK and EPERM are computed from the program's rsp.
 */
#include "agent/signal.h"

#include "agent/sys.h"

#define NR_RT_SIGPROCMASK 14
#define NR_GETPID 39
#define NR_GETTID 186
#define NR_RT_TGSIGQUEUEINFO 297
#define NR_TGKILL 234

/* include/uapi/asm-generic/signal-defs.h, signal.h */
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGSTOP 19
#define SIGTRAP 5
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define EFAULT 14
#define EINVAL 22
#define EPERM 1
#define BIT(sig) (1ull << ((sig) - 1))

/* stack_t (include/uapi/asm-generic/signal.h): 24 bytes. */
struct kstack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

static struct agent_sig agent_sig_block;

void agent_sigentry(void);

/* A thread the tracer took out of program code (a signal arrived there):
 * ctx holds its registers; continue on the agent's stack. */
__asm__(".text\n"
	".globl agent_sigentry\n"
	"agent_sigentry:\n"
	"	mov	%gs:8, %rsp\n"      /* AS_STACK_TOP */
	"	mov	%gs:0, %rdi\n"      /* AS_SELF */
	"	mov	$2, %esi\n"
	"	call	agent_run\n"
	"	ud2\n");

static struct agent_sig *
sig_of(struct agent_state *s)
{
	return (struct agent_sig *)s->reserved[AGENT_SIG_SLOT];
}

void
signal_init(struct agent_state *s)
{
	agent_sig_block.sigentry = (uint64_t)agent_sigentry;
	s->reserved[AGENT_SIG_SLOT] = (uint64_t)&agent_sig_block;
}

void
signal_syscall_begin(struct agent_state *s)
{
	sig_of(s)->in_syscall = 1;
}

void
signal_syscall_end(struct agent_state *s)
{
	sig_of(s)->in_syscall = 0;
}

static long
real_mask(uint64_t *out)
{
	return sys6(NR_RT_SIGPROCMASK, SIG_BLOCK, 0, (long)out, 8, 0, 0);
}

static long
set_real_mask(uint64_t m)
{
	m &= ~BIT(SIGTRAP);
	return sys6(NR_RT_SIGPROCMASK, SIG_SETMASK, (long)&m, 0, 8, 0, 0);
}

/* kernel/signal.c sys_rt_sigprocmask, with the SIGTRAP bit kept here. */
static long
sigprocmask(struct agent_state *s, const uint64_t *g)
{
	struct agent_sig *as = sig_of(s);
	uint64_t cur, set = 0;
	long how = (long)g[X86_RDI];
	if (real_mask(&cur) < 0)
		return -EINVAL;
	uint64_t prog = cur | (as->trap_blocked ? BIT(SIGTRAP) : 0);
	if (g[X86_RSI]) {
		if (agent_safe_copy(&set, (const void *)g[X86_RSI], 8) < 0)
			return -EFAULT;
		set &= ~(BIT(SIGKILL) | BIT(SIGSTOP));
		uint64_t next;
		switch (how) {
		case SIG_BLOCK: next = prog | set; break;
		case SIG_UNBLOCK: next = prog & ~set; break;
		case SIG_SETMASK: next = set; break;
		default: return -EINVAL;
		}
		long r = set_real_mask(next);
		if (r < 0)
			return r;
		as->trap_blocked = (next & BIT(SIGTRAP)) != 0;
	}
	if (g[X86_RDX] && agent_safe_copy((void *)g[X86_RDX], &prog, 8) < 0)
		return -EFAULT;
	return 0;
}

/* kernel/signal.c do_sigaltstack, on_sig_stack() for the program's rsp. */
static long
sigaltstack(struct agent_state *s, const uint64_t *g)
{
	struct kstack cur, want;
	long r = sys6(NR_SIGALTSTACK, 0, (long)&cur, 0, 0, 0, 0);
	if (r < 0)
		return r;
	uint64_t sp = g[X86_RSP];
	int on = !(cur.flags & SS_AUTODISARM) && cur.size && sp > cur.sp && sp - cur.sp <= cur.size;
	if (g[X86_RDI]) {
		if (agent_safe_copy(&want, (const void *)g[X86_RDI], sizeof want) < 0)
			return -EFAULT;
		if (on)
			return -EPERM;
		r = sys6(NR_SIGALTSTACK, (long)&want, 0, 0, 0, 0, 0);
		if (r < 0)
			return r;
	}
	if (g[X86_RSI]) {
		struct kstack old = cur;
		old.flags = (int32_t)((cur.size ? (on ? SS_ONSTACK : 0) : SS_DISABLE) |
				      ((uint32_t)cur.flags & SS_AUTODISARM));
		if (agent_safe_copy((void *)g[X86_RSI], &old, sizeof old) < 0)
			return -EFAULT;
	}
	return 0;
}

static __attribute__((noreturn)) void
stop_unsupported(struct agent_state *s, uint64_t why, uint64_t detail)
{
	s->req_arg[0] = why;
	s->req_arg[1] = detail;
	for (;;) {
		s->req = AGENT_REQ_UNSUPPORTED;
		agent_gate();
	}
}

enum signal_syscall_result
signal_syscall(struct agent_state *s, long nr, long *ret)
{
	const uint64_t *g = s->ctx.gpr;
	switch (nr) {
	case NR_RT_SIGACTION:
		if (g[X86_RDI] == SIGTRAP && g[X86_RSI]) {
			uint64_t handler = 0;
			/* An ignored SIGTRAP would be reset by the gate's int3. */
			if (agent_safe_copy(&handler, (const void *)g[X86_RSI], 8) == 0 && handler == 1)
				stop_unsupported(s, AGENT_WHY_SIGNAL, AGENT_SIGWHY_TRAP_IGN);
		}
		return SIGNAL_SYSCALL_RUN;
	case NR_RT_SIGPROCMASK:
		if (g[X86_R10] != 8)
			return SIGNAL_SYSCALL_RUN; /* the kernel says EINVAL */
		*ret = sigprocmask(s, g);
		return SIGNAL_SYSCALL_DONE;
	case NR_SIGALTSTACK:
		*ret = sigaltstack(s, g);
		return SIGNAL_SYSCALL_DONE;
	case NR_RT_SIGRETURN:
		s->req = AGENT_REQ_SIGRETURN;
		agent_gate();
		return SIGNAL_SYSCALL_STEPPED;
	default:
		return SIGNAL_SYSCALL_RUN;
	}
}

/* A handler was entered: its mask may block SIGTRAP; keep that bit here. */
static void
fix_trap_mask(struct agent_sig *as)
{
	uint64_t old = 0, trap = BIT(SIGTRAP);
	as->fix_mask = 0;
	sys6(NR_RT_SIGPROCMASK, SIG_UNBLOCK, (long)&trap, (long)&old, 8, 0, 0);
	if (old & trap)
		as->trap_blocked = 1;
}

void
signal_boundary(struct agent_state *s)
{
	struct agent_sig *as = sig_of(s);
	if (as->fix_mask)
		fix_trap_mask(as);
	while (as->queued) {
		/* The gate for this request is a SIGTRAP sent to oneself, not
		 * int3: a trap would leave trapno 3 in the thread, which the
		 * kernel writes into the frame (sigcontext.trapno). */
		long pid = sys6(NR_GETPID, 0, 0, 0, 0, 0, 0);
		long tid = sys6(NR_GETTID, 0, 0, 0, 0, 0, 0);
		s->req = AGENT_REQ_DELIVER;
		sys6(NR_TGKILL, pid, tid, SIGTRAP, 0, 0, 0);
		if (as->fix_mask)
			fix_trap_mask(as);
		if (as->requeue) {
			/* Blocked by now (a handler's mask): back to the kernel,
			 * pending, with its siginfo (allowed to oneself). */
			int32_t signo;
			memcpy(&signo, as->requeue_info, 4);
			as->requeue = 0;
			sys6(NR_RT_TGSIGQUEUEINFO, pid, tid, signo, (long)as->requeue_info, 0, 0);
		}
	}
}
