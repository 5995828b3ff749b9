/*
 * The agent's half of the cloak (docs/CLOAK.md; the ptrace engine's half
 * is tracer/cloak.c, the shared decisions are common/cloak.h).  The agent
 * runs the program's syscalls, so it answers PTRACE_TRACEME itself and
 * puts right the TracerPid line of status files the program reads; the
 * process's own maps and smaps are served without the agent's mappings
 * (agent/cloak_maps.c).
 *
 * Which fds are status files is kept in a bitmap, set when an open
 * returns one (readlink of /proc/self/fd/N: the canonical path, whatever
 * the program opened it by) and carried by dup/dup2/dup3/F_DUPFD, cleared
 * by close/close_range.  The ptrace engine asks readlink at each read
 * instead; both see the same files.  fds at or above CLOAK_FDS are looked
 * up at the read, as the ptrace engine does.  The bitmap is per process
 * and its words are updated atomically (threads share the fd table).
 */
#include "agent/agent.h"
#include "agent/sys.h"
#include "common/cloak.h"

enum {
	NR_READ = 0, NR_PREAD64 = 17, NR_DUP = 32, NR_DUP2 = 33, NR_GETPID = 39,
	NR_GETPPID = 110, NR_READLINK = 89, NR_OPENAT = 257, NR_DUP3 = 292,
	NR_OPENAT2 = 437, NR_CLOSE_RANGE = 436, NR_CREAT = 85,
	NR_GETDENTS64 = 217, NR_LSEEK = 8, NR_READV = 19, NR_PREADV = 295, NR_PREADV2 = 327,
};
enum { F_DUPFD = 0, F_DUPFD_CLOEXEC = 1030, CLOSE_RANGE_CLOEXEC = 4 };
#define AT_FDCWD -100
#define O_RDONLY_DIRECTORY 0x10000 /* O_DIRECTORY */

#define CLOAK_FDS 4096
/* What the fds below CLOAK_FDS are open on, a bit per fd and kind. */
enum { KIND_STATUS, KIND_OWN_MAPS, KIND_OWN_MEM, KINDS };
static uint64_t fds[KINDS][CLOAK_FDS / 64];
static int traceme;      /* the program's PTRACE_TRACEME succeeded */
static long tracer_pid;  /* umss, as this process's status says; 0 = not read yet */
static int scanned;      /* fds inherited across execve looked at */

/* CLOAK_FILE_* of the file fd is open on now, *owner its process. */
static int
fd_file(long fd, long *owner)
{
	char path[32] = "/proc/self/fd/", link[128];
	int k = 14;
	char digits[12];
	int d = 0;
	do
		digits[d++] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0 && d < 11);
	while (d > 0)
		path[k++] = digits[--d];
	path[k] = 0;
	long n = sys6(NR_READLINK, (long)path, (long)link, sizeof link, 0, 0, 0);
	return n > 0 && n < (long)sizeof link ? cloak_proc_file(link, n, owner) : 0;
}

/* KIND_* + 1 of what fd is open on now, 0 when it is nothing of ours. */
static int
kind_now(long fd, long *owner)
{
	switch (fd_file(fd, owner)) {
	case CLOAK_FILE_STATUS:
		return KIND_STATUS + 1;
	case CLOAK_FILE_MAPS: case CLOAK_FILE_SMAPS:
		return *owner == sys6(NR_GETPID, 0, 0, 0, 0, 0, 0) ? KIND_OWN_MAPS + 1 : 0;
	case CLOAK_FILE_MEM:
		return *owner == sys6(NR_GETPID, 0, 0, 0, 0, 0, 0) ? KIND_OWN_MEM + 1 : 0;
	}
	return 0;
}

/* The bitmaps alone: fd is open on a file of kind (0: of none). */
static void
set_kind(long fd, int kind)
{
	if (fd < 0 || fd >= CLOAK_FDS)
		return;
	uint64_t bit = 1ull << (fd % 64);
	for (int k = 0; k < KINDS; k++) {
		if (kind == k + 1)
			__atomic_fetch_or(&fds[k][fd / 64], bit, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&fds[k][fd / 64], ~bit, __ATOMIC_RELAXED);
	}
}

/* fd was just opened on a file of kind, or closed (kind 0). */
static void
mark(long fd, int kind)
{
	if (fd < 0)
		return;
	cloak_maps_closed(fd);
	if (kind == KIND_OWN_MAPS + 1)
		cloak_maps_opened(fd);
	set_kind(fd, kind);
}

static int
marked(long fd)
{
	long owner;
	if (fd < 0)
		return 0;
	if (fd >= CLOAK_FDS)
		return kind_now(fd, &owner);
	for (int k = 0; k < KINDS; k++)
		if ((__atomic_load_n(&fds[k][fd / 64], __ATOMIC_RELAXED) >> (fd % 64)) & 1)
			return k + 1;
	return 0;
}

/* fd is open on the process's own /proc/PID/mem: writes there can
 * change its code behind every protection (agent/displaced.c). */
int
cloak_fd_is_own_mem(long fd)
{
	return marked(fd) == KIND_OWN_MEM + 1;
}

/* fd `copy` is a dup of fd: the same open file (a maps slot serves both). */
static void
dup_of(long fd, long copy)
{
	if (copy == fd)
		return;
	int kind = marked(fd);
	cloak_maps_closed(copy);
	if (kind == KIND_OWN_MAPS + 1)
		cloak_maps_dup(fd, copy);
	set_kind(copy, kind);
}

/* After an execve the agent starts afresh but fds without O_CLOEXEC
 * survive it: look at every open fd once. */
