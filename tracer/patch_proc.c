/* What the threads of a process share, tracer side (tracer/patch_proc.h). */
#include "tracer/patch_proc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tracer/agent_ring.h"
#include "tracer/xalloc.h"

static void
drop_slot_rings(struct patch_proc *p)
{
	for (size_t i = 0; i < p->n_slot_rings; i++)
		agent_ring_unref(p->slot_rings[i].ring);
	free(p->slot_rings);
	p->slot_rings = NULL;
	p->n_slot_rings = 0;
}

struct patch_proc *
patch_proc_new(pid_t pid)
{
	struct patch_proc *p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->refs = 1;
	return p;
}

struct patch_proc *
patch_proc_copy(pid_t pid, const struct patch_proc *parent)
{
	struct patch_proc *p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->refs = 1;
	proc_maps_copy(&p->maps, &parent->maps);
	if (parent->n_arenas) {
		p->arenas = xrealloc(NULL, parent->n_arenas * sizeof *p->arenas);
		memcpy(p->arenas, parent->arenas, parent->n_arenas * sizeof *p->arenas);
		p->n_arenas = parent->n_arenas;
	}
	return p;
}

void
patch_proc_ref(struct patch_proc *p)
{
	p->refs++;
}

void
patch_proc_unref(struct patch_proc *p)
{
	if (--p->refs)
		return;
	if (p->vm_parent)
		patch_proc_unref(p->vm_parent);
	drop_slot_rings(p);
	proc_maps_free(&p->maps);
	free(p->arenas);
	free(p);
}

void
patch_proc_exec_forget(struct patch_proc *p)
{
	p->exec_lo = p->exec_hi = 0;
	p->n_exec_seen = p->exec_victim = 0;
}

void
patch_proc_exec_seen(struct patch_proc *p, uint64_t lo, uint64_t hi)
{
	unsigned n = sizeof p->exec_seen / sizeof p->exec_seen[0];
	unsigned i = p->n_exec_seen < n ? p->n_exec_seen++ : (p->exec_victim++ % n);
	p->exec_seen[i].lo = lo;
	p->exec_seen[i].hi = hi;
	p->exec_lo = lo;
	p->exec_hi = hi;
}

bool
patch_proc_exec_switch(struct patch_proc *p, uint64_t addr)
{
	for (unsigned i = 0; i < p->n_exec_seen; i++)
		if (addr >= p->exec_seen[i].lo && addr < p->exec_seen[i].hi) {
			p->exec_lo = p->exec_seen[i].lo;
			p->exec_hi = p->exec_seen[i].hi;
			return true;
		}
	return false;
}

void
patch_proc_forget_image(struct patch_proc *p)
{
	proc_maps_free(&p->maps);
	drop_slot_rings(p); /* the new agent opens its own */
	patch_proc_exec_forget(p);
	if (p->vm_parent)
		patch_proc_unref(p->vm_parent);
	p->vm_parent = NULL;
	free(p->arenas);
	p->arenas = NULL;
	p->n_arenas = 0;
}

static void
hide(struct patch_proc *p, uint64_t start, uint64_t end, int prot)
{
	p->maps.v = xrealloc(p->maps.v, (p->maps.n + 1) * sizeof *p->maps.v);
	p->maps.cap = p->maps.n + 1;
	p->maps.v[p->maps.n++] = (struct map_entry){
		.start = start,
		.end = end,
		.prot = prot,
		.path = xstrdup(""),
	};
}

void
patch_proc_hide_mapping(struct patch_proc *p, uint64_t start, uint64_t end)
{
	hide(p, start, end, PROT_READ | PROT_WRITE | PROT_EXEC);
}

void
patch_proc_add_arena(struct patch_proc *p, uint64_t start, uint64_t len, uint64_t prot)
{
	if (p->vm_parent)
		patch_proc_add_arena(p->vm_parent, start, len, prot); /* its memory too */
	if (!prot) {
		p->arenas = xrealloc(p->arenas, (p->n_arenas + 1) * sizeof *p->arenas);
		p->arenas[p->n_arenas][0] = start;
		p->arenas[p->n_arenas][1] = start + len;
		p->n_arenas++;
	}
	hide(p, start, start + len, prot ? (int)prot : PROT_READ | PROT_WRITE | PROT_EXEC);
}

bool
patch_proc_in_arena(const struct patch_proc *p, uint64_t rip)
{
	for (size_t i = 0; i < p->n_arenas; i++)
		if (rip >= p->arenas[i][0] && rip < p->arenas[i][1])
			return true;
	return false;
}

struct patch_proc *
patch_proc_vm_root(struct patch_proc *p)
{
	while (p->vm_parent)
		p = p->vm_parent;
	return p;
}

void
patch_proc_set_slot_ring(struct patch_proc *p, uint64_t state, struct agent_ring *ring)
{
	size_t i = 0;
	while (i < p->n_slot_rings && p->slot_rings[i].state != state)
		i++;
	if (i == p->n_slot_rings) {
		p->slot_rings = xrealloc(p->slot_rings, (i + 1) * sizeof *p->slot_rings);
		p->n_slot_rings++;
	} else {
		agent_ring_unref(p->slot_rings[i].ring);
	}
	p->slot_rings[i] = (struct slot_ring){ state, ring };
}

struct agent_ring *
patch_proc_slot_ring(struct patch_proc *p, uint64_t state)
{
	for (size_t i = 0; i < p->n_slot_rings; i++)
		if (p->slot_rings[i].state == state)
			return p->slot_rings[i].ring;
	return NULL;
}

void
patch_proc_forget_arena(struct patch_proc *p, uint64_t start, uint64_t len)
{
	if (p->vm_parent)
		patch_proc_forget_arena(p->vm_parent, start, len);
	for (size_t i = 0; i < p->n_arenas; i++)
		if (p->arenas[i][0] == start && p->arenas[i][1] == start + len) {
			p->arenas[i][0] = p->arenas[p->n_arenas - 1][0];
			p->arenas[i][1] = p->arenas[p->n_arenas - 1][1];
			p->n_arenas--;
			break;
		}
	for (size_t i = 0; i < p->maps.n; i++)
		if (p->maps.v[i].start == start && p->maps.v[i].end == start + len &&
		    !p->maps.v[i].path[0]) {
			free(p->maps.v[i].path);
			p->maps.v[i] = p->maps.v[--p->maps.n];
			break;
		}
}
