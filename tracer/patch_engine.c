/*
 * Engine `patch`, the tracer's side: inject the agent (tracer/inject.c),
 * then wait.  The agent steps the program itself and stops only to ask for
 * something (an int3 at its gate, agent/entry.S): drain the trace buffer,
 * re-read the memory map, tell a page's protection, or step one instruction
 * in the kernel (a fallback, counted).  Signals the program receives are
 * recorded and delivered as the ptrace engine does; the buffer is drained
 * at every stop, including PTRACE_EVENT_EXIT, so the trace is complete when
 * the program exits or is killed by a signal.
 */
#include "tracer/patch_engine.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/agent_abi.h"
#include "common/agent_signal.h"
#include "decoder/x86_decode.h"
#include "tracer/agent_ring.h"
#include "tracer/code_cache.h"
#include "tracer/inject.h"
#include "tracer/insn_info.h"
#include "tracer/patch_signal.h"
#include "tracer/patch_task.h"
#include "tracer/proc_maps.h"
#include "tracer/process_info.h"
#include "tracer/tracee_mem.h"
#include "tracer/xalloc.h"
#include "umss/trace.h"

/* si_code values of SIGTRAP (include/uapi/asm-generic/siginfo.h). */
#ifndef TRAP_BRKPT
#define TRAP_BRKPT 1
#endif
#ifndef TRAP_TRACE
#define TRAP_TRACE 2
#endif

void
patch_check(struct patch_engine *e, int err)
{
	if (err < 0 && !e->error) {
		e->error = err;
		fprintf(stderr, "umss: writing the trace: %s\n", umss_strerror(err));
	}
}

static void
check(struct patch_engine *e, int err)
{
	patch_check(e, err);
}

int
patch_read_state(struct patch_engine *e, struct agent_state *st)
{
	struct iovec local = { st, sizeof *st };
	struct iovec remote = { (void *)e->lay.state, sizeof *st };
	return process_vm_readv(e->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof *st ? 0 : -1;
}

static int
read_state(struct patch_engine *e, struct agent_state *st)
{
	return patch_read_state(e, st);
}

static int
write_state(struct patch_engine *e, const struct agent_state *st)
{
	struct iovec local = { (void *)st, sizeof *st };
	struct iovec remote = { (void *)e->lay.state, sizeof *st };
	return process_vm_writev(e->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof *st ? 0 : -1;
}

static void
record_code(struct patch_engine *e, uint64_t addr, const uint8_t *bytes, uint8_t len)
{
	/* A vfork child's: the agent's decode cache is the parent's too, a
	 * later hit there sends no CODE record (agent/process.c).  The
	 * writer writes only new or changed bytes. */
	for (struct patch_proc *p = e->proc; p; p = p->vm_parent)
		check(e, umss_writer_code(e->w, p->pid, addr, bytes, len));
}

/*
 * Threads: the agent sends an instruction's code bytes once per process
 * (the thread that decodes it first, agent/step.c decode_at, agent/
 * displaced.c lookup), but each thread's ring is drained on its own, so
 * another thread's instruction there can reach the trace first.  Its
 * bytes are then read from memory, as the ptrace engine does for every
 * instruction; the CODE record that comes later is the same.
 */
static void
code_from_memory(struct patch_engine *e, uint64_t addr)
{
	uint8_t bytes[15] = { 0 };
	struct insn_info info = { 0 };
	size_t n = tracee_read_code(e->pid, addr, bytes);
	if (n == 0 || insn_info_decode(bytes, n, &info) < 0)
		info.len = 0;
	record_code(e, addr, bytes, info.len);
}

static void
record_insn(struct patch_engine *e, uint64_t addr)
{
	struct patch_proc *p = e->proc;
	if (addr < p->exec_lo || addr >= p->exec_hi) {
		if (!proc_maps_executable(&p->maps, addr))
			check(e, proc_maps_refresh(&p->maps, e->pid, e->w));
		for (size_t i = 0; i < p->maps.n; i++)
			if (addr >= p->maps.v[i].start && addr < p->maps.v[i].end &&
			    (p->maps.v[i].prot & PROT_EXEC))
				patch_proc_exec_seen(p, p->maps.v[i].start, p->maps.v[i].end);
	}
	if (p->refs > 1 && !umss_writer_has_code(e->w, p->pid, addr))
		code_from_memory(e, addr);
	check(e, umss_writer_insn(e->w, p->pid, e->pid, addr));
	e->res->instructions++;
}

/* A run of the ring's addresses: those in executable mappings seen
 * lately (and, in a process with threads, whose code is recorded) go to
 * the writer in one call, the others one by one (record_insn looks their
 * mapping and code up). */
static void
record_insns(void *ctx, const uint64_t *addrs, size_t n)
{
	struct patch_engine *e = ctx;
	struct patch_proc *p = e->proc;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		for (; j < n; j++) {
			uint64_t a = addrs[j];
			if ((a < p->exec_lo || a >= p->exec_hi) && !patch_proc_exec_switch(p, a))
				break;
			if (p->refs > 1 && !umss_writer_has_code(e->w, p->pid, a))
				break;
		}
		if (j > i) {
			check(e, umss_writer_insns(e->w, p->pid, e->pid, addrs + i, j - i));
			e->res->instructions += j - i;
			i = j;
		}
		if (i < n)
			record_insn(e, addrs[i++]);
	}
}

static void
record_code_word(void *ctx, uint64_t addr, const uint8_t bytes[16], unsigned len)
{
	record_code(ctx, addr, bytes, (uint8_t)len);
}

/*
 * Records what e's agent published in its ring (tracer/agent_ring.c).
 * With trace_lock held: the drain thread does the same while the program
 * runs, and at each stop of e the main loop drains first, so e's events
 * come after the instructions before them.
 */
static long
drain_some(struct patch_engine *e, uint64_t max)
{
	if (!e->ring)
		return 0;
	struct agent_ring_sink sink = { record_insns, record_code_word, e };
	long n = agent_ring_drain(e->ring, &sink, max);
	if (n < 0 && !e->error) {
		fprintf(stderr, "umss: the agent's trace ring is damaged\n");
		e->error = -1;
	}
	return n;
}

/* Everything published: at a stop of e the agent adds nothing meanwhile. */
long
patch_drain(struct patch_engine *e)
{
	return drain_some(e, UINT64_MAX);
}

static long
drain(struct patch_engine *e)
{
	return patch_drain(e);
}

static void on_exit_status(struct patch_engine *e, int status);
static int wait_pid(struct patch_engine *e, int *status);

static void
record_signal_info(struct patch_engine *e, int sig, const siginfo_t *si, uint64_t rip)
{
	uint64_t addr = 0;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP)
		addr = (uint64_t)si->si_addr;
	check(e, umss_writer_signal(e->w, e->proc->pid, e->pid, sig, si->si_code, addr, rip,
				    process_signal_action(e->pid, sig)));
	e->res->signals++;
}