static void
scan_inherited(void)
{
	scanned = 1;
	long dir = sys6(NR_OPENAT, AT_FDCWD, (long)"/proc/self/fd", O_RDONLY_DIRECTORY, 0, 0, 0);
	if (dir < 0)
		return;
	char buf[1024];
	long n, owner;
	while ((n = sys6(NR_GETDENTS64, dir, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name */
			uint16_t reclen;
			memcpy(&reclen, buf + off + 16, 2);
			const char *name = buf + off + 19;
			long fd = 0;
			const char *p = name;
			if (cloak_number(&p, name + 12, &fd) && *p == 0 && fd != dir)
				mark(fd, kind_now(fd, &owner));
			off += reclen;
		}
	}
	sys6(NR_CLOSE, dir, 0, 0, 0, 0, 0);
}

static long
read_tracer_pid(void)
{
	long fd = sys6(NR_OPENAT, AT_FDCWD, (long)"/proc/self/status", 0, 0, 0, 0);
	if (fd < 0)
		return 0;
	char buf[2048];
	long n = sys6(NR_READ, fd, (long)buf, sizeof buf, 0, 0, 0), v = 0;
	sys6(NR_CLOSE, fd, 0, 0, 0, 0, 0);
	for (long i = 0; i + 11 < n; i++) {
		const char *p = buf + i;
		if ((i == 0 || buf[i - 1] == '\n') && cloak_literal(&p, buf + n, "TracerPid:\t") &&
		    cloak_number(&p, buf + n, &v))
			break;
	}
	return v;
}

int
cloak_syscall_before(long nr, const uint64_t *g, long *ret)
{
	switch (nr) {
	case NR_PTRACE:
		if (g[X86_RDI] != CLOAK_PTRACE_TRACEME)
			return 0;
		/* Natively: 0 the first time, EPERM once traced by the parent. */
		*ret = traceme ? -CLOAK_EPERM : 0;
		traceme = 1;
		return 1;
	case NR_READ: case NR_PREAD64:
		if (marked((long)g[X86_RDI]) == KIND_OWN_MAPS + 1) {
			struct cloak_iov one = { g[X86_RSI], g[X86_RDX] };
			return cloak_maps_read((long)g[X86_RDI], nr == NR_PREAD64, g[X86_R10], &one, 1,
					       ret);
		}
		return 0;
	case NR_READV: case NR_PREADV: case NR_PREADV2:
		if (marked((long)g[X86_RDI]) == KIND_OWN_MAPS + 1 && g[X86_RDX] <= 64 &&
		    (nr != NR_PREADV2 || (g[X86_R8] == 0 && (long)g[X86_R10] != -1))) {
			struct cloak_iov iov[64];
			if (agent_safe_copy(iov, (const void *)g[X86_RSI], g[X86_RDX] * sizeof *iov) < 0) {
				*ret = -14; /* EFAULT */
				return 1;
			}
			return cloak_maps_read((long)g[X86_RDI], nr != NR_READV, g[X86_R10], iov,
					       (int)g[X86_RDX], ret);
		}
		return 0;
	case NR_LSEEK:
		if (marked((long)g[X86_RDI]) == KIND_OWN_MAPS + 1)
			return cloak_maps_lseek((long)g[X86_RDI], (long)g[X86_RSI], (long)g[X86_RDX], ret);
		return 0;
	}
	return 0;
}

static long
fix_read(const uint64_t *g, long r)
{
	long owner;
	if (r <= 0 || marked((long)g[X86_RDI]) != KIND_STATUS + 1)
		return r;
	if (fd_file((long)g[X86_RDI], &owner) != CLOAK_FILE_STATUS)
		return r; /* a stale mark: the fd changed behind our back */
	if (!tracer_pid)
		tracer_pid = read_tracer_pid();
	long shown = 0;
	if (traceme && owner == sys6(NR_GETPID, 0, 0, 0, 0, 0, 0))
		shown = sys6(NR_GETPPID, 0, 0, 0, 0, 0, 0);
	/* The kernel just wrote these r bytes: they are the program's and
	 * writable. */
	long m = cloak_fix_tracer_pid((char *)g[X86_RSI], r, (long)g[X86_RDX], tracer_pid, shown);
	return m >= 0 ? m : r;
}

long
cloak_syscall_after(long nr, const uint64_t *g, long r)
{
	long owner;
	if (!scanned)
		scan_inherited();
	switch (nr) {
	case NR_READ: case NR_PREAD64:
		return fix_read(g, r);
	case NR_OPEN: case NR_OPENAT: case NR_OPENAT2: case NR_CREAT:
		if (r >= 0)
			mark(r, kind_now(r, &owner));
		break;
	case NR_DUP:
		if (r >= 0)
			dup_of((long)g[X86_RDI], r);
		break;
	case NR_DUP2: case NR_DUP3:
		if (r >= 0)
			dup_of((long)g[X86_RDI], r);
		break;
	case NR_FCNTL:
		if (r >= 0 && (g[X86_RSI] == F_DUPFD || g[X86_RSI] == F_DUPFD_CLOEXEC))
			dup_of((long)g[X86_RDI], r);
		break;
	case NR_CLOSE:
		mark((long)g[X86_RDI], 0);
		break;
	case NR_CLOSE_RANGE:
		if (r == 0 && !(g[X86_RDX] & CLOSE_RANGE_CLOEXEC)) {
			uint64_t last = g[X86_RSI] < CLOAK_FDS ? g[X86_RSI] : CLOAK_FDS - 1;
			for (uint64_t fd = g[X86_RDI]; fd <= last; fd++)
				mark((long)fd, 0);
		}
		break;
	}
	return r;
}

/* A forked child is not traced by its parent (natively), whatever the
 * parent did; its fds are copies of the parent's. */
void
cloak_forked_child(void)
{
	traceme = 0;
}
