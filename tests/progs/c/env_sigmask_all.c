/*
 * A program that blocks every signal with sigprocmask and runs on: it
 * sends itself SIGUSR1 and SIGTERM (both stay pending), uses the vdso,
 * forks a child that checks its mask, prints sigpending, then installs
 * handlers and unblocks, and the handlers run (SIGUSR1's, then SIGTERM's:
 * the kernel's order).  Expected output: the pending set, the child's
 * mask check, the handlers' lines, as natively.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int order[4], n_order;

static void
on_sig(int sig)
{
	order[n_order++] = sig;
}

int
main(void)
{
	sigset_t all, pend, cur;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	kill(getpid(), SIGUSR1);
	raise(SIGTERM);
	time(NULL);
	sigpending(&pend);
	printf("pending: USR1 %d TERM %d TRAP %d\n", sigismember(&pend, SIGUSR1),
	       sigismember(&pend, SIGTERM), sigismember(&pend, SIGTRAP));
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("blocked: TRAP %d USR1 %d RTMIN %d\n", sigismember(&cur, SIGTRAP),
	       sigismember(&cur, SIGUSR1), sigismember(&cur, SIGRTMIN));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, NULL, &cur);
		sigpending(&pend);
		_exit(10 * sigismember(&cur, SIGTRAP) + sigismember(&pend, SIGUSR1));
	}
	int status;
	waitpid(pid, &status, 0);
	printf("child: %d\n", WEXITSTATUS(status));
	signal(SIGUSR1, on_sig);
	signal(SIGTERM, on_sig);
	sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	printf("handled %d:", n_order);
	for (int i = 0; i < n_order; i++)
		printf(" %s", strsignal(order[i]));
	printf("\n");
	return 0;
}
