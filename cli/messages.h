/*
 * How the trace-reading commands talk to the user: one error-print family
 * (`umss: ...` on stderr), the wording of trace-library errors, and
 * allocation that ends umss with a message instead of returning NULL.
 */
#ifndef UMSS_CLI_MESSAGES_H
#define UMSS_CLI_MESSAGES_H

#include <stddef.h>

struct umss_reader;

/* `umss: MESSAGE` on stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `umss: warning: MESSAGE` on stderr. */
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Short description of a negative trace-library or errno error. */
const char *msg_trace_strerror(int err);

/*
 * Opens the trace at path; on failure prints `umss: PATH: WHY` and returns
 * NULL (the command then exits 2).
 */
struct umss_reader *msg_open_trace(const char *path);

/*
 * Reports the result of the last umss_reader_next() of a trace: nothing for
 * 0 (clean end); a warning for a trace cut short; an error otherwise.
 * Returns the command's exit status for that outcome (0, 0, 2).
 */
int msg_trace_end(const char *path, int rc);

/* Allocation that never returns NULL (prints and exits 2). */
void *cli_calloc(size_t n, size_t size);
void *cli_realloc(void *p, size_t size);
char *cli_strdup(const char *s);

#endif
