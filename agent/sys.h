/* Raw Linux x86-64 system calls for the agent: they return the kernel's
 * value, -errno on failure; there is no errno in the agent. */
#ifndef UMSS_AGENT_SYS_H
#define UMSS_AGENT_SYS_H

#include <stddef.h>
#include <stdint.h>

/* Numbers from arch/x86/entry/syscalls/syscall_64.tbl. */
enum {
	NR_OPEN = 2, NR_CLOSE = 3, NR_PWRITE64 = 18, NR_FCNTL = 72,
	NR_MMAP = 9, NR_MPROTECT = 10, NR_MUNMAP = 11, NR_BRK = 12, NR_RT_SIGACTION = 13,
	NR_RT_SIGRETURN = 15, NR_MREMAP = 25, NR_SHMAT = 30, NR_CLONE = 56, NR_FORK = 57,
	NR_VFORK = 58, NR_SHMDT = 67, NR_EXECVE = 59, NR_EXIT = 60, NR_PTRACE = 101, NR_SIGALTSTACK = 131,
	NR_ARCH_PRCTL = 158, NR_EXIT_GROUP = 231, NR_EXECVEAT = 322, NR_PKEY_MPROTECT = 329,
	NR_CLONE3 = 435,
};

static inline long
sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
sys_mmap(uint64_t addr, size_t len, int prot, int flags)
{
	return sys6(NR_MMAP, (long)addr, (long)len, prot, flags, -1, 0);
}

static inline long
sys_mprotect(uint64_t addr, size_t len, int prot)
{
	return sys6(NR_MPROTECT, (long)addr, (long)len, prot, 0, 0, 0);
}

static inline long
sys_munmap(uint64_t addr, size_t len)
{
	return sys6(NR_MUNMAP, (long)addr, (long)len, 0, 0, 0, 0);
}

#endif
