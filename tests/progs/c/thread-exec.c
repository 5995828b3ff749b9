/*
 * execve from a thread other than the main one: the kernel ends every
 * other thread and the exec'ing thread takes over the process id
 * (fs/exec.c de_thread).  The new image (this program with the argument
 * "after") checks that it kept the pid and exits 6.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *self;

static void *
execer(void *arg)
{
	char pid[32];

	(void)arg;
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	execl("/proc/self/exe", self, "after", pid, (char *)NULL);
	perror("execl");
	exit(2);
}

int
main(int argc, char **argv)
{
	pthread_t t;

	if (argc == 3 && strcmp(argv[1], "after") == 0) {
		int same = atoi(argv[2]) == (int)getpid();

		printf("new image runs with the %s pid\n", same ? "same" : "other");
		return same ? 6 : 1;
	}
	self = argv[0];
	printf("main thread starts the execing thread\n");
	fflush(stdout);
	if (pthread_create(&t, NULL, execer, NULL) != 0)
		return 2;
	pthread_join(t, NULL);	/* never returns: the exec ends this thread */
	printf("not reached\n");
	return 1;
}
