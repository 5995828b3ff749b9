/*
 * Engine displaced (DESIGN.md "Engines"): the program's code is never
 * written.  Each instruction (address, bytes) gets a record and, unless C
 * must run it, a stub in an arena within ±1 GiB of it:
 *  - any instruction that is not control flow: a copy of it (a
 *    RIP-relative displacement re-targeted to the original data) and an
 *    exit to the handler with the address that follows it;
 *  - jcc/loop/jrcxz: the condition evaluated by the CPU on the program's
 *    own flags and rcx (loop decrements rcx itself), two exits;
 *  - jmp/call/ret, direct and indirect: the effect spelled out (call
 *    stores the *original* return address, ret/indirect load the target
 *    into rax) and an exit to the target;
 *  - syscall, popf, and what must be stepped by the kernel (int3, ud2,
 *    far transfers, 66-prefixed branches, gs-relative operands,
 *    undecodable or unreadable code, data out of a stub's reach): the
 *    handler calls C (disp_c_insn).
 * agent/displaced_entry.S has the per-instruction path (disp_exit) and
 * the ways into and out of C; this file builds records and stubs, keeps
 * the lookup table (struct disp_l1) that disp_exit reads, and handles
 * what reaches C.
 *
 * Stubs are appended to an arena and never rewritten: changed code (a
 * different 16-byte window) gets a new record and a new stub, so a stub
 * is never modified while a thread may run it.
 *
 * Threads (docs/AGENT.md "Threads") run in parallel and share the
 * records, arenas, page cache and table: whatever changes them (lookup,
 * forget_range) holds rec_lock.  disp_exit reads the table without a
 * lock, as a seqlock reader: a table entry is written with its address
 * invalid first and valid last (promote, l1_clear), and disp_exit
 * re-reads the address after it has read the rest (x86 keeps loads in
 * order and stores in order), so it never uses half an entry.
 */
#include "agent/agent.h"
#include "agent/displaced_link.h"
#include "agent/lock.h"
#include "agent/ring.h"
#include "agent/signal.h"
#include "agent/sys.h"
#include "agent/thread_slots.h"
#include "decoder/x86_decode.h"

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define PAGE 4096ull
/* System calls that write memory, for displaced_mem_syscall. */
enum {
	NR_WRITE = 1, NR_WRITEV = 20, NR_GETPID = 39, NR_PWRITEV = 296,
	NR_PROCESS_VM_WRITEV = 311, NR_PWRITEV2 = 328,
};
#define RFLAGS_TF 0x100ull
#define RFLAGS_AC 0x40000ull

#define DISP_L1_SIZE 65536          /* L1_MASK + 1 in displaced_entry.S */
#define RECS_BITS 22
#define MAX_RECS (1u << RECS_BITS)  /* 4 Mi: node and java run more than 1 Mi */
#define RHASH_SIZE (1u << RECS_BITS)
/* The records and their hash live in a mapping of their own (176 MiB,
 * touched as used) far from where the kernel or brk put anything: in
 * the agent's image they would not fit below the stack, and a mapping at
 * the kernel's choice would move every later mapping of the program. */
#define TABLES_AT 0x100000000000ull
#define TABLES_STEP 0x10000000000ull
#define MAX_LINKS (1ull << 23)  /* two per record's stub at most */
#define TABLES_BYTES (((uint64_t)MAX_RECS * sizeof(struct disp_rec) + \
		       (uint64_t)RHASH_SIZE * 4 + MAX_LINKS * LINK_RECORD_BYTES + \
		       PAGE - 1) & ~(PAGE - 1))
#define PROT_RANGES 256
#define MAX_ARENAS 512
#define ARENA_STEP (2ull << 20)
/* Arenas for stubs that may live anywhere, far above whatever the kernel
 * or brk hands out (next to the record tables). */
#define FAR_ARENAS_AT 0x200000000000ull
#define FAR_ARENAS_MAX (1ull << 40)
#define ARENA_SIZE (ARENA_STEP - 65536) /* a gap keeps /proc/PID/maps from merging arenas */
#define REACH (1ull << 30)          /* arena within 1 GiB of the code it copies */
#define STUB_MAX 160

enum disp_kind {
	K_COPY,      /* non-control-flow copy, exit to the handler */
	K_BRANCH,    /* jcc/loop/jrcxz/jmp/call/ret/indirect, emulated in the stub */
	K_POPF,      /* C checks TF before, the copy exits to C (AC) */
	K_SYSCALL,   /* C executes it (agent_syscall) */
	K_FALLBACK,  /* one kernel-assisted step */
};

/* One entry of the table disp_exit reads (offsets fixed by the asm). */
struct disp_l1 {
	uint64_t addr;   /* 0: instruction address, ~0 when empty */
	uint64_t entry;  /* 8: where the handler jumps: the stub or disp_c_insn */
	uint64_t win;    /* 16: a 16-byte window holding the instruction */
	uint64_t exp0;   /* 24: expected window bytes, masked */
	uint64_t exp1;   /* 32 */
	uint64_t m0;     /* 40: which window bytes are the instruction's */
	uint64_t m1;     /* 48 */
	uint64_t link;   /* 56: nonzero when linked exits may jump straight to entry */
};
_Static_assert(sizeof(struct disp_l1) == 64, "disp_l1 is one cache line");

