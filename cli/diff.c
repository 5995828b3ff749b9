/*
 * umss diff A B: do two traces hold the same instruction streams?
 *
 * Pids and tids differ between runs, so threads are paired by order of
 * appearance: processes by the order they appear in each trace, threads by
 * the order they appear in their process.  Each pair's sequence of
 * (address, bytes) must be equal.  Both traces are read side by side, always
 * from the one with fewer instructions waiting, and each instruction is
 * compared as soon as its counterpart is there: a single-threaded pair
 * buffers one instruction, a multi-threaded one only what the two
 * interleavings force.
 *
 * Exit 0 when identical, 1 at the first difference (with context), 2 on an
 * error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/insn_line.h"
#include "cli/messages.h"
#include "cli/modmap.h"
#include "cli/outbuf.h"
#include "cli/pairmap.h"
#include "cli/symbols.h"
#include "umss/trace.h"

#define CONTEXT 5	/* equal instructions shown before a difference */
#define AFTER 3		/* instructions shown from each side at a difference */

static const char diff_usage[] =
	"usage: umss diff A B\n"
	"\n"
	"Compares the instruction streams of two traces.  Threads are paired by\n"
	"order of appearance (processes by order of appearance, threads by order\n"
	"within their process), since pids and tids differ between runs; each pair\n"
	"must run the same instructions (address and bytes) in the same order.\n"
	"Exits 0 and prints `identical: N instructions, T threads` when they do;\n"
	"exits 1 and prints the first difference with the instructions before it\n"
	"when they do not; exits 2 on an error.\n";

/* One instruction as read, with where it was at that point of its trace. */
struct dinsn {
	uint64_t addr;
	uint64_t index;
	struct where w;
	uint32_t pid, tid;
	uint8_t len;
	uint8_t bytes[15];
};

/* A FIFO of instructions. */
struct queue {
	struct dinsn *v;
	size_t head, n, cap;	/* cap is 0 or a power of two */
};

/* A pair of threads, one from each trace. */
struct pair {
	uint32_t proc_ord, thread_ord;	/* 1-based */
	uint32_t pid[2], tid[2];	/* as last seen on each side */
	bool seen[2];
	bool ended[2];			/* the thread's exit was read */
	struct queue q[2];		/* read, not yet compared */
	uint64_t matched;		/* equal instructions so far */
	struct dinsn ctx[CONTEXT];	/* the last equal ones (side A's) */
};

struct side {
	const char *path;
	struct umss_reader *r;
	struct modmap maps;
	struct pairmap proc_of_pid;	/* (pid, 0) -> process ordinal */
	struct pairmap pair_of_tid;	/* (pid, tid) -> pair index + 1 */
	uint32_t *threads_in;		/* per process ordinal: threads so far */
	size_t cap_threads_in;
	uint32_t nprocs, nthreads;
	uint64_t waiting;		/* instructions queued on this side */
	uint64_t insns;
	bool eof;
	int rc;				/* last umss_reader_next() result */
};

struct diff {
	struct side s[2];
	struct pair **pairs;
	size_t npairs, cap_pairs;
	struct pairmap pair_of_ord;	/* (proc ord, thread ord) -> index + 1 */
	struct pair *just_ended;	/* its thread exit was the last event */
	struct outbuf out;
	struct insn_line line;
};

static void
queue_push(struct queue *q, const struct dinsn *d)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 4;
		struct dinsn *v = cli_calloc(cap, sizeof *v);

		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) & (q->cap - 1)];
		free(q->v);
		q->v = v;
		q->cap = cap;
		q->head = 0;
	}
	q->v[(q->head + q->n++) & (q->cap - 1)] = *d;
}

static struct dinsn
queue_pop(struct queue *q)
{
	struct dinsn d = q->v[q->head];

	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	return d;
}

static uint32_t
new_proc(struct side *s, uint32_t pid)
{
	uint32_t ord = ++s->nprocs;

	if (ord >= s->cap_threads_in) {
		size_t cap = 2 * (size_t)ord + 16;

		s->threads_in = cli_realloc(s->threads_in, cap * sizeof *s->threads_in);
		memset(s->threads_in + s->cap_threads_in, 0,
		       (cap - s->cap_threads_in) * sizeof *s->threads_in);
		s->cap_threads_in = cap;
	}
	*pairmap_ref(&s->proc_of_pid, pid, 0) = ord;
	return ord;
}

