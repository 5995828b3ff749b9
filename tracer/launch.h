/* Finding, checking and starting the program to trace. */
#ifndef UMSS_TRACER_LAUNCH_H
#define UMSS_TRACER_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

/* Exit statuses for a program that cannot be run, as shells use them. */
enum { LAUNCH_NOT_FOUND = 127, LAUNCH_CANNOT_EXECUTE = 126 };

/*
 * Resolves name like execvp would (PATH search when it has no slash) but
 * refuses, instead of handing to /bin/sh, anything execve would refuse:
 * only x86-64 ELF executables and #! scripts pass.  On success writes the
 * path into path (size bytes) and returns 0; otherwise prints one line on
 * stderr and returns LAUNCH_NOT_FOUND or LAUNCH_CANNOT_EXECUTE.
 */
int launch_resolve(const char *name, char *path, size_t size);

/*
 * Forks and execs path with argv under ptrace (PTRACE_SEIZE with options),
 * with address space randomisation off unless aslr.  Returns the child's
 * pid stopped at its first user-space instruction (its PTRACE_EVENT_EXEC
 * stop has been consumed), or -1 after printing why it failed, with
 * *exit_status set to what umss should exit with.
 */
pid_t launch_traced(const char *path, char *const argv[], bool aslr,
		    unsigned long ptrace_options, int *exit_status);

#endif
