/*
 * Where a trace's bytes go: raw record bytes per record kind, and what the
 * instruction blocks and everything else compress to on their own (zstd
 * level 3), per instruction.  Usage: tracefmt_sizes TRACE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zstd.h>

#include "tracefmt/format.h"

static const char *const names[] = { "?", "insns", "process", "thread_start",
	"thread_exit", "exec", "map", "unmap", "code", "signal", "exit", "end" };

static size_t
zsize(const uint8_t *p, size_t n)
{
	size_t cap = ZSTD_compressBound(n);
	void *out = malloc(cap);
	size_t c = ZSTD_compress(out, cap, p, n, 3);
	free(out);
	return ZSTD_isError(c) ? 0 : c;
}

static double
cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The whole record stream again in 2 MiB chunks at several zstd levels. */
static void
levels(const uint8_t *raw, size_t n, double ninsn)
{
	static const int lv[] = { 1, 3, 6, 9, 19 };
	size_t cap = ZSTD_compressBound(2u << 20);
	uint8_t *out = malloc(cap), *back = malloc(2u << 20);
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		size_t total = 0;
		double ct = 0, dt = 0;
		for (size_t at = 0; at < n; at += 2u << 20) {
			size_t k = n - at < (2u << 20) ? n - at : 2u << 20;
			double t0 = cpu_now();
			size_t c = ZSTD_compress(out, cap, raw + at, k, lv[i]);
			double t1 = cpu_now();
			ZSTD_decompress(back, 2u << 20, out, c);
			dt += cpu_now() - t1;
			ct += t1 - t0;
			total += c;
		}
		printf("  zstd -%-2d %9zu bytes %.3f bytes/insn, compress %6.0f "
		       "MB/s, decompress %6.0f MB/s (raw)\n", lv[i], total,
		       (double)total / ninsn, (double)n / ct / 1e6,
		       (double)n / dt / 1e6);
	}
	free(out);
	free(back);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tracefmt_sizes TRACE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size_t len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *file = malloc(len);
	if (fread(file, 1, len, f) != len)
		return 1;
	fclose(f);
	uint8_t *insns = malloc(256u << 20), *other = malloc(256u << 20);
	uint8_t *raw = malloc(FMT_CHUNK_RAW_MAX);
	uint8_t *all = malloc(512u << 20);
	size_t na = 0;
	size_t ni = 0, no = 0, bytes[12] = { 0 }, count[12] = { 0 };
	uint64_t ninsn = 0, nseg = 0;
	size_t at = fmt_get_u32(file + 12), chunks = 0;
	while (at + FMT_CHUNK_HDR <= len) {
		uint32_t c = fmt_get_u32(file + at + 8);
		size_t d = ZSTD_decompress(raw, FMT_CHUNK_RAW_MAX,
					   file + at + FMT_CHUNK_HDR, c);
		if (ZSTD_isError(d))
			break;
		at += FMT_CHUNK_HDR + c;
		chunks++;
		memcpy(all + na, raw, d);
		na += d;
		const uint8_t *p = raw, *end = raw + d;
		while (p < end) {
			const uint8_t *start = p;
			uint8_t tag = *p++;
			uint64_t v[8];
			if (tag == FMT_REC_INSNS) {
				for (int i = 0; i < 5; i++)
					fmt_get_varint(&p, end, &v[i]);
				ninsn += v[3];
				const uint8_t *s = p;
				p += v[4];
				while (s < p) {
					fmt_get_varint(&s, p, &v[5]);
					fmt_get_varint(&s, p, &v[6]);
					nseg++;
				}
			} else {
				/* Skip by re-parsing per kind. */
				int nu = 0, strs = 0, blob = 0, argv_ = 0;
				switch (tag) {
				case FMT_REC_PROCESS: nu = 3; strs = 1; argv_ = 1; break;
				case FMT_REC_THREAD_START: case FMT_REC_THREAD_EXIT: nu = 3; break;
				case FMT_REC_EXEC: nu = 2; strs = 1; argv_ = 1; break;
				case FMT_REC_MAP: nu = 5; strs = 1; blob = 1; break;
				case FMT_REC_UNMAP: nu = 3; break;
				case FMT_REC_CODE: nu = 2; blob = 1; break;
				case FMT_REC_SIGNAL: nu = 7; break;
				case FMT_REC_EXIT: nu = 2; break;
				case FMT_REC_END: nu = 5; break;
				default: fprintf(stderr, "bad tag\n"); return 1;
				}
				for (int i = 0; i < nu; i++)
					fmt_get_varint(&p, end, &v[0]);
				for (int i = 0; i < strs; i++) {
					fmt_get_varint(&p, end, &v[0]);
					p += v[0] + 1;
				}
				if (argv_) {
					uint64_t n;
					fmt_get_varint(&p, end, &n);
					for (uint64_t i = 0; i < n; i++) {
						fmt_get_varint(&p, end, &v[0]);
						p += v[0] + 1;
					}
				}
				if (blob) {
					fmt_get_varint(&p, end, &v[0]);
					p += v[0];
				}
			}
			size_t n = (size_t)(p - start);
			bytes[tag] += n;
			count[tag]++;
			if (tag == FMT_REC_INSNS) {
				memcpy(insns + ni, start, n);
				ni += n;
			} else {
				memcpy(other + no, start, n);
				no += n;
			}
		}
	}
	printf("file %zu bytes, %zu chunks, %llu instructions, %llu segments "
	       "(%.2f insns/segment)\n", len, chunks,
	       (unsigned long long)ninsn, (unsigned long long)nseg,
	       (double)ninsn / (double)(nseg ? nseg : 1));
	for (int t = 1; t < 12; t++)
		if (count[t])
			printf("  %-12s %8zu records %10zu raw bytes\n", names[t],
			       count[t], bytes[t]);
	size_t zi = zsize(insns, ni), zo = zsize(other, no);
	double n = (double)(ninsn ? ninsn : 1);
	printf("insn blocks: %zu raw -> %zu zstd (%.3f bytes/insn)\n", ni, zi,
	       (double)zi / n);
	printf("other:       %zu raw -> %zu zstd (%.3f bytes/insn)\n", no, zo,
	       (double)zo / n);
	printf("file:        %.3f bytes/insn\n", (double)len / n);
	printf("all records, %zu raw bytes:\n", na);
	levels(all, na, n);
	return 0;
}
