/* Formatting of one instruction line; see insn_line.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/disasm.h"
#include "cli/insn_line.h"
#include "cli/modmap.h"
#include "cli/outbuf.h"
#include "cli/symbols.h"

#define MIN_TID 5
#define MIN_MOD 28
#define MAX_MOD 56
#define MIN_SYM 24
#define MAX_SYM 48
/* Seven bytes `xx ` fill it; longer instructions push the text right. */
#define BYTES_WIDTH 21

/* Copies n bytes of src to buf of size, cut to fit; returns the length. */
static size_t
copy_out(const char *src, size_t n, char *buf, size_t size)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, src, n);
	buf[n] = 0;
	return n;
}

void
insn_line_init(struct insn_line *l)
{
	l->w_tid = MIN_TID;
	l->w_mod = MIN_MOD;
	l->w_sym = MIN_SYM;
}

/* Appends v in hex (at least min digits) at p; returns the new end. */
static char *
put_hex(char *p, uint64_t v, int min)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (n < min)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Appends at most room-1 bytes of s at p; returns the new end. */
static char *
put_str(char *p, const char *s, size_t room)
{
	size_t n = strlen(s);

	if (n > room - 1)
		n = room - 1;
	memcpy(p, s, n);
	return p + n;
}

/* Longest module or symbol name kept (longer C++ names are cut). */
#define NAME_MAX_LEN 400

/* MODULE+OFFSET (or `?`, `[anon]+OFF`) of w into buf; returns its length. */
static size_t
where_module(const struct where *w, char *buf, size_t size)
{
	char tmp[NAME_MAX_LEN + 32], *p = tmp;

	switch (w->kind) {
	case WHERE_FILE:
		p = put_str(p, symfile_name(w->file), NAME_MAX_LEN);
		break;
	case WHERE_ANON:
		p = put_str(p, "[anon]", NAME_MAX_LEN);
		break;
	default:
		p = put_str(p, "?", NAME_MAX_LEN);
		break;
	}
	if (w->kind != WHERE_NONE) {
		memcpy(p, "+0x", 3);
		p = put_hex(p + 3, w->off, 1);
	}
	return copy_out(tmp, (size_t)(p - tmp), buf, size);
}

/* SYMBOL+OFFSET of w into buf (`-` when none); returns its length. */
static size_t
where_symbol(const struct where *w, char *buf, size_t size)
{
	char tmp[NAME_MAX_LEN + 32], *p = tmp;
	const struct sym *s;
	uint64_t delta;

	if (w->kind == WHERE_FILE && (s = symfile_lookup(w->file, w->off, &delta))) {
		p = put_str(p, s->name, NAME_MAX_LEN);
		memcpy(p, "+0x", 3);
		p = put_hex(p + 3, delta, 1);
	} else {
		*p++ = '-';
	}
	return copy_out(tmp, (size_t)(p - tmp), buf, size);
}

static void
grow(size_t *width, size_t len, size_t max)
{
	if (len > *width && len <= max)
		*width = len;
	else if (len > max)
		*width = max;
}

/* Spaces from column `used` to `width`, at least one; returns the new end. */
static char *
pad(char *p, size_t used, size_t width)
{
	size_t n = used < width ? width - used : 1;

	memset(p, ' ', n);
	return p + n;
}

void
insn_line_put(struct insn_line *l, struct outbuf *o, struct modmap *maps,
	      uint32_t pid, uint32_t tid, uint64_t addr, const struct where *w,
	      const uint8_t *bytes, uint32_t len)
{
	uint64_t target;
	static const char hex[] = "0123456789abcdef";
	/* Every field is bounded: 2 names of NAME_MAX_LEN + 32, padding
	 * below MAX_MOD/MAX_SYM, 45 bytes of hex, 256 of text. */
	char line[3 * (NAME_MAX_LEN + 32) + 1024], num[16], *p = line, *q;
	size_t n;

	q = num + sizeof num;
	do {
		*--q = (char)('0' + tid % 10);
		tid /= 10;
	} while (tid);
	n = (size_t)(num + sizeof num - q);
	grow(&l->w_tid, n, sizeof num);
	if (n < l->w_tid) {	/* right-aligned */
		memset(p, ' ', l->w_tid - n);
		p += l->w_tid - n;
	}
	memcpy(p, q, n);
	p += n;
	*p++ = ' ';
	/* 12 digits hold every user-space address but the vsyscall page's. */
	p = put_hex(p, addr, 12);
	*p++ = ' ';
	if (!(addr >> 48))
		*p++ = ' ';

	n = where_module(w, p, NAME_MAX_LEN + 32);
	grow(&l->w_mod, n, MAX_MOD);
	p = pad(p + n, n, l->w_mod + 1);

	if (w->kind == WHERE_FILE)
		symfile_check_code(w->file, w->off, bytes, len);
	n = where_symbol(w, p, NAME_MAX_LEN + 32);
	grow(&l->w_sym, n, MAX_SYM);
	p = pad(p + n, n, l->w_sym + 1);

	if (!len) {
		memcpy(p, "??", 2);
		p += 2;
		n = 2;
	} else {
		if (len > 15)
			len = 15;
		for (uint32_t i = 0; i < len; i++) {
			*p++ = hex[bytes[i] >> 4];
			*p++ = hex[bytes[i] & 15];
			*p++ = ' ';
		}
		p--;
		n = 3 * len - 1;
	}
	p = pad(p, n, BYTES_WIDTH);
	p = put_str(p, disasm_text(addr, bytes, len, &target), 256);
	if (target && maps) {
		struct where tw = modmap_where(maps, pid, target);
		const struct sym *s;
		uint64_t delta;

		if (tw.kind == WHERE_FILE && (s = symfile_lookup(tw.file, tw.off, &delta))) {
			p = put_str(p, " <", 3);
			p = put_str(p, s->name, NAME_MAX_LEN);
			if (delta) {
				p = put_str(p, "+0x", 4);
				p = put_hex(p, delta, 1);
			}
			*p++ = '>';
		}
	}
	*p++ = '\n';
	outbuf_put(o, line, (size_t)(p - line));
}