struct disp_rec {
	uint64_t addr;
	uint64_t stub;    /* the generated code (0 for K_SYSCALL, K_FALLBACK) */
	uint8_t bytes[16];
	uint8_t len, kind;
	uint32_t chain;   /* next record in the same hash chain, index + 1 */
};

struct arena {
	uint64_t start, end, used;
	int far;  /* at FAR_ARENAS_AT: for stubs with no RIP-relative operand */
};

extern char agent_mem_end[];
void disp_exit(void);
void disp_c_exit(void);
void disp_c_insn(void);
void disp_sigentry(void);
void disp_step(void);
void disp_ind(void);
__attribute__((noreturn)) void disp_resume(void);
__attribute__((noreturn)) void displaced_c(struct agent_state *s, int why);

static struct disp_l1 l1[DISP_L1_SIZE] __attribute__((aligned(64)));
static struct disp_rec *recs;   /* MAX_RECS, at tables_map() */
static uint32_t n_recs;
static uint32_t *rhash;         /* RHASH_SIZE */
static struct arena arenas[MAX_ARENAS];
static unsigned n_arenas;
static uint64_t last_brk;
static const uint64_t zero_window[2];
static struct agent_lock rec_lock;

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
		gate(s, req);
}

static void
emit(struct agent_state *s, uint64_t word)
{
	ring_put(s, word);
}

/* Up to 16 code bytes at addr without crossing into an unreadable page. */
static unsigned
read_code(uint64_t addr, uint8_t out[16])
{
	uint64_t room = PAGE - (addr & (PAGE - 1));
	memset(out, 0, 16);
	if (room >= 16)
		return agent_safe_copy(out, (const void *)addr, 16) == 0 ? 16 : 0;
	if (agent_safe_copy(out, (const void *)addr, room) < 0)
		return 0;
	if (agent_safe_copy(out + room, (const void *)(addr + room), 16 - room) < 0) {
		memset(out + room, 0, 16 - room);
		return (unsigned)room;
	}
	return 16;
}

static unsigned
l1_index(uint64_t a)
{
	return (unsigned)((a ^ (a >> 16)) & (DISP_L1_SIZE - 1));
}

/* Stores in program order (x86 keeps them so for other cores): the
 * address is invalid before any other field changes. */
#define ORDER() __asm__ volatile("" ::: "memory")

static void
l1_clear(struct disp_l1 *e)
{
	*(volatile uint64_t *)&e->addr = ~0ull;
	ORDER();
	e->entry = (uint64_t)disp_c_insn;
	e->win = (uint64_t)zero_window;
	e->exp0 = e->exp1 = e->m0 = e->m1 = 0;
	e->link = 0;
}

/* --- protection of code, asked of the tracer once per mapping --- */

/*
 * The tracer answers AGENT_REQ_PROT with the whole mapping holding a
 * page (its bounds and protection), so one request covers every page of
 * a library's text.  Addresses in no mapping are remembered one page at
 * a time.  A range leaves the cache when the program changes its map
 * there (forget_range) or, the cache being full, to make room: either way
 * the table entries inside it are cleared first, because disp_exit reads
 * an entry's code bytes with no safety net and only a cached range tells
 * forget_range where entries may be.
 */
struct prot_range {
	uint64_t lo, hi;
	int prot;
	int stable;  /* private and not writable: see code_stable */
	int linked;  /* linked exits jump to instructions in it */
};

static struct prot_range prot_ranges[PROT_RANGES];
static unsigned n_prot_ranges, prot_victim;

static void range_drop(const struct prot_range *r);

static int
page_prot(struct agent_state *s, uint64_t page)
{
	for (unsigned i = 0; i < n_prot_ranges; i++)
		if (page >= prot_ranges[i].lo && page < prot_ranges[i].hi)
			return prot_ranges[i].prot;
	s->req_arg[0] = page;
	gate(s, AGENT_REQ_PROT);
	struct prot_range r = { page, page + PAGE, 0, 0, 0 };
	if (s->req_result != ~0ull) {
		r.prot = (int)s->req_result;
		r.stable = !(r.prot & PROT_WRITE) && !s->req_arg[3];
		if (s->req_arg[1] <= page && s->req_arg[2] > page) {
			r.lo = s->req_arg[1];
			r.hi = s->req_arg[2];
		}
	}
	if (n_prot_ranges < PROT_RANGES) {
		prot_ranges[n_prot_ranges++] = r;
	} else {
		struct prot_range *v = &prot_ranges[prot_victim];
		prot_victim = (prot_victim + 1) % PROT_RANGES;
		range_drop(v);
		*v = r;
	}
	return r.prot;
}

static const struct prot_range *
cached_range(uint64_t page)
{
	for (unsigned i = 0; i < n_prot_ranges; i++)
		if (page >= prot_ranges[i].lo && page < prot_ranges[i].hi)
			return &prot_ranges[i];
	return 0;
}

