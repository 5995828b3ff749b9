/*
 * The anti-debugging checks met most on Linux, answered as natively under
 * every engine (docs/CLOAK.md): TracerPid in /proc/self/status (stdio),
 * /proc/thread-self/status (read(2)) and a dup'ed fd read with pread(2);
 * PTRACE_TRACEME twice in a child (0, then EPERM); after it the child's
 * tracer is its parent; its own forked child may PTRACE_TRACEME afresh.  Prints no pids:
 * the output is the same in every run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static long
tracer_in(const char *buf)
{
	const char *p = strstr(buf, "\nTracerPid:\t");
	return p ? atol(p + 12) : -1;
}

static long
tracer_by_stdio(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -2;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "TracerPid:", 10))
			v = atol(line + 10);
	fclose(f);
	return v;
}

static long
tracer_by_read(const char *path, int dup_to)
{
	char buf[8192];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -2;
	if (dup_to >= 0) {
		dup2(fd, dup_to);
		close(fd);
		fd = dup_to;
	}
	ssize_t n = dup_to >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -3;
	buf[n] = 0;
	/* The file must still read as a whole status file. */
	if (strncmp(buf, "Name:", 5) || buf[n - 1] != '\n')
		return -4;
	return tracer_in(buf);
}

static const char *
who(long tracer)
{
	if (tracer == 0)
		return "none";
	if (tracer == getppid())
		return "the parent";
	return tracer < 0 ? "unreadable" : "someone else";
}

/* After PTRACE_TRACEME a process's every signal stops it for its tracer
 * (natively): the processes that call it block SIGCHLD and receive no
 * other signal, so nothing here waits on a tracer that is not there. */
static int
traceme(const char *who_am_i)
{
	long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
	printf("%s traceme: %ld %s\n", who_am_i, r, r ? strerror(errno) : "ok");
	return (int)r;
}

static int
wait_for(pid_t child)
{
	int status;
	if (waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
main(void)
{
	printf("stdio: tracer %s\n", who(tracer_by_stdio()));
	printf("thread-self: tracer %s\n", who(tracer_by_read("/proc/thread-self/status", -1)));
	printf("dup2+pread: tracer %s\n", who(tracer_by_read("/proc/self/status", 100)));
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
		traceme("child");
		traceme("child again");
		printf("child: tracer %s\n", who(tracer_by_stdio()));
		printf("child, read(2): tracer %s\n", who(tracer_by_read("/proc/self/status", -1)));
		fflush(stdout);
		pid_t b = fork();
		if (b == 0) {
			printf("grandchild: tracer %s\n", who(tracer_by_stdio()));
			traceme("grandchild");
			printf("grandchild: tracer %s\n", who(tracer_by_stdio()));
			return 3;
		}
		printf("grandchild exit %d\n", wait_for(b));
		return 2;
	}
	printf("child exit %d\n", wait_for(a));
	printf("parent: tracer %s\n", who(tracer_by_stdio()));
	return 0;
}
