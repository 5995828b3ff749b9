/*
 * A long loop that tells how far it got: 400 ticks, each 65,536
 * iterations of a two-instruction loop and then write(1, "x", 1), so the
 * bytes it wrote count the ticks it finished.  tests/cases/ring-kill.sh
 * SIGKILLs it at random moments: its trace must hold every tick the
 * output shows (nothing lost in the middle) and end at a point of the
 * loop consistent with the count.
 *
 *   mov  $400, %r12d                                   1
 *   tick: mov $65536, %ecx                             1
 *         1: dec %ecx; jnz 1b                          2 x 65536
 *         mov, mov, lea, mov, syscall (write)          5
 *         dec %r12d; jnz tick                          2   = 131,080 a tick
 *   exit(0): mov, xor, syscall                         3
 *
 * expect-instructions: 52432004
 * expect-status: 0
 */
	.text
	.globl _start
_start:
	mov	$400, %r12d
tick:
	mov	$65536, %ecx
1:	dec	%ecx
	jnz	1b
write_x:				/* its own symbol: umss stats counts it */
	mov	$1, %eax		/* write(1, "x", 1) */
	mov	$1, %edi
	lea	x(%rip), %rsi
	mov	$1, %edx
	syscall
next_tick:
	dec	%r12d
	jnz	tick
	mov	$60, %eax		/* exit(0) */
	xor	%edi, %edi
	syscall

	.section .rodata
x:	.ascii "x"
	.section .note.GNU-stack, "", @progbits
