/*
 * The lines of /proc/PID/maps and /proc/PID/smaps a traced program may see
 * (docs/CLOAK.md): the agent's own mappings (its image, stub arenas,
 * trampolines) are taken out, and a line the kernel merged from the
 * program's memory and the agent's keeps only the program's part.
 * Header-only and freestanding: the agent uses it, tests/unit checks it.
 */
#ifndef UMSS_COMMON_CLOAK_MAPS_H
#define UMSS_COMMON_CLOAK_MAPS_H

#include <stdint.h>

struct cloak_range {
	uint64_t start, end;
};

static inline int
cloak_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "START-END " at the head of a line: a mapping's header.  Returns the
 * offset after the space, 0 when the line is something else (an smaps
 * field such as "Rss:"). */
static inline long
cloak_maps_header(const char *line, long n, uint64_t *start, uint64_t *end)
{
	long i = 0;
	uint64_t v[2] = { 0, 0 };
	for (int k = 0; k < 2; k++) {
		long from = i;
		int d;
		while (i < n && (d = cloak_hex_digit(line[i])) >= 0 && i - from < 16) {
			v[k] = v[k] << 4 | (uint64_t)d;
			i++;
		}
		if (i == from || i >= n || line[i] != (k == 0 ? '-' : ' '))
			return 0;
		i++;
	}
	*start = v[0];
	*end = v[1];
	return i;
}

/* As the kernel prints them: at least 8 lowercase hex digits. */
static inline long
cloak_put_hex(char *out, uint64_t v)
{
	char tmp[16];
	int k = 0;
	do {
		tmp[k++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && k < 16);
	while (k < 8)
		tmp[k++] = '0';
	for (int j = 0; j < k; j++)
		out[j] = tmp[k - 1 - j];
	return k;
}

/*
 * One line (n bytes, with its newline) in, what the program sees out
 * (room for 2 * (n + 34) bytes: a line cut in two by a hidden range).
 * hidden: sorted, not overlapping.  *dropping carries over an smaps
 * record whose header was hidden (its field lines go with it).
 */
static inline long
cloak_maps_line(const char *line, long n, const struct cloak_range *hidden, int nhidden,
		char *out, int *dropping)
{
	uint64_t start, end;
	long rest = cloak_maps_header(line, n, &start, &end);
	if (!rest) {
		if (*dropping)
			return 0;
		for (long i = 0; i < n; i++)
			out[i] = line[i];
		return n;
	}
	/* The visible pieces of [start, end): what no hidden range covers. */
	long o = 0;
	uint64_t at = start;
	for (int h = 0; h < nhidden && at < end; h++) {
		if (hidden[h].end <= at || hidden[h].start >= end)
			continue;
		if (hidden[h].start > at) {
			o += cloak_put_hex(out + o, at);
			out[o++] = '-';
			o += cloak_put_hex(out + o, hidden[h].start);
			out[o++] = ' ';
			for (long i = rest; i < n; i++)
				out[o++] = line[i];
		}
		at = hidden[h].end;
	}
	if (at == start) { /* untouched */
		for (long i = 0; i < n; i++)
			out[i] = line[i];
		*dropping = 0;
		return n;
	}
	if (at < end) {
		o += cloak_put_hex(out + o, at);
		out[o++] = '-';
		o += cloak_put_hex(out + o, end);
		out[o++] = ' ';
		for (long i = rest; i < n; i++)
			out[o++] = line[i];
	}
	/* A record cut in part keeps its fields (their sizes are the whole
	 * mapping's); one hidden entirely loses them. */
	*dropping = o == 0;
	return o;
}

#endif
