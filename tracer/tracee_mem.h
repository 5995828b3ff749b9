/* Reading and writing a traced thread's memory (process_vm_readv/writev). */
#ifndef UMSS_TRACER_TRACEE_MEM_H
#define UMSS_TRACER_TRACEE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to 15 code bytes at addr, never across into an unreadable
 * page; returns how many were read (0 for the vsyscall page). */
size_t tracee_read_code(pid_t tid, uint64_t addr, uint8_t buf[15]);
/* Reads a little-endian value of size bytes (1-8) at addr into *v. */
bool tracee_read_word(pid_t tid, uint64_t addr, uint64_t *v, size_t size);
/* Writes the low size bytes (1-8) of v at addr. */
bool tracee_write_word(pid_t tid, uint64_t addr, uint64_t v, size_t size);

#endif
