/*
 * The trace writer.  Events go, in call order, into one record buffer that
 * becomes a zstd chunk when it is big enough or on umss_writer_flush().
 * Instructions are buffered per thread as an encoded stream (runs of
 * sequential instructions and address jumps, docs/FORMAT.md) and enter the
 * record buffer as one INSNS record per block, at the latest when something
 * they depend on is about to change: their thread's next event, or their
 * process's code bytes, mappings or image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "tracefmt/codemap.h"
#include "tracefmt/format.h"
#include "tracefmt/idmap.h"
#include "umss/trace.h"

/* Encoded stream bytes after which a thread's block is written out. */
#define BLOCK_BYTES (32u << 10)
/* Record bytes after which a chunk is compressed and written. */
#define CHUNK_BYTES (2u << 20)
/* Largest single record (argv of an exec, say), bytes. */
#define RECORD_MAX (16u << 20)
/*
 * zstd level 3 (zstd's default): on the records of a real trace it is 9%
 * larger than level 9 and ten times faster (~250 MB/s here), see
 * docs/FORMAT.md, Measurements.
 */
#define ZSTD_LEVEL 3

struct wproc {
	uint32_t pid;
	struct code_map *code; /* shared with a fork parent until changed */
};

struct wthread {
	uint32_t tid;
	uint32_t pid;
	struct wproc *proc;
	uint64_t index;    /* stream position of the block's first insn */
	uint64_t nblock;   /* instructions in the pending block */
	uint64_t expected; /* where a sequential next instruction starts */
	uint64_t seg_addr_delta; /* pending segment: jump from expected */
	uint64_t seg_run;  /* pending segment: instructions, 0 = none */
	uint8_t *buf;      /* encoded segments of the pending block */
	size_t len, cap;
	bool dirty;        /* in the writer's dirty list */
};

struct umss_writer {
	int fd;
	int err;                /* sticky error, 0 while healthy */
	uint64_t bytes;         /* written to the file */
	struct id_map procs;    /* pid -> struct wproc */
	struct id_map threads;  /* tid -> struct wthread */
	struct wthread *last;   /* cache for umss_writer_insn */
	struct wthread **dirty; /* threads with a pending block */
	size_t ndirty, dirty_cap;
	uint8_t *rec;           /* record buffer */
	size_t rec_len, rec_cap;
	uint8_t *out;           /* chunk header + compressed payload */
	size_t out_cap;
	uint64_t code_next;     /* end of the chunk's last CODE, for deltas */
	ZSTD_CCtx *cctx;
};

static int
write_all(struct umss_writer *w, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
		w->bytes += (uint64_t)k;
	}
	return 0;
}

static int
fail(struct umss_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return err;
}

/* ------------------------------------------------------------ chunks */

/*
 * The trace's last chunk, compressed at umss's exit while nothing else
 * runs: under LAST_CHUNK_FAST bytes it is compressed at level 1, whose
 * smaller tables are set up in ~70 µs where level 3's take ~250 µs (a
 * 25 KiB chunk; the first compression in a context allocates and faults
 * in its tables); the chunk comes out ~3% bigger.  Chunks written during
 * the run stay at ZSTD_LEVEL.
 */
#define LAST_CHUNK_FAST (128u << 10)

static int write_chunk(struct umss_writer *w);

static int
write_last_chunk(struct umss_writer *w)
{
	if (!w->rec_len || w->rec_len >= LAST_CHUNK_FAST ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 1)))
		return write_chunk(w);
	int err = write_chunk(w);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	return err;
}

