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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "common/agent_abi.h"
#include "tracer/code_cache.h"
#include "tracer/inject.h"
#include "tracer/insn_info.h"
#include "tracer/proc_maps.h"
#include "tracer/process_info.h"
#include "tracer/xalloc.h"
#include "umss/trace.h"

/* si_code values of SIGTRAP (include/uapi/asm-generic/siginfo.h). */
#ifndef TRAP_BRKPT
#define TRAP_BRKPT 1
#endif
#ifndef TRAP_TRACE
#define TRAP_TRACE 2
#endif

struct patch_engine {
	pid_t pid;
	struct umss_writer *w;
	struct trace_result *res;
	struct agent_layout lay;
	struct code_cache code;
	struct proc_maps maps;
	uint64_t exec_lo, exec_hi;  /* last executable mapping seen, a fast path */
	uint64_t *words;            /* copy of the agent's buffer */
	size_t cap_words;
	bool gone;                  /* the program has exited */
	int error;
	unsigned engine;            /* AGENT_ENGINE_* */
	uint64_t (*arenas)[2];      /* engine displaced: stub arenas [start, end) */
	size_t n_arenas;
};

static void
check(struct patch_engine *e, int err)
{
	if (err < 0 && !e->error) {
		e->error = err;
		fprintf(stderr, "umss: writing the trace: %s\n", umss_strerror(err));
	}
}

static int
read_state(struct patch_engine *e, struct agent_state *st)
{
	struct iovec local = { st, sizeof *st };
	struct iovec remote = { (void *)e->lay.state, sizeof *st };
	return process_vm_readv(e->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof *st ? 0 : -1;
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
	if (!code_cache_same(&e->code, addr, bytes, len)) {
		code_cache_put(&e->code, addr, bytes, len);
		check(e, umss_writer_code(e->w, e->pid, addr, bytes, len));
	}
}

static void
record_insn(struct patch_engine *e, uint64_t addr)
{
	if (addr < e->exec_lo || addr >= e->exec_hi) {
		if (!proc_maps_executable(&e->maps, addr))
			check(e, proc_maps_refresh(&e->maps, e->pid, e->w));
		for (size_t i = 0; i < e->maps.n; i++)
			if (addr >= e->maps.v[i].start && addr < e->maps.v[i].end &&
			    (e->maps.v[i].prot & PROT_EXEC)) {
				e->exec_lo = e->maps.v[i].start;
				e->exec_hi = e->maps.v[i].end;
			}
	}
	check(e, umss_writer_insn(e->w, e->pid, e->pid, addr));
	e->res->instructions++;
}

/* Moves the agent's buffer into the trace and empties it. */
static void
drain(struct patch_engine *e, struct agent_state *st)
{
	if (!st->buf_len)
		return;
	if (st->buf_len > st->buf_cap) {
		fprintf(stderr, "umss: the agent's trace buffer is damaged\n");
		e->error = -1;
		return;
	}
	if (e->cap_words < st->buf_len) {
		e->cap_words = st->buf_len;
		e->words = xrealloc(e->words, e->cap_words * sizeof *e->words);
	}
	struct iovec local = { e->words, st->buf_len * 8 };
	struct iovec remote = { (void *)st->buf, st->buf_len * 8 };
	if (process_vm_readv(e->pid, &local, 1, &remote, 1, 0) != (ssize_t)(st->buf_len * 8)) {
		fprintf(stderr, "umss: cannot read the agent's trace buffer: %s\n", strerror(errno));
		e->error = -1;
		return;
	}
	for (uint64_t i = 0; i < st->buf_len; i++) {
		uint64_t word = e->words[i];
		if (word & AGENT_REC_CODE) {
			uint8_t bytes[16];
			uint8_t len = (word >> AGENT_REC_LEN_SHIFT) & 15;
			if (i + 2 >= st->buf_len)
				break;
			memcpy(bytes, &e->words[i + 1], 16);
			record_code(e, word & AGENT_REC_ADDR_MASK, bytes, len);
			i += 2;
		} else {
			record_insn(e, word);
		}
	}
	st->buf_len = 0;
}

/* Drains at a stop where the agent's state can be read (not after exit). */
static void
drain_now(struct patch_engine *e)
{
	struct agent_state st;
	if (read_state(e, &st) < 0)
		return;
	uint64_t had = st.buf_len;
	drain(e, &st);
	if (had)
		write_state(e, &st);
}

/* Which action the kernel will take for signo in pid (from /proc status). */
static uint32_t
signal_action(pid_t pid, int signo)
{
	uint64_t caught = 0, ignored = 0;
	process_signal_masks(pid, &caught, &ignored);
	uint64_t bit = 1ull << (signo - 1);
	if (caught & bit)
		return UMSS_SIG_HANDLER;
	if (ignored & bit)
		return UMSS_SIG_IGNORED;
	switch (signo) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return UMSS_SIG_IGNORED;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return UMSS_SIG_STOP;
	default:
		return UMSS_SIG_FATAL;
	}
}

