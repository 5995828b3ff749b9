/*
 * umss_writer_insns (a run of addresses in one call, as the agent's trace
 * ring hands them over) writes exactly the bytes that one
 * umss_writer_insn call per address writes: the same stream written both
 * ways, cut into random batches, gives identical files.  The stream has
 * what the bulk path handles itself (runs, a loop's jumps back, enough
 * segments to fill blocks) and what it hands to the one-at-a-time path
 * (unknown addresses, an instruction of unknown length, another thread,
 * a CODE record in between).
 */
#include "tests/unit/tracefmt_test.h"

#define N 400000

static uint64_t addrs[N];
static uint32_t tids[N];

static const uint8_t dec_ecx[2] = { 0xff, 0xc9 };
static const uint8_t jnz[2] = { 0x75, 0xfc };
static const uint8_t nop3[3] = { 0x0f, 0x1f, 0x00 };

static void
code(struct umss_writer *w)
{
	OK(umss_writer_code(w, 1, 0x401000, dec_ecx, 2));
	OK(umss_writer_code(w, 1, 0x401002, jnz, 2));
	for (uint64_t a = 0x500000; a < 0x500000 + 3 * 64; a += 3)
		OK(umss_writer_code(w, 1, a, nop3, 3));
	OK(umss_writer_code(w, 1, 0x600000, nop3, 0)); /* length unknown */
}

static void
make_stream(void)
{
	uint32_t seed = 12345;
	size_t i = 0;
	while (i < N) {
		seed = seed * 1103515245u + 12345u;
		unsigned kind = (seed >> 16) % 8, len = 1 + (seed >> 8) % 40;
		uint32_t tid = (seed >> 4) % 16 == 0 ? 2 : 1;
		for (unsigned k = 0; k < len && i < N; k++, i++) {
			tids[i] = tid;
			if (kind < 5)      /* the two-instruction loop */
				addrs[i] = k % 2 ? 0x401002 : 0x401000;
			else if (kind < 7) /* a straight run, jumping into it anywhere */
				addrs[i] = 0x500000 + 3 * ((k + (seed >> 20)) % 64);
			else               /* the instruction of unknown length */
				addrs[i] = 0x600000;
		}
	}
}

static void
write_trace(const char *path, int bulk)
{
	struct umss_writer *w = test_writer(path);
	OK(umss_writer_process(w, 1, 0, 0, "/bin/loop", 0, NULL));
	OK(umss_writer_thread_start(w, 1, 1, 0));
	OK(umss_writer_thread_start(w, 1, 2, 1));
	code(w);
	uint32_t seed = 777;
	size_t i = 0;
	while (i < N) {
		seed = seed * 1103515245u + 12345u;
		size_t n = 1 + (seed >> 8) % 5000, j = i;
		while (j < N && j - i < n && tids[j] == tids[i])
			j++;
		if (bulk) {
			OK(umss_writer_insns(w, 1, tids[i], addrs + i, j - i));
		} else {
			for (size_t k = i; k < j; k++)
				OK(umss_writer_insn(w, 1, tids[k], addrs[k]));
		}
		if ((seed >> 24) % 64 == 0) /* a CODE record between two batches */
			OK(umss_writer_code(w, 1, 0x401002, jnz, 2));
		i = j;
	}
	OK(umss_writer_exit(w, 1, 0));
	struct umss_trace_end end = { .instructions = N };
	OK(umss_writer_close(w, &end));
}

static size_t
slurp(const char *path, uint8_t **out)
{
	FILE *f = fopen(path, "rb");
	CHECK(f);
	size_t cap = 1 << 20, n = 0, k;
	uint8_t *b = malloc(cap);
	while ((k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*out = b;
	return n;
}

int
main(void)
{
	make_stream();
	const char *one = test_path("bulk-one.trace"), *bulk = test_path("bulk-bulk.trace");
	write_trace(one, 0);
	write_trace(bulk, 1);
	uint8_t *a, *b;
	size_t na = slurp(one, &a), nb = slurp(bulk, &b);
	CHECK_EQ(na, nb);
	CHECK(memcmp(a, b, na) == 0);
	/* And it reads back: N instructions. */
	struct umss_reader *r = test_reader(bulk);
	struct umss_event ev;
	uint64_t insns = 0;
	while (umss_reader_next(r, &ev) > 0)
		insns += ev.kind == UMSS_EV_INSN;
	CHECK_EQ(insns, N);
	umss_reader_close(r);
	printf("bulk and one-at-a-time writes identical: %zu bytes, %d instructions\n", na, N);
	return 0;
}
