/*
 * C compute kernel: fills an array from a xorshift generator, hashes it with
 * FNV-1a (a tight byte loop), sorts it with the C library's qsort (indirect
 * calls to a comparator, library code) and prints the hash and a checksum of
 * the sorted array, so a traced run can be compared with a native one.
 *
 * usage: kernel N   (N elements; the work grows as N log N)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t
xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static uint64_t
fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	uint32_t *v = malloc(n * sizeof(*v) + 1);
	uint32_t state = 2463534242u;
	uint64_t sum = 0;

	if (!v)
		return 1;
	for (size_t i = 0; i < n; i++)
		v[i] = xorshift32(&state);
	uint64_t h = fnv1a((const unsigned char *)v, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + v[i];
	printf("n=%zu fnv1a=%016llx sorted=%016llx\n", n, (unsigned long long)h,
	       (unsigned long long)sum);
	free(v);
	return 0;
}
