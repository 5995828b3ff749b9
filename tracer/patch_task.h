/*
 * Engines patch and displaced, the tracer's side: one traced task (a
 * thread) and the loop over all of them (tracer/patch_engine.c,
 * tracer/patch_threads.c).  Every ptrace call, agent state block, trace
 * buffer and signal queue is a task's; memory knowledge is its process's
 * (struct patch_proc, shared by its threads).
 */
#ifndef UMSS_TRACER_PATCH_TASK_H
#define UMSS_TRACER_PATCH_TASK_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/agent_abi.h"
#include "tracer/inject.h"
#include "tracer/patch_proc.h"
#include "tracer/pid_set.h"
#include "tracer/tracer.h"

#define SIGQ_MAX 64

struct patch_engine {
	pid_t pid;                  /* this task's id: a thread's tid (the process's for its leader) */
	struct patch_proc *proc;    /* its process (shared by its threads) */
	struct umss_writer *w;
	struct trace_result *res;
	struct agent_layout lay;    /* lay.state: this thread's agent state block */
	struct agent_ring *ring;    /* the trace ring its agent writes (NULL before it is open) */
	bool gone;                  /* the task has exited */
	int error;
	/* Signals taken from the kernel for the agent to deliver at its next
	 * instruction boundary (agent/signal.c), in the order they came. */
	siginfo_t sigq[SIGQ_MAX];
	unsigned n_sigq;
	unsigned engine;            /* AGENT_ENGINE_* */
	bool killed;                /* tracing ends: SIGKILL sent */
	struct patch_engine *next;  /* the other tasks of the trace (struct patch_run) */
};

/*
 * All the tasks of one trace (threads, fork children, docs/AGENT.md
 * "Processes", "Threads"): one waitpid(-1) loop serves them, each with its
 * own agent state and stream, as the ptrace engine does
 * (tracer/ptrace_engine.c).  A short wait for one task inside a request
 * (a fallback step, a signal delivery) leaves the others' stops queued in
 * the kernel.
 */
struct patch_run {
	struct patch_engine *procs; /* every task */
	pthread_t drainer;
	bool drainer_running;
	int drainer_stop;           /* futex word: 1 = end (wakes the drain thread's sleep) */
	struct pid_set parked;      /* new tasks that stopped before their creator's event */
	bool ending;                /* tracing stops early: every process is being killed */
	bool interrupted;           /* umss was asked to stop: processes interrupted */
	int error;
};

/* tracer/patch_engine.c */
void patch_check(struct patch_engine *e, int err);
int patch_read_state(struct patch_engine *e, struct agent_state *st);
/* Records what e's agent published in its ring (with the trace lock). */
long patch_drain(struct patch_engine *e);

/* tracer/patch_threads.c */
struct patch_engine *patch_find_task(struct patch_run *r, pid_t tid);
void patch_remove_task(struct patch_run *r, struct patch_engine *e);
/* PTRACE_EVENT_FORK/VFORK/CLONE in e: a thread of e's process or a new
 * process; one that shares the memory starts in its slot's ring. */
void patch_on_new_task(struct patch_run *r, struct patch_engine *e);
/* PTRACE_EVENT_EXIT of a thread: its agent slot is free again. */
void patch_thread_exiting(struct patch_engine *e);
/* PTRACE_EVENT_EXEC reported for the leader e: a thread that exec'd
 * (former) is now the leader; its own record goes. */
void patch_exec_takeover(struct patch_run *r, struct patch_engine *e, pid_t former);
/* The task ended (status from waitpid): EXIT for a process's leader,
 * THREAD_EXIT for another thread. */
void patch_task_exited(struct patch_engine *e, int status);

#endif
