/*
 * Three int3s caught by a SIGTRAP handler.  Under a stepping tracer every
 * step inside the handler raises SIGTRAP while it is blocked, and the
 * kernel then resets the handler to SIG_DFL: the second int3 would kill
 * the program.  Expected output: traps=3, exit 0.
 */
#include <signal.h>
#include <stdio.h>

static volatile int traps;

static void
on_trap(int sig)
{
	(void)sig;
	traps++;
}

int
main(void)
{
	signal(SIGTRAP, on_trap);
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	printf("traps=%d\n", traps);
	return 0;
}
