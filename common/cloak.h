/*
 * Hiding the tracer from the two questions anti-debugging code asks first
 * on Linux (docs/CLOAK.md): "does ptrace(PTRACE_TRACEME) fail?" and "is
 * TracerPid in /proc/PID/status non-zero?".  Every engine answers them as
 * the program would natively; this header holds the pieces the agent
 * (freestanding) and the tracer share, so both decide byte for byte alike.
 * Header-only: no libc, no state.
 */
#ifndef UMSS_COMMON_CLOAK_H
#define UMSS_COMMON_CLOAK_H

#include <stdint.h>

#define CLOAK_PTRACE_TRACEME 0
#define CLOAK_EPERM 1

/* Reads decimal digits at *p (at least one); advances *p. */
static inline int
cloak_number(const char **p, const char *end, long *out)
{
	long v = 0;
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9')
		return 0;
	while (s < end && *s >= '0' && *s <= '9' && v < 100000000)
		v = v * 10 + (*s++ - '0');
	*p = s;
	*out = v;
	return 1;
}

static inline int
cloak_literal(const char **p, const char *end, const char *lit)
{
	const char *s = *p;
	for (; *lit; lit++, s++)
		if (s >= end || *s != *lit)
			return 0;
	*p = s;
	return 1;
}

#define CLOAK_FILE_STATUS 1
#define CLOAK_FILE_MAPS 2
#define CLOAK_FILE_SMAPS 3
#define CLOAK_FILE_MEM 4

/*
 * Which of a process's files `link` is (what readlink of /proc/self/fd/N
 * says, n bytes, not terminated): /proc/PID/NAME or
 * /proc/PID/task/TID/NAME with NAME status, maps or smaps; 0 for anything
 * else.  *pid = PID.  readlink gives the canonical form whatever path or
 * symlink opened it (/proc/self/status, /proc/thread-self/maps, a
 * relative path under an open /proc dir).
 */
static inline int
cloak_proc_file(const char *link, long n, long *pid)
{
	const char *p = link, *end = link + n;
	long tid;
	if (!cloak_literal(&p, end, "/proc/") || !cloak_number(&p, end, pid))
		return 0;
	if (cloak_literal(&p, end, "/task/") && !cloak_number(&p, end, &tid))
		return 0;
	const char *name = p;
	if (cloak_literal(&p, end, "/status") && p == end)
		return CLOAK_FILE_STATUS;
	p = name;
	if (cloak_literal(&p, end, "/maps") && p == end)
		return CLOAK_FILE_MAPS;
	p = name;
	if (cloak_literal(&p, end, "/smaps") && p == end)
		return CLOAK_FILE_SMAPS;
	p = name;
	if (cloak_literal(&p, end, "/mem") && p == end)
		return CLOAK_FILE_MEM;
	return 0;
}

static inline int
cloak_status_link(const char *link, long n, long *pid)
{
	return cloak_proc_file(link, n, pid) == CLOAK_FILE_STATUS;
}

/*
 * In the n bytes a read of a status file returned (into a buffer of cap
 * bytes), the line "TracerPid:\t<tracer>\n" (whole, at the start or after
 * a newline) becomes "TracerPid:\t<shown>\n"; the rest moves.  Returns
 * the new length, or -1 when nothing changed (the line is not there
 * whole, or names another tracer, or a longer <shown> does not fit in
 * cap).  A read that splits the line (a program reading a few bytes at a
 * time) is left alone: docs/CLOAK.md.
 */
static inline long
cloak_fix_tracer_pid(char *buf, long n, long cap, long tracer, long shown)
{
	static const char key[] = "TracerPid:\t";
	for (long i = 0; i < n; i++) {
		if (i > 0 && buf[i - 1] != '\n')
			continue;
		const char *p = buf + i, *end = buf + n;
		long v;
		if (!cloak_literal(&p, end, key))
			continue;
		if (!cloak_number(&p, end, &v) || p >= end || *p != '\n' || v != tracer)
			return -1;
		char digits[24];
		int k = 0;
		do
			digits[k++] = (char)('0' + shown % 10);
		while ((shown /= 10) > 0 && k < 20);
		long value_at = i + (long)sizeof key - 1, old_len = p - (buf + value_at);
		long tail_from = value_at + old_len, tail_to = value_at + k, m = n - old_len + k;
		if (m > cap)
			return -1;
		if (tail_to < tail_from)
			for (long j = 0; j < n - tail_from; j++)
				buf[tail_to + j] = buf[tail_from + j];
		else
			for (long j = n - tail_from; j-- > 0;)
				buf[tail_to + j] = buf[tail_from + j];
		for (int j = 0; j < k; j++)
			buf[value_at + j] = digits[k - 1 - j];
		return m;
	}
	return -1;
}

#endif
