/*
 * SIGALRM from setitimer(ITIMER_REAL) interrupting a busy loop until three
 * have arrived, then the timer is stopped.  When the signals arrive depends
 * on time, so only the output (not the instruction stream) is
 * deterministic.  The period is long enough (5 ms, ~100 single steps) for
 * the loop to make progress between alarms when it is single-stepped.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int
main(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };	/* every 5 ms */
	volatile unsigned long spins = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		perror("setitimer");
		return 2;
	}
	while (alarms < 3)
		spins++;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	/* one more may arrive before the timer is stopped */
	printf("got %s alarms, spun %s\n", alarms >= 3 ? "at least 3" : "too few",
	       spins > 0 ? "yes" : "no");
	return alarms >= 3 ? 0 : 1;
}
