/* Putting the agent into a traced program (engine `patch`). */
#ifndef UMSS_TRACER_INJECT_H
#define UMSS_TRACER_INJECT_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Where the agent landed in the program (absolute addresses). */
struct agent_layout {
	uint64_t base, size;        /* the agent's mapping */
	uint64_t state;             /* struct agent_state */
	uint64_t gate;              /* rip of a stop that is a request (after the int3) */
	uint64_t copy_begin, copy_end, copy_fixup; /* agent_safe_copy's fault range */
};

/*
 * pid is stopped at a signal-delivery or trap stop at its first
 * instruction.  Maps the agent image (with its bss) into it, copies the
 * program's registers into the agent's state and points the thread at the
 * agent's entry with the gs base at the state.  Returns 0, or -1 after
 * printing why.
 */
int agent_inject(pid_t pid, unsigned engine, struct agent_layout *out);

/* Runs one system call in the stopped thread pid (its registers and code
 * are restored after); returns the kernel's result or -errno, or sets
 * *failed. */
long remote_syscall(pid_t pid, long nr, const long args[6], int *failed);

/* The program's registers in the agent's order (struct x86_regs). */
void regs_to_ctx(const struct user_regs_struct *r, uint64_t gpr[16], uint64_t *rip,
		 uint64_t *rflags);
void ctx_to_regs(const uint64_t gpr[16], uint64_t rip, uint64_t rflags,
		 struct user_regs_struct *r);

#endif
