/*
 * The child exits while the parent sleeps: natively SIGCHLD, whose default
 * action is to ignore it, is discarded when it is generated
 * (kernel/signal.c sig_ignored), so the parent's nanosleep is not
 * interrupted and runs once.  A tracer must not add instructions here: a
 * ptraced task does receive ignored signals (sig_ignored returns false
 * when t->ptrace), which interrupts the sleep, and the kernel restarts it
 * by re-running the syscall instruction (restart_syscall), something the
 * program never does natively.
 *
 * parent: mov, syscall (fork), test, jz, mov r12,
 *         mov, lea, xor, syscall (nanosleep 300 ms), mov r13,
 *         mov, mov, xor, xor, xor, syscall (wait4), mov, mov, syscall  19
 * child:  test, jz (from the fork), mov, lea, xor, syscall
 *         (nanosleep 20 ms), mov, xor, syscall (exit)                   9
 *
 * expect-instructions: 28
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$57, %eax		/* fork */
	syscall
	test	%rax, %rax
	jz	child
	mov	%rax, %r12
	mov	$35, %eax		/* nanosleep(300 ms) */
	lea	long_ts(%rip), %rdi
	xor	%esi, %esi
	syscall
	mov	%rax, %r13		/* 0: it slept the whole time */
	mov	$61, %eax		/* wait4(child, NULL, 0, NULL) */
	mov	%r12, %rdi
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	syscall
	mov	$60, %eax		/* exit(nanosleep's result) */
	mov	%r13, %rdi
	syscall
child:
	mov	$35, %eax		/* nanosleep(20 ms) */
	lea	short_ts(%rip), %rdi
	xor	%esi, %esi
	syscall
	mov	$60, %eax
	xor	%edi, %edi
	syscall

	.data
long_ts:	.quad	0, 300000000
short_ts:	.quad	0, 20000000
