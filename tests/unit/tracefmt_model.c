/*
 * Random writer call sequences checked against a model.  Processes fork,
 * exec (from leaders and from other threads) and exit, threads come and go,
 * code bytes are replaced at a few hot addresses, signals and flushes happen
 * at random.  The model records, per thread stream, what each instruction's
 * bytes were when umss_writer_insn() was called and where each signal fell;
 * the trace read back must match: same bytes, same order and indices per
 * stream, each signal after exactly the instructions before it, each
 * thread's end after all of its instructions.
 */
#include <sys/mman.h>

#include "tests/unit/tracefmt_synth.h"
#include "tests/unit/tracefmt_test.h"

#define NADDR 48            /* code addresses 0x1000 .. 0x1000 + NADDR */
#define MAXP 64             /* processes over a run */
#define MAXT 256            /* threads over a run */

struct code {
	uint8_t len, valid;
	uint8_t bytes[15];
};

struct proc {
	uint32_t pid;
	int live;
	struct code code[NADDR];
};

/* One expected item of a stream: an instruction, a signal or an exec. */
#define ITEM_SIGNAL UINT64_MAX
#define ITEM_EXEC (UINT64_MAX - 1)
struct item {
	uint64_t addr;   /* or ITEM_SIGNAL (sig_code tells which), ITEM_EXEC */
	int32_t sig_code;
	uint8_t len;
	uint8_t bytes[15];
};

struct stream {
	struct item *v;
	size_t n, cap;
	size_t pos;      /* read back so far */
	uint64_t insns;  /* instructions read back so far */
};

struct thread {
	uint32_t tid;
	int proc;        /* index in procs */
	int live;
	int stream;      /* index in streams */
	uint64_t last;   /* address of its last instruction, 0 = none */
};

static struct proc procs[MAXP];
static int nprocs;
static struct thread threads[MAXT];
static int nthreads;
static struct stream streams[MAXT];
static uint32_t stream_pid[MAXT];
static int nstreams;
static uint64_t rng;
static int32_t next_sig = 1;

static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)(synth_rand(&rng) % n);
}

static void
push(struct stream *s, const struct item *it)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = *it;
}

static int
new_thread(struct umss_writer *w, int p, uint32_t tid, uint32_t parent)
{
	CHECK(nthreads < MAXT && nstreams < MAXT);
	int t = nthreads++;
	stream_pid[nstreams] = procs[p].pid;
	threads[t] = (struct thread){ tid, p, 1, nstreams++, 0 };
	OK(umss_writer_thread_start(w, procs[p].pid, tid, parent));
	return t;
}

static int
live_proc(void)
{
	int live[MAXP], n = 0;
	for (int i = 0; i < nprocs; i++)
		if (procs[i].live)
			live[n++] = i;
	return n ? live[rnd(n)] : -1;
}

static int
live_thread(int p)
{
	int live[MAXT], n = 0;
	for (int i = 0; i < nthreads; i++)
		if (threads[i].live && (p < 0 || threads[i].proc == p))
			live[n++] = i;
	return n ? live[rnd(n)] : -1;
}

static uint32_t next_id = 1000;

static void
op_process(struct umss_writer *w)
{
	if (nprocs == MAXP)
		return;
	int parent = rnd(2) ? live_proc() : -1;
	int p = nprocs++;
	procs[p].pid = next_id++;
	procs[p].live = 1;
	uint32_t ptid = 0;
	if (parent >= 0) {
		memcpy(procs[p].code, procs[parent].code, sizeof(procs[p].code));
		int t = live_thread(parent);
		ptid = t >= 0 ? threads[t].tid : 0;
	} else {
		memset(procs[p].code, 0, sizeof(procs[p].code));
	}
	OK(umss_writer_process(w, procs[p].pid,
			       parent >= 0 ? procs[parent].pid : 0, ptid, "/m", 0,
			       NULL));
	new_thread(w, p, procs[p].pid, 0);
}