static void
record_signal(struct patch_engine *e, int sig, uint64_t rip)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0)
		memset(&si, 0, sizeof si);
	record_signal_info(e, sig, &si, rip);
}

static bool
in_agent(const struct patch_engine *e, uint64_t rip)
{
	return rip >= e->lay.base && rip < e->lay.base + e->lay.size;
}

/* Engine displaced's stub arenas: a fault inside one is the program's
 * instruction's (tracer/patch_proc.c). */
static bool
in_arena(const struct patch_engine *e, uint64_t rip)
{
	return patch_proc_in_arena(e->proc, rip);
}

/* A fault raised by the instruction a displaced stub runs (the kernel
 * sent it, si_code > 0), as opposed to a signal that arrived there. */
static bool
stub_fault(int sig, const siginfo_t *si)
{
	return (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		sig == SIGTRAP) && si->si_code > 0;
}

/*
 * Whether a fault in the stub of the instruction at cur found the
 * program's rax saved in AS_D_RAX (agent/displaced.c build_branch): the
 * stubs of call, indirect jmp/call and ret save it before the access
 * that may fault; a copy faults at its own first byte, rax live.
 */
static bool
stub_saved_rax(pid_t tid, uint64_t cur)
{
	uint8_t code[15];
	struct x86_insn insn;
	size_t n = tracee_read_code(tid, cur, code);
	if (n == 0 || x86_decode(code, n, X86_VENDOR_AMD, &insn) != X86_OK)
		return false;
	return insn.cf == X86_CF_CALL || insn.cf == X86_CF_CALL_IND ||
	       insn.cf == X86_CF_JMP_IND || insn.cf == X86_CF_RET;
}

/* The kernel's si_addr of a fault in a stub is the stub's address where
 * it is the faulting instruction's (SIGFPE, SIGILL: the trap address,
 * arch/x86/kernel/traps.c error_get_trap_addr()): the original's. */
static void
stub_siginfo(int sig, siginfo_t *si, uint64_t stub_rip, uint64_t cur)
{
	if (sig != SIGSEGV && (uint64_t)si->si_addr == stub_rip)
		si->si_addr = (void *)cur;
}

/*
 * Delivers sig (siginfo *si) for real from a signal-delivery stop, with
 * the program's registers *regs: the kernel builds the frame and, as the
 * thread is stepped, stops at the handler's first instruction
 * (kernel/signal.c signal_delivered() -> ptrace_notify(), si_code
 * SIGTRAP) where *regs is read back.  A frame the kernel cannot write
 * turns into SIGSEGV (force_sigsegv), handled the same way.  Returns 0 at
 * the handler, -1 when the program ended or ptrace failed.
 */
static int
deliver_to_handler(struct patch_engine *e, int sig, const siginfo_t *si,
		   struct user_regs_struct *regs)
{
	int status;
	if (ptrace(PTRACE_SETREGS, e->pid, 0L, regs) < 0 ||
	    ptrace(PTRACE_SETSIGINFO, e->pid, 0L, si) < 0)
		return -1;
	long deliver = sig;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, e->pid, 0L, deliver) < 0 || wait_pid(e, &status) < 0)
			return -1;
		deliver = 0;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			on_exit_status(e, status);
			return -1;
		}
		int stop = WSTOPSIG(status), event = (unsigned)status >> 16;
		if (event)
			continue; /* PTRACE_EVENT_EXIT: it is ending */
		siginfo_t now;
		if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &now) < 0)
			memset(&now, 0, sizeof now);
		if (ptrace(PTRACE_GETREGS, e->pid, 0L, regs) < 0)
			return -1;
		if (stop == SIGTRAP && now.si_code == SIGTRAP)
			return 0;
		if (stop == SIGTRAP && now.si_code > 0) {
			fprintf(stderr, "umss: signal %d was not delivered at 0x%llx\n", sig,
				(unsigned long long)regs->rip);
			e->error = -1;
			return -1;
		}
		record_signal_info(e, stop, &now, regs->rip);
		deliver = stop;
	}
}

/*
 * Records sig and starts the program's handler (deliver_to_handler); the
 * SIGTRAP bit the agent keeps goes into the frame's mask, and the agent is
 * told to take the handler's mask over (agent_sig.fix_mask).
 */
static int
enter_handler(struct patch_engine *e, uint64_t asaddr, int sig, const siginfo_t *si,
	      struct user_regs_struct *regs)
{
	struct agent_sig as;
	if (patch_sig_read(e->pid, asaddr, &as) < 0)
		return -1;
	record_signal_info(e, sig, si, regs->rip);
	if (deliver_to_handler(e, sig, si, regs) < 0)
		return -1;
	if (as.trap_blocked)
		patch_sig_frame_trap_bit(e->pid, regs->rdx, 1);
	as.fix_mask = 1;
	return patch_sig_write(e->pid, asaddr, &as);
}

/*
 * A signal bound for a program handler stopped the thread.  In program
 * code (the instruction under way retired when rip is past it, at the
 * patch or in the trampoline), the handler starts right there: the
 * registers are the program's, and the fault's trapno/err/cr2 are still
 * in the thread.  Then ctx = the handler's entry and the thread goes to
 * agent_sigentry, which undoes the patch.  The same when it interrupted
 * the program's system call (a -ERESTART* code): the syscall retired, the
 * registers are the program's after it, and the kernel decides the
 * restart and restores a mask sigsuspend & co replaced, exactly
 * (arch/x86/kernel/signal.c handle_signal).  Elsewhere in the agent, the
 * signal is queued for the next instruction boundary (AGENT_REQ_DELIVER).
 * False: deliver it the ordinary way.
 */
