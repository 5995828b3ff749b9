/*
 * The UMSS step, engine `patch` (DESIGN.md "The UMSS step"): for the
 * current instruction I, decode it (cached by address, re-decoded when its
 * bytes change), compute the next instruction N from the saved registers,
 * write `jmp rel32` to a trampoline over N, restore the program's registers
 * and resume at I, which runs natively at its own address.  N's jump brings
 * control back through agent_reentry; the patch is undone and I is
 * recorded as retired.
 *
 * What is not run in place: syscalls (executed here with the program's
 * registers), branches whose N would be patched over their own bytes
 * (emulated here: they only change rip, rcx or rsp) and the few cases the
 * kernel must decide (int3, ud2, far transfers, an N that cannot be
 * patched, an I that reads or writes N's patch bytes): those are stepped
 * once by the tracer with PTRACE_SINGLESTEP, a counted fallback.
 */
#include "agent/agent.h"
#include "agent/code_pages.h"
#include "agent/lock.h"
#include "agent/process.h"
#include "agent/ring.h"
#include "agent/signal.h"
#include "agent/sys.h"
#include "decoder/x86_decode.h"

/* mmap/mprotect constants (include/uapi/asm-generic/mman-common.h). */
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define PAGE 4096ull
#define PATCH_LEN 5

#define DCACHE_BITS 16
#define MAX_TRAMPOLINES 64
#define RUN_TURN 4096            /* steps a thread runs before letting a waiting one run */

struct agent_state agent_state_block;
extern char agent_stack_end[];

struct dcache_entry {
	uint64_t addr;
	uint8_t bytes[16];
	struct x86_insn insn;
};
static struct dcache_entry dcache[1u << DCACHE_BITS];

static uint64_t trampolines[MAX_TRAMPOLINES];
static unsigned n_trampolines;

/*
 * Engine patch runs one thread's program code at a time (docs/AGENT.md
 * "Threads"): a thread's patch is real code the others would run into, and
 * the decode cache, trampolines and page bookkeeping above are shared.
 * A thread holds the run lock while it steps or runs in place, lets it go
 * around the program's system calls (which may block) and every RUN_TURN
 * steps when another thread waits (FIFO: a thread spinning on a flag
 * another sets cannot starve it).
 */
static struct agent_lock run_lock;

static void
run_hold(struct agent_state *s)
{
	if (s->engine != AGENT_ENGINE_PATCH || s->run_held)
		return;
	lock_acquire(&run_lock);
	s->run_held = 1;
	s->run_steps = 0;
}

static void
run_release(struct agent_state *s)
{
	if (!s->run_held)
		return;
	s->run_held = 0;
	lock_release(&run_lock);
}

/* A system call that changes the memory map keeps the run lock: the code
 * pages' protections (agent/code_pages.c) are another thread's business
 * only while it holds the lock, and such calls do not block. */
static int
maps_syscall(long nr)
{
	switch (nr) {
	case NR_MMAP: case NR_MPROTECT: case NR_MUNMAP: case NR_MREMAP: case NR_PKEY_MPROTECT:
	case NR_BRK: case NR_SHMAT: case NR_SHMDT:
		return 1;
	}
	return 0;
}

/* At each step: take the lock, or give others their turn. */
static void
run_turn(struct agent_state *s)
{
	if (s->engine != AGENT_ENGINE_PATCH)
		return;
	if (s->run_held && ++s->run_steps >= RUN_TURN) {
		s->run_steps = 0;
		if (lock_contended(&run_lock))
			run_release(s);
	}
	run_hold(s);
}

static void
gate(struct agent_state *s, uint64_t req)
{
	s->req = req;
	agent_gate();
}

static __attribute__((noreturn)) void
stop(struct agent_state *s, uint64_t req, uint64_t why, uint64_t detail)
{
	s->req_arg[0] = why;
	s->req_arg[1] = detail;
	for (;;)
		gate(s, req); /* the tracer ends the program */
}

static void
emit(struct agent_state *s, uint64_t word)
{
	ring_put(s, word);
}

/* Up to 16 code bytes at addr without crossing into an unreadable page;
 * returns how many could be read. */
