/*
 * The process's own /proc/PID/maps and smaps without the agent in them
 * (docs/CLOAK.md).  glibc's pthread_getattr_np parses maps on the main
 * thread (every Rust program does at start), cat and friends print it:
 * what they read, and how many bytes each read returns, must be what the
 * ptrace engine's run sees, or the traces part.
 *
 * The agent answers the reads (and lseeks) of such an fd itself, the way
 * the kernel's seq_file does (fs/seq_file.c seq_read_iter, with
 * fs/proc/task_mmu.c's iterator): a read first returns what is left of
 * the page it generated last time; then, when it wants more, a new page
 * is generated from the memory map *of that moment*, starting at the
 * first mapping that ends above the end of the last one shown,
 * with whole records (a maps line; an smaps header and its fields) while
 * they fit in 4 KiB and the reader wants more.  Each new page reads the
 * real file whole and drops or trims the lines of the agent's own
 * mappings (common/cloak_maps.h).  So a reader gets the bytes and the
 * byte counts it gets natively, short reads included, and mappings made
 * between its reads (stdio's buffer, the heap's first malloc) show up
 * where they would.
 *
 * The fd stays the kernel's (readlink, fstat, fcntl see the real file);
 * its reads and lseeks, and those of its dups (dd reads its input as fd
 * 0), are served from a slot, one per open maps file (four at a time; a
 * fifth is read unfiltered).  Not followed: an fd kept across execve.
 */
#include "agent/agent.h"
#include "agent/sys.h"
#include "common/cloak_maps.h"

enum { NR_PREAD64 = 17 };
#define MAX_HIDDEN 64
#define LINE_MAX 8192          /* a mapping's path is at most PATH_MAX */
#define SLOTS 4
#define CONTENT_MAX (4u << 20) /* bytes of filtered map per slot */
#define RECORDS_MAX 65536
#define SEQ_PAGE 4096          /* seq_file's first buffer size */

extern char agent_header[], agent_mem_end[];

static struct cloak_range hidden[MAX_HIDDEN];
static int nhidden;
static int image_hidden;

/* One open maps file (an open file description) served by the agent.
 * bss: untouched until used. */
#define SLOT_FDS 8
struct slot {
	long fd[SLOT_FDS];       /* the fds sharing it (dup), -1 where none */
	int nfds;                /* 0: free */
	uint64_t f_pos;          /* the fd's offset, as the program sees it */
	uint64_t read_pos;       /* the offset the generated state belongs to */
	uint64_t next_addr;      /* where the last page's last mapping ended: the
				    next page starts at the mapping ending above */
	uint32_t page_from, page_len; /* the generated page not read yet */
	uint32_t page_size;      /* grows for a record larger than a page */
	uint32_t len, nrec;      /* content bytes, records (this page's snapshot) */
	uint32_t rec_end[RECORDS_MAX];   /* where each record ends in content */
	uint64_t rec_addr[RECORDS_MAX][2]; /* each record's mapping [start, end) */
	char page[2 * LINE_MAX + SEQ_PAGE];
	char content[CONTENT_MAX];
};
static struct slot slots[SLOTS];

void
cloak_hide(uint64_t start, uint64_t end)
{
	if (nhidden == MAX_HIDDEN || start >= end)
		return;
	int i = nhidden;
	while (i > 0 && hidden[i - 1].start > start) {
		hidden[i] = hidden[i - 1];
		i--;
	}
	hidden[i].start = start;
	hidden[i].end = end;
	nhidden++;
}

/* The agent unmapped [start, end) (the program maps there on purpose). */
void
cloak_unhide(uint64_t start, uint64_t end)
{
	for (int i = 0; i < nhidden; i++)
		if (hidden[i].start == start && hidden[i].end == end) {
			for (; i + 1 < nhidden; i++)
				hidden[i] = hidden[i + 1];
			nhidden--;
			return;
		}
}

static struct slot *
slot_of(long fd)
{
	for (int i = 0; i < SLOTS; i++)
		for (int k = 0; k < SLOT_FDS && slots[i].nfds; k++)
			if (slots[i].fd[k] == fd)
				return &slots[i];
	return 0;
}

