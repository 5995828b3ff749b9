/*
 * Engine `ptrace`: the debugger baseline and the ground truth.  Every thread
 * of the program and of its descendants is stepped with PTRACE_SINGLESTEP;
 * each step that retires an instruction appends it to the thread's stream.
 *
 * When is an instruction retired?  A thread's "pending" instruction is the
 * one at its rip when it was last resumed.  It retired when the step trap
 * comes back (SIGTRAP, si_code TRAP_TRACE or TRAP_BRKPT); it did not when
 * any other signal stops the thread first (a fault, an asynchronous signal),
 * nor when the stop only reports the entry into a signal handler.  int3
 * retires (it is a trap, rip moves past it).  A REP string instruction
 * traps once per iteration with rip unchanged: it is recorded once, when
 * rip leaves it.
 */
#include "tracer/tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer/cloak.h"
#include "tracer/code_cache.h"
#include "tracer/insn_info.h"
#include "tracer/pid_set.h"
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

/* x86-64 syscall numbers whose effects the tracer must look at. */
enum {
	SYS_MMAP = 9, SYS_MPROTECT = 10, SYS_MUNMAP = 11, SYS_MREMAP = 25,
	SYS_EXIT = 60, SYS_EXIT_GROUP = 231, SYS_RT_SIGRETURN = 15,
};

volatile int tracer_interrupted;

struct process {
	pid_t pid;
	int live_threads;
	struct code_cache code;    /* bytes last recorded, per address */
	struct proc_maps maps;
	struct cloak_process cloak;
	struct process *next;
};

struct thread {
	pid_t tid;
	struct process *proc;
	bool pending;              /* an instruction is about to run */
	uint64_t pending_rip;
	struct insn_info info;
	uint64_t pending_sysno;    /* rax when the pending insn is a syscall */
	int deliver;               /* signal to deliver on the next resume */
	bool delivered;            /* the last resume delivered a signal */
	bool exiting;              /* PTRACE_EVENT_EXIT seen: only continue */
	bool after_exec;           /* the execve's own step report is due */
	bool own_tf;               /* the program's own TF (see trap_flag.c
				      comment below), as it will be when
				      the pending instruction starts */
	bool next_tf;              /* own_tf after a pending popf, iret or
				      rt_sigreturn, read before it runs */
	bool trap_unblocked;       /* SIGTRAP taken out of the blocked mask
				      for this step (see resume()) */
	uint64_t vsyscall_ret;     /* the pending instruction is a call into the
				      vsyscall page: its return address */
	bool silent_syscall;       /* the pending syscall continues one
				      already recorded (see restart_now()) */
	int syscall_stops;         /* the pending syscall runs under
				      PTRACE_SYSCALL: 1 = entry stop due,
				      2 = exit stop due */
	struct cloak_call cloak;   /* the pending syscall is the cloak's */
	struct thread *next;
};

struct engine {
	struct umss_writer *w;
	struct trace_result *res;
	pid_t main_pid;
	struct process *procs;
	struct thread *threads;
	struct pid_set parked;     /* new tasks that stopped before announced */
	struct timespec last_flush;
	int error;                 /* first writer error */
};

unsigned long
tracer_ptrace_options(void)
{
	return PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	       PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL |
	       PTRACE_O_TRACESYSGOOD;
}

