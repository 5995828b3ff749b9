/* Signals in the agent (agent/signal.c). */
#ifndef UMSS_AGENT_SIGNAL_H
#define UMSS_AGENT_SIGNAL_H

#include "agent/agent.h"
#include "common/agent_signal.h"

enum signal_syscall_result {
	SIGNAL_SYSCALL_RUN = 0, /* not ours: run it as is */
	SIGNAL_SYSCALL_DONE,    /* emulated: *ret is the result, it retires as usual */
	SIGNAL_SYSCALL_STEPPED, /* the tracer ran and recorded it, ctx is updated */
};

void signal_init(struct agent_state *s);
/* The program's rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigreturn. */
enum signal_syscall_result signal_syscall(struct agent_state *s, long nr, long *ret);
/* At an instruction boundary: deliver what the tracer queued. */
void signal_boundary(struct agent_state *s);
/* Brackets the program's own system calls (the tracer must know). */
void signal_syscall_begin(struct agent_state *s);
void signal_syscall_end(struct agent_state *s);

#endif