static unsigned
read_code(uint64_t addr, uint8_t out[16])
{
	uint64_t room = PAGE - (addr & (PAGE - 1));
	if (room >= 16)
		return agent_safe_copy(out, (const void *)addr, 16) == 0 ? 16 : 0;
	if (agent_safe_copy(out, (const void *)addr, room) < 0)
		return 0;
	memset(out + room, 0, 16 - room);
	if (agent_safe_copy(out + room, (const void *)(addr + room), 16 - room) < 0)
		return (unsigned)room;
	return 16;
}

static const struct x86_insn *
decode_at(struct agent_state *s, uint64_t addr)
{
	uint8_t cur[16];
	unsigned n = read_code(addr, cur);
	if (n == 0)
		return NULL;
	uint64_t h = (addr * 0x9e3779b97f4a7c15ull) >> (64 - DCACHE_BITS);
	struct dcache_entry *e = &dcache[h];
	if (e->addr == addr && e->insn.len <= n && memcmp(e->bytes, cur, e->insn.len) == 0)
		return &e->insn;
	struct x86_insn insn;
	if (x86_decode(cur, n, X86_VENDOR_AMD, &insn) != X86_OK)
		return NULL;
	e->addr = addr;
	memcpy(e->bytes, cur, 16);
	e->insn = insn;
	ring_put_code(s, addr, cur, insn.len);
	return &e->insn;
}

static int
read_mem(void *cookie, uint64_t addr, void *buf, size_t size)
{
	(void)cookie;
	return agent_safe_copy(buf, (const void *)addr, size) == 0 ? 0 : -1;
}

/* One kernel-assisted step of ctx by the tracer (it records the
 * instruction and updates ctx).  The code pages get the program's own
 * protection first: the instruction may store into one (natively a
 * fault; the reason for many fallbacks, see mem_check). */
static void
fallback(struct agent_state *s)
{
	code_pages_restore();
	gate(s, AGENT_REQ_STEP);
}

static int
reachable(uint64_t target, uint64_t from_end)
{
	int64_t d = (int64_t)(target - from_end);
	return d == (int32_t)d;
}

