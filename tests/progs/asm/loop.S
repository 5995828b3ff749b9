/*
 * A counted loop of 100000 iterations, then exit(0).
 *
 *   mov  $100000, %ecx          1
 *   1: dec %ecx; jnz 1b         2 x 100000 (the last jnz falls through)
 *   exit(0)                     3 (mov, xor, syscall)
 *
 * expect-instructions: 200004
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$100000, %ecx
1:	dec	%ecx
	jnz	1b
	mov	$60, %eax		/* exit */
	xor	%edi, %edi
	syscall