static int
write_chunk(struct umss_writer *w)
{
	if (!w->rec_len)
		return 0;
	size_t bound = ZSTD_compressBound(w->rec_len) + FMT_CHUNK_HDR;
	if (bound > w->out_cap) {
		uint8_t *p = realloc(w->out, bound);
		if (!p)
			return -ENOMEM;
		w->out = p;
		w->out_cap = bound;
	}
	size_t c = ZSTD_compress2(w->cctx, w->out + FMT_CHUNK_HDR,
				  w->out_cap - FMT_CHUNK_HDR, w->rec,
				  w->rec_len);
	if (ZSTD_isError(c))
		return -ENOMEM; /* only allocation can fail with a bound-sized dst */
	uint8_t *h = w->out;
	fmt_put_u32(h, FMT_CHUNK_MAGIC);
	h[4] = FMT_CHUNK_ZSTD;
	h[5] = h[6] = h[7] = 0;
	fmt_put_u32(h + 8, (uint32_t)c);
	fmt_put_u32(h + 12, (uint32_t)w->rec_len);
	fmt_put_u32(h + 16, fmt_crc32c(h, 16));
	w->rec_len = 0;
	w->code_next = 0;
	return write_all(w, w->out, FMT_CHUNK_HDR + c);
}

/* Room for n more record bytes; writes the chunk out when it is full. */
static uint8_t *
rec_reserve(struct umss_writer *w, size_t n, int *err)
{
	if (n > RECORD_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	if (w->rec_len >= CHUNK_BYTES) {
		*err = write_chunk(w);
		if (*err)
			return NULL;
	}
	if (w->rec_len + n > w->rec_cap) {
		size_t cap = w->rec_cap ? w->rec_cap : CHUNK_BYTES + 4096;
		while (cap < w->rec_len + n)
			cap *= 2;
		uint8_t *p = realloc(w->rec, cap);
		if (!p) {
			*err = -ENOMEM;
			return NULL;
		}
		w->rec = p;
		w->rec_cap = cap;
	}
	*err = 0;
	return w->rec + w->rec_len;
}

/* ------------------------------------------------ instruction blocks */

/*
 * Appends the pending segment to t's block; 0 or -ENOMEM.  Out of line: it
 * runs once a segment, and inlined it would give umss_writer_insn a frame.
 */
static __attribute__((noinline)) int
seg_encode(struct wthread *t)
{
	if (t->cap - t->len < 2 * FMT_VARINT_MAX) {
		/* Grows by doubling: idle threads keep small buffers. */
		size_t cap = t->cap * 2;
		uint8_t *b = realloc(t->buf, cap);
		if (!b)
			return -ENOMEM;
		t->buf = b;
		t->cap = cap;
	}
	uint8_t *p = t->buf + t->len;
	p += fmt_put_varint(p, fmt_zigzag((int64_t)t->seg_addr_delta));
	p += fmt_put_varint(p, t->seg_run - 1);
	t->len = (size_t)(p - t->buf);
	t->seg_run = 0;
	return 0;
}

/* Writes t's pending instructions as one INSNS record. */
static int
block_flush(struct umss_writer *w, struct wthread *t)
{
	if (!t->nblock)
		return 0;
	int err = t->seg_run ? seg_encode(t) : 0;
	if (err)
		return err;
	uint8_t *p = rec_reserve(w, 1 + 5 * FMT_VARINT_MAX + t->len, &err);
	if (!p)
		return err;
	uint8_t *start = p;
	*p++ = FMT_REC_INSNS;
	p += fmt_put_varint(p, t->pid);
	p += fmt_put_varint(p, t->tid);
	p += fmt_put_varint(p, t->index);
	p += fmt_put_varint(p, t->nblock);
	p += fmt_put_varint(p, t->len);
	memcpy(p, t->buf, t->len);
	p += t->len;
	w->rec_len += (size_t)(p - start);
	t->index += t->nblock;
	t->nblock = 0;
	t->len = 0;
	t->expected = 0;
	return 0;
}

static void
dirty_remove(struct umss_writer *w, size_t i)
{
	w->dirty[i]->dirty = false;
	w->dirty[i] = w->dirty[--w->ndirty];
}

/* Flushes the pending blocks of pid's threads (of every thread if pid 0). */
static int
flush_pid(struct umss_writer *w, uint32_t pid)
{
	for (size_t i = 0; i < w->ndirty;) {
		struct wthread *t = w->dirty[i];
		if (pid && t->pid != pid) {
			i++;
			continue;
		}
		int err = block_flush(w, t);
		if (err)
			return err;
		dirty_remove(w, i);
	}
	return 0;
}

static int
flush_thread(struct umss_writer *w, uint32_t tid)
{
	struct wthread *t = id_map_get(&w->threads, tid);
	if (!t || !t->dirty)
		return 0;
	int err = block_flush(w, t);
	if (err)
		return err;
	for (size_t i = 0; i < w->ndirty; i++) {
		if (w->dirty[i] == t) {
			dirty_remove(w, i);
			break;
		}
	}
	return 0;
}

/* ----------------------------------------------- processes, threads */

static struct wproc *
proc_get(struct umss_writer *w, uint32_t pid, int *err)
{
	struct wproc *p = id_map_get(&w->procs, pid);
	*err = 0;
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	p->pid = pid;
	p->code = code_map_new();
	*err = p->code ? id_map_put(&w->procs, pid, p) : -ENOMEM;
	if (*err) {
		code_map_put(p->code);
		free(p);
		return NULL;
	}
	return p;
}

static void
thread_free(struct umss_writer *w, struct wthread *t)
{
	if (w->last == t)
		w->last = NULL;
	free(t->buf);
	free(t);
}

/* Writes out thread tid's pending block and forgets the thread. */
static int
thread_drop(struct umss_writer *w, uint32_t tid)
{
	int err = flush_thread(w, tid);
	if (err)
		return err;
	struct wthread *t = id_map_del(&w->threads, tid);
	if (t)
		thread_free(w, t);
	return 0;
}

static struct wthread *
thread_new(struct umss_writer *w, uint32_t pid, uint32_t tid, int *err)
{
	struct wthread *t = calloc(1, sizeof(*t));
	if (t) {
		t->cap = 256;
		t->buf = malloc(t->cap);
	}
	if (!t || !t->buf) {
		free(t);
		*err = -ENOMEM;
		return NULL;
	}
	t->tid = tid;
	t->pid = pid;
	t->proc = proc_get(w, pid, err);
	if (!t->proc || (*err = id_map_put(&w->threads, tid, t))) {
		thread_free(w, t);
		return NULL;
	}
	return t;
}

/* Drops pid's threads (writing their blocks) and its code, on exit. */
static int
proc_drop(struct umss_writer *w, uint32_t pid)
{
	for (size_t i = 0; w->threads.slots && i < (size_t)1 << w->threads.bits;) {
		struct wthread *t = w->threads.slots[i].val;
		if (t && t->pid == pid) {
			/*
			 * Deletion shifts slots back, possibly across the
			 * wrap-around into slots already seen: start over.
			 */
			int err = thread_drop(w, t->tid);
			if (err)
				return err;
			i = 0;
			continue;
		}
		i++;
	}
	struct wproc *p = id_map_del(&w->procs, pid);
	if (p) {
		code_map_put(p->code);
		free(p);
	}
	return 0;
}

/* ---------------------------------------------------------- records */

static size_t
str_size(const char *s)
{
	return FMT_VARINT_MAX + (s ? strlen(s) : 0) + 1;
}

static uint8_t *
put_str(uint8_t *p, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	p += fmt_put_varint(p, n);
	if (n)
		memcpy(p, s, n);
	p[n] = 0; /* stored NUL lets readers point into the chunk */
	return p + n + 1;
}

static uint8_t *
put_bytes(uint8_t *p, const uint8_t *b, size_t n)
{
	p += fmt_put_varint(p, n);
	if (n)
		memcpy(p, b, n);
	return p + n;
}

static int
argv_size(uint32_t argc, const char *const *argv, size_t *size)
{
	if (argc && !argv)
		return -UMSS_E_USAGE;
	size_t n = FMT_VARINT_MAX;
	for (uint32_t i = 0; i < argc; i++) {
		n += str_size(argv[i]);
		if (n > RECORD_MAX)
			return -E2BIG;
	}
	*size = n;
	return 0;
}

static uint8_t *
put_argv(uint8_t *p, uint32_t argc, const char *const *argv)
{
	p += fmt_put_varint(p, argc);
	for (uint32_t i = 0; i < argc; i++)
		p = put_str(p, argv[i]);
	return p;
}

static int
rec_commit(struct umss_writer *w, uint8_t *start, uint8_t *end)
{
	w->rec_len += (size_t)(end - start);
	return 0;
}

#define CHECK(w)                  \
	do {                      \
		if (!(w))         \
			return -UMSS_E_USAGE; \
		if ((w)->err)     \
			return (w)->err; \
	} while (0)

#define TRY(w, expr)                          \
	do {                                  \
		int err_ = (expr);            \
		if (err_)                     \
			return fail((w), err_); \
	} while (0)

int
umss_writer_process(struct umss_writer *w, uint32_t pid, uint32_t ppid,
		    uint32_t parent_tid, const char *exe, uint32_t argc,
		    const char *const *argv)
{
	CHECK(w);
	size_t asz;
	TRY(w, argv_size(argc, argv, &asz));
	TRY(w, flush_pid(w, pid));
	int err;
	struct wproc *p = proc_get(w, pid, &err);
	if (!p)
		return fail(w, err);
	/* A fork child starts with a copy of its parent's code. */
	struct wproc *parent = ppid && ppid != pid ? id_map_get(&w->procs, ppid)
						   : NULL;
	if (parent) {
		code_map_put(p->code);
		p->code = code_map_share(parent->code);
	} else if (ppid) {
		TRY(w, code_map_reset(&p->code));
	}
	uint8_t *r = rec_reserve(w, 1 + 4 * FMT_VARINT_MAX + str_size(exe) + asz,
				 &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_PROCESS;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, ppid);
	q += fmt_put_varint(q, parent_tid);
	q = put_str(q, exe);
	q = put_argv(q, argc, argv);
	return rec_commit(w, r, q);
}

int
umss_writer_thread_start(struct umss_writer *w, uint32_t pid, uint32_t tid,
			 uint32_t parent_tid)
{
	CHECK(w);
	/* A new thread's stream starts at index 0, even if tid is reused. */
	TRY(w, thread_drop(w, tid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 3 * FMT_VARINT_MAX, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_THREAD_START;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, tid);
	q += fmt_put_varint(q, parent_tid);
	return rec_commit(w, r, q);
}

int
umss_writer_thread_exit(struct umss_writer *w, uint32_t pid, uint32_t tid,
			int32_t status)
{
	CHECK(w);
	TRY(w, thread_drop(w, tid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 3 * FMT_VARINT_MAX, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_THREAD_EXIT;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, tid);
	q += fmt_put_varint(q, fmt_zigzag(status));
	return rec_commit(w, r, q);
}

int
umss_writer_exec(struct umss_writer *w, uint32_t pid, uint32_t old_tid,
		 const char *exe, uint32_t argc, const char *const *argv)
{
	CHECK(w);
	size_t asz;
	TRY(w, argv_size(argc, argv, &asz));
	/* Every thread of pid ran the old image: their blocks go first. */
	TRY(w, flush_pid(w, pid));
	if (old_tid)
		TRY(w, flush_thread(w, old_tid));
	/*
	 * execve kills the other threads; a non-leader caller takes the
	 * leader's id (kernel: de_thread() in fs/exec.c).  Its stream goes on
	 * under the new id.
	 */
	if (old_tid && old_tid != pid) {
		TRY(w, thread_drop(w, pid));
		struct wthread *t = id_map_del(&w->threads, old_tid);
		if (t) {
			t->tid = pid;
			int err = id_map_put(&w->threads, pid, t);
			if (err) {
				thread_free(w, t);
				return fail(w, err);
			}
		}
	}
	int err;
	struct wproc *p = proc_get(w, pid, &err);
	if (!p)
		return fail(w, err);
	TRY(w, code_map_reset(&p->code));
	uint8_t *r = rec_reserve(w, 1 + 3 * FMT_VARINT_MAX + str_size(exe) + asz,
				 &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_EXEC;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, old_tid);
	q = put_str(q, exe);
	q = put_argv(q, argc, argv);
	return rec_commit(w, r, q);
}

int
umss_writer_map(struct umss_writer *w, uint32_t pid, uint64_t start,
		uint64_t end, uint64_t offset, uint32_t prot, const char *path,
		const uint8_t *build_id, uint32_t build_id_len)
{
	CHECK(w);
	if (end < start || (build_id_len && !build_id) || build_id_len > 255)
		return fail(w, -UMSS_E_USAGE);
	/*
	 * Readers attribute instructions to modules by the mappings in force
	 * when the instructions appear: executable mappings must not move
	 * under pending ones.
	 */
	if (prot & PROT_EXEC)
		TRY(w, flush_pid(w, pid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 7 * FMT_VARINT_MAX + str_size(path) +
					    build_id_len,
				 &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_MAP;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, start);
	q += fmt_put_varint(q, end - start);
	q += fmt_put_varint(q, offset);
	q += fmt_put_varint(q, prot);
	q = put_str(q, path);
	q = put_bytes(q, build_id, build_id_len);
	return rec_commit(w, r, q);
}

int
umss_writer_unmap(struct umss_writer *w, uint32_t pid, uint64_t start,
		  uint64_t end)
{
	CHECK(w);
	if (end < start)
		return fail(w, -UMSS_E_USAGE);
	TRY(w, flush_pid(w, pid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 3 * FMT_VARINT_MAX, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_UNMAP;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, start);
	q += fmt_put_varint(q, end - start);
	return rec_commit(w, r, q);
}

int
umss_writer_has_code(struct umss_writer *w, uint32_t pid, uint64_t addr)
{
	struct wproc *p = w ? id_map_get(&w->procs, pid) : NULL;
	return p && code_map_find(p->code, addr) != NULL;
}

int
umss_writer_code(struct umss_writer *w, uint32_t pid, uint64_t addr,
		 const uint8_t *bytes, uint32_t len)
{
	CHECK(w);
	if (len > FMT_INSN_MAX || (len && !bytes))
		return fail(w, -UMSS_E_USAGE);
	int err;
	struct wproc *p = proc_get(w, pid, &err);
	if (!p)
		return fail(w, err);
	const struct code_entry *e = code_map_find(p->code, addr);
	if (e && e->lenp1 == len + 1 && (!len || !memcmp(e->bytes, bytes, len)))
		return 0; /* same bytes again: nothing changes */
	/* Pending instructions of pid ran the old bytes: write them first. */
	if (e)
		TRY(w, flush_pid(w, pid));
	int added;
	TRY(w, code_map_unshare(&p->code));
	err = code_map_set(p->code, addr, bytes, len, &added);
	if (err < 0)
		return fail(w, err);
	uint8_t *r = rec_reserve(w, 1 + 3 * FMT_VARINT_MAX + len, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_CODE;
	q += fmt_put_varint(q, pid);
	/*
	 * Code is mostly described in execution order, so an address is
	 * usually right after the previous CODE's instruction: delta 0.
	 */
	q += fmt_put_varint(q, fmt_zigzag((int64_t)(addr - w->code_next)));
	w->code_next = addr + len;
	q = put_bytes(q, bytes, len);
	return rec_commit(w, r, q);
}

/* The slow part of umss_writer_insn: finding or making the thread. */
static struct wthread *
insn_thread(struct umss_writer *w, uint32_t pid, uint32_t tid, int *err)
{
	struct wthread *t = id_map_get(&w->threads, tid);
	*err = 0;
	if (!t)
		t = thread_new(w, pid, tid, err);
	if (t && t->pid != pid) {
		/* The tracer moved tid to another process: a new block. */
		*err = flush_thread(w, tid);
		if (*err)
			return NULL;
		t->pid = pid;
		t->proc = proc_get(w, pid, err);
		if (!t->proc)
			return NULL;
	}
	return t;
}

/*
 * The rare parts of umss_writer_insn, kept out of line so that its common
 * path needs no stack frame: a new block's entry in the dirty list, a full
 * block, an unknown address, another thread.
 */
static __attribute__((noinline)) int
insn_dirty(struct umss_writer *w, struct wthread *t)
{
	if (w->ndirty == w->dirty_cap) {
		size_t cap = w->dirty_cap ? 2 * w->dirty_cap : 16;
		struct wthread **d = realloc(w->dirty, cap * sizeof(*d));
		if (!d)
			return fail(w, -ENOMEM);
		w->dirty = d;
		w->dirty_cap = cap;
	}
	w->dirty[w->ndirty++] = t;
	t->dirty = true;
	return 0;
}

static __attribute__((noinline)) int
insn_block_full(struct umss_writer *w, struct wthread *t)
{
	/* t stays in the dirty list; the next flush finds it empty. */
	int err = block_flush(w, t);
	return err ? fail(w, err) : 0;
}

static __attribute__((noinline)) int
insn_segment(struct umss_writer *w, struct wthread *t, uint64_t addr,
	     uint32_t lenp1)
{
	if (!lenp1) {
		/* Checked here, off the common path: runs see known code. */
		return fail(w, -UMSS_E_USAGE); /* no CODE record for addr */
	}
	if (t->seg_run && seg_encode(t))
		return fail(w, -ENOMEM);
	t->seg_addr_delta = addr - t->expected;
	t->seg_run = 1;
	return 0;
}

static int
insn_append(struct umss_writer *w, struct wthread *t, uint64_t addr);

static __attribute__((noinline)) int
insn_other_thread(struct umss_writer *w, uint32_t pid, uint32_t tid,
		  uint64_t addr)
{
	CHECK(w);
	int err;
	struct wthread *t = insn_thread(w, pid, tid, &err);
	if (!t)
		return fail(w, err);
	w->last = t;
	return insn_append(w, t, addr);
}

static inline int
insn_append(struct umss_writer *w, struct wthread *t, uint64_t addr)
{
	uint32_t lenp1 = code_map_lenp1(t->proc->code, addr);
	if (__builtin_expect(addr == t->expected && t->seg_run && lenp1, 1)) {
		t->seg_run++;
	} else {
		int err = insn_segment(w, t, addr, lenp1);
		if (err)
			return err;
	}
	t->expected = addr + lenp1 - 1;
	/*
	 * A run never goes on past an instruction of unknown length (len 0):
	 * otherwise a few bytes could stand for endless repeats of it, and a
	 * reader could not bound the work a record makes.
	 */
	if (__builtin_expect(lenp1 == 1, 0) && seg_encode(t))
		return fail(w, -ENOMEM);
	if (__builtin_expect(!t->nblock++ && !t->dirty, 0)) {
		int err = insn_dirty(w, t);
		if (err)
			return err;
	}
	if (__builtin_expect(t->len >= BLOCK_BYTES, 0))
		return insn_block_full(w, t);
	return 0;
}

static __attribute__((noinline)) int
insn_general(struct umss_writer *w, uint32_t pid, uint32_t tid, uint64_t addr)
{
	if (!w)
		return -UMSS_E_USAGE;
	struct wthread *t = w->last;
	if (!t || t->tid != tid || t->pid != pid || w->err)
		return insn_other_thread(w, pid, tid, addr);
	return insn_append(w, t, addr);
}

int
umss_writer_insn(struct umss_writer *w, uint32_t pid, uint32_t tid,
		 uint64_t addr)
{
	/*
	 * The common case, with no call and so no stack frame: the same
	 * thread as last time, the next instruction of a run (its address
	 * where the last one ended, its length in the lookup cache).
	 */
	struct wthread *t;
	if (__builtin_expect(w && (t = w->last) && t->tid == tid &&
				     t->pid == pid && !w->err &&
				     addr == t->expected && t->seg_run,
			     1)) {
		const struct code_hot *h = code_map_hot(t->proc->code, addr);
		if (__builtin_expect(h->addr == addr && h->lenp1 > 1, 1)) {
			/* nblock > 0 and t is in the dirty list already. */
			t->seg_run++;
			t->nblock++;
			t->expected = addr + h->lenp1 - 1;
			return 0;
		}
	}
	return insn_general(w, pid, tid, addr);
}

/*
 * umss_writer_insn's work for a run of addresses, with the thread's
 * state in registers: an address where the last instruction ended
 * continues the segment, another starts a new segment right here (a
 * loop's jump back); anything else (an unknown address, an instruction
 * of unknown length, a full buffer, another thread) goes through the one
 * at a time path.  Writes exactly what n calls of umss_writer_insn would.
 */
int
umss_writer_insns(struct umss_writer *w, uint32_t pid, uint32_t tid,
		  const uint64_t *addrs, size_t n)
{
	size_t i = 0;
	while (i < n) {
		struct wthread *t;
		if (w && (t = w->last) && t->tid == tid && t->pid == pid &&
		    !w->err && t->seg_run) {
			struct code_map *m = t->proc->code;
			uint64_t expected = t->expected, run = t->seg_run;
			uint64_t nblock = t->nblock;
			int full = 0;
			for (; i < n; i++) {
				uint64_t a = addrs[i];
				const struct code_hot *h = code_map_hot(m, a);
				if (h->addr != a || h->lenp1 <= 1)
					break;
				if (a != expected) {
					if (t->cap - t->len < 2 * FMT_VARINT_MAX)
						break;
					uint8_t *p = t->buf + t->len;
					p += fmt_put_varint(p, fmt_zigzag((int64_t)t->seg_addr_delta));
					p += fmt_put_varint(p, run - 1);
					t->len = (size_t)(p - t->buf);
					t->seg_addr_delta = a - expected;
					run = 0;
					full = t->len >= BLOCK_BYTES;
				}
				run++;
				nblock++;
				expected = a + h->lenp1 - 1u;
				if (full) {
					i++;
					break;
				}
			}
			t->seg_run = run;
			t->nblock = nblock;
			t->expected = expected;
			if (full) {
				int err = insn_block_full(w, t);
				if (err)
					return err;
				continue;
			}
			if (i == n)
				break;
		}
		int err = insn_general(w, pid, tid, addrs[i]);
		if (err)
			return err;
		i++;
	}
	return 0;
}

int
umss_writer_signal(struct umss_writer *w, uint32_t pid, uint32_t tid,
		   int32_t signo, int32_t code, uint64_t addr, uint64_t at,
		   uint32_t action)
{
	CHECK(w);
	TRY(w, flush_thread(w, tid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 7 * FMT_VARINT_MAX, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_SIGNAL;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, tid);
	q += fmt_put_varint(q, fmt_zigzag(signo));
	q += fmt_put_varint(q, fmt_zigzag(code));
	q += fmt_put_varint(q, addr);
	q += fmt_put_varint(q, at);
	q += fmt_put_varint(q, action);
	return rec_commit(w, r, q);
}

int
umss_writer_exit(struct umss_writer *w, uint32_t pid, int32_t status)
{
	CHECK(w);
	TRY(w, flush_pid(w, pid));
	TRY(w, proc_drop(w, pid));
	int err;
	uint8_t *r = rec_reserve(w, 1 + 2 * FMT_VARINT_MAX, &err);
	if (!r)
		return fail(w, err);
	uint8_t *q = r;
	*q++ = FMT_REC_EXIT;
	q += fmt_put_varint(q, pid);
	q += fmt_put_varint(q, fmt_zigzag(status));
	return rec_commit(w, r, q);
}

int
umss_writer_flush(struct umss_writer *w)
{
	CHECK(w);
	TRY(w, flush_pid(w, 0));
	TRY(w, write_chunk(w));
	return 0;
}

uint64_t
umss_writer_bytes(const struct umss_writer *w)
{
	return w ? w->bytes : 0;
}

/* ------------------------------------------------------ open, close */

static int
write_header(struct umss_writer *w, const struct umss_trace_info *info)
{
	const char *engine = info->engine ? info->engine : "";
	const char *tool = info->tool ? info->tool : "";
	size_t el = strlen(engine), tl = strlen(tool);
	if (el > 0xffff || tl > 0xffff)
		return -UMSS_E_USAGE;
	size_t size = FMT_HDR_FIXED + el + tl + 4;
	uint8_t *h = malloc(size);
	if (!h)
		return -ENOMEM;
	memcpy(h, FMT_MAGIC, FMT_MAGIC_LEN);
	fmt_put_u32(h + 8, UMSS_TRACE_VERSION);
	fmt_put_u32(h + 12, (uint32_t)size);
	fmt_put_u64(h + 16, info->start_time_ns);
	fmt_put_u32(h + 24, info->flags);
	fmt_put_u16(h + 28, (uint16_t)el);
	fmt_put_u16(h + 30, (uint16_t)tl);
	memcpy(h + FMT_HDR_FIXED, engine, el);
	memcpy(h + FMT_HDR_FIXED + el, tool, tl);
	fmt_put_u32(h + size - 4, fmt_crc32c(h, size - 4));
	int err = write_all(w, h, size);
	free(h);
	return err;
}

static void
writer_free(struct umss_writer *w)
{
	for (size_t i = 0; w->threads.slots && i < (size_t)1 << w->threads.bits; i++) {
		if (w->threads.slots[i].val)
			thread_free(w, w->threads.slots[i].val);
	}
	for (size_t i = 0; w->procs.slots && i < (size_t)1 << w->procs.bits; i++) {
		struct wproc *p = w->procs.slots[i].val;
		if (p) {
			code_map_put(p->code);
			free(p);
		}
	}
	id_map_free(&w->threads);
	id_map_free(&w->procs);
	ZSTD_freeCCtx(w->cctx);
	free(w->dirty);
	free(w->rec);
	free(w->out);
	free(w);
}

struct umss_writer *
umss_writer_open(const char *path, const struct umss_trace_info *info,
		 int *err)
{
	int dummy;
	if (!err)
		err = &dummy;
	if (!path || !info) {
		*err = -UMSS_E_USAGE;
		return NULL;
	}
	struct umss_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->fd = -1;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		*err = -ENOMEM;
		goto fail;
	}
	/*
	 * The frame checksum (XXH64 of the content) is the payload checksum
	 * of the chunk; the content size lets readers check rsize.
	 */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
						ZSTD_LEVEL)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
		*err = -ENOMEM;
		goto fail;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		*err = -errno;
		goto fail;
	}
	*err = write_header(w, info);
	if (*err)
		goto fail;
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	writer_free(w);
	return NULL;
}

int
umss_writer_close(struct umss_writer *w, const struct umss_trace_end *end)
{
	if (!w)
		return -UMSS_E_USAGE;
	int err = w->err;
	if (!err)
		err = flush_pid(w, 0);
	if (!err && end) {
		uint8_t *r = rec_reserve(w, 1 + 5 * FMT_VARINT_MAX, &err);
		if (r) {
			uint8_t *q = r;
			*q++ = FMT_REC_END;
			q += fmt_put_varint(q, end->instructions);
			q += fmt_put_varint(q, end->fallbacks);
			q += fmt_put_varint(q, end->wall_ns);
			q += fmt_put_varint(q, fmt_zigzag(end->exit_status));
			q += fmt_put_varint(q, end->reserved);
			rec_commit(w, r, q);
		}
	}
	if (!err)
		err = write_last_chunk(w);
	if (close(w->fd) && !err)
		err = -errno;
	writer_free(w);
	return err;
}
