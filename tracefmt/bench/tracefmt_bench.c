/*
 * Trace library speed and size on a synthetic instruction stream shaped like
 * real code (tests/unit/tracefmt_synth.h): writer ns per instruction, bytes
 * per instruction on disk, reader instructions per second.  Times are CPU
 * time of this process (user + system), so other load on the machine does
 * not inflate them much.
 * Usage: tracefmt_bench [MILLIONS_OF_INSNS [PATH]]
 *        tracefmt_bench --read TRACE   (reader speed on a real trace)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/tracefmt_synth.h"
#include "umss/trace.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
read_only(const char *path)
{
	int err;
	struct umss_reader *r = umss_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, umss_strerror(err));
		return 1;
	}
	struct umss_event ev;
	uint64_t insns = 0, events = 0, sum = 0, gaps = 0;
	/* Per-thread index continuity (FORMAT.md, Instruction streams). */
	static uint32_t tids[4096];
	static uint64_t next[4096];
	size_t nt = 0;
	double t0 = now();
	int ret;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		events++;
		size_t i = 0;
		while (i < nt && tids[i] != ev.tid)
			i++;
		if (ev.kind == UMSS_EV_INSN) {
			insns++;
			sum += ev.insn.len ? ev.insn.bytes[0] : 0;
			if (i == nt && nt < 4096) {
				tids[nt] = ev.tid;
				next[nt++] = 0;
			}
			if (i < nt && next[i]++ != ev.insn.index)
				gaps++;
		} else if (ev.kind == UMSS_EV_THREAD_START && i < nt) {
			next[i] = 0;
		} else if (ev.kind == UMSS_EV_EXEC && ev.exec.old_tid != ev.pid) {
			size_t j = 0;
			while (j < nt && tids[j] != ev.pid)
				j++;
			if (i < nt && j < nt)
				next[j] = next[i];
			else if (i < nt)
				tids[i] = ev.pid;
		}
	}
	double t1 = now();
	umss_reader_close(r);
	printf("%s: %llu instructions, %llu other events, %zu threads, %llu "
	       "index gaps, then %s\n", path, (unsigned long long)insns,
	       (unsigned long long)(events - insns), nt,
	       (unsigned long long)gaps, ret ? umss_strerror(ret) : "end");
	printf("read: %.2f ns/insn (%.1f M insn/s) [%llu]\n",
	       (t1 - t0) * 1e9 / (double)insns, (double)insns / (t1 - t0) / 1e6,
	       (unsigned long long)(sum & 1));
	return (ret < 0 && ret != -UMSS_E_TRUNCATED) || gaps;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--read"))
		return read_only(argv[2]);
	uint64_t n = (argc > 1 ? strtoull(argv[1], NULL, 0) : 20) * 1000000ull;
	const char *path = argc > 2 ? argv[2] : "/tmp/tracefmt_bench.trace";
	struct synth p;
	/* Fewer functions: a hot set that fits the code map's cache. */
	synth_init(&p, getenv("BENCH_FNS") ? (uint32_t)atoi(getenv("BENCH_FNS")) : 400,
		   0x555555554000ull, 12345);
	uint64_t *addrs = malloc(n * sizeof(*addrs));
	if (!addrs)
		return 1;
	for (uint64_t i = 0; i < n; i++)
		addrs[i] = p.insns[synth_step(&p)].addr;

	struct umss_trace_info info = { .engine = "bench", .tool = "bench" };
	int err;
	struct umss_writer *w = umss_writer_open(path, &info, &err);
	if (!w) {
		fprintf(stderr, "%s: %s\n", path, umss_strerror(err));
		return 1;
	}
	umss_writer_process(w, 1, 0, 0, "/bench", 0, NULL);
	umss_writer_thread_start(w, 1, 1, 0);
	for (uint32_t i = 0; i < p.n; i++) {
		uint8_t b[16];
		synth_bytes(p.insns[i].addr, p.insns[i].len, b);
		umss_writer_code(w, 1, p.insns[i].addr, b, p.insns[i].len);
	}
	uint64_t code_bytes = umss_writer_bytes(w);
	umss_writer_flush(w);
	code_bytes = umss_writer_bytes(w);
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		if (umss_writer_insn(w, 1, 1, addrs[i])) {
			fprintf(stderr, "insn failed\n");
			return 1;
		}
	}
	err = umss_writer_flush(w);
	double t1 = now();
	uint64_t bytes = umss_writer_bytes(w) - code_bytes;
	struct umss_trace_end end = { .instructions = n };
	err = err ? err : umss_writer_close(w, &end);
	if (err) {
		fprintf(stderr, "write: %s\n", umss_strerror(err));
		return 1;
	}

	struct umss_reader *r = umss_reader_open(path, &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", path, umss_strerror(err));
		return 1;
	}
	struct umss_event ev;
	uint64_t got = 0, sum = 0;
	double t2 = now();
	int ret;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		if (ev.kind == UMSS_EV_INSN) {
			if (ev.insn.addr != addrs[got]) {
				fprintf(stderr, "mismatch at %llu\n",
					(unsigned long long)got);
				return 1;
			}
			got++;
			sum += ev.insn.len;
		}
	}
	double t3 = now();
	umss_reader_close(r);
	if (ret || got != n) {
		fprintf(stderr, "read: %s, %llu insns\n", umss_strerror(ret),
			(unsigned long long)got);
		return 1;
	}
	printf("instructions: %llu (%u distinct, mean length %.2f)\n",
	       (unsigned long long)n, p.n, (double)sum / (double)n);
	printf("write: %.2f ns/insn (%.1f M insn/s) incl. compression\n",
	       (t1 - t0) * 1e9 / (double)n, (double)n / (t1 - t0) / 1e6);
	printf("size: %.4f bytes/insn (%.2f MB instructions, %.2f MB code)\n",
	       (double)bytes / (double)n, (double)bytes / 1e6,
	       (double)code_bytes / 1e6);
	printf("read: %.2f ns/insn (%.1f M insn/s)\n",
	       (t3 - t2) * 1e9 / (double)n, (double)n / (t3 - t2) / 1e6);
	free(addrs);
	synth_free(&p);
	return 0;
}
