/*
 * umss stats FILE: `instructions: N` first, then the run's summary (engine,
 * exit status, wall time, fallbacks, from the trace's end record), then
 * counts per process and thread, per module and for the 20 hottest
 * functions.  Instructions are counted per (file, offset) while reading and
 * symbolized once per distinct offset at the end, so the cost per
 * instruction is one map lookup and one hash update.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/event_line.h"
#include "cli/messages.h"
#include "cli/modmap.h"
#include "cli/outbuf.h"
#include "cli/pairmap.h"
#include "cli/symbols.h"
#include "umss/trace.h"

#define TOP_FUNCTIONS 20	/* default of --top */

static const char stats_usage[] =
	"usage: umss stats [--top N] FILE\n"
	"\n"
	"Counts the instructions of a trace.  The first line is `instructions: N`\n"
	"(all threads of all processes); then the engine, exit status, wall time and\n"
	"fallbacks of the run, the count of each process (pid, executable; an exec\n"
	"starts a new entry) and thread, of each module, and the N (default 20)\n"
	"functions that ran the most instructions.  A function without a symbol is\n"
	"named MODULE+OFFSET of its start in the module's unwind table, else of the\n"
	"instruction.\n"
	"\n"
	"  --top N    list N functions (0: all)\n";

struct pstat {
	uint32_t pid;
	char *exe;
	bool by_exec;		/* image started by exec (else by fork/start) */
	size_t origin;		/* index of the entry its process started as */
	uint64_t count;
	uint32_t threads;
};

struct tstat {
	uint32_t tid;
	size_t proc;		/* index in procs */
	uint64_t count;
};

/* Kinds of count keys besides a file pointer. */
#define KEY_ANON 1
#define KEY_NONE 2

struct stats {
	struct pstat *procs;
	size_t nprocs, cap_procs;
	struct tstat *threads;
	size_t nthreads, cap_threads;
	struct pairmap proc_of_pid;	/* (pid, 0) -> proc index + 1 */
	struct pairmap thread_of;	/* (proc, tid) -> thread index + 1 */
	struct pairmap counts;		/* (file or KEY_*, offset) -> count */
	struct pairmap distinct;	/* (origin, tid) of each thread seen */
	size_t nprocesses;		/* processes (not counting execs) */
	size_t nthreads_distinct;	/* threads (not counting execs) */
	uint64_t total;
};

static size_t
new_proc(struct stats *s, uint32_t pid, const char *exe, bool by_exec)
{
	if (s->nprocs == s->cap_procs) {
		s->cap_procs = s->cap_procs ? 2 * s->cap_procs : 16;
		s->procs = cli_realloc(s->procs, s->cap_procs * sizeof *s->procs);
	}
	uint64_t *cur = pairmap_ref(&s->proc_of_pid, pid, 0);

	s->procs[s->nprocs] = (struct pstat){
		.pid = pid, .exe = cli_strdup(exe ? exe : "?"), .by_exec = by_exec,
		.origin = by_exec && *cur ? s->procs[*cur - 1].origin : s->nprocs,
	};
	if (!by_exec || !*cur)
		s->nprocesses++;
	*cur = s->nprocs + 1;
	return s->nprocs++;
}

static size_t
proc_of(struct stats *s, uint32_t pid)
{
	uint64_t *p = pairmap_find(&s->proc_of_pid, pid, 0);

	return p ? *p - 1 : new_proc(s, pid, NULL, false);
}

static struct tstat *
thread_of(struct stats *s, uint32_t pid, uint32_t tid)
{
	size_t proc = proc_of(s, pid);
	uint64_t *t = pairmap_ref(&s->thread_of, proc, tid);

	if (!*t) {
		if (s->nthreads == s->cap_threads) {
			s->cap_threads = s->cap_threads ? 2 * s->cap_threads : 16;
			s->threads = cli_realloc(s->threads,
						 s->cap_threads * sizeof *s->threads);
		}
		s->threads[s->nthreads] = (struct tstat){ .tid = tid, .proc = proc };
		s->procs[proc].threads++;
		/* A thread that goes on after exec is the same thread. */
		uint64_t *seen = pairmap_ref(&s->distinct, s->procs[proc].origin, tid);
		if (!*seen) {
			*seen = 1;
			s->nthreads_distinct++;
		}
		*t = ++s->nthreads;
	}
	return &s->threads[*t - 1];
}

static double
percent(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

/* One row of the module or function table. */
struct row {
	uint64_t count;
	const char *module;	/* module name, `[anon]` or `?` */
	const char *path;	/* file path, or "" */
	struct symfile *file;	/* NULL for [anon] and ? */
	char *label;		/* function: symbol or module+offset */
};

static int
row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int d;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	d = strcmp(a->label ? a->label : a->module, b->label ? b->label : b->module);
	return d ? d : strcmp(a->path, b->path);
}