/* The pair of thread tid of pid on side k, started when first seen. */
static struct pair *
pair_of(struct diff *d, int k, uint32_t pid, uint32_t tid)
{
	struct side *s = &d->s[k];
	uint64_t *ref = pairmap_find(&s->pair_of_tid, pid, tid);
	uint64_t *po, *pp;
	uint32_t proc, thread;
	struct pair *p;

	if (ref)
		return d->pairs[*ref - 1];
	po = pairmap_find(&s->proc_of_pid, pid, 0);
	proc = po ? (uint32_t)*po : new_proc(s, pid);
	thread = ++s->threads_in[proc];
	s->nthreads++;
	pp = pairmap_ref(&d->pair_of_ord, proc, thread);
	if (!*pp) {
		if (d->npairs == d->cap_pairs) {
			d->cap_pairs = d->cap_pairs ? 2 * d->cap_pairs : 16;
			d->pairs = cli_realloc(d->pairs, d->cap_pairs * sizeof *d->pairs);
		}
		p = cli_calloc(1, sizeof *p);
		p->proc_ord = proc;
		p->thread_ord = thread;
		d->pairs[d->npairs++] = p;
		*pp = d->npairs;
	}
	p = d->pairs[*pp - 1];
	p->pid[k] = pid;
	p->tid[k] = tid;
	p->seen[k] = true;
	*pairmap_ref(&s->pair_of_tid, pid, tid) = *pp;
	return p;
}

/* Bookkeeping for a non-instruction event of side k. */
static void
side_event(struct diff *d, int k, const struct umss_event *ev)
{
	struct side *s = &d->s[k];
	uint64_t *ref;

	modmap_event(&s->maps, ev);
	switch (ev->kind) {
	case UMSS_EV_PROCESS:
		new_proc(s, ev->pid);
		break;
	case UMSS_EV_THREAD_START:
		pair_of(d, k, ev->pid, ev->tid);
		break;
	case UMSS_EV_THREAD_EXIT:
		ref = pairmap_find(&s->pair_of_tid, ev->pid, ev->tid);
		if (ref) {
			d->pairs[*ref - 1]->ended[k] = true;
			d->just_ended = d->pairs[*ref - 1];
			/* The tid may be reused by a later thread. */
			pairmap_remove(&s->pair_of_tid, ev->pid, ev->tid);
		}
		break;
	case UMSS_EV_EXEC:
		/* A thread other than the leader that execs becomes the
		 * leader (kernel: de_thread()); its stream goes on. */
		if (ev->exec.old_tid != ev->pid &&
		    (ref = pairmap_find(&s->pair_of_tid, ev->pid, ev->exec.old_tid))) {
			uint64_t idx = *ref;

			pairmap_remove(&s->pair_of_tid, ev->pid, ev->exec.old_tid);
			*pairmap_ref(&s->pair_of_tid, ev->pid, ev->pid) = idx;
			d->pairs[idx - 1]->tid[k] = ev->pid;
		}
		break;
	default:
		break;
	}
}

/*
 * Reads side k's next event; returns its pair and fills *di for an
 * instruction, else NULL.  Sets eof at the end (or an error).
 */
static struct pair *
side_read(struct diff *d, int k, struct dinsn *di)
{
	struct side *s = &d->s[k];
	struct umss_event ev;
	struct pair *p;
	int rc;

	rc = umss_reader_next(s->r, &ev);
	if (rc != 1) {
		s->eof = true;
		s->rc = rc;
		return NULL;
	}
	if (ev.kind != UMSS_EV_INSN) {
		side_event(d, k, &ev);
		return NULL;
	}
	p = pair_of(d, k, ev.pid, ev.tid);
	s->insns++;
	memset(di, 0, sizeof *di);
	di->addr = ev.insn.addr;
	di->index = ev.insn.index;
	di->pid = ev.pid;
	di->tid = ev.tid;
	di->len = (uint8_t)(ev.insn.len <= 15 ? ev.insn.len : 15);
	if (di->len)
		memcpy(di->bytes, ev.insn.bytes, di->len);
	di->w = modmap_where(&s->maps, ev.pid, ev.insn.addr);
	if (di->w.kind == WHERE_FILE)
		symfile_check_code(di->w.file, di->w.off, di->bytes, di->len);
	return p;
}

