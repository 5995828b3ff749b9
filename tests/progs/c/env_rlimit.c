/*
 * A program that lowers its own resource limits and works within them:
 * RLIMIT_NOFILE to 16 (it opens files until EMFILE), RLIMIT_STACK to
 * 1 MiB (a recursion within it), RLIMIT_AS to what it uses now plus
 * 64 MiB (a 32 MiB mapping succeeds, a 256 MiB one fails), RLIMIT_CORE
 * to 0; after each it runs code it has not run before and the vdso.
 * Expected output: the counts and results, as natively.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long
vm_size_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmSize:", 7) == 0)
			kib = atol(line + 7);
	if (f)
		fclose(f);
	return kib;
}

__attribute__((noinline)) static long
recurse(int depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	return depth ? recurse(depth - 1) + pad[0] : 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
main(void)
{
	struct rlimit rl = { 16, 16 };
	printf("NOFILE: %d\n", setrlimit(RLIMIT_NOFILE, &rl));
	int opened = 0, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		opened++;
	printf("opened %d, then %s\n", opened, strerror(errno));
	time(NULL);
	for (int i = 3; i < 16; i++)
		close(i);

	rl.rlim_cur = rl.rlim_max = 1 << 20;
	printf("STACK: %d, recursion %ld\n", setrlimit(RLIMIT_STACK, &rl), recurse(1000));

	long kib = vm_size_kib();
	rl.rlim_cur = rl.rlim_max = (rlim_t)(kib + 64 * 1024) * 1024;
	printf("AS: %d\n", setrlimit(RLIMIT_AS, &rl));
	void *small = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *big = mmap(NULL, 256 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("32 MiB %s, 256 MiB %s\n", small == MAP_FAILED ? "failed" : "mapped",
	       big == MAP_FAILED ? "failed" : "mapped");
	int v[64];
	for (int i = 0; i < 64; i++)
		v[i] = (i * 37) % 64;
	qsort(v, 64, sizeof v[0], cmp_int);
	printf("sorted %d %d %g\n", v[0], v[63], time(NULL) > 0 ? 2.5 : 0.0);

	rl.rlim_cur = rl.rlim_max = 0;
	printf("CORE: %d\n", setrlimit(RLIMIT_CORE, &rl));
	time(NULL);
	return 0;
}
