/* The ptrace engine's half of the cloak (common/cloak.h, docs/CLOAK.md):
 * the program's PTRACE_TRACEME and its reads of status files answered as
 * natively, decided at the syscall's PTRACE_SYSCALL stops. */
#ifndef UMSS_TRACER_CLOAK_H
#define UMSS_TRACER_CLOAK_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>

/* Per process: the program's PTRACE_TRACEME succeeded (as it saw it). */
struct cloak_process {
	bool traceme;
};

/* Per thread: the pending syscall is answered by the cloak. */
struct cloak_call {
	bool skipped;
	long result;
};

/* At the syscall-entry stop of tid: a call the cloak answers itself is
 * skipped (orig_rax = -1 written to the thread) and noted in *call. */
void cloak_syscall_entry(pid_t tid, struct user_regs_struct *regs, struct cloak_process *cp,
			 struct cloak_call *call);

/* At its exit stop (regs read there; written back when changed): the
 * skipped call's result, or a status file's TracerPid put right. */
void cloak_syscall_exit(pid_t pid, pid_t tid, struct user_regs_struct *regs,
			const struct cloak_process *cp, struct cloak_call *call);

#endif
