/*
 * Four pthreads add to one counter under a mutex, each also keeps a
 * thread-local (__thread, via the fs base) sum, and hand their result back
 * through pthread_join.  The output is printed after every join, so it is
 * the same whatever the interleaving; exit 0 when every value is right.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define NTHREADS 4
#define ROUNDS 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long mine;

static void *
worker(void *arg)
{
	long id = (long)(intptr_t)arg;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter += id;
		pthread_mutex_unlock(&lock);
		mine += id;
	}
	return (void *)(intptr_t)(mine * 10 + id);
}

int
main(void)
{
	pthread_t t[NTHREADS];
	long want = 0, i;
	int failures = 0;

	mine = -1;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1)) != 0) {
			perror("pthread_create");
			return 2;
		}
	for (i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		printf("thread %ld returned %ld\n", i + 1, (long)(intptr_t)ret);
		if ((long)(intptr_t)ret != (i + 1) * ROUNDS * 10 + i + 1)
			failures++;
		want += (i + 1) * ROUNDS;
	}
	printf("counter %ld (expected %ld), main's own thread-local %ld\n", counter, want, mine);
	if (counter != want || mine != -1)
		failures++;
	return failures ? 1 : 0;
}