static bool
take_signal(struct patch_engine *e, int sig, struct user_regs_struct *regs)
{
	struct agent_state st;
	struct agent_sig as;
	if (e->n_sigq == SIGQ_MAX || read_state(e, &st) < 0 ||
	    patch_sig_read(e->pid, st.reserved[AGENT_SIG_SLOT], &as) < 0)
		return false;
	siginfo_t *si = &e->sigq[e->n_sigq];
	if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, si) < 0)
		return false;
	uint64_t asaddr = st.reserved[AGENT_SIG_SLOT];
	bool in_syscall = in_agent(e, regs->rip) && as.in_syscall &&
			  (int64_t)regs->orig_rax >= 0 && patch_sig_restart_code(regs->rax);
	bool in_stub = e->engine == AGENT_ENGINE_DISPLACED && in_arena(e, regs->rip);
	bool now = in_syscall || (e->engine == AGENT_ENGINE_PATCH && !in_agent(e, regs->rip)) ||
		   (in_stub && stub_fault(sig, si));
	if (now) {
		drain(e);
		if (in_stub) {
			/* st.d_cur faulted in its stub (displaced_entry.S):
			 * the registers are native but rip, and rax when a
			 * branch stub had saved it before its access. */
			if (stub_saved_rax(e->pid, st.d_cur))
				regs->rax = st.d_rax;
			stub_siginfo(sig, si, regs->rip, st.d_cur);
			regs->rip = st.d_cur;
		} else if (in_syscall) {
			uint64_t at = st.ctx.rip, code = regs->rax, nr = regs->orig_rax;
			record_insn(e, at);
			ctx_to_regs(st.ctx.gpr, at + 2, st.ctx.rflags, regs);
			regs->rax = code;
			regs->orig_rax = nr;
			regs->rcx = at + 2; /* what syscall leaves (SDM vol. 2B SYSCALL) */
			regs->r11 = st.ctx.rflags;
		} else if (st.patch_addr && regs->rip != st.pending) {
			record_insn(e, st.pending);
			regs->rip = st.patch_addr;
		}
		if (enter_handler(e, asaddr, sig, si, regs) < 0)
			return true; /* ended */
		if (in_syscall && (patch_sig_read(e->pid, asaddr, &as) < 0 ||
				   (as.in_syscall = 0, patch_sig_write(e->pid, asaddr, &as)) < 0))
			return false;
		regs_to_ctx(regs, st.ctx.gpr, &st.ctx.rip, &st.ctx.rflags);
		if (write_state(e, &st) < 0)
			return false;
		regs->rip = as.sigentry;
		regs->eflags = 0x202;
		return ptrace(PTRACE_SETREGS, e->pid, 0L, regs) == 0;
	}
	e->n_sigq++;
	as.queued = e->n_sigq;
	if (e->engine == AGENT_ENGINE_DISPLACED) {
		/* In a stub, in disp_exit or in C: the next stub exit goes
		 * to C, which asks for the delivery (agent/displaced.c
		 * set_exit keeps it so until the queue is empty); linked
		 * exits and disp_ind too (d_go). */
		st.d_exit = st.d_exit_c;
		st.d_go = 0;
		if (write_state(e, &st) < 0)
			return false;
	}
	return patch_sig_write(e->pid, st.reserved[AGENT_SIG_SLOT], &as) == 0;
}

/*
 * AGENT_REQ_DELIVER: the agent is at an instruction boundary, ctx is the
 * program's.  The first queued signal is delivered; the agent asks again
 * for the next, whose frame then goes on top of the last, as the kernel
 * does for several pending signals.  One that is blocked by now (a
 * handler's mask) or no longer has a handler goes back to the kernel
 * through the agent (agent_sig.requeue), one a gate.
 */
static bool
deliver_queued(struct patch_engine *e, struct agent_state *st)
{
	struct agent_sig as;
	struct user_regs_struct agent_regs, regs;
	uint64_t asaddr = st->reserved[AGENT_SIG_SLOT];
	if (patch_sig_read(e->pid, asaddr, &as) < 0 ||
	    ptrace(PTRACE_GETREGS, e->pid, 0L, &agent_regs) < 0)
		return false;
	regs = agent_regs;
	ctx_to_regs(st->ctx.gpr, st->ctx.rip, st->ctx.rflags, &regs);
	regs.orig_rax = ~0ull;
	bool delivered = false;
	unsigned keep = 0;
	as.requeue = 0;
	for (unsigned i = 0; i < e->n_sigq; i++) {
		siginfo_t si = e->sigq[i];
		int sig = si.si_signo;
		uint64_t bit = 1ull << (sig - 1);
		uint64_t blocked = patch_sig_blocked_mask(e->proc->pid, e->pid);
		if (as.trap_blocked)
			blocked |= 1ull << (SIGTRAP - 1);
		uint32_t action = process_signal_action(e->pid, sig);
		if (action == UMSS_SIG_IGNORED && !(blocked & bit))
			continue;
		if ((blocked & bit) || action != UMSS_SIG_HANDLER) {
			if (sig == SIGTRAP && as.trap_blocked) {
				static char why[] = "a SIGTRAP arrived while the program blocked it";
				fprintf(stderr, "umss: engine patch does not support this yet: %s; "
					"the trace ends there (try --engine=ptrace)\n", why);
				e->res->stopped_by = why;
				e->error = -1;
				return false;
			}
			if (!as.requeue) {
				memcpy(as.requeue_info, &si, sizeof as.requeue_info);
				as.requeue = 1;
			} else {
				e->sigq[keep++] = si;
			}
			continue;
		}
		if (patch_sig_write(e->pid, asaddr, &as) < 0 ||
		    enter_handler(e, asaddr, sig, &si, &regs) < 0 ||
		    patch_sig_read(e->pid, asaddr, &as) < 0)
			return false;
		delivered = true;
		/* The next one needs a signal-delivery stop (the handler's
		 * entry is a ptrace_notify() stop, whose resume signal the
		 * kernel drops): the agent's next gate. */
		while (++i < e->n_sigq)
			e->sigq[keep++] = e->sigq[i];
	}
	e->n_sigq = keep;
	as.queued = keep;
	if (delivered)
		regs_to_ctx(&regs, st->ctx.gpr, &st->ctx.rip, &st->ctx.rflags);
	if (patch_sig_write(e->pid, asaddr, &as) < 0 ||
	    ptrace(PTRACE_SETREGS, e->pid, 0L, &agent_regs) < 0)
		return false;
	return true;
}

static void
on_exit_status(struct patch_engine *e, int status)
{
	drain(e); /* all it published, also when it died without a stop */
	patch_task_exited(e, status);
}

/*
 * trace_lock: the trace writer and the engines' state belong to whoever
 * holds it, the main loop (all but its waits) or the drain thread.
 */
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int main_wants_lock;

static void
main_lock(void)
{
	__atomic_store_n(&main_wants_lock, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&trace_lock);
	__atomic_store_n(&main_wants_lock, 0, __ATOMIC_SEQ_CST);
}

/* waitpid without the lock: the drain thread works meanwhile. */
static pid_t
unlocked_waitpid(pid_t pid, int *status)
{
	pthread_mutex_unlock(&trace_lock);
	pid_t r = waitpid(pid, status, __WALL);
	int err = errno;
	main_lock();
	errno = err;
	return r;
}

static int
wait_pid(struct patch_engine *e, int *status)
{
	for (;;) {
		if (unlocked_waitpid(e->pid, status) == e->pid)
			return 0;
		if (errno != EINTR) {
			fprintf(stderr, "umss: waitpid: %s\n", strerror(errno));
			return -1;
		}
		if (tracer_interrupted && !e->res->stopped_by) {
			/* umss was asked to stop: stop the program so that the
			 * main loop drains what the agent recorded, then ends it. */
			e->res->stopped_by = "umss was interrupted";
			ptrace(PTRACE_INTERRUPT, e->pid, 0L, 0L);
		}
	}
}