static struct thread *
find_thread(struct engine *e, pid_t tid)
{
	for (struct thread *t = e->threads; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void
check(struct engine *e, int err)
{
	if (err < 0 && !e->error) {
		e->error = err;
		fprintf(stderr, "umss: writing the trace: %s\n", umss_strerror(err));
	}
}

static struct process *
add_process(struct engine *e, pid_t pid, const struct process *parent, pid_t parent_tid)
{
	struct process *p = xcalloc(1, sizeof *p);
	p->pid = pid;
	if (parent) {
		code_cache_copy(&p->code, &parent->code);
		proc_maps_copy(&p->maps, &parent->maps);
	} else {
		code_cache_init(&p->code);
	}
	p->next = e->procs;
	e->procs = p;
	e->res->processes++;

	struct process_args args;
	process_args_read(pid, &args);
	check(e, umss_writer_process(e->w, pid, parent ? parent->pid : 0, parent ? parent_tid : 0,
				     args.exe, args.argc, (const char *const *)args.argv));
	process_args_free(&args);
	return p;
}

static struct thread *
add_thread(struct engine *e, pid_t tid, struct process *p, pid_t parent_tid)
{
	struct thread *t = xcalloc(1, sizeof *t);
	t->tid = tid;
	t->proc = p;
	t->next = e->threads;
	e->threads = t;
	p->live_threads++;
	e->res->threads++;
	check(e, umss_writer_thread_start(e->w, p->pid, tid, parent_tid));
	return t;
}

static void
remove_thread(struct engine *e, struct thread *t)
{
	for (struct thread **pp = &e->threads; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->proc->live_threads--;
	free(t);
}

static void
remove_process(struct engine *e, struct process *p)
{
	for (struct process **pp = &e->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	code_cache_free(&p->code);
	proc_maps_free(&p->maps);
	free(p);
}

/*
 * The program's own trap flag.  The TF that PTRACE_SINGLESTEP forces leaks
 * into what the program can see: `pushf` pushes it, `syscall` saves it in
 * r11, and after a `popf` the kernel stops hiding it from GETREGS.  So the
 * engine keeps the architectural TF itself (own_tf): set by popf, iret and
 * rt_sigreturn from the value they load, cleared on entry to a signal
 * handler; it puts that TF back wherever the forced one leaked, and
 * delivers the SIGTRAP the program's own TF asks for after each
 * instruction that started with it set.
 */
#define TF_BIT 0x100ull
/* The legacy vsyscall page: execute-only, its calls emulated by the kernel. */
#define VSYSCALL_PAGE 0xffffffffff600000ull
/* offsetof(struct ucontext, uc_mcontext.eflags) on x86-64 (uapi
 * asm/ucontext.h, asm/sigcontext.h).  A handler gets rdx = &uc; at the
 * restorer's rt_sigreturn rsp = &uc (rt_sigframe's pretcode was popped). */
#define UC_EFLAGS_OFFSET 176

static int
get_regs(pid_t tid, struct user_regs_struct *regs)
{
	return ptrace(PTRACE_GETREGS, tid, 0L, regs);
}

/* TF as it will be after the pending instruction, read before it runs. */
static bool
incoming_tf(struct thread *t, const struct user_regs_struct *regs)
{
	uint64_t v;
	size_t size = t->info.op_size ? t->info.op_size : 8;

	switch (t->info.flags_op) {
	case INSN_POPF:
		return tracee_read_word(t->tid, regs->rsp, &v, size) ? (v & TF_BIT) != 0 : t->own_tf;
	case INSN_IRET:
		/* rip, cs, then rflags, each one operand wide. */
		return tracee_read_word(t->tid, regs->rsp + 2 * size, &v, size) ? (v & TF_BIT) != 0
									   : t->own_tf;
	}
	if (t->info.syscall && regs->rax == SYS_RT_SIGRETURN)
			return tracee_read_word(t->tid, regs->rsp + UC_EFLAGS_OFFSET, &v, 8)
			       ? (v & TF_BIT) != 0 : t->own_tf;
	return t->own_tf;
}

/* After the pending instruction ran: put the program's TF where it leaked. */
static void
after_step_tf(struct thread *t)
{
	struct user_regs_struct regs;
	bool tf = t->own_tf;

	if (t->info.flags_op == INSN_PUSHF) {
		uint64_t v;
		size_t size = t->info.op_size ? t->info.op_size : 8;
		if (get_regs(t->tid, &regs) == 0 && tracee_read_word(t->tid, regs.rsp, &v, size) &&
		    ((v & TF_BIT) != 0) != tf)
			tracee_write_word(t->tid, regs.rsp, tf ? v | TF_BIT : v & ~TF_BIT, size);
	} else if (t->info.syscall && get_regs(t->tid, &regs) == 0 &&
		   ((regs.r11 & TF_BIT) != 0) != tf && regs.rcx == t->pending_rip + 2) {
		/* syscall saved rflags, with the forced TF, in r11. */
		regs.r11 = tf ? regs.r11 | TF_BIT : regs.r11 & ~TF_BIT;
		ptrace(PTRACE_SETREGS, t->tid, 0L, &regs);
	}
	t->own_tf = t->next_tf;
}

/* Makes the instruction at rip the thread's pending one, recording its code. */
static void
set_pending(struct engine *e, struct thread *t, const struct user_regs_struct *regs)
{
	uint8_t bytes[15];
	uint64_t rip = regs->rip;
	size_t n = tracee_read_code(t->tid, rip, bytes);
	struct process *p = t->proc;

	t->pending = true;
	t->pending_rip = rip;
	t->pending_sysno = regs->rax;
	if (n == 0 || insn_info_decode(bytes, n, &t->info) < 0) {
		/* Unreadable (vsyscall page) or undecodable: it will fault or
		 * we learn its length from where the step lands. */
		t->info = (struct insn_info){ .len = 0 };
	}
	t->vsyscall_ret = 0;
	if (rip >= VSYSCALL_PAGE && rip < VSYSCALL_PAGE + 4096 &&
	    !tracee_read_word(t->tid, regs->rsp, &t->vsyscall_ret, 8))
		t->vsyscall_ret = 0;
	t->next_tf = t->own_tf;
	if (t->info.len)
		t->next_tf = incoming_tf(t, regs);
	if (!proc_maps_executable(&p->maps, rip))
		check(e, proc_maps_refresh(&p->maps, p->pid, e->w));
	if (t->info.len && !code_cache_same(&p->code, rip, bytes, t->info.len)) {
		code_cache_put(&p->code, rip, bytes, t->info.len);
		check(e, umss_writer_code(e->w, p->pid, rip, bytes, t->info.len));
	}
}

/* The pending instruction retired; new_rip is where the thread went. */
static void
retire(struct engine *e, struct thread *t, uint64_t new_rip)
{
	struct process *p = t->proc;

	if (!t->pending)
		return;
	if (!t->info.len) {
		/* Length unknown: take it from the fall-through, or record
		 * it as unreadable code. */
		uint8_t bytes[15] = { 0 };
		uint64_t d = new_rip - t->pending_rip;
		uint8_t len = d >= 1 && d <= 15 ? (uint8_t)d : 0;
		if (len && tracee_read_code(t->tid, t->pending_rip, bytes) < len)
			len = 0;
		if (!code_cache_same(&p->code, t->pending_rip, bytes, len)) {
			code_cache_put(&p->code, t->pending_rip, bytes, len);
			check(e, umss_writer_code(e->w, p->pid, t->pending_rip, bytes, len));
		}
	}
	if (t->silent_syscall && t->info.syscall) {
		t->silent_syscall = false;
	} else {
		check(e, umss_writer_insn(e->w, p->pid, t->tid, t->pending_rip));
		e->res->instructions++;
	}
	t->pending = false;
	if (t->info.syscall) {
		switch (t->pending_sysno) {
		case SYS_MMAP: case SYS_MPROTECT: case SYS_MUNMAP: case SYS_MREMAP:
			check(e, proc_maps_refresh(&p->maps, p->pid, e->w));
			break;
		}
	}
}

static bool
sigtrap_blocked(pid_t tid, uint64_t *mask)
{
	return ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof *mask, mask) == 0 &&
	       (*mask & (1ull << (SIGTRAP - 1)));
}

/*
 * Resumes a thread for one step, delivering its pending signal if any.
 *
 * A step trap is raised with force_sig(SIGTRAP): when SIGTRAP is blocked
 * (inside the program's SIGTRAP handler, say) the kernel resets the
 * program's SIGTRAP action to SIG_DFL and unblocks it
 * (force_sig_info_to_task()), so a later int3 would kill the program.  So
 * for such a step SIGTRAP is unblocked for the step's duration only
 * (restored at the next stop, see restore_trap_mask()), and every syscall,
 * whose result could expose or change the mask, runs under PTRACE_SYSCALL
 * instead, whose stops are not signals.
 */
static void
resume(struct thread *t)
{
	long sig = t->deliver;
	int request = PTRACE_SINGLESTEP;
	uint64_t mask;

	t->delivered = sig != 0;
	t->deliver = 0;
	if (t->exiting) {
		request = PTRACE_CONT;
	} else if (t->syscall_stops) {
		request = PTRACE_SYSCALL;
	} else if (!sig && t->pending && t->info.syscall) {
		/* Always: the syscall may block SIGTRAP itself
		 * (rt_sigprocmask, rt_sigreturn), and its step report would
		 * then unblock it and reset its handler. */
		request = PTRACE_SYSCALL;
		t->syscall_stops = 1;
	} else if (!sig && t->pending && sigtrap_blocked(t->tid, &mask)) {
		mask &= ~(1ull << (SIGTRAP - 1));
		if (ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof mask, &mask) == 0)
			t->trap_unblocked = true;
	}
	if (ptrace(request, t->tid, 0L, sig) < 0 && errno != ESRCH)
		fprintf(stderr, "umss: ptrace(resume, %d): %s\n", (int)t->tid, strerror(errno));
}

/* Blocks SIGTRAP again after a step that ran with it unblocked. */
static void
restore_trap_mask(struct thread *t)
{
	uint64_t mask;
	t->trap_unblocked = false;
	if (ptrace(PTRACE_GETSIGMASK, t->tid, (void *)sizeof mask, &mask) == 0) {
		mask |= 1ull << (SIGTRAP - 1);
		ptrace(PTRACE_SETSIGMASK, t->tid, (void *)sizeof mask, &mask);
	}
}

/* Reads the thread's registers, sets its pending instruction, resumes it. */
static void
prepare_and_resume(struct engine *e, struct thread *t)
{
	struct user_regs_struct regs;
	if (get_regs(t->tid, &regs) == 0)
		set_pending(e, t, &regs);
	resume(t);
}

/* PTRACE_EVENT_CLONE/FORK/VFORK: announce the new task, start it if parked. */
static void
on_new_task(struct engine *e, struct thread *parent, int event)
{
	unsigned long msg = 0;
	ptrace(PTRACE_GETEVENTMSG, parent->tid, 0L, &msg);
	pid_t tid = (pid_t)msg;
	if (find_thread(e, tid))
		return;
	struct thread *t;
	if (event == PTRACE_EVENT_CLONE && process_tgid(tid) == parent->proc->pid) {
		t = add_thread(e, tid, parent->proc, parent->tid);
	} else {
		struct process *p = add_process(e, tid, parent->proc, parent->tid);
		t = add_thread(e, tid, p, 0);
	}
	if (pid_set_take(&e->parked, tid))
		prepare_and_resume(e, t);
	else
		t->pending = false; /* its first stop will set it */
}

static void
on_exec(struct engine *e, struct thread *t)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &former);
	struct process *p = t->proc;
	struct thread *caller = find_thread(e, (pid_t)former);

	/* The execve syscall retired in the old image, in the caller's stream. */
	if (caller && caller != t) {
		retire(e, caller, 0);
		/* The caller becomes the leader: drop the old leader's record. */
		remove_thread(e, t);
		caller->tid = p->pid;
		t = caller;
	} else {
		retire(e, t, 0);
	}
	struct process_args args;
	process_args_read(p->pid, &args);
	check(e, umss_writer_exec(e->w, p->pid, (uint32_t)former, args.exe, args.argc,
				  (const char *const *)args.argv));
	process_args_free(&args);
	code_cache_clear(&p->code);
	proc_maps_free(&p->maps);
	check(e, proc_maps_refresh(&p->maps, p->pid, e->w));
	p->cloak.traceme = false; /* as the agent, which starts afresh */
	t->after_exec = true;
	prepare_and_resume(e, t);
}

