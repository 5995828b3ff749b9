/*
 * Faults raised by branches whose target or return address is unreadable
 * (jmp *mem, call *mem, ret with rsp at an unmapped page, call with rsp
 * at an unmapped page), each caught by a SIGSEGV handler on an alternate
 * stack that prints what the frame holds (rip, rax, rsp relative to the
 * values set before, si_addr) and resumes at a recovery label.  Engine
 * displaced runs these branches from stubs that use rax and fault after
 * saving it (agent/displaced.c build_branch): the frame must hold the
 * program's rax and the branch's own address, as natively.
 * Expected output: four lines, the same natively and under every engine.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static uint64_t want_rip, want_rsp, recover_rip, recover_rsp;
static uint64_t bad;

static void
on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	(void)sig;
	printf("rip at the branch %d, rax %#llx, rsp moved %lld, si_addr - bad %lld, code %d\n",
	       (uint64_t)g[REG_RIP] == want_rip, (unsigned long long)g[REG_RAX],
	       (long long)((uint64_t)g[REG_RSP] - want_rsp),
	       (long long)((uint64_t)si->si_addr - bad), si->si_code);
	g[REG_RIP] = (greg_t)recover_rip;
	g[REG_RSP] = (greg_t)recover_rsp;
}

int
main(void)
{
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	sigaction(SIGSEGV, &sa, NULL);
	/* Two pages, the second unmapped: bad is its first byte. */
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	munmap(p + 4096, 4096);
	bad = (uint64_t)(p + 4096);
	fflush(stdout);

	/* jmp *(%rbx), rbx unreadable */
	__asm__ volatile(
		"lea 1f(%%rip), %%rax; mov %%rax, %[want]\n"
		"lea 2f(%%rip), %%rax; mov %%rax, %[rec]\n"
		"mov %%rsp, %[wsp]; mov %%rsp, %[rsp]\n"
		"mov $0x1111, %%eax\n"
		"1: jmp *(%[b])\n"
		"2:\n"
		: [want] "=m"(want_rip), [rec] "=m"(recover_rip), [wsp] "=m"(want_rsp),
		  [rsp] "=m"(recover_rsp)
		: [b] "r"(bad) : "rax", "memory");
	/* call *(%rbx) */
	__asm__ volatile(
		"lea 1f(%%rip), %%rax; mov %%rax, %[want]\n"
		"lea 2f(%%rip), %%rax; mov %%rax, %[rec]\n"
		"mov %%rsp, %[wsp]; mov %%rsp, %[rsp]\n"
		"mov $0x2222, %%eax\n"
		"1: call *(%[b])\n"
		"2:\n"
		: [want] "=m"(want_rip), [rec] "=m"(recover_rip), [wsp] "=m"(want_rsp),
		  [rsp] "=m"(recover_rsp)
		: [b] "r"(bad) : "rax", "memory");
	/* ret with rsp at the unmapped page */
	__asm__ volatile(
		"lea 1f(%%rip), %%rax; mov %%rax, %[want]\n"
		"lea 2f(%%rip), %%rax; mov %%rax, %[rec]\n"
		"mov %%rsp, %[rsp]; mov %[b], %[wsp]\n"
		"mov $0x3333, %%eax\n"
		"mov %%rsp, %%rdx; mov %[b], %%rsp\n"
		"1: ret\n"
		"2:\n"
		: [want] "=m"(want_rip), [rec] "=m"(recover_rip), [wsp] "=m"(want_rsp),
		  [rsp] "=m"(recover_rsp)
		: [b] "r"(bad) : "rax", "rdx", "memory");
	/* call with rsp 8 bytes into the unmapped page: the push faults */
	__asm__ volatile(
		"lea 1f(%%rip), %%rax; mov %%rax, %[want]\n"
		"lea 2f(%%rip), %%rax; mov %%rax, %[rec]\n"
		"mov %%rsp, %[rsp]; lea 8(%[b]), %%rax; mov %%rax, %[wsp]\n"
		"mov $0x4444, %%eax\n"
		"lea 8(%[b]), %%rsp\n"
		"1: call 3f\n"
		"3: ud2\n"
		"2:\n"
		: [want] "=m"(want_rip), [rec] "=m"(recover_rip), [wsp] "=m"(want_rsp),
		  [rsp] "=m"(recover_rsp)
		: [b] "r"(bad) : "rax", "memory");
	return 0;
}
