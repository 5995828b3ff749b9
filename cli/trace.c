/* umss trace: run a program and record every instruction it executes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/agent_abi.h"
#include "tracer/insn_info.h"
#include "tracer/launch.h"
#include "tracer/patch_engine.h"
#include "tracer/tracer.h"
#include "umss/trace.h"

static const char trace_usage[] =
	"usage: umss trace [-o FILE] [--engine=displaced|patch|ptrace] [--aslr] [-q] [--] PROG [ARGS...]\n"
	"\n"
	"Runs PROG and records every instruction it executes, in every thread and\n"
	"child process, into FILE (default umss.trace; an existing FILE is kept as\n"
	"FILE.old).  PROG's stdin, stdout and stderr are its own; umss exits with\n"
	"PROG's exit status (128+N when signal N killed it).\n"
	"\n"
	"  -o, --output=FILE  where the trace goes\n"
	"  --engine=NAME      displaced (the default): an agent in the program runs\n"
	"                     each instruction from a copy and never writes its\n"
	"                     code; patch: the agent steps the program in place;\n"
	"                     ptrace: single-steps with the debugger interface\n"
	"                     (slow; the baseline every engine is tested against).\n"
	"                     displaced runs threads in parallel, patch one at a\n"
	"                     time.\n"
	"                     What an engine does not support stops the trace with\n"
	"                     a message naming it (exit 2, the trace kept)\n"
	"  --aslr             keep address space randomisation (off by default, as in\n"
	"                     gdb, so that traces of a run repeat)\n"
	"  -q, --quiet        no summary line on stderr\n"
	"  -h, --help         this text\n";

static void
on_stop_request(int sig)
{
	tracer_interrupted = sig;
}

/* SIGTERM/SIGHUP end the trace cleanly; terminal signals are PROG's business. */
static void
install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop_request };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
}

/* Moves an existing trace out of the way, as perf does with perf.data. */
static int
keep_old_trace(const char *path)
{
	struct stat st;
	char old[PATH_MAX];

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (snprintf(old, sizeof old, "%s.old", path) >= (int)sizeof old)
		return 0;
	if (rename(path, old) < 0) {
		int e = errno;
		/* A file umss could not write anyway says so, not why the
		 * rename failed (/proc files, read-only places). */
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fprintf(stderr, "umss: cannot write %s: %s\n", path, strerror(errno));
		else
			fprintf(stderr, "umss: cannot keep %s as %s: %s\n", path, old, strerror(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

static uint64_t
now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
print_summary(const char *path, const struct trace_result *r, uint64_t wall_ns, uint64_t bytes)
{
	double kib = bytes / 1024.0;
	fprintf(stderr,
		"umss: %llu instructions, %llu process%s, %llu thread%s, %llu signal%s, "
		"%llu fallbacks, %.2f s, %s: %.1f KiB (%.3f bytes/insn)\n",
		(unsigned long long)r->instructions, (unsigned long long)r->processes,
		r->processes == 1 ? "" : "es", (unsigned long long)r->threads,
		r->threads == 1 ? "" : "s", (unsigned long long)r->signals,
		r->signals == 1 ? "" : "s", (unsigned long long)r->fallbacks, wall_ns / 1e9, path,
		kib, r->instructions ? (double)bytes / r->instructions : 0.0);
}

int
cmd_trace(int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "engine", required_argument, NULL, 'e' },
		{ "aslr", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = "umss.trace", *engine = "displaced";
	bool aslr = false, quiet = false;
	int c;

	/* '+': options end at PROG, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+o:qh", options, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'e': engine = optarg; break;
		case 'a': aslr = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(trace_usage, stdout); return 0;
		default:
			fputs("umss: see umss trace --help\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("umss trace: no program given (umss trace -- PROG ARGS...)\n", stderr);
		return 2;
	}
	if (strcmp(engine, "ptrace") != 0 && strcmp(engine, "patch") != 0 &&
	    strcmp(engine, "displaced") != 0) {
		fprintf(stderr, "umss trace: unknown engine '%s' (available: ptrace, patch, displaced)\n",
			engine);
		return 2;
	}

	/* The ptrace engine decodes every instruction with Zydis, loaded at
	 * run time (tracer/zydis_lib.h): fail before the program starts. */
	if (strcmp(engine, "ptrace") == 0 && !insn_info_ready())
		return 2;

	char path[PATH_MAX];
	int rc = launch_resolve(argv[optind], path, sizeof path);
	if (rc)
		return rc;
	if (keep_old_trace(output) < 0)
		return 2;
	struct umss_trace_info info = {
		.engine = engine,
		.tool = "umss 0.1",
		.start_time_ns = now_ns(CLOCK_REALTIME),
		.flags = aslr ? UMSS_INFO_ASLR : 0,
	};
	int err = 0;
	struct umss_writer *w = umss_writer_open(output, &info, &err);
	if (!w) {
		fprintf(stderr, "umss: cannot write %s: %s\n", output, umss_strerror(err));
		return 2;
	}

	install_signal_handlers();
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	struct trace_result res = { .exit_status = 0 };
	int status;
	pid_t pid = launch_traced(path, argv + optind, aslr, tracer_ptrace_options(), &status);
	if (pid < 0) {
		umss_writer_close(w, NULL);
		unlink(output);
		return status;
	}
	int failed;
	if (strcmp(engine, "patch") == 0)
		failed = patch_engine_run(pid, AGENT_ENGINE_PATCH, w, &res);
	else if (strcmp(engine, "displaced") == 0)
		failed = patch_engine_run(pid, AGENT_ENGINE_DISPLACED, w, &res);
	else
		failed = ptrace_engine_run(pid, w, &res);
	uint64_t wall = now_ns(CLOCK_MONOTONIC) - start;
	if (tracer_interrupted)
		res.exit_status = 128 + tracer_interrupted;

	struct umss_trace_end end = {
		.instructions = res.instructions,
		.fallbacks = res.fallbacks,
		.wall_ns = wall,
		.exit_status = res.exit_status,
	};
	uint64_t bytes = umss_writer_bytes(w);
	err = umss_writer_close(w, &end);
	if (err < 0) {
		fprintf(stderr, "umss: writing %s: %s\n", output, umss_strerror(err));
		failed = -1;
	}
	if (res.stopped_by)
		fprintf(stderr, "umss: tracing stopped early: %s\n", res.stopped_by);
	if (!quiet) {
		struct stat st;
		if (stat(output, &st) == 0)
			bytes = (uint64_t)st.st_size;
		print_summary(output, &res, wall, bytes);
	}
	if (failed && !tracer_interrupted)
		return 2;
	return res.exit_status;
}