/* A signal stops the thread before it is delivered: note it, deliver it. */
static void
deliver_signal(struct engine *e, struct thread *t, int sig, const siginfo_t *si, uint64_t rip,
	       uint32_t action)
{
	uint64_t addr = 0;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP)
		addr = (uint64_t)si->si_addr;
	check(e, umss_writer_signal(e->w, t->proc->pid, t->tid, sig, si->si_code, addr, rip,
				    action));
	e->res->signals++;
	t->deliver = sig;
}

static void
on_signal(struct engine *e, struct thread *t, int sig, const siginfo_t *si, uint64_t rip)
{
	deliver_signal(e, t, sig, si, rip, process_signal_action(t->proc->pid, sig));
}

/* Syscall results that ask the kernel to restart the call
 * (include/linux/errno.h). */
static bool
is_restart_code(uint64_t rax)
{
	switch ((long long)rax) {
	case -512: case -513: case -514: case -516: /* ERESTARTSYS, ERESTARTNOINTR,
						       ERESTARTNOHAND, ERESTART_RESTARTBLOCK */
		return true;
	}
	return false;
}

/*
 * A signal interrupted a syscall that the kernel will restart when no
 * handler runs (arch_do_signal_or_restart(): rip -= 2 and the call again,
 * or restart_syscall for ERESTART_RESTARTBLOCK).  The kernel would rewind
 * rip while the thread is already stepping, so the step would be taken
 * for the instruction after the syscall: do the rewind here instead, and
 * the syscall is the pending instruction again.
 */
