/*
 * Traced by tests/cases/cli-real.sh: reads the clock through the vdso, so the
 * trace holds vdso code for `umss show` to name (clock_gettime).
 */
#include <time.h>

int
main(void)
{
	struct timespec t;

	return clock_gettime(CLOCK_MONOTONIC, &t) != 0;
}
