/*
 * Engine patch writes a jump over the next instruction, so it needs the
 * code page writable, but the program must keep seeing the protection it
 * asked for (DESIGN.md "Invariants"):
 * - a code mapping is made writable (mprotect of the whole mapping,
 *   prot | PROT_WRITE) when first patched; its own protection is
 *   remembered.  A store of the program
 *   into such a page would not fault: step.c asks code_pages_ours() for
 *   every instruction's memory writes and, on a hit, gives the pages
 *   back their protection and has the kernel step the instruction, so
 *   the fault (or, for a page the program made writable itself, no
 *   fault) is native.
 * - /proc/PID/maps would show rwx: before every system call that can
 *   see mappings (the memory calls, fork, opening /proc files and
 *   reading from descriptors opened on /proc, any argument pointing into
 *   a code mapping made writable: a read() there fails natively)
 *   the mappings get their protection back.  The next patch there costs
 *   one mprotect (the protection and bounds are still known).
 * - a MAP_SHARED code mapping is never patched (its instructions are
 *   kernel steps): another view of the same memory (a JIT's writable
 *   alias, another process, the file itself) would see the jump.
 * - the vdso is sealed (mprotect refuses): the jump goes in through
 *   /proc/self/mem, which writes like a debugger (FOLL_FORCE).  That
 *   descriptor is opened when needed and closed before every system call
 *   of the program, so the program can never see it, close it, dup2 over
 *   it or run out of descriptors because of it.
 */
#include "agent/code_pages.h"
#include "agent/sys.h"

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define PAGE 4096ull
#define REGIONS 64           /* mappings known (a program has a handful of code mappings) */
#define PROC_FDS 16          /* descriptors opened on /proc that may be read */

#define R_OURS 8             /* we added PROT_WRITE: it must go again */
#define R_MEM 16             /* sealed: written through /proc/self/mem */
#define R_SHARED 32          /* MAP_SHARED: never patched */

/* A whole mapping (one /proc/PID/maps line) is made writable, never a
 * part of it: mprotect of a part splits the mapping, and the parts do not
 * merge again once written (each gets its own anon_vma). */
struct region {
	uint64_t start, end;
	unsigned prot, flags;
};
static struct region regions[REGIONS];
static unsigned n_regions, n_ours, last_hit;
static long mem_fd = -1;
static int proc_fds[PROC_FDS];
static unsigned n_proc_fds;

static void
gate(struct agent_state *s, uint64_t req)
{
	s->req = req;
	agent_gate();
}

static struct region *
find(uint64_t page)
{
	struct region *r = &regions[last_hit];
	if (last_hit < n_regions && page >= r->start && page < r->end)
		return r;
	for (unsigned i = 0; i < n_regions; i++)
		if (page >= regions[i].start && page < regions[i].end) {
			last_hit = i;
			return &regions[i];
		}
	return NULL;
}

void
code_pages_restore(void)
{
	if (!n_ours)
		return;
	for (unsigned i = 0; i < n_regions; i++)
		if (regions[i].flags & R_OURS) {
			sys_mprotect(regions[i].start, regions[i].end - regions[i].start, (int)regions[i].prot);
			regions[i].flags &= ~R_OURS;
		}
	n_ours = 0;
}

/* Gives the mappings back and forgets them (their protections may change). */
static void
forget_all(void)
{
	code_pages_restore();
	n_regions = 0;
}

static void
close_mem(void)
{
	if (mem_fd >= 0)
		sys6(NR_CLOSE, mem_fd, 0, 0, 0, 0, 0);
	mem_fd = -1;
}

static int
open_mem(void)
{
	if (mem_fd < 0)
		mem_fd = sys6(NR_OPEN, (long)"/proc/self/mem", 02 | 02000000 /* O_RDWR | O_CLOEXEC */,
			      0, 0, 0, 0);
	return mem_fd < 0 ? -1 : 0;
}

