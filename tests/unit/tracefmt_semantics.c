/*
 * Code-map semantics of the trace format: bytes replaced at an address
 * (instructions before see the old bytes, after see the new), fork copies
 * the parent's code, exec clears it, a non-leader exec continues its
 * stream under the leader's id, and interleaved threads of a synthetic
 * program read back exactly, in program order per thread, with every
 * thread event after exactly that thread's earlier instructions.
 */
#include <sys/mman.h>

#include "tests/unit/tracefmt_synth.h"
#include "tests/unit/tracefmt_test.h"

static const uint8_t old2[2] = { 0xeb, 0xfe };            /* jmp . */
static const uint8_t new3[3] = { 0x48, 0x31, 0xc0 };      /* xor %rax,%rax */
static const uint8_t nop1[1] = { 0x90 };

static void
check_insn(const struct umss_event *ev, uint32_t pid, uint32_t tid,
	   uint64_t addr, const uint8_t *bytes, uint32_t len, uint64_t index,
	   int line)
{
	if (ev->kind != UMSS_EV_INSN || ev->pid != pid || ev->tid != tid ||
	    ev->insn.addr != addr || ev->insn.len != len ||
	    ev->insn.index != index || (len && memcmp(ev->insn.bytes, bytes, len))) {
		fprintf(stderr,
			"line %d: got kind %d pid %u tid %u addr %#" PRIx64
			" len %u index %" PRIu64 "\n",
			line, ev->kind, ev->pid, ev->tid, ev->insn.addr,
			ev->insn.len, ev->insn.index);
		exit(1);
	}
}

static void
expect_insn(struct umss_reader *r, uint32_t pid, uint32_t tid, uint64_t addr,
	    const uint8_t *bytes, uint32_t len, uint64_t index, int line)
{
	struct umss_event ev;
	test_next(r, &ev, line);
	check_insn(&ev, pid, tid, addr, bytes, len, index, line);
}
#define INSN(r, pid, tid, addr, b, index) \
	expect_insn(r, pid, tid, addr, b, sizeof(b), index, __LINE__)

static void
expect_kind(struct umss_reader *r, enum umss_event_kind kind, uint32_t pid,
	    int line)
{
	struct umss_event ev;
	test_next(r, &ev, line);
	if (ev.kind != kind || ev.pid != pid) {
		fprintf(stderr, "line %d: kind %d pid %u, want %d pid %u\n",
			line, ev.kind, ev.pid, kind, pid);
		exit(1);
	}
}
#define KIND(r, kind, pid) expect_kind(r, kind, pid, __LINE__)

/* Replaced code: two threads ran the old bytes, one runs the new ones. */
static void
test_replace(void)
{
	const char *path = test_path("replace.trace");
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 10, 0, 0, "/x", 0, NULL));
	OK(umss_writer_code(w, 10, 0x1000, old2, 2));
	OK(umss_writer_code(w, 10, 0x1002, nop1, 1));
	OK(umss_writer_insn(w, 10, 10, 0x1000));
	OK(umss_writer_insn(w, 10, 11, 0x1000));
	OK(umss_writer_insn(w, 10, 11, 0x1002));
	OK(umss_writer_insn(w, 10, 10, 0x1000));
	OK(umss_writer_code(w, 10, 0x1000, new3, 3));
	OK(umss_writer_insn(w, 10, 10, 0x1000));
	OK(umss_writer_insn(w, 10, 11, 0x1000));
	/* 0x1002 now lies inside new3 but is still an entry of its own. */
	OK(umss_writer_insn(w, 10, 11, 0x1002));
	OK(umss_writer_close(w, &(struct umss_trace_end){ .instructions = 7 }));

	struct umss_reader *r = test_reader(path);
	KIND(r, UMSS_EV_PROCESS, 10);
	KIND(r, UMSS_EV_CODE, 10);
	KIND(r, UMSS_EV_CODE, 10);
	/* Both threads' old instructions, each thread in order. */
	struct umss_event ev;
	int seen10 = 0, seen11 = 0;
	for (int i = 0; i < 4; i++) {
		NEXT(r, &ev);
		if (ev.tid == 10) {
			check_insn(&ev, 10, 10, 0x1000, old2, 2, seen10, __LINE__);
			seen10++;
		} else {
			check_insn(&ev, 10, 11, seen11 ? 0x1002 : 0x1000,
				   seen11 ? nop1 : old2, seen11 ? 1 : 2, seen11,
				   __LINE__);
			seen11++;
		}
	}
	CHECK_EQ(seen10, 2);
	CHECK_EQ(seen11, 2);
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_CODE);
	CHECK_EQ(ev.code.addr, 0x1000);
	CHECK_EQ(ev.code.len, 3);
	INSN(r, 10, 10, 0x1000, new3, 2);
	INSN(r, 10, 11, 0x1000, new3, 2);
	INSN(r, 10, 11, 0x1002, nop1, 3);
	KIND(r, UMSS_EV_END, 0);
	CHECK_EQ(umss_reader_next(r, &ev), 0);
	umss_reader_close(r);
}

