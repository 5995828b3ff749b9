/* The tracer's entry points, shared by the engines and `umss trace`. */
#ifndef UMSS_TRACER_TRACER_H
#define UMSS_TRACER_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct umss_writer;

struct trace_result {
	int exit_status;        /* what umss exits with: PROG's status */
	uint64_t instructions;
	uint64_t fallbacks;     /* kernel-assisted steps of user-mode engines */
	uint64_t threads;       /* threads seen, all processes */
	uint64_t processes;
	uint64_t signals;       /* signals delivered to the program */
	const char *stopped_by; /* NULL, or why tracing ended early */
};

/* ptrace options every engine sets on the program (PTRACE_SEIZE). */
unsigned long tracer_ptrace_options(void);

/*
 * Steps every thread of pid (stopped at its first instruction by
 * launch_traced) and of its descendants with PTRACE_SINGLESTEP until all
 * have exited, writing the trace to w.  Returns 0, or -1 when tracing
 * failed (after printing why); *res is filled either way.
 */
int ptrace_engine_run(pid_t pid, struct umss_writer *w, struct trace_result *res);

/*
 * Set from a signal handler when umss itself is asked to stop (SIGINT,
 * SIGTERM, SIGHUP): the engine kills the program and ends the trace cleanly.
 */
extern volatile int tracer_interrupted;

#endif
