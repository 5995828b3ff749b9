/*
 * What the tracer and the agent share for signals (engines `patch` and
 * `displaced`, docs/AGENT.md "Signals").  The block lives in the agent's
 * memory; its address is in agent_state.reserved[AGENT_SIG_SLOT] (set by
 * the agent at its start), so the state block's layout, which engine
 * `displaced` also extends, does not change.
 */
#ifndef UMSS_COMMON_AGENT_SIGNAL_H
#define UMSS_COMMON_AGENT_SIGNAL_H

#include <stdint.h>

#define AGENT_SIG_SLOT 0        /* index in agent_state.reserved[] */

/* Requests (agent_state.req), after those in agent_abi.h. */
#define AGENT_REQ_DELIVER 16    /* deliver the queued signals at ctx (an instruction boundary) */
#define AGENT_REQ_SIGRETURN 17  /* step the program's rt_sigreturn at ctx in the kernel */

#define AGENT_WHY_SIGNAL 16     /* req_arg[1] = AGENT_SIGWHY_* */
#define AGENT_SIGWHY_TRAP_IGN 1 /* SIG_IGN for SIGTRAP */

struct agent_sig {
	uint64_t sigentry;      /* agent_sigentry (disp_sigentry): where the tracer sends a thread at a handler's entry */
	uint64_t in_syscall;    /* 1 while the agent runs one of the program's system calls */
	uint64_t queued;        /* signals the tracer holds for delivery at the next boundary */
	uint64_t trap_blocked;  /* the program's SIGTRAP bit of its signal mask (the real bit stays clear) */
	uint64_t fix_mask;      /* 1: a handler was entered, take SIGTRAP out of the real mask */
	uint64_t requeue;       /* 1: send requeue_info back to the thread (rt_tgsigqueueinfo), it is blocked */
	uint8_t requeue_info[128]; /* siginfo_t, as the kernel gave it to the tracer */
};

#endif
