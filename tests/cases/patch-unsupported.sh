#!/bin/bash
# What engine patch does not do yet (an ignored SIGTRAP, threads, the
# trap flag) ends the trace with a message naming it and exit status 2,
# and the trace up to there is readable (the trap-flag program's holds
# exactly the two instructions before the popf).
set -u
fail() { echo "FAIL: $*"; exit 1; }
cd "$WORK" || exit 99
cat >handler.c <<'C'
#include <signal.h>
int main(void) { signal(SIGTRAP, SIG_IGN); return 0; }
C
cat >threads.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); return pthread_join(t, 0); }
C
cat >tf.S <<'S'
	.globl _start
_start:	pushf
	orq	$0x100, (%rsp)
	popf
	nop
	mov	$60, %eax
	xor	%edi, %edi
	syscall
S
cc -O1 -o handler handler.c && cc -O1 -pthread -o threads threads.c &&
	cc -nostdlib -static -o tf tf.S || exit 99

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
expect threads "called clone"
expect tf "trap flag"
[ "$n" = 2 ] || fail "tf: $n instructions, expected 2 (pushf, or)"
