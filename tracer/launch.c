/* Finding, checking and starting the program to trace. */
#include "tracer/launch.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Checks one candidate file; returns 0, or an errno-like reason. */
static int
check_candidate(const char *path, const char **why)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode)) {
		*why = "is a directory";
		return EISDIR;
	}
	if (access(path, X_OK) < 0) {
		*why = "permission denied (not executable)";
		return EACCES;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Execute-only files exist; let execve judge them. */
		return 0;
	}
	unsigned char head[sizeof(Elf64_Ehdr)];
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n >= 2 && head[0] == '#' && head[1] == '!')
		return 0;
	if (n < (ssize_t)sizeof head || memcmp(head, ELFMAG, SELFMAG) != 0) {
		*why = "not an ELF executable or a #! script";
		return ENOEXEC;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
	if (head[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64) {
		*why = "not an x86-64 program (32-bit and foreign code is refused)";
		return ENOEXEC;
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		*why = "not an executable ELF file";
		return ENOEXEC;
	}
	return 0;
}

static int
report(const char *name, int err, const char *why)
{
	if (err == ENOENT || err == ENOTDIR) {
		fprintf(stderr, "umss: %s: program not found\n", name);
		return LAUNCH_NOT_FOUND;
	}
	fprintf(stderr, "umss: %s: %s\n", name, why ? why : strerror(err));
	return LAUNCH_CANNOT_EXECUTE;
}

int
launch_resolve(const char *name, char *path, size_t size)
{
	const char *why = NULL;
	int err;

	if (!*name)
		return report("''", ENOENT, NULL);
	if (strchr(name, '/')) {
		if (snprintf(path, size, "%s", name) >= (int)size)
			return report(name, ENAMETOOLONG, NULL);
		err = check_candidate(path, &why);
		return err ? report(name, err, why) : 0;
	}
	/* PATH search as execvp does it, remembering the most telling failure. */
	const char *env = getenv("PATH");
	if (!env)
		env = "/usr/local/bin:/usr/bin:/bin";
	int best = ENOENT;
	const char *best_why = NULL;
	for (const char *p = env;; p++) {
		const char *end = strchrnul(p, ':');
		int dirlen = (int)(end - p);
		if (dirlen == 0)
			snprintf(path, size, "%s", name);
		else
			snprintf(path, size, "%.*s/%s", dirlen, p, name);
		why = NULL;
		err = check_candidate(path, &why);
		if (!err)
			return 0;
		if (err != ENOENT && err != ENOTDIR && best == ENOENT) {
			best = err;
			best_why = why;
		}
		if (!*end)
			break;
		p = end;
	}
	return report(name, best, best_why);
}

/*
 * The child: wait until the parent has seized us (one byte on go_fd), then
 * exec.  A pipe rather than stopping with SIGSTOP (as strace does): the
 * seize then needs no stop and no SIGCONT, and the child reaches its exec
 * without the four ptrace stops (SIGSTOP, group stop, SIGCONT, ...) that
 * cost ~0.1 ms on every run.  A failed execve is reported through err_fd
 * (errno as an int) since stderr may be what the program's caller reads.
 */
static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], bool aslr, int go_fd, int err_fd)
{
	if (!aslr)
		personality(ADDR_NO_RANDOMIZE);
	char go;
	ssize_t n;
	do
		n = read(go_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(LAUNCH_CANNOT_EXECUTE); /* the parent gave up */
	close(go_fd);
	execv(path, argv);
	int e = errno;
	if (write(err_fd, &e, sizeof e) < 0) {
		/* nothing more can be said */
	}
	_exit(LAUNCH_CANNOT_EXECUTE);
}

pid_t
launch_traced(const char *path, char *const argv[], bool aslr,
	      unsigned long ptrace_options, int *exit_status)
{
	int fds[2], go[2];
	int status;

	*exit_status = LAUNCH_CANNOT_EXECUTE;
	if (pipe2(fds, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		fprintf(stderr, "umss: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "umss: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		close(go[1]);
		child_exec(path, argv, aslr, go[0], fds[1]);
	}
	close(fds[1]);
	close(go[0]);
	/* Seize while the child waits for the go byte, before execve. */
	if (ptrace(PTRACE_SEIZE, pid, 0L, ptrace_options) < 0) {
		int e = errno;
		fprintf(stderr, "umss: cannot trace %s: ptrace: %s%s\n", path, strerror(e),
			e == EPERM ? " (is ptrace forbidden here? see /proc/sys/kernel/yama/ptrace_scope)" : "");
		close(go[1]); /* the child ends without exec */
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		return -1;
	}
	if (write(go[1], "g", 1) != 1) {
		fprintf(stderr, "umss: pipe: %s\n", strerror(errno));
		close(go[1]);
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		close(fds[0]);
		return -1;
	}
	close(go[1]);
	/* Run the child to its exec, passing on nothing: it runs our code. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "umss: waitpid: %s\n", strerror(errno));
			close(fds[0]);
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			int e = 0;
			ssize_t n = read(fds[0], &e, sizeof e);
			close(fds[0]);
			if (n == (ssize_t)sizeof e) {
				*exit_status = e == ENOENT ? LAUNCH_NOT_FOUND : LAUNCH_CANNOT_EXECUTE;
				fprintf(stderr, "umss: %s: cannot execute: %s%s\n", path, strerror(e),
					e == ENOENT ? " (a missing interpreter?)" : "");
			} else {
				fprintf(stderr, "umss: %s: died before it started\n", path);
			}
			return -1;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
			break;
		/* A signal before the exec (a stop signal's group stop, a
		 * SIGCONT): just continue. */
		int sig = WSTOPSIG(status);
		bool group_stop = (status >> 16) == PTRACE_EVENT_STOP;
		if (ptrace(PTRACE_CONT, pid, 0L,
			   (group_stop || sig == SIGSTOP || sig == SIGCONT) ? 0L : (long)sig) < 0) {
			fprintf(stderr, "umss: ptrace(CONT): %s\n", strerror(errno));
			close(fds[0]);
			return -1;
		}
	}
	close(fds[0]);
	return pid;
}
