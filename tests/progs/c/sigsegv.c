/*
 * SIGSEGV handlers: a store to NULL caught by a handler that siglongjmps
 * out (three times, with the signal mask restored each time), and a load
 * from NULL whose handler moves rip in the ucontext past the faulting
 * instruction so that the program continues after it.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf escape;
static volatile sig_atomic_t faults;
static volatile void *fault_addr = (void *)1;

/* The faulting load and the address to resume at, labelled in asm so the
 * handler can tell them apart from any other fault. */
extern char load_insn[], load_resume[];

static void
on_segv_jump(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	faults++;
	fault_addr = si->si_addr;
	siglongjmp(escape, faults);
}

static void
on_segv_skip(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)load_insn) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)load_resume;
		faults += 10;
		return;
	}
	signal(SIGSEGV, SIG_DFL);	/* any other fault: die of it */
}

static __attribute__((noinline)) long
load_null(void)
{
	long v = 5;

	/* v stays 5: the handler skips the load */
	__asm__ volatile(".globl load_insn, load_resume\n"
			 "load_insn: mov (%1), %0\n"
			 "load_resume:"
			 : "+r"(v)
			 : "r"(0L)
			 : "memory");
	return v;
}

static void
set_handler(void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

int
main(void)
{
	volatile int *volatile null_ptr = NULL;
	volatile int round = 0;
	sigset_t mask;
	long v;

	set_handler(on_segv_jump);
	if (sigsetjmp(escape, 1) < 3) {
		round++;
		*null_ptr = 1;
		printf("not reached\n");
	}
	sigprocmask(SIG_SETMASK, NULL, &mask);
	printf("siglongjmp: %d faults, %d rounds, si_addr %p, SIGSEGV %s\n", (int)faults, round,
	       (void *)fault_addr, sigismember(&mask, SIGSEGV) ? "blocked" : "unblocked");

	set_handler(on_segv_skip);
	v = load_null();
	printf("skipped load: faults %d, value %ld\n", (int)faults, v);
	return faults == 13 && round == 3 && v == 5 && fault_addr == NULL &&
	       !sigismember(&mask, SIGSEGV) ? 0 : 1;
}