/* Fork copies code; later changes in either process stay there; exec clears. */
static void
test_fork_exec(void)
{
	const char *path = test_path("fork.trace");
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 20, 0, 0, "/p", 0, NULL));
	OK(umss_writer_thread_start(w, 20, 20, 0));
	OK(umss_writer_code(w, 20, 0x2000, old2, 2));
	OK(umss_writer_insn(w, 20, 20, 0x2000));
	OK(umss_writer_process(w, 21, 20, 20, "/p", 0, NULL));
	OK(umss_writer_thread_start(w, 21, 21, 0));
	/* The parent rewrites 0x2000; the child keeps the old bytes. */
	OK(umss_writer_code(w, 20, 0x2000, new3, 3));
	OK(umss_writer_insn(w, 21, 21, 0x2000));
	OK(umss_writer_insn(w, 20, 20, 0x2000));
	/* The child execs: 0x2000 is unknown until described again. */
	OK(umss_writer_exec(w, 21, 21, "/q", 0, NULL));
	OK(umss_writer_code(w, 21, 0x2000, nop1, 1));
	OK(umss_writer_insn(w, 21, 21, 0x2000));
	/* A process with an unknown parent starts empty. */
	OK(umss_writer_process(w, 22, 999, 999, "/r", 0, NULL));
	OK(umss_writer_close(w, &(struct umss_trace_end){ 0 }));

	struct umss_reader *r = test_reader(path);
	KIND(r, UMSS_EV_PROCESS, 20);
	KIND(r, UMSS_EV_THREAD_START, 20);
	KIND(r, UMSS_EV_CODE, 20);
	/* A process record flushes only its own pid: 20's insn is later. */
	struct umss_event ev;
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_PROCESS);
	CHECK_EQ(ev.pid, 21);
	CHECK_EQ(ev.process.ppid, 20);
	CHECK_EQ(ev.process.parent_tid, 20);
	KIND(r, UMSS_EV_THREAD_START, 21);
	INSN(r, 20, 20, 0x2000, old2, 0);
	KIND(r, UMSS_EV_CODE, 20);
	INSN(r, 21, 21, 0x2000, old2, 0);
	KIND(r, UMSS_EV_EXEC, 21);
	KIND(r, UMSS_EV_CODE, 21);
	KIND(r, UMSS_EV_PROCESS, 22);
	/* At close, pending blocks in the order the threads became dirty. */
	INSN(r, 20, 20, 0x2000, new3, 1);
	INSN(r, 21, 21, 0x2000, nop1, 1);
	KIND(r, UMSS_EV_END, 0);
	CHECK_EQ(umss_reader_next(r, &ev), 0);
	umss_reader_close(r);

	/* The writer refuses an instruction whose code exec forgot. */
	w = test_writer(test_path("exec-forgets.trace"));
	OK(umss_writer_code(w, 30, 0x3000, nop1, 1));
	OK(umss_writer_insn(w, 30, 30, 0x3000));
	OK(umss_writer_exec(w, 30, 30, "/q", 0, NULL));
	CHECK_EQ(umss_writer_insn(w, 30, 30, 0x3000), -UMSS_E_USAGE);
	CHECK_EQ(umss_writer_close(w, NULL), -UMSS_E_USAGE);
	/* So does a process with an unknown parent. */
	w = test_writer(test_path("orphan.trace"));
	OK(umss_writer_code(w, 40, 0x4000, nop1, 1));
	OK(umss_writer_process(w, 41, 999, 0, "/q", 0, NULL));
	CHECK_EQ(umss_writer_insn(w, 41, 41, 0x4000), -UMSS_E_USAGE);
	umss_writer_close(w, NULL);
}