/*
 * Code in a private mapping the program cannot write changes only
 * through a system call the agent sees: mprotect, mmap, munmap, mremap
 * (forget_range) or a write to its own /proc/PID/mem or
 * process_vm_writev (displaced_mem_syscall).  Its instructions' table
 * entries skip the byte compare.  (Another process writing it through
 * ptrace or /proc/PID/mem is not seen.)  Called after executable(), so
 * both pages are cached.
 */
static int
code_stable(uint64_t at, unsigned len)
{
	const struct prot_range *a = cached_range(at & ~(PAGE - 1));
	const struct prot_range *b = cached_range((at + len - 1) & ~(PAGE - 1));
	return a && b && a->stable && b->stable;
}

/* Links now jump to the instruction at [at, at + len): its ranges must
 * unlink them when dropped. */
static void
prot_range_mark_linked(uint64_t at, unsigned len)
{
	struct prot_range *a = (struct prot_range *)cached_range(at & ~(PAGE - 1));
	struct prot_range *b = (struct prot_range *)cached_range((at + len - 1) & ~(PAGE - 1));
	if (a)
		a->linked = 1;
	if (b)
		b->linked = 1;
}

static int
executable(struct agent_state *s, uint64_t at, unsigned len)
{
	uint64_t p0 = at & ~(PAGE - 1), p1 = (at + len - 1) & ~(PAGE - 1);
	if (!(page_prot(s, p0) & PROT_EXEC))
		return 0;
	return p1 == p0 || (page_prot(s, p1) & PROT_EXEC);
}

/* Table entries of instructions that start in [lo - 16, hi): an
 * instruction's window may reach 16 bytes back from it. */
static void
l1_clear_range(uint64_t lo, uint64_t hi)
{
	lo = lo > 16 ? lo - 16 : 0;
	for (unsigned i = 0; i < DISP_L1_SIZE; i++) {
		uint64_t a = l1[i].addr;
		if (a != ~0ull && a >= lo && a < hi)
			l1_clear(&l1[i]);
	}
}

/* A cached range is forgotten: nothing may trust its code any longer. */
static void
range_drop(const struct prot_range *r)
{
	l1_clear_range(r->lo, r->hi);
	if (r->linked)
		links_forget_targets(r->lo > 16 ? r->lo - 16 : 0, r->hi);
}

/*
 * The program changed its memory map over [lo, hi): forget the protection
 * of the mappings there and take the table entries of instructions there
 * out of the handler's reach (it reads their bytes without a safety net).
 * The records stay: C checks their bytes and protection again before use.
 */
static void
forget_range(uint64_t lo, uint64_t hi)
{
	lo = lo > 2 * PAGE ? (lo & ~(PAGE - 1)) - PAGE : 0;
	hi = hi + PAGE < hi ? ~0ull : hi + PAGE;
	for (unsigned i = 0; i < n_prot_ranges;) {
		struct prot_range *r = &prot_ranges[i];
		if (!(r->hi > lo && r->lo < hi)) {
			i++;
			continue;
		}
		/* All of it: entries left outside [lo, hi) would be out of
		 * every cached range, where no later forget_range finds them. */
		range_drop(r);
		*r = prot_ranges[--n_prot_ranges];
		prot_victim = 0;
	}
}

static void mem_syscall_locked(long nr, const uint64_t *g, long result);

void
displaced_mem_syscall(struct agent_state *s, long nr, const uint64_t *g, long result)
{
	(void)s;
	lock_acquire(&rec_lock);
	mem_syscall_locked(nr, g, result);
	lock_release(&rec_lock);
}

static void
mem_syscall_locked(long nr, const uint64_t *g, long result)
{
	uint64_t a = g[X86_RDI], len = g[X86_RSI];
	switch (nr) {
	case NR_MMAP:
		if (result >= 0 && (g[X86_R10] & MAP_FIXED))
			forget_range((uint64_t)result, (uint64_t)result + len);
		break;
	case NR_MUNMAP: case NR_MPROTECT: case NR_PKEY_MPROTECT:
		forget_range(a, a + len);
		break;
	case NR_MREMAP:
		forget_range(a, a + len);
		if (result >= 0)
			forget_range((uint64_t)result, (uint64_t)result + g[X86_RDX]);
		break;
	case NR_BRK:
		if (result >= 0) {
			if (last_brk && (uint64_t)result < last_brk)
				forget_range((uint64_t)result, last_brk);
			last_brk = (uint64_t)result;
		}
		break;
	case NR_SHMAT: case NR_SHMDT:
		forget_range(0, ~0ull);
		break;
	case NR_PWRITE64:
		if (result > 0 && cloak_fd_is_own_mem((long)a))
			forget_range(g[X86_R10], g[X86_R10] + (uint64_t)result);
		break;
	case NR_WRITE: case NR_WRITEV: case NR_PWRITEV: case NR_PWRITEV2:
		if (result > 0 && cloak_fd_is_own_mem((long)a))
			forget_range(0, ~0ull);
		break;
	case NR_PROCESS_VM_WRITEV:
		/* Into its own memory: where is not worth working out. */
		if (result > 0 && (long)a == sys6(NR_GETPID, 0, 0, 0, 0, 0, 0))
			forget_range(0, ~0ull);
		break;
	default:
		break;
	}
}

/* --- arenas: where stubs live, within reach of the code they copy --- */

