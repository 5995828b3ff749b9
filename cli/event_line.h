/*
 * The one-line form of a trace's non-instruction events in `umss show`:
 * every such line starts with `# `, so `grep -v '^#'` leaves instructions.
 */
#ifndef UMSS_CLI_EVENT_LINE_H
#define UMSS_CLI_EVENT_LINE_H

#include <stddef.h>
#include <stdint.h>

struct outbuf;
struct umss_event;
struct umss_trace_info;
struct umss_trace_end;

/* `# trace: engine ptrace, ...` for the header. */
void event_line_info(struct outbuf *o, const struct umss_trace_info *info);
/* The line of ev (not for UMSS_EV_INSN; nothing for UMSS_EV_CODE). */
void event_line_put(struct outbuf *o, const struct umss_event *ev);
/* `SIGSEGV` (or `SIG34` for a real-time signal) into buf. */
const char *signal_name(int signo, char *buf, size_t size);
/* `exited 3`, `killed by SIGKILL`, `killed by SIGSEGV (core dumped)`. */
const char *wait_status_text(int status, char *buf, size_t size);
/* Seconds with microseconds, `1.234567 s`, into buf. */
const char *seconds_text(uint64_t ns, char *buf, size_t size);

#endif