static void
slot_add(struct slot *s, long fd)
{
	for (int k = 0; k < SLOT_FDS; k++)
		if (s->fd[k] == -1) {
			s->fd[k] = fd;
			s->nfds++;
			return;
		}
}

/* Appends one filtered line to s; a header starts a record. */
static int
add_line(struct slot *s, const char *line, long n, int *dropping)
{
	char out[2 * (LINE_MAX + 34)];
	uint64_t a, b;
	int header = cloak_maps_header(line, n, &a, &b) != 0;
	long o = cloak_maps_line(line, n, hidden, nhidden, out, dropping);
	if (o == 0)
		return 0;
	if (s->len + o > CONTENT_MAX || (header && s->nrec == RECORDS_MAX))
		return -1;
	if (header || s->nrec == 0) {
		/* From where the program sees it start (trimmed) to where the
		 * mapping ends. */
		uint64_t from = 0, to = 0;
		if (header)
			cloak_maps_header(out, o, &from, &to);
		s->rec_addr[s->nrec][0] = from;
		s->rec_addr[s->nrec][1] = header ? b : 0;
		s->nrec++;
	}
	memcpy(s->content + s->len, out, (size_t)o);
	s->len += (uint32_t)o;
	s->rec_end[s->nrec - 1] = s->len;
	return 0;
}

/* Reads the whole file at fd, filtered, into s; 0 or -1. */
static int
load(struct slot *s, long fd)
{
	char chunk[4096], line[LINE_MAX];
	long have = 0, n, at = 0;
	int dropping = 0;
	s->len = s->nrec = 0;
	while ((n = sys6(NR_PREAD64, fd, (long)chunk, sizeof chunk, at, 0, 0)) > 0) {
		at += n;
		for (long i = 0; i < n; i++) {
			if (have < LINE_MAX)
				line[have++] = chunk[i];
			if (chunk[i] == '\n') {
				if (add_line(s, line, have, &dropping) < 0)
					return -1;
				have = 0;
			}
		}
	}
	if (n < 0 || (have > 0 && add_line(s, line, have, &dropping) < 0))
		return -1;
	return 0;
}

/* seq_read_iter: what a read of `want` bytes returns, copied to dst
 * (dst NULL: only the state moves). */
static long
seq_read(struct slot *s, long fd, char *dst, long want)
{
	long copied = 0;
	if (s->page_len) {
		long n = s->page_len < want ? s->page_len : want;
		if (dst)
			memcpy(dst, s->page + s->page_from, (size_t)n);
		s->page_from += (uint32_t)n;
		s->page_len -= (uint32_t)n;
		copied = n;
		if (s->page_len)
			return copied;
		want -= n;
	}
	if (s->next_addr == ~0ull)
		return copied;
	if (load(s, fd) < 0)
		return copied ? copied : -1;
	uint32_t r = 0;
	while (r < s->nrec && s->rec_addr[r][1] <= s->next_addr)
		r++;
	if (r == s->nrec) {
		s->next_addr = ~0ull;
		return copied;
	}
	/* The first record always goes in, the page growing for it. */
	uint32_t from = r ? s->rec_end[r - 1] : 0, len = s->rec_end[r] - from;
	while (len > s->page_size)
		s->page_size *= 2;
	if (len > sizeof s->page)
		return copied ? copied : -1;
	memcpy(s->page, s->content + from, len);
	s->page_len = len;
	r++;
	while (r < s->nrec && s->page_len < (uint64_t)want) {
		from = s->rec_end[r - 1];
		len = s->rec_end[r] - from;
		if (s->page_len + len > s->page_size)
			break;
		memcpy(s->page + s->page_len, s->content + from, len);
		s->page_len += len;
		r++;
	}
	/* task_mmu.c restarts at the end of the last mapping shown: a
	 * mapping made since at or above it is shown next. */
	s->next_addr = s->rec_addr[r - 1][1];
	long n = s->page_len < want ? s->page_len : want;
	if (dst && n)
		memcpy(dst + copied, s->page, (size_t)n);
	s->page_from = (uint32_t)n;
	s->page_len -= (uint32_t)n;
	return copied + n;
}