static void
restart_now(struct engine *e, struct thread *t, struct user_regs_struct *regs)
{
	regs->rax = (long long)regs->rax == -516 ? 219 /* restart_syscall */ : regs->orig_rax;
	regs->rip -= 2;
	if (ptrace(PTRACE_SETREGS, t->tid, 0L, regs) == 0)
		set_pending(e, t, regs);
}

/*
 * A signal-delivery stop for anything but SIGTRAP.  Signals the program
 * ignores are discarded by the kernel when they are sent, unless the task
 * is traced (sig_ignored()): under ptrace they reach the thread and can
 * interrupt a blocking syscall.  So an ignored signal is not delivered, and
 * a syscall it interrupted goes on as one instruction, as natively.
 */
static void
on_other_signal(struct engine *e, struct thread *t, int sig, struct user_regs_struct *regs)
{
	siginfo_t si;
	uint32_t action = process_signal_action(t->proc->pid, sig);

	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0L, &si) < 0)
		memset(&si, 0, sizeof si);
	if ((long long)regs->orig_rax >= 0 && is_restart_code(regs->rax) &&
	    (action == UMSS_SIG_IGNORED || action == UMSS_SIG_STOP)) {
		restart_now(e, t, regs);
		if (action == UMSS_SIG_IGNORED)
			t->silent_syscall = true;
	}
	if (action != UMSS_SIG_IGNORED)
		deliver_signal(e, t, sig, &si, regs->rip, action);
	resume(t);
}