/* Fork children share code copy-on-write: a child's change stays its own. */
static void
test_cow(void)
{
	const char *path = test_path("cow.trace");
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 60, 0, 0, "/p", 0, NULL));
	OK(umss_writer_code(w, 60, 0x6000, old2, 2));
	OK(umss_writer_code(w, 60, 0x6002, nop1, 1));
	OK(umss_writer_process(w, 61, 60, 60, "/p", 0, NULL));
	OK(umss_writer_process(w, 62, 60, 60, "/p", 0, NULL));
	OK(umss_writer_code(w, 61, 0x6000, new3, 3));
	OK(umss_writer_insn(w, 61, 61, 0x6000));
	OK(umss_writer_insn(w, 62, 62, 0x6000));
	OK(umss_writer_insn(w, 62, 62, 0x6002));
	OK(umss_writer_insn(w, 60, 60, 0x6000));
	OK(umss_writer_exit(w, 61, 0));
	OK(umss_writer_exit(w, 62, 0));
	OK(umss_writer_exit(w, 60, 0));
	OK(umss_writer_close(w, &(struct umss_trace_end){ 0 }));

	struct umss_reader *r = test_reader(path);
	KIND(r, UMSS_EV_PROCESS, 60);
	KIND(r, UMSS_EV_CODE, 60);
	KIND(r, UMSS_EV_CODE, 60);
	KIND(r, UMSS_EV_PROCESS, 61);
	KIND(r, UMSS_EV_PROCESS, 62);
	KIND(r, UMSS_EV_CODE, 61);
	INSN(r, 61, 61, 0x6000, new3, 0);
	KIND(r, UMSS_EV_EXIT, 61);
	INSN(r, 62, 62, 0x6000, old2, 0);
	INSN(r, 62, 62, 0x6002, nop1, 1);
	KIND(r, UMSS_EV_EXIT, 62);
	INSN(r, 60, 60, 0x6000, old2, 0);
	KIND(r, UMSS_EV_EXIT, 60);
	KIND(r, UMSS_EV_END, 0);
	umss_reader_close(r);
}

/* execve from a non-leader: its stream continues under the leader's id. */
static void
test_exec_non_leader(void)
{
	const char *path = test_path("exec2.trace");
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 50, 0, 0, "/p", 0, NULL));
	OK(umss_writer_code(w, 50, 0x5000, nop1, 1));
	OK(umss_writer_code(w, 50, 0x5001, nop1, 1));
	for (int i = 0; i < 3; i++)
		OK(umss_writer_insn(w, 50, 51, 0x5000 + (i & 1)));
	OK(umss_writer_insn(w, 50, 50, 0x5001));
	OK(umss_writer_insn(w, 50, 50, 0x5001));
	OK(umss_writer_exec(w, 50, 51, "/q", 0, NULL));
	OK(umss_writer_code(w, 50, 0x6000, new3, 3));
	OK(umss_writer_insn(w, 50, 50, 0x6000));
	OK(umss_writer_close(w, &(struct umss_trace_end){ 0 }));

	struct umss_reader *r = test_reader(path);
	KIND(r, UMSS_EV_PROCESS, 50);
	KIND(r, UMSS_EV_CODE, 50);
	KIND(r, UMSS_EV_CODE, 50);
	struct umss_event ev;
	int n50 = 0, n51 = 0;
	for (int i = 0; i < 5; i++) {
		NEXT(r, &ev);
		if (ev.tid == 51) {
			check_insn(&ev, 50, 51, 0x5000 + (n51 & 1), nop1, 1, n51,
				   __LINE__);
			n51++;
		} else {
			check_insn(&ev, 50, 50, 0x5001, nop1, 1, n50, __LINE__);
			n50++;
		}
	}
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_EXEC);
	CHECK_EQ(ev.exec.old_tid, 51);
	CHECK_EQ(ev.tid, 51);
	KIND(r, UMSS_EV_CODE, 50);
	INSN(r, 50, 50, 0x6000, new3, 3);
	KIND(r, UMSS_EV_END, 0);
	umss_reader_close(r);
}

