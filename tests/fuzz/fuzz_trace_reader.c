/*
 * libFuzzer target for the trace reader: any bytes must give events and
 * then 0 or a negative error, never a crash, a leak, a hang or an
 * unbounded allocation.  Build: make fuzz-trace; run:
 *   build/fuzz/fuzz_trace_reader -max_total_time=600 tests/fuzz/corpus
 *
 * Checksums and compression would stop almost every mutation at the chunk
 * layer, so an input starting with 'R' is not a file but raw records: the
 * target frames them itself (valid header, zstd chunks, right CRCs; the
 * second byte says into how many chunks) so the mutations reach the record
 * parser.  Any other input is read as a file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "tracefmt/format.h"
#include "tracefmt/reader_mem.h"
#include "umss/trace.h"

/* Frames raw record bytes as a trace file; returns its length. */
static size_t
frame(const uint8_t *rec, size_t len, unsigned nchunks, uint8_t **out)
{
	size_t cap = FMT_HDR_FIXED + 4 + nchunks * (FMT_CHUNK_HDR + 64) +
		     ZSTD_compressBound(len);
	uint8_t *p = malloc(cap);
	if (!p)
		abort();
	memset(p, 0, FMT_HDR_FIXED);
	memcpy(p, FMT_MAGIC, FMT_MAGIC_LEN);
	fmt_put_u32(p + 8, UMSS_TRACE_VERSION);
	fmt_put_u32(p + 12, FMT_HDR_FIXED + 4);
	fmt_put_u32(p + FMT_HDR_FIXED, fmt_crc32c(p, FMT_HDR_FIXED));
	size_t at = FMT_HDR_FIXED + 4;
	size_t per = len / nchunks + 1;
	for (size_t off = 0; off < len; off += per) {
		size_t n = len - off < per ? len - off : per;
		uint8_t *h = p + at;
		size_t c = ZSTD_compress(h + FMT_CHUNK_HDR, cap - at - FMT_CHUNK_HDR,
					 rec + off, n, 1);
		if (ZSTD_isError(c))
			abort();
		fmt_put_u32(h, FMT_CHUNK_MAGIC);
		h[4] = FMT_CHUNK_ZSTD;
		h[5] = h[6] = h[7] = 0;
		fmt_put_u32(h + 8, (uint32_t)c);
		fmt_put_u32(h + 12, (uint32_t)n);
		fmt_put_u32(h + 16, fmt_crc32c(h, 16));
		at += FMT_CHUNK_HDR + c;
	}
	*out = p;
	return at;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int err = 0;
	uint8_t *framed = NULL;
	if (size >= 2 && data[0] == 'R') {
		size = frame(data + 2, size - 2, 1 + data[1] % 4, &framed);
		data = framed;
	}
	struct umss_reader *r = reader_open_mem(data, size, &err);
	if (!r) {
		if (err >= 0 || !*umss_strerror(err))
			__builtin_trap();
		free(framed);
		return 0;
	}
	const struct umss_trace_info *info = umss_reader_info(r);
	volatile size_t sink = strlen(info->engine) + strlen(info->tool);
	struct umss_event ev;
	int ret;
	/* Touch what every event points at, as a consumer would. */
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		switch (ev.kind) {
		case UMSS_EV_INSN:
			for (uint32_t i = 0; i < ev.insn.len; i++)
				sink += ev.insn.bytes[i];
			break;
		case UMSS_EV_CODE:
			for (uint32_t i = 0; i < ev.code.len; i++)
				sink += ev.code.bytes[i];
			break;
		case UMSS_EV_PROCESS:
			sink += strlen(ev.process.exe);
			for (uint32_t i = 0; i < ev.process.argc; i++)
				sink += strlen(ev.process.argv[i]);
			if (ev.process.argv && ev.process.argv[ev.process.argc])
				__builtin_trap();
			break;
		case UMSS_EV_EXEC:
			sink += strlen(ev.exec.exe);
			for (uint32_t i = 0; i < ev.exec.argc; i++)
				sink += strlen(ev.exec.argv[i]);
			break;
		case UMSS_EV_MAP:
			sink += strlen(ev.map.path);
			for (uint32_t i = 0; i < ev.map.build_id_len; i++)
				sink += ev.map.build_id[i];
			if (ev.map.end < ev.map.start)
				__builtin_trap();
			break;
		default:
			break;
		}
	}
	if (ret > 0 || umss_reader_next(r, &ev) != ret)
		__builtin_trap();
	(void)sink;
	umss_reader_close(r);
	free(framed);
	return 0;
}
