/* What /proc tells about a traced process. */
#ifndef UMSS_TRACER_PROCESS_INFO_H
#define UMSS_TRACER_PROCESS_INFO_H

#include <stdint.h>
#include <sys/types.h>

struct process_args {
	char *exe;        /* /proc/PID/exe target ("" when unknown) */
	uint32_t argc;
	char **argv;      /* from /proc/PID/cmdline */
	char *buf;        /* storage behind argv */
};

void process_args_read(pid_t pid, struct process_args *a);
void process_args_free(struct process_args *a);
/* The thread group id of tid, or -1. */
pid_t process_tgid(pid_t tid);
/* SigCgt and SigIgn of pid, as bit masks (bit signo-1). */
void process_signal_masks(pid_t pid, uint64_t *caught, uint64_t *ignored);
/* What the kernel will do with signo in pid: an enum umss_signal_action
 * (a handler, ignored, fatal, stop), from its dispositions in /proc. */
uint32_t process_signal_action(pid_t pid, int signo);

#endif
