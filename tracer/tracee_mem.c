/* Reading and writing a traced thread's memory (process_vm_readv/writev). */
#include "tracer/tracee_mem.h"

#include <sys/uio.h>

size_t
tracee_read_code(pid_t tid, uint64_t addr, uint8_t buf[15])
{
	/* process_vm_readv fails a whole iovec that touches an unmapped
	 * page: split at the page end so an instruction at the end of a
	 * mapping is still read. */
	uint64_t page_end = (addr | 4095) + 1;
	size_t first = page_end - addr < 15 ? page_end - addr : 15;
	struct iovec local = { buf, 15 };
	struct iovec remote[2] = { { (void *)addr, first }, { (void *)page_end, 15 - first } };
	ssize_t n = process_vm_readv(tid, &local, 1, remote, first < 15 ? 2 : 1, 0);
	return n < 0 ? 0 : (size_t)n;
}

bool
tracee_read_word(pid_t tid, uint64_t addr, uint64_t *v, size_t size)
{
	*v = 0;
	struct iovec local = { v, size }, remote = { (void *)addr, size };
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)size;
}

bool
tracee_write_word(pid_t tid, uint64_t addr, uint64_t v, size_t size)
{
	struct iovec local = { &v, size }, remote = { (void *)addr, size };
	return process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)size;
}
