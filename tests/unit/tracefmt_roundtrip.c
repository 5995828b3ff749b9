/*
 * Every event kind written and read back with exact values, in the order the
 * writer's rules put them: a thread's instructions before that thread's next
 * event, all of a process's before its exec and exit.
 */
#include <sys/mman.h>

#include "tests/unit/tracefmt_test.h"

static const uint8_t mov[3] = { 0x48, 0x89, 0xe5 };          /* mov %rsp,%rbp */
static const uint8_t push[1] = { 0x55 };                     /* push %rbp */
static const uint8_t call[5] = { 0xe8, 0xf7, 0x0f, 0x00, 0x00 }; /* call 0x402000 */
static const uint8_t ret[1] = { 0xc3 };                      /* ret */
static const uint8_t nop15[15] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f,
				   0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 };

static void
expect_insn(struct umss_reader *r, uint32_t pid, uint32_t tid, uint64_t addr,
	    const uint8_t *bytes, uint32_t len, uint64_t index, int line)
{
	struct umss_event ev;
	test_next(r, &ev, line);
	if (ev.kind != UMSS_EV_INSN || ev.pid != pid || ev.tid != tid ||
	    ev.insn.addr != addr || ev.insn.len != len ||
	    ev.insn.index != index || (len && memcmp(ev.insn.bytes, bytes, len))) {
		fprintf(stderr,
			"line %d: got kind %d pid %u tid %u addr %#" PRIx64
			" len %u index %" PRIu64 "\n",
			line, ev.kind, ev.pid, ev.tid, ev.insn.addr, ev.insn.len,
			ev.insn.index);
		exit(1);
	}
}
#define INSN(r, pid, tid, addr, b, index) \
	expect_insn(r, pid, tid, addr, b, sizeof(b), index, __LINE__)

static void
write_trace(const char *path)
{
	struct umss_writer *w = test_writer(path);
	const char *argv[] = { "prog", "--flag", "" };
	const uint8_t build_id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				       12, 13, 14, 15, 16, 17, 18, 19, 20 };
	OK(umss_writer_process(w, 100, 0, 0, "/bin/prog", 3, argv));
	OK(umss_writer_thread_start(w, 100, 100, 0));
	OK(umss_writer_map(w, 100, 0x400000, 0x403000, 0x1000,
			   PROT_READ | PROT_EXEC, "/bin/prog", build_id, 20));
	OK(umss_writer_code(w, 100, 0x401000, mov, 3));
	OK(umss_writer_code(w, 100, 0x401003, push, 1));
	OK(umss_writer_code(w, 100, 0x401004, call, 5));
	OK(umss_writer_code(w, 100, 0x402000, ret, 1));
	OK(umss_writer_code(w, 100, 0xffffffffff600000ull, NULL, 0));
	OK(umss_writer_code(w, 100, 0x401009, nop15, 15));
	/* Same bytes again: no record. */
	OK(umss_writer_code(w, 100, 0x401000, mov, 3));
	OK(umss_writer_insn(w, 100, 100, 0x401000));
	OK(umss_writer_insn(w, 100, 100, 0x401003));
	OK(umss_writer_insn(w, 100, 100, 0x401004));
	OK(umss_writer_insn(w, 100, 100, 0x402000));
	OK(umss_writer_insn(w, 100, 100, 0x401009));
	OK(umss_writer_insn(w, 100, 100, 0xffffffffff600000ull));
	OK(umss_writer_insn(w, 100, 100, 0xffffffffff600000ull));
	OK(umss_writer_insn(w, 100, 100, 0x401000));
	OK(umss_writer_signal(w, 100, 100, 11, 1, 0xdead0000, 0x401003,
			      UMSS_SIG_HANDLER));
	OK(umss_writer_insn(w, 100, 100, 0x401003));
	OK(umss_writer_thread_start(w, 100, 101, 100));
	OK(umss_writer_insn(w, 100, 101, 0x402000));
	OK(umss_writer_insn(w, 100, 101, 0x402000));
	OK(umss_writer_thread_exit(w, 100, 101, -1));
	OK(umss_writer_unmap(w, 100, 0x7f0000000000ull, 0x7f0000002000ull));
	OK(umss_writer_map(w, 100, 0x10000, 0x11000, 0, PROT_READ | PROT_WRITE,
			   "", NULL, 0));
	const char *argv2[] = { "sh" };
	OK(umss_writer_exec(w, 100, 100, "/bin/sh", 1, argv2));
	OK(umss_writer_code(w, 100, 0x401000, push, 1));
	OK(umss_writer_insn(w, 100, 100, 0x401000));
	OK(umss_writer_exit(w, 100, 0x8b00));
	struct umss_trace_end end = {
		.instructions = 12,
		.fallbacks = 3,
		.wall_ns = 987654321,
		.exit_status = 139,
		.reserved = 0,
	};
	OK(umss_writer_close(w, &end));
}