/* Makes the mapping writable the cheapest way we may; see CODE_PAGE_*. */
static int
make_writable(struct region *r)
{
	if (r->flags & R_SHARED)
		return CODE_PAGE_NO; /* never patched (above) */
	if (r->flags & R_MEM)
		return CODE_PAGE_MEM;
	if ((r->flags & R_OURS) || (r->prot & PROT_WRITE))
		return CODE_PAGE_DIRECT;
	if (sys_mprotect(r->start, r->end - r->start, (int)(r->prot | PROT_WRITE)) == 0) {
		r->flags |= R_OURS;
		n_ours++;
		return CODE_PAGE_DIRECT;
	}
	r->flags |= R_MEM; /* the vdso: sealed on this kernel */
	return CODE_PAGE_MEM;
}

int
code_page_writable(struct agent_state *s, uint64_t page)
{
	if (page < PAGE)
		return CODE_PAGE_NO; /* below mmap_min_addr: never mapped */
	struct region *r = find(page);
	if (!r) {
		/* The tracer answers from its copy of /proc/PID/maps: the
		 * protection and the mapping's bounds.  It may read the maps
		 * again to answer (and write MAP events): they must show the
		 * program's protections. */
		code_pages_restore();
		s->req_arg[0] = page;
		gate(s, AGENT_REQ_PROT);
		uint64_t prot = s->req_result;
		if (prot == ~0ull || !(prot & PROT_EXEC))
			return CODE_PAGE_NO; /* the program faults there itself */
		if (n_regions == REGIONS)
			forget_all();
		r = &regions[n_regions++];
		r->start = s->req_arg[1];
		r->end = s->req_arg[2];
		r->prot = (unsigned)prot & 7;
		r->flags = s->req_arg[3] ? R_SHARED : 0;
		if (page < r->start || page >= r->end) { /* an older tracer: this page only */
			r->start = page;
			r->end = page + PAGE;
		}
	}
	return make_writable(r);
}

int
code_write(uint64_t at, const void *bytes, int how)
{
	if (how == CODE_PAGE_DIRECT) {
		memcpy((void *)at, bytes, CODE_PATCH_LEN);
		return 0;
	}
	if (open_mem() < 0)
		return -1;
	return sys6(NR_PWRITE64, mem_fd, (long)bytes, CODE_PATCH_LEN, (long)at, 0, 0) == CODE_PATCH_LEN
		       ? 0 : -1;
}

int
code_pages_ours(uint64_t lo, uint64_t hi)
{
	if (!n_ours)
		return 0;
	if (hi <= lo)
		return hi != lo; /* wraps around: the instruction faults anyway, be safe */
	for (unsigned i = 0; i < n_regions; i++)
		if ((regions[i].flags & R_OURS) && lo < regions[i].end && regions[i].start < hi)
			return 1;
	return 0;
}

static int
proc_fd_index(long fd)
{
	for (unsigned i = 0; i < n_proc_fds; i++)
		if (proc_fds[i] == fd)
			return (int)i;
	return -1;
}

/* The path argument of open/openat names something under /proc. */
static int
opens_proc(uint64_t path)
{
	char p[6];
	if (agent_safe_copy(p, (const void *)path, sizeof p) < 0)
		return 1; /* let the kernel say EFAULT; restoring costs nothing wrong */
	return memcmp(p, "/proc/", 6) == 0;
}

enum { NR_READ = 0, NR_PREAD64 = 17, NR_READV = 19, NR_MADVISE = 28, NR_MINCORE = 27,
       NR_MSYNC = 26, NR_DUP2 = 33, NR_OPENAT = 257, NR_MLOCK = 149, NR_MUNLOCK = 150,
       NR_MLOCKALL = 151, NR_REMAP_FILE_PAGES = 216, NR_PREADV = 295, NR_DUP3 = 292,
       NR_PROCESS_VM_READV = 310, NR_PROCESS_VM_WRITEV = 311, NR_PREADV2 = 327,
       NR_MLOCK2 = 325, NR_OPENAT2 = 437, NR_CLOSE_RANGE = 436 };

