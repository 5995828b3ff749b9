/*
 * A program that dup2()s a file over every descriptor number from 3 to
 * the limit, after using the vdso (engine patch writes the vdso's code
 * through a /proc/self/mem descriptor at 900 or above), then uses the
 * vdso again and writes one line through a few of the copies.  Natively
 * the file then holds only those lines: an agent that wrote through its
 * old descriptor number would put code bytes into it.  Expected output:
 * the dup2 count and the file's size and content, as natively.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Every descriptor number up to the limit, at most 1024 (the agent's own
 * sit at 900 and above; more would only make the ptrace run slow). */
static long
fd_top(const struct rlimit *rl)
{
	return rl->rlim_cur < 1024 ? (long)rl->rlim_cur : 1024;
}

int
main(void)
{
	for (int i = 0; i < 10; i++)
		time(NULL);
	/* memfd: no random name (mkstemp's comes from the clock, and the
	 * traces must be deterministic). */
	int fd = memfd_create("dup2-target", 0);
	if (fd < 0)
		return 1;
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	long ok = 0;
	for (long i = 3; i < fd_top(&rl); i++)
		if (i != fd)
			ok += dup2(fd, (int)i) == i;
	printf("dup2 over %ld descriptors\n", ok);
	for (int i = 0; i < 10; i++)
		time(NULL);
	const char *msg = "one line\n";
	write(900, msg, strlen(msg));
	write(901, msg, strlen(msg));
	write((int)fd_top(&rl) - 1, msg, strlen(msg));
	struct stat st;
	fstat(fd, &st);
	char buf[256] = { 0 };
	pread(fd, buf, sizeof buf - 1, 0);
	printf("file size %ld:\n%s", (long)st.st_size, buf);
	return 0;
}