static uint64_t
make_trampoline(struct agent_state *s, uint64_t cand)
{
	long r = sys_mmap(cand, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
	if (r < 0)
		return 0;
	if ((uint64_t)r != cand) {
		sys_munmap((uint64_t)r, PAGE);
		return 0;
	}
	/* jmp *0(%rip); .quad agent_reentry: touches no register and no
	 * program memory. */
	uint8_t *p = (uint8_t *)cand;
	p[0] = 0xff;
	p[1] = 0x25;
	memset(p + 2, 0, 4);
	memcpy(p + 6, &s->reentry, 8);
	sys_mprotect(cand, PAGE, PROT_READ | PROT_EXEC);
	cloak_hide(cand, cand + PAGE);
	/* Not the program's mapping: no MAP event (the ptrace engine has none). */
	s->req_arg[0] = cand;
	s->req_arg[1] = PAGE;
	s->req_arg[2] = PROT_READ | PROT_EXEC;
	gate(s, AGENT_REQ_ARENA);
	return cand;
}

void
agent_forget_mapping(struct agent_state *s, uint64_t start, uint64_t len)
{
	s->req_arg[0] = start;
	s->req_arg[1] = len;
	s->req_arg[2] = ~0ull;
	gate(s, AGENT_REQ_ARENA);
}

/*
 * The program maps, moves, unmaps, reprotects or advises memory at a
 * place it chose (mmap with MAP_FIXED or MAP_FIXED_NOREPLACE, mremap
 * with MREMAP_FIXED or from a range, munmap, mprotect, pkey_mprotect,
 * madvise): natively nothing of the agent's is there, so its pages in
 * that range (patch trampolines, displaced arenas) are unmapped first and
 * forgotten; the agent makes new ones when it needs them.  Its image (with
 * the trace rings in it) cannot move: that is refused with a message.
 */
static void
yield_one(struct agent_state *s, uint64_t lo, uint64_t len)
{
	extern char agent_header[], agent_mem_end[];
	uint64_t hi = lo + ((len + PAGE - 1) & ~(PAGE - 1));
	if (hi < lo)
		hi = ~0ull;
	if (lo < (uint64_t)agent_mem_end && (uint64_t)agent_header < hi)
		stop(s, AGENT_REQ_UNSUPPORTED, AGENT_WHY_AGENT_MEMORY, lo);
	for (unsigned i = 0; i < n_trampolines;) {
		uint64_t t = trampolines[i];
		if (t >= hi || t + PAGE <= lo) {
			i++;
			continue;
		}
		sys_munmap(t, PAGE);
		cloak_unhide(t, t + PAGE);
		agent_forget_mapping(s, t, PAGE);
		trampolines[i] = trampolines[--n_trampolines];
	}
	if (s->engine == AGENT_ENGINE_DISPLACED)
		displaced_yield_range(s, lo, hi);
}

static void
yield_fixed_range(struct agent_state *s, long nr, const uint64_t *g)
{
	switch (nr) {
	case NR_MMAP:
		if (g[X86_R10] & (0x10 /* MAP_FIXED */ | MAP_FIXED_NOREPLACE))
			yield_one(s, g[X86_RDI], g[X86_RSI]);
		break;
	case NR_MREMAP:
		yield_one(s, g[X86_RDI], g[X86_RSI]);
		if (g[X86_R10] & 2 /* MREMAP_FIXED */)
			yield_one(s, g[X86_R8], g[X86_RDX]);
		break;
	case NR_MUNMAP: case NR_MPROTECT: case NR_PKEY_MPROTECT: case 28 /* madvise */:
		yield_one(s, g[X86_RDI], g[X86_RSI]);
		break;
	}
}

/* A jump target within rel32 reach of a jump ending at from_end. */
static uint64_t
trampoline_for(struct agent_state *s, uint64_t from_end)
{
	if (reachable(s->reentry, from_end))
		return s->reentry;
	for (unsigned i = 0; i < n_trampolines; i++)
		if (reachable(trampolines[i], from_end))
			return trampolines[i];
	if (n_trampolines == MAX_TRAMPOLINES)
		return 0;
	/* Below the code first: above a non-PIE binary lies its brk heap. */
	uint64_t base = from_end & ~0xfffffull;
	uint64_t t = 0;
	for (uint64_t k = 1; k < 2000 && !t; k++) {
		uint64_t cand = base - k * 0x100000;
		if (cand > base || cand < 0x100000)
			break;
		t = make_trampoline(s, cand);
	}
	for (uint64_t k = 64; k < 2000 && !t; k++)
		t = make_trampoline(s, base + k * 0x100000);
	if (!t || !reachable(t, from_end))
		return 0;
	trampolines[n_trampolines++] = t;
	return t;
}

/* What insn's memory accesses do that running it in place with a patch
 * at n would change: MEM_PATCH, one may touch [n, n + 5) (it must see and
 * change the program's bytes); MEM_OURS, one writes a code page the agent
 * made writable (natively that store faults).  0: neither. */
#define MEM_PATCH 1
#define MEM_OURS 2

static int
mem_check(const struct x86_insn *insn, const struct x86_regs *regs, uint64_t n)
{
	struct x86_mem m[X86_MAX_MEM];
	int k = x86_insn_mem(insn, regs, m);
	for (int i = 0; i < k; i++) {
		if (!m[i].access)
			continue;
		if (m[i].kind == X86_MEM_GATHER || m[i].kind == X86_MEM_SCATTER)
			return 1;
		uint64_t size = m[i].size ? m[i].size : 4096; /* xsave: its area is at most a page here */
		uint64_t count = m[i].count ? m[i].count : 1;
		if (count > (1ull << 40))
			return 1;
		uint64_t total = size * count;
		uint64_t lo = m[i].dir < 0 ? m[i].addr - (count - 1) * size : m[i].addr;
		uint64_t hi = lo + total;
		if (hi < lo || (lo < n + PATCH_LEN && n < hi))
			return MEM_PATCH;
		if ((m[i].access & X86_ACC_WRITE) && code_pages_ours(lo, hi))
			return MEM_OURS;
	}
	return 0;
}

/* A branch whose target's patch would overlap the branch itself: do its
 * effect here (rip, and rcx for loop, rsp for ret).  0 = cannot. */
static int
emulate_branch(struct agent_state *s, const struct x86_insn *insn, uint64_t n)
{
	switch (insn->cf) {
	case X86_CF_JCC:
	case X86_CF_JMP:
	case X86_CF_JMP_IND:
	case X86_CF_JRCXZ:
		break;
	case X86_CF_LOOP:
		if (insn->addrsize != 8)
			return 0;
		s->ctx.gpr[X86_RCX]--;
		break;
	case X86_CF_RET:
		if (insn->opsize == 2)
			return 0;
		s->ctx.gpr[X86_RSP] += 8 + (uint16_t)insn->imm;
		break;
	default:
		return 0;
	}
	emit(s, s->ctx.rip);
	s->ctx.rip = n;
	return 1;
}

/* In a new child process: its own ring; /proc/self/mem opened by the
 * parent would be the parent's memory (agent/code_pages.c). */
static void
forked_child(struct agent_state *s)
{
	/* The only thread of the child holds the locks the forking thread
	 * held; the parent's other threads are not there. */
	lock_reset(&run_lock, (int)s->run_held);
	if (s->engine == AGENT_ENGINE_DISPLACED)
		displaced_fork_end(1);
	process_forked_child(s);
	ring_reopen(s);
	code_pages_forked_child();
}

/* Executes the syscall at ctx.rip with the program's registers (both
 * engines: agent/displaced.c calls it too). */
void
agent_syscall(struct agent_state *s, const struct x86_insn *insn)
{
	uint64_t *g = s->ctx.gpr;
	long nr = (long)g[X86_RAX];
	uint64_t at = s->ctx.rip, next = at + insn->len, child_sp = 0;
	int recorded = 0, forking = 0, copy = 0;

	switch (nr) {
	case NR_CLONE: case NR_CLONE3:
		if (process_refused(s, nr))
			stop(s, AGENT_REQ_UNSUPPORTED, AGENT_WHY_SYSCALL, (uint64_t)nr);
		/* fall through */
	case NR_FORK: case NR_VFORK:
		forking = 1;
		break;
	case NR_EXECVE: case NR_EXECVEAT:
		/* It retires in the old image (as the ptrace engine records
		 * it), and when it succeeds this buffer is gone before the
		 * tracer's next stop (PTRACE_EVENT_EXEC): record and drain
		 * first.  A failed execve just returns its error. */
		emit(s, at);
		gate(s, AGENT_REQ_FLUSH);
		recorded = 1;
		break;
	case NR_ARCH_PRCTL:
		/* ARCH_SET_GS / ARCH_GET_GS: the gs base holds the agent's state. */
		if (g[X86_RDI] == 0x1001 || g[X86_RDI] == 0x1004)
			stop(s, AGENT_REQ_UNSUPPORTED, AGENT_WHY_ARCH_PRCTL, g[X86_RDI]);
		break;
	case NR_EXIT: case NR_EXIT_GROUP:
		/* It retires as it ends the program; the tracer drains the
		 * buffer at PTRACE_EVENT_EXIT. */
		emit(s, at);
		recorded = 1;
		break;
	case 62: case 200: case 234: /* kill, tkill, tgkill */
		/* SIGKILL (maybe to itself) ends the program inside the
		 * syscall, with no stop for the tracer to drain at: record
		 * it and drain now. */
		if ((nr == 234 ? g[X86_RDX] : g[X86_RSI]) == 9) {
			emit(s, at);
			gate(s, AGENT_REQ_FLUSH);
			recorded = 1;
		}
		break;
	}
	yield_fixed_range(s, nr, g);
	code_pages_before_syscall(nr, g);
	long r = 0;
	switch (cloak_syscall_before(nr, g, &r) ? SIGNAL_SYSCALL_DONE : signal_syscall(s, nr, &r)) {
	case SIGNAL_SYSCALL_STEPPED:
		return;
	case SIGNAL_SYSCALL_DONE:
		break;
	case SIGNAL_SYSCALL_RUN:
		s->reserved[AGENT_RECORDED_SLOT] = (uint64_t)recorded;
		/* A child that is a copy (fork) must not copy shared state
		 * half-changed by another thread: the forking thread keeps the
		 * run lock (patch) or takes the records' lock (displaced)
		 * across the fork; the child resets them (forked_child).
		 * Other system calls may block: others run meanwhile. */
		copy = forking && !process_shares_memory(s, nr);
		if (copy && s->engine == AGENT_ENGINE_DISPLACED)
			displaced_fork_begin();
		else if (!copy && !maps_syscall(nr))
			run_release(s);
		signal_syscall_begin(s);
		if (forking)
			r = process_syscall(s, nr, next, &child_sp);
		else
			r = sys6(nr, (long)g[X86_RDI], (long)g[X86_RSI], (long)g[X86_RDX],
				 (long)g[X86_R10], (long)g[X86_R8], (long)g[X86_R9]);
		signal_syscall_end(s);
		s->reserved[AGENT_RECORDED_SLOT] = 0;
		r = cloak_syscall_after(nr, g, r);
		if (!recorded && !(copy && r == 0)) {
			/* Retired: recorded before this thread may wait for
			 * the run lock (another thread may end the process
			 * meanwhile).  A fork child's retired in the parent. */
			emit(s, at);
			recorded = 1;
		}
		if (copy && r != 0 && s->engine == AGENT_ENGINE_DISPLACED)
			displaced_fork_end(0);
		run_hold(s);
		break;
	}
	if (forking && copy && r == 0) {
		/* The child (agent/process.c): the ring it inherited is the
		 * parent's (a shared mapping), it gets its own first; the
		 * syscall retired in the parent only.  (A vfork child with
		 * its own state in the parent's memory never comes here.) */
		forked_child(s);
		cloak_forked_child();
		recorded = 1;
		if (child_sp)
			g[X86_RSP] = child_sp;
	}
	/* What the CPU's syscall leaves (SDM vol. 2B SYSCALL): rcx = next
	 * rip, r11 = rflags. */
	g[X86_RAX] = (uint64_t)r;
	g[X86_RCX] = next;
	g[X86_R11] = s->ctx.rflags;
	s->ctx.rip = next;
	if (!recorded)
		emit(s, at);
	if (s->engine == AGENT_ENGINE_DISPLACED)
		displaced_mem_syscall(s, nr, g, r);
	code_pages_after_syscall(nr, g, r);
	if (nr == NR_ARCH_PRCTL && g[X86_RDI] == 0x1002 /* ARCH_SET_FS */ && r == 0)
		s->ctx.fs_base = g[X86_RSI]; /* fs-relative operands' addresses (mem_check) */
	switch (nr) {
	case NR_MMAP: case NR_MPROTECT: case NR_MUNMAP: case NR_MREMAP: case NR_PKEY_MPROTECT:
	case NR_SHMAT:
		gate(s, AGENT_REQ_SYNC);
		break;
	}
}

static int patch_how; /* CODE_PAGE_*: how the active patch was written */

static int
patch(struct agent_state *s, uint64_t n, uint64_t target, int how)
{
	uint8_t jmp[PATCH_LEN] = { 0xe9 };
	int32_t rel = (int32_t)(target - (n + PATCH_LEN));
	memcpy(jmp + 1, &rel, 4);
	s->patch_orig = 0;
	/* N may be unreadable (the execute-only vsyscall page): fall back. */
	if (agent_safe_copy(&s->patch_orig, (const void *)n, PATCH_LEN) < 0)
		return -1;
	if (code_write(n, jmp, how) < 0)
		return -1;
	s->patch_addr = n;
	patch_how = how;
	return 0;
}

static void
unpatch(struct agent_state *s)
{
	if (code_write(s->patch_addr, &s->patch_orig, patch_how) < 0)
		stop(s, AGENT_REQ_FAILED, AGENT_WHY_UNPATCH, s->patch_addr);
	s->patch_addr = 0;
}

/* Handles the instruction at ctx.rip; returns when it was handled here,
 * does not return when it resumed the program in place. */
static void
step(struct agent_state *s)
{
	uint64_t at = s->ctx.rip;
	const struct x86_insn *insn = decode_at(s, at);
	if (s->ctx.rflags & 0x100) {
		/* The program's own trap flag (as engine displaced does): the
		 * kernel steps each instruction and the tracer hands the step
		 * trap to the program (tracer/patch_engine.c fallback_step).
		 * Its syscalls would need that trap after the agent ran them:
		 * not yet. */
		if (insn && insn->cf == X86_CF_SYSCALL)
			stop(s, AGENT_REQ_UNSUPPORTED, AGENT_WHY_TRAPFLAG, at);
		fallback(s);
		return;
	}
	if (!insn) {
		fallback(s);
		return;
	}
	if (insn->enc == X86_ENC_LEGACY && insn->map == X86_MAP_1BYTE && insn->opcode == 0x9d) {
		/* popf that sets TF: the kernel steps it, so the first trap
		 * comes after the next instruction, as natively. */
		uint64_t v = 0;
		if (agent_safe_copy(&v, (const void *)s->ctx.gpr[X86_RSP], 2) == 0 && (v & 0x100)) {
			fallback(s);
			return;
		}
	}
	switch (insn->cf) {
	case X86_CF_SYSCALL:
		if (insn->enc == X86_ENC_LEGACY && insn->map == X86_MAP_0F && insn->opcode == 0x05) {
			agent_syscall(s, insn);
			return;
		}
		fallback(s);
		return;
	case X86_CF_FAR: case X86_CF_IRET: case X86_CF_INT: case X86_CF_INT3: case X86_CF_INT1:
	case X86_CF_UD: case X86_CF_PRIV: case X86_CF_XBEGIN: case X86_CF_XABORT: case X86_CF_OTHER:
		fallback(s);
		return;
	default:
		break;
	}
	uint64_t n;
	if (x86_next_rip(insn, &s->ctx, read_mem, s, &n) != X86_NEXT_OK) {
		fallback(s);
		return;
	}
	if (n < at + insn->len && n + PATCH_LEN > at) {
		if (!emulate_branch(s, insn, n))
			fallback(s);
		return;
	}
	uint64_t target = trampoline_for(s, n + PATCH_LEN);
	int w1 = CODE_PAGE_NO, w2 = CODE_PAGE_DIRECT;
	uint64_t last = (n + PATCH_LEN - 1) & ~(PAGE - 1);
	if (target) {
		w1 = code_page_writable(s, n & ~(PAGE - 1));
		if (w1 && last != (n & ~(PAGE - 1)))
			w2 = code_page_writable(s, last);
	}
	/* After the pages are made writable: I may store into one of them. */
	if (!target || !w1 || !w2 || mem_check(insn, &s->ctx, n) ||
	    patch(s, n, target, w1 == CODE_PAGE_MEM || w2 == CODE_PAGE_MEM ? CODE_PAGE_MEM : CODE_PAGE_DIRECT) < 0) {
		fallback(s);
		return;
	}
	s->pending = at;
	agent_resume();
}

void
agent_run(struct agent_state *s, int from_patch)
{
	if (!from_patch) {
		s->self = (uint64_t)s;
		s->stack_top = (uint64_t)agent_stack_end;
		ring_open(s, s, ring_main_area(), RING_MAIN_BYTES);
		s->reentry = (uint64_t)agent_reentry;
		signal_init(s);
		if (s->engine == AGENT_ENGINE_DISPLACED)
			displaced_run(s, 1);
	} else if (from_patch == AGENT_RUN_VCHILD) {
		/* A vfork child or a thread in its parent's memory, its own
		 * state set up (agent/process.c). */
		if (s->engine == AGENT_ENGINE_DISPLACED)
			displaced_run(s, 0);
	} else if (from_patch == 2) {
		/* A signal stopped the program in place and the tracer started
		 * its handler there (it recorded I if I had retired); ctx is
		 * the handler's entry (agent/signal.c). */
		if (s->patch_addr)
			unpatch(s);
	} else {
		uint64_t n = s->patch_addr;
		unpatch(s);
		emit(s, s->pending);
		s->ctx.rip = n;
	}
	for (;;) {
		run_turn(s);
		signal_boundary(s);
		step(s);
	}
}