/* The program's SIGTRAP mask bit, kept by the agent (agent/signal.c). */
static bool
trap_blocked(struct patch_engine *e, const struct agent_state *st)
{
	struct agent_sig as;
	return patch_sig_read(e->pid, st->reserved[AGENT_SIG_SLOT], &as) == 0 && as.trap_blocked;
}

/* The legacy vsyscall page: execute-only, its calls emulated by the kernel. */
#define VSYSCALL_PAGE 0xffffffffff600000ull

/*
 * The kernel emulates a call into the vsyscall page in its page-fault
 * handler (emulate_vsyscall()), which raises no step trap: a step from
 * there also runs the caller's instruction at the return address.
 */
static void
record_after_vsyscall(struct patch_engine *e, uint64_t ret)
{
	code_from_memory(e, ret);
	record_insn(e, ret);
}

/*
 * AGENT_REQ_STEP: one kernel-assisted step of the program's instruction at
 * st->ctx.rip, with the same rules as the ptrace engine for what retired
 * (tracer/ptrace_engine.c).  Returns false when the program ended.
 */
static bool
fallback_step(struct patch_engine *e, struct agent_state *st)
{
	struct user_regs_struct agent_regs, regs;
	uint64_t at = st->ctx.rip;
	bool own_tf = (st->ctx.rflags & 0x100) != 0; /* the program's trap flag */
	uint8_t bytes[15] = { 0 };
	struct insn_info info = { 0 };
	size_t n = tracee_read_code(e->pid, at, bytes);
	if (n == 0 || insn_info_decode(bytes, n, &info) < 0)
		info.len = 0;

	uint64_t vsyscall_ret = 0;
	if (at >= VSYSCALL_PAGE && at < VSYSCALL_PAGE + 4096) {
		struct iovec local = { &vsyscall_ret, 8 };
		struct iovec remote = { (void *)st->ctx.gpr[X86_RSP], 8 };
		if (process_vm_readv(e->pid, &local, 1, &remote, 1, 0) != 8)
			vsyscall_ret = 0;
	}
	if (ptrace(PTRACE_GETREGS, e->pid, 0L, &agent_regs) < 0)
		return false;
	regs = agent_regs;
	ctx_to_regs(st->ctx.gpr, st->ctx.rip, st->ctx.rflags, &regs);
	if (ptrace(PTRACE_SETREGS, e->pid, 0L, &regs) < 0)
		return false;
	e->res->fallbacks++;
	if (getenv("UMSS_DEBUG_FALLBACKS")) {
		/* A debugging aid: which instructions the agent hands over. */
		fprintf(stderr, "umss: fallback at %#llx:", (unsigned long long)at);
		for (size_t i = 0; i < (info.len ? info.len : n); i++)
			fprintf(stderr, " %02x", bytes[i]);
		fputc('\n', stderr);
	}
	int deliver = 0, status;
	bool retired = false;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, e->pid, 0L, (long)deliver) < 0)
			return false;
		deliver = 0;
		if (wait_pid(e, &status) < 0)
			return false;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			on_exit_status(e, status);
			return false;
		}
		int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
		if (event)
			continue; /* PTRACE_EVENT_EXIT: it is ending */
		if (ptrace(PTRACE_GETREGS, e->pid, 0L, &regs) < 0)
			return false;
		siginfo_t si;
		if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0)
			memset(&si, 0, sizeof si);
		if (sig != SIGTRAP || si.si_code <= 0) {
			/* A fault (the instruction did not retire) or an
			 * asynchronous signal: a handler starts now (the step
			 * ends there), else deliver it and step on. */
			if (process_signal_action(e->pid, sig) == UMSS_SIG_HANDLER) {
				if (enter_handler(e, st->reserved[AGENT_SIG_SLOT], sig, &si, &regs) < 0)
					return false;
				break;
			}
			record_signal_info(e, sig, &si, retired ? regs.rip : at);
			deliver = sig;
			continue;
		}
		if (retired)
			break;
		if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) {
			if (info.rep_string && regs.rip == at)
				continue; /* one more iteration */
			retired = true;
		} else if (si.si_code == SI_KERNEL) {
			/* int3: it retired; the program gets its SIGTRAP. */
			retired = true;
			if (!info.len) {
				info.len = (uint8_t)(regs.rip - at);
			}
			record_code(e, at, bytes, info.len);
			record_insn(e, at);
			if (process_signal_action(e->pid, SIGTRAP) == UMSS_SIG_HANDLER) {
				if (trap_blocked(e, st)) {
					static char why[] = "int3 while the program blocked SIGTRAP";
					fprintf(stderr, "umss: engine patch does not support this yet: "
						"%s; the trace ends there (try --engine=ptrace)\n", why);
					e->res->stopped_by = why;
					e->error = -1;
					return false;
				}
				if (enter_handler(e, st->reserved[AGENT_SIG_SLOT], SIGTRAP, &si, &regs) < 0)
					return false;
				break;
			}
			record_signal_info(e, SIGTRAP, &si, regs.rip);
			deliver = SIGTRAP;
			continue;
		} else {
			record_signal(e, SIGTRAP, at);
			deliver = SIGTRAP;
			continue;
		}
		if (!info.len) {
			uint64_t d = regs.rip - at;
			info.len = d >= 1 && d <= 15 ? (uint8_t)d : 0;
		}
		record_code(e, at, bytes, info.len);
		record_insn(e, at);
		if (vsyscall_ret && regs.rip != vsyscall_ret)
			record_after_vsyscall(e, vsyscall_ret);
		if (own_tf && si.si_code == TRAP_TRACE) {
			/* The program set TF itself: natively this step trap
			 * is its SIGTRAP (si_code TRAP_TRACE, trapno 1, TF set
			 * in the frame's flags), as the kernel's was. */
			if (process_signal_action(e->pid, SIGTRAP) == UMSS_SIG_HANDLER) {
				if (enter_handler(e, st->reserved[AGENT_SIG_SLOT], SIGTRAP, &si, &regs) < 0)
					return false;
				break;
			}
			record_signal_info(e, SIGTRAP, &si, regs.rip);
			deliver = SIGTRAP;
			continue;
		}
		break;
	}
	regs_to_ctx(&regs, st->ctx.gpr, &st->ctx.rip, &st->ctx.rflags);
	ptrace(PTRACE_SETREGS, e->pid, 0L, &agent_regs);
	return true;
}

static const char *
syscall_name(uint64_t nr)
{
	switch (nr) {
	case 15: return "rt_sigreturn";
	case 57: return "fork";
	case 58: return "vfork";
	case 59: return "execve";
	case 101: return "ptrace";
	case 322: return "execveat";
	case 435: return "clone3 (with a struct clone_args larger than umss knows)";
	default: return "a system call";
	}
}

static const char *
engine_name(const struct patch_engine *e)
{
	return e->engine == AGENT_ENGINE_DISPLACED ? "displaced" : "patch";
}

