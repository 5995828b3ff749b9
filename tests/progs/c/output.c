/*
 * Deterministic output through stdio and straight write(2): integers,
 * floating point (SSE2 arithmetic and sqrt), strings, a checksum, text on
 * stderr, and an atexit handler; exits 5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
goodbye(void)
{
	printf("atexit handler ran\n");
}

int
main(void)
{
	unsigned long hash = 5381;
	double x = 1.0;
	int i, primes = 0, n;
	static const char raw[] = "raw write(2) line\n";

	atexit(goodbye);
	for (n = 2; primes < 25; n++) {
		int d, prime = 1;

		for (d = 2; d * d <= n; d++)
			if (n % d == 0) {
				prime = 0;
				break;
			}
		if (prime) {
			printf("%d%c", n, ++primes % 10 ? ' ' : '\n');
			hash = hash * 33 + (unsigned long)n;
		}
	}
	printf("\n");
	for (i = 0; i < 6; i++) {
		x = x / 2 + 1 / x;	/* Newton's iteration towards sqrt(2) */
		printf("step %d: %.15f\n", i, x);
	}
	printf("sqrt(2) = %.12f, builtin %.12f\n", x, __builtin_sqrt(2.0));
	printf("hash %lu, %s|%-8s|%08.3f|%x\n", hash, "str", "left", 3.14159, 48879);
	fflush(stdout);
	if (write(1, raw, strlen(raw)) != (ssize_t)strlen(raw))
		return 2;
	fprintf(stderr, "a line on stderr\n");
	exit(5);
}
