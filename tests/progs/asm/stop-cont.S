/*
 * Job control: the parent stops its sleeping child with SIGSTOP (after
 * 200 ms: the child needs 6 instructions to be asleep, for 1 s), sees it
 * stopped with wait4(WUNTRACED) (status 0x137f: stopped by signal 19),
 * continues it with SIGCONT and reaps its exit(0).  The child's nanosleep
 * is interrupted by the stop and, having no handler to run, is restarted
 * by the kernel re-running its `syscall` (arch/x86/kernel/signal.c
 * arch_do_signal_or_restart: -ERESTART_RESTARTBLOCK -> restart_syscall,
 * rip -= 2), so that instruction runs twice natively.
 *
 * parent: mov, syscall (fork), test, jz, mov r12                     5
 *         nanosleep(200 ms): mov, lea, xor, syscall                  4
 *         kill(child, SIGSTOP): mov, mov, mov, syscall               4
 *         wait4(child, &status, WUNTRACED, 0): mov, mov, lea, mov,
 *         xor, syscall                                               6
 *         cmpl $0x137f, status; jne bad                              2
 *         kill(child, SIGCONT): mov, mov, mov, syscall               4
 *         wait4(child, &status, 0, 0): mov, mov, lea, xor, xor,
 *         syscall                                                    6
 *         cmpl $0, status; jne bad                                   2
 *         exit(0)                                                    3   = 36
 * child:  test, jz, nanosleep(1 s): mov, lea, xor, syscall           6
 *         the restarted syscall                                      1
 *         exit(0): mov, xor, syscall                                 3   = 10
 *
 * expect-instructions: 46
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
	mov	$35, %eax		/* nanosleep(200 ms) */
	lea	ts200(%rip), %rdi
	xor	%esi, %esi
	syscall
	mov	$62, %eax		/* kill(child, SIGSTOP) */
	mov	%r12, %rdi
	mov	$19, %esi
	syscall
	mov	$61, %eax		/* wait4(child, &status, WUNTRACED, NULL) */
	mov	%r12, %rdi
	lea	status(%rip), %rsi
	mov	$2, %edx
	xor	%r10d, %r10d
	syscall
	cmpl	$0x137f, status(%rip)
	jne	bad
	mov	$62, %eax		/* kill(child, SIGCONT) */
	mov	%r12, %rdi
	mov	$18, %esi
	syscall
	mov	$61, %eax		/* wait4(child, &status, 0, NULL) */
	mov	%r12, %rdi
	lea	status(%rip), %rsi
	xor	%edx, %edx
	xor	%r10d, %r10d
	syscall
	cmpl	$0, status(%rip)
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
child:
	mov	$35, %eax		/* nanosleep(1 s) */
	lea	ts1s(%rip), %rdi
	xor	%esi, %esi
	syscall
	mov	$60, %eax
	xor	%edi, %edi
	syscall

	.data
ts200:	.quad	0, 200000000
ts1s:	.quad	1, 0
status:	.long	-1