static void
put_processes(struct stats *s, struct outbuf *o)
{
	outbuf_puts(o, "\nprocesses and threads:\n");
	for (size_t p = 0; p < s->nprocs; p++) {
		struct pstat *ps = &s->procs[p];

		outbuf_printf(o, "  pid %-7" PRIu32 " %12" PRIu64 " %7.2f%%  %s%s\n",
			      ps->pid, ps->count, percent(ps->count, s->total),
			      ps->exe, ps->by_exec ? " (after exec)" : "");
		for (size_t t = 0; t < s->nthreads; t++)
			if (s->threads[t].proc == p)
				outbuf_printf(o, "    tid %-7" PRIu32 " %10" PRIu64 " %7.2f%%\n",
					      s->threads[t].tid, s->threads[t].count,
					      percent(s->threads[t].count, s->total));
	}
}

static const char *
key_module(uint64_t a)
{
	if (a == KEY_ANON)
		return "[anon]";
	if (a == KEY_NONE)
		return "?";
	return symfile_name((struct symfile *)(uintptr_t)a);
}

static struct symfile *
key_file(uint64_t a)
{
	return a == KEY_ANON || a == KEY_NONE ? NULL : (struct symfile *)(uintptr_t)a;
}

static const char *
key_path(uint64_t a)
{
	return a == KEY_ANON || a == KEY_NONE ? "" :
	       symfile_path((struct symfile *)(uintptr_t)a);
}

static void
put_modules(struct stats *s, struct outbuf *o)
{
	struct pairmap mods;
	struct row *rows;
	size_t n = 0;

	pairmap_init(&mods);
	for (size_t i = 0; i < s->counts.cap; i++)
		if (s->counts.slots[i].used)
			*pairmap_ref(&mods, s->counts.slots[i].a, 0) += s->counts.slots[i].v;
	rows = cli_calloc(mods.n, sizeof *rows);
	for (size_t i = 0; i < mods.cap; i++)
		if (mods.slots[i].used)
			rows[n++] = (struct row){
				.count = mods.slots[i].v,
				.module = key_module(mods.slots[i].a),
				.path = key_path(mods.slots[i].a),
				.file = key_file(mods.slots[i].a),
			};
	qsort(rows, n, sizeof *rows, row_cmp);
	outbuf_puts(o, "\nmodules:\n");
	for (size_t i = 0; i < n; i++) {
		const char *why = rows[i].file ? symfile_problem(rows[i].file) : "";

		outbuf_printf(o, "  %12" PRIu64 " %7.2f%%  ", rows[i].count,
			      percent(rows[i].count, s->total));
		if (rows[i].path[0] == '/')
			outbuf_printf(o, "%-28s %s", rows[i].module, rows[i].path);
		else
			outbuf_puts(o, rows[i].module);
		if (*why)
			outbuf_printf(o, " (no symbols: %s)", why);
		outbuf_putc(o, '\n');
	}
	free(rows);
	pairmap_free(&mods);
}

/*
 * Rows by function: by symbol; where no symbol covers an offset, by the
 * function start the unwind table gives (`ls+0x4a20`, stripped files);
 * else by the offset itself.
 */
static void
put_functions(struct stats *s, struct outbuf *o, size_t top)
{
	struct pairmap by_fn;	/* (sym, 0) or (file, start + 1) -> row + 1 */
	struct row *rows;
	size_t n = 0, shown;

	pairmap_init(&by_fn);
	rows = cli_calloc(s->counts.n, sizeof *rows);
	for (size_t i = 0; i < s->counts.cap; i++) {
		struct pairmap_slot *sl = &s->counts.slots[i];
		struct symfile *file = key_file(sl->a);
		const struct sym *sym = NULL;
		uint64_t delta, start = sl->b, *r = NULL;
		char buf[64];

		if (!sl->used)
			continue;
		if (file && (sym = symfile_lookup(file, sl->b, &delta)))
			r = pairmap_ref(&by_fn, (uintptr_t)sym, 0);
		else if (file && symfile_function_start(file, sl->b, &start))
			r = pairmap_ref(&by_fn, (uintptr_t)file, start + 1);
		if (r && *r) {
			rows[*r - 1].count += sl->v;
			continue;
		}
		if (r)
			*r = n + 1;
		rows[n] = (struct row){
			.count = sl->v,
			.module = key_module(sl->a),
			.path = key_path(sl->a),
		};
		if (sym) {
			rows[n].label = cli_strdup(sym->name);
		} else if (!file) {
			snprintf(buf, sizeof buf, "0x%" PRIx64, sl->b);
			rows[n].label = cli_strdup(buf);
		} else {
			size_t len = strlen(rows[n].module) + 24;

			rows[n].label = cli_calloc(1, len);
			snprintf(rows[n].label, len, "%s+0x%" PRIx64, rows[n].module, start);
		}
		n++;
	}
	qsort(rows, n, sizeof *rows, row_cmp);
	shown = top && top < n ? top : n;
	outbuf_printf(o, "\nfunctions (top %zu of %zu):\n", top ? top : n, n);
	for (size_t i = 0; i < shown; i++)
		outbuf_printf(o, "  %12" PRIu64 " %7.2f%%  %-40s %s\n", rows[i].count,
			      percent(rows[i].count, s->total), rows[i].label,
			      rows[i].module);
	for (size_t i = 0; i < n; i++)
		free(rows[i].label);
	free(rows);
	pairmap_free(&by_fn);
}

