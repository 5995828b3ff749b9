/*
 * The ptrace engine's half of the cloak (docs/CLOAK.md).  The engine runs
 * every syscall of the program under PTRACE_SYSCALL, so it sees each at
 * entry and exit: PTRACE_TRACEME is skipped at entry and answered at exit
 * as a program with no tracer would see it; a read of a process's status
 * file gets the TracerPid line umss's presence put there rewritten.  The
 * agent (agent/cloak.c) makes the same decisions with the same code
 * (common/cloak.h), so traces stay identical between engines.
 */
#include "tracer/cloak.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/cloak.h"

enum { SYS_READ = 0, SYS_PREAD64 = 17, SYS_PTRACE = 101 };

/* Bytes of one read looked at: status files are ~1.5 KiB. */
#define STATUS_MAX 65536

void
cloak_syscall_entry(pid_t tid, struct user_regs_struct *regs, struct cloak_process *cp,
		    struct cloak_call *call)
{
	call->skipped = false;
	if (regs->orig_rax != SYS_PTRACE || regs->rdi != CLOAK_PTRACE_TRACEME)
		return;
	/* Natively: 0 the first time, EPERM once traced by the parent. */
	call->result = cp->traceme ? -EPERM : 0;
	cp->traceme = true;
	call->skipped = true;
	regs->orig_rax = (unsigned long long)-1;
	ptrace(PTRACE_SETREGS, tid, 0L, regs);
}

static pid_t
parent_of(pid_t pid)
{
	char path[64];
	int ppid = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (f) {
		/* pid (comm) state ppid: comm may hold spaces and parentheses. */
		char line[512];
		if (fgets(line, sizeof line, f)) {
			char *close = strrchr(line, ')');
			if (close)
				sscanf(close + 1, " %*c %d", &ppid);
		}
		fclose(f);
	}
	return ppid;
}

static bool
is_status_fd(pid_t pid, long fd, long *owner)
{
	char path[64], link[128];
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
	ssize_t n = readlink(path, link, sizeof link);
	return n > 0 && n < (ssize_t)sizeof link && cloak_status_link(link, n, owner);
}

static void
fix_status_read(pid_t pid, pid_t tid, struct user_regs_struct *regs, const struct cloak_process *cp)
{
	long n = (long)regs->rax, owner;
	if (n <= 0 || n > STATUS_MAX || !is_status_fd(pid, (long)regs->rdi, &owner))
		return;
	/* Room for a longer pid than umss's, if the program's buffer has it. */
	long cap = (long)regs->rdx < n + 24 ? (long)regs->rdx : n + 24;
	char *buf = malloc((size_t)cap);
	if (!buf)
		return;
	struct iovec local = { buf, (size_t)n }, remote = { (void *)regs->rsi, (size_t)n };
	if (process_vm_readv(tid, &local, 1, &remote, 1, 0) == n) {
		long shown = owner == pid && cp->traceme ? parent_of(pid) : 0;
		long m = cloak_fix_tracer_pid(buf, n, cap, getpid(), shown);
		if (m >= 0) {
			local.iov_len = remote.iov_len = (size_t)m;
			if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == m) {
				regs->rax = (unsigned long long)m;
				ptrace(PTRACE_SETREGS, tid, 0L, regs);
			}
		}
	}
	free(buf);
}

void
cloak_syscall_exit(pid_t pid, pid_t tid, struct user_regs_struct *regs,
		   const struct cloak_process *cp, struct cloak_call *call)
{
	if (call->skipped) {
		call->skipped = false;
		regs->rax = (unsigned long long)call->result;
		ptrace(PTRACE_SETREGS, tid, 0L, regs);
		return;
	}
	if (regs->orig_rax == SYS_READ || regs->orig_rax == SYS_PREAD64)
		fix_status_read(pid, tid, regs, cp);
}