static bool
same(const struct dinsn *a, const struct dinsn *b)
{
	return a->addr == b->addr && a->len == b->len &&
	       !memcmp(a->bytes, b->bytes, a->len);
}

/* di of side k (branch targets are named from that side's map as it is). */
static void
put_insn(struct diff *d, int k, const char *prefix, const struct dinsn *di)
{
	outbuf_puts(&d->out, prefix);
	insn_line_put(&d->line, &d->out, &d->s[k].maps, di->pid, di->tid, di->addr,
		      &di->w, di->bytes, di->len);
}

/* Prints up to AFTER instructions of p on side k, from first (or none). */
static void
put_side(struct diff *d, struct pair *p, int k, const struct dinsn *first)
{
	struct side *s = &d->s[k];
	struct dinsn more;
	int shown = 0;

	outbuf_printf(&d->out, "  %c:\n", "AB"[k]);
	if (!first) {
		outbuf_printf(&d->out, "    (%s after %" PRIu64 " instructions)\n",
			      p->seen[k] ? "thread ended" : "no such thread: nothing", p->matched);
		return;
	}
	put_insn(d, k, "    ", first);
	shown++;
	while (shown < AFTER && p->q[k].n) {
		more = queue_pop(&p->q[k]);
		put_insn(d, k, "    ", &more);
		shown++;
	}
	/* Read on for the rest; other threads' instructions no longer matter. */
	while (shown < AFTER && !s->eof) {
		if (side_read(d, k, &more) == p) {
			put_insn(d, k, "    ", &more);
			shown++;
		}
	}
}

/* Reports the first difference, in pair p at instruction p->matched. */
static void
report(struct diff *d, struct pair *p, const struct dinsn *a, const struct dinsn *b)
{
	uint64_t n = p->matched < CONTEXT ? p->matched : CONTEXT;

	outbuf_printf(&d->out, "traces differ: process %" PRIu32 " thread %" PRIu32
		      " (in order of appearance), instruction %" PRIu64 "\n",
		      p->proc_ord, p->thread_ord, p->matched);
	for (int k = 0; k < 2; k++) {
		if (p->seen[k])
			outbuf_printf(&d->out, "  %c: %s: pid %" PRIu32 " tid %" PRIu32 "\n",
				      "AB"[k], d->s[k].path, p->pid[k], p->tid[k]);
		else
			outbuf_printf(&d->out, "  %c: %s: no such thread\n", "AB"[k],
				      d->s[k].path);
	}
	if (n) {
		outbuf_printf(&d->out, "  before (equal):\n");
		for (uint64_t i = p->matched - n; i < p->matched; i++)
			put_insn(d, 0, "    ", &p->ctx[i % CONTEXT]);
	}
	put_side(d, p, 0, a);
	put_side(d, p, 1, b);
}

/* Compares side k's new instruction di of pair p; false at a difference. */
static bool
compare(struct diff *d, int k, struct pair *p, const struct dinsn *di)
{
	int o = 1 - k;
	struct dinsn other;

	if (!p->q[o].n) {
		/* The other side will never have it: its thread ended or its
		 * trace did. */
		if (p->ended[o] || d->s[o].eof) {
			report(d, p, k == 0 ? di : NULL, k == 1 ? di : NULL);
			return false;
		}
		queue_push(&p->q[k], di);
		d->s[k].waiting++;
		return true;
	}
	other = queue_pop(&p->q[o]);
	d->s[o].waiting--;
	const struct dinsn *a = k == 0 ? di : &other, *b = k == 0 ? &other : di;
	if (!same(a, b)) {
		report(d, p, a, b);
		return false;
	}
	p->ctx[p->matched % CONTEXT] = *a;
	p->matched++;
	return true;
}

