/*
 * sigaltstack: a SA_ONSTACK handler runs on the alternate stack (checked
 * from the address of one of its locals and from SS_ONSTACK), and a stack
 * overflow (the stack limit lowered to 1 MiB, 16 KiB frames) is caught by
 * a SIGSEGV handler that can only run on the alternate stack, and left
 * with siglongjmp.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static char altstack[64 * 1024];
static volatile int on_alt, flags_onstack, depth_reached;
static sigjmp_buf escape;
static volatile int max_depth = 1 << 20;	/* never reached: the stack ends first */

static int
inside_altstack(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)altstack && (uintptr_t)p < (uintptr_t)altstack + sizeof altstack;
}

static void
on_usr1(int sig)
{
	volatile int local = sig;
	stack_t now;

	on_alt = inside_altstack((const void *)&local);
	sigaltstack(NULL, &now);
	flags_onstack = (now.ss_flags & SS_ONSTACK) != 0;
}

static void
on_segv(int sig)
{
	volatile int local = sig;

	on_alt = inside_altstack((const void *)&local);
	siglongjmp(escape, 1);
}

static __attribute__((noinline)) int
recurse(int depth)
{
	volatile char frame[16 * 1024];

	frame[0] = (char)depth;
	depth_reached = depth;
	if (depth >= max_depth)
		return 0;
	return recurse(depth + 1) + frame[0];
}

int
main(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
	struct sigaction sa;
	struct rlimit rl;
	int ok;

	if (sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("SIGUSR1 handler on the alternate stack: %s, SS_ONSTACK: %s\n",
	       on_alt ? "yes" : "no", flags_onstack ? "yes" : "no");
	ok = on_alt && flags_onstack;

	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = 1024 * 1024;
	if (setrlimit(RLIMIT_STACK, &rl) != 0) {
		perror("setrlimit");
		return 2;
	}
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	on_alt = 0;
	if (sigsetjmp(escape, 1) == 0)
		recurse(0);
	printf("overflow caught on the alternate stack: %s, after %s frames\n", on_alt ? "yes" : "no",
	       depth_reached > 30 && depth_reached < 70 ? "30 to 70" : "an unexpected number of");
	ok = ok && on_alt && depth_reached > 30 && depth_reached < 70;
	return ok ? 0 : 1;
}
