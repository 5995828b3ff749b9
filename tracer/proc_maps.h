/*
 * A traced process's memory map, read from /proc/PID/maps, kept so that the
 * trace gets MAP/UNMAP events for what changed since the last look.
 */
#ifndef UMSS_TRACER_PROC_MAPS_H
#define UMSS_TRACER_PROC_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct umss_writer;

struct map_entry {
	uint64_t start, end, offset;
	uint32_t prot;
	bool shared;      /* 's' in the perms: MAP_SHARED */
	char *path;
};

struct proc_maps {
	struct map_entry *v;
	size_t n, cap;
};

void proc_maps_free(struct proc_maps *m);
void proc_maps_copy(struct proc_maps *dst, const struct proc_maps *src);
/* Re-reads /proc/pid/maps and writes the differences as events of pid. */
int proc_maps_refresh(struct proc_maps *m, pid_t pid, struct umss_writer *w);
/* True when addr lies in a known executable mapping. */
/* Re-reads the map without events: after a change that is umss's own
 * (the agent's trace ring mapped over its reserved area). */
void proc_maps_resync(struct proc_maps *m, pid_t pid);
bool proc_maps_executable(const struct proc_maps *m, uint64_t addr);

#endif
