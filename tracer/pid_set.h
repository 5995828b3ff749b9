/*
 * A small set of task ids: the new tasks whose first stop came before
 * their creator's CLONE/FORK/VFORK event, held until the event says what
 * they are (both tracer loops need it).
 */
#ifndef UMSS_TRACER_PID_SET_H
#define UMSS_TRACER_PID_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pid_set {
	pid_t *v;
	size_t n, cap;
};

void pid_set_add(struct pid_set *s, pid_t pid);
/* Removes pid; returns whether it was there. */
bool pid_set_take(struct pid_set *s, pid_t pid);
void pid_set_free(struct pid_set *s);

#endif
