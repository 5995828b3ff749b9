/*
 * The main thread leaves with pthread_exit while three other threads run;
 * one of them joins the main thread (allowed: it is joinable), prints, and
 * calls exit(4) while the two others are still spinning, so exit_group
 * ends threads that are in the middle of their work.  The process lives on
 * after its leader is gone, and ends with status 4.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_t main_thread;
static atomic_int started;

static void *
spinner(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	atomic_fetch_add(&started, 1);
	for (;;)
		n++;
	return NULL;
}

static void *
closer(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	if (pthread_join(main_thread, NULL) != 0) {
		printf("join of the main thread failed\n");
		exit(1);
	}
	printf("the main thread is gone; exiting 4 with two threads still spinning\n");
	exit(4);
}

int
main(void)
{
	pthread_t t;
	int i;

	main_thread = pthread_self();
	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, spinner, NULL) != 0)
			return 2;
	if (pthread_create(&t, NULL, closer, NULL) != 0)
		return 2;
	while (atomic_load(&started) < 3)
		;
	printf("all three threads started; the main thread leaves\n");
	fflush(stdout);
	pthread_exit(NULL);
}