static void
op_code(struct umss_writer *w, int p)
{
	int a = rnd(NADDR);
	struct code c = { 0 };
	c.valid = 1;
	/* Mostly short, sometimes unreadable (0), sometimes the same again. */
	c.len = rnd(10) ? (uint8_t)(1 + rnd(6)) : (uint8_t)rnd(16);
	for (int i = 0; i < c.len; i++)
		c.bytes[i] = (uint8_t)rnd(256);
	if (procs[p].code[a].valid && rnd(4) == 0)
		c = procs[p].code[a];
	procs[p].code[a] = c;
	OK(umss_writer_code(w, procs[p].pid, 0x1000 + (uint64_t)a, c.bytes, c.len));
}

static void
op_insns(struct umss_writer *w, int t)
{
	struct thread *th = &threads[t];
	struct proc *p = &procs[th->proc];
	int n = 1 + rnd(40);
	for (int k = 0; k < n; k++) {
		int a = -1;
		if (th->last) {
			const struct code *c = &p->code[th->last - 0x1000];
			uint64_t next = th->last + c->len;
			if (c->valid && next < 0x1000 + NADDR &&
			    p->code[next - 0x1000].valid && rnd(5))
				a = (int)(next - 0x1000);
		}
		for (int tries = 0; a < 0 && tries < 8; tries++) {
			int r = rnd(NADDR);
			if (p->code[r].valid)
				a = r;
		}
		if (a < 0)
			return;
		struct item it = { 0x1000 + (uint64_t)a, 0, p->code[a].len, { 0 } };
		memcpy(it.bytes, p->code[a].bytes, it.len);
		push(&streams[th->stream], &it);
		OK(umss_writer_insn(w, p->pid, th->tid, it.addr));
		th->last = it.addr;
	}
}

static void
op_exec(struct umss_writer *w, int p)
{
	int t = live_thread(p);
	uint32_t pid = procs[p].pid, old = threads[t].tid;
	/* The other threads vanish; the caller becomes pid. */
	for (int i = 0; i < nthreads; i++)
		if (threads[i].live && threads[i].proc == p && i != t)
			threads[i].live = 0;
	threads[t].tid = pid;
	threads[t].last = 0;
	struct item it = { ITEM_EXEC, 0, 0, { 0 } };
	push(&streams[threads[t].stream], &it);
	memset(procs[p].code, 0, sizeof(procs[p].code));
	OK(umss_writer_exec(w, pid, old, "/e", 0, NULL));
}

static void
op_exit(struct umss_writer *w, int p)
{
	for (int i = 0; i < nthreads; i++) {
		if (threads[i].live && threads[i].proc == p) {
			if (threads[i].tid != procs[p].pid)
				OK(umss_writer_thread_exit(w, procs[p].pid,
							   threads[i].tid, 0));
			threads[i].live = 0;
		}
	}
	procs[p].live = 0;
	OK(umss_writer_exit(w, procs[p].pid, 0));
}

