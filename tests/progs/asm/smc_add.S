/*
 * Self-modifying code: each iteration stores a new imm8 into the `add`
 * that runs right after the store (the next instruction, already fetched
 * by a pipelined CPU, which must notice: SDM vol. 3A 11.6), so the adds
 * run with 3, 2 and 1 and the exit status is their sum.  A tracer must
 * record the bytes that ran each time (83 c3 03, 83 c3 02, 83 c3 01).
 * The page is made writable with mprotect first.
 *
 *   lea, mov, mov, mov, syscall (mprotect)               5
 *   mov $3, %ecx; xor %ebx, %ebx                         2
 *   1: movb %cl, 2f+2(%rip); 2: add $0, %ebx;
 *      dec %ecx; jnz 1b                                  4 x 3
 *   mov %ebx, %edi; mov $60, %eax; syscall               3
 *
 * expect-instructions: 22
 * expect-status: 6
 */
	.text
	.globl _start
	.balign 4096
_start:
	lea	_start(%rip), %rdi
	mov	$4096, %esi
	mov	$7, %edx		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	mov	$10, %eax		/* mprotect */
	syscall
	mov	$3, %ecx
	xor	%ebx, %ebx
1:	movb	%cl, 2f+2(%rip)
2:	.byte	0x83, 0xc3, 0x00	/* add $0, %ebx */
	dec	%ecx
	jnz	1b
	mov	%ebx, %edi
	mov	$60, %eax		/* exit */
	syscall
