/*
 * 1000 getpid system calls in a loop: each syscall instruction is one
 * record, like any other instruction.
 *
 *   mov $1000, %ebx                                  1
 *   1: mov $39, %eax; syscall; dec %ebx; jnz 1b      4 * 1000
 *   exit(0)                                          3
 *
 * expect-instructions: 4004
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$1000, %ebx
1:	mov	$39, %eax		/* getpid */
	syscall
	dec	%ebx
	jnz	1b
	mov	$60, %eax
	xor	%edi, %edi
	syscall