/* seq_file's traverse() for a read at another offset: start over and
 * skip `pos` bytes. */
static void
seek_to(struct slot *s, long fd, uint64_t pos)
{
	s->next_addr = 0;
	s->page_from = s->page_len = 0;
	s->read_pos = 0;
	while (s->read_pos < pos) {
		long n = seq_read(s, fd, 0, (long)(pos - s->read_pos));
		if (n <= 0)
			break;
		s->read_pos += (uint64_t)n;
	}
}

void
cloak_maps_opened(long fd)
{
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		if (s->nfds)
			continue;
		for (int k = 0; k < SLOT_FDS; k++)
			s->fd[k] = -1;
		slot_add(s, fd);
		s->f_pos = s->read_pos = s->next_addr = 0;
		s->page_from = s->page_len = 0;
		s->page_size = SEQ_PAGE;
		return;
	}
}

void
cloak_maps_dup(long fd, long copy)
{
	struct slot *s = slot_of(fd);
	if (s && copy != fd)
		slot_add(s, copy); /* a ninth fd of one file reads it unfiltered */
}

void
cloak_maps_closed(long fd)
{
	struct slot *s = slot_of(fd);
	if (!s)
		return;
	for (int k = 0; k < SLOT_FDS; k++)
		if (s->fd[k] == fd) {
			s->fd[k] = -1;
			s->nfds--;
		}
}

/* The slot of fd; NULL when the kernel serves fd itself. */
static struct slot *
ready_slot(long fd)
{
	if (!image_hidden) {
		image_hidden = 1;
		cloak_hide((uint64_t)agent_header, (uint64_t)agent_mem_end);
	}
	return slot_of(fd);
}

int
cloak_maps_read(long fd, int positional, uint64_t pos, const struct cloak_iov *iov, int niov,
		long *ret)
{
	struct slot *s = ready_slot(fd);
	if (!s)
		return 0;
	uint64_t at = positional ? pos : s->f_pos;
	if (at != s->read_pos)
		seek_to(s, fd, at);
	long want = 0;
	for (int i = 0; i < niov; i++)
		want += (long)(iov[i].len < (1ull << 40) ? iov[i].len : 1ull << 40);
	/* One read generates at most what was left of the last page and one
	 * new page. */
	char tmp[2 * sizeof s->page];
	long n = seq_read(s, fd, tmp, want < (long)sizeof tmp ? want : (long)sizeof tmp);
	if (n < 0) {
		/* A map too big for the slot: the kernel serves this fd
		 * from here on, unfiltered. */
		s->nfds = 0;
		return 0;
	}
	long done = 0;
	for (int i = 0; i < niov && done < n; i++) {
		long k = n - done < (long)iov[i].len ? n - done : (long)iov[i].len;
		/* The program's buffer, written as the kernel would: a bad one
		 * is EFAULT, not a crash of the agent. */
		if (k && agent_safe_copy((void *)iov[i].base, tmp + done, (size_t)k) < 0) {
			*ret = -14; /* EFAULT */
			return 1;
		}
		done += k;
	}
	s->read_pos += (uint64_t)n;
	if (!positional)
		s->f_pos += (uint64_t)n;
	*ret = n;
	return 1;
}

int
cloak_maps_lseek(long fd, long offset, long whence, long *ret)
{
	struct slot *s = ready_slot(fd);
	if (!s)
		return 0;
	/* seq_lseek: SEEK_SET and SEEK_CUR only; another offset than the
	 * last read's is reached by generating the file up to it. */
	long to = whence == 0 ? offset : whence == 1 ? (long)s->f_pos + offset : -1;
	if (to < 0) {
		*ret = -22; /* EINVAL */
		return 1;
	}
	if ((uint64_t)to != s->read_pos)
		seek_to(s, fd, (uint64_t)to);
	s->f_pos = (uint64_t)to;
	*ret = to;
	return 1;
}
