/*
 * A big output buffer written with write(2): the listing of a trace can be
 * hundreds of millions of lines, so lines are assembled in place without
 * printf where it matters.  A reader that goes away (`umss show | head`) is
 * not an error: the buffer notes EPIPE, drops further output, and the
 * command stops reading and exits 0.
 */
#ifndef UMSS_CLI_OUTBUF_H
#define UMSS_CLI_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outbuf {
	int fd;
	char *buf;
	size_t len, cap;
	int err;	/* 0, or the errno of a failed write (EPIPE: reader gone) */
};

void outbuf_init(struct outbuf *o, int fd);
/* Writes what is buffered; returns o->err. */
int outbuf_flush(struct outbuf *o);
/* Flushes and frees; returns the exit status: 0, or 2 after a write error
 * other than EPIPE (reported on stderr). */
int outbuf_finish(struct outbuf *o);

/* Makes room for n more bytes and returns where they go. */
static inline char *
outbuf_room(struct outbuf *o, size_t n)
{
	if (o->len + n > o->cap)
		outbuf_flush(o);
	return o->buf + o->len;
}

void outbuf_put(struct outbuf *o, const char *s, size_t n);
void outbuf_puts(struct outbuf *o, const char *s);
void outbuf_putc(struct outbuf *o, char c);
void outbuf_hex(struct outbuf *o, uint64_t v, int min_digits);
void outbuf_printf(struct outbuf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