void
code_pages_before_syscall(long nr, const uint64_t *g)
{
	close_mem();
	switch (nr) {
	case NR_MMAP: case NR_MPROTECT: case NR_MUNMAP: case NR_MREMAP: case NR_PKEY_MPROTECT:
	case NR_SHMAT: case NR_SHMDT: case NR_BRK: case NR_REMAP_FILE_PAGES:
		/* The program's own protections replace ours: ask again. */
		forget_all();
		break;
	case NR_MADVISE: case NR_MINCORE: case NR_MSYNC: case NR_MLOCK: case NR_MUNLOCK:
	case NR_MLOCKALL: case NR_MLOCK2: case NR_PROCESS_VM_READV: case NR_PROCESS_VM_WRITEV:
	case NR_FORK: case NR_VFORK: case NR_CLONE: case NR_CLONE3:
		code_pages_restore();
		break;
	case NR_OPEN:
		if (n_ours && opens_proc(g[X86_RDI]))
			code_pages_restore();
		break;
	case NR_OPENAT: case NR_OPENAT2:
		if (n_ours && opens_proc(g[X86_RSI]))
			code_pages_restore();
		break;
	case NR_READ: case NR_PREAD64: case NR_READV: case NR_PREADV: case NR_PREADV2:
		if (n_ours && proc_fd_index((long)g[X86_RDI]) >= 0)
			code_pages_restore();
		break;
	}
	/* A buffer in a code mapping the agent made writable: natively the
	 * kernel's store there fails (EFAULT).  Any argument that points
	 * into one (a number that happens to is harmless: one restore). */
	for (int i = 0; n_ours && i < 6; i++) {
		static const int arg_reg[6] = { X86_RDI, X86_RSI, X86_RDX, X86_R10, X86_R8, X86_R9 };
		if (code_pages_ours(g[arg_reg[i]], g[arg_reg[i]] + 1))
			code_pages_restore();
	}
}

void
code_pages_after_syscall(long nr, const uint64_t *g, long result)
{
	int i;
	switch (nr) {
	case NR_OPEN: case NR_OPENAT: case NR_OPENAT2:
		if (result < 0 || !opens_proc(g[nr == NR_OPEN ? X86_RDI : X86_RSI]))
			break;
		if (n_proc_fds < PROC_FDS && proc_fd_index(result) < 0)
			proc_fds[n_proc_fds++] = (int)result;
		break;
	case NR_CLOSE: case NR_DUP2: case NR_DUP3:
		/* The descriptor named (closed, or replaced by dup2) is no
		 * longer on /proc. */
		i = proc_fd_index((long)g[nr == NR_CLOSE ? X86_RDI : X86_RSI]);
		if (result >= 0 && i >= 0)
			proc_fds[i] = proc_fds[--n_proc_fds];
		break;
	case NR_CLOSE_RANGE:
		for (unsigned k = 0; result == 0 && k < n_proc_fds;)
			if ((uint64_t)proc_fds[k] >= (g[X86_RDI] & 0xffffffff) &&
			    (uint64_t)proc_fds[k] <= (g[X86_RSI] & 0xffffffff))
				proc_fds[k] = proc_fds[--n_proc_fds];
			else
				k++;
		break;
	case NR_MMAP: case NR_MPROTECT: case NR_MUNMAP: case NR_MREMAP: case NR_PKEY_MPROTECT:
	case NR_SHMAT:
		forget_all(); /* a signal handler may have patched meanwhile */
		break;
	}
}

void
code_pages_forked_child(void)
{
	/* /proc/self/mem opened by the parent would be the parent's memory
	 * (it is closed before every syscall, so only for safety); the
	 * child's pages were given back before the fork. */
	close_mem();
	forget_all();
}