int
main(void)
{
	const char *path = test_path("roundtrip.trace");
	write_trace(path);

	struct umss_reader *r = test_reader(path);
	const struct umss_trace_info *info = umss_reader_info(r);
	CHECK_STR(info->engine, "ptrace");
	CHECK_STR(info->tool, "umss test");
	CHECK_EQ(info->start_time_ns, 1700000000123456789ull);
	CHECK_EQ(info->flags, UMSS_INFO_ASLR);

	struct umss_event ev;
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_PROCESS);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 0);
	CHECK_EQ(ev.process.ppid, 0);
	CHECK_EQ(ev.process.parent_tid, 0);
	CHECK_STR(ev.process.exe, "/bin/prog");
	CHECK_EQ(ev.process.argc, 3);
	CHECK_STR(ev.process.argv[0], "prog");
	CHECK_STR(ev.process.argv[1], "--flag");
	CHECK_STR(ev.process.argv[2], "");
	CHECK(ev.process.argv[3] == NULL);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_THREAD_START);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 100);
	CHECK_EQ(ev.thread.parent_tid, 0);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_MAP);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.map.start, 0x400000);
	CHECK_EQ(ev.map.end, 0x403000);
	CHECK_EQ(ev.map.offset, 0x1000);
	CHECK_EQ(ev.map.prot, PROT_READ | PROT_EXEC);
	CHECK_STR(ev.map.path, "/bin/prog");
	CHECK_EQ(ev.map.build_id_len, 20);
	for (int i = 0; i < 20; i++)
		CHECK_EQ(ev.map.build_id[i], i + 1);

	static const struct {
		uint64_t addr;
		const uint8_t *bytes;
		uint32_t len;
	} codes[] = {
		{ 0x401000, mov, 3 },
		{ 0x401003, push, 1 },
		{ 0x401004, call, 5 },
		{ 0x402000, ret, 1 },
		{ 0xffffffffff600000ull, NULL, 0 },
		{ 0x401009, nop15, 15 },
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		NEXT(r, &ev);
		CHECK_EQ(ev.kind, UMSS_EV_CODE);
		CHECK_EQ(ev.pid, 100);
		CHECK_EQ(ev.code.addr, codes[i].addr);
		CHECK_EQ(ev.code.len, codes[i].len);
		CHECK(ev.code.bytes != NULL);
		CHECK(!codes[i].len ||
		      !memcmp(ev.code.bytes, codes[i].bytes, codes[i].len));
	}

	/* Thread 100's instructions before its signal. */
	INSN(r, 100, 100, 0x401000, mov, 0);
	INSN(r, 100, 100, 0x401003, push, 1);
	INSN(r, 100, 100, 0x401004, call, 2);
	INSN(r, 100, 100, 0x402000, ret, 3);
	INSN(r, 100, 100, 0x401009, nop15, 4);
	expect_insn(r, 100, 100, 0xffffffffff600000ull, NULL, 0, 5, __LINE__);
	expect_insn(r, 100, 100, 0xffffffffff600000ull, NULL, 0, 6, __LINE__);
	INSN(r, 100, 100, 0x401000, mov, 7);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_SIGNAL);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 100);
	CHECK_EQ(ev.signal.signo, 11);
	CHECK_EQ(ev.signal.code, 1);
	CHECK_EQ(ev.signal.addr, 0xdead0000);
	CHECK_EQ(ev.signal.at, 0x401003);
	CHECK_EQ(ev.signal.action, UMSS_SIG_HANDLER);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_THREAD_START);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 101);
	CHECK_EQ(ev.thread.parent_tid, 100);

	INSN(r, 100, 101, 0x402000, ret, 0);
	INSN(r, 100, 101, 0x402000, ret, 1);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_THREAD_EXIT);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 101);
	CHECK_EQ((int64_t)ev.thread.status, -1);

	/* An unmap writes out pending instructions of the process. */
	INSN(r, 100, 100, 0x401003, push, 8);
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_UNMAP);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.map.start, 0x7f0000000000ull);
	CHECK_EQ(ev.map.end, 0x7f0000002000ull);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_MAP);
	CHECK_EQ(ev.map.start, 0x10000);
	CHECK_EQ(ev.map.end, 0x11000);
	CHECK_EQ(ev.map.offset, 0);
	CHECK_EQ(ev.map.prot, PROT_READ | PROT_WRITE);
	CHECK_STR(ev.map.path, "");
	CHECK_EQ(ev.map.build_id_len, 0);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_EXEC);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.tid, 100);
	CHECK_EQ(ev.exec.old_tid, 100);
	CHECK_STR(ev.exec.exe, "/bin/sh");
	CHECK_EQ(ev.exec.argc, 1);
	CHECK_STR(ev.exec.argv[0], "sh");
	CHECK(ev.exec.argv[1] == NULL);

	/* After exec, 0x401000 is new code (push), and the stream goes on. */
	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_CODE);
	CHECK_EQ(ev.code.addr, 0x401000);
	CHECK_EQ(ev.code.len, 1);
	INSN(r, 100, 100, 0x401000, push, 9);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_EXIT);
	CHECK_EQ(ev.pid, 100);
	CHECK_EQ(ev.exit.status, 0x8b00);

	NEXT(r, &ev);
	CHECK_EQ(ev.kind, UMSS_EV_END);
	CHECK_EQ(ev.pid, 0);
	CHECK_EQ(ev.end.instructions, 12);
	CHECK_EQ(ev.end.fallbacks, 3);
	CHECK_EQ(ev.end.wall_ns, 987654321);
	CHECK_EQ(ev.end.exit_status, 139);
	CHECK_EQ(ev.end.reserved, 0);

	CHECK_EQ(umss_reader_next(r, &ev), 0);
	CHECK_EQ(umss_reader_next(r, &ev), 0);
	umss_reader_close(r);

	/* Messages exist for every code, errno ones included. */
	CHECK_STR(umss_strerror(-UMSS_E_NOT_TRACE), "not a umss trace");
	CHECK_STR(umss_strerror(-UMSS_E_TRUNCATED),
		  "umss trace cut short (no end record)");
	CHECK_STR(umss_strerror(-UMSS_E_VERSION),
		  "umss trace of an unsupported format version");
	CHECK_STR(umss_strerror(-UMSS_E_CORRUPT), "corrupt umss trace");
	CHECK_STR(umss_strerror(-UMSS_E_USAGE),
		  "invalid use of the umss trace API");
	CHECK_STR(umss_strerror(-2), "No such file or directory");
	CHECK_STR(umss_strerror(-99999), "unknown error");
	CHECK_STR(umss_strerror(0), "success");

	/* Instructions at an address without code are refused, and stick. */
	path = test_path("usage.trace");
	struct umss_writer *w = test_writer(path);
	CHECK_EQ(umss_writer_insn(w, 1, 1, 0x1000), -UMSS_E_USAGE);
	CHECK_EQ(umss_writer_thread_start(w, 1, 1, 0), -UMSS_E_USAGE);
	CHECK_EQ(umss_writer_close(w, NULL), -UMSS_E_USAGE);
	w = test_writer(path);
	CHECK_EQ(umss_writer_code(w, 1, 0x1000, push, 16), -UMSS_E_USAGE);
	CHECK_EQ(umss_writer_close(w, NULL), -UMSS_E_USAGE);

	int err = 0;
	CHECK(umss_writer_open(test_path("no/such/dir/x"),
			       &(struct umss_trace_info){ 0 }, &err) == NULL);
	CHECK_EQ(err, -2);
	CHECK(umss_reader_open(test_path("no-such-file"), &err) == NULL);
	CHECK_EQ(err, -2);
	printf("ok\n");
	return 0;
}