static int
near(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) < REACH;
}

static int
make_arena(struct agent_state *s, uint64_t cand, int far)
{
	if (cand < 0x10000 || cand >= (1ull << 47) - ARENA_STEP)
		return 0;
	long r = sys6(NR_MMAP, (long)cand, ARENA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (r < 0)
		return 0;
	if ((uint64_t)r != cand) {
		sys_munmap((uint64_t)r, ARENA_SIZE);
		return 0;
	}
	struct arena *ar = &arenas[n_arenas++];
	ar->far = far;
	ar->start = cand;
	ar->end = cand + ARENA_SIZE;
	cloak_hide(cand, cand + ARENA_SIZE);
	ar->used = cand;
	/* The tracer keeps it out of the trace's memory map and maps faults
	 * inside it back to the program's instruction. */
	s->req_arg[0] = cand;
	s->req_arg[1] = ARENA_SIZE;
	s->req_arg[2] = 0; /* an arena, not a trampoline page */
	gate(s, AGENT_REQ_ARENA);
	return 1;
}

/*
 * Room for a stub of the instruction at `at`.  Only a stub with a
 * RIP-relative operand (re-targeted to the original data, a rel32) must
 * be near the code; every other stub reaches the rest of the world
 * through absolute addresses (exits through %gs, linked exits through
 * their slot), so it goes to a far arena and the room near the code,
 * scarce in a JVM's address space, is kept for those that need it.
 * New near arenas go where they move none of the program's later
 * mappings (the traces' addresses must equal the ptrace engine's): above
 * the agent, which sits above every mapping the kernel placed top-down,
 * else below the code (below an executable lies nothing the kernel hands
 * out while there is room above).
 */
static uint8_t *
arena_room(struct agent_state *s, uint64_t at, int near_code)
{
	static uint64_t far_next = FAR_ARENAS_AT;
	for (unsigned i = n_arenas; i-- > 0;) {
		struct arena *ar = &arenas[i];
		if (ar->used + STUB_MAX > ar->end)
			continue;
		if (near_code ? !ar->far && near(ar->start, at) && near(ar->end, at) : ar->far)
			return (uint8_t *)ar->used;
	}
	if (n_arenas == MAX_ARENAS)
		return 0;
	if (!near_code) {
		for (; far_next < FAR_ARENAS_AT + FAR_ARENAS_MAX; far_next += ARENA_STEP)
			if (make_arena(s, far_next, 1)) {
				far_next += ARENA_STEP;
				return (uint8_t *)arenas[n_arenas - 1].used;
			}
		/* No far room at all (the program mapped it): near, then. */
	}
	uint64_t top = ((uint64_t)agent_mem_end + 2 * ARENA_STEP - 1) & ~(ARENA_STEP - 1);
	for (uint64_t c = top; near(c, at) && near(c + ARENA_STEP, at); c += ARENA_STEP)
		if (make_arena(s, c, 0))
			return (uint8_t *)arenas[n_arenas - 1].used;
	uint64_t base = at & ~(ARENA_STEP - 1);
	for (uint64_t k = 1; k < REACH / ARENA_STEP && base > k * ARENA_STEP; k++)
		if (make_arena(s, base - k * ARENA_STEP, 0))
			return (uint8_t *)arenas[n_arenas - 1].used;
	for (uint64_t k = 32; k < REACH / ARENA_STEP; k++)
		if (make_arena(s, base + k * ARENA_STEP, 0))
			return (uint8_t *)arenas[n_arenas - 1].used;
	return 0;
}

static void
arena_used(uint64_t stub, uint64_t end)
{
	for (unsigned i = n_arenas; i-- > 0;)
		if (stub >= arenas[i].start && stub < arenas[i].end) {
			arenas[i].used = (end + 15) & ~15ull;
			return;
		}
}

/* --- stub encoding --- */

/* The exit every stub ends with: rax saved, rax = next, to the handler. */
static void
put_exit(struct sb *b, uint64_t next, uint32_t via)
{
	gs_rax(b, 0x89, AS_D_RAX);
	movabs_rax(b, next);
	static const uint8_t jmp[] = { 0x65, 0xff, 0x24, 0x25 };
	put(b, jmp, 4);
	put32(b, via);
}
#define EXIT_LEN 27

/* Stores rax as the return address of a call: mov %rax,-8(%rsp); lea -8(%rsp),%rsp */
static void
put_push_rax(struct sb *b)
{
	static const uint8_t code[] = { 0x48, 0x89, 0x44, 0x24, 0xf8, 0x48, 0x8d, 0x64, 0x24, 0xf8 };
	put(b, code, sizeof code);
}

static int
fits32(int64_t v)
{
	return v == (int32_t)v;
}

/* Offset of a RIP-relative instruction's disp32 in its bytes. */
static unsigned
disp_offset(const struct x86_insn *insn)
{
	return insn->len - insn->imm_size - insn->imm2_size - 4;
}

/* A copy of a non-control-flow instruction.  0 when its data is out of
 * the stub's reach. */
static int
build_copy(struct sb *b, uint64_t at, const uint8_t *bytes, const struct x86_insn *insn,
	   uint32_t via, int linked)
{
	uint8_t *start = b->p;
	put(b, bytes, insn->len);
	if (insn->flags & X86_F_RIPREL) {
		unsigned off = disp_offset(insn);
		uint64_t data = at + insn->len + (uint64_t)(int64_t)insn->disp;
		int64_t d = (int64_t)(data - ((uint64_t)start + insn->len));
		if (!fits32(d))
			return 0;
		int32_t d32 = (int32_t)d;
		memcpy(start + off, &d32, 4);
	}
	if (linked)
		put_linked_exit(b, at + insn->len);
	else
		put_exit(b, at + insn->len, via);
	return 1;
}

/* mov r/m64, %rax with insn's memory or register operand (ff /2, ff /4). */
static int
put_load_operand(struct sb *b, uint64_t at, const uint8_t *bytes, const struct x86_insn *insn)
{
	if (insn->seg == 4)
		put8(b, 0x64);
	if (insn->addrsize == 4)
		put8(b, 0x67);
	put8(b, 0x48 | (insn->rex & 3));
	put8(b, 0x8b);
	uint8_t *modrm = b->p;
	put8(b, insn->modrm & 0xc7);
	if (insn->flags & X86_F_SIB)
		put8(b, insn->sib);
	if (insn->disp_size)
		put(b, bytes + insn->len - insn->imm_size - insn->disp_size, insn->disp_size);
	if (insn->flags & X86_F_RIPREL) {
		uint64_t data = at + insn->len + (uint64_t)(int64_t)insn->disp;
		int64_t d = (int64_t)(data - (uint64_t)b->p);
		if (!fits32(d))
			return 0;
		int32_t d32 = (int32_t)d;
		memcpy(modrm + 1, &d32, 4);
	}
	return 1;
}

/* jcc/loop/jrcxz with linked exits: the condition's rel8/rel32 points
 * past the fall-through exit (its length known once written). */
static void
build_linked_cond(struct sb *b, const uint8_t *bytes, const struct x86_insn *insn,
		  uint64_t fall, uint64_t target)
{
	uint8_t *rel;
	unsigned rel_size;
	if (insn->cf == X86_CF_JCC) {
		put8(b, 0x0f);
		put8(b, (uint8_t)(0x80 | insn->cond));
		rel_size = 4;
	} else {
		put(b, bytes, insn->len - 1u); /* loop decrements rcx as the CPU does */
		rel_size = 1;
	}
	rel = b->p;
	b->p += rel_size;
	put_linked_exit(b, fall);
	int32_t d = (int32_t)(b->p - (rel + rel_size));
	if (rel_size == 4)
		memcpy(rel, &d, 4);
	else
		*rel = (uint8_t)d; /* LINKED_EXIT_MAX < 128 */
	put_linked_exit(b, target);
}

/* A control transfer spelled out.  0 = not here (the kernel steps it).
 * linked: exits with a static successor link (agent/displaced_link.c). */
static int
build_branch(struct sb *b, uint64_t at, const uint8_t *bytes, const struct x86_insn *insn,
	     int linked)
{
	uint64_t fall = at + insn->len;
	uint64_t target = fall + (uint64_t)insn->imm;
	/* 66-prefixed near branches truncate rip to 16 bits on AMD. */
	if (insn->opsize == 2)
		return 0;
	if (linked) {
		switch (insn->cf) {
		case X86_CF_JCC: case X86_CF_LOOP: case X86_CF_JRCXZ:
			build_linked_cond(b, bytes, insn, fall, target);
			return 1;
		case X86_CF_JMP:
			put_linked_exit(b, target);
			return 1;
		case X86_CF_CALL:
			gs_rax(b, 0x89, AS_D_RAX);
			movabs_rax(b, fall);
			put_push_rax(b);
			gs_rax(b, 0x8b, AS_D_RAX);
			put_linked_exit(b, target);
			return 1;
		default:
			break;
		}
	}
	switch (insn->cf) {
	case X86_CF_JCC:
		/* jcc to the taken exit, evaluated on the program's flags */
		put8(b, 0x0f);
		put8(b, (uint8_t)(0x80 | insn->cond));
		put32(b, EXIT_LEN);
		put_exit(b, fall, AS_D_EXIT);
		put_exit(b, target, AS_D_EXIT);
		return 1;
	case X86_CF_LOOP:
	case X86_CF_JRCXZ:
		/* the instruction itself (67 kept: ecx), rel8 to the taken exit;
		 * loop decrements rcx as the CPU does */
		put(b, bytes, insn->len - 1u);
		put8(b, EXIT_LEN);
		put_exit(b, fall, AS_D_EXIT);
		put_exit(b, target, AS_D_EXIT);
		return 1;
	case X86_CF_JMP:
		put_exit(b, target, AS_D_EXIT);
		return 1;
	case X86_CF_CALL:
		gs_rax(b, 0x89, AS_D_RAX);
		movabs_rax(b, fall);
		put_push_rax(b);
		movabs_rax(b, target);
		break;
	case X86_CF_JMP_IND:
		if (insn->seg == 5)
			return 0;
		gs_rax(b, 0x89, AS_D_RAX);
		if (!put_load_operand(b, at, bytes, insn))
			return 0;
		break;
	case X86_CF_CALL_IND:
		if (insn->seg == 5)
			return 0;
		gs_rax(b, 0x89, AS_D_RAX);
		if (!put_load_operand(b, at, bytes, insn))
			return 0;
		gs_rax(b, 0x89, AS_D_TMP);
		movabs_rax(b, fall);
		put_push_rax(b);
		gs_rax(b, 0x8b, AS_D_TMP);
		break;
	case X86_CF_RET: {
		static const uint8_t load[] = { 0x48, 0x8b, 0x04, 0x24 };   /* mov (%rsp),%rax */
		static const uint8_t lea[] = { 0x48, 0x8d, 0xa4, 0x24 };    /* lea d32(%rsp),%rsp */
		gs_rax(b, 0x89, AS_D_RAX);
		put(b, load, 4);
		put(b, lea, 4);
		put32(b, 8u + (uint16_t)insn->imm);
		break;
	}
	default:
		return 0;
	}
	/* rax = target, the program's rax saved: the exit's last jump */
	if (linked)
		put_indirect_exit(b);
	else
		gs_branch(b, 0x24, AS_D_EXIT);
	return 1;
}

/* The kind of an instruction, before any stub is built. */
static int
kind_of(const struct x86_insn *insn)
{
	if (insn->seg == 5)
		return K_FALLBACK; /* the gs base is the agent's */
	switch (insn->cf) {
	case X86_CF_NONE:
		if (insn->enc == X86_ENC_LEGACY && insn->map == X86_MAP_1BYTE && insn->opcode == 0x9d)
			return K_POPF;
		return K_COPY;
	case X86_CF_SYSCALL:
		if (insn->enc == X86_ENC_LEGACY && insn->map == X86_MAP_0F && insn->opcode == 0x05)
			return K_SYSCALL;
		return K_FALLBACK;
	case X86_CF_JCC: case X86_CF_LOOP: case X86_CF_JRCXZ: case X86_CF_JMP: case X86_CF_CALL:
	case X86_CF_JMP_IND: case X86_CF_CALL_IND: case X86_CF_RET:
		return K_BRANCH;
	default:
		return K_FALLBACK;
	}
}

/*
 * The records are full (a big program, cc1 has more than 256 Ki
 * instructions that run, or a JIT rewriting code forever): start again
 * with none.  Safe here: this runs in C, where no stub is in use (signal
 * frames and d_cur hold program addresses, never stubs; a vfork parent
 * sharing the records is suspended in the agent's syscall and looks its
 * next instruction up again).  The arenas stay mapped and are refilled.
 */
static void
flush_records(void)
{
	for (unsigned i = 0; i < DISP_L1_SIZE; i++)
		l1_clear(&l1[i]);
	memset(rhash, 0, (size_t)RHASH_SIZE * sizeof *rhash);
	n_recs = 0;
	/* With threads, another thread may be running a stub right now (or
	 * about to jump to one it found in the table): the old stubs stay,
	 * new ones go to fresh room (when the arenas run out, instructions
	 * fall back to kernel steps). */
	if (thread_slots_busy())
		return;
	links_reset();
	for (unsigned i = 0; i < n_arenas; i++)
		arenas[i].used = arenas[i].start;
}

void
displaced_yield_range(struct agent_state *s, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < n_arenas;) {
		struct arena *ar = &arenas[i];
		if (ar->start >= hi || ar->end <= lo) {
			i++;
			continue;
		}
		flush_records(); /* stubs there are gone */
		links_forget_arena(ar->start, ar->end);
		sys_munmap(ar->start, ar->end - ar->start);
		cloak_unhide(ar->start, ar->end);
		agent_forget_mapping(s, ar->start, ar->end - ar->start);
		arenas[i] = arenas[--n_arenas];
	}
}

