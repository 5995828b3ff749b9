/*
 * umss show [--tid T] [--pid P] [--no-events] FILE: the trace as text, one
 * instruction a line (format in insn_line.h), other events as `# ` lines.
 * Everything comes from the trace itself (code bytes, module map); only
 * symbol names are read from the modules' files, when they are still there.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/event_line.h"
#include "cli/insn_line.h"
#include "cli/messages.h"
#include "cli/modmap.h"
#include "cli/outbuf.h"
#include "umss/trace.h"

static const char show_usage[] =
	"usage: umss show [--tid T] [--pid P] [--no-events] FILE\n"
	"\n"
	"Lists the instructions of a trace, one a line:\n"
	"  TID ADDRESS MODULE+OFFSET SYMBOL+OFFSET BYTES DISASSEMBLY\n"
	"OFFSET after the module is the offset in its file; SYMBOL comes from the\n"
	"file's ELF symbols (or its debug file), `-` when none covers the address.\n"
	"Other events (processes, threads, exec, maps, signals, exits) are lines\n"
	"starting with `#`.\n"
	"\n"
	"  --tid T        only thread T (its instructions and events)\n"
	"  --pid P        only process P\n"
	"  --no-events    instructions only\n";

/* Parses a decimal id; false when s is not one. */
static bool
parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tid", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "no-events", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint32_t tid = 0, pid = 0;
	bool by_tid = false, by_pid = false, events = true;
	struct umss_reader *r;
	struct umss_event ev;
	struct outbuf out;
	struct modmap maps;
	struct insn_line line;
	const char *path;
	int c, rc, status;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_id(optarg, &tid)) {
				msg_error("show: --tid wants a thread id, not '%s'", optarg);
				return 2;
			}
			by_tid = true;
			break;
		case 'p':
			if (!parse_id(optarg, &pid)) {
				msg_error("show: --pid wants a process id, not '%s'", optarg);
				return 2;
			}
			by_pid = true;
			break;
		case 'n':
			events = false;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			fputs(show_usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(show_usage, stderr);
		return 2;
	}
	path = argv[optind];
	/* `umss show | head`: a closed pipe ends the listing, quietly. */
	signal(SIGPIPE, SIG_IGN);
	r = msg_open_trace(path);
	if (!r)
		return 2;
	outbuf_init(&out, 1);
	modmap_init(&maps);
	insn_line_init(&line);
	if (events && !by_tid && !by_pid)
		event_line_info(&out, umss_reader_info(r));
	while ((rc = umss_reader_next(r, &ev)) == 1) {
		if (ev.kind == UMSS_EV_INSN) {
			if ((by_tid && ev.tid != tid) || (by_pid && ev.pid != pid))
				continue;
			struct where w = modmap_where(&maps, ev.pid, ev.insn.addr);
			insn_line_put(&line, &out, &maps, ev.pid, ev.tid, ev.insn.addr, &w,
				      ev.insn.bytes, ev.insn.len);
		} else {
			modmap_event(&maps, &ev);
			if (events && ev.kind != UMSS_EV_CODE &&
			    (ev.kind == UMSS_EV_END ||
			     ((!by_tid || ev.tid == tid) && (!by_pid || ev.pid == pid))))
				event_line_put(&out, &ev);
		}
		if (out.err)
			break;
	}
	outbuf_flush(&out);
	status = out.err ? 0 : msg_trace_end(path, rc);
	c = outbuf_finish(&out);
	modmap_free(&maps);
	umss_reader_close(r);
	return status ? status : c;
}