/*
 * The kernel emulates a call into the vsyscall page in its page-fault
 * handler (emulate_vsyscall(): the syscall, then a `ret`), which raises no
 * step trap: the step goes on to run the caller's next instruction, at
 * the return address, before it traps.  Record that one too.
 */
static void
retire_after_vsyscall(struct engine *e, struct thread *t, const struct user_regs_struct *regs,
		      uint64_t ret)
{
	struct user_regs_struct at_ret = *regs;
	at_ret.rip = ret;
	set_pending(e, t, &at_ret);
	retire(e, t, regs->rip);
}

static void
on_trap(struct engine *e, struct thread *t, const struct user_regs_struct *regs)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0L, &si) < 0)
		memset(&si, 0, sizeof si);

	bool after_exec = t->after_exec;
	t->after_exec = false;
	if (after_exec && si.si_code == TRAP_BRKPT && regs->rip == t->pending_rip) {
		/* Resuming from PTRACE_EVENT_EXEC with a step finishes the
		 * execve syscall, whose exit reports a step (TRAP_BRKPT, from
		 * user_single_step_report()) before the new image has run
		 * anything. */
		resume(t);
		return;
	}
	if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) {
		if (t->pending && t->info.rep_string && regs->rip == t->pending_rip && !t->delivered) {
			resume(t); /* one more iteration of the same instruction */
			return;
		}
		bool own_tf = t->own_tf;
		uint64_t vsyscall_ret = t->vsyscall_ret;
		retire(e, t, regs->rip);
		after_step_tf(t);
		if (vsyscall_ret && regs->rip != vsyscall_ret)
			retire_after_vsyscall(e, t, regs, vsyscall_ret);
		/* The program set TF itself: natively it gets this trap. */
		if (own_tf && si.si_code == TRAP_TRACE)
			on_signal(e, t, SIGTRAP, &si, regs->rip);
	} else if (si.si_code == SI_KERNEL) {
		/* int3 (or another trap gate): it retired; the program gets SIGTRAP. */
		retire(e, t, regs->rip);
		on_signal(e, t, SIGTRAP, &si, regs->rip);
	} else if (si.si_code == SIGTRAP && t->delivered) {
		/* ptrace_notify() at a signal handler's entry: nothing ran.
		 * The frame saved the flags with the forced TF; the handler
		 * runs with TF clear. */
		uint64_t v;
		uint64_t at = regs->rdx + UC_EFLAGS_OFFSET;
		if (tracee_read_word(t->tid, at, &v, 8) && ((v & TF_BIT) != 0) != t->own_tf)
			tracee_write_word(t->tid, at, t->own_tf ? v | TF_BIT : v & ~TF_BIT, 8);
		t->own_tf = false;
	} else if (si.si_code <= 0) {
		/* SIGTRAP sent by kill/tgkill: an ordinary signal. */
		on_signal(e, t, SIGTRAP, &si, regs->rip);
		t->pending = false;
		set_pending(e, t, regs);
		resume(t);
		return;
	} else {
		retire(e, t, regs->rip);
	}
	set_pending(e, t, regs);
	resume(t);
}