/*
 * The records' hash bucket of an address.  Neighbouring instructions get
 * neighbouring buckets (a 4 KiB page of code, one 4 KiB page of buckets):
 * the 16 MiB bucket array is touched, page-faulted and cached only where
 * code runs.  The bits above 16 MiB are folded in so that libraries at
 * the same offset modulo 16 MiB do not share chains.
 */
static uint32_t
rec_hash(uint64_t at)
{
	return (uint32_t)(((at >> 2) ^ (at >> 24) ^ (at >> 46)) & (RHASH_SIZE - 1));
}

static struct disp_rec *
new_record(struct agent_state *s, uint64_t at, const uint8_t *bytes, const struct x86_insn *insn,
	   int stable)
{
	if (n_recs == MAX_RECS)
		flush_records();
	struct disp_rec *r = &recs[n_recs];
	r->addr = at;
	memcpy(r->bytes, bytes, 16);
	r->len = insn->len;
	r->kind = (uint8_t)kind_of(insn);
	r->stub = 0;
	if (r->kind == K_COPY || r->kind == K_POPF || r->kind == K_BRANCH) {
		uint8_t *room = arena_room(s, at, (insn->flags & X86_F_RIPREL) != 0);
		struct sb b = { room };
		int ok = room != 0;
		if (ok && r->kind == K_BRANCH)
			ok = build_branch(&b, at, bytes, insn, stable);
		else if (ok && r->kind == K_POPF)
			ok = build_copy(&b, at, bytes, insn, AS_D_EXIT_C, 0);
		else if (ok)
			ok = build_copy(&b, at, bytes, insn, AS_D_EXIT, stable);
		if (ok) {
			r->stub = (uint64_t)room;
			arena_used(r->stub, (uint64_t)b.p);
		} else {
			r->kind = K_FALLBACK;
		}
	}
	uint32_t h = rec_hash(at);
	r->chain = rhash[h];
	rhash[h] = ++n_recs;
	return r;
}

