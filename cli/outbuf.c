/* The commands' output buffer; see outbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/messages.h"
#include "cli/outbuf.h"

/* Big enough that write(2) costs nothing per line. */
#define OUTBUF_SIZE (1u << 20)
/* Longest piece put in one go by outbuf_room() users. */
#define OUTBUF_SLACK 4096

void
outbuf_init(struct outbuf *o, int fd)
{
	o->fd = fd;
	o->cap = OUTBUF_SIZE;
	o->buf = cli_calloc(1, OUTBUF_SIZE + OUTBUF_SLACK);
	o->len = 0;
	o->err = 0;
}

int
outbuf_flush(struct outbuf *o)
{
	size_t done = 0;

	while (!o->err && done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->err = n < 0 ? errno : EIO;
		else
			done += (size_t)n;
	}
	/* After an error the output is dropped: the command notices o->err. */
	o->len = 0;
	return o->err;
}

int
outbuf_finish(struct outbuf *o)
{
	int err = outbuf_flush(o);

	free(o->buf);
	o->buf = NULL;
	if (err && err != EPIPE) {
		msg_error("write error: %s", strerror(err));
		return 2;
	}
	return 0;
}

void
outbuf_put(struct outbuf *o, const char *s, size_t n)
{
	while (n > o->cap - o->len) {
		size_t part = o->cap - o->len;

		memcpy(o->buf + o->len, s, part);
		o->len += part;
		s += part;
		n -= part;
		outbuf_flush(o);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void
outbuf_puts(struct outbuf *o, const char *s)
{
	outbuf_put(o, s, strlen(s));
}

void
outbuf_putc(struct outbuf *o, char c)
{
	*outbuf_room(o, 1) = c;
	o->len++;
}

void
outbuf_hex(struct outbuf *o, uint64_t v, int min_digits)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;
	char *p;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (n < min_digits && n < 16)
		tmp[n++] = '0';
	p = outbuf_room(o, (size_t)n);
	for (int i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	o->len += (size_t)n;
}

void
outbuf_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		outbuf_put(o, small, (size_t)n);
		return;
	}
	char *big = cli_calloc(1, (size_t)n + 1);

	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	outbuf_put(o, big, (size_t)n);
	free(big);
}
