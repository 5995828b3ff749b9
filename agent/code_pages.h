/* Code pages engine patch writes its jump into (agent/code_pages.c). */
#ifndef UMSS_AGENT_CODE_PAGES_H
#define UMSS_AGENT_CODE_PAGES_H

#include <stdint.h>

#include "agent/agent.h"

#define CODE_PAGE_NO 0      /* cannot be written: the program would fault there */
#define CODE_PAGE_DIRECT 1  /* writable now (the program's or ours): plain stores */
#define CODE_PAGE_MEM 2     /* sealed (the vdso): writes go through /proc/self/mem */

int code_page_writable(struct agent_state *s, uint64_t page);
#define CODE_PATCH_LEN 5    /* jmp rel32 */
/* Writes a patch's bytes at `at` (how: CODE_PAGE_DIRECT or _MEM); 0 or -1. */
int code_write(uint64_t at, const void *bytes, int how);
/* True when [lo, hi) touches a page the agent made writable (the program
 * has no write permission there: natively a store faults). */
int code_pages_ours(uint64_t lo, uint64_t hi);
/* Gives every page the agent made writable its own protection back. */
void code_pages_restore(void);
/* Around each of the program's system calls (agent_syscall). */
void code_pages_before_syscall(long nr, const uint64_t *g);
void code_pages_after_syscall(long nr, const uint64_t *g, long result);
/* In a new child process (fork). */
void code_pages_forked_child(void);

#endif