/* The agent met something this engine does not do yet: say what, end. */
static void
unsupported(struct patch_engine *e, const struct agent_state *st)
{
	static char why[160];
	switch (st->req_arg[0]) {
	case AGENT_WHY_SYSCALL:
		snprintf(why, sizeof why, "the program called %s (system call %llu)",
			 syscall_name(st->req_arg[1]), (unsigned long long)st->req_arg[1]);
		break;
	case AGENT_WHY_SIGACTION:
		snprintf(why, sizeof why, "the program installed a handler for signal %llu (%s)",
			 (unsigned long long)st->req_arg[1], strsignal((int)st->req_arg[1]));
		break;
	case AGENT_WHY_ARCH_PRCTL:
		snprintf(why, sizeof why, "the program used its gs base (arch_prctl 0x%llx)",
			 (unsigned long long)st->req_arg[1]);
		break;
	case AGENT_WHY_SIGNAL:
		snprintf(why, sizeof why, "the program ignored SIGTRAP (the agent's gate is an int3)");
		break;
	case AGENT_WHY_AGENT_MEMORY:
		snprintf(why, sizeof why, "the program maps, unmaps or protects memory over the agent's (at 0x%llx)",
			 (unsigned long long)st->req_arg[1]);
		break;
	case AGENT_WHY_THREADS:
		snprintf(why, sizeof why, "the program started more than %llu threads at once",
			 (unsigned long long)st->req_arg[1]);
		break;
	case AGENT_WHY_TRAPFLAG:
		snprintf(why, sizeof why, "a system call with the trap flag set by the program (at 0x%llx)",
			 (unsigned long long)st->req_arg[1]);
		break;
	default:
		snprintf(why, sizeof why, "unknown reason %llu", (unsigned long long)st->req_arg[0]);
		break;
	}
	fprintf(stderr, "umss: engine %s does not support this yet: %s; "
		"the trace ends there (try --engine=ptrace)\n", engine_name(e), why);
	e->res->stopped_by = why;
	e->error = -1;
}

/*
 * A signal stopped the program in a displaced stub: it belongs to the
 * instruction the stub stands for (st->d_cur).  When it is fatal the
 * registers are made the native ones first (rip, and rax, which a
 * branch stub had saved before the access that faulted), so the program
 * dies as it would natively.
 */
static uint64_t
stub_signal(struct patch_engine *e, int sig, const struct agent_state *st,
	    struct user_regs_struct *regs)
{
	if (process_signal_action(e->pid, sig) == UMSS_SIG_FATAL) {
		siginfo_t si;
		if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) == 0) {
			stub_siginfo(sig, &si, regs->rip, st->d_cur);
			ptrace(PTRACE_SETSIGINFO, e->pid, 0L, &si);
		}
		if (stub_saved_rax(e->pid, st->d_cur))
			regs->rax = st->d_rax;
		regs->rip = st->d_cur;
		regs->gs_base = st->ctx.gs_base;
		ptrace(PTRACE_SETREGS, e->pid, 0L, regs);
	}
	return st->d_cur;
}

/* AGENT_REQ_SIGRETURN: the kernel restores the frame at ctx.rsp (struct
 * ucontext, arch/x86/kernel/signal_64.c rt_sigreturn) in one step.  The
 * frame's SIGTRAP bit becomes the agent's (agent/signal.c), so that the
 * step's own trap is never one the kernel must force. */
static bool
sigreturn_step(struct patch_engine *e, struct agent_state *st)
{
	struct agent_sig as;
	uint64_t asaddr = st->reserved[AGENT_SIG_SLOT];
	if (patch_sig_read(e->pid, asaddr, &as) < 0)
		return false;
	int bit = patch_sig_frame_trap_bit(e->pid, st->ctx.gpr[4], 0);
	if (bit >= 0) {
		as.trap_blocked = (uint64_t)bit;
		patch_sig_write(e->pid, asaddr, &as);
	}
	/* The frame's TF (uc_mcontext.eflags, ucontext + 40 + 136): the
	 * kernel restores it, but reads it back as the step's own (hidden,
	 * arch/x86/kernel/ptrace.c get_flags, TIF_FORCED_TF). */
	uint64_t flags = 0;
	bool tf = tracee_read_word(e->pid, st->ctx.gpr[4] + 176, &flags, 8) && (flags & 0x100);
	bool ok = fallback_step(e, st);
	if (ok) {
		e->res->fallbacks--; /* not a fallback: the kernel's job by design */
		if (tf)
			st->ctx.rflags |= 0x100;
	}
	return ok;
}

/* The agent's other gate (agent/signal.c): a SIGTRAP it sent itself with
 * tgkill for AGENT_REQ_DELIVER, which unlike int3 leaves the thread's
 * trapno/err alone and stops at a signal-delivery stop. */
static bool
kill_gate(struct patch_engine *e, const struct user_regs_struct *regs)
{
	struct agent_state st;
	struct agent_sig as;
	siginfo_t si;
	if (!in_agent(e, regs->rip) || ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0 ||
	    si.si_code != SI_TKILL || si.si_pid != e->proc->pid)
		return false;
	return read_state(e, &st) == 0 && st.req == AGENT_REQ_DELIVER &&
	       patch_sig_read(e->pid, st.reserved[AGENT_SIG_SLOT], &as) == 0 && !as.in_syscall;
}

/* Wait mode the agents' rings are given (RING_WAIT_*): futex when the
 * drain thread runs, else the gate (patch_engine_run). */
static unsigned ring_wait_mode = RING_WAIT_GATE;

/*
 * AGENT_REQ_RING: the agent mapped a new ring for the state block
 * req_arg[3], e's own or a vfork or thread slot's (kept on the process
 * that owns the memory until a task on that slot starts: tracer/
 * patch_threads.c attach_slot_ring).
 * The mapping is umss's: the map is re-read without events.
 */
static bool
open_ring(struct patch_engine *e, const struct agent_state *st)
{
	const char *why = NULL;
	struct agent_ring *ring = agent_ring_map(e->pid, (int)st->req_arg[0], st->req_arg[1],
						 st->req_arg[2], ring_wait_mode, &why);
	if (!ring) {
		fprintf(stderr, "umss: %s: %s\n", why, strerror(errno));
		e->res->stopped_by = why;
		e->error = -1;
		return false;
	}
	if (st->req_arg[3] == e->lay.state) {
		agent_ring_unref(e->ring);
		e->ring = ring;
	} else {
		patch_proc_set_slot_ring(patch_proc_vm_root(e->proc), st->req_arg[3], ring);
	}
	proc_maps_resync(&e->proc->maps, e->pid);
	return true;
}

