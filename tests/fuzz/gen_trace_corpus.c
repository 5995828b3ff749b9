/*
 * Writes the trace reader's seed corpus (tests/fuzz/corpus/): small traces
 * that between them hold every record kind, several chunks, a fork, an exec,
 * replaced code, an unreadable instruction and a missing end record.
 * Usage: gen_trace_corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <zstd.h>

#include "tracefmt/format.h"
#include "umss/trace.h"

static int failed;

static void
ok(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "%s: %s\n", what, umss_strerror(err));
		failed = 1;
	}
}

static struct umss_writer *
start(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct umss_trace_info info = { "ptrace", "umss corpus", 1, 0 };
	int err;
	struct umss_writer *w = umss_writer_open(path, &info, &err);
	if (!w) {
		fprintf(stderr, "%s: %s\n", path, umss_strerror(err));
		failed = 1;
	}
	return w;
}

static const uint8_t nop[1] = { 0x90 }, jmp[2] = { 0xeb, 0xfd },
		     call[5] = { 0xe8, 0, 0, 0, 0 }, mov[3] = { 0x48, 0x89, 0xe5 };

static void
all_kinds(const char *dir)
{
	struct umss_writer *w = start(dir, "all-kinds");
	if (!w)
		return;
	const char *argv[] = { "prog", "x" };
	const uint8_t id[4] = { 1, 2, 3, 4 };
	ok(umss_writer_process(w, 9, 0, 0, "/bin/prog", 2, argv), "process");
	ok(umss_writer_thread_start(w, 9, 9, 0), "thread");
	ok(umss_writer_map(w, 9, 0x1000, 0x3000, 0, PROT_READ | PROT_EXEC,
			   "/bin/prog", id, 4), "map");
	ok(umss_writer_code(w, 9, 0x1000, mov, 3), "code");
	ok(umss_writer_code(w, 9, 0x1003, nop, 1), "code");
	ok(umss_writer_code(w, 9, 0x1004, call, 5), "code");
	ok(umss_writer_code(w, 9, 0x1009, jmp, 2), "code");
	ok(umss_writer_code(w, 9, 0xffffffffff600000ull, NULL, 0), "code");
	for (int i = 0; i < 12; i++) {
		ok(umss_writer_insn(w, 9, 9, 0x1000), "insn");
		ok(umss_writer_insn(w, 9, 9, 0x1003), "insn");
		ok(umss_writer_insn(w, 9, 9, i & 1 ? 0x1009 : 0x1004), "insn");
	}
	ok(umss_writer_insn(w, 9, 9, 0xffffffffff600000ull), "insn");
	ok(umss_writer_flush(w), "flush");
	ok(umss_writer_signal(w, 9, 9, 11, 1, 0x10, 0x1003, UMSS_SIG_FATAL), "sig");
	ok(umss_writer_thread_start(w, 9, 10, 9), "thread");
	ok(umss_writer_insn(w, 9, 10, 0x1003), "insn");
	ok(umss_writer_code(w, 9, 0x1003, jmp, 2), "code");
	ok(umss_writer_insn(w, 9, 10, 0x1003), "insn");
	ok(umss_writer_thread_exit(w, 9, 10, 0), "thread exit");
	ok(umss_writer_process(w, 11, 9, 9, "/bin/prog", 2, argv), "fork");
	ok(umss_writer_insn(w, 11, 11, 0x1000), "insn");
	ok(umss_writer_exec(w, 11, 11, "/bin/sh", 1, argv), "exec");
	ok(umss_writer_code(w, 11, 0x1000, nop, 1), "code");
	ok(umss_writer_insn(w, 11, 11, 0x1000), "insn");
	ok(umss_writer_unmap(w, 11, 0x1000, 0x2000), "unmap");
	ok(umss_writer_exit(w, 11, 0), "exit");
	ok(umss_writer_exit(w, 9, 11), "exit");
	struct umss_trace_end end = { 42, 1, 1000, 139, 0 };
	ok(umss_writer_close(w, &end), "close");
}

static void
loop(const char *dir, const char *name, int with_end)
{
	struct umss_writer *w = start(dir, name);
	if (!w)
		return;
	ok(umss_writer_process(w, 1, 0, 0, "/l", 0, NULL), "process");
	ok(umss_writer_code(w, 1, 0x400000, mov, 3), "code");
	ok(umss_writer_code(w, 1, 0x400003, jmp, 2), "code");
	ok(umss_writer_code(w, 1, 0x400010, nop, 1), "code");
	for (int i = 0; i < 300; i++) {
		ok(umss_writer_insn(w, 1, 1, 0x400000), "insn");
		ok(umss_writer_insn(w, 1, 1, 0x400003), "insn");
		if (i % 7 == 0)
			ok(umss_writer_insn(w, 1, 1, 0x400010), "insn");
	}
	struct umss_trace_end end = { 643, 0, 5, 0, 0 };
	ok(umss_writer_close(w, with_end ? &end : NULL), "close");
}

/*
 * Writes DIR/raw-NAME: the records of DIR/NAME decompressed, behind the
 * 'R' prefix of the fuzz target (tests/fuzz/fuzz_trace_reader.c).
 */
static void
raw_copy(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	static uint8_t in[1 << 16], out[1 << 20];
	size_t len = f ? fread(in, 1, sizeof(in), f) : 0;
	if (f)
		fclose(f);
	size_t o = 0;
	out[o++] = 'R';
	out[o++] = 0;
	size_t at = len > 16 ? fmt_get_u32(in + 12) : len;
	unsigned chunks = 0;
	while (at + FMT_CHUNK_HDR <= len) {
		uint32_t c = fmt_get_u32(in + at + 8);
		size_t d = ZSTD_decompress(out + o, sizeof(out) - o,
					   in + at + FMT_CHUNK_HDR, c);
		if (ZSTD_isError(d))
			break;
		o += d;
		at += FMT_CHUNK_HDR + c;
		chunks++;
	}
	out[1] = (uint8_t)(chunks ? chunks - 1 : 0);
	snprintf(path, sizeof(path), "%s/raw-%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, o, f) != o) {
		fprintf(stderr, "%s: cannot write\n", path);
		failed = 1;
	}
	if (f)
		fclose(f);
}

/* Reads DIR/NAME back: events, then want. */
static void
verify(const char *dir, const char *name, int want, int min_events)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int err, ret, n = 0;
	struct umss_reader *r = umss_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, umss_strerror(err));
		failed = 1;
		return;
	}
	struct umss_event ev;
	while ((ret = umss_reader_next(r, &ev)) == 1)
		n++;
	umss_reader_close(r);
	if (ret != want || n < min_events) {
		fprintf(stderr, "%s: %d events then %s\n", path, n,
			umss_strerror(ret));
		failed = 1;
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_trace_corpus DIR\n");
		return 2;
	}
	all_kinds(argv[1]);
	loop(argv[1], "loop", 1);
	loop(argv[1], "loop-no-end", 0);
	raw_copy(argv[1], "all-kinds");
	raw_copy(argv[1], "loop");
	verify(argv[1], "all-kinds", 0, 60);
	verify(argv[1], "loop", 0, 640);
	verify(argv[1], "loop-no-end", -UMSS_E_TRUNCATED, 640);
	return failed;
}
