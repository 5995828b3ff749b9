/*
 * Engines patch and displaced, the tracer's side: tasks come and go
 * (docs/AGENT.md "Threads", "Processes").  Each thread is a task of its
 * own (struct patch_engine: its ptrace stops, agent state block, buffer,
 * signal queue, stream); the threads of a process share a struct
 * patch_proc.  As in the ptrace engine: a clone whose new task has its
 * creator's thread group id is a thread, anything else a process; a
 * non-leader that execs takes the leader's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "tracer/agent_ring.h"
#include "tracer/patch_task.h"
#include "tracer/process_info.h"
#include "tracer/xalloc.h"
#include "umss/trace.h"

struct patch_engine *
patch_find_task(struct patch_run *r, pid_t tid)
{
	for (struct patch_engine *p = r->procs; p; p = p->next)
		if (p->pid == tid)
			return p;
	return NULL;
}

void
patch_remove_task(struct patch_run *r, struct patch_engine *e)
{
	for (struct patch_engine **pp = &r->procs; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	if (e->error && !r->error)
		r->error = e->error;
	agent_ring_unref(e->ring);
	patch_proc_unref(e->proc);
	free(e);
}

static struct patch_engine *
new_task(struct patch_run *r, const struct patch_engine *creator, pid_t tid)
{
	struct patch_engine *c = xcalloc(1, sizeof *c);
	c->pid = tid;
	c->w = creator->w;
	c->res = creator->res;
	c->lay = creator->lay;
	c->engine = creator->engine;
	c->next = r->procs;
	r->procs = c;
	return c;
}

/*
 * A task c that runs on an agent slot (a vfork child, a thread) starts in
 * the slot's ring, which the creator's agent opened (or had opened for an
 * earlier task of the slot).  A former task of the slot that is not
 * reaped yet may have left words there: they are its own, recorded first,
 * and it lets go of the ring.
 */
static void
attach_slot_ring(struct patch_run *r, struct patch_engine *c)
{
	struct agent_ring *ring = patch_proc_slot_ring(patch_proc_vm_root(c->proc), c->lay.state);
	if (!ring)
		return;
	for (struct patch_engine *p = r->procs; p; p = p->next)
		if (p->ring == ring) {
			patch_drain(p);
			agent_ring_unref(p->ring);
			p->ring = NULL;
		}
	c->ring = agent_ring_ref(ring);
}

/*
 * The new task's agent state block: a thread's, or a vfork child's in its
 * parent's memory, is the one the creator's agent set up for it
 * (agent/process.c: reserved[AGENT_VCHILD_SLOT] while the clone runs);
 * a fork child's is its creator's, copied at the same address (its agent
 * opens a ring of its own).
 */
void
patch_on_new_task(struct patch_run *r, struct patch_engine *e)
{
	unsigned long msg = 0;
	if (ptrace(PTRACE_GETEVENTMSG, e->pid, 0L, &msg) < 0 || patch_find_task(r, (pid_t)msg))
		return;
	pid_t tid = (pid_t)msg;
	patch_drain(e);
	struct agent_state st;
	uint64_t shared = patch_read_state(e, &st) == 0 ? st.reserved[AGENT_VCHILD_SLOT] : 0;
	struct patch_engine *c = new_task(r, e, tid);
	if (shared)
		c->lay.state = shared;
	if (process_tgid(tid) == e->proc->pid) {
		c->proc = e->proc;
		patch_proc_ref(c->proc);
		patch_check(c, umss_writer_thread_start(c->w, c->proc->pid, tid, (uint32_t)e->pid));
		c->res->threads++;
	} else {
		c->proc = patch_proc_copy(tid, e->proc);
		if (shared) {
			/* It runs in e's memory (vfork, posix_spawn). */
			c->proc->vm_parent = e->proc;
			patch_proc_ref(e->proc);
		}
		struct process_args args;
		process_args_read(tid, &args);
		patch_check(c, umss_writer_process(c->w, tid, e->proc->pid, e->pid, args.exe,
						   args.argc, (const char *const *)args.argv));
		process_args_free(&args);
		patch_check(c, umss_writer_thread_start(c->w, tid, tid, 0));
		c->res->processes++;
		c->res->threads++;
	}
	if (shared)
		attach_slot_ring(r, c);
	if (pid_set_take(&r->parked, tid))
		ptrace(PTRACE_CONT, tid, 0L, 0L);
}

/* At PTRACE_EVENT_EXIT, after the last drain: the thread will not run
 * user code again, its slot's stack and buffer may serve another thread
 * (agent/thread_slots.c). */
void
patch_thread_exiting(struct patch_engine *e)
{
	struct agent_state st;
	if (patch_read_state(e, &st) < 0 || !st.slot_busy)
		return;
	uint64_t zero = 0;
	struct iovec local = { &zero, 8 };
	struct iovec remote = { (void *)st.slot_busy, 8 };
	process_vm_writev(e->pid, &local, 1, &remote, 1, 0);
}

/*
 * The kernel reports PTRACE_EVENT_EXEC with the leader's id when another
 * thread exec'd (de_thread): that thread's agent recorded and drained the
 * execve before it ran, its stream ends there (the EXEC event names it),
 * and the new image continues as the leader, whose task e serves it.
 */
void
patch_exec_takeover(struct patch_run *r, struct patch_engine *e, pid_t former)
{
	struct patch_engine *caller = patch_find_task(r, former);
	if (caller && caller != e) {
		if (caller->error && !e->error)
			e->error = caller->error;
		patch_remove_task(r, caller);
	}
	e->n_sigq = 0;
}

void
patch_task_exited(struct patch_engine *e, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (e->pid == e->proc->pid) {
		patch_check(e, umss_writer_exit(e->w, e->proc->pid, status));
		if (e->proc->root)
			e->res->exit_status = code;
	} else {
		patch_check(e, umss_writer_thread_exit(e->w, e->proc->pid, e->pid, code));
	}
	e->gone = true;
}
