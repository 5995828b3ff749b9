/* New processes made by the agent for the program (agent/process.c). */
#ifndef UMSS_AGENT_PROCESS_H
#define UMSS_AGENT_PROCESS_H

#include "agent/agent.h"

/* True when syscall nr at ctx (clone, clone3) would make a thread, which
 * the user-mode engines do not support yet. */
int process_refused(const struct agent_state *s, long nr);
/* Runs fork, vfork, clone or clone3 (not refused) with the program's
 * registers; returns the kernel's result (0 in the child).  *child_sp is
 * the stack the child must start on, 0 to keep the parent's rsp. */
long process_syscall(struct agent_state *s, long nr, uint64_t *child_sp);

#endif