/* Whether linked exits may jump straight into r's stub. */
static int
linkable(const struct disp_rec *r)
{
	return r->stub && (r->kind == K_COPY || r->kind == K_BRANCH);
}

static int links_full;

/* Puts r into the handler's table, with the window of bytes it checks. */
static void
promote(struct disp_rec *r, int stable)
{
	uint64_t a = r->addr, off = a & (PAGE - 1);
	/* The window never reaches into a page the instruction does not
	 * touch: from a, unless a is in a page's last 16 bytes without
	 * crossing it, then ending at the instruction's end. */
	uint64_t win = (off <= PAGE - 16 || off + r->len > PAGE) ? a : a + r->len - 16;
	uint8_t w[16] = { 0 }, m[16] = { 0 };
	for (unsigned i = 0; i < r->len; i++) {
		w[a - win + i] = r->bytes[i];
		m[a - win + i] = 0xff;
	}
	struct disp_l1 *e = &l1[l1_index(a)];
	*(volatile uint64_t *)&e->addr = ~0ull;
	ORDER();
	e->entry = r->stub && r->kind != K_POPF ? r->stub : (uint64_t)disp_c_insn;
	if (stable) {
		/* Nothing to compare: a hot, always-equal window instead of
		 * a load from the code's cache line. */
		e->win = (uint64_t)zero_window;
		e->exp0 = e->exp1 = e->m0 = e->m1 = 0;
	} else {
		e->win = win;
		memcpy(&e->exp0, w, 8);
		memcpy(&e->exp1, w + 8, 8);
		memcpy(&e->m0, m, 8);
		memcpy(&e->m1, m + 8, 8);
	}
	e->link = stable && linkable(r) && !links_full;
	ORDER();
	*(volatile uint64_t *)&e->addr = a;
}

