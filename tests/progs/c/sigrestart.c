/*
 * System calls interrupted by a handled signal: a read() from an empty
 * pipe is restarted after a SA_RESTART handler and completes when a later
 * handler writes a byte into the pipe; without SA_RESTART it fails with
 * EINTR; nanosleep() fails with EINTR and reports the time left
 * (ERESTART_RESTARTBLOCK); sigsuspend() returns EINTR after the handler
 * and restores the mask it replaced.  The alarms are 200 ms apart, far
 * longer than the few instructions before each call blocks even when
 * single-stepped.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static volatile sig_atomic_t alarms, usr1;

static void
on_alarm(int sig)
{
	(void)sig;
	if (++alarms == 2)
		(void)!write(pipefd[1], "x", 1);
}

static void
on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void
arm(int ms, int repeat)
{
	struct itimerval it = { { 0, repeat ? ms * 1000 : 0 }, { 0, ms * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int
main(void)
{
	char c = 0;
	int failures = 0;
	ssize_t n;

	if (pipe(pipefd) != 0)
		return 2;
	handle(SIGALRM, on_alarm, SA_RESTART);
	arm(200, 1);
	n = read(pipefd[0], &c, 1);
	arm(0, 0);
	printf("SA_RESTART read: %zd byte '%c' after %d alarms\n", n, c, (int)alarms);
	failures += n != 1 || alarms != 2;

	handle(SIGALRM, on_alarm, 0);
	alarms = 5;
	arm(200, 0);
	n = read(pipefd[0], &c, 1);
	printf("plain read: %zd %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "other");
	failures += !(n < 0 && errno == EINTR);

	struct timespec req = { 5, 0 }, left = { 0, 0 };
	arm(200, 0);
	int r = nanosleep(&req, &left);
	printf("nanosleep: %d %s, time left %s\n", r, r < 0 && errno == EINTR ? "EINTR" : "other",
	       (left.tv_sec || left.tv_nsec) && left.tv_sec < 5 ? "some" : "none");
	failures += !(r < 0 && errno == EINTR);

	sigset_t block, empty, now;
	handle(SIGUSR1, on_usr1, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigemptyset(&empty);
	r = sigsuspend(&empty);
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("sigsuspend: %d %s, handler ran %d, SIGUSR1 %s after\n", r,
	       r < 0 && errno == EINTR ? "EINTR" : "other", (int)usr1,
	       sigismember(&now, SIGUSR1) ? "blocked" : "unblocked");
	failures += usr1 != 1 || !sigismember(&now, SIGUSR1);
	return failures ? 1 : 0;
}
