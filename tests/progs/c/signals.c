/*
 * Signal handlers: SIGUSR1 by raise() (si_code SI_TKILL) and by kill() of
 * our own pid (SI_USER), an SA_SIGINFO handler that checks its siginfo,
 * a signal blocked with sigprocmask and delivered when unblocked, SIGUSR2
 * and a real-time signal pending together (the handlers run in a fixed
 * order), and SA_RESETHAND.  Each step prints what the handlers saw.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_code, last_signo;
static volatile char order[8];
static volatile sig_atomic_t norder;

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_signo = si->si_signo == sig ? sig : -1;
	last_code = si->si_code;
}

static void
note_order(int sig)
{
	if (norder < (int)sizeof order)
		order[norder++] = sig == SIGUSR2 ? 'U' : sig == SIGRTMIN ? 'R' : '?';
}

static void
on_reset(int sig)
{
	(void)sig;
	hits += 100;
}

static void
install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0)
		perror("sigaction");
}

int
main(void)
{
	struct sigaction sa, old;
	sigset_t set;
	int failures = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	raise(SIGUSR1);
	printf("raise: hits %d signo %d code %s\n", (int)hits, (int)last_signo,
	       last_code == SI_TKILL ? "SI_TKILL" : "other");
	failures += hits != 1 || last_signo != SIGUSR1 || last_code != SI_TKILL;

	kill(getpid(), SIGUSR1);
	printf("kill: hits %d code %s\n", (int)hits, last_code == SI_USER ? "SI_USER" : "other");
	failures += hits != 2 || last_code != SI_USER;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	printf("blocked: hits %d", (int)hits);
	failures += hits != 2;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf(", after unblock %d\n", (int)hits);
	failures += hits != 3;

	/* Two pending signals delivered at one unblock: the kernel builds one
	 * frame per signal, lowest number first, each on top of the last, so
	 * the real-time signal's handler runs before SIGUSR2's
	 * (kernel/signal.c next_signal picks the lowest; arch/x86 handle_signal
	 * runs for each before returning to user space). */
	install(SIGUSR2, note_order, 0);
	install(SIGRTMIN, note_order, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGRTMIN);
	raise(SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("pending pair ran in order %c%c\n", order[0], order[1]);
	failures += norder != 2;

	install(SIGUSR2, on_reset, SA_RESETHAND);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("resethand: hits %d, disposition now %s\n", (int)hits,
	       old.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
	failures += hits != 103 || old.sa_handler != SIG_DFL;
	return failures ? 1 : 0;
}