static int
side_open(struct side *s, const char *path)
{
	s->path = path;
	s->r = msg_open_trace(path);
	if (!s->r)
		return -1;
	modmap_init(&s->maps);
	pairmap_init(&s->proc_of_pid);
	pairmap_init(&s->pair_of_tid);
	return 0;
}

static void
side_close(struct side *s)
{
	if (!s->r)
		return;
	umss_reader_close(s->r);
	modmap_free(&s->maps);
	pairmap_free(&s->proc_of_pid);
	pairmap_free(&s->pair_of_tid);
	free(s->threads_in);
}

/* Runs the comparison: 0 identical, 1 different. */
static int
run(struct diff *d)
{
	int turn = 0;

	while (!d->s[0].eof || !d->s[1].eof) {
		struct dinsn di;
		struct pair *p;
		int k;

		/* Read where fewer instructions wait for their counterpart. */
		if (d->s[0].eof)
			k = 1;
		else if (d->s[1].eof)
			k = 0;
		else if (d->s[0].waiting != d->s[1].waiting)
			k = d->s[0].waiting < d->s[1].waiting ? 0 : 1;
		else
			k = turn ^= 1;
		p = side_read(d, k, &di);
		if (p && !compare(d, k, p, &di))
			return 1;
		/* A thread that ended before its counterpart's waiting ones. */
		if (d->just_ended) {
			struct pair *q = d->just_ended;

			d->just_ended = NULL;
			if (q->q[1 - k].n) {
				struct dinsn first = queue_pop(&q->q[1 - k]);

				report(d, q, k == 1 ? &first : NULL, k == 0 ? &first : NULL);
				return 1;
			}
		}
		if (d->s[k].eof && d->s[k].rc < 0 && d->s[k].rc != -UMSS_E_TRUNCATED)
			return 2;
		/* A side that ended leaves the other's waiting ones unmatched. */
		if (d->s[k].eof)
			for (size_t i = 0; i < d->npairs; i++) {
				struct pair *q = d->pairs[i];

				if (q->q[1 - k].n) {
					struct dinsn first = queue_pop(&q->q[1 - k]);

					report(d, q, k == 1 ? &first : NULL,
					       k == 0 ? &first : NULL);
					return 1;
				}
			}
	}
	if (d->s[0].nprocs != d->s[1].nprocs || d->s[0].nthreads != d->s[1].nthreads) {
		outbuf_printf(&d->out, "traces differ: A has %" PRIu32 " processes and %"
			      PRIu32 " threads, B has %" PRIu32 " and %" PRIu32
			      " (their instructions are equal)\n",
			      d->s[0].nprocs, d->s[0].nthreads, d->s[1].nprocs,
			      d->s[1].nthreads);
		return 1;
	}
	outbuf_printf(&d->out, "identical: %" PRIu64 " instructions, %" PRIu32 " thread%s\n",
		      d->s[0].insns, d->s[0].nthreads, d->s[0].nthreads == 1 ? "" : "s");
	return 0;
}

int
cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct diff d;
	int c, status, end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(diff_usage, stdout);
			return 0;
		}
		fputs(diff_usage, stderr);
		return 2;
	}
	if (argc - optind != 2) {
		fputs(diff_usage, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&d, 0, sizeof d);
	if (side_open(&d.s[0], argv[optind]) || side_open(&d.s[1], argv[optind + 1])) {
		side_close(&d.s[0]);
		return 2;
	}
	pairmap_init(&d.pair_of_ord);
	outbuf_init(&d.out, 1);
	insn_line_init(&d.line);

	status = run(&d);
	outbuf_flush(&d.out);
	/* Errors and warnings of each trace, in order. */
	for (int k = 0; k < 2; k++) {
		if (!d.s[k].eof)
			continue;
		end = msg_trace_end(d.s[k].path, d.s[k].rc);
		if (end)
			status = 2;
	}
	end = outbuf_finish(&d.out);
	if (end && status != 2)
		status = 2;
	for (size_t i = 0; i < d.npairs; i++) {
		free(d.pairs[i]->q[0].v);
		free(d.pairs[i]->q[1].v);
		free(d.pairs[i]);
	}
	free(d.pairs);
	pairmap_free(&d.pair_of_ord);
	side_close(&d.s[0]);
	side_close(&d.s[1]);
	return status;
}
