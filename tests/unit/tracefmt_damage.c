/*
 * Damaged, foreign and empty files.  A trace cut at every byte offset reads
 * exactly the events of its whole chunks and then -UMSS_E_TRUNCATED (or
 * fails to open with the right code when the cut is inside the file header);
 * random byte damage yields a prefix of the events and then an error, never
 * different events; other files give NOT_TRACE, VERSION or CORRUPT.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/tracefmt_synth.h"
#include "tests/unit/tracefmt_test.h"

/* A 64-bit digest of an event's fields, to compare event lists. */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t
mix_str(uint64_t h, const char *s)
{
	while (*s)
		h = mix(h, (uint8_t)*s++);
	return mix(h, 0);
}

static uint64_t
digest(const struct umss_event *ev)
{
	uint64_t h = mix(mix(mix(0, ev->kind), ev->pid), ev->tid);
	switch (ev->kind) {
	case UMSS_EV_INSN:
		h = mix(mix(mix(h, ev->insn.addr), ev->insn.len), ev->insn.index);
		for (uint32_t i = 0; i < ev->insn.len; i++)
			h = mix(h, ev->insn.bytes[i]);
		break;
	case UMSS_EV_CODE:
		h = mix(mix(h, ev->code.addr), ev->code.len);
		for (uint32_t i = 0; i < ev->code.len; i++)
			h = mix(h, ev->code.bytes[i]);
		break;
	case UMSS_EV_PROCESS:
		h = mix(mix(mix(h, ev->process.ppid), ev->process.parent_tid),
			ev->process.argc);
		h = mix_str(h, ev->process.exe);
		for (uint32_t i = 0; i < ev->process.argc; i++)
			h = mix_str(h, ev->process.argv[i]);
		break;
	case UMSS_EV_EXEC:
		h = mix(mix(h, ev->exec.old_tid), ev->exec.argc);
		h = mix_str(h, ev->exec.exe);
		for (uint32_t i = 0; i < ev->exec.argc; i++)
			h = mix_str(h, ev->exec.argv[i]);
		break;
	case UMSS_EV_MAP:
		h = mix(mix(mix(h, ev->map.start), ev->map.end), ev->map.offset);
		h = mix(mix(h, ev->map.prot), ev->map.build_id_len);
		h = mix_str(h, ev->map.path);
		for (uint32_t i = 0; i < ev->map.build_id_len; i++)
			h = mix(h, ev->map.build_id[i]);
		break;
	case UMSS_EV_UNMAP:
		h = mix(mix(h, ev->map.start), ev->map.end);
		break;
	case UMSS_EV_THREAD_START:
	case UMSS_EV_THREAD_EXIT:
		h = mix(mix(h, ev->thread.parent_tid), (uint32_t)ev->thread.status);
		break;
	case UMSS_EV_SIGNAL:
		h = mix(mix(h, (uint32_t)ev->signal.signo), (uint32_t)ev->signal.code);
		h = mix(mix(mix(h, ev->signal.addr), ev->signal.at),
			ev->signal.action);
		break;
	case UMSS_EV_EXIT:
		h = mix(h, (uint32_t)ev->exit.status);
		break;
	case UMSS_EV_END:
		h = mix(mix(mix(h, ev->end.instructions), ev->end.fallbacks),
			ev->end.wall_ns);
		h = mix(mix(h, (uint32_t)ev->end.exit_status), ev->end.reserved);
		break;
	}
	return h;
}

static size_t
le32(const uint8_t *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
	       (size_t)p[3] << 24;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	static uint8_t buf[1 << 20];
	*len = fread(buf, 1, sizeof(buf), f);
	CHECK(*len < sizeof(buf));
	fclose(f);
	uint8_t *p = malloc(*len);
	memcpy(p, buf, *len);
	return p;
}

static void
spill(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/*
 * Reads path: returns what open or the last next returned (0 clean end),
 * with the events' digests in ds[] and their count in *n.
 */
static int
read_all(const char *path, uint64_t *ds, size_t cap, size_t *n)
{
	int err = 0;
	*n = 0;
	struct umss_reader *r = umss_reader_open(path, &err);
	if (!r) {
		CHECK(err < 0);
		return err;
	}
	struct umss_event ev;
	int ret;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		CHECK(*n < cap);
		ds[(*n)++] = digest(&ev);
	}
	/* Errors and the end stick. */
	CHECK_EQ(umss_reader_next(r, &ev), ret);
	umss_reader_close(r);
	return ret;
}

