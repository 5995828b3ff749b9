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

void
insn_line_init(struct insn_line *l)
{
	l->w_tid = MIN_TID;
	l->w_mod = MIN_MOD;
	l->w_sym = MIN_SYM;
}

static size_t
clamp_len(int n, size_t size)
{
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t
where_module(const struct where *w, char *buf, size_t size)
{
	switch (w->kind) {
	case WHERE_FILE:
		return clamp_len(snprintf(buf, size, "%s+0x%" PRIx64,
					  symfile_name(w->file), w->off), size);
	case WHERE_ANON:
		return clamp_len(snprintf(buf, size, "[anon]+0x%" PRIx64, w->off), size);
	default:
		return clamp_len(snprintf(buf, size, "?"), size);
	}
}

size_t
where_symbol(const struct where *w, char *buf, size_t size)
{
	const struct sym *s;
	uint64_t delta;

	if (w->kind == WHERE_FILE && (s = symfile_lookup(w->file, w->off, &delta)))
		return clamp_len(snprintf(buf, size, "%s+0x%" PRIx64, s->name, delta), size);
	return clamp_len(snprintf(buf, size, "-"), size);
}

static void
grow(size_t *width, size_t len, size_t max)
{
	if (len > *width && len <= max)
		*width = len;
	else if (len > max)
		*width = max;
}

void
insn_line_put(struct insn_line *l, struct outbuf *o, uint32_t tid,
	      uint64_t addr, const struct where *w, const uint8_t *bytes,
	      uint32_t len)
{
	char mod[512], sym[1024], num[16];
	size_t n;

	n = (size_t)snprintf(num, sizeof num, "%" PRIu32, tid);
	grow(&l->w_tid, n, sizeof num);
	if (n < l->w_tid) {	/* right-aligned */
		char *p = outbuf_room(o, l->w_tid - n);

		memset(p, ' ', l->w_tid - n);
		o->len += l->w_tid - n;
	}
	outbuf_put(o, num, n);
	outbuf_putc(o, ' ');
	/* 12 digits hold every user-space address but the vsyscall page's. */
	outbuf_hex(o, addr, 12);
	outbuf_put(o, addr >> 48 ? " " : "      " + 4, addr >> 48 ? 1 : 2);

	n = where_module(w, mod, sizeof mod);
	grow(&l->w_mod, n, MAX_MOD);
	outbuf_put(o, mod, n);
	outbuf_pad(o, n, l->w_mod + 1);

	n = where_symbol(w, sym, sizeof sym);
	grow(&l->w_sym, n, MAX_SYM);
	outbuf_put(o, sym, n);
	outbuf_pad(o, n, l->w_sym + 1);

	if (!len) {
		outbuf_put(o, "??", 2);
		n = 2;
	} else {
		static const char hex[] = "0123456789abcdef";
		char *p = outbuf_room(o, 3 * 15);

		for (uint32_t i = 0; i < len && i < 15; i++) {
			*p++ = hex[bytes[i] >> 4];
			*p++ = hex[bytes[i] & 15];
			*p++ = ' ';
		}
		n = 3 * (len < 15 ? len : 15) - 1;
		o->len += n;
	}
	outbuf_pad(o, n, BYTES_WIDTH);
	outbuf_puts(o, disasm_text(addr, bytes, len));
	outbuf_putc(o, '\n');
}
