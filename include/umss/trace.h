/*
 * umss trace files: the public reader and writer API.
 *
 * A trace records every instruction a traced program retired, per thread, in
 * program order, together with what is needed to read it after the program is
 * gone: the code bytes that ran, the module map, and process/thread/signal
 * events.  docs/FORMAT.md describes the bytes on disk; this header is the only
 * supported way to produce or consume them.
 *
 * Conventions (libbpf-like): functions return 0 (or a positive count) on
 * success and a negative value on failure: -errno for system errors, or one of
 * the UMSS_E_* codes below.  umss_strerror() turns either into a message.  The
 * library never prints and never exits.
 */
#ifndef UMSS_TRACE_H
#define UMSS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Format version written by this library; readers accept exactly this. */
#define UMSS_TRACE_VERSION 1

/* Error codes beyond errno (errno values stay below 4096). */
enum umss_error {
	UMSS_E_NOT_TRACE = 4096, /* not a umss trace (bad magic) */
	UMSS_E_VERSION,          /* a umss trace of another format version */
	UMSS_E_CORRUPT,          /* structurally invalid data (checksum, bounds) */
	UMSS_E_TRUNCATED,        /* ends before its end record: cut short */
	UMSS_E_USAGE,            /* the API was called with invalid arguments */
};

/* Message for a negative return value of this library (never NULL). */
const char *umss_strerror(int err);

/* What one event of a trace is. */
enum umss_event_kind {
	UMSS_EV_INSN = 1,     /* one retired instruction: pid, tid, insn */
	UMSS_EV_PROCESS,      /* a process appears: pid, process */
	UMSS_EV_THREAD_START, /* a thread appears: pid, tid, thread */
	UMSS_EV_THREAD_EXIT,  /* a thread ends: pid, tid, thread.status */
	UMSS_EV_EXEC,         /* pid replaced its image: pid, tid (the thread
	                         that called execve), exec */
	UMSS_EV_MAP,          /* a mapping appears in pid: map */
	UMSS_EV_UNMAP,        /* [map.start, map.end) goes away in pid */
	UMSS_EV_CODE,         /* the bytes at code.addr in pid are (from now on)
	                         code.bytes: one instruction */
	UMSS_EV_SIGNAL,       /* a signal is delivered to tid: signal */
	UMSS_EV_EXIT,         /* process pid ended: exit.status (wait status) */
	UMSS_EV_END,          /* the trace's last event: end */
};

/* How a delivered signal was handled. */
enum umss_signal_action {
	UMSS_SIG_HANDLER = 1, /* the program's handler runs next */
	UMSS_SIG_IGNORED,     /* ignored (SIG_IGN or default-ignore) */
	UMSS_SIG_FATAL,       /* the default action kills the process */
	UMSS_SIG_STOP,        /* the default action stops the process */
};

/* Written once at the start of a trace. Strings are NUL-terminated. */
struct umss_trace_info {
	const char *engine;      /* "ptrace", "patch", "displaced" */
	const char *tool;        /* writer identification, e.g. "umss 0.1" */
	uint64_t start_time_ns;  /* CLOCK_REALTIME at trace start, ns */
	uint32_t flags;          /* UMSS_INFO_* */
};
#define UMSS_INFO_ASLR 1u /* address space randomisation was left on */

/* Written once at the end of a trace. */
struct umss_trace_end {
	uint64_t instructions;  /* instructions recorded, all threads */
	uint64_t fallbacks;     /* kernel-assisted steps of user-mode engines */
	uint64_t wall_ns;       /* wall time of the traced run, ns */
	int32_t exit_status;    /* umss's exit code for the run (0-255) */
	uint32_t reserved;
};

/*
 * One event, as returned by umss_reader_next().  Pointers inside it stay
 * valid until the next call on the same reader.
 */
struct umss_event {
	enum umss_event_kind kind;
	uint32_t pid;   /* process (thread group) id; 0 for END */
	uint32_t tid;   /* thread id where it applies, else 0 */
	union {
		struct {
			uint64_t addr;         /* address of the instruction */
			const uint8_t *bytes;  /* its bytes as they ran */
			uint32_t len;          /* 1-15; 0 = bytes unreadable
			                          (e.g. the vsyscall page) */
			uint64_t index;        /* 0-based position in its thread */
		} insn;
		struct {
			uint64_t addr;
			const uint8_t *bytes;
			uint32_t len;          /* 0 = unreadable */
		} code;
		struct {
			uint32_t ppid;         /* parent process, 0 for the first */
			uint32_t parent_tid;   /* thread that forked it, else 0 */
			const char *exe;       /* executable path */
			uint32_t argc;
			const char *const *argv;
		} process;
		struct {
			uint32_t parent_tid;   /* creating thread, 0 = main thread */
			int32_t status;        /* THREAD_EXIT: exit code or
			                          128+signal, -1 unknown */
		} thread;
		struct {
			uint32_t old_tid;      /* id of the calling thread before
			                          exec (a non-leader becomes pid) */
			const char *exe;
			uint32_t argc;
			const char *const *argv;
		} exec;
		struct {
			uint64_t start, end;   /* [start, end) */
			uint64_t offset;       /* file offset of start */
			uint32_t prot;         /* PROT_READ|PROT_WRITE|PROT_EXEC */
			uint32_t build_id_len; /* 0 when unknown */
			const char *path;      /* "" for anonymous, "[vdso]" etc. */
			const uint8_t *build_id;
		} map;
		struct {
			int32_t signo;
			int32_t code;          /* si_code */
			uint64_t addr;         /* si_addr for faults, else 0 */
			uint64_t at;           /* rip when delivered */
			uint32_t action;       /* enum umss_signal_action */
		} signal;
		struct {
			int32_t status;        /* wait(2) status of the process */
		} exit;
		struct umss_trace_end end;
	};
};

