/*
 * vfork: the child runs in the parent's memory while the parent is
 * suspended, and _exits 3; the parent resumes, reaps it (status 0x300) and
 * exits 0.  Both processes' instructions are exact.
 *
 * parent: mov, syscall (vfork), test, jz                         4
 *         wait4(-1, &status, 0, 0): mov, mov, lea, xor, xor,
 *         syscall                                                6
 *         cmpl $0x300, status; jne bad                           2
 *         exit(0)                                                3
 * child:  test, jz (after the vfork syscall), mov, mov, syscall  5
 *
 * expect-instructions: 20
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$58, %eax		/* vfork */
	syscall
	test	%rax, %rax
	jz	child
	mov	$61, %eax		/* wait4(-1, &status, 0, NULL) */
	mov	$-1, %rdi
	lea	status(%rip), %rsi
	xor	%edx, %edx
	xor	%r10d, %r10d
	syscall
	cmpl	$0x300, status(%rip)	/* exited 3 */
	jne	bad
	mov	$60, %eax
	xor	%edi, %edi
	syscall
bad:
	mov	$60, %eax
	mov	$1, %edi
	syscall
child:
	mov	$60, %eax		/* _exit(3): no stack use, it is the parent's */
	mov	$3, %edi
	syscall

	.data
status:	.long	-1
