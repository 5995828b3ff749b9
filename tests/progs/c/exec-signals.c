/*
 * Signals around an execve: a child sends SIGUSR1 to its parent every
 * 100 us while the parent, which has a handler for it, spins until 50 have
 * arrived and then execs itself.  The new image has the default action for
 * SIGUSR1 (fs/exec.c flush_signal_handlers) and waits in pause(): the next
 * SIGUSR1, or one pending across the execve, kills it (exit status 138
 * under a shell).  A tracer that injects an agent into the new image must
 * let such signals through rather than fail or lose them.  The child stops
 * when its parent is gone.
 */
#include <signal.h>
#include <unistd.h>

static volatile int received;

static void
on_usr1(int sig)
{
	(void)sig;
	received++;
}

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		pause();
		return 0;
	}
	signal(SIGUSR1, on_usr1);
	pid_t parent = getpid();
	if (fork() == 0) {
		while (kill(parent, SIGUSR1) == 0)
			usleep(100);
		_exit(0);
	}
	while (received < 50)
		;
	execl("/proc/self/exe", "exec-signals", "again", (char *)0);
	return 9;
}
