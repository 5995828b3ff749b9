/*
 * What a stepping tracer's trap flag must not leak into: the flags `pushf`
 * pushes (before and after a `push; popf`), r11 after a `syscall` (the CPU
 * saves rflags there), and the interrupted context a signal handler gets.
 * Expected output: pushf=0 after_popf=0 r11=0 ctx=0, exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

static long ctx_tf;

static void
on_usr1(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	(void)si;
	ctx_tf = uc->uc_mcontext.gregs[REG_EFL] & 0x100;
}

int
main(void)
{
	long flags, after_popf, r11;

	__asm__ volatile("pushf; pop %0" : "=r"(flags));
	__asm__ volatile("push $0x202; popf; nop; nop; pushf; pop %0" : "=r"(after_popf) : : "cc");
	/* getpid: rax = 39; the CPU stores rflags in r11. */
	__asm__ volatile("mov $39, %%eax; syscall; mov %%r11, %0"
			 : "=r"(r11) : : "rax", "rcx", "r11", "memory");
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("pushf=%ld after_popf=%ld r11=%ld ctx=%ld\n", flags & 0x100, after_popf & 0x100,
	       r11 & 0x100, ctx_tf);
	return 0;
}
