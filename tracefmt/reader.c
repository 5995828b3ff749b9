/*
 * The trace reader.  Reads one chunk at a time (header, checksum, zstd
 * payload), then hands out its records as events; an INSNS record becomes
 * one event per instruction, decoded lazily against the process's code map,
 * which the reader keeps exactly as the writer kept it (docs/FORMAT.md).
 * Everything read is untrusted: every length is checked against what is
 * left, every allocation is bounded by FMT_CHUNK_RAW_MAX or the file size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "tracefmt/codemap.h"
#include "tracefmt/format.h"
#include "tracefmt/idmap.h"
#include "tracefmt/reader_mem.h"
#include "umss/trace.h"

struct rproc {
	struct code_map *code; /* shared with a fork parent until changed */
};

struct umss_reader {
	int fd;                 /* -1 when reading from memory */
	const uint8_t *mem;     /* in-memory trace (reader_open_mem) */
	size_t mem_len;
	uint64_t pos;           /* file offset of the next read */
	int state;              /* 0 reading, 1 after END, < 0 sticky error */
	struct umss_trace_info info;
	char *strings;          /* engine and tool, NUL-terminated */
	ZSTD_DCtx *dctx;
	uint8_t *cbuf;          /* compressed payload */
	size_t ccap;
	uint8_t *raw;           /* records of the current chunk */
	size_t rcap;
	const uint8_t *rp, *rend; /* unread records */
	struct id_map procs;    /* pid -> struct rproc */
	const char **argv;      /* argv of the current event */
	size_t argv_cap;
	/* The INSNS record being replayed. */
	struct code_map *bmap;
	const uint8_t *bp, *bend; /* its unread segments */
	uint32_t bpid, btid;
	uint64_t bleft;         /* instructions left in the block */
	uint64_t brun;          /* left in the current segment */
	uint64_t baddr;         /* next instruction's address */
	uint64_t bindex;        /* next instruction's stream index */
	uint64_t code_next;     /* end of the chunk's last CODE (FORMAT.md) */
};

static const uint8_t no_bytes[1];

