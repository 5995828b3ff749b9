/*
 * A read from an empty pipe is interrupted by SIGALRM (a one-shot 300 ms
 * timer, long enough for the 4 instructions up to the read even at several
 * ms a step on a loaded machine); the SA_RESTART handler writes one byte into the pipe and
 * returns through its restorer (rt_sigreturn); the kernel restarts the read
 * (kernel/signal.c, arch/x86/kernel/signal.c handle_signal: -ERESTARTSYS
 * with SA_RESTART rewinds rip to the syscall instruction), so the read's
 * `syscall` runs twice, the second time returning the byte.
 *
 *   pipe2(fds, 0): mov, lea, xor, syscall                         4
 *   rt_sigaction(SIGALRM, act, 0, 8): mov, mov, lea, xor, mov, syscall  6
 *   setitimer(ITIMER_REAL, 300 ms): mov, xor, lea, xor, syscall   5
 *   read(fds[0], buf, 1): xor, movslq, lea, mov, syscall          5
 *   handler: mov, movslq, lea, mov, syscall (write), ret          6
 *   restorer: mov, syscall (rt_sigreturn)                         2
 *   the read's syscall again                                      1
 *   cmp $1, %rax; jne bad; cmpb $'x', buf; jne bad                4
 *   exit(0)                                                       3
 *
 * expect-instructions: 36
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$293, %eax		/* pipe2 */
	lea	fds(%rip), %rdi
	xor	%esi, %esi
	syscall
	mov	$13, %eax		/* rt_sigaction */
	mov	$14, %edi		/* SIGALRM */
	lea	act(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	mov	$38, %eax		/* setitimer */
	xor	%edi, %edi		/* ITIMER_REAL */
	lea	itv(%rip), %rsi
	xor	%edx, %edx
	syscall
	xor	%eax, %eax		/* read */
	movslq	fds(%rip), %rdi
	lea	buf(%rip), %rsi
	mov	$1, %edx
	syscall
	cmp	$1, %rax
	jne	bad
	cmpb	$'x', buf(%rip)
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall

handler:
	mov	$1, %eax		/* write */
	movslq	fds+4(%rip), %rdi
	lea	byte_x(%rip), %rsi
	mov	$1, %edx
	syscall
	ret
restorer:
	mov	$15, %eax		/* rt_sigreturn */
	syscall

	.data
	.balign 8
/* struct kernel_sigaction (arch/x86/include/uapi/asm/signal.h): handler,
 * flags, restorer, mask; flags SA_RESTORER 0x04000000 | SA_RESTART
 * 0x10000000. */
act:	.quad	handler, 0x14000000, restorer, 0
/* struct itimerval: interval 0, value 300 ms */
itv:	.quad	0, 0, 0, 300000
fds:	.long	-1, -1
byte_x:	.ascii	"x"
	.bss
buf:	.skip	8