/* A stop at the agent's gate: serve the request.  False = stop tracing. */
static bool
on_request(struct patch_engine *e)
{
	struct agent_state st;
	if (read_state(e, &st) < 0) {
		fprintf(stderr, "umss: cannot read the agent's state: %s\n", strerror(errno));
		e->error = -1;
		return false;
	}
	drain(e);
	switch (st.req) {
	case AGENT_REQ_FLUSH:
		break;
	case AGENT_REQ_RING:
		if (!open_ring(e, &st))
			return false;
		break;
	case AGENT_REQ_SYNC:
		check(e, proc_maps_refresh(&e->proc->maps, e->pid, e->w));
		patch_proc_exec_forget(e->proc);
		break;
	case AGENT_REQ_PROT: {
		uint64_t a = st.req_arg[0];
		st.req_result = ~0ull;
		for (int pass = 0; pass < 2 && st.req_result == ~0ull; pass++) {
			if (pass)
				check(e, proc_maps_refresh(&e->proc->maps, e->pid, e->w));
			const struct proc_maps *m = &e->proc->maps;
			for (size_t i = 0; i < m->n; i++)
				if (a >= m->v[i].start && a < m->v[i].end) {
					st.req_result = m->v[i].prot;
					/* The whole mapping: the agent makes it
					 * writable at once (agent/code_pages.c). */
					st.req_arg[1] = m->v[i].start;
					st.req_arg[2] = m->v[i].end;
					st.req_arg[3] = m->v[i].shared;
				}
		}
		break;
	}
	case AGENT_REQ_ARENA:
		if (st.req_arg[2] == ~0ull)
			patch_proc_forget_arena(e->proc, st.req_arg[0], st.req_arg[1]);
		else
			patch_proc_add_arena(e->proc, st.req_arg[0], st.req_arg[1], st.req_arg[2]);
		break;
	case AGENT_REQ_DELIVER:
		if (!deliver_queued(e, &st)) {
			if (!e->gone && !e->error) {
				fprintf(stderr, "umss: delivering a signal failed: %s\n", strerror(errno));
				e->error = -1;
			}
			return false;
		}
		break;
	case AGENT_REQ_SIGRETURN:
		if (!sigreturn_step(e, &st)) {
			if (!e->gone) {
				fprintf(stderr, "umss: rt_sigreturn failed: %s\n", strerror(errno));
				e->error = -1;
			}
			return false;
		}
		break;
	case AGENT_REQ_STEP:
		if (!fallback_step(e, &st)) {
			if (!e->gone) {
				fprintf(stderr, "umss: a kernel-assisted step failed: %s\n",
					strerror(errno));
				e->error = -1;
			}
			return false;
		}
		break;
	case AGENT_REQ_UNSUPPORTED:
		unsupported(e, &st);
		return false;
	case AGENT_REQ_FAILED:
		if (st.req_arg[0] == AGENT_WHY_RING) {
			fprintf(stderr, "umss: the agent could not make its trace ring: %s\n",
				strerror((int)-(int64_t)st.req_arg[1]));
			e->res->stopped_by = "the agent could not make its trace ring";
			e->error = -1;
			return false;
		}
		/* fall through */
	default:
		fprintf(stderr, "umss: the agent failed (request %llu, reason %llu)\n",
			(unsigned long long)st.req, (unsigned long long)st.req_arg[0]);
		e->res->stopped_by = "the agent failed";
		e->error = -1;
		return false;
	}
	if (write_state(e, &st) < 0) {
		fprintf(stderr, "umss: cannot write the agent's state: %s\n", strerror(errno));
		e->error = -1;
		return false;
	}
	return true;
}

/* A fault raised by the agent's own code is a bug in umss, not the
 * program's business: say where, end the trace. */
static bool
agent_fault(struct patch_engine *e, int sig, const struct user_regs_struct *regs)
{
	static char why[128];
	siginfo_t si;
	if (regs->rip < e->lay.base || regs->rip >= e->lay.base + e->lay.size)
		return false;
	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE)
		return false;
	if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0 || si.si_code <= 0)
		return false;
	snprintf(why, sizeof why, "the agent crashed (%s at agent+0x%llx, address 0x%llx)",
		 strsignal(sig), (unsigned long long)(regs->rip - e->lay.base),
		 (unsigned long long)(uintptr_t)si.si_addr);
	fprintf(stderr, "umss: %s\n", why);
	e->res->stopped_by = why;
	return true;
}

/* Consumes the step report that follows the exec event (see
 * ptrace_engine.c on_trap): after it the program is at a plain stop at its
 * first instruction with its final registers. */
static int
finish_exec(struct patch_engine *e)
{
	int status;
	if (ptrace(PTRACE_SINGLESTEP, e->pid, 0L, 0L) < 0 || wait_pid(e, &status) < 0)
		return -1;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP || (status >> 16)) {
		fprintf(stderr, "umss: unexpected stop after exec (status 0x%x)\n", status);
		return -1;
	}
	return 0;
}

/*
 * At an exec event: the step report, then the agent's injection, with
 * every signal but SIGTRAP (the remote syscalls' int3) blocked meanwhile:
 * a signal arriving then (another process's kill) would stop the remote
 * system calls.  It stays pending and reaches the program at its first
 * instruction, as natively a signal pending across execve does.
 */
static int
start_agent(struct patch_engine *e)
{
	uint64_t mask, all = ~(1ull << (SIGTRAP - 1));
	bool masked = ptrace(PTRACE_GETSIGMASK, e->pid, (void *)sizeof mask, &mask) == 0 &&
		      ptrace(PTRACE_SETSIGMASK, e->pid, (void *)sizeof all, &all) == 0;
	int r = finish_exec(e) < 0 || agent_inject(e->pid, e->engine, &e->lay) < 0 ? -1 : 0;
	if (masked)
		ptrace(PTRACE_SETSIGMASK, e->pid, (void *)sizeof mask, &mask);
	return r;
}

/* The agent's own mapping is umss's, not the program's: seed the map
 * with it so that it produces no MAP event. */
static void
hide_agent_mapping(struct patch_engine *e)
{
	patch_proc_hide_mapping(e->proc, e->lay.base, e->lay.base + ((e->lay.size + 4095) & ~4095ull));
}

/* serve_stop() results besides a signal number to deliver. */
#define NO_RESUME (-1)
#define END_TRACE (-2)

/*
 * PTRACE_EVENT_EXEC: the agent recorded the execve and drained its buffer
 * before it ran (agent/step.c), and the old image is gone with it.  As in
 * the ptrace engine the trace gets EXEC, then the new image's map; and as
 * at the start a fresh agent is injected at the new image's first
 * instruction.  Signals the tracer held for the old image's agent (they
 * arrived just before the execve) are sent again: natively a signal
 * pending across execve stays pending, with the handler reset to the
 * default (fs/exec.c flush_signal_handlers); their siginfo becomes a
 * tgkill's from umss.
 */
