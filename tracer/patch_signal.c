/*
 * Engine `patch`, signals: helpers for the tracer's side.  How signals work
 * under this engine is told in agent/signal.c and docs/AGENT.md "Signals";
 * the frame offsets below are the kernel's x86-64 struct rt_sigframe
 * (arch/x86/include/asm/sigframe.h) and struct ucontext/sigcontext
 * (include/uapi/asm-generic/ucontext.h, arch/x86/include/uapi/asm/sigcontext.h).
 */
#include "tracer/patch_signal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#define UC_SIGMASK 296      /* ucontext: flags 8, link 8, stack 24, mcontext 256 */
#define UC_OLDMASK (40 + 168) /* uc_mcontext.oldmask */

static int
xfer(pid_t pid, uint64_t addr, void *buf, size_t n, int write)
{
	struct iovec local = { buf, n };
	struct iovec remote = { (void *)addr, n };
	ssize_t r = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
			  : process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return r == (ssize_t)n ? 0 : -1;
}

int
patch_sig_read(pid_t pid, uint64_t addr, struct agent_sig *as)
{
	return addr ? xfer(pid, addr, as, sizeof *as, 0) : -1;
}

int
patch_sig_write(pid_t pid, uint64_t addr, const struct agent_sig *as)
{
	return addr ? xfer(pid, addr, (void *)as, sizeof *as, 1) : -1;
}

bool
patch_sig_restart_code(uint64_t rax)
{
	/* ERESTARTSYS 512, ERESTARTNOINTR 513, ERESTARTNOHAND 514,
	 * ERESTART_RESTARTBLOCK 516 */
	long v = (long)rax;
	return v == -512 || v == -513 || v == -514 || v == -516;
}

uint64_t
patch_sig_blocked_mask(pid_t pid, pid_t tid)
{
	char path[64], line[256];
	uint64_t mask = 0;
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SigBlk: %lx", &mask) == 1)
			break;
	fclose(f);
	return mask;
}

int
patch_sig_frame_trap_bit(pid_t pid, uint64_t uc_addr, int set)
{
	uint64_t m, bit = 1ull << (SIGTRAP - 1);
	if (xfer(pid, uc_addr + UC_SIGMASK, &m, 8, 0) < 0)
		return -1;
	int old = (m & bit) != 0;
	m = set ? m | bit : m & ~bit;
	if (xfer(pid, uc_addr + UC_SIGMASK, &m, 8, 1) < 0)
		return -1;
	/* oldmask is the first word of the same mask (sigcontext). */
	xfer(pid, uc_addr + UC_OLDMASK, &m, 8, 1);
	return old;
}
