/*
 * Timer signals while code runs for the first time, then the same code
 * again: the boundaries where the user-mode engines first build or decode
 * an instruction are where queued signals get delivered (a linked-stub
 * design of engine displaced once linked such an exit into the handler).
 * Many distinct branches (2000 if/else, each calling one of two
 * functions), run three times under a 500 us interval timer (a signal
 * costs umss more than 50 us: shorter intervals leave the program no time
 * to run).
 * Expected output: the checksum, as natively; exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;

static void
on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

__attribute__((noinline)) static unsigned
up(unsigned x, unsigned i)
{
	return x * 3 + i;
}

__attribute__((noinline)) static unsigned
down(unsigned x, unsigned i)
{
	return (x >> 1) ^ i;
}

#define B(i) x = ((x ^ (unsigned)(i) * 2654435761u) & 4) ? up(x, (i)) : down(x, (i));
#define B10(i) B(i) B(i + 1) B(i + 2) B(i + 3) B(i + 4) B(i + 5) B(i + 6) B(i + 7) B(i + 8) B(i + 9)
#define B100(i) B10(i) B10(i + 10) B10(i + 20) B10(i + 30) B10(i + 40) B10(i + 50) \
	B10(i + 60) B10(i + 70) B10(i + 80) B10(i + 90)

__attribute__((noinline)) static unsigned
branches(unsigned x)
{
	B100(0) B100(100) B100(200) B100(300) B100(400)
	B100(500) B100(600) B100(700) B100(800) B100(900)
	B100(1000) B100(1100) B100(1200) B100(1300) B100(1400)
	B100(1500) B100(1600) B100(1700) B100(1800) B100(1900)
	return x;
}

int
main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGALRM, &sa, NULL))
		return 1;
	struct itimerval every = { { 0, 500 }, { 0, 500 } };
	if (setitimer(ITIMER_REAL, &every, NULL))
		return 2;
	unsigned sum = 0;
	for (unsigned round = 0; round < 3; round++)
		sum += branches(round + 1);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	printf("checksum %u\n", sum);
	return 0;
}
