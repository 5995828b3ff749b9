/*
 * Engines patch and displaced, the tracer's side: what the threads of one
 * traced process share (docs/AGENT.md "Threads").  Each thread is a
 * struct patch_engine of its own (tracer/patch_task.h: its ptrace calls,
 * agent state block, buffer and signal queue); its memory knowledge is
 * here, one per process: the memory map and the agent's stub arenas (the
 * code bytes recorded are the trace writer's, per process).
 */
#ifndef UMSS_TRACER_PATCH_PROC_H
#define UMSS_TRACER_PATCH_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracer/proc_maps.h"

struct agent_ring;

struct patch_proc {
	pid_t pid;                  /* the thread group id */
	unsigned refs;              /* its threads, and vfork children running in its memory */
	bool root;                  /* the process umss started: its status is umss's */
	struct proc_maps maps;
	uint64_t exec_lo, exec_hi;  /* last executable mapping seen, a fast path */
	/* The executable mappings seen last (the program and a library
	 * calling each other): where exec_lo/hi move without a maps search. */
	struct { uint64_t lo, hi; } exec_seen[8];
	unsigned n_exec_seen, exec_victim;
	uint64_t (*arenas)[2];      /* engine displaced: stub arenas [start, end) */
	size_t n_arenas;
	/* A vfork child: the process whose memory it runs in (a reference). */
	struct patch_proc *vm_parent;
	/* The trace rings of the agent's slots (vfork children, threads) in
	 * this address space, kept on the process that owns the memory
	 * (patch_proc_vm_root): by state block. */
	struct slot_ring { uint64_t state; struct agent_ring *ring; } *slot_rings;
	size_t n_slot_rings;
};

struct patch_proc *patch_proc_new(pid_t pid);
/* A fork child's: copies of the parent's map knowledge and
 * arenas (the trace reader copies them too). */
struct patch_proc *patch_proc_copy(pid_t pid, const struct patch_proc *parent);
void patch_proc_ref(struct patch_proc *p);
void patch_proc_unref(struct patch_proc *p);
/* The memory map changed: no executable mapping seen is trusted. */
void patch_proc_exec_forget(struct patch_proc *p);
/* Remembers the executable mapping [lo, hi) and makes it exec_lo/hi. */
void patch_proc_exec_seen(struct patch_proc *p, uint64_t lo, uint64_t hi);
/* Makes a remembered executable mapping holding addr exec_lo/hi;
 * false if there is none. */
bool patch_proc_exec_switch(struct patch_proc *p, uint64_t addr);
/* exec: the old image's map and arenas are gone. */
void patch_proc_forget_image(struct patch_proc *p);
/* An agent mapping the program did not make, [start, start + len): a
 * displaced stub arena (prot 0: RWX, and faults there are the stubs'), or
 * a patch trampoline page (prot = its PROT_*); either is kept out of MAP
 * events by seeding the map with it. */
void patch_proc_add_arena(struct patch_proc *p, uint64_t start, uint64_t len, uint64_t prot);
/* The agent unmapped its arena or trampoline page [start, start + len):
 * out of the arenas and of the map, so no UNMAP event is written. */
void patch_proc_forget_arena(struct patch_proc *p, uint64_t start, uint64_t len);
bool patch_proc_in_arena(const struct patch_proc *p, uint64_t rip);
/* The process whose memory p runs in (p itself but for vfork children). */
struct patch_proc *patch_proc_vm_root(struct patch_proc *p);
/* Keeps ring (a reference) as the slot ring of state block `state`. */
void patch_proc_set_slot_ring(struct patch_proc *p, uint64_t state, struct agent_ring *ring);
/* The slot ring of `state`, NULL if none (no new reference). */
struct agent_ring *patch_proc_slot_ring(struct patch_proc *p, uint64_t state);
/* A mapping of umss's own (the agent, an arena) seeded into the map. */
void patch_proc_hide_mapping(struct patch_proc *p, uint64_t start, uint64_t end);

#endif
