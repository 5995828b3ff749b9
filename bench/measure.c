/*
 * measure: runs a command and reports its wall time, exit status and peak
 * resident set, for bench/run.py.
 *
 * usage: measure RESULT_FILE PROG ARGS...
 * writes "wall_ns status maxrss_kib\n" to RESULT_FILE; status is the exit
 * code, or 128 + the signal number.
 *
 * Why a helper and not Python's own fork: exec folds the old address
 * space's high-water RSS into the process' maxrss (kernel fs/exec.c
 * exec_mmap() -> setmax_mm_hiwater_rss()), so a child forked from the
 * Python runner would report at least the runner's ~24 MiB.  This helper is
 * small, so the floor it adds is small too.  wait4's ru_maxrss covers the
 * child and the descendants it reaped (kernel/exit.c wait_task_zombie() ->
 * getrusage(RUSAGE_BOTH)): for a tracer, max(tracer, program).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	long long t0, t1;
	int wstatus, status;
	FILE *out;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: measure RESULT_FILE PROG ARGS...\n");
		return 99;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 99;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		perror("measure: execv");
		_exit(127);
	}
	if (wait4(pid, &wstatus, 0, &ru) < 0) {
		perror("measure: wait4");
		return 99;
	}
	t1 = now_ns();
	status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
				       : WEXITSTATUS(wstatus);
	out = fopen(argv[1], "w");
	if (!out) {
		perror("measure: result file");
		return 99;
	}
	fprintf(out, "%lld %d %ld\n", t1 - t0, status, ru.ru_maxrss);
	return fclose(out) == 0 ? 0 : 99;
}
