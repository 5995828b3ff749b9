/* What /proc tells about a traced process. */
#include "tracer/process_info.h"

#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer/xalloc.h"
#include "umss/trace.h"

/* Reads a whole /proc file into a NUL-terminated buffer; *len excludes the NUL. */
static char *
read_proc_file(const char *name, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xcalloc(1, cap + 1);
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r;
		while ((r = read(fd, buf + n, cap - n)) > 0) {
			n += (size_t)r;
			if (n == cap) {
				cap *= 2;
				buf = xrealloc(buf, cap + 1);
			}
		}
		close(fd);
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

void
process_args_read(pid_t pid, struct process_args *a)
{
	char name[64], exe[PATH_MAX];
	size_t len;

	snprintf(name, sizeof name, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(name, exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	a->exe = xstrdup(exe);

	snprintf(name, sizeof name, "/proc/%d/cmdline", (int)pid);
	a->buf = read_proc_file(name, &len);
	a->argc = 0;
	for (size_t i = 0; i < len; i++)
		if (!a->buf[i])
			a->argc++;
	if (len && a->buf[len - 1])
		a->argc++; /* a last argument without its NUL */
	a->argv = xcalloc(a->argc + 1, sizeof *a->argv);
	char *p = a->buf;
	for (uint32_t i = 0; i < a->argc; i++) {
		a->argv[i] = p;
		p += strlen(p) + 1;
	}
}

void
process_args_free(struct process_args *a)
{
	free(a->exe);
	free(a->argv);
	free(a->buf);
}

static char *
status_field(const char *status, const char *field)
{
	char *at = strstr(status, field);
	return at ? at + strlen(field) : NULL;
}

pid_t
process_tgid(pid_t tid)
{
	char name[64];
	size_t len;
	snprintf(name, sizeof name, "/proc/%d/status", (int)tid);
	char *s = read_proc_file(name, &len);
	char *v = status_field(s, "\nTgid:");
	pid_t tgid = v ? (pid_t)strtol(v, NULL, 10) : -1;
	free(s);
	return tgid;
}

void
process_signal_masks(pid_t pid, uint64_t *caught, uint64_t *ignored)
{
	char name[64];
	size_t len;
	snprintf(name, sizeof name, "/proc/%d/status", (int)pid);
	char *s = read_proc_file(name, &len);
	char *c = status_field(s, "\nSigCgt:");
	char *i = status_field(s, "\nSigIgn:");
	*caught = c ? strtoull(c, NULL, 16) : 0;
	*ignored = i ? strtoull(i, NULL, 16) : 0;
	free(s);
}

uint32_t
process_signal_action(pid_t pid, int signo)
{
	uint64_t caught = 0, ignored = 0;
	process_signal_masks(pid, &caught, &ignored);
	uint64_t bit = 1ull << (signo - 1);
	if (caught & bit)
		return UMSS_SIG_HANDLER;
	if (ignored & bit)
		return UMSS_SIG_IGNORED;
	/* Default actions (signal(7)). */
	switch (signo) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return UMSS_SIG_IGNORED;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return UMSS_SIG_STOP;
	default:
		return UMSS_SIG_FATAL;
	}
}
