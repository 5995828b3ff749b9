/*
 * A program that closes every file descriptor but stdio, twice: with
 * close_range(3, ~0U, 0) and with a close() loop over every possible
 * number, after and before using the vdso (time(), whose code has no
 * retry loop, so traces are deterministic), which engine patch writes
 * through a /proc/self/mem descriptor of its own.
 * Then it opens a file (natively fd 3), lists /proc/self/fd and keeps
 * working (vdso calls, a fork).  Expected output: the fd numbers and
 * counts, as natively.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long
vdso_calls(int n)
{
	long ok = 0;
	for (int i = 0; i < n; i++)
		ok += time(NULL) > 0;
	return ok;
}

static void
list_fds(const char *when)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	printf("%s:", when);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf(" %s", e->d_name);
	printf("\n");
	if (d)
		closedir(d);
}

/* Every descriptor number up to the limit, at most 1024 (the agent's own
 * sit at 900 and above; more would only make the ptrace run slow). */
static long
fd_top(const struct rlimit *rl)
{
	return rl->rlim_cur < 1024 ? (long)rl->rlim_cur : 1024;
}

int
main(void)
{
	printf("vdso %ld\n", vdso_calls(10));
	fflush(stdout);
	printf("close_range: %ld\n", syscall(SYS_close_range, 3, ~0U, 0));
	list_fds("after close_range");
	int fd = open("/proc/self/cmdline", O_RDONLY);
	printf("open: fd %d\n", fd);
	printf("vdso %ld\n", vdso_calls(10));
	fflush(stdout);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	long closed = 0;
	for (long i = 3; i < fd_top(&rl); i++)
		closed += close((int)i) == 0;
	printf("close loop closed %ld\n", closed);
	list_fds("after the loop");
	printf("vdso %ld\n", vdso_calls(10));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child vdso %ld\n", vdso_calls(10));
		fflush(stdout);
		_exit(3);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("child exit %d, open again: fd %d\n", WEXITSTATUS(status), open("/dev/null", O_RDONLY));
	return 0;
}
