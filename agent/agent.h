/* The agent's internal interfaces (in-process, freestanding). */
#ifndef UMSS_AGENT_AGENT_H
#define UMSS_AGENT_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/agent_abi.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* -ffreestanding turns off the builtins: take them back explicitly so
 * fixed-size copies compile to moves (lib.c defines the functions). */
#ifndef AGENT_LIB
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif

/* entry.S */
extern struct agent_state agent_state_block;
void agent_reentry(void);
__attribute__((noreturn)) void agent_resume(void);
void agent_gate(void);
long agent_safe_copy(void *dst, const void *src, size_t n);

/* step.c */
__attribute__((noreturn)) void agent_run(struct agent_state *s, int from_patch);
void agent_syscall(struct agent_state *s, const struct x86_insn *insn);

/* cloak.c (docs/CLOAK.md): before the program's syscall nr runs, 1 when
 * the cloak answers it itself (*ret); after it ran, its result as the
 * program sees it. */
int cloak_syscall_before(long nr, const uint64_t *g, long *ret);
long cloak_syscall_after(long nr, const uint64_t *g, long r);
void cloak_forked_child(void);
int cloak_fd_is_own_mem(long fd);
/* cloak_maps.c: the program opened (closed) its own maps or smaps at fd;
 * its reads and lseeks are answered by the agent (1, *ret) or run (0). */
struct cloak_iov {
	uint64_t base, len;
};
void cloak_maps_opened(long fd);
void cloak_maps_dup(long fd, long copy);
void cloak_maps_closed(long fd);
int cloak_maps_read(long fd, int positional, uint64_t pos, const struct cloak_iov *iov, int niov,
		    long *ret);
int cloak_maps_lseek(long fd, long offset, long whence, long *ret);
/* A mapping of the agent's (stub arena, trampoline page) to keep out of
 * the maps the program reads; the agent's image is hidden already. */
void cloak_hide(uint64_t start, uint64_t end);
void cloak_unhide(uint64_t start, uint64_t end);

/* displaced.c (engine displaced); first: the process's first thread
 * (the shared lookup table is set up), else a thread or vfork child. */
__attribute__((noreturn)) void displaced_run(struct agent_state *s, int first);
/* Around a fork whose child is a copy: the records' lock taken, then
 * released in the parent (child = 0) or reset in the child (child = 1). */
void displaced_fork_begin(void);
void displaced_fork_end(int child);
/* After a syscall that may change the memory map (g = the registers it
 * ran with, result = its return value). */
void displaced_mem_syscall(struct agent_state *s, long nr, const uint64_t *g, long result);
/* The program is about to map or unmap [lo, hi) on purpose: arenas there
 * are dropped (with every record) and unmapped. */
void displaced_yield_range(struct agent_state *s, uint64_t lo, uint64_t hi);
/* Tells the tracer the agent unmapped its page(s) [start, start + len). */
void agent_forget_mapping(struct agent_state *s, uint64_t start, uint64_t len);

#endif