/*
 * Three threads of one process run a synthetic program, interleaved at
 * random, with signals and explicit flushes: each thread's stream must come
 * back exactly, and each signal after exactly the instructions of its
 * thread recorded before it.
 */
#define NT 3
#define PER_THREAD 300000

static void
test_threads(void)
{
	const char *path = test_path("threads.trace");
	struct synth prog[NT];
	uint32_t *want[NT];
	uint64_t sig_at[NT][64];
	int nsig[NT] = { 0 };
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 7, 0, 0, "/synth", 0, NULL));
	uint8_t *described = NULL;
	for (int t = 0; t < NT; t++) {
		synth_init(&prog[t], 150, 0x400000, 1); /* same code */
		prog[t].rng = 1000 + t;                 /* different paths */
		want[t] = malloc(PER_THREAD * sizeof(*want[t]));
		OK(umss_writer_thread_start(w, 7, 700 + t, t ? 700 : 0));
	}
	described = calloc(prog[0].n, 1);
	uint64_t s = 42, done[NT] = { 0 }, total = 0;
	while (total < NT * (uint64_t)PER_THREAD) {
		int t = (int)(synth_rand(&s) % NT);
		if (done[t] == PER_THREAD)
			continue;
		uint32_t burst = 1 + (uint32_t)(synth_rand(&s) % 500);
		for (uint32_t k = 0; k < burst && done[t] < PER_THREAD; k++) {
			uint32_t i = synth_step(&prog[t]);
			const struct synth_insn *in = &prog[t].insns[i];
			if (!described[i]) {
				uint8_t b[16];
				synth_bytes(in->addr, in->len, b);
				OK(umss_writer_code(w, 7, in->addr, b, in->len));
				described[i] = 1;
			}
			OK(umss_writer_insn(w, 7, 700 + t, in->addr));
			want[t][done[t]++] = i;
			total++;
		}
		uint64_t c = synth_rand(&s) % 100;
		if (c == 0 && nsig[t] < 64) {
			sig_at[t][nsig[t]++] = done[t];
			OK(umss_writer_signal(w, 7, 700 + t, 10, 0, 0,
					      prog[t].insns[prog[t].pc].addr,
					      UMSS_SIG_HANDLER));
		} else if (c == 1) {
			OK(umss_writer_flush(w));
		}
	}
	for (int t = 0; t < NT; t++)
		OK(umss_writer_thread_exit(w, 7, 700 + t, 0));
	OK(umss_writer_exit(w, 7, 0));
	OK(umss_writer_close(w, &(struct umss_trace_end){
					.instructions = total }));

	struct umss_reader *r = test_reader(path);
	struct umss_event ev;
	uint64_t got[NT] = { 0 };
	int sigs[NT] = { 0 }, exits = 0;
	int ret;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		int t = (int)ev.tid - 700;
		switch (ev.kind) {
		case UMSS_EV_INSN: {
			CHECK(t >= 0 && t < NT);
			CHECK(got[t] < PER_THREAD);
			const struct synth_insn *in =
				&prog[t].insns[want[t][got[t]]];
			uint8_t b[16];
			synth_bytes(in->addr, in->len, b);
			check_insn(&ev, 7, 700 + t, in->addr, b, in->len, got[t],
				   __LINE__);
			got[t]++;
			break;
		}
		case UMSS_EV_SIGNAL:
			CHECK(sigs[t] < nsig[t]);
			CHECK_EQ(got[t], sig_at[t][sigs[t]]);
			sigs[t]++;
			break;
		case UMSS_EV_THREAD_EXIT:
			CHECK_EQ(got[t], PER_THREAD);
			exits++;
			break;
		case UMSS_EV_END:
			CHECK_EQ(ev.end.instructions, total);
			break;
		default:
			break;
		}
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(exits, NT);
	for (int t = 0; t < NT; t++) {
		CHECK_EQ(got[t], PER_THREAD);
		CHECK_EQ(sigs[t], nsig[t]);
		synth_free(&prog[t]);
		free(want[t]);
	}
	free(described);
	umss_reader_close(r);
}

int
main(void)
{
	test_replace();
	test_fork_exec();
	test_cow();
	test_exec_non_leader();
	test_threads();
	printf("ok\n");
	return 0;
}
