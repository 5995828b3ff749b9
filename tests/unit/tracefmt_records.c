/*
 * Hand-made records inside valid chunks (right CRCs, right zstd frames), so
 * only the record checks of docs/FORMAT.md stand between them and the
 * caller: each must give exactly the events before the bad record and then
 * -UMSS_E_CORRUPT, and well-formed ones exactly their events.
 */
#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include "tests/unit/tracefmt_test.h"
#include "tracefmt/format.h"

/* Writes a trace whose only chunk holds rec[0..len). */
static void
frame(const char *path, const uint8_t *rec, size_t len)
{
	uint8_t out[8192];
	memset(out, 0, FMT_HDR_FIXED);
	memcpy(out, FMT_MAGIC, FMT_MAGIC_LEN);
	fmt_put_u32(out + 8, UMSS_TRACE_VERSION);
	fmt_put_u32(out + 12, FMT_HDR_FIXED + 4);
	fmt_put_u32(out + FMT_HDR_FIXED, fmt_crc32c(out, FMT_HDR_FIXED));
	uint8_t *h = out + FMT_HDR_FIXED + 4;
	size_t c = ZSTD_compress(h + FMT_CHUNK_HDR, 4096, rec, len, 3);
	CHECK(!ZSTD_isError(c));
	fmt_put_u32(h, FMT_CHUNK_MAGIC);
	h[4] = FMT_CHUNK_ZSTD;
	h[5] = h[6] = h[7] = 0;
	fmt_put_u32(h + 8, (uint32_t)c);
	fmt_put_u32(h + 12, (uint32_t)len);
	fmt_put_u32(h + 16, fmt_crc32c(h, 16));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	size_t n = (size_t)(h + FMT_CHUNK_HDR + c - out);
	CHECK(write(fd, out, n) == (ssize_t)n);
	close(fd);
}

/* Reads rec back: *n events, returns the final result. */
static int
run(const uint8_t *rec, size_t len, int *n, struct umss_event *last)
{
	const char *path = test_path("records.trace");
	frame(path, rec, len);
	struct umss_reader *r = test_reader(path);
	struct umss_event ev;
	int ret;
	*n = 0;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		(*n)++;
		if (last)
			*last = ev;
	}
	umss_reader_close(r);
	return ret;
}

#define EXPECT(want_ret, want_n, ...)                                        \
	do {                                                                 \
		static const uint8_t rec_[] = { __VA_ARGS__ };               \
		int n_;                                                      \
		int ret_ = run(rec_, sizeof(rec_), &n_, NULL);               \
		if (ret_ != (want_ret) || n_ != (want_n)) {                  \
			fprintf(stderr, "line %d: %d events then %d, want " \
				"%d then %d\n", __LINE__, n_, ret_,          \
				(want_n), (want_ret));                       \
			exit(1);                                             \
		}                                                            \
	} while (0)

/* Tags (FORMAT.md). */
enum { INSNS = 1, PROCESS, TSTART, TEXIT, EXEC, MAP, UNMAP, CODE, SIGNAL,
       EXIT, END };
#define CORRUPT (-UMSS_E_CORRUPT)
#define TRUNC (-UMSS_E_TRUNCATED)
/* CODE pid 1, at 0x10 (delta from 0 = zigzag 0x20), 2 bytes; then 0x12, 1 byte. */
#define CODE2 CODE, 1, 0x20, 2, 0xeb, 0xfe, CODE, 1, 0, 1, 0x90
#define END0 END, 0, 0, 0, 0, 0

