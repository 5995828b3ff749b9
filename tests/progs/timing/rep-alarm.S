/*
 * A signal handled in the middle of a REP MOVSB.  Single-stepped, a REP
 * string instruction traps after every iteration, so under the ptrace
 * engine the 100 ms SIGALRM lands between two iterations of this 50,000
 * byte copy (natively the copy takes microseconds and the alarm lands in
 * the wait loop after it).  The handler runs, returns through its restorer
 * and the copy resumes where it stopped: the REP MOVSB must still be one
 * record, and the copy complete.  How long the wait loop spins depends on
 * time, so the count is not fixed: tests/cases/trace-rep-signal.sh builds
 * this program and checks the listing.
 */
	.text
	.globl _start
_start:
	mov	$13, %eax		/* rt_sigaction(SIGALRM, &act, NULL, 8) */
	mov	$14, %edi
	lea	act(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	lea	src(%rip), %rdi		/* fill src with 0x5a */
	mov	$0x5a, %al
	mov	$50000, %ecx
	rep stosb
	mov	$38, %eax		/* setitimer(ITIMER_REAL, 100 ms) */
	xor	%edi, %edi
	lea	itv(%rip), %rsi
	xor	%edx, %edx
	syscall
	lea	src(%rip), %rsi
	lea	dst(%rip), %rdi
	mov	$50000, %ecx
	.globl	the_copy
the_copy:
	rep movsb
wait:	cmpb	$0, flag(%rip)
	je	wait
	cmpb	$0x5a, dst+49999(%rip)
	jne	bad
	test	%rcx, %rcx
	jnz	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

handler:
	movb	$1, flag(%rip)
	ret
restorer:
	mov	$15, %eax		/* rt_sigreturn */
	syscall

	.data
	.balign 8
/* struct kernel_sigaction: handler, flags (SA_RESTORER), restorer, mask */
act:	.quad	handler, 0x04000000, restorer, 0
/* struct itimerval: interval 0, value 100 ms */
itv:	.quad	0, 0, 0, 100000
flag:	.byte	0
	.bss
src:	.skip	50000
dst:	.skip	50000
