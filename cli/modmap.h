/*
 * The module map of every process of a trace, replayed from its events:
 * MAP adds a mapping (replacing what it overlaps, as mmap does), UNMAP
 * removes a range, EXEC empties the process, and a PROCESS event with a
 * parent starts the child with a copy of the parent's map (fork).
 */
#ifndef UMSS_CLI_MODMAP_H
#define UMSS_CLI_MODMAP_H

#include <stddef.h>
#include <stdint.h>

#include "umss/trace.h"

struct symfile;

/* Where an address lies. */
enum where_kind {
	WHERE_NONE,	/* in no mapping the trace recorded */
	WHERE_ANON,	/* anonymous memory: off is from the mapping's start */
	WHERE_FILE,	/* file (or [vdso]-like) mapping: off is the file offset */
};

struct where {
	enum where_kind kind;
	struct symfile *file;	/* WHERE_FILE only */
	uint64_t off;
};

struct modmap_entry {
	uint64_t start, end, offset;
	struct symfile *file;	/* NULL for anonymous memory */
};

struct modmap_proc {
	uint32_t pid;
	struct modmap_entry *v;	/* sorted by start, disjoint */
	size_t n, cap;
	size_t last;		/* index of the last hit */
};

struct modmap {
	struct modmap_proc **slots;	/* open addressing by pid */
	size_t nslots, used;
	struct modmap_proc *last;
};

void modmap_init(struct modmap *m);
void modmap_free(struct modmap *m);
/* Applies a PROCESS, EXEC, MAP or UNMAP event; ignores the others. */
void modmap_event(struct modmap *m, const struct umss_event *ev);
/* Where addr of process pid lies now. */
struct where modmap_where(struct modmap *m, uint32_t pid, uint64_t addr);

#endif