/*
 * The record for the instruction at `at` as its bytes are now (built if
 * new), checked executable and put in the handler's table; NULL when the
 * kernel must step it (unreadable, undecodable, not executable).
 */
static struct disp_rec *
lookup_locked(struct agent_state *s, uint64_t at)
{
	uint8_t cur[16];
	unsigned n = read_code(at, cur);
	if (n == 0)
		return NULL;
	uint32_t h = rec_hash(at);
	struct disp_rec *r = NULL;
	for (uint32_t i = rhash[h]; i; i = recs[i - 1].chain) {
		struct disp_rec *c = &recs[i - 1];
		if (c->addr == at && c->len <= n && memcmp(c->bytes, cur, c->len) == 0) {
			r = c;
			break;
		}
	}
	if (!r) {
		struct x86_insn insn;
		if (x86_decode(cur, n, X86_VENDOR_AMD, &insn) != X86_OK)
			return NULL;
		if (!executable(s, at, insn.len))
			return NULL;
		r = new_record(s, at, cur, &insn, code_stable(at, insn.len));
	} else if (!executable(s, at, r->len)) {
		return NULL;
	}
	ring_put_code(s, at, cur, r->len);
	promote(r, code_stable(at, r->len));
	return r;
}

static struct disp_rec *
lookup(struct agent_state *s, uint64_t at)
{
	lock_acquire(&rec_lock);
	struct disp_rec *r = lookup_locked(s, at);
	lock_release(&rec_lock);
	return r;
}

/*
 * A linked exit came through disp_unlinked to C (why 3): its slot (found
 * from AS_D_LAST) is linked to the stub of the instruction it exits to,
 * when that is code that cannot change unseen.  Done before anything
 * else: a signal started at this boundary moves ctx.rip to the handler,
 * which is not what the exit jumps to.
 */
static void
link_last(struct agent_state *s)
{
	uint64_t ret = s->d_last, next = s->ctx.rip;
	uint64_t *slot = linked_exit_slot(ret);
	if (!ret || links_full || linked_exit_next(ret) != next)
		return;
	lock_acquire(&rec_lock);
	struct disp_rec *r = lookup_locked(s, next);
	if (r && linkable(r) && code_stable(next, r->len) && link_unlinked(slot)) {
		if (link_set(slot, next, r->stub)) {
			prot_range_mark_linked(next, r->len);
		} else {
			/* The registry is full: no entry may ask for links. */
			links_full = 1;
			for (unsigned i = 0; i < DISP_L1_SIZE; i++)
				l1_clear(&l1[i]);
		}
	}
	lock_release(&rec_lock);
}

void
displaced_fork_begin(void)
{
	lock_acquire(&rec_lock);
}

void
displaced_fork_end(int child)
{
	if (child)
		lock_reset(&rec_lock, 0);
	else
		lock_release(&rec_lock);
}

