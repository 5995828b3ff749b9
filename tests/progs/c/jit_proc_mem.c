/*
 * Code rewritten through the process's own /proc/self/mem, the one way to
 * change code in a mapping the program cannot write (the kernel writes
 * like a debugger): engine displaced skips its byte check for code in
 * read-only private mappings and must notice these writes instead.
 * An anonymous read-execute page gets four versions of
 * `mov eax, imm32; ret` (pwrite, lseek + write, pwrite through a dup,
 * pwritev), each called three times; then the program's own text
 * (target(), file-backed) is rewritten the same way.
 * Expected output: the versions' results, then target's before and after.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

typedef int (*fn_t)(void);

__attribute__((noinline)) int
target(void)
{
	__asm__ volatile("" ::: "memory");
	return 7;
}

static void
mov_ret(unsigned char out[6], int v)
{
	out[0] = 0xb8;
	memcpy(out + 1, &v, 4);
	out[5] = 0xc3;
}

static int
call3(fn_t f)
{
	int sum = 0;
	for (int i = 0; i < 3; i++)
		sum += f();
	return sum;
}

int
main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *code = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/mem", O_RDWR);
	if (code == MAP_FAILED || fd < 0)
		return 1;
	unsigned char insn[6];
	mov_ret(insn, 100);
	memcpy(code, insn, sizeof insn);
	if (mprotect(code, pg, PROT_READ | PROT_EXEC))
		return 2;
	fn_t f = (fn_t)code;
	printf("mapped: %d\n", call3(f));

	mov_ret(insn, 200);
	if (pwrite(fd, insn, sizeof insn, (off_t)(unsigned long)code) != sizeof insn)
		return 3;
	printf("pwrite: %d\n", call3(f));

	mov_ret(insn, 300);
	if (lseek(fd, (off_t)(unsigned long)code, SEEK_SET) < 0 || write(fd, insn, sizeof insn) != sizeof insn)
		return 4;
	printf("write: %d\n", call3(f));

	int copy = dup(fd);
	mov_ret(insn, 400);
	if (copy < 0 || pwrite(copy, insn, sizeof insn, (off_t)(unsigned long)code) != sizeof insn)
		return 5;
	printf("dup: %d\n", call3(f));

	mov_ret(insn, 500);
	struct iovec iov = { insn, sizeof insn };
	if (pwritev(fd, &iov, 1, (off_t)(unsigned long)code) != sizeof insn)
		return 6;
	printf("pwritev: %d\n", call3(f));

	printf("target before: %d\n", call3(target));
	mov_ret(insn, 8000);
	if (pwrite(fd, insn, sizeof insn, (off_t)(unsigned long)(void *)target) != sizeof insn)
		return 7;
	printf("target after: %d\n", call3(target));
	return 0;
}
