/*
 * fork + waitpid: three children compute a value and exit with it; one is
 * killed by SIGTERM from the parent; a vfork child _exits 7.  The parent
 * reaps each by pid and prints what it got.  The SIGTERM child blocks the
 * signal, tells the parent it is ready through a pipe, and unblocks it only
 * in sigsuspend, so it dies at the same instruction in every run and the
 * whole trace is deterministic.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void
report(const char *what, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(2);
	}
	if (WIFEXITED(status))
		printf("%s: exited %d\n", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: killed by signal %d\n", what, WTERMSIG(status));
	else
		printf("%s: status %#x\n", what, status);
}

int
main(void)
{
	pid_t kids[3], sleeper, vkid;
	int i, j, ready[2];
	char name[16], byte;
	sigset_t term, none;

	for (i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fork");
			return 2;
		}
		if (kids[i] == 0) {
			int sum = 0;

			for (j = 0; j <= 10 * (i + 1); j++)
				sum += j;
			_exit(sum % 256);	/* 55, 210, 465 % 256 = 209 */
		}
	}
	for (i = 2; i >= 0; i--) {
		snprintf(name, sizeof name, "child %d", i);
		report(name, kids[i]);
	}
	sigemptyset(&none);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (pipe(ready) != 0) {
		perror("pipe");
		return 2;
	}
	sleeper = fork();
	if (sleeper == 0) {
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		sigsuspend(&none);
		_exit(0);
	}
	if (read(ready[0], &byte, 1) != 1) {
		perror("read");
		return 2;
	}
	kill(sleeper, SIGTERM);
	report("sleeper", sleeper);
	vkid = vfork();
	if (vkid == 0)
		_exit(7);
	report("vfork child", vkid);
	return 0;
}