int
cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	size_t top = TOP_FUNCTIONS;
	char *end_arg;
	struct stats s = { 0 };
	struct modmap maps;
	struct umss_reader *r;
	struct umss_event ev;
	struct umss_trace_end end = { 0 };
	bool have_end = false;
	struct outbuf out;
	struct tstat *last = NULL;
	uint32_t last_pid = 0, last_tid = 0;
	const char *path, *engine;
	char buf[64];
	int c, rc, status;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			top = strtoul(optarg, &end_arg, 10);
			if (!*optarg || *end_arg || *optarg == '-') {
				msg_error("stats: --top wants a count, not '%s'", optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(stats_usage, stdout);
			return 0;
		default:
			fputs(stats_usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(stats_usage, stderr);
		return 2;
	}
	path = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	r = msg_open_trace(path);
	if (!r)
		return 2;
	engine = umss_reader_info(r)->engine;
	modmap_init(&maps);
	pairmap_init(&s.proc_of_pid);
	pairmap_init(&s.thread_of);
	pairmap_init(&s.counts);
	pairmap_init(&s.distinct);

	while ((rc = umss_reader_next(r, &ev)) == 1) {
		if (ev.kind == UMSS_EV_INSN) {
			if (!last || ev.tid != last_tid || ev.pid != last_pid) {
				last = thread_of(&s, ev.pid, ev.tid);
				last_pid = ev.pid;
				last_tid = ev.tid;
			}
			last->count++;
			s.total++;
			struct where w = modmap_where(&maps, ev.pid, ev.insn.addr);
			if (w.kind == WHERE_FILE) {
				uint64_t *n = pairmap_ref(&s.counts, (uintptr_t)w.file, w.off);

				if (!*n)
					symfile_check_code(w.file, w.off, ev.insn.bytes, ev.insn.len);
				++*n;
			}
			else
				++*pairmap_ref(&s.counts, w.kind == WHERE_ANON ? KEY_ANON : KEY_NONE,
					       ev.insn.addr);
			continue;
		}
		modmap_event(&maps, &ev);
		/* Entries move, pointers into them do not survive a new one. */
		last = NULL;
		switch (ev.kind) {
		case UMSS_EV_PROCESS:
			new_proc(&s, ev.pid, ev.process.exe, false);
			break;
		case UMSS_EV_EXEC:
			new_proc(&s, ev.pid, ev.exec.exe, true);
			break;
		case UMSS_EV_THREAD_START:
			thread_of(&s, ev.pid, ev.tid);
			break;
		case UMSS_EV_END:
			end = ev.end;
			have_end = true;
			break;
		default:
			break;
		}
	}
	for (size_t t = 0; t < s.nthreads; t++)
		s.procs[s.threads[t].proc].count += s.threads[t].count;

	outbuf_init(&out, 1);
	outbuf_printf(&out, "instructions: %" PRIu64 "\n", s.total);
	outbuf_printf(&out, "engine: %s\n", engine ? engine : "?");
	if (have_end) {
		outbuf_printf(&out, "exit status: %" PRId32 "\n", end.exit_status);
		outbuf_printf(&out, "wall time: %s\n", seconds_text(end.wall_ns, buf, sizeof buf));
		outbuf_printf(&out, "fallbacks: %" PRIu64 "\n", end.fallbacks);
	} else {
		outbuf_puts(&out, "exit status: unknown (no end record)\n");
	}
	outbuf_printf(&out, "processes: %zu\nthreads: %zu\n", s.nprocesses,
		      s.nthreads_distinct);
	put_processes(&s, &out);
	put_modules(&s, &out);
	put_functions(&s, &out, top);
	outbuf_flush(&out);

	status = msg_trace_end(path, rc);
	if (have_end && end.instructions != s.total)
		msg_warning("%s: the end record counts %" PRIu64 " instructions, "
			    "the trace holds %" PRIu64, path, end.instructions, s.total);
	c = outbuf_finish(&out);
	for (size_t p = 0; p < s.nprocs; p++)
		free(s.procs[p].exe);
	free(s.procs);
	free(s.threads);
	pairmap_free(&s.proc_of_pid);
	pairmap_free(&s.thread_of);
	pairmap_free(&s.counts);
	pairmap_free(&s.distinct);
	modmap_free(&maps);
	umss_reader_close(r);
	return status ? status : c;
}
