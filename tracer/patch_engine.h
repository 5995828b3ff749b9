/* Engine `patch`: user-mode single-stepping in place by the injected agent. */
#ifndef UMSS_TRACER_PATCH_ENGINE_H
#define UMSS_TRACER_PATCH_ENGINE_H

#include <sys/types.h>

#include "tracer/tracer.h"

/*
 * Injects the agent into pid (stopped at its exec event by launch_traced),
 * serves its requests and drains its trace buffer into w until the program
 * ends.  engine: AGENT_ENGINE_PATCH or AGENT_ENGINE_DISPLACED (the agent's
 * stepping method; the tracer's side is the same but for stub arenas).
 * Returns 0, or -1 when tracing failed or stopped at something the
 * engine does not support yet (after printing why); *res is filled either way.
 */
int patch_engine_run(pid_t pid, unsigned engine, struct umss_writer *w, struct trace_result *res);

#endif