int
main(void)
{
	/*
	 * Well-formed: two codes, a block of 3 (0x10, 0x12, then back by 3
	 * from 0x13 to 0x10), end.
	 */
	EXPECT(0, 6, CODE2, INSNS, 1, 1, 0, 3, 4, 0x20, 1, 5, 0, END0);
	{
		static const uint8_t rec[] = { CODE2, INSNS, 1, 7, 5, 3, 4,
					       0x20, 1, 5, 0, END0 };
		struct umss_event ev;
		int n;
		CHECK_EQ(run(rec, sizeof(rec) - 6, &n, &ev), TRUNC);
		CHECK_EQ(n, 5);
		CHECK_EQ(ev.kind, UMSS_EV_INSN);
		CHECK_EQ(ev.tid, 7);
		CHECK_EQ(ev.insn.addr, 0x10);
		CHECK_EQ(ev.insn.index, 7); /* first_index 5, third insn */
	}
	/* Unknown tag, and tag 0. */
	EXPECT(CORRUPT, 0, 12);
	EXPECT(CORRUPT, 2, CODE2, 0);
	/* A record running past its chunk. */
	EXPECT(CORRUPT, 0, SIGNAL, 1, 1, 2);
	EXPECT(CORRUPT, 0, CODE, 1, 0x20, 5, 0x90);
	/* Code longer than 15 bytes. */
	EXPECT(CORRUPT, 0, CODE, 1, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	       0, 0, 0, 0);
	/* A pid above 32 bits; an overlong varint (11 bytes). */
	EXPECT(CORRUPT, 0, TSTART, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 0);
	EXPECT(CORRUPT, 0, UNMAP, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	       0x80, 0x80, 0x80, 0x01, 0);
	/* A 10-byte varint whose last byte carries more than bit 63. */
	EXPECT(CORRUPT, 0, UNMAP, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	       0xff, 0xff, 0x02, 0);
	/* ... but exactly 2^64 - 1 is fine; it wraps the end: corrupt map. */
	EXPECT(CORRUPT, 0, MAP, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	       0xff, 0xff, 0x01, 2, 0, 0, 0, 0, 0);
	/* A signed field out of 32-bit range (zigzag 2^32). */
	EXPECT(CORRUPT, 0, EXIT, 1, 0x80, 0x80, 0x80, 0x80, 0x10);
	/* A string without its NUL; an argc larger than the record can hold. */
	EXPECT(CORRUPT, 0, PROCESS, 1, 0, 0, 2, 'a', 'b', 'c', 0);
	EXPECT(CORRUPT, 0, PROCESS, 1, 0, 0, 1, 'a', 0, 100, 1, 'x', 0);
	EXPECT(0, 2, PROCESS, 1, 0, 0, 1, 'a', 0, 1, 1, 'x', 0, END0);
	/* A build id longer than 255 bytes. */
	EXPECT(CORRUPT, 0, MAP, 1, 0, 1, 0, 5, 0, 0, 0x80, 0x02);
	/* Instructions of a process without code; at an address without. */
	EXPECT(CORRUPT, 0, INSNS, 1, 1, 0, 1, 2, 0x20, 0);
	EXPECT(CORRUPT, 2, CODE2, INSNS, 1, 1, 0, 1, 2, 0x22, 0);
	/* Count 0; runs adding up to more or less than count; bytes left. */
	EXPECT(CORRUPT, 2, CODE2, INSNS, 1, 1, 0, 0, 0);
	EXPECT(CORRUPT, 2, CODE2, INSNS, 1, 1, 0, 1, 2, 0x20, 1);
	EXPECT(CORRUPT, 3, CODE2, INSNS, 1, 1, 0, 2, 2, 0x20, 0);
	/* (Leftover bytes are found at the last instruction, given as the error.) */
	EXPECT(CORRUPT, 2, CODE2, INSNS, 1, 1, 0, 1, 4, 0x20, 0, 0, 0);
	/* index + count past 2^64. */
	EXPECT(CORRUPT, 2, CODE2, INSNS, 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff,
	       0xff, 0xff, 0xff, 0xff, 0x01, 1, 2, 0x20, 0);
	/* A run going on past an unreadable (length 0) instruction... */
	EXPECT(CORRUPT, 1, CODE, 1, 0x20, 0, INSNS, 1, 1, 0, 3, 2, 0x20, 2);
	/* ... while repeating it with new segments (delta 0) is fine. */
	EXPECT(0, 5, CODE, 1, 0x20, 0, INSNS, 1, 1, 0, 3, 6, 0x20, 0, 0, 0, 0,
	       0, END0);
	/* Exec forgets code; exit forgets the process. */
	EXPECT(CORRUPT, 3, CODE2, EXEC, 1, 1, 0, 0, 0, INSNS, 1, 1, 0, 1, 2,
	       0x20, 0);
	EXPECT(CORRUPT, 3, CODE2, EXIT, 1, 0, INSNS, 1, 1, 0, 1, 2, 0x20, 0);
	/* A fork child sees its parent's code; an orphan does not. */
	EXPECT(0, 5, CODE2, PROCESS, 2, 1, 1, 0, 0, 0, INSNS, 2, 2, 0, 1, 2,
	       0x20, 0, END0);
	EXPECT(CORRUPT, 3, CODE2, PROCESS, 2, 9, 1, 0, 0, 0, INSNS, 2, 2, 0, 1,
	       2, 0x20, 0);
	/* CODE addresses are deltas within a chunk: 0x13 - 3 = 0x10. */
	EXPECT(0, 4, CODE2, CODE, 1, 0x05, 1, 0xc3, END0);
	/* After END nothing is read, not even garbage. */
	EXPECT(0, 1, END0, 0xff, 0xff);
	printf("ok\n");
	return 0;
}
