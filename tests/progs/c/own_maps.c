/*
 * A program that reads its own memory map, as glibc does for
 * pthread_getattr_np on the main thread (and so every Rust program at
 * start): the map it reads under engines patch and displaced has no line
 * of the agent's (docs/CLOAK.md), so its instructions are the ptrace
 * engine's.  Prints what holds natively too (the stack found, this frame
 * in it) and the map's shape: mappings, anonymous executable ones, smaps
 * records (counts only: sizes differ from run to run).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

/* A header is "START-END PERMS ..."; anonymous when nothing follows the
 * inode (the line ends "0 ").  head: the line's first bytes, end: its
 * last two before the newline. */
static void
line_done(const char *head, size_t hlen, const char *end, int *lines, int *anon_exec)
{
	size_t k = 0;
	while (k < hlen && ((head[k] >= '0' && head[k] <= '9') || (head[k] >= 'a' && head[k] <= 'f')))
		k++;
	if (k == 0 || k >= hlen || head[k] != '-')
		return;
	(*lines)++;
	const char *perms = memchr(head, ' ', hlen);
	if (perms && perms + 3 < head + hlen && perms[3] == 'x' && end[1] == ' ')
		(*anon_exec)++;
}

static void
count_lines(const char *path, int chunk)
{
	char buf[1 << 16], head[32], end[2] = { 0, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC), lines = 0, anon_exec = 0;
	size_t hlen = 0;
	ssize_t n;
	if (fd < 0) {
		printf("%s: cannot open\n", path);
		return;
	}
	/* Reads of a fixed size on purpose: lines arrive cut between reads,
	 * and smaps' reads come back short where the kernel's do. */
	while ((n = read(fd, buf, (size_t)chunk)) > 0) {
		for (ssize_t i = 0; i < n;) {
			const char *nl = memchr(buf + i, '\n', (size_t)(n - i));
			ssize_t stop = nl ? nl - buf : n;
			size_t take = (size_t)(stop - i);
			if (take > sizeof head - hlen)
				take = sizeof head - hlen;
			memcpy(head + hlen, buf + i, take);
			hlen += take;
			if (stop - i >= 2) {
				end[0] = buf[stop - 2];
				end[1] = buf[stop - 1];
			} else if (stop - i == 1) {
				end[0] = end[1];
				end[1] = buf[stop - 1];
			}
			if (!nl)
				break;
			line_done(head, hlen, end, &lines, &anon_exec);
			hlen = 0;
			i = stop + 1;
		}
	}
	close(fd);
	printf("%s: %d mappings, %d anonymous executable\n", path, lines, anon_exec);
}

int
main(void)
{
	pthread_attr_t attr;
	void *stack;
	size_t size;
	int here;
	if (pthread_getattr_np(pthread_self(), &attr) != 0 ||
	    pthread_attr_getstack(&attr, &stack, &size) != 0) {
		puts("pthread_getattr_np failed");
		return 1;
	}
	int inside = (char *)&here >= (char *)stack && (char *)&here < (char *)stack + size;
	printf("main thread's stack found, this frame in it: %s\n", inside ? "yes" : "no");
	pthread_attr_destroy(&attr);
	fflush(stdout);
	count_lines("/proc/self/maps", 100);
	count_lines("/proc/thread-self/smaps", 4096);
	return 0;
}
