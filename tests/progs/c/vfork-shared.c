/*
 * A vfork child runs in its parent's memory: what it writes there the
 * parent sees after the child _exits (a global and a local), also from a
 * vfork child of a vfork child.  glibc's
 * posix_spawn relies on the same sharing (clone with CLONE_VM |
 * CLONE_VFORK) to report a failed exec: posix_spawn of a missing file
 * returns ENOENT rather than a child that exits 127.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int shared_global = 1;

int
main(void)
{
	volatile int local = 2;
	int status;
	pid_t pid = vfork();

	if (pid == 0) {
		shared_global = 10;
		local = 20;
		_exit(4);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("vfork/waitpid");
		return 2;
	}
	printf("vfork child exited %d; parent sees global %d, local %d\n", WEXITSTATUS(status),
	       shared_global, local);

	pid = vfork();
	if (pid == 0) {
		int inner;
		pid_t grandchild = vfork();
		if (grandchild == 0) {
			shared_global = 30;
			_exit(5);
		}
		if (grandchild < 0 || waitpid(grandchild, &inner, 0) != grandchild)
			_exit(99);
		_exit(WEXITSTATUS(inner) + shared_global); /* 35 */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("vfork/waitpid");
		return 2;
	}
	printf("nested vfork: child exited %d; parent sees global %d\n", WEXITSTATUS(status),
	       shared_global);

	char *argv[] = { "missing", NULL };
	int err = posix_spawn(&pid, "/nonexistent/umss-missing-program", NULL, NULL, argv, environ);
	printf("posix_spawn of a missing file: %s\n", err ? strerror(err) : "no error");
	if (err == 0)
		waitpid(pid, &status, 0);

	char *targv[] = { "true", NULL };
	err = posix_spawn(&pid, "/bin/true", NULL, NULL, targv, environ);
	if (err || waitpid(pid, &status, 0) != pid) {
		printf("posix_spawn of /bin/true: %s\n", strerror(err ? err : errno));
		return 1;
	}
	printf("posix_spawn of /bin/true: exited %d\n", WEXITSTATUS(status));
	return shared_global == 30 && local == 20 ? 0 : 1;
}
