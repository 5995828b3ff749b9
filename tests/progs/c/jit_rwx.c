/*
 * A JIT that keeps one read-write-execute mapping and rewrites code in
 * place between runs (no mprotect): a function's immediate changes, then
 * a whole new function goes over it, then the middle of a loop body is
 * rewritten while the code around it stays.  Expected output: the results
 * of the six runs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(int);

int
main(void)
{
	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	fn_t f = (fn_t)code;
	/* mov eax, imm32; add eax, edi; ret */
	const unsigned char add[] = { 0xb8, 1, 0, 0, 0, 0x01, 0xf8, 0xc3 };
	memcpy(code, add, sizeof add);
	printf("add 1: %d\n", f(100));
	code[1] = 2;
	printf("add 2: %d\n", f(100));
	code[1] = 0x40;
	code[2] = 0x1f;
	printf("add 8000: %d\n", f(100));
	/* eax = 0; do eax += 5 while --edi; ret: the add's immediate at 4. */
	const unsigned char loop[] = { 0x31, 0xc0, 0x83, 0xc0, 0x05, 0xff, 0xcf, 0x75, 0xf9, 0xc3 };
	memcpy(code, loop, sizeof loop);
	printf("loop +5: %d\n", f(10));
	code[4] = 7;
	printf("loop +7: %d\n", f(10));
	/* eax = 1; do eax *= 3 while --edi; ret: longer, over the old loop. */
	const unsigned char loop2[] = { 0xb8, 1, 0, 0, 0, 0x6b, 0xc0, 0x03, 0xff, 0xcf, 0x75, 0xf9, 0xc3 };
	memcpy(code, loop2, sizeof loop2);
	printf("loop *3: %d\n", f(5));
	return 0;
}
