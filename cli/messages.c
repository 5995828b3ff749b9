/* Error and warning lines of the trace-reading commands; see messages.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/messages.h"
#include "umss/trace.h"

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("umss: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
msg_warning(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("umss: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
msg_trace_strerror(int err)
{
	switch (-err) {
	case UMSS_E_NOT_TRACE:
		return "not a umss trace";
	case UMSS_E_VERSION:
		return "umss trace of an unsupported format version";
	case UMSS_E_CORRUPT:
		return "corrupt trace (damaged data)";
	case UMSS_E_TRUNCATED:
		return "trace cut short (no end record)";
	default:
		if (err < 0 && -err < 4096)
			return strerror(-err);
		return umss_strerror(err);
	}
}

struct umss_reader *
msg_open_trace(const char *path)
{
	struct umss_reader *r;
	int err = 0;

	r = umss_reader_open(path, &err);
	if (!r)
		msg_error("%s: %s", path, msg_trace_strerror(err ? err : -EIO));
	return r;
}

int
msg_trace_end(const char *path, int rc)
{
	if (rc >= 0)
		return 0;
	if (rc == -UMSS_E_TRUNCATED) {
		msg_warning("%s: trace cut short (no end record): "
			    "the run was killed or umss crashed; "
			    "everything recorded before was read", path);
		return 0;
	}
	msg_error("%s: %s", path, msg_trace_strerror(rc));
	return 2;
}

static void
out_of_memory(void)
{
	msg_error("out of memory");
	exit(2);
}

void *
cli_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *
cli_realloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *
cli_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}