/*
 * Stub exits go through C while AC is set (disp_exit's loads are
 * unaligned) and while the tracer holds a signal for the next instruction
 * boundary.  The tracer queues a signal that stops the thread in a stub,
 * in disp_exit or here and points d_exit at C itself (tracer/
 * patch_engine.c take_signal); the store comes before the look at
 * `queued` so that a signal queued between the two is not lost.
 */
static void
set_exit(struct agent_state *s)
{
	volatile uint64_t *exit = &s->d_exit, *go = &s->d_go;
	volatile uint64_t *queued = &((struct agent_sig *)s->reserved[AGENT_SIG_SLOT])->queued;
	ring_fast_sync(s);
	int ac = (s->ctx.rflags & RFLAGS_AC) != 0;
	*exit = ac ? (uint64_t)disp_c_exit : (uint64_t)disp_exit;
	*go = !ac; /* linked exits and disp_ind go to C too */
	__asm__ volatile("" ::: "memory");
	if (*queued) {
		*exit = (uint64_t)disp_c_exit;
		*go = 0;
	}
}

static __attribute__((noreturn)) void
run(struct agent_state *s)
{
	for (;;) {
		signal_boundary(s);
		uint64_t at = s->ctx.rip;
		struct disp_rec *r = lookup(s, at);
		if (s->ctx.rflags & RFLAGS_TF) {
			/* The program's own trap flag: the kernel steps each
			 * instruction and the tracer hands the step trap to
			 * the program (tracer/patch_engine.c fallback_step).
			 * Its syscalls would need that trap after the agent
			 * ran them: not yet. */
			if (r && r->kind == K_SYSCALL)
				stop(s, AGENT_REQ_UNSUPPORTED, AGENT_WHY_TRAPFLAG, at);
			gate(s, AGENT_REQ_STEP);
			continue;
		}
		if (!r || r->kind == K_FALLBACK) {
			gate(s, AGENT_REQ_STEP);
			continue;
		}
		if (r->kind == K_SYSCALL) {
			struct x86_insn insn = { .len = r->len };
			agent_syscall(s, &insn);
			continue;
		}
		if (r->kind == K_POPF) {
			/* popf that sets TF: the kernel steps it, so the
			 * trap comes after the next instruction, as natively. */
			uint64_t v = 0;
			if (agent_safe_copy(&v, (const void *)s->ctx.gpr[X86_RSP], 2) == 0 &&
			    (v & RFLAGS_TF)) {
				gate(s, AGENT_REQ_STEP);
				continue;
			}
		}
		s->d_cur = at;
		s->d_target = r->stub;
		set_exit(s);
		disp_resume();
	}
}

/* From disp_c_exit (why 1: d_cur retired, ctx.rip = the next),
 * disp_c_insn (why 0: ctx.rip = d_cur, still to run), disp_sigentry
 * (why 2: the tracer started a signal handler, ctx = its entry) or
 * disp_c_link (why 3: as 0, and the last linked exit links to it). */
void
displaced_c(struct agent_state *s, int why)
{
	if (why == 1)
		emit(s, s->d_cur);
	else if (why == 3)
		link_last(s);
	run(s);
}

/* Maps the record tables once per process image (fork children share
 * the parent's copy, an execve starts a new agent). */
static void
tables_map(struct agent_state *s)
{
	for (uint64_t at = TABLES_AT; at < TABLES_AT + 16 * TABLES_STEP; at += TABLES_STEP) {
		long r = sys6(NR_MMAP, (long)at, (long)TABLES_BYTES, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (r < 0)
			continue;
		if ((uint64_t)r != at) {
			sys_munmap((uint64_t)r, TABLES_BYTES);
			continue;
		}
		recs = (struct disp_rec *)at;
		rhash = (uint32_t *)(at + (uint64_t)MAX_RECS * sizeof(struct disp_rec));
		links_init(rhash + RHASH_SIZE, MAX_LINKS);
		cloak_hide(at, at + TABLES_BYTES);
		/* Kept out of the trace's memory map, with the protection it
		 * has (rw-: a page, not an arena, for the tracer). */
		s->req_arg[0] = at;
		s->req_arg[1] = TABLES_BYTES;
		s->req_arg[2] = PROT_READ | PROT_WRITE;
		gate(s, AGENT_REQ_ARENA);
		return;
	}
	stop(s, AGENT_REQ_FAILED, AGENT_WHY_DISP_FULL, TABLES_AT);
}

void
displaced_run(struct agent_state *s, int first)
{
	if (!recs)
		tables_map(s);
	/* The table starts zeroed, untouched (4 MiB: clearing it all cost
	 * ~2 ms per process).  A zeroed entry never matches: its address 0
	 * could only be looked up at index l1_index(0) = 0, the one entry
	 * made empty here. */
	if (first)
		l1_clear(&l1[0]);
	s->d_l1 = (uint64_t)l1;
	s->d_exit_c = (uint64_t)disp_c_exit;
	s->d_step = (uint64_t)disp_step;
	s->d_ind = (uint64_t)disp_ind;
	s->d_last = 0;
	((struct agent_sig *)s->reserved[AGENT_SIG_SLOT])->sigentry = (uint64_t)disp_sigentry;
	set_exit(s);
	run(s);
}
