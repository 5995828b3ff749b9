/* Lines for non-instruction events; see event_line.h. */
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/event_line.h"
#include "cli/outbuf.h"
#include "umss/trace.h"

const char *
signal_name(int signo, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(signo);

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", signo);
	return buf;
}

const char *
wait_status_text(int status, char *buf, size_t size)
{
	char sig[32];

	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by %s%s",
			 signal_name(WTERMSIG(status), sig, sizeof sig),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, size, "wait status 0x%x", (unsigned)status);
	return buf;
}

const char *
seconds_text(uint64_t ns, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%06" PRIu64 " s", ns / 1000000000u,
		 ns % 1000000000u / 1000u);
	return buf;
}

/* An argument as a shell would need it: bare when harmless, else quoted. */
static void
put_arg(struct outbuf *o, const char *s)
{
	bool plain = *s != 0;

	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_./=:,+@%", *p))
			plain = false;
	if (plain) {
		outbuf_puts(o, s);
		return;
	}
	outbuf_putc(o, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			outbuf_puts(o, "'\\''");
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			outbuf_printf(o, "\\x%02x", (unsigned char)*p);
		else
			outbuf_putc(o, *p);
	}
	outbuf_putc(o, '\'');
}

static void
put_argv(struct outbuf *o, uint32_t argc, const char *const *argv)
{
	outbuf_puts(o, " [");
	for (uint32_t i = 0; argv && i < argc; i++) {
		if (i)
			outbuf_putc(o, ' ');
		put_arg(o, argv[i] ? argv[i] : "");
	}
	outbuf_putc(o, ']');
}

void
event_line_info(struct outbuf *o, const struct umss_trace_info *info)
{
	char when[64] = "?";
	time_t t = (time_t)(info->start_time_ns / 1000000000u);
	struct tm tm;

	if (info->start_time_ns && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	outbuf_printf(o, "# trace: engine %s, written by %s, started %s, aslr %s\n",
		      info->engine ? info->engine : "?",
		      info->tool ? info->tool : "?", when,
		      info->flags & UMSS_INFO_ASLR ? "on" : "off");
}

static const char *
action_text(uint32_t action)
{
	switch (action) {
	case UMSS_SIG_HANDLER:
		return "to its handler";
	case UMSS_SIG_IGNORED:
		return "ignored";
	case UMSS_SIG_FATAL:
		return "fatal";
	case UMSS_SIG_STOP:
		return "stops the process";
	default:
		return "action unknown";
	}
}

void
event_line_put(struct outbuf *o, const struct umss_event *ev)
{
	char a[64], b[64];

	switch (ev->kind) {
	case UMSS_EV_PROCESS:
		if (ev->process.ppid)
			outbuf_printf(o, "# pid %" PRIu32 ": process forked by pid %" PRIu32
				      " thread %" PRIu32 ": ", ev->pid, ev->process.ppid,
				      ev->process.parent_tid);
		else
			outbuf_printf(o, "# pid %" PRIu32 ": process: ", ev->pid);
		put_arg(o, ev->process.exe ? ev->process.exe : "");
		put_argv(o, ev->process.argc, ev->process.argv);
		outbuf_putc(o, '\n');
		break;
	case UMSS_EV_THREAD_START:
		outbuf_printf(o, "# tid %" PRIu32 ": thread start in pid %" PRIu32,
			      ev->tid, ev->pid);
		if (ev->thread.parent_tid)
			outbuf_printf(o, ", created by thread %" PRIu32, ev->thread.parent_tid);
		outbuf_putc(o, '\n');
		break;
	case UMSS_EV_THREAD_EXIT:
		if (ev->thread.status < 0)
			outbuf_printf(o, "# tid %" PRIu32 ": thread exit, status unknown\n",
				      ev->tid);
		else
			outbuf_printf(o, "# tid %" PRIu32 ": thread exit, status %" PRId32 "\n",
				      ev->tid, ev->thread.status);
		break;
	case UMSS_EV_EXEC:
		outbuf_printf(o, "# pid %" PRIu32 ": exec by thread %" PRIu32 ": ",
			      ev->pid, ev->exec.old_tid);
		put_arg(o, ev->exec.exe ? ev->exec.exe : "");
		put_argv(o, ev->exec.argc, ev->exec.argv);
		outbuf_putc(o, '\n');
		break;
	case UMSS_EV_MAP:
		outbuf_printf(o, "# pid %" PRIu32 ": map %" PRIx64 "-%" PRIx64 " %c%c%c offset 0x%"
			      PRIx64 " %s", ev->pid, ev->map.start, ev->map.end,
			      ev->map.prot & PROT_READ ? 'r' : '-',
			      ev->map.prot & PROT_WRITE ? 'w' : '-',
			      ev->map.prot & PROT_EXEC ? 'x' : '-', ev->map.offset,
			      ev->map.path && ev->map.path[0] ? ev->map.path : "[anon]");
		if (ev->map.build_id && ev->map.build_id_len) {
			outbuf_puts(o, " build-id ");
			for (uint32_t i = 0; i < ev->map.build_id_len; i++)
				outbuf_hex(o, ev->map.build_id[i], 2);
		}
		outbuf_putc(o, '\n');
		break;
	case UMSS_EV_UNMAP:
		outbuf_printf(o, "# pid %" PRIu32 ": unmap %" PRIx64 "-%" PRIx64 "\n",
			      ev->pid, ev->map.start, ev->map.end);
		break;
	case UMSS_EV_SIGNAL:
		outbuf_printf(o, "# tid %" PRIu32 ": signal %s (%" PRId32 ") code %" PRId32,
			      ev->tid, signal_name(ev->signal.signo, a, sizeof a),
			      ev->signal.signo, ev->signal.code);
		if (ev->signal.addr)
			outbuf_printf(o, " addr 0x%" PRIx64, ev->signal.addr);
		outbuf_printf(o, " at %" PRIx64 ", %s\n", ev->signal.at,
			      action_text(ev->signal.action));
		break;
	case UMSS_EV_EXIT:
		outbuf_printf(o, "# pid %" PRIu32 ": exit: %s\n", ev->pid,
			      wait_status_text(ev->exit.status, a, sizeof a));
		break;
	case UMSS_EV_END:
		outbuf_printf(o, "# end: %" PRIu64 " instructions, %" PRIu64
			      " fallbacks, wall time %s, exit status %" PRId32 "\n",
			      ev->end.instructions, ev->end.fallbacks,
			      seconds_text(ev->end.wall_ns, b, sizeof b),
			      ev->end.exit_status);
		break;
	default:
		break;
	}
}
