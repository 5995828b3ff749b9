/*
 * A JIT the W^X way: code written into a read-write mapping, made
 * read-execute with mprotect, run, made writable again, rewritten, run
 * again (five versions of one function at one address).  Each version is
 * `lea eax, [rdi + 10*v]; ret` followed by a small loop version, so the
 * trace must show each version's bytes at the same address.
 * Expected output: the five results, then a loop's result.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int (*fn_t)(int);

int
main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *code = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	for (int v = 1; v <= 5; v++) {
		const unsigned char lea_ret[] = { 0x8d, 0x47, (unsigned char)(10 * v), 0xc3 };
		memcpy(code, lea_ret, sizeof lea_ret);
		if (mprotect(code, pg, PROT_READ | PROT_EXEC))
			return 2;
		printf("version %d: f(%d) = %d\n", v, v, ((fn_t)code)(v));
		if (mprotect(code, pg, PROT_READ | PROT_WRITE))
			return 3;
	}
	/* A loop: eax = 0; do eax += 3 while --edi; ret. */
	const unsigned char loop[] = { 0x31, 0xc0, 0x83, 0xc0, 0x03, 0xff, 0xcf, 0x75, 0xf9, 0xc3 };
	memcpy(code, loop, sizeof loop);
	mprotect(code, pg, PROT_READ | PROT_EXEC);
	printf("loop: f(7) = %d\n", ((fn_t)code)(7));
	munmap(code, pg);
	return 0;
}