static void
on_exit_status(struct engine *e, pid_t tid, int status)
{
	struct thread *t = find_thread(e, tid);
	if (!t)
		return;
	struct process *p = t->proc;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (tid == p->pid) {
		check(e, umss_writer_exit(e->w, p->pid, status));
		if (p->pid == e->main_pid)
			e->res->exit_status = code;
	} else {
		check(e, umss_writer_thread_exit(e->w, p->pid, tid, code));
	}
	remove_thread(e, t);
	if (p->live_threads == 0)
		remove_process(e, p);
}

static void
on_stop(struct engine *e, pid_t tid, int status)
{
	int sig = WSTOPSIG(status);
	int event = (unsigned)status >> 16;
	struct thread *t = find_thread(e, tid);
	struct user_regs_struct regs;

	if (!t) {
		/* A new task's first stop, before its creator's event: wait. */
		pid_set_add(&e->parked, tid);
		return;
	}
	if (t->trap_unblocked)
		restore_trap_mask(t);
	if (sig == (SIGTRAP | 0x80) && t->syscall_stops) {
		/* PTRACE_SYSCALL stops of a syscall run with SIGTRAP blocked. */
		if (t->syscall_stops == 1) {
			t->syscall_stops = 2;
			if (get_regs(tid, &regs) == 0)
				cloak_syscall_entry(tid, &regs, &t->proc->cloak, &t->cloak);
			resume(t);
			return;
		}
		t->syscall_stops = 0;
		if (get_regs(tid, &regs) == 0) {
			cloak_syscall_exit(t->proc->pid, tid, &regs, &t->proc->cloak, &t->cloak);
			retire(e, t, regs.rip);
			after_step_tf(t);
			get_regs(tid, &regs);
			set_pending(e, t, &regs);
		}
		resume(t);
		return;
	}
	if (event == PTRACE_EVENT_STOP) {
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			/* Group stop: stay stopped until SIGCONT, without losing it. */
			ptrace(PTRACE_LISTEN, tid, 0L, 0L);
			return;
		}
		/* A new task's first stop (or a PTRACE_LISTEN wake-up). */
		if (!t->pending)
			prepare_and_resume(e, t);
		else
			resume(t);
		return;
	}
	if (sig == SIGTRAP && event) {
		switch (event) {
		case PTRACE_EVENT_CLONE: case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK:
			on_new_task(e, t, event);
			break;
		case PTRACE_EVENT_EXEC:
			t->syscall_stops = 0;
			on_exec(e, t);
			return;
		case PTRACE_EVENT_EXIT:
			/* A syscall the thread dies in counts: it ran (exit,
			 * exit_group, kill(getpid(), SIGKILL), or a blocking
			 * call when another thread ends the process). */
			if (t->pending && t->info.syscall && !t->silent_syscall &&
			    get_regs(tid, &regs) == 0 && (long long)regs.orig_rax >= 0 &&
			    regs.rip == t->pending_rip + 2)
				retire(e, t, 0);
			t->pending = false;
			t->exiting = true;
			t->syscall_stops = 0;
			break;
		}
		resume(t);
		return;
	}
	if (get_regs(tid, &regs) < 0) {
		resume(t);
		return;
	}
	if (sig == SIGTRAP) {
		on_trap(e, t, &regs);
		return;
	}
	on_other_signal(e, t, sig, &regs);
}

