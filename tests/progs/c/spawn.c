/*
 * posix_spawn, which glibc implements with clone(CLONE_VM | CLONE_VFORK)
 * on a separate stack: a child process that shares the parent's memory
 * until it execs.  The child execs the static busybox with its stdout
 * redirected into a pipe (a file action run in the child); the parent
 * reads the pipe to its end and reaps the child, whose exit status is 5.
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
main(void)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "busybox", "sh", "-c", "echo spawned through a pipe; exit 5", NULL };
	char buf[256];
	size_t len = 0;
	ssize_t n;
	int fds[2], status, err;
	pid_t pid;

	if (pipe(fds) != 0) {
		perror("pipe");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	err = posix_spawn(&pid, "/bin/busybox", &fa, NULL, argv, environ);
	if (err != 0) {
		printf("posix_spawn: %s\n", strerror(err));
		return 2;
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 2;
	}
	printf("child said: %s", buf);
	printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return strcmp(buf, "spawned through a pipe\n") == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 : 1;
}