/* ------------------------------------------------------------------ reader */

struct umss_reader;

/*
 * Opens a trace.  On failure returns NULL and stores a negative error in
 * *err: -errno, UMSS_E_NOT_TRACE, UMSS_E_VERSION or UMSS_E_CORRUPT.
 */
struct umss_reader *umss_reader_open(const char *path, int *err);

/* The header's information; strings live as long as the reader. */
const struct umss_trace_info *umss_reader_info(const struct umss_reader *r);

/*
 * Next event into *ev.  Returns 1 for an event, 0 at the clean end of the
 * trace (after UMSS_EV_END), or a negative error.  A trace cut short (a
 * killed tracer) yields every event of its last whole chunk, then returns
 * -UMSS_E_TRUNCATED; a damaged one returns -UMSS_E_CORRUPT at the damage.
 * Instructions come one event each (UMSS_EV_INSN), interleaved with other
 * events in the order they were recorded; per thread the order is program
 * order.
 */
int umss_reader_next(struct umss_reader *r, struct umss_event *ev);

void umss_reader_close(struct umss_reader *r);

/* ------------------------------------------------------------------ writer */

struct umss_writer;

/*
 * Creates (truncates) path and writes the header.  Returns NULL and a
 * negative error in *err on failure.
 */
struct umss_writer *umss_writer_open(const char *path,
				     const struct umss_trace_info *info,
				     int *err);

/*
 * Event writers.  Each returns 0 or a negative error; after an error the
 * writer only accepts umss_writer_close().
 *
 * Ordering rules the writer relies on:
 * - umss_writer_code() for (pid, addr) must come before the first
 *   umss_writer_insn() at addr, and again whenever the bytes there change;
 *   a CODE record replaces the previous bytes at that address from that
 *   point of the trace on (the writer flushes pending instructions of pid
 *   first, so earlier instructions keep the old bytes).
 * - A new process (fork child) inherits a copy of its parent's code and
 *   mappings: call umss_writer_process() with ppid set.  An exec starts pid
 *   over with nothing.
 */
int umss_writer_process(struct umss_writer *w, uint32_t pid, uint32_t ppid,
			uint32_t parent_tid, const char *exe, uint32_t argc,
			const char *const *argv);
int umss_writer_thread_start(struct umss_writer *w, uint32_t pid,
			     uint32_t tid, uint32_t parent_tid);
int umss_writer_thread_exit(struct umss_writer *w, uint32_t pid, uint32_t tid,
			    int32_t status);
int umss_writer_exec(struct umss_writer *w, uint32_t pid, uint32_t old_tid,
		     const char *exe, uint32_t argc, const char *const *argv);
int umss_writer_map(struct umss_writer *w, uint32_t pid, uint64_t start,
		    uint64_t end, uint64_t offset, uint32_t prot,
		    const char *path, const uint8_t *build_id,
		    uint32_t build_id_len);
int umss_writer_unmap(struct umss_writer *w, uint32_t pid, uint64_t start,
		      uint64_t end);
int umss_writer_code(struct umss_writer *w, uint32_t pid, uint64_t addr,
		     const uint8_t *bytes, uint32_t len);
/* 1 when the trace already holds code bytes for (pid, addr): a
 * umss_writer_code() of the same bytes would write nothing. */
int umss_writer_has_code(struct umss_writer *w, uint32_t pid, uint64_t addr);
/* Appends one retired instruction to tid's stream (buffered). */
int umss_writer_insn(struct umss_writer *w, uint32_t pid, uint32_t tid,
		     uint64_t addr);
/* The same for n instructions in order: one call for a run (the agent's
 * trace ring hands them over in bulk). */
int umss_writer_insns(struct umss_writer *w, uint32_t pid, uint32_t tid,
		      const uint64_t *addrs, size_t n);
int umss_writer_signal(struct umss_writer *w, uint32_t pid, uint32_t tid,
		       int32_t signo, int32_t code, uint64_t addr, uint64_t at,
		       uint32_t action);
int umss_writer_exit(struct umss_writer *w, uint32_t pid, int32_t status);

/*
 * Writes everything buffered as whole chunks, so that a later kill loses
 * nothing recorded so far.  Cheap to call often (does nothing when empty).
 */
int umss_writer_flush(struct umss_writer *w);

/* Bytes written to the file so far (after compression). */
uint64_t umss_writer_bytes(const struct umss_writer *w);

/*
 * Writes the end record (when end is not NULL), flushes, closes and frees.
 * With end == NULL the trace is left without an end record, as a killed
 * tracer would leave it (readers report it truncated).
 */
int umss_writer_close(struct umss_writer *w, const struct umss_trace_end *end);

#ifdef __cplusplus
}
#endif
#endif /* UMSS_TRACE_H */
