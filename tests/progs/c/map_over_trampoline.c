/*
 * A program that maps its own code with MAP_FIXED at the 1 MiB-aligned
 * addresses just below and above its executable, where engine patch puts
 * its trampoline pages (agent/step.c trampoline_for), runs it, unmaps it,
 * and keeps running its own code (which patch reaches through a
 * trampoline).  Natively those addresses are free.  Expected output: the
 * results, as natively.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(int);

__attribute__((noinline)) static int
work(int x)
{
	return x * 3 + 1;
}

static int
run_at(uintptr_t where, int imm)
{
	/* mov eax, imm32; add eax, edi; ret */
	unsigned char code[] = { 0xb8, 0, 0, 0, 0, 0x01, 0xf8, 0xc3 };
	memcpy(code + 1, &imm, 4);
	unsigned char *p = mmap((void *)where, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(p, code, sizeof code);
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	int r = ((fn_t)p)(1);
	munmap(p, 4096);
	return r;
}

int
main(void)
{
	uintptr_t base = (uintptr_t)work & ~(uintptr_t)0xfffff;
	int sum = 0;
	for (int i = 0; i < 10; i++)
		sum += work(i);
	printf("before: %d\n", sum);
	for (int k = 1; k <= 3; k++) {
		printf("below %d: %d\n", k, run_at(base - (uintptr_t)k * 0x100000, 100 * k));
		sum = 0;
		for (int i = 0; i < 10; i++)
			sum += work(i);
		printf("after: %d\n", sum);
	}
	return 0;
}
