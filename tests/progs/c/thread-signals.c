/*
 * Signals and threads: pthread_kill sends SIGUSR1 to one thread, whose
 * handler must run in that thread; a process-directed SIGUSR2 (kill of our
 * pid) must be handled by the only thread that does not block it; a
 * thread's signal mask is its own.  Each handler records the thread it ran
 * in; the main thread prints the verdicts after the join.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int worker_tid, usr1_tid, usr2_tid, ready, done;

static void
on_usr1(int sig)
{
	(void)sig;
	atomic_store(&usr1_tid, (int)syscall(SYS_gettid));
}

static void
on_usr2(int sig)
{
	(void)sig;
	atomic_store(&usr2_tid, (int)syscall(SYS_gettid));
}

static void *
worker(void *arg)
{
	sigset_t usr2;

	(void)arg;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
	atomic_store(&worker_tid, (int)syscall(SYS_gettid));
	atomic_store(&ready, 1);
	while (!atomic_load(&done))
		usleep(1000);
	return NULL;
}

int
main(void)
{
	struct sigaction sa;
	sigset_t usr2;
	pthread_t t;
	int ok;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);	/* inherited by the worker, which unblocks it */

	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	while (!atomic_load(&ready))
		usleep(1000);
	pthread_kill(t, SIGUSR1);
	while (!atomic_load(&usr1_tid))
		usleep(1000);
	kill(getpid(), SIGUSR2);
	while (!atomic_load(&usr2_tid))
		usleep(1000);
	atomic_store(&done, 1);
	pthread_join(t, NULL);

	printf("SIGUSR1 from pthread_kill ran in the target thread: %s\n",
	       usr1_tid == worker_tid ? "yes" : "no");
	printf("process-directed SIGUSR2 ran in the thread that does not block it: %s\n",
	       usr2_tid == worker_tid ? "yes" : "no");
	ok = usr1_tid == worker_tid && usr2_tid == worker_tid;
	return ok ? 0 : 1;
}
