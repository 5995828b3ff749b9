/*
 * A program that blocks every signal, then reads its mask, in itself and
 * in a vfork child.  The syscall that blocks SIGTRAP must not be followed
 * by a forced step trap, which would unblock it (force_sig_info_to_task()).
 * Expected output: "parent trap blocked=1" and "child=7", exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	sigset_t all, cur;
	int status;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("parent trap blocked=%d\n", sigismember(&cur, SIGTRAP));
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, NULL, &cur);
		_exit(sigismember(&cur, SIGTRAP) ? 7 : 8);
	}
	waitpid(pid, &status, 0);
	printf("child=%d\n", WEXITSTATUS(status));
	return 0;
}
