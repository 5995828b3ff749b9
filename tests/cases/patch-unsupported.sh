#!/bin/bash
# What engine patch does not do yet (an ignored SIGTRAP, more than 64
# threads at once, a system call while the program's own trap flag is
# set) ends the trace with a message naming it and exit status 2, and the
# trace up to there is readable.
set -u
fail() { echo "FAIL: $*"; exit 1; }
cd "$WORK" || exit 99
cat >handler.c <<'C'
#include <signal.h>
int main(void) { signal(SIGTRAP, SIG_IGN); return 0; }
C
cat >threads.c <<'C'
#include <pthread.h>
#define N 70
static pthread_barrier_t all;
static void *run(void *arg) { pthread_barrier_wait(&all); return arg; }
int main(void)
{
	pthread_t t[N];
	pthread_barrier_init(&all, 0, N + 1);
	for (int i = 0; i < N; i++)
		if (pthread_create(&t[i], 0, run, 0))
			return 3;
	pthread_barrier_wait(&all);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], 0);
	return 0;
}
C
cat >tf.c <<'C'
#include <signal.h>
static void on_trap(int sig) { (void)sig; }
int main(void)
{
	signal(SIGTRAP, on_trap);
	/* getpid with TF set, then TF cleared */
	__asm__ volatile("pushf; orq $0x100, (%%rsp); popf; mov $39, %%eax; syscall;"
			 "pushf; andq $~0x100, (%%rsp); popf" ::: "rax", "rcx", "r11", "memory", "cc");
	return 0;
}
C
cc -O1 -o handler handler.c && cc -O1 -pthread -o threads threads.c &&
	cc -O1 -o tf tf.c || exit 99

expect() {
	local prog=$1 words=$2
	"$UMSS" trace -o "$prog.trace" --engine=patch -- "./$prog" >"$prog.out" 2>"$prog.err"
	local rc=$?
	cat "$prog.err"
	[ $rc = 2 ] || fail "$prog: exit $rc, expected 2"
	grep -q "engine patch does not support this yet: .*$words" "$prog.err" ||
		fail "$prog: message does not name $words"
	n=$("$UMSS" stats "$prog.trace" | sed -n '1s/^instructions: //p')
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "$prog: trace unreadable or empty"
}
expect handler "ignored SIGTRAP"
./threads || fail "threads: exit $? natively"
expect threads "more than 64 threads at once"
expect tf "a system call with the trap flag"