/* A small trace of every event kind in several chunks. */
static void
write_small(const char *path)
{
	static const uint8_t nop[1] = { 0x90 }, jmp[2] = { 0xeb, 0xfd };
	struct umss_writer *w = test_writer(path);
	const char *argv[] = { "a", "bc" };
	const uint8_t id[4] = { 0xde, 0xad, 0xbe, 0xef };
	OK(umss_writer_process(w, 5, 0, 0, "/bin/a", 2, argv));
	OK(umss_writer_thread_start(w, 5, 5, 0));
	OK(umss_writer_map(w, 5, 0x1000, 0x2000, 0, PROT_READ | PROT_EXEC,
			   "/bin/a", id, 4));
	OK(umss_writer_code(w, 5, 0x1000, nop, 1));
	OK(umss_writer_code(w, 5, 0x1001, jmp, 2));
	for (int i = 0; i < 20; i++)
		OK(umss_writer_insn(w, 5, 5, 0x1000 + (i & 1)));
	OK(umss_writer_flush(w));
	OK(umss_writer_signal(w, 5, 5, 2, 0, 0, 0x1000, UMSS_SIG_IGNORED));
	OK(umss_writer_process(w, 6, 5, 5, "/bin/a", 2, argv));
	OK(umss_writer_insn(w, 6, 6, 0x1001));
	OK(umss_writer_flush(w));
	OK(umss_writer_exec(w, 6, 6, "/bin/b", 1, argv));
	OK(umss_writer_code(w, 6, 0x1000, jmp, 2));
	OK(umss_writer_insn(w, 6, 6, 0x1000));
	OK(umss_writer_unmap(w, 6, 0x1000, 0x2000));
	OK(umss_writer_exit(w, 6, 0));
	OK(umss_writer_flush(w));
	OK(umss_writer_thread_exit(w, 5, 5, 3));
	OK(umss_writer_exit(w, 5, 3 << 8));
	OK(umss_writer_close(w, &(struct umss_trace_end){ 23, 1, 2, 3, 0 }));
}

#define MAXEV 4096

static void
test_truncation(void)
{
	const char *path = test_path("small.trace");
	const char *cut = test_path("cut.trace");
	write_small(path);
	size_t len;
	uint8_t *data = slurp(path, &len);
	uint64_t *full = malloc(MAXEV * sizeof(*full));
	uint64_t *got = malloc(MAXEV * sizeof(*got));
	size_t nfull, n;
	CHECK_EQ(read_all(path, full, MAXEV, &nfull), 0);
	CHECK_EQ(nfull, 36);

	/* Chunk boundaries from the layout in docs/FORMAT.md. */
	size_t hdr = le32(data + 12), bounds[16], nb = 0;
	for (size_t at = hdr; at < len; at += 20 + le32(data + at + 8))
		bounds[nb++] = at + 20 + le32(data + at + 8);
	CHECK_EQ(nb, 4);
	CHECK_EQ(bounds[nb - 1], len);

	size_t whole = 0; /* events in the chunks before the cut */
	size_t bi = 0;
	for (size_t l = 0; l < len; l++) {
		while (bi < nb && bounds[bi] <= l) {
			spill(cut, data, bounds[bi]);
			/* The last chunk holds the end record. */
			int want = bi == nb - 1 ? 0 : -UMSS_E_TRUNCATED;
			CHECK_EQ(read_all(cut, got, MAXEV, &whole), want);
			bi++;
		}
		spill(cut, data, l);
		int ret = read_all(cut, got, MAXEV, &n);
		if (l < 8) {
			CHECK_EQ(ret, -UMSS_E_NOT_TRACE);
		} else if (l < hdr) {
			CHECK_EQ(ret, -UMSS_E_TRUNCATED);
			CHECK_EQ(n, 0);
		} else {
			CHECK_EQ(ret, -UMSS_E_TRUNCATED);
			CHECK_EQ(n, bi ? whole : 0);
			CHECK(!memcmp(got, full, n * sizeof(*got)));
		}
	}
	free(data);
	free(full);
	free(got);
}

