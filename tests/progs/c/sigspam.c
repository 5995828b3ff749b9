/*
 * A helper, not traced: `sigspam PID SIG` sends SIG to PID every 20 µs
 * until PID is gone, then prints how many it sent.  Used to land signals
 * at arbitrary points of a traced program (tests/cases/agent-signal-storm.sh).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sigspam PID SIG\n");
		return 2;
	}
	pid_t pid = (pid_t)atoi(argv[1]);
	int sig = atoi(argv[2]);
	struct timespec gap = { 0, 20000 };
	long sent = 0;
	while (kill(pid, sig) == 0) {
		sent++;
		nanosleep(&gap, NULL);
	}
	printf("%ld\n", sent);
	return 0;
}