static void
run(uint64_t seed, int ops)
{
	for (int i = 0; i < nstreams; i++)
		free(streams[i].v);
	memset(streams, 0, sizeof(streams));
	nprocs = nthreads = nstreams = 0;
	rng = seed;
	const char *path = test_path("model.trace");
	struct umss_writer *w = test_writer(path);
	op_process(w);
	for (int i = 0; i < ops; i++) {
		int p = live_proc();
		if (p < 0) {
			op_process(w);
			continue;
		}
		uint32_t c = rnd(100);
		if (c < 2)
			op_process(w);
		else if (c < 4 && nthreads < MAXT)
			new_thread(w, p, next_id++, procs[p].pid);
		else if (c < 20)
			op_code(w, p);
		else if (c < 85)
			op_insns(w, live_thread(p));
		else if (c < 88) {
			int t = live_thread(p);
			struct item it = { ITEM_SIGNAL, next_sig++, 0, { 0 } };
			push(&streams[threads[t].stream], &it);
			OK(umss_writer_signal(w, procs[p].pid, threads[t].tid, 10,
					      it.sig_code, 0, 0, UMSS_SIG_HANDLER));
		} else if (c < 90) {
			int t = live_thread(p);
			if (threads[t].tid != procs[p].pid) {
				OK(umss_writer_thread_exit(w, procs[p].pid,
							   threads[t].tid, 7));
				threads[t].live = 0;
			}
		} else if (c < 92)
			op_exec(w, p);
		else if (c < 93)
			op_exit(w, p);
		else if (c < 95)
			OK(umss_writer_flush(w));
		else if (c < 96)
			OK(umss_writer_map(w, procs[p].pid, 0x1000, 0x2000, 0,
					   PROT_READ | PROT_EXEC, "/m", NULL, 0));
	}
	OK(umss_writer_close(w, &(struct umss_trace_end){ 0 }));

	/* Read back: tid -> stream, as THREAD_START and EXEC change it. */
	struct umss_reader *r = test_reader(path);
	static int cur[1 << 16];
	memset(cur, -1, sizeof(cur));
	int made = 0;
	struct umss_event ev;
	int ret;
	uint64_t insns = 0;
	while ((ret = umss_reader_next(r, &ev)) == 1) {
		uint32_t slot = ev.tid & 0xffff;
		struct stream *s = cur[slot] >= 0 ? &streams[cur[slot]] : NULL;
		switch (ev.kind) {
		case UMSS_EV_THREAD_START:
			cur[slot] = made++;
			break;
		case UMSS_EV_INSN: {
			CHECK(s != NULL);
			CHECK(s->pos < s->n);
			const struct item *it = &s->v[s->pos++];
			CHECK_EQ(ev.insn.addr, it->addr);
			CHECK_EQ(ev.insn.len, it->len);
			CHECK(!it->len || !memcmp(ev.insn.bytes, it->bytes, it->len));
			CHECK_EQ(ev.insn.index, s->insns);
			s->insns++;
			insns++;
			break;
		}
		case UMSS_EV_SIGNAL:
			CHECK(s != NULL);
			CHECK(s->pos < s->n);
			CHECK_EQ(s->v[s->pos].addr, ITEM_SIGNAL);
			CHECK_EQ(ev.signal.code, s->v[s->pos].sig_code);
			s->pos++;
			break;
		case UMSS_EV_THREAD_EXIT:
			CHECK(s != NULL);
			CHECK_EQ(s->pos, s->n);
			cur[slot] = -1;
			break;
		case UMSS_EV_EXEC: {
			/*
			 * The caller's stream is at its exec and goes on as
			 * pid's; the process's other threads are complete.
			 */
			int c = cur[ev.exec.old_tid & 0xffff];
			CHECK(c >= 0);
			CHECK(streams[c].pos < streams[c].n);
			CHECK_EQ(streams[c].v[streams[c].pos].addr, ITEM_EXEC);
			streams[c].pos++;
			for (int i = 0; i < made; i++)
				if (stream_pid[i] == ev.pid && i != c)
					CHECK_EQ(streams[i].pos, streams[i].n);
			cur[ev.pid & 0xffff] = c;
			break;
		}
		case UMSS_EV_EXIT:
			for (int i = 0; i < made; i++)
				if (stream_pid[i] == ev.pid)
					CHECK_EQ(streams[i].pos, streams[i].n);
			break;
		default:
			break;
		}
	}
	CHECK_EQ(ret, 0);
	umss_reader_close(r);
	/* Every stream was read to its end. */
	uint64_t want = 0;
	for (int i = 0; i < nstreams; i++) {
		CHECK_EQ(streams[i].pos, streams[i].n);
		want += streams[i].insns;
	}
	CHECK_EQ(insns, want);
	CHECK_EQ(made, nstreams);
}

int
main(void)
{
	for (uint64_t seed = 1; seed <= 40; seed++)
		run(seed * 0x9e3779b97f4a7c15ull, 3000);
	printf("ok\n");
	return 0;
}