static void
test_corruption(void)
{
	const char *path = test_path("big.trace");
	const char *bad = test_path("bad.trace");
	/* Enough instructions for several chunks of real compressed data. */
	struct umss_writer *w = test_writer(path);
	struct synth p;
	synth_init(&p, 40, 0x400000, 9);
	uint8_t b[16];
	for (uint32_t i = 0; i < p.n; i++) {
		synth_bytes(p.insns[i].addr, p.insns[i].len, b);
		OK(umss_writer_code(w, 1, p.insns[i].addr, b, p.insns[i].len));
	}
	for (int i = 0; i < 20000; i++) {
		OK(umss_writer_insn(w, 1, 1, p.insns[synth_step(&p)].addr));
		if (i % 5000 == 4999)
			OK(umss_writer_flush(w));
	}
	OK(umss_writer_close(w, &(struct umss_trace_end){ .instructions = 20000 }));
	synth_free(&p);

	size_t len;
	uint8_t *data = slurp(path, &len);
	size_t cap = 1 << 16, nfull, n;
	uint64_t *full = malloc(cap * sizeof(*full));
	uint64_t *got = malloc(cap * sizeof(*got));
	CHECK_EQ(read_all(path, full, cap, &nfull), 0);
	uint64_t s = 77;
	int errors = 0;
	for (int iter = 0; iter < 2000; iter++) {
		size_t at = synth_rand(&s) % len;
		uint8_t x = (uint8_t)(1 + synth_rand(&s) % 255);
		data[at] ^= x;
		/* Sometimes a second flip nearby. */
		size_t at2 = (at + synth_rand(&s) % 64) % len;
		uint8_t x2 = iter & 1 ? (uint8_t)(1 + synth_rand(&s) % 255) : 0;
		data[at2] ^= x2;
		spill(bad, data, len);
		int ret = read_all(bad, got, cap, &n);
		data[at] ^= x;
		data[at2] ^= x2;
		CHECK(n <= nfull);
		CHECK(!memcmp(got, full, n * sizeof(*got)));
		if (ret == 0) {
			/* Harmless damage (say zstd's window size): same events. */
			CHECK_EQ(n, nfull);
			continue;
		}
		errors++;
		if (ret != -UMSS_E_CORRUPT && ret != -UMSS_E_NOT_TRACE &&
		    ret != -UMSS_E_VERSION) {
			fprintf(stderr, "flip at %zu: %d (%s)\n", at, ret,
				umss_strerror(ret));
			exit(1);
		}
	}
	CHECK(errors > 1900);
	free(data);
	free(full);
	free(got);
}

static void
test_foreign(void)
{
	const char *path = test_path("foreign");
	uint64_t d[4];
	size_t n;
	spill(path, (const uint8_t *)"", 0);
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_NOT_TRACE);
	spill(path, (const uint8_t *)"\x7f" "ELF\2\1\1\0\0\0\0\0\0\0\0\0", 16);
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_NOT_TRACE);
	const char *text = "instructions: 12\nthreads: 1\nmore text to be long enough\n";
	spill(path, (const uint8_t *)text, strlen(text));
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_NOT_TRACE);
	CHECK_EQ(read_all("/", d, 4, &n), -EISDIR);
	CHECK_EQ(read_all(test_path("absent"), d, 4, &n), -ENOENT);

	/* Other versions are refused before anything else is looked at. */
	const char *good = test_path("v.trace");
	write_small(good);
	size_t len;
	uint8_t *data = slurp(good, &len);
	const uint32_t versions[] = { 0, 2, 0x100, 0xffffffff };
	for (size_t i = 0; i < 4; i++) {
		uint8_t v[4] = { (uint8_t)versions[i], (uint8_t)(versions[i] >> 8),
				 (uint8_t)(versions[i] >> 16),
				 (uint8_t)(versions[i] >> 24) };
		memcpy(data + 8, v, 4);
		spill(path, data, len);
		CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_VERSION);
		spill(path, data, 12);
		CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_VERSION);
	}
	data[8] = 1;
	data[9] = data[10] = data[11] = 0;
	/* A header whose string lengths disagree with its size. */
	data[28] ^= 1;
	spill(path, data, len);
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_CORRUPT);
	data[28] ^= 1;
	/* The engine string is covered by the header CRC. */
	data[32] ^= 0x20;
	spill(path, data, len);
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_CORRUPT);
	data[32] ^= 0x20;
	/* Only a header: truncated, no events. */
	spill(path, data, le32(data + 12));
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_TRUNCATED);
	CHECK_EQ(n, 0);
	free(data);

	/* A writer closed without an end record: all events, then TRUNCATED. */
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 1, 0, 0, "/x", 0, NULL));
	OK(umss_writer_thread_start(w, 1, 1, 0));
	OK(umss_writer_close(w, NULL));
	CHECK_EQ(read_all(path, d, 4, &n), -UMSS_E_TRUNCATED);
	CHECK_EQ(n, 2);
}

