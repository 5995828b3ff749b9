/* Per-process module maps replayed from trace events; see modmap.h. */
#include <stdlib.h>
#include <string.h>

#include "cli/messages.h"
#include "cli/modmap.h"
#include "cli/symbols.h"

void
modmap_init(struct modmap *m)
{
	m->nslots = 64;
	m->slots = cli_calloc(m->nslots, sizeof *m->slots);
	m->used = 0;
	m->last = NULL;
}

void
modmap_free(struct modmap *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i]) {
			free(m->slots[i]->v);
			free(m->slots[i]);
		}
	free(m->slots);
	m->slots = NULL;
}

static size_t
pid_slot(const struct modmap *m, uint32_t pid)
{
	size_t i = (pid * 2654435761u) & (m->nslots - 1);

	while (m->slots[i] && m->slots[i]->pid != pid)
		i = (i + 1) & (m->nslots - 1);
	return i;
}

static struct modmap_proc *
find_proc(struct modmap *m, uint32_t pid)
{
	if (m->last && m->last->pid == pid)
		return m->last;
	struct modmap_proc *p = m->slots[pid_slot(m, pid)];
	if (p)
		m->last = p;
	return p;
}

static struct modmap_proc *
get_proc(struct modmap *m, uint32_t pid)
{
	struct modmap_proc *p = find_proc(m, pid);

	if (p)
		return p;
	if ((m->used + 1) * 2 > m->nslots) {
		struct modmap_proc **old = m->slots;
		size_t n = m->nslots;

		m->nslots *= 2;
		m->slots = cli_calloc(m->nslots, sizeof *m->slots);
		for (size_t i = 0; i < n; i++)
			if (old[i])
				m->slots[pid_slot(m, old[i]->pid)] = old[i];
		free(old);
	}
	p = cli_calloc(1, sizeof *p);
	p->pid = pid;
	m->slots[pid_slot(m, pid)] = p;
	m->used++;
	m->last = p;
	return p;
}

static void
insert_at(struct modmap_proc *p, size_t i, const struct modmap_entry *e)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = cli_realloc(p->v, p->cap * sizeof *p->v);
	}
	memmove(&p->v[i + 1], &p->v[i], (p->n - i) * sizeof *p->v);
	p->v[i] = *e;
	p->n++;
}

/* Removes [start, end) from p, splitting mappings it cuts. */
static void
punch(struct modmap_proc *p, uint64_t start, uint64_t end)
{
	size_t i = 0;

	while (i < p->n) {
		struct modmap_entry *e = &p->v[i];

		if (e->end <= start || e->start >= end) {
			i++;
			continue;
		}
		if (e->start < start && e->end > end) {
			/* The hole is inside e: keep both sides. */
			struct modmap_entry right = *e;

			right.offset += end - e->start;
			right.start = end;
			e->end = start;
			insert_at(p, i + 1, &right);
			return;
		}
		if (e->start < start) {
			e->end = start;
			i++;
		} else if (e->end > end) {
			e->offset += end - e->start;
			e->start = end;
			i++;
		} else {
			memmove(e, e + 1, (p->n - i - 1) * sizeof *e);
			p->n--;
		}
	}
}

static void
add_map(struct modmap_proc *p, const struct umss_event *ev)
{
	struct modmap_entry e = {
		.start = ev->map.start,
		.end = ev->map.end,
		.offset = ev->map.offset,
	};
	size_t i = 0;

	if (e.end <= e.start)
		return;
	if (ev->map.path && ev->map.path[0])
		e.file = symfile_get(ev->map.path, ev->map.build_id,
				     ev->map.build_id ? ev->map.build_id_len : 0);
	punch(p, e.start, e.end);
	while (i < p->n && p->v[i].start < e.start)
		i++;
	insert_at(p, i, &e);
}

void
modmap_event(struct modmap *m, const struct umss_event *ev)
{
	struct modmap_proc *p;

	switch (ev->kind) {
	case UMSS_EV_PROCESS:
		p = get_proc(m, ev->pid);
		p->n = 0;
		p->last = 0;
		if (ev->process.ppid) {
			struct modmap_proc *parent = find_proc(m, ev->process.ppid);

			if (parent && parent != p)
				for (size_t i = 0; i < parent->n; i++)
					insert_at(p, p->n, &parent->v[i]);
		}
		break;
	case UMSS_EV_EXEC:
		p = get_proc(m, ev->pid);
		p->n = 0;
		p->last = 0;
		break;
	case UMSS_EV_MAP:
		add_map(get_proc(m, ev->pid), ev);
		break;
	case UMSS_EV_UNMAP:
		p = get_proc(m, ev->pid);
		if (ev->map.end > ev->map.start)
			punch(p, ev->map.start, ev->map.end);
		p->last = 0;
		break;
	default:
		break;
	}
}

struct where
modmap_where(struct modmap *m, uint32_t pid, uint64_t addr)
{
	struct where w = { .kind = WHERE_NONE, .off = addr };
	struct modmap_proc *p = find_proc(m, pid);
	const struct modmap_entry *e = NULL;

	if (!p || !p->n)
		return w;
	if (p->last < p->n && addr >= p->v[p->last].start &&
	    addr < p->v[p->last].end) {
		e = &p->v[p->last];
	} else {
		size_t lo = 0, hi = p->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (p->v[mid].start <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo || addr >= p->v[lo - 1].end)
			return w;
		p->last = lo - 1;
		e = &p->v[lo - 1];
	}
	if (e->file) {
		w.kind = WHERE_FILE;
		w.file = e->file;
		w.off = addr - e->start + e->offset;
	} else {
		w.kind = WHERE_ANON;
		w.off = addr - e->start;
	}
	return w;
}
