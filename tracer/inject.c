/*
 * Injection: the tracer makes the stopped program run mmap for the agent
 * (a `syscall; int3` written over the bytes at its rip, restored after),
 * copies the agent image in, writes the program's registers into the
 * agent's state block and starts the agent with the gs base pointing at it
 * (PTRACE_SETREGS' gs_base: wrgsbase is not enabled on this kernel,
 * DESIGN.md "Known traps").
 */
#include "tracer/inject.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "common/agent_abi.h"

extern const unsigned char agent_image[], agent_image_end[];

static uint64_t
header(unsigned off)
{
	uint64_t v;
	memcpy(&v, agent_image + off, sizeof v);
	return v;
}

void
regs_to_ctx(const struct user_regs_struct *r, uint64_t gpr[16], uint64_t *rip, uint64_t *rflags)
{
	const unsigned long long v[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp,
					   r->rsi, r->rdi, r->r8,  r->r9,  r->r10, r->r11,
					   r->r12, r->r13, r->r14, r->r15 };
	for (int i = 0; i < 16; i++)
		gpr[i] = v[i];
	*rip = r->rip;
	*rflags = r->eflags;
}

void
ctx_to_regs(const uint64_t g[16], uint64_t rip, uint64_t rflags, struct user_regs_struct *r)
{
	r->rax = g[0]; r->rcx = g[1]; r->rdx = g[2]; r->rbx = g[3];
	r->rsp = g[4]; r->rbp = g[5]; r->rsi = g[6]; r->rdi = g[7];
	r->r8 = g[8]; r->r9 = g[9]; r->r10 = g[10]; r->r11 = g[11];
	r->r12 = g[12]; r->r13 = g[13]; r->r14 = g[14]; r->r15 = g[15];
	r->rip = rip;
	r->eflags = rflags;
}

long
remote_syscall(pid_t pid, long nr, const long args[6], int *failed)
{
	struct user_regs_struct saved, regs;
	int status;

	*failed = 1;
	if (ptrace(PTRACE_GETREGS, pid, 0L, &saved) < 0)
		return -errno;
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)saved.rip, 0L);
	if (errno)
		return -errno;
	/* syscall (0f 05); int3 (cc): the int3 stops it right after. */
	long code = (word & ~0xffffffl) | 0xcc050f;
	if (ptrace(PTRACE_POKETEXT, pid, (void *)saved.rip, (void *)code) < 0)
		return -errno;
	regs = saved;
	regs.rax = (unsigned long)nr;
	regs.orig_rax = (unsigned long)-1;
	regs.rdi = (unsigned long)args[0];
	regs.rsi = (unsigned long)args[1];
	regs.rdx = (unsigned long)args[2];
	regs.r10 = (unsigned long)args[3];
	regs.r8 = (unsigned long)args[4];
	regs.r9 = (unsigned long)args[5];
	long result = -EIO;
	if (ptrace(PTRACE_SETREGS, pid, 0L, &regs) == 0 && ptrace(PTRACE_CONT, pid, 0L, 0L) == 0) {
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP &&
		    ptrace(PTRACE_GETREGS, pid, 0L, &regs) == 0 && regs.rip == saved.rip + 3) {
			result = (long)regs.rax;
			*failed = 0;
		}
	}
	ptrace(PTRACE_POKETEXT, pid, (void *)saved.rip, (void *)word);
	ptrace(PTRACE_SETREGS, pid, 0L, &saved);
	return result;
}

/*
 * Where the agent goes: just above the highest mapping below the stack.
 * The kernel hands out mmap addresses top-down from below the stack's
 * reserved gap (mm/util.c mmap_base()), so that is the one place where the
 * agent's memory neither moves the program's later mappings (traces of
 * both engines keep the same addresses) nor lies in a brk heap's way; and
 * the shared libraries below it are within rel32 reach of the agent's
 * re-entry, so they need no trampolines.  0 when unknown.
 */
static uint64_t
agent_address(pid_t pid)
{
	char name[64], line[512];
	uint64_t stack = 0, top = 0;
	snprintf(name, sizeof name, "/proc/%d/maps", (int)pid);
	FILE *f = fopen(name, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long long lo, hi;
		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		if (strstr(line, "[stack]"))
			stack = lo;
		else if (!stack && hi < (1ull << 47))
			top = hi > top ? hi : top;
	}
	fclose(f);
	if (!stack || !top)
		return 0;
	uint64_t at = ((top + 0xfffff) & ~0xfffffull) + 0x100000;
	return at < stack ? at : 0;
}

int
agent_inject(pid_t pid, unsigned engine, struct agent_layout *out)
{
	size_t image = (size_t)(agent_image_end - agent_image);
	int failed;

	if (header(AH_MAGIC) != AGENT_MAGIC) {
		fprintf(stderr, "umss: the embedded agent image is damaged\n");
		return -1;
	}
	uint64_t size = header(AH_MEM_SIZE);
	uint64_t want = agent_address(pid);
	long margs[6] = { (long)want, (long)size, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				  (want ? MAP_FIXED_NOREPLACE : 0), -1, 0 };
	long base = remote_syscall(pid, 9 /* mmap */, margs, &failed);
	if (want && !failed && base != (long)want) {
		/* Taken after all: let the kernel choose. */
		margs[0] = 0;
		margs[3] &= ~MAP_FIXED_NOREPLACE;
		base = remote_syscall(pid, 9, margs, &failed);
	}
	if (failed || base < 0) {
		fprintf(stderr, "umss: cannot map the agent into the program: %s\n",
			failed ? "the program did not run the system call" : strerror((int)-base));
		return -1;
	}
	out->base = (uint64_t)base;
	out->size = size;
	out->state = out->base + header(AH_STATE);
	out->gate = out->base + header(AH_GATE);
	out->copy_begin = out->base + header(AH_COPY_BEGIN);
	out->copy_end = out->base + header(AH_COPY_END);
	out->copy_fixup = out->base + header(AH_COPY_FIXUP);

	struct iovec local = { (void *)agent_image, image };
	struct iovec remote = { (void *)out->base, image };
	if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != (ssize_t)image) {
		fprintf(stderr, "umss: cannot copy the agent into the program: %s\n", strerror(errno));
		return -1;
	}

	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, pid, 0L, &regs) < 0)
		return -1;
	struct agent_state st;
	memset(&st, 0, sizeof st);
	regs_to_ctx(&regs, st.ctx.gpr, &st.ctx.rip, &st.ctx.rflags);
	st.engine = engine; /* AGENT_ENGINE_* */
	st.ctx.fs_base = regs.fs_base;
	st.ctx.gs_base = regs.gs_base;
	local = (struct iovec){ &st, sizeof st };
	remote = (struct iovec){ (void *)out->state, sizeof st };
	if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof st) {
		fprintf(stderr, "umss: cannot set up the agent: %s\n", strerror(errno));
		return -1;
	}
	regs.rip = out->base + header(AH_START);
	regs.gs_base = out->state;
	if (ptrace(PTRACE_SETREGS, pid, 0L, &regs) < 0) {
		fprintf(stderr, "umss: cannot start the agent: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