static void
flush_now_and_then(struct engine *e)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (now.tv_sec - e->last_flush.tv_sec >= 1) {
		e->last_flush = now;
		check(e, umss_writer_flush(e->w));
	}
}

static void
kill_all(struct engine *e)
{
	for (struct thread *t = e->threads; t; t = t->next)
		kill(t->tid, SIGKILL);
}

int
ptrace_engine_run(pid_t pid, struct umss_writer *w, struct trace_result *res)
{
	struct engine e = { .w = w, .res = res, .main_pid = pid };
	bool killed = false;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &e.last_flush);
	struct process *p = add_process(&e, pid, NULL, 0);
	struct thread *t = add_thread(&e, pid, p, 0);
	check(&e, proc_maps_refresh(&p->maps, pid, w));
	t->after_exec = true; /* launch_traced() stopped it at its exec event */
	prepare_and_resume(&e, t);

	while (e.threads || e.parked.n) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				goto interrupted;
			if (errno == ECHILD)
				break;
			fprintf(stderr, "umss: waitpid: %s\n", strerror(errno));
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			pid_set_take(&e.parked, tid);
			on_exit_status(&e, tid, status);
		} else if (WIFSTOPPED(status)) {
			on_stop(&e, tid, status);
		}
		flush_now_and_then(&e);
interrupted:
		if ((tracer_interrupted || e.error) && !killed) {
			if (!res->stopped_by)
				res->stopped_by = e.error ? "the trace could not be written"
							  : "umss was interrupted";
			kill_all(&e);
			killed = true;
		}
	}
	while (e.procs)
		remove_process(&e, e.procs);
	pid_set_free(&e.parked);
	return e.error ? -1 : 0;
}