static bool
on_exec(struct patch_run *r, struct patch_engine *e)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, e->pid, 0L, &former);
	if ((pid_t)former != e->pid)
		patch_exec_takeover(r, e, (pid_t)former);
	struct process_args args;
	process_args_read(e->pid, &args);
	check(e, umss_writer_exec(e->w, e->proc->pid, (uint32_t)former, args.exe, args.argc,
				  (const char *const *)args.argv));
	process_args_free(&args);
	/* The old image's rings go: the new agent opens its own. */
	agent_ring_unref(e->ring);
	e->ring = NULL;
	patch_proc_forget_image(e->proc);
	unsigned held = e->n_sigq;
	e->n_sigq = 0;
	if (start_agent(e) < 0) {
		e->res->stopped_by = "the agent could not be started after an exec";
		e->error = -1;
		return false;
	}
	hide_agent_mapping(e);
	check(e, proc_maps_refresh(&e->proc->maps, e->pid, e->w));
	for (unsigned i = 0; i < held; i++)
		syscall(SYS_tgkill, e->proc->pid, e->pid, e->sigq[i].si_signo);
	return true;
}

/*
 * A stop signal (SIGSTOP & co) reached the thread inside the program's
 * system call, which returned a restart code: natively the kernel re-runs
 * the syscall instruction after SIGCONT (arch/x86/kernel/signal.c
 * arch_do_signal_or_restart: rip -= 2), one more retired instruction, as
 * the ptrace engine records it.  Here the kernel re-runs the agent's own
 * syscall, which the agent records once.
 */
static bool
stop_restarts_syscall(struct patch_engine *e, const struct agent_state *st,
		      const struct user_regs_struct *regs)
{
	struct agent_sig as;
	return (int64_t)regs->orig_rax >= 0 && patch_sig_restart_code(regs->rax) &&
	       patch_sig_read(e->pid, st->reserved[AGENT_SIG_SLOT], &as) == 0 && as.in_syscall;
}

/*
 * PTRACE_EVENT_EXIT inside the program's system call, which the agent had
 * not recorded yet (a fatal signal during a blocking call, say): it ran,
 * as the ptrace engine counts it.
 */
static void
dies_in_syscall(struct patch_engine *e)
{
	struct agent_state st;
	struct agent_sig as;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, e->pid, 0L, &regs) == 0 && in_agent(e, regs.rip) &&
	    (int64_t)regs.orig_rax >= 0 && read_state(e, &st) == 0 &&
	    !st.reserved[AGENT_RECORDED_SLOT] &&
	    patch_sig_read(e->pid, st.reserved[AGENT_SIG_SLOT], &as) == 0 && as.in_syscall)
		record_insn(e, st.ctx.rip);
}

/*
 * A vfork child dies while its agent has a patch in the program's code
 * (a signal killed it while an instruction ran in place): the memory is
 * the parent's, put the bytes back.  /proc/PID/mem writes like a debugger
 * (FOLL_FORCE), as the agent does for pages it could not make writable.
 */
static void
unpatch_shared(struct patch_engine *e)
{
	struct agent_state st;
	char name[64];
	if (read_state(e, &st) < 0 || !st.patch_addr)
		return;
	snprintf(name, sizeof name, "/proc/%d/mem", (int)e->pid);
	int fd = open(name, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, &st.patch_orig, 5, (off_t)st.patch_addr) != 5)
		fprintf(stderr, "umss: cannot undo the agent's patch at %#llx in process %d\n",
			(unsigned long long)st.patch_addr, (int)e->proc->vm_parent->pid);
	if (fd >= 0)
		close(fd);
}

/* Serves one stop of process e: the signal to resume it with, NO_RESUME
 * (a group stop held with PTRACE_LISTEN) or END_TRACE. */
static int
serve_stop(struct patch_run *r, struct patch_engine *e, int status)
{
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
	struct user_regs_struct regs;
	/* First what the agent published before this stop. */
	drain(e);
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_EXIT:
		dies_in_syscall(e);
		if (e->proc->vm_parent)
			unpatch_shared(e);
		patch_thread_exiting(e);
		return 0;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			/* Group stop: stay stopped until SIGCONT wakes it
			 * (another PTRACE_EVENT_STOP). */
			ptrace(PTRACE_LISTEN, e->pid, 0L, 0L);
			return NO_RESUME;
		}
		return 0; /* a new process's first stop, or the wake-up after LISTEN */
	case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK: case PTRACE_EVENT_CLONE:
		patch_on_new_task(r, e);
		return 0;
	case PTRACE_EVENT_EXEC:
		return on_exec(r, e) ? 0 : END_TRACE;
	default:
		fprintf(stderr, "umss: engine %s: unexpected ptrace event %d\n", engine_name(e), event);
		e->error = -1;
		return END_TRACE;
	}
	if (ptrace(PTRACE_GETREGS, e->pid, 0L, &regs) < 0)
		return 0;
	if (sig == SIGTRAP && (regs.rip == e->lay.gate || kill_gate(e, &regs)))
		return on_request(e) ? 0 : END_TRACE;
	if ((sig == SIGSEGV || sig == SIGBUS) && regs.rip >= e->lay.copy_begin &&
	    regs.rip < e->lay.copy_end) {
		/* agent_safe_copy met an unreadable address. */
		regs.rip = e->lay.copy_fixup;
		ptrace(PTRACE_SETREGS, e->pid, 0L, &regs);
		return 0;
	}
	if (agent_fault(e, sig, &regs)) {
		e->error = -1;
		return END_TRACE;
	}
	uint32_t action = process_signal_action(e->pid, sig);
	if (action == UMSS_SIG_HANDLER && take_signal(e, sig, &regs))
		return 0;
	struct agent_state st;
	uint64_t rip = regs.rip;
	if (read_state(e, &st) == 0) {
		if (in_agent(e, rip)) {
			rip = st.ctx.rip; /* the agent was at work for ctx.rip */
			if (action == UMSS_SIG_STOP && stop_restarts_syscall(e, &st, &regs))
				record_insn(e, st.ctx.rip);
		} else if (in_arena(e, rip)) {
			rip = stub_signal(e, sig, &st, &regs);
		}
	}
	/* An ignored signal only reaches a traced task (kernel/signal.c
	 * sig_ignored): the ptrace engine records none. */
	if (action != UMSS_SIG_IGNORED)
		record_signal(e, sig, rip);
	return sig;
}

/* Tracing stops early: keep what was recorded, end every process. */
static void
end_all(struct patch_run *r)
{
	r->ending = true;
	for (struct patch_engine *p = r->procs; p; p = p->next)
		if (!p->killed) {
			kill(p->pid, SIGKILL);
			p->killed = true;
		}
	for (size_t i = 0; i < r->parked.n; i++)
		kill(r->parked.v[i], SIGKILL);
}

/*
 * The drain thread: records what the agents publish in their rings while
 * the programs run (on the second core), in turns with the main loop
 * (trace_lock), giving way when the main loop waits for the lock,
 * sleeping 50 µs to 1 ms when there was little.
 */
