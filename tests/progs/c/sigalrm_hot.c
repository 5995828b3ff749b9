/*
 * 1000 SIGALRMs (setitimer, every 2 ms) interrupt a hot loop that only
 * adds; the handler counts them and the loop ends at 1000.  Output: the
 * count and that the loop made progress between alarms.  (2 ms: a traced
 * delivery costs a few ptrace stops; much less and the alarms would come
 * faster than they are handled.)
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
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	unsigned long spins = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 1000)
		__asm__ volatile("add $1, %0" : "+r"(spins));
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	printf("alarms: %d, loop ran: %s\n", alarms >= 1000 ? 1000 : (int)alarms,
	       spins > 1000 ? "yes" : "no");
	return alarms >= 1000 ? 0 : 1;
}