static void
record_signal(struct patch_engine *e, int sig, uint64_t rip)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0)
		memset(&si, 0, sizeof si);
	uint64_t addr = 0;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP)
		addr = (uint64_t)si.si_addr;
	check(e, umss_writer_signal(e->w, e->pid, e->pid, sig, si.si_code, addr, rip,
				    signal_action(e->pid, sig)));
	e->res->signals++;
}

static void
on_exit_status(struct patch_engine *e, int status)
{
	check(e, umss_writer_exit(e->w, e->pid, status));
	e->res->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	e->gone = true;
}

static int
wait_pid(struct patch_engine *e, int *status)
{
	for (;;) {
		if (waitpid(e->pid, status, __WALL) == e->pid)
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

/* Reads up to 15 code bytes at addr without crossing into an unreadable page. */
static size_t
read_code(pid_t pid, uint64_t addr, uint8_t *buf)
{
	uint64_t page_end = (addr | 4095) + 1;
	size_t first = page_end - addr < 15 ? page_end - addr : 15;
	struct iovec local = { buf, 15 };
	struct iovec remote[2] = { { (void *)addr, first }, { (void *)page_end, 15 - first } };
	ssize_t n = process_vm_readv(pid, &local, 1, remote, first < 15 ? 2 : 1, 0);
	return n < 0 ? 0 : (size_t)n;
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
	uint8_t bytes[15] = { 0 };
	struct insn_info info = { 0 };
	size_t n = read_code(e->pid, at, bytes);
	if (n == 0 || insn_info_decode(bytes, n, &info) < 0)
		info.len = 0;

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
		if (sig != SIGTRAP) {
			/* A fault (the instruction did not retire) or an
			 * asynchronous signal: deliver it, step on. */
			record_signal(e, sig, at);
			deliver = sig;
			continue;
		}
		siginfo_t si;
		if (ptrace(PTRACE_GETSIGINFO, e->pid, 0L, &si) < 0)
			memset(&si, 0, sizeof si);
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
			record_signal(e, SIGTRAP, regs.rip);
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
	case 56: return "clone (threads)";
	case 57: return "fork";
	case 58: return "vfork";
	case 59: return "execve";
	case 101: return "ptrace";
	case 322: return "execveat";
	case 435: return "clone3 (threads)";
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
	case AGENT_WHY_TRAPFLAG:
		snprintf(why, sizeof why, "the program set the trap flag (at 0x%llx)",
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

/* Engine displaced mapped a stub arena: it is umss's, not the program's
 * (no MAP event), and a fault inside it is the program's instruction's. */
static void
add_arena(struct patch_engine *e, uint64_t start, uint64_t len)
{
	e->arenas = xrealloc(e->arenas, (e->n_arenas + 1) * sizeof *e->arenas);
	e->arenas[e->n_arenas][0] = start;
	e->arenas[e->n_arenas][1] = start + len;
	e->n_arenas++;
	e->maps.v = xrealloc(e->maps.v, (e->maps.n + 1) * sizeof *e->maps.v);
	e->maps.cap = e->maps.n + 1;
	e->maps.v[e->maps.n++] = (struct map_entry){
		.start = start,
		.end = start + len,
		.prot = PROT_READ | PROT_WRITE | PROT_EXEC,
		.path = xstrdup(""),
	};
}

static bool
in_arena(const struct patch_engine *e, uint64_t rip)
{
	for (size_t i = 0; i < e->n_arenas; i++)
		if (rip >= e->arenas[i][0] && rip < e->arenas[i][1])
			return true;
	return false;
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
	if (signal_action(e->pid, sig) == UMSS_SIG_FATAL) {
		if (regs->rip != st->d_target)
			regs->rax = st->d_rax;
		regs->rip = st->d_cur;
		regs->gs_base = st->ctx.gs_base;
		ptrace(PTRACE_SETREGS, e->pid, 0L, regs);
	}
	return st->d_cur;
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
	uint64_t had = st.buf_len;
	drain(e, &st);
	if (had && write_state(e, &st) < 0) {
		fprintf(stderr, "umss: cannot write the agent's state: %s\n", strerror(errno));
		e->error = -1;
		return false;
	}
	switch (st.req) {
	case AGENT_REQ_FLUSH:
		break;
	case AGENT_REQ_SYNC:
		check(e, proc_maps_refresh(&e->maps, e->pid, e->w));
		e->exec_lo = e->exec_hi = 0;
		break;
	case AGENT_REQ_PROT: {
		uint64_t a = st.req_arg[0];
		st.req_result = ~0ull;
		for (int pass = 0; pass < 2 && st.req_result == ~0ull; pass++) {
			if (pass)
				check(e, proc_maps_refresh(&e->maps, e->pid, e->w));
			for (size_t i = 0; i < e->maps.n; i++)
				if (a >= e->maps.v[i].start && a < e->maps.v[i].end)
					st.req_result = e->maps.v[i].prot;
		}
		break;
	}
	case AGENT_REQ_ARENA:
		add_arena(e, st.req_arg[0], st.req_arg[1]);
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

/* The agent's own mapping is umss's, not the program's: seed the map
 * with it so that it produces no MAP event. */
static void
hide_agent_mapping(struct patch_engine *e)
{
	e->maps.v = xrealloc(e->maps.v, (e->maps.n + 1) * sizeof *e->maps.v);
	e->maps.cap = e->maps.n + 1;
	e->maps.v[e->maps.n++] = (struct map_entry){
		.start = e->lay.base,
		.end = e->lay.base + ((e->lay.size + 4095) & ~4095ull),
		.prot = PROT_READ | PROT_WRITE | PROT_EXEC,
		.path = xstrdup(""),
	};
}

int
patch_engine_run(pid_t pid, unsigned engine, struct umss_writer *w, struct trace_result *res)
{
	struct patch_engine e = { .pid = pid, .w = w, .res = res, .engine = engine };
	int status;
	bool killed = false;

	code_cache_init(&e.code);
	struct process_args args;
	process_args_read(pid, &args);
	check(&e, umss_writer_process(w, pid, 0, 0, args.exe, args.argc,
				      (const char *const *)args.argv));
	process_args_free(&args);
	res->processes = 1;
	res->threads = 1;
	check(&e, umss_writer_thread_start(w, pid, pid, 0));

	if (finish_exec(&e) < 0 || agent_inject(pid, engine, &e.lay) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		res->stopped_by = "the agent could not be started";
		res->exit_status = 2;
		code_cache_free(&e.code);
		return -1;
	}
	hide_agent_mapping(&e);
	check(&e, proc_maps_refresh(&e.maps, pid, w));

	int deliver = 0;
	while (!e.gone) {
		if (tracer_interrupted) {
			if (!res->stopped_by)
				res->stopped_by = "umss was interrupted";
			goto end;
		}
		if (ptrace(PTRACE_CONT, pid, 0L, (long)deliver) < 0 && errno != ESRCH) {
			fprintf(stderr, "umss: ptrace(CONT): %s\n", strerror(errno));
			break;
		}
		deliver = 0;
		if (wait_pid(&e, &status) < 0)
			break;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			on_exit_status(&e, status);
			break;
		}
		int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
		struct user_regs_struct regs;
		if (event == PTRACE_EVENT_EXIT) {
			drain_now(&e);
			continue;
		}
		if (event == PTRACE_EVENT_STOP) {
			if (tracer_interrupted)
				continue; /* our PTRACE_INTERRUPT: the loop ends it */
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
				/* Group stop: stay stopped until SIGCONT. */
				ptrace(PTRACE_LISTEN, pid, 0L, 0L);
				waitpid(pid, &status, __WALL);
			}
			continue;
		}
		if (event) {
			fprintf(stderr, "umss: engine %s: unexpected ptrace event %d\n",
				engine_name(&e), event);
			e.error = -1;
		} else if (ptrace(PTRACE_GETREGS, pid, 0L, &regs) < 0) {
			continue;
		} else if (sig == SIGTRAP && regs.rip == e.lay.gate) {
			if (on_request(&e))
				continue;
		} else if ((sig == SIGSEGV || sig == SIGBUS) && regs.rip >= e.lay.copy_begin &&
			   regs.rip < e.lay.copy_end) {
			/* agent_safe_copy met an unreadable address. */
			regs.rip = e.lay.copy_fixup;
			ptrace(PTRACE_SETREGS, pid, 0L, &regs);
			continue;
		} else if (agent_fault(&e, sig, &regs)) {
			e.error = -1;
		} else {
			struct agent_state st;
			uint64_t rip = regs.rip;
			if (read_state(&e, &st) == 0) {
				drain(&e, &st);
				write_state(&e, &st);
				if (rip >= e.lay.base && rip < e.lay.base + e.lay.size)
					rip = st.ctx.rip; /* the agent was at work for ctx.rip */
				else if (in_arena(&e, rip))
					rip = stub_signal(&e, sig, &st, &regs);
			}
			record_signal(&e, sig, rip);
			deliver = sig;
			continue;
		}
		if (e.gone)
			break;
end:
		/* Tracing ends here: keep what was recorded, end the program. */
		if (!killed) {
			drain_now(&e);
			kill(pid, SIGKILL);
			killed = true;
		}
		while (!e.gone && wait_pid(&e, &status) == 0)
			if (WIFEXITED(status) || WIFSIGNALED(status))
				on_exit_status(&e, status);
			else
				ptrace(PTRACE_CONT, pid, 0L, 0L);
	}
	code_cache_free(&e.code);
	proc_maps_free(&e.maps);
	free(e.words);
	free(e.arenas);
	if (e.error && !res->stopped_by)
		res->stopped_by = "the trace could not be written";
	return e.error ? -1 : 0;
}
