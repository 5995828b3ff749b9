/*
 * Eight pthreads add to shared counters, one under a mutex and one with
 * atomic adds, ROUNDS times each (argv[1], default 20000), plus a
 * thread-local sum; each round also copies argv[2] bytes (default 0)
 * between two buffers of the thread's own with one `rep movsb`, one traced
 * instruction doing much work, so that the threads' work outweighs the
 * tracer's.  The main thread prints the totals after the joins, so the
 * output is the same whatever the interleaving.  With argv[3] it writes
 * there the process's CPU time (all threads) and the wall time of the
 * threads' run: above 1 CPU second per wall second means threads ran at
 * the same time on different cores (tests/cases/threads-parallel.sh).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NTHREADS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_total;
static atomic_long atomic_total;
static long rounds = 20000;
static size_t copy_bytes;

static void
copy(void *dst, const void *src, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void *
worker(void *arg)
{
	long id = (long)(intptr_t)arg, mine = 0;
	unsigned char *a = calloc(1, copy_bytes + 1), *b = calloc(1, copy_bytes + 1);
	if (!a || !b)
		return (void *)(intptr_t)-1;
	for (long i = 0; i < rounds; i++) {
		/* some work of its own between the shared updates */
		a[0] = (unsigned char)i;
		copy(b, a, copy_bytes);
		mine += ((i ^ id) & 7) + (copy_bytes ? b[0] - (unsigned char)i : 0);
		atomic_fetch_add(&atomic_total, id);
		if ((i & 15) == 0) {
			pthread_mutex_lock(&lock);
			locked_total += id;
			pthread_mutex_unlock(&lock);
		}
	}
	free(a);
	free(b);
	return (void *)(intptr_t)mine;
}

static double
seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	long mine = 0, want_mine = 0, want_atomic = 0, want_locked = 0;
	if (argc > 1)
		rounds = atol(argv[1]);
	if (argc > 2)
		copy_bytes = (size_t)atol(argv[2]);
	double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1)) != 0)
			return 2;
	for (int i = 0; i < NTHREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		mine += (long)(intptr_t)r;
	}
	double wall = seconds(CLOCK_MONOTONIC) - wall0, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	for (long id = 1; id <= NTHREADS; id++)
		for (long i = 0; i < rounds; i++) {
			want_mine += (i ^ id) & 7;
			want_atomic += id;
			want_locked += (i & 15) == 0 ? id : 0;
		}
	printf("%d threads x %ld rounds (%zu bytes copied each): atomic %ld, locked %ld, thread sums %ld\n", NTHREADS, rounds,
	       copy_bytes, (long)atomic_total, locked_total, mine);
	if (argc > 3) {
		FILE *f = fopen(argv[3], "w");
		if (f) {
			fprintf(f, "cpu %.3f wall %.3f\n", cpu, wall);
			fclose(f);
		}
	}
	return atomic_total == want_atomic && locked_total == want_locked && mine == want_mine ? 0 : 1;
}