/*
 * A writer SIGKILLed while it writes: the file reads as a prefix of what it
 * was writing, then TRUNCATED.
 */
static void
test_killed(void)
{
	const char *path = test_path("killed.trace");
	struct synth p;
	synth_init(&p, 60, 0x400000, 3);
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct umss_writer *w = test_writer(path);
		uint8_t b[16];
		for (uint32_t i = 0; i < p.n; i++) {
			synth_bytes(p.insns[i].addr, p.insns[i].len, b);
			OK(umss_writer_code(w, 1, p.insns[i].addr, b, p.insns[i].len));
		}
		for (uint64_t i = 0;; i++) {
			OK(umss_writer_insn(w, 1, 1, p.insns[synth_step(&p)].addr));
			if (i % 4096 == 0)
				OK(umss_writer_flush(w));
		}
	}
	/* Kill it once it has written a fair amount (whatever the load). */
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 1000; i++) {
		struct stat st;
		if (!stat(path, &st) && st.st_size > (64 << 10))
			break;
		nanosleep(&ts, NULL);
	}
	CHECK(kill(child, SIGKILL) == 0);
	int status;
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	struct umss_reader *r = test_reader(path);
	struct umss_event ev;
	uint64_t n = 0;
	int ret;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		if (ev.kind != UMSS_EV_INSN)
			continue;
		const struct synth_insn *in = &p.insns[synth_step(&p)];
		CHECK_EQ(ev.insn.addr, in->addr);
		CHECK_EQ(ev.insn.index, n);
		n++;
	}
	CHECK_EQ(ret, -UMSS_E_TRUNCATED);
	CHECK(n >= 4096); /* 64 KiB is many flushes */
	umss_reader_close(r);
	synth_free(&p);
}

/*
 * Write errors: a full disk at open, and a file size limit reached in the
 * middle (EFBIG), which sticks; what was written reads as a prefix.
 */
static void
test_write_errors(void)
{
	struct umss_trace_info info = { "ptrace", "t", 0, 0 };
	int err = 0;
	CHECK(umss_writer_open("/dev/full", &info, &err) == NULL);
	CHECK_EQ(err, -ENOSPC);

	const char *path = test_path("efbig.trace");
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		/* SIGXFSZ ignored: write(2) fails with EFBIG instead. */
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { 20000, 20000 };
		CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
		struct umss_writer *w = test_writer(path);
		struct synth p;
		synth_init(&p, 60, 0x400000, 5);
		uint8_t b[16];
		for (uint32_t i = 0; i < p.n; i++) {
			synth_bytes(p.insns[i].addr, p.insns[i].len, b);
			OK(umss_writer_code(w, 1, p.insns[i].addr, b, p.insns[i].len));
		}
		int ret = 0;
		for (int i = 0; i < 10000000 && !ret; i++) {
			ret = umss_writer_insn(w, 1, 1, p.insns[synth_step(&p)].addr);
			if (!ret && i % 1000 == 999)
				ret = umss_writer_flush(w);
		}
		CHECK_EQ(ret, -EFBIG);
		/* Sticky. */
		CHECK_EQ(umss_writer_insn(w, 1, 1, p.insns[0].addr), -EFBIG);
		CHECK_EQ(umss_writer_flush(w), -EFBIG);
		CHECK_EQ(umss_writer_close(w, &(struct umss_trace_end){ 0 }), -EFBIG);
		exit(0);
	}
	int status;
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct stat st;
	CHECK(stat(path, &st) == 0);
	CHECK(st.st_size <= 20000);
	size_t n;
	/* Events, then TRUNCATED (the last chunk was cut by the limit). */
	struct umss_reader *r = test_reader(path);
	struct umss_event ev;
	int ret;
	n = 0;
	while ((ret = umss_reader_next(r, &ev)) == 1)
		n++;
	umss_reader_close(r);
	CHECK_EQ(ret, -UMSS_E_TRUNCATED);
	CHECK(n > 1000);
}

int
main(void)
{
	test_write_errors();
	test_killed();
	test_truncation();
	test_corruption();
	test_foreign();
	printf("ok\n");
	return 0;
}
