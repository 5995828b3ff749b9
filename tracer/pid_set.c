/* A small unordered set of task ids (tracer/pid_set.h). */
#include "tracer/pid_set.h"

#include <stdlib.h>

#include "tracer/xalloc.h"

void
pid_set_add(struct pid_set *s, pid_t pid)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = pid;
}

bool
pid_set_take(struct pid_set *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid) {
			s->v[i] = s->v[--s->n];
			return true;
		}
	return false;
}

void
pid_set_free(struct pid_set *s)
{
	free(s->v);
	*s = (struct pid_set){ 0 };
}
