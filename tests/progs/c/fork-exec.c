/*
 * fork + exec: one child execs /bin/echo, another execs this program again
 * with the argument "child", which prints a line and exits 3.  The parent
 * waits for each in turn before printing, so the output order is fixed.
 * echo gets LC_ALL=C as its only environment: loading a UTF-8 locale
 * would add ~170,000 instructions to every single-stepped run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
wait_for(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(2);
	}
	return status;
}

int
main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc == 2 && strcmp(argv[1], "child") == 0) {
		printf("child %s running, exiting 3\n", argv[0][0] ? "image" : "?");
		return 3;
	}
	printf("parent before fork\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *const env[] = { "LC_ALL=C", NULL };

		execle("/bin/echo", "echo", "hello", "from", "echo", (char *)NULL, env);
		_exit(127);
	}
	status = wait_for(pid);
	printf("echo child: exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		_exit(127);
	}
	status = wait_for(pid);
	printf("self child: exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 0 : 1;
}
