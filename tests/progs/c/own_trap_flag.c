/*
 * The program single-steps itself: it sets TF with popf and counts the
 * SIGTRAPs; the 50th handler call clears TF in the interrupted context.
 * Expected output: traps=50 x=4950, exit 0, under umss as natively.
 */
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

static volatile int traps;

static void
on_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	(void)si;
	if (++traps == 50)
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	sigaction(SIGTRAP, &sa, NULL);
	__asm__ volatile("pushf; orq $0x100, (%%rsp); popf" ::: "memory", "cc");
	volatile long x = 0;
	for (int i = 0; i < 100; i++)
		x += i;
	printf("traps=%d x=%ld\n", traps, (long)x);
	return 0;
}
