/*
 * A 20-million-instruction loop for the user-mode engines (too long for
 * the ptrace engine within the test budget): 10,000,000 iterations of a
 * two-instruction loop whose backward jcc lands within 5 bytes of itself,
 * then exit(0).
 *
 *   mov  $10000000, %ecx        1
 *   1: dec %ecx; jnz 1b         2 x 10000000
 *   exit(0)                     3
 *
 * expect-instructions: 20000004
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$10000000, %ecx
1:	dec	%ecx
	jnz	1b
	mov	$60, %eax		/* exit */
	xor	%edi, %edi
	syscall
