/*
 * A thread spins on a flag that another sets after some work (argv[1]
 * rounds, default 200000): a user-mode engine that runs one thread at a
 * time must still let the worker run (engine patch's run lock gives the
 * others a turn every few thousand instructions).  Prints the work's
 * result once the spinner saw the flag; exit 0.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int flag;
static long rounds = 200000, result;

static void *
spinner(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&flag, memory_order_acquire))
		; /* no syscall, no pause: only other threads can end this */
	return NULL;
}

static void *
worker(void *arg)
{
	(void)arg;
	long sum = 0;
	for (long i = 0; i < rounds; i++)
		sum += i % 7;
	result = sum;
	atomic_store_explicit(&flag, 1, memory_order_release);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t s, w;
	if (argc > 1)
		rounds = atol(argv[1]);
	if (pthread_create(&s, NULL, spinner, NULL) != 0 || pthread_create(&w, NULL, worker, NULL) != 0)
		return 2;
	pthread_join(s, NULL);
	pthread_join(w, NULL);
	printf("the spinner saw the worker's flag: result %ld\n", result);
	return 0;
}
