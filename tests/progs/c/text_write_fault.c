/*
 * A program that writes to its own read-only code and catches the
 * SIGSEGV: natively every such write faults (SEGV_ACCERR at the written
 * address), whether or not the code there has run.  Under engine patch
 * the agent makes code pages writable to patch them, so this checks that
 * the program still sees the protection it asked for.  Writes: into the
 * function running now (main), into a function that ran many times
 * (work), into one that never ran (never_run), with a plain store, a
 * rep stosb and a locked add, and read(2) into code (EFAULT).  Expected
 * output: one line per write, with si_code and si_addr relative to main.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void);
static sigjmp_buf back;
static volatile long fault_off;
static volatile int fault_code;

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_off = (char *)si->si_addr - (char *)main;
	fault_code = si->si_code;
	siglongjmp(back, 1);
}

__attribute__((noinline)) static int
work(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int
never_run(int x)
{
	return x - 7;
}

static void
report(const char *what, int faulted)
{
	if (faulted)
		printf("%s: SIGSEGV si_code %d at main%+ld\n", what, fault_code, fault_off);
	else
		printf("%s: no fault\n", what);
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	int sum = 0;
	for (int i = 0; i < 100; i++)
		sum += work(i);
	printf("sum %d\n", sum);
	volatile char *p;
	p = (volatile char *)main + 4;
	report("store into main", sigsetjmp(back, 1) ? 1 : (*p = 0x90, 0));
	p = (volatile char *)work + 1;
	report("store into work", sigsetjmp(back, 1) ? 1 : (*p = 0x90, 0));
	p = (volatile char *)never_run + 2;
	report("store into never_run", sigsetjmp(back, 1) ? 1 : (*p = 0x90, 0));
	if (sigsetjmp(back, 1) == 0) {
		void *d = (char *)work + 1;
		long n = 8;
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
		report("rep stosb into work", 0);
	} else
		report("rep stosb into work", 1);
	if (sigsetjmp(back, 1) == 0) {
		__asm__ volatile("lock addl $1, (%0)" : : "r"((char *)work + 2) : "memory");
		report("lock add into work", 0);
	} else
		report("lock add into work", 1);
	/* The kernel's stores: read(2) into code fails with EFAULT. */
	int fd = open("/dev/zero", O_RDONLY);
	errno = 0;
	long got = read(fd, (char *)work + 1, 4);
	printf("read into work: %ld, %s\n", got, strerror(errno));
	errno = 0;
	got = read(fd, (char *)main + 4, 4);
	printf("read into main: %ld, %s\n", got, strerror(errno));
	close(fd);
	printf("work still %d, never_run %d\n", work(5), never_run(5));
	return 0;
}
