/*
 * fork from a thread that is not the main one while the main thread waits
 * in pthread_join: the child has one thread (the forking one), which prints
 * and exits 9; the forking thread reaps it and hands its status back.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *
forker(void *arg)
{
	pid_t pid;
	int status;

	(void)arg;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child of a thread runs\n");
		fflush(stdout);
		_exit(9);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return (void *)(intptr_t)-1;
	return (void *)(intptr_t)(WIFEXITED(status) ? WEXITSTATUS(status) : -2);
}

int
main(void)
{
	pthread_t t;
	void *ret;

	printf("main starts the forking thread\n");
	if (pthread_create(&t, NULL, forker, NULL) != 0)
		return 2;
	pthread_join(t, &ret);
	printf("the thread's child exited %ld\n", (long)(intptr_t)ret);
	return (intptr_t)ret == 9 ? 0 : 1;
}
