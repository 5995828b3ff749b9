/*
 * On-disk layout of umss traces, shared by the writer and the reader.
 * docs/FORMAT.md is the prose version of this file; keep them in step.
 * All multi-byte fixed-width fields are little-endian.
 */
#ifndef UMSS_TRACEFMT_FORMAT_H
#define UMSS_TRACEFMT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * File magic, 8 bytes.  Shaped like PNG's: a first byte above 0x7f catches
 * 7-bit channels, "\r\n" catches newline translation, 0x1a stops `type`.
 */
#define FMT_MAGIC "\x89umss\r\n\x1a"
#define FMT_MAGIC_LEN 8

/* File header: fixed part, then engine and tool strings, then a CRC. */
#define FMT_HDR_FIXED 32     /* bytes before the strings */
#define FMT_HDR_MAX 65536    /* largest header a reader accepts, bytes */
/*
 * Offsets in the fixed part:
 *  0  magic[8]
 *  8  u32 version              (UMSS_TRACE_VERSION)
 * 12  u32 header_size          (bytes, the whole header including the CRC)
 * 16  u64 start_time_ns        (CLOCK_REALTIME, ns)
 * 24  u32 flags                (UMSS_INFO_*)
 * 28  u16 engine_len           (bytes, no NUL)
 * 30  u16 tool_len             (bytes, no NUL)
 * 32  engine bytes, tool bytes
 * header_size - 4: u32 CRC-32C of bytes [0, header_size - 4)
 */

/* Chunk header, 20 bytes. */
#define FMT_CHUNK_MAGIC 0x4b484355u /* "UCHK" read as a little-endian u32 */
#define FMT_CHUNK_HDR 20
/*
 *  0  u32 magic      FMT_CHUNK_MAGIC
 *  4  u8  kind       FMT_CHUNK_ZSTD
 *  5  u8  reserved[3], zero
 *  8  u32 csize      (bytes of payload that follow the header)
 * 12  u32 rsize      (bytes of records once decompressed)
 * 16  u32 CRC-32C of bytes [0, 16)
 */
#define FMT_CHUNK_ZSTD 1
#define FMT_CHUNK_RAW_MAX (64u << 20) /* largest rsize accepted, bytes */

/* Record tags: the first byte of every record inside a chunk payload. */
enum fmt_tag {
	FMT_REC_INSNS = 1,
	FMT_REC_PROCESS,
	FMT_REC_THREAD_START,
	FMT_REC_THREAD_EXIT,
	FMT_REC_EXEC,
	FMT_REC_MAP,
	FMT_REC_UNMAP,
	FMT_REC_CODE,
	FMT_REC_SIGNAL,
	FMT_REC_EXIT,
	FMT_REC_END,
};

#define FMT_INSN_MAX 15 /* longest x86 instruction, SDM vol. 2 sec. 2.3.11 */

uint32_t
fmt_crc32c(const void *data, size_t len);

static inline void
fmt_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
fmt_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
fmt_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t
fmt_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
fmt_get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint64_t
fmt_get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Unsigned LEB128: 7 bits a byte, low first, high bit = more.  <= 10 bytes. */
#define FMT_VARINT_MAX 10

static inline size_t
fmt_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Reads a varint from [*pp, end).  Returns 0 and advances *pp, or -1 when it
 * runs past end, is longer than 10 bytes or does not fit 64 bits.
 */
static inline int
fmt_get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* Zigzag maps signed to unsigned so small magnitudes stay small. */
static inline uint64_t
fmt_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
fmt_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif /* UMSS_TRACEFMT_FORMAT_H */
