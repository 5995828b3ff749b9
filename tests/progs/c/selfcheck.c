/*
 * Checksums its own code while it runs: the bytes of main (running) and of
 * sum_code (reading itself), 50 times, and prints the sum.  An engine that
 * changes the program's code, even for a moment, prints another number.
 */
#include <stdint.h>
#include <stdio.h>

static uint64_t __attribute__((noinline))
sum_code(const volatile unsigned char *p, unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

int
main(void)
{
	uint64_t s = 0;
	for (int i = 0; i < 50; i++)
		s += sum_code((const volatile unsigned char *)(uintptr_t)main, 128) +
		     sum_code((const volatile unsigned char *)(uintptr_t)sum_code, 64);
	printf("%016llx\n", (unsigned long long)s);
	return 0;
}