#define IDLE_MIN_NS (50 * 1000L)
/* Words of one ring per turn of the drain thread (~1-2 ms of work): the
 * main loop waits no longer than that for trace_lock. */
#define DRAIN_TURN_WORDS (256u << 10)
/* A turn with fewer words than this sleeps before the next. */
#define DRAIN_BUSY_WORDS (16u << 10)
#define IDLE_MAX_NS (1000 * 1000L)

static void *
drainer(void *arg)
{
	struct patch_run *r = arg;
	long idle_ns = IDLE_MIN_NS;
	for (;;) {
		while (__atomic_load_n(&main_wants_lock, __ATOMIC_SEQ_CST))
			sched_yield();
		pthread_mutex_lock(&trace_lock);
		if (__atomic_load_n(&r->drainer_stop, __ATOMIC_ACQUIRE)) {
			pthread_mutex_unlock(&trace_lock);
			return NULL;
		}
		long n = 0;
		for (struct patch_engine *p = r->procs; p; p = p->next) {
			long k = drain_some(p, DRAIN_TURN_WORDS);
			n += k > 0 ? k : 0;
		}
		pthread_mutex_unlock(&trace_lock);
		if (n >= DRAIN_BUSY_WORDS) {
			idle_ns = IDLE_MIN_NS;
		} else {
			/* Little or nothing (a slow producer such as engine
			 * patch, a program asleep, umss's main loop at work):
			 * wait longer each time up to 1 ms rather than wake
			 * for a few words; a ring of 2^17 words takes about
			 * 1 ms to fill at the agent's fastest, and a full one
			 * waits on a futex until the next drain.  A futex
			 * wait, not nanosleep: stop_drainer wakes it at once
			 * (umss's exit does not wait out the sleep); it
			 * returns at once if the stop is set. */
			struct timespec ts = { 0, idle_ns };
			syscall(SYS_futex, &r->drainer_stop, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
			idle_ns = idle_ns * 2 > IDLE_MAX_NS ? IDLE_MAX_NS : idle_ns * 2;
		}
	}
}

/* UMSS_RING_DRAIN=stops: no drain thread, rings drained at stops only
 * (a full ring stops at the gate); UMSS_RING_WAIT=gate: with the thread,
 * a full ring still stops at the gate instead of waiting on a futex.
 * For measurements (docs/PERFORMANCE.md). */
static void
start_drainer(struct patch_run *r)
{
	const char *drain_env = getenv("UMSS_RING_DRAIN"), *wait_env = getenv("UMSS_RING_WAIT");
	if (drain_env && !strcmp(drain_env, "stops")) {
		ring_wait_mode = RING_WAIT_GATE;
		return;
	}
	ring_wait_mode = wait_env && !strcmp(wait_env, "gate") ? RING_WAIT_GATE : RING_WAIT_FUTEX;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* signals are the main loop's */
	r->drainer_running = pthread_create(&r->drainer, NULL, drainer, r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r->drainer_running)
		ring_wait_mode = RING_WAIT_GATE;
}

static void
stop_drainer(struct patch_run *r)
{
	if (!r->drainer_running)
		return;
	__atomic_store_n(&r->drainer_stop, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &r->drainer_stop, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	pthread_mutex_unlock(&trace_lock);
	pthread_join(r->drainer, NULL);
	main_lock();
	r->drainer_running = false;
}

int
patch_engine_run(pid_t pid, unsigned engine, struct umss_writer *w, struct trace_result *res)
{
	struct patch_run r = { 0 };
	struct patch_engine *e = xcalloc(1, sizeof *e);
	int status;

	main_lock();
	start_drainer(&r);

	*e = (struct patch_engine){ .pid = pid, .w = w, .res = res, .engine = engine };
	e->proc = patch_proc_new(pid);
	e->proc->root = true;
	r.procs = e;
	struct process_args args;
	process_args_read(pid, &args);
	check(e, umss_writer_process(w, pid, 0, 0, args.exe, args.argc,
				     (const char *const *)args.argv));
	process_args_free(&args);
	res->processes = 1;
	res->threads = 1;
	check(e, umss_writer_thread_start(w, pid, pid, 0));

	if (start_agent(e) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		res->stopped_by = "the agent could not be started";
		res->exit_status = 2;
		patch_remove_task(&r, e);
		stop_drainer(&r);
		pthread_mutex_unlock(&trace_lock);
		return -1;
	}
	hide_agent_mapping(e);
	check(e, proc_maps_refresh(&e->proc->maps, pid, w));
	if (ptrace(PTRACE_CONT, pid, 0L, 0L) < 0)
		fprintf(stderr, "umss: ptrace(CONT): %s\n", strerror(errno));

	while (r.procs || r.parked.n) {
		if (tracer_interrupted && !r.interrupted) {
			/* Stop every process so that what its agent recorded is
			 * drained (below), then end it. */
			r.interrupted = true;
			if (!res->stopped_by)
				res->stopped_by = "umss was interrupted";
			for (struct patch_engine *p = r.procs; p; p = p->next)
				ptrace(PTRACE_INTERRUPT, p->pid, 0L, 0L);
		}
		pid_t who = unlocked_waitpid(-1, &status);
		if (who < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				fprintf(stderr, "umss: waitpid: %s\n", strerror(errno));
			break;
		}
		e = patch_find_task(&r, who);
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (e) {
				on_exit_status(e, status);
				patch_remove_task(&r, e);
			} else {
				pid_set_take(&r.parked, who);
			}
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (!e) {
			/* A new process's first stop before its parent's event. */
			if (r.ending || r.interrupted)
				kill(who, SIGKILL);
			pid_set_add(&r.parked, who);
			continue;
		}
		if (r.ending || r.interrupted) {
			if (!e->killed) {
				drain(e);
				kill(who, SIGKILL);
				e->killed = true;
			}
			ptrace(PTRACE_CONT, who, 0L, 0L);
			continue;
		}
		int deliver = serve_stop(&r, e, status);
		if (e->gone) {
			patch_remove_task(&r, e);
			continue;
		}
		if (deliver == END_TRACE || e->error) {
			drain(e);
			end_all(&r);
			ptrace(PTRACE_CONT, who, 0L, 0L);
			continue;
		}
		if (deliver != NO_RESUME && ptrace(PTRACE_CONT, who, 0L, (long)deliver) < 0 &&
		    errno != ESRCH)
			fprintf(stderr, "umss: ptrace(CONT): %s\n", strerror(errno));
	}
	stop_drainer(&r);
	while (r.procs)
		patch_remove_task(&r, r.procs);
	pid_set_free(&r.parked);
	pthread_mutex_unlock(&trace_lock);
	if (r.error && !res->stopped_by)
		res->stopped_by = "the trace could not be written";
	return r.error ? -1 : 0;
}