/* Reads up to n bytes; fewer only at the end of the file. */
static ssize_t
src_read(struct umss_reader *r, void *dst, size_t n)
{
	if (!r->mem_len && r->fd < 0)
		return 0;
	if (r->fd < 0) {
		size_t left = r->pos < r->mem_len ? r->mem_len - r->pos : 0;
		if (n > left)
			n = left;
		memcpy(dst, r->mem + r->pos, n);
		r->pos += n;
		return (ssize_t)n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(r->fd, (uint8_t *)dst + got, n - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->pos += got;
	return (ssize_t)got;
}

/* Bytes left to read, or UINT64_MAX when unknown (a pipe). */
static uint64_t
src_left(struct umss_reader *r)
{
	if (r->fd < 0)
		return r->pos < r->mem_len ? r->mem_len - r->pos : 0;
	struct stat st;
	if (fstat(r->fd, &st) || !S_ISREG(st.st_mode))
		return UINT64_MAX;
	return (uint64_t)st.st_size > r->pos ? (uint64_t)st.st_size - r->pos : 0;
}

/* ------------------------------------------------------------ header */

static int
read_header(struct umss_reader *r)
{
	uint8_t fixed[FMT_HDR_FIXED];
	ssize_t n = src_read(r, fixed, sizeof(fixed));
	if (n < 0)
		return (int)n;
	if (n < FMT_MAGIC_LEN || memcmp(fixed, FMT_MAGIC, FMT_MAGIC_LEN))
		return -UMSS_E_NOT_TRACE;
	if (n < 12)
		return -UMSS_E_TRUNCATED;
	if (fmt_get_u32(fixed + 8) != UMSS_TRACE_VERSION)
		return -UMSS_E_VERSION;
	if (n < FMT_HDR_FIXED)
		return -UMSS_E_TRUNCATED;
	uint32_t size = fmt_get_u32(fixed + 12);
	uint16_t el = fmt_get_u16(fixed + 28), tl = fmt_get_u16(fixed + 30);
	if (size != FMT_HDR_FIXED + (uint32_t)el + tl + 4)
		return -UMSS_E_CORRUPT;
	uint8_t *h = malloc(size);
	if (!h)
		return -ENOMEM;
	memcpy(h, fixed, FMT_HDR_FIXED);
	n = src_read(r, h + FMT_HDR_FIXED, size - FMT_HDR_FIXED);
	int err = 0;
	if (n < 0)
		err = (int)n;
	else if ((size_t)n < size - FMT_HDR_FIXED)
		err = -UMSS_E_TRUNCATED;
	else if (fmt_get_u32(h + size - 4) != fmt_crc32c(h, size - 4))
		err = -UMSS_E_CORRUPT;
	if (!err) {
		r->strings = malloc((size_t)el + tl + 2);
		if (!r->strings)
			err = -ENOMEM;
	}
	if (!err) {
		memcpy(r->strings, h + FMT_HDR_FIXED, el);
		r->strings[el] = 0;
		memcpy(r->strings + el + 1, h + FMT_HDR_FIXED + el, tl);
		r->strings[el + 1 + tl] = 0;
		r->info.engine = r->strings;
		r->info.tool = r->strings + el + 1;
		r->info.start_time_ns = fmt_get_u64(h + 16);
		r->info.flags = fmt_get_u32(h + 24);
	}
	free(h);
	return err;
}

/* ------------------------------------------------------------ chunks */

static int
grow(uint8_t **buf, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	uint8_t *p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Loads the next chunk's records; -UMSS_E_TRUNCATED at the end of file. */
static int
read_chunk(struct umss_reader *r)
{
	uint8_t h[FMT_CHUNK_HDR];
	ssize_t n = src_read(r, h, sizeof(h));
	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(h))
		return -UMSS_E_TRUNCATED;
	if (fmt_get_u32(h) != FMT_CHUNK_MAGIC ||
	    fmt_get_u32(h + 16) != fmt_crc32c(h, 16))
		return -UMSS_E_CORRUPT;
	uint32_t csize = fmt_get_u32(h + 8), rsize = fmt_get_u32(h + 12);
	if (h[4] != FMT_CHUNK_ZSTD || h[5] || h[6] || h[7] || !rsize ||
	    rsize > FMT_CHUNK_RAW_MAX || !csize ||
	    csize > ZSTD_compressBound(rsize))
		return -UMSS_E_CORRUPT;
	/* Do not allocate for a payload the file does not hold. */
	if (src_left(r) < csize)
		return -UMSS_E_TRUNCATED;
	int err = grow(&r->cbuf, &r->ccap, csize);
	if (!err)
		err = grow(&r->raw, &r->rcap, rsize);
	if (err)
		return err;
	n = src_read(r, r->cbuf, csize);
	if (n < 0)
		return (int)n;
	if ((size_t)n < csize)
		return -UMSS_E_TRUNCATED;
	/* zstd checks the frame checksum (XXH64) and the content size. */
	size_t d = ZSTD_decompressDCtx(r->dctx, r->raw, rsize, r->cbuf, csize);
	if (ZSTD_isError(d) || d != rsize)
		return -UMSS_E_CORRUPT;
	r->rp = r->raw;
	r->code_next = 0;
	r->rend = r->raw + rsize;
	return 0;
}

/* ---------------------------------------------------------- records */

struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t
get_u64(struct cur *c)
{
	uint64_t v = 0;
	if (!c->bad && fmt_get_varint(&c->p, c->end, &v))
		c->bad = true;
	return v;
}

static uint32_t
get_u32(struct cur *c)
{
	uint64_t v = get_u64(c);
	if (v > UINT32_MAX)
		c->bad = true;
	return (uint32_t)v;
}

static int32_t
get_s32(struct cur *c)
{
	int64_t v = fmt_unzigzag(get_u64(c));
	if (v < INT32_MIN || v > INT32_MAX)
		c->bad = true;
	return (int32_t)v;
}

/* n bytes; NULL (and bad) when fewer are left. */
static const uint8_t *
get_bytes(struct cur *c, uint64_t n)
{
	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return no_bytes;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

/* A stored string: length, bytes, NUL (so it can be used in place). */
static const char *
get_str(struct cur *c)
{
	uint64_t n = get_u64(c);
	if (n == UINT64_MAX)
		c->bad = true;
	const uint8_t *s = get_bytes(c, c->bad ? 0 : n + 1);
	if (c->bad || s[n])
		c->bad = true;
	return c->bad ? "" : (const char *)s;
}

static int
get_argv(struct umss_reader *r, struct cur *c, uint32_t *argc,
	 const char *const **argv)
{
	uint64_t n = get_u64(c);
	/* Each argument takes at least two bytes: bounds the array. */
	if (c->bad || n > UINT32_MAX || n > (uint64_t)(c->end - c->p) / 2) {
		c->bad = true;
		return 0;
	}
	if (n + 1 > r->argv_cap) {
		const char **a = realloc(r->argv, (n + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		r->argv = a;
		r->argv_cap = n + 1;
	}
	for (uint64_t i = 0; i < n; i++)
		r->argv[i] = get_str(c);
	r->argv[n] = NULL;
	*argc = (uint32_t)n;
	*argv = r->argv;
	return 0;
}

static struct rproc *
proc_get(struct umss_reader *r, uint32_t pid, int *err)
{
	struct rproc *p = id_map_get(&r->procs, pid);
	*err = 0;
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	p->code = code_map_new();
	*err = p->code ? id_map_put(&r->procs, pid, p) : -ENOMEM;
	if (*err) {
		code_map_put(p->code);
		free(p);
		return NULL;
	}
	return p;
}

static void
proc_free(struct rproc *p)
{
	if (p) {
		code_map_put(p->code);
		free(p);
	}
}

/* Starts replaying an INSNS record (the reader's cursor is past it). */
static int
rec_insns(struct umss_reader *r, struct cur *c)
{
	r->bpid = get_u32(c);
	r->btid = get_u32(c);
	r->bindex = get_u64(c);
	r->bleft = get_u64(c);
	uint64_t len = get_u64(c);
	r->bp = get_bytes(c, len);
	r->bend = r->bp + (c->bad ? 0 : len);
	/* Each segment encodes at least one instruction in two bytes. */
	if (c->bad || !r->bleft || r->bindex + r->bleft < r->bindex)
		return -UMSS_E_CORRUPT;
	struct rproc *p = id_map_get(&r->procs, r->bpid);
	if (!p)
		return -UMSS_E_CORRUPT; /* no code was ever given for pid */
	r->bmap = p->code;
	r->brun = 0;
	r->baddr = 0;
	return 0;
}

/* The next instruction of the block being replayed. */
static int
next_insn(struct umss_reader *r, struct umss_event *ev)
{
	if (!r->brun) {
		uint64_t zz, run;
		if (fmt_get_varint(&r->bp, r->bend, &zz) ||
		    fmt_get_varint(&r->bp, r->bend, &run) || run >= r->bleft)
			return -UMSS_E_CORRUPT;
		r->baddr += (uint64_t)fmt_unzigzag(zz);
		r->brun = run + 1;
	}
	const struct code_entry *e = code_map_find(r->bmap, r->baddr);
	if (!e)
		return -UMSS_E_CORRUPT;
	ev->kind = UMSS_EV_INSN;
	ev->pid = r->bpid;
	ev->tid = r->btid;
	ev->insn.addr = r->baddr;
	ev->insn.bytes = e->bytes;
	ev->insn.len = e->lenp1 - 1u;
	ev->insn.index = r->bindex++;
	r->baddr += e->lenp1 - 1u;
	r->brun--;
	if (e->lenp1 == 1 && r->brun)
		return -UMSS_E_CORRUPT; /* a run past unknown length */
	if (!--r->bleft && r->bp != r->bend)
		return -UMSS_E_CORRUPT; /* bytes left over */
	return 1;
}

static int
rec_process(struct umss_reader *r, struct cur *c, struct umss_event *ev)
{
	ev->pid = get_u32(c);
	ev->process.ppid = get_u32(c);
	ev->process.parent_tid = get_u32(c);
	ev->process.exe = get_str(c);
	int err = get_argv(r, c, &ev->process.argc, &ev->process.argv);
	if (err || c->bad)
		return err ? err : -UMSS_E_CORRUPT;
	struct rproc *p = proc_get(r, ev->pid, &err);
	if (!p)
		return err;
	/* As the writer: a fork child starts with its parent's code. */
	uint32_t ppid = ev->process.ppid;
	struct rproc *parent =
		ppid && ppid != ev->pid ? id_map_get(&r->procs, ppid) : NULL;
	if (parent) {
		code_map_put(p->code);
		p->code = code_map_share(parent->code);
		return 0;
	}
	return ppid ? code_map_reset(&p->code) : 0;
}

static int
rec_exec(struct umss_reader *r, struct cur *c, struct umss_event *ev)
{
	ev->pid = get_u32(c);
	ev->exec.old_tid = get_u32(c);
	ev->tid = ev->exec.old_tid;
	ev->exec.exe = get_str(c);
	int err = get_argv(r, c, &ev->exec.argc, &ev->exec.argv);
	if (err || c->bad)
		return err ? err : -UMSS_E_CORRUPT;
	struct rproc *p = proc_get(r, ev->pid, &err);
	if (!p)
		return err;
	return code_map_reset(&p->code);
}

static int
rec_code(struct umss_reader *r, struct cur *c, struct umss_event *ev)
{
	ev->pid = get_u32(c);
	ev->code.addr = r->code_next + (uint64_t)fmt_unzigzag(get_u64(c));
	uint64_t len = get_u64(c);
	if (len > FMT_INSN_MAX)
		c->bad = true;
	ev->code.bytes = get_bytes(c, len);
	ev->code.len = (uint32_t)len;
	if (c->bad)
		return -UMSS_E_CORRUPT;
	r->code_next = ev->code.addr + len;
	int err, added;
	struct rproc *p = proc_get(r, ev->pid, &err);
	if (!p)
		return err;
	err = code_map_unshare(&p->code);
	if (!err)
		err = code_map_set(p->code, ev->code.addr, ev->code.bytes,
				   ev->code.len, &added);
	return err < 0 ? err : 0;
}

/* Decodes the record at r->rp into *ev; 1 = event, else an error. */
static int
next_record(struct umss_reader *r, struct umss_event *ev)
{
	struct cur c = { r->rp + 1, r->rend, false };
	uint8_t tag = *r->rp;
	int err = 0;
	memset(ev, 0, sizeof(*ev));
	switch (tag) {
	case FMT_REC_INSNS:
		err = rec_insns(r, &c);
		r->rp = c.p;
		return err ? err : next_insn(r, ev);
	case FMT_REC_PROCESS:
		ev->kind = UMSS_EV_PROCESS;
		err = rec_process(r, &c, ev);
		break;
	case FMT_REC_THREAD_START:
		ev->kind = UMSS_EV_THREAD_START;
		ev->pid = get_u32(&c);
		ev->tid = get_u32(&c);
		ev->thread.parent_tid = get_u32(&c);
		break;
	case FMT_REC_THREAD_EXIT:
		ev->kind = UMSS_EV_THREAD_EXIT;
		ev->pid = get_u32(&c);
		ev->tid = get_u32(&c);
		ev->thread.status = get_s32(&c);
		break;
	case FMT_REC_EXEC:
		ev->kind = UMSS_EV_EXEC;
		err = rec_exec(r, &c, ev);
		break;
	case FMT_REC_MAP: {
		ev->kind = UMSS_EV_MAP;
		ev->pid = get_u32(&c);
		ev->map.start = get_u64(&c);
		ev->map.end = ev->map.start + get_u64(&c);
		if (ev->map.end < ev->map.start)
			c.bad = true;
		ev->map.offset = get_u64(&c);
		ev->map.prot = get_u32(&c);
		ev->map.path = get_str(&c);
		uint64_t n = get_u64(&c);
		if (n > 255)
			c.bad = true;
		ev->map.build_id = get_bytes(&c, n);
		ev->map.build_id_len = (uint32_t)n;
		break;
	}
	case FMT_REC_UNMAP:
		ev->kind = UMSS_EV_UNMAP;
		ev->pid = get_u32(&c);
		ev->map.start = get_u64(&c);
		ev->map.end = ev->map.start + get_u64(&c);
		if (ev->map.end < ev->map.start)
			c.bad = true;
		break;
	case FMT_REC_CODE:
		ev->kind = UMSS_EV_CODE;
		err = rec_code(r, &c, ev);
		break;
	case FMT_REC_SIGNAL:
		ev->kind = UMSS_EV_SIGNAL;
		ev->pid = get_u32(&c);
		ev->tid = get_u32(&c);
		ev->signal.signo = get_s32(&c);
		ev->signal.code = get_s32(&c);
		ev->signal.addr = get_u64(&c);
		ev->signal.at = get_u64(&c);
		ev->signal.action = get_u32(&c);
		break;
	case FMT_REC_EXIT:
		ev->kind = UMSS_EV_EXIT;
		ev->pid = get_u32(&c);
		ev->exit.status = get_s32(&c);
		if (!c.bad)
			proc_free(id_map_del(&r->procs, ev->pid));
		break;
	case FMT_REC_END:
		ev->kind = UMSS_EV_END;
		ev->end.instructions = get_u64(&c);
		ev->end.fallbacks = get_u64(&c);
		ev->end.wall_ns = get_u64(&c);
		ev->end.exit_status = get_s32(&c);
		ev->end.reserved = get_u32(&c);
		if (!c.bad)
			r->state = 1;
		break;
	default:
		return -UMSS_E_CORRUPT;
	}
	if (err)
		return err;
	if (c.bad)
		return -UMSS_E_CORRUPT;
	r->rp = c.p;
	return 1;
}

int
umss_reader_next(struct umss_reader *r, struct umss_event *ev)
{
	if (!r || !ev)
		return -UMSS_E_USAGE;
	if (r->state)
		return r->state > 0 ? 0 : r->state;
	int ret;
	if (r->bleft) {
		ret = next_insn(r, ev);
	} else {
		if (r->rp == r->rend) {
			ret = read_chunk(r);
			if (ret) {
				r->state = ret;
				return ret;
			}
		}
		ret = next_record(r, ev);
	}
	if (ret < 0)
		r->state = ret;
	return ret;
}

/* ------------------------------------------------------ open, close */

static struct umss_reader *
reader_new(int *err)
{
	struct umss_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->fd = -1;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		free(r);
		*err = -ENOMEM;
		return NULL;
	}
	return r;
}

static struct umss_reader *
reader_start(struct umss_reader *r, int *err)
{
	*err = read_header(r);
	if (*err) {
		umss_reader_close(r);
		return NULL;
	}
	return r;
}

struct umss_reader *
umss_reader_open(const char *path, int *err)
{
	int dummy;
	if (!err)
		err = &dummy;
	if (!path) {
		*err = -UMSS_E_USAGE;
		return NULL;
	}
	struct umss_reader *r = reader_new(err);
	if (!r)
		return NULL;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		*err = -errno;
		umss_reader_close(r);
		return NULL;
	}
	return reader_start(r, err);
}

struct umss_reader *
reader_open_mem(const void *data, size_t len, int *err)
{
	struct umss_reader *r = reader_new(err);
	if (!r)
		return NULL;
	r->mem = data;
	r->mem_len = len;
	return reader_start(r, err);
}

const struct umss_trace_info *
umss_reader_info(const struct umss_reader *r)
{
	return r ? &r->info : NULL;
}

void
umss_reader_close(struct umss_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	for (size_t i = 0; r->procs.slots && i < (size_t)1 << r->procs.bits; i++)
		proc_free(r->procs.slots[i].val);
	id_map_free(&r->procs);
	ZSTD_freeDCtx(r->dctx);
	free(r->strings);
	free(r->cbuf);
	free(r->raw);
	free(r->argv);
	free(r);
}
