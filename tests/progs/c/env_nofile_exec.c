/*
 * A program that lowers its soft RLIMIT_NOFILE to 3 (the hard limit
 * stays) and execs echo: natively echo's loader cannot open libc (no
 * descriptor free: EMFILE) and exits 127.  Under the user-mode engines
 * the new image's agent needs a descriptor for its trace ring first
 * (agent/ring.c ring_memfd).  With 4 the loader works and echo prints.
 * Expected output: the setrlimit line, then echo's error (exit 127), or
 * with an argument its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = argc > 1 ? (rlim_t)atoi(argv[1]) : 3;
	printf("soft limit %d: %d\n", (int)rl.rlim_cur, setrlimit(RLIMIT_NOFILE, &rl));
	fflush(stdout);
	execl("/bin/echo", "echo", "echo ran", (char *)0);
	perror("execl");
	return 1;
}
