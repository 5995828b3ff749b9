/* New processes made by the agent for the program (agent/process.c). */
#ifndef UMSS_AGENT_PROCESS_H
#define UMSS_AGENT_PROCESS_H

#include "agent/agent.h"

/* agent_run()'s second argument for a vfork child that starts in its
 * parent's memory with its own state block (ctx set up). */
#define AGENT_RUN_VCHILD 3

/* True when syscall nr at ctx (clone3) cannot be run by the agent (a
 * struct clone_args larger than it knows). */
int process_refused(const struct agent_state *s, long nr);
/* True when the child of fork/vfork/clone/clone3 nr at ctx will share the
 * memory (a thread, a vfork child in a slot); false for a copy. */
int process_shares_memory(const struct agent_state *s, long nr);
/* Runs fork, vfork, clone or clone3 (not refused) with the program's
 * registers (next: the address after the syscall); returns the kernel's
 * result.  A child that shares the memory never returns here (it starts
 * in agent_run(AGENT_RUN_VCHILD)); another returns 0, and *child_sp is
 * the stack it must start on, 0 to keep the parent's rsp. */
long process_syscall(struct agent_state *s, long nr, uint64_t next, uint64_t *child_sp);
/* In a forked child (a copy), before its own ring is opened again. */
void process_forked_child(const struct agent_state *s);

#endif
