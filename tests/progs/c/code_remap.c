/*
 * Code whose mapping changes under it: a function is mapped, run,
 * unmapped, and different code is mapped at the same address with
 * MAP_FIXED and run; then mremap moves the code to another address, where
 * it runs, and new code goes at the old address; then mprotect takes
 * execute away and a call there faults (SIGSEGV, SEGV_ACCERR), and a
 * call into the unmapped old place faults too (SEGV_MAPERR).  Expected
 * output: each result, and si_code and si_addr (relative to the mapping)
 * of the two faults.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(int);
static sigjmp_buf back;
static unsigned char *base;
static volatile long fault_off;
static volatile int fault_code;

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_off = (unsigned char *)si->si_addr - base;
	fault_code = si->si_code;
	siglongjmp(back, 1);
}

/* nop; mov eax, imm32; add eax, edi; ret.  The nop's bytes never
 * change: under engine displaced its stub, found again after each
 * remap, must not keep its link to the old mov's stub. */
static void
put_code(unsigned char *at, int imm)
{
	const unsigned char add[] = { 0x90, 0xb8, 0, 0, 0, 0, 0x01, 0xf8, 0xc3 };
	memcpy(at, add, sizeof add);
	memcpy(at + 2, &imm, 4);
}

static unsigned char *
map_code(void *where, int imm, int flags)
{
	unsigned char *p = mmap(where, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	put_code(p, imm);
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	return p;
}

/* Three calls: engine displaced links the nop's exit to the mov's stub
 * on the second. */
static void
try_call(const char *what, unsigned char *at)
{
	if (sigsetjmp(back, 1) == 0) {
		int r1 = ((fn_t)at)(1), r2 = ((fn_t)at)(2), r3 = ((fn_t)at)(3);
		printf("%s: %d %d %d\n", what, r1, r2, r3);
	} else
		printf("%s: SIGSEGV si_code %d at base%+ld\n", what, fault_code, fault_off);
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	/* Two pages reserved, so the second is a known free address. */
	base = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(base, 2 * 4096);
	unsigned char *a = map_code(base, 100, MAP_FIXED);
	try_call("first code", a);
	munmap(a, 4096);
	a = map_code(base, 200, MAP_FIXED);
	try_call("new code at the old address", a);
	map_code(base, 300, MAP_FIXED); /* MAP_FIXED over mapped code */
	try_call("MAP_FIXED over it", a);
	unsigned char *moved = mremap(a, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, base + 4096);
	try_call("moved by mremap", moved);
	try_call("old address after mremap", a);
	map_code(base, 400, MAP_FIXED);
	try_call("new code at the mremap source", a);
	mprotect(moved, 4096, PROT_READ);
	try_call("moved, not executable", moved);
	mprotect(moved, 4096, PROT_READ | PROT_EXEC);
	try_call("moved, executable again", moved);
	return 0;
}
