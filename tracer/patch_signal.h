/* Engine `patch`, signals: helpers for the tracer's side (docs/AGENT.md "Signals"). */
#ifndef UMSS_TRACER_PATCH_SIGNAL_H
#define UMSS_TRACER_PATCH_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/agent_signal.h"

/* The agent's struct agent_sig at addr in pid: 0 or -1. */
int patch_sig_read(pid_t pid, uint64_t addr, struct agent_sig *as);
int patch_sig_write(pid_t pid, uint64_t addr, const struct agent_sig *as);
/* True when rax is one of the kernel's internal restart codes
 * (include/linux/errno.h ERESTARTSYS..ERESTART_RESTARTBLOCK). */
bool patch_sig_restart_code(uint64_t rax);
/* The blocked mask of thread tid (/proc status SigBlk), 0 if unknown. */
uint64_t patch_sig_blocked_mask(pid_t pid, pid_t tid);
/* Sets or clears SIGTRAP's bit in the signal mask a frame holds (uc at
 * uc_addr: uc_sigmask and sigcontext.oldmask).  Returns the old bit or -1. */
int patch_sig_frame_trap_bit(pid_t pid, uint64_t uc_addr, int set);

#endif
